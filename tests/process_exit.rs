//! The exit path: one decision for the reason and the crash report; run, task
//! and actor start return after the process left the table; Erlang's signal
//! semantics for demonitor, pending exits and `exit(kill)`.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use otp::actor::{self, Initialised, StartError};
use otp::process::{self, ExitReason, Selector, Subject};
use otp::task;

mod common;
use common::{WAIT, down_of, wait_down, within};

const LIMIT: Duration = Duration::from_secs(30);

/// Crash reports written in this test binary, as `pid reason` lines.
fn reports() -> &'static Mutex<Vec<String>> {
    static REPORTS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    REPORTS.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt;
        struct Capture;
        impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
            fn on_event(
                &self,
                event: &tracing::Event<'_>,
                _: tracing_subscriber::layer::Context<'_, S>,
            ) {
                if event.metadata().target() != "otp::crash_report" {
                    return;
                }
                struct Fields(String);
                impl tracing::field::Visit for Fields {
                    fn record_debug(
                        &mut self,
                        field: &tracing::field::Field,
                        value: &dyn std::fmt::Debug,
                    ) {
                        if field.name() == "pid" {
                            self.0 = format!("{value:?}");
                        }
                    }
                }
                let mut fields = Fields(String::new());
                event.record(&mut fields);
                reports().lock().unwrap().push(fields.0);
            }
        }
        let subscriber = tracing_subscriber::registry().with(Capture);
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        Mutex::new(Vec::new())
    })
}

fn reports_for(pid: process::Pid) -> usize {
    let pid = pid.to_string();
    reports()
        .lock()
        .unwrap()
        .iter()
        .filter(|p| **p == pid)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_crash_report_for_each_self_made_abnormal_exit_and_none_for_signals() {
    reports();
    within(LIMIT, async {
        let (panicked, m) = process::spawn_monitor(async { panic!("boom") });
        wait_for(m).await;
        let (exited, m) = process::spawn_monitor(async {
            process::exit(ExitReason::abnormal("bad")).await;
        });
        wait_for(m).await;
        let (clean, m) = process::spawn_monitor(async {
            process::exit(ExitReason::Shutdown).await;
        });
        wait_for(m).await;
        let (killed, m) = process::spawn_monitor(std::future::pending::<()>());
        process::kill(killed);
        wait_for(m).await;
        let (signalled, m) = process::spawn_monitor(std::future::pending::<()>());
        process::send_exit(signalled, ExitReason::abnormal("from outside"));
        wait_for(m).await;
        // An actor writes its own (with its state): still exactly one.
        let crashing = actor::new(())
            .on_message(|(), ()| panic!("in a handler"))
            .start()
            .await
            .unwrap();
        process::unlink(crashing.pid);
        let m = process::monitor(crashing.pid);
        crashing.data.send(());
        wait_for(m).await;
        assert_eq!(reports_for(panicked), 1);
        assert_eq!(reports_for(exited), 1);
        assert_eq!(reports_for(clean), 0);
        assert_eq!(reports_for(killed), 0);
        assert_eq!(reports_for(signalled), 0);
        assert_eq!(reports_for(crashing.pid), 1);
    })
    .await;
}

async fn wait_for(monitor: process::Monitor) {
    down_of(monitor).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_task_and_start_return_after_the_process_left_the_table() {
    within(LIMIT, async {
        for _ in 0..200 {
            let pid = process::run(async { process::self_pid() }).await.unwrap();
            assert!(!process::is_alive(pid));
            assert!(!process::list().contains(&pid));

            let mut t = task::spawn_link(async { process::self_pid() });
            let pid = t.try_await(WAIT).await.unwrap();
            assert!(!process::is_alive(pid));
            assert!(!process::list().contains(&pid));

            let failed = actor::new_with_initialiser(WAIT, |_: Subject<()>| async {
                Err::<Initialised<(), (), ()>, _>("no".to_string())
            })
            .start()
            .await;
            assert_eq!(failed, Err(StartError::InitFailed("no".into())));
        }
        // No process from the failed starts is left (each one's pid is gone).
        let me = process::self_pid();
        assert_eq!(process::info(me).unwrap().links, vec![]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_creator_of_a_monitor_can_remove_it() {
    within(LIMIT, async {
        let (target, monitor) = process::spawn_monitor(async {
            let monitors = Subject::<process::Monitor>::new();
            let _ = monitors;
            std::future::pending::<()>().await
        });
        // The monitored process and a third process both try.
        let third = process::run(async move { process::demonitor(monitor) }).await;
        assert_eq!(third, Ok(false));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let tried = process::spawn(async move {
            let _ = tx.send(process::demonitor(monitor));
        });
        assert_eq!(rx.await, Ok(false));
        wait_down(tried).await;
        // The monitor stays: its DOWN comes.
        process::kill(target);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
        // The creator can remove one.
        let (other, monitor) = process::spawn_monitor(std::future::pending::<()>());
        assert!(process::demonitor(monitor));
        process::kill(other);
        let late = Selector::new()
            .select_monitor(monitor, |d| d)
            .receive(Duration::from_millis(50))
            .await;
        assert!(late.is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_exit_is_never_lost_to_an_await_that_did_not_wait() {
    within(LIMIT, async {
        process::trap_exits(true);
        let me = process::self_pid();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let gate = Arc::new(std::sync::Barrier::new(2));
        let in_victim = gate.clone();
        // On a thread of its own, as it blocks (on the barrier) to be killed
        // while running.
        let spawned = process::Builder::new()
            .monitor()
            .on_blocking_thread()
            .spawn(async move {
                assert!(process::link(me));
                let inbox = Subject::<u32>::new();
                inbox.send(1);
                let _ = tx.send(());
                // Killed while here: nothing from now on waits.
                in_victim.wait();
                in_victim.wait();
                // A message is queued and the timeout is zero: neither waits, yet
                // the pending exit stops the process here.
                let _ = process::receive(&inbox, Duration::ZERO).await;
                let _ = process::receive(&inbox, Duration::ZERO).await;
                // Never reached: so the unlink never hides the EXIT.
                process::unlink(me);
                loop {
                    let _ = process::receive(&inbox, Duration::ZERO).await;
                }
            });
        let (victim, monitor) = (spawned.pid, spawned.monitor.unwrap());
        rx.await.unwrap();
        tokio::task::spawn_blocking({
            let gate = gate.clone();
            move || gate.wait()
        })
        .await
        .unwrap();
        process::send_exit(victim, ExitReason::abnormal("stop"));
        tokio::task::spawn_blocking(move || gate.wait())
            .await
            .unwrap();
        let down = down_of(monitor).await;
        assert_eq!(down.reason, ExitReason::abnormal("stop"));
        let exit = Selector::new()
            .select_trapped_exits(|e| e)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!(
            (exit.pid, exit.reason),
            (victim, ExitReason::abnormal("stop"))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_kill_reaches_links_as_kill_and_exit_pid_kill_as_killed() {
    within(LIMIT, async {
        process::trap_exits(true);
        // exit(kill) by the process itself: links and monitors see `kill`,
        // and a trapping link gets it as a message.
        let (pid, monitor) = process::spawn_monitor({
            let me = process::self_pid();
            async move {
                process::link(me);
                process::exit(ExitReason::Kill).await;
            }
        });
        assert_eq!(down_of(monitor).await.reason, ExitReason::Kill);
        let exit = Selector::new()
            .select_trapped_exits(|e| e)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!((exit.pid, exit.reason), (pid, ExitReason::Kill));
        // A non-trapping link dies of it with reason `kill` and passes it on.
        let (chain, chain_monitor) = process::spawn_monitor(async {
            let (_, m) = process::spawn_monitor(async {});
            let _ = m;
            process::spawn_link(async { process::exit(ExitReason::Kill).await });
            std::future::pending::<()>().await
        });
        assert_eq!(down_of(chain_monitor).await.reason, ExitReason::Kill);
        assert!(!process::is_alive(chain));
        // exit(Pid, kill): `killed`.
        let (victim, monitor) = process::spawn_monitor(std::future::pending::<()>());
        process::kill(victim);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_whose_thread_cannot_start_exits() {
    within(LIMIT, async {
        let spawned = process::Builder::new()
            .monitor()
            .on_blocking_thread()
            .stack_size(1 << 50)
            .spawn(async {});
        let down = down_of(spawned.monitor.unwrap()).await;
        assert!(
            matches!(&down.reason, ExitReason::Abnormal(why) if why.contains("thread")),
            "{:?}",
            down.reason
        );
        assert!(!process::is_alive(spawned.pid));
        assert!(!process::list().contains(&spawned.pid));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_task_await_loses_nothing() {
    within(LIMIT, async {
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let mut t = task::spawn_link(async move {
            let _ = wait.await;
            42
        });
        // An await dropped half-way, as in `select!`.
        tokio::select! {
            _ = t.try_await_forever() => panic!("the task cannot have finished"),
            () = tokio::task::yield_now() => {}
        }
        {
            let mut waiting = std::pin::pin!(t.try_await(WAIT));
            assert!(futures_poll(waiting.as_mut()).is_pending());
        }
        go.send(()).unwrap();
        assert_eq!(t.try_await(WAIT).await, Ok(42));
    })
    .await;
}

fn futures_poll<T>(future: std::pin::Pin<&mut impl Future<Output = T>>) -> std::task::Poll<T> {
    future.poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_a_selector_mapping_ends_the_actor_with_a_report_and_terminate() {
    reports();
    within(LIMIT, async {
        let terminated = Subject::<ExitReason>::new();
        let to_test = terminated.clone();
        let started = actor::new_with_initialiser(WAIT, |subject: Subject<u32>| async move {
            let selector = Selector::new().select_map(&subject, |n: u32| {
                assert!(n != 13, "unlucky");
                n
            });
            Ok(Initialised::new(0u32)
                .selecting(selector)
                .returning(subject))
        })
        .on_message(|sum, n| actor::Next::Continue(sum + n))
        .on_terminate(move |_, reason| to_test.send(reason.clone()))
        .start()
        .await
        .unwrap();
        process::unlink(started.pid);
        let monitor = process::monitor(started.pid);
        started.data.send(1);
        started.data.send(13);
        let down = down_of(monitor).await;
        assert!(matches!(&down.reason, ExitReason::Panic(p) if p.message.contains("unlucky")));
        let hook = process::receive(&terminated, WAIT).await.unwrap();
        assert_eq!(hook, down.reason);
        assert_eq!(reports_for(started.pid), 1);
    })
    .await;
}
