//! Faults in user code and the runtime's lifecycle never wedge an exit, leak
//! a process or lose a signal: panicking and receiving `Drop`s, timers
//! cancelled from their own message, huge timeouts, calls without a runtime,
//! runtimes that go away with live processes, calls through a name under a
//! kill storm.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use otp::actor::{self, Next};
use otp::process::{self, CallError, ExitReason, Name, Subject};
use otp::task;

mod common;
use common::{WAIT, block_on, down_of, wait_down, within};

const LIMIT: Duration = Duration::from_secs(60);

struct PanicsOnDrop;

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("a Drop that panics");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_drop_never_wedges_an_exit() {
    within(LIMIT, async {
        // An actor whose state panics in Drop, killed.
        let started = actor::new::<_, ()>(PanicsOnDrop).start().await.unwrap();
        let pid = started.pid;
        process::unlink(pid);
        let monitor = process::monitor(pid);
        process::kill(pid);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
        assert!(!process::list().contains(&pid));

        // A queued message that panics in Drop, dropped with the mailbox at a
        // normal exit: the owner awaiting the task gets its result.
        let mut t = task::spawn(async {
            let inbox = Subject::<PanicsOnDrop>::new();
            inbox.send(PanicsOnDrop);
            7
        });
        assert_eq!(t.try_await(WAIT).await, Ok(7));
        assert!(!process::list().contains(&t.pid()));

        // The same, for a process killed with such a message queued.
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (pid, monitor) = process::spawn_monitor(async move {
            let inbox = Subject::<PanicsOnDrop>::new();
            inbox.send(PanicsOnDrop);
            let _ = tx.send(());
            std::future::pending::<()>().await
        });
        rx.await.unwrap();
        process::kill(pid);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
        assert!(!process::list().contains(&pid));
    })
    .await;
}

/// Receives (waiting up to an hour) when dropped.
struct ReceivesOnDrop(Option<Subject<u32>>);

impl Drop for ReceivesOnDrop {
    fn drop(&mut self) {
        if let Some(subject) = self.0.take() {
            let _ = block_on(process::receive(&subject, Duration::from_secs(3600)));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drop_that_receives_at_exit_returns_at_once() {
    within(LIMIT, async {
        let (pid, monitor) = process::spawn_monitor(async {
            let inbox = Subject::<ReceivesOnDrop>::new();
            let other = Subject::<u32>::new();
            inbox.send(ReceivesOnDrop(Some(other)));
        });
        assert_eq!(down_of(monitor).await.reason, ExitReason::Normal);
        assert!(!process::list().contains(&pid));

        // Killed with such a message queued and such a value in its state
        // (its body is dropped by the exit), or ended by `exit` with such a
        // message queued: the exit runs after a stop, and the receive still
        // returns at once. (A value in the state of a process that calls
        // `exit` is dropped as `exit` unwinds, by the live process: a receive
        // there is an ordinary one.)
        for how in [Some(ExitReason::Abnormal("bye".into())), None] {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let exit = how.clone();
            let (pid, monitor) = process::spawn_monitor(async move {
                let inbox = Subject::<ReceivesOnDrop>::new();
                let _in_state = exit
                    .is_none()
                    .then(|| ReceivesOnDrop(Some(Subject::<u32>::new())));
                inbox.send(ReceivesOnDrop(Some(Subject::<u32>::new())));
                let _ = tx.send(());
                match exit {
                    Some(reason) => process::exit(reason).await,
                    None => std::future::pending::<()>().await,
                }
            });
            rx.await.unwrap();
            if how.is_none() {
                process::kill(pid);
            }
            let reason = how.unwrap_or(ExitReason::Killed);
            assert_eq!(down_of(monitor).await.reason, reason);
            assert!(!process::list().contains(&pid));
        }
    })
    .await;
}

/// Cancels its own timer when dropped.
struct CancelsOnDrop(Arc<OnceLock<process::Timer>>);

impl Drop for CancelsOnDrop {
    fn drop(&mut self) {
        if let Some(timer) = self.0.get() {
            let _ = process::cancel_timer(timer);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timer_message_may_cancel_its_own_timer_when_dropped() {
    within(LIMIT, async {
        // Fired at a dead process: the undeliverable message is dropped by the
        // timer, and its Drop cancels that timer.
        let dead = process::run(async { Subject::<CancelsOnDrop>::new() })
            .await
            .unwrap();
        let cell = Arc::new(OnceLock::new());
        let timer =
            process::send_after(&dead, Duration::from_millis(1), CancelsOnDrop(cell.clone()));
        cell.set(timer.clone()).unwrap();
        // Cancelled (message dropped on abort, which cancels again).
        let cell2 = Arc::new(OnceLock::new());
        let timer2 = process::send_after(
            &dead,
            Duration::from_secs(3600),
            CancelsOnDrop(cell2.clone()),
        );
        cell2.set(timer2.clone()).unwrap();
        assert!(process::cancel_timer(&timer2).is_some());
        // From another thread, cancelling returns (no lock held by the timer).
        let both = tokio::task::spawn_blocking(move || {
            for _ in 0..100 {
                let _ = process::cancel_timer(&timer);
                let _ = process::cancel_timer(&timer2);
                std::thread::yield_now();
            }
        });
        tokio::time::timeout(WAIT, both).await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_timeouts_mean_forever_and_never_panic() {
    within(LIMIT, async {
        let me = Subject::<u32>::new();
        let timer = process::send_after(&me, Duration::MAX, 1);
        assert!(process::cancel_timer(&timer).is_some());
        me.send(2);
        assert_eq!(process::receive(&me, Duration::MAX).await, Ok(2));

        let mut tasks = vec![task::spawn_link(async { 1 }), task::spawn_link(async { 2 })];
        let results = task::try_await_all(&mut tasks, Duration::MAX).await;
        assert_eq!(results, vec![Ok(1), Ok(2)]);
        let mut t = task::spawn_link(async { 3 });
        assert_eq!(t.try_await(Duration::MAX).await, Ok(3));

        let server = echo_server().await;
        assert_eq!(
            process::call(&server, Duration::MAX, |r| (5, r)).await,
            Ok(5)
        );
        let blocking = server.clone();
        let from_thread = tokio::task::spawn_blocking(move || {
            process::call_blocking(&blocking, Duration::MAX, |r| (6, r))
        });
        assert_eq!(from_thread.await.unwrap(), Ok(6));
    })
    .await;
}

/// A process answering `(n, reply)` with `n`, forever.
async fn echo_server() -> Subject<(u32, Subject<u32>)> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    process::spawn(async move {
        let requests = Subject::<(u32, Subject<u32>)>::new();
        let _ = tx.send(requests.clone());
        while let Ok((n, reply)) = process::receive_forever(&requests).await {
            reply.send(n);
        }
    });
    rx.await.unwrap()
}

#[test]
fn a_call_from_a_thread_without_a_runtime_is_a_typed_error() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = runtime.block_on(echo_server());
    let (a, b) = std::thread::spawn(move || {
        let timed = block_on(process::call(&server, WAIT, |r| (1, r)));
        let forever = block_on(process::call(&server, Duration::MAX, |r| (2, r)));
        (timed, forever)
    })
    .join()
    .unwrap();
    assert_eq!(a, Err(CallError::NoRuntime));
    assert_eq!(b, Ok(2));
}

#[test]
fn block_on_ends_the_processes_it_leaves_and_frees_their_names() {
    let name = Name::<u32>::new("left_behind");
    let (done, ended) = std::sync::mpsc::channel::<()>();
    struct Ended(std::sync::mpsc::Sender<()>);
    impl Drop for Ended {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }
    let in_runtime = name.clone();
    let (pid, threaded) = otp::runtime::block_on(async move {
        let pid = process::spawn(std::future::pending::<()>());
        process::register(pid, &in_runtime).unwrap();
        let ended = Ended(done);
        let threaded = process::Builder::new()
            .on_blocking_thread()
            .spawn(async move {
                let _ended = ended;
                std::future::pending::<()>().await
            })
            .pid;
        (pid, threaded)
    })
    .unwrap();
    assert!(!process::is_alive(pid));
    assert!(!process::list().contains(&pid));
    assert_eq!(process::whereis(&name), None);
    // The process on its own thread ends too (its exit drops its state).
    ended
        .recv_timeout(WAIT)
        .expect("the threaded process ended");
    assert!(!process::is_alive(threaded));
    // A second runtime in the same program can take the name, and its
    // monitors work.
    otp::runtime::block_on(async move {
        let pid = process::spawn(std::future::pending::<()>());
        process::register(pid, &name).unwrap();
        let monitor = process::monitor(pid);
        process::kill(pid);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
    })
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_runtime_fires_the_links_and_monitors_of_its_processes() {
    within(LIMIT, async {
        process::trap_exits(true);
        let (runtime, pid) = tokio::task::spawn_blocking(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            let pid = runtime.block_on(async { process::spawn(std::future::pending::<()>()) });
            (runtime, pid)
        })
        .await
        .unwrap();
        assert!(process::link(pid));
        let monitor = process::monitor(pid);
        tokio::task::spawn_blocking(move || drop(runtime))
            .await
            .unwrap();
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
        let exit = otp::process::Selector::new()
            .select_trapped_exits(|e| e)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!((exit.pid, exit.reason), (pid, ExitReason::Killed));
        assert!(!process::list().contains(&pid));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_process_mailbox_is_freed_whatever_handles_remain() {
    within(LIMIT, async {
        let payload = Arc::new(());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let (pid, monitor) = process::spawn_monitor(async move {
            let _ = tx.send(Subject::<Arc<()>>::new());
            std::future::pending::<()>().await
        });
        let subject = rx.await.unwrap();
        for _ in 0..1_000 {
            subject.send(payload.clone());
        }
        assert_eq!(Arc::strong_count(&payload), 1_001);
        process::kill(pid);
        down_of(monitor).await;
        // The subject is still held, yet the queued messages are gone, and a
        // later send gives its message back.
        assert_eq!(Arc::strong_count(&payload), 1);
        assert!(subject.try_send(payload.clone()).is_err());
        assert_eq!(Arc::strong_count(&payload), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_through_a_name_concerns_the_process_that_got_the_request() {
    within(LIMIT, async {
        type Request = (u64, Subject<()>);
        let name = Name::<Request>::new("storm");
        let replied: Arc<Mutex<HashSet<u64>>> = Arc::default();
        // Keeps a server registered under the name, restarting it when killed.
        let keeper = {
            let name = name.clone();
            let replied = replied.clone();
            process::spawn(async move {
                loop {
                    let replied = replied.clone();
                    let server = actor::new(())
                        .named(name.clone())
                        .on_message(move |(), (id, reply): Request| {
                            reply.send(());
                            replied.lock().unwrap().insert(id);
                            Next::Continue(())
                        })
                        .start()
                        .await;
                    match server {
                        Ok(server) => {
                            wait_down(server.pid).await;
                        }
                        Err(_) => tokio::task::yield_now().await,
                    }
                }
            })
        };
        let next_id = Arc::new(AtomicUsize::new(0));
        let mut callers = Vec::new();
        for _ in 0..16 {
            let subject = name.subject();
            let next_id = next_id.clone();
            callers.push(task::spawn_link(async move {
                let mut failed = Vec::new();
                for _ in 0..200 {
                    let id = next_id.fetch_add(1, Ordering::Relaxed) as u64;
                    match process::call(&subject, WAIT, |reply| (id, reply)).await {
                        Ok(()) | Err(CallError::NoProcess) => {}
                        Err(CallError::CalleeExited(_)) => failed.push(id),
                        Err(other) => panic!("unexpected {other:?}"),
                    }
                }
                failed
            }));
        }
        let killer = task::spawn_link({
            let name = name.clone();
            async move {
                for _ in 0..300 {
                    if let Some(pid) = process::whereis(&name) {
                        process::kill(pid);
                    }
                    tokio::task::yield_now().await;
                }
            }
        });
        killer.await.unwrap();
        for caller in callers {
            for id in caller.await.unwrap() {
                // A request whose handler replied was answered: a failed call
                // may only concern a request that no one answered.
                assert!(
                    !replied.lock().unwrap().contains(&id),
                    "call {id} failed though its request was answered"
                );
            }
        }
        process::unlink(keeper);
        process::kill(keeper);
    })
    .await;
}
