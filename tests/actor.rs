//! Actors: start, handlers, stops, names, selectors, calls, terminate.

use std::time::Duration;

use otp::actor::{self, InitError, Initialised, Next, StartError};
use otp::process::{self, CallError, ExitReason, Name, Selector, Subject};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(20);

#[derive(Debug)]
enum Counter {
    Add(u64),
    Get(Subject<u64>),
    Fail(&'static str),
    Stop,
}

fn counter(count: u64, message: Counter) -> Next<u64, Counter> {
    match message {
        Counter::Add(n) => Next::Continue(count + n),
        Counter::Get(reply) => {
            reply.send(count);
            Next::Continue(count)
        }
        Counter::Fail(why) => Next::stop_abnormal(count, why),
        Counter::Stop => Next::stop(count),
    }
}

async fn get(subject: &Subject<Counter>) -> Result<u64, CallError> {
    process::call(subject, WAIT, Counter::Get).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_counts_and_stops_normally() {
    within(LIMIT, async {
        let started = actor::new(0).on_message(counter).start().await.unwrap();
        let m = process::monitor(started.pid);
        started.data.send(Counter::Add(2));
        started.data.send(Counter::Add(40));
        assert_eq!(get(&started.data).await, Ok(42));
        // Started from a process, the actor is linked to it.
        assert_eq!(
            process::info(started.pid).unwrap().links,
            vec![process::self_pid()]
        );
        started.data.send(Counter::Stop);
        let down = down_of(m).await;
        assert_eq!(down.reason, ExitReason::Normal);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_abnormal_reaches_a_linked_trapping_parent_verbatim() {
    within(LIMIT, async {
        process::trap_exits(true);
        let started = actor::new(0).on_message(counter).start().await.unwrap();
        started.data.send(Counter::Fail("x"));
        let exit = Selector::new()
            .select_trapped_exits(|e| e)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!(
            (exit.pid, exit.reason),
            (started.pid, ExitReason::abnormal("x"))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_ends_the_actor_with_a_panic_reason() {
    within(LIMIT, async {
        let started = actor::new(())
            .on_message(|(), _: u8| panic!("handler failed"))
            .start()
            .await
            .unwrap();
        process::unlink(started.pid);
        let m = process::monitor(started.pid);
        started.data.send(1);
        let down = down_of(m).await;
        assert!(
            matches!(&down.reason, ExitReason::Panic(p) if &*p.message == "handler failed"),
            "{:?}",
            down.reason
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_past_its_timeout_gives_init_timeout_and_no_exit_to_a_trapping_starter() {
    within(LIMIT, async {
        process::trap_exits(true);
        let slow =
            actor::new_with_initialiser(Duration::from_millis(20), |_subject: Subject<u8>| async {
                std::future::pending::<()>().await;
                Ok(Initialised::new(()))
            });
        assert_eq!(slow.start().await.unwrap_err(), StartError::InitTimeout);
        // The child is dead, no EXIT arrived, and we are alive.
        let any_exit = Selector::new()
            .select_trapped_exits(|e| e)
            .receive(Duration::from_millis(50))
            .await;
        assert!(any_exit.is_err(), "got {any_exit:?}");
        let me = process::info(process::self_pid()).unwrap();
        assert!(me.links.is_empty());
        assert_eq!(me.message_queue_len, 0);
    })
    .await;
}

/// An initialiser's own error type, to check that a start error keeps it.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("no database at {0}")]
struct NoDatabase(&'static str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_initialisers_error_keeps_its_type_and_is_the_start_errors_source() {
    within(LIMIT, async {
        let failing = actor::new_with_initialiser(WAIT, |_subject: Subject<u8>| async {
            Err::<Initialised<(), u8, ()>, _>(InitError::new(NoDatabase("db:5432")))
        });
        let error = failing.start().await.unwrap_err();
        let StartError::InitFailed(init) = &error else {
            panic!("expected InitFailed, got {error:?}");
        };
        assert_eq!(
            init.downcast_ref::<NoDatabase>(),
            Some(&NoDatabase("db:5432"))
        );
        let source = std::error::Error::source(&error).expect("a source");
        assert_eq!(source.to_string(), "no database at db:5432");
        // Under a supervisor, the child's error is the source of the supervisor's.
        let tree = otp::supervisor::new(otp::supervisor::Strategy::OneForOne)
            .add(otp::supervisor::ChildSpec::worker("db", || {
                actor::new_with_initialiser(WAIT, |_subject: Subject<u8>| async {
                    Err::<Initialised<(), u8, ()>, _>(InitError::new(NoDatabase("db:5432")))
                })
                .start()
            }))
            .start()
            .await
            .unwrap_err();
        let mut chain = vec![tree.to_string()];
        let mut next = std::error::Error::source(&tree);
        while let Some(error) = next {
            chain.push(error.to_string());
            next = error.source();
        }
        assert_eq!(
            chain.last().map(String::as_str),
            Some("no database at db:5432")
        );
        match tree {
            otp::supervisor::StartError::ChildFailed { id, reason } => {
                assert_eq!(id, "db");
                assert!(matches!(
                    *reason,
                    otp::supervisor::StartError::Actor(StartError::InitFailed(_))
                ));
            }
            other => panic!("expected ChildFailed, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_panicking_inits_are_typed_errors_and_leave_the_caller_alive() {
    within(LIMIT, async {
        let failing = actor::new_with_initialiser(WAIT, |_subject: Subject<u8>| async {
            Err::<Initialised<(), u8, ()>, _>("no database".into())
        });
        assert_eq!(
            failing.start().await.unwrap_err(),
            StartError::InitFailed("no database".into())
        );
        let panicking = actor::new_with_initialiser(WAIT, |_subject: Subject<u8>| async {
            if true {
                panic!("init exploded");
            }
            Ok(Initialised::new(()))
        });
        match panicking.start().await {
            Err(StartError::InitExited(ExitReason::Panic(p))) => {
                assert_eq!(&*p.message, "init exploded")
            }
            other => panic!("expected InitExited, got {other:?}"),
        }
        // Not trapping exits, and still alive: no exit signal reached us.
        let me = process::info(process::self_pid()).unwrap();
        assert!(me.links.is_empty());
        assert_eq!(me.message_queue_len, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_named_actor_is_reachable_by_name_and_a_taken_name_starts_nothing() {
    within(LIMIT, async {
        let name = Name::<Counter>::new("counter");
        let started = actor::new(1)
            .on_message(counter)
            .named(name.clone())
            .start()
            .await
            .unwrap();
        assert_eq!(process::whereis(&name), Some(started.pid));
        name.subject().send(Counter::Add(1));
        assert_eq!(get(&name.subject()).await, Ok(2));
        let second = actor::new(0)
            .on_message(counter)
            .named(name.clone())
            .start()
            .await;
        assert_eq!(
            second.unwrap_err(),
            StartError::NameTaken {
                name: name.label().to_string(),
                holder: started.pid
            }
        );
        assert_eq!(process::whereis(&name), Some(started.pid));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_selector_replaces_the_default_subject() {
    within(LIMIT, async {
        let ready = Subject::<Subject<String>>::new();
        let to_me = ready.clone();
        let started = actor::new_with_initialiser(WAIT, move |own: Subject<String>| async move {
            let other = Subject::<String>::new();
            to_me.send(other.clone());
            let selector = Selector::new().select_map(&other, |s: String| s.to_uppercase());
            Ok(Initialised::new(Vec::<String>::new())
                .selecting(selector)
                .returning(own))
        })
        .on_message(|mut seen, s: String| {
            seen.push(s);
            Next::Continue(seen)
        })
        .debug_state()
        .start()
        .await
        .unwrap();
        let other = process::receive(&ready, WAIT).await.unwrap();
        // The actor's own subject is no longer selected: dropped with a warning.
        started.data.send("ignored".into());
        other.send("hello".into());
        let state = otp::sys::get_state(started.pid, WAIT).await.unwrap();
        assert_eq!(state, r#"["HELLO"]"#);
        assert_eq!(process::info(started.pid).unwrap().message_queue_len, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_all_in_the_selector_takes_what_nothing_else_does() {
    within(LIMIT, async {
        let started = actor::new_with_initialiser(WAIT, |own: Subject<String>| async move {
            let selector = Selector::new()
                .select(&own)
                .select_other(|unexpected| format!("other: {unexpected:?}"));
            Ok(Initialised::new(Vec::<String>::new())
                .selecting(selector)
                .returning(own))
        })
        .on_message(|mut seen, s: String| {
            seen.push(s);
            Next::Continue(seen)
        })
        .start()
        .await
        .unwrap();
        // An EXIT from a linked process: the actor does not trap exits, so make
        // it receive something else it never selected: a DOWN.
        started.data.send("direct".into());
        let watcher_of = started.pid;
        // Ask the actor (through a sys replace) to monitor a dead pid: the DOWN
        // arrives in its mailbox and only the catch-all can take it.
        let dead = process::spawn(async {});
        let m = process::monitor(dead);
        down_of(m).await;
        otp::sys::replace_state(watcher_of, WAIT, move |seen: &Vec<String>| {
            process::monitor(dead);
            seen.clone()
        })
        .await
        .unwrap();
        let seen: Vec<String> = otp::sys::get_state_as(started.pid, WAIT).await.unwrap();
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0], "direct");
        assert!(seen[1].starts_with("other: Down"), "{seen:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_handlers_await_and_keep_order() {
    within(LIMIT, async {
        let started = actor::new(Vec::new())
            .on_message_async(|mut seen: Vec<u32>, n: u32| async move {
                tokio::task::yield_now().await;
                seen.push(n);
                Next::Continue(seen)
            })
            .start()
            .await
            .unwrap();
        for n in 0..100 {
            started.data.send(n);
        }
        let seen: Vec<u32> = otp::sys::get_state_as(started.pid, WAIT).await.unwrap();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_timed_out_calls_leave_the_caller_mailbox_empty() {
    within(LIMIT, async {
        // An actor that never replies but keeps the requests' reply subjects.
        let started = actor::new(0u32)
            .on_message(|n, reply: Subject<u32>| {
                drop(reply);
                Next::Continue(n + 1)
            })
            .start()
            .await
            .unwrap();
        for _ in 0..10_000 {
            let result = process::call(&started.data, Duration::ZERO, |reply| reply).await;
            assert_eq!(result, Err(CallError::Timeout));
        }
        // Now a reply that comes late for each one: still nothing in our mailbox.
        let late = actor::new(())
            .on_message(|(), reply: Subject<u32>| {
                reply.send(1);
                Next::Continue(())
            })
            .start()
            .await
            .unwrap();
        for _ in 0..100 {
            let _ = process::call(&late.data, Duration::ZERO, |reply| reply).await;
        }
        let handled: u32 = otp::sys::get_state_as(started.pid, WAIT).await.unwrap();
        assert_eq!(handled, 10_000);
        let me = process::info(process::self_pid()).unwrap();
        assert_eq!(me.message_queue_len, 0);
        assert!(me.monitors.is_empty());
        assert!(process::info(started.pid).unwrap().monitored_by.is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_runs_on_normal_and_abnormal_stops_and_on_shutdown_by_the_parent() {
    within(LIMIT, async {
        let reasons = Subject::<(u64, ExitReason)>::new();
        for message in [Counter::Stop, Counter::Fail("bad")] {
            let report = reasons.clone();
            let started = actor::new(7)
                .on_message(counter)
                .on_terminate(move |state, reason| report.send((state, reason.clone())))
                .start()
                .await
                .unwrap();
            process::unlink(started.pid);
            started.data.send(message);
            let (state, reason) = process::receive(&reasons, WAIT).await.unwrap();
            assert_eq!(state, 7);
            assert!(reason == ExitReason::Normal || reason == ExitReason::abnormal("bad"));
        }
        // Shut down by its parent while trapping exits.
        let report = reasons.clone();
        let parent_gets = Subject::<process::Pid>::new();
        let to_me = parent_gets.clone();
        let parent = process::spawn(async move {
            let started = actor::new(9)
                .on_message(counter)
                .trap_exits()
                .on_terminate(move |state, reason| report.send((state, reason.clone())))
                .start()
                .await
                .unwrap();
            to_me.send(started.pid);
            std::future::pending::<()>().await;
        });
        let child = process::receive(&parent_gets, WAIT).await.unwrap();
        let m = process::monitor(child);
        process::send_exit(parent, ExitReason::Shutdown);
        assert_eq!(
            process::receive(&reasons, WAIT).await,
            Ok((9, ExitReason::Shutdown))
        );
        let down = down_of(m).await;
        assert_eq!(down.reason, ExitReason::Shutdown);
    })
    .await;
}

#[test]
fn a_plain_thread_can_call_an_actor() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = runtime
        .block_on(actor::new(5).on_message(counter).start())
        .unwrap();
    let answer =
        std::thread::spawn(move || process::call_blocking(&started.data, WAIT, Counter::Get))
            .join()
            .unwrap();
    assert_eq!(answer, Ok(5));
}

/// Gleam's actor and OTP 26's `proc_lib:init_fail`: an initialiser's error is
/// reported to the starter, and the actor then exits `Normal`, so that links
/// (other than the starter's, removed first) see no crash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_initialiser_exits_normally_after_reporting() {
    within(LIMIT, async {
        // A witness linked to the actor, trapping exits, forwards the EXIT it gets.
        let exits = Subject::<ExitReason>::new();
        let forward = exits.clone();
        let (ready_tx, ready) = flume::bounded(1);
        let witness = process::spawn(async move {
            process::trap_exits(true);
            ready_tx.send(()).unwrap();
            let exit = Selector::new()
                .select_trapped_exits(|exit| exit.reason)
                .receive(WAIT)
                .await
                .expect("the actor's EXIT");
            forward.send(exit);
        });
        ready.recv_async().await.unwrap();
        let failing = actor::new_with_initialiser(WAIT, move |_subject: Subject<u8>| async move {
            process::link(witness);
            Err::<Initialised<(), u8, ()>, _>("no database".into())
        });
        assert_eq!(
            failing.start().await.unwrap_err(),
            StartError::InitFailed("no database".into())
        );
        assert_eq!(process::receive(&exits, WAIT).await, Ok(ExitReason::Normal));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sleep_suspends_and_sleep_forever_ends_only_by_a_kill() {
    within(LIMIT, async {
        process::sleep(Duration::from_millis(1)).await;
        let (sleeper, monitor) = process::spawn_monitor(async {
            process::sleep_forever().await;
        });
        assert!(process::is_alive(sleeper));
        process::kill(sleeper);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
    })
    .await;
}
