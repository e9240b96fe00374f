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

/// A crash report written in this test binary: its fields by name (the
/// message under `message`), each as its `Debug` form.
type Report = std::collections::BTreeMap<String, String>;

/// Crash reports written in this test binary.
fn reports() -> &'static Mutex<Vec<Report>> {
    static REPORTS: OnceLock<Mutex<Vec<Report>>> = OnceLock::new();
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
                struct Fields(Report);
                impl tracing::field::Visit for Fields {
                    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                        self.0.insert(field.name().to_string(), value.to_string());
                    }
                    fn record_debug(
                        &mut self,
                        field: &tracing::field::Field,
                        value: &dyn std::fmt::Debug,
                    ) {
                        self.0
                            .insert(field.name().to_string(), format!("{value:?}"));
                    }
                }
                let mut fields = Fields(Report::new());
                event.record(&mut fields);
                reports().lock().unwrap().push(fields.0);
            }
        }
        let subscriber = tracing_subscriber::registry().with(Capture);
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        Mutex::new(Vec::new())
    })
}

fn reports_of(pid: process::Pid) -> Vec<Report> {
    let pid = pid.to_string();
    reports()
        .lock()
        .unwrap()
        .iter()
        .filter(|report| report.get("pid") == Some(&pid))
        .cloned()
        .collect()
}

fn reports_for(pid: process::Pid) -> usize {
    reports_of(pid).len()
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
                Err::<Initialised<(), (), ()>, _>("no".into())
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

/// What a report says besides whose it is: the fields a stop and an `exit`
/// with the same reason must share.
fn shared_fields(report: &Report) -> Report {
    report
        .iter()
        .filter(|(field, _)| !["pid", "message", "state"].contains(&field.as_str()))
        .map(|(field, value)| (field.clone(), value.clone()))
        .collect()
}

/// gen_server catches `exit(Reason)` in a callback and terminates with
/// `Reason`, writing the report a `{stop, Reason, State}` writes; in
/// `terminate/2` it exits with the new reason. `process::exit` in an actor's
/// handler or terminate hook does the same: one report, the actor's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_that_exits_itself_writes_the_report_of_a_stop() {
    reports();
    within(LIMIT, async {
        let reason = ExitReason::abnormal("gone");
        let start = |exit_in_handler: bool, exit_in_hook: Option<ExitReason>| async move {
            let mut builder = actor::new(7u32)
                .on_message_async(move |n, reason: ExitReason| async move {
                    if exit_in_handler {
                        process::exit(reason).await
                    }
                    actor::Next::Stop(n, reason)
                })
                .debug_state();
            if let Some(hook_reason) = exit_in_hook {
                builder = builder.on_terminate_async(move |_, _| async move {
                    process::exit(hook_reason).await;
                });
            }
            let started = builder.start().await.unwrap();
            process::unlink(started.pid);
            (started.pid, process::monitor(started.pid), started.data)
        };
        let stop_and_wait = |(pid, monitor, data): (process::Pid, _, Subject<ExitReason>),
                             reason: ExitReason| async move {
            data.send(reason);
            (pid, down_of(monitor).await.reason)
        };
        let stopped = stop_and_wait(start(false, None).await, reason.clone()).await;
        let exited = stop_and_wait(start(true, None).await, reason.clone()).await;
        let from_hook =
            stop_and_wait(start(false, Some(reason.clone())).await, ExitReason::Normal).await;
        let clean_exit = stop_and_wait(start(true, None).await, ExitReason::Shutdown).await;
        let clean_hook = stop_and_wait(
            start(false, Some(ExitReason::Normal)).await,
            ExitReason::abnormal("overruled"),
        )
        .await;
        for (_, exit) in [&stopped, &exited, &from_hook] {
            assert_eq!(*exit, reason);
        }
        assert_eq!(clean_exit.1, ExitReason::Shutdown);
        assert_eq!(clean_hook.1, ExitReason::Normal);
        let [stop_report] = &reports_of(stopped.0)[..] else {
            panic!("one report for a stop: {:?}", reports_of(stopped.0))
        };
        assert_eq!(stop_report["state"], "7");
        for (pid, _) in [&exited, &from_hook] {
            let [report] = &reports_of(*pid)[..] else {
                panic!("one report for {pid}: {:?}", reports_of(*pid))
            };
            assert_eq!(report["message"], format!("actor {pid} terminating: gone"));
        }
        let exit_report = &reports_of(exited.0)[0];
        assert_eq!(shared_fields(exit_report), shared_fields(stop_report));
        // The hook ran with the state, after a stop with another reason (the
        // last message): its report has the state and the new reason.
        let hook_report = &reports_of(from_hook.0)[0];
        assert_eq!(hook_report["state"], "7");
        assert_eq!(hook_report["reason"], stop_report["reason"]);
        assert_eq!(reports_for(clean_exit.0), 0);
        assert_eq!(reports_for(clean_hook.0), 0);
    })
    .await;
}
