//! The sys messages, answered by actors.

use std::time::Duration;

use otp::actor::{self, Next};
use otp::process::{self, ExitReason, Name, Subject};
use otp::sys::{self, Event, LogFlag, Mode, StatisticsFlag, SysError};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(20);

/// A counter that adds what it is sent and, on `None`, reports its count.
async fn counter(name: Option<Name<Option<u32>>>) -> actor::Started<Subject<Option<u32>>> {
    let mut builder = actor::new(0u32)
        .on_message(|n, message: Option<u32>| Next::Continue(n + message.unwrap_or(0)))
        .debug_state();
    if let Some(name) = name {
        builder = builder.named(name);
    }
    builder.start().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_queues_messages_until_resume() {
    within(LIMIT, async {
        let c = counter(None).await;
        sys::suspend(c.pid, WAIT).await.unwrap();
        c.data.send(Some(1));
        // Still 0 while suspended; the message waits in the mailbox.
        assert_eq!(sys::get_state_as::<u32>(c.pid, WAIT).await, Ok(0));
        assert_eq!(
            sys::get_status(c.pid, WAIT).await.unwrap().mode,
            Mode::Suspended
        );
        assert_eq!(process::info(c.pid).unwrap().message_queue_len, 1);
        sys::resume(c.pid, WAIT).await.unwrap();
        assert_eq!(sys::get_state_as::<u32>(c.pid, WAIT).await, Ok(1));
        assert_eq!(
            sys::get_status(c.pid, WAIT).await.unwrap().mode,
            Mode::Running
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_state_replace_state_and_get_status() {
    within(LIMIT, async {
        let name = Name::new("sys-counter");
        let c = counter(Some(name.clone())).await;
        c.data.send(Some(4));
        assert_eq!(sys::get_state(&name, WAIT).await.unwrap(), "4");
        assert_eq!(
            sys::get_state_as::<String>(c.pid, WAIT).await,
            Err(SysError::WrongStateType {
                expected: "alloc::string::String"
            })
        );
        sys::replace_state(c.pid, WAIT, |n: &u32| n * 10)
            .await
            .unwrap();
        assert_eq!(sys::get_state_as::<u32>(c.pid, WAIT).await, Ok(40));
        assert_eq!(
            sys::replace_state(c.pid, WAIT, |_: &String| String::new()).await,
            Err(SysError::WrongStateType {
                expected: "alloc::string::String"
            })
        );
        let status = sys::get_status(c.pid, WAIT).await.unwrap();
        assert_eq!(status.pid, c.pid);
        assert_eq!(status.name.as_deref(), Some(name.label()));
        assert_eq!(status.behaviour, "actor");
        assert_eq!(status.parent, Some(process::self_pid()));
        assert_eq!(status.state, "40");
        assert_eq!(
            sys::change_code(c.pid, WAIT).await,
            Err(SysError::NotSupported(
                "change_code: Rust code cannot be upgraded in place"
            ))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_trace_and_statistics() {
    within(LIMIT, async {
        let c = counter(None).await;
        assert_eq!(sys::log(c.pid, WAIT, LogFlag::On(3)).await, Ok(vec![]));
        sys::trace(c.pid, WAIT, true).await.unwrap();
        assert_eq!(
            sys::statistics(c.pid, WAIT, StatisticsFlag::On).await,
            Ok(None)
        );
        for n in 1..=3 {
            c.data.send(Some(n));
        }
        let events = sys::log(c.pid, WAIT, LogFlag::Get).await.unwrap();
        // The last three events of six (three messages, three states).
        assert_eq!(
            events,
            vec![
                Event::State("3".into()),
                Event::In("Some(3)".into()),
                Event::State("6".into())
            ]
        );
        let stats = sys::statistics(c.pid, WAIT, StatisticsFlag::Get)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stats.messages_in, 3);
        assert_eq!(stats.message_queue_len, 0);
        assert!(stats.current_time >= stats.start_time);
        sys::trace(c.pid, WAIT, false).await.unwrap();
        assert_eq!(sys::log(c.pid, WAIT, LogFlag::Off).await, Ok(vec![]));
        assert_eq!(sys::log(c.pid, WAIT, LogFlag::Get).await, Ok(vec![]));
        assert_eq!(
            sys::statistics(c.pid, WAIT, StatisticsFlag::Off).await,
            Ok(None)
        );
        assert_eq!(
            sys::statistics(c.pid, WAIT, StatisticsFlag::Get).await,
            Ok(None)
        );
    })
    .await;
}

/// sys_SUITE `stats`: after one call, `{messages_in, 1}` and
/// `{messages_out, 1}` (gen_server's reply is an `out` event, sys.erl's
/// `stat/2` counts it). A handler's other sends are no out events (`Pid ! Msg`
/// in a callback is not), nor are the answers to system messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_count_replies_as_messages_out() {
    within(LIMIT, async {
        let seen = Subject::<u32>::new();
        let to_seen = seen.clone();
        let echo = actor::new(())
            .on_message(move |(), reply: Subject<u32>| {
                to_seen.send(7);
                reply.send(1);
                Next::Continue(())
            })
            .start()
            .await
            .unwrap();
        sys::statistics(echo.pid, WAIT, StatisticsFlag::On)
            .await
            .unwrap();
        process::call(&echo.data, WAIT, |r| r).await.unwrap();
        let stats = sys::statistics(echo.pid, WAIT, StatisticsFlag::Get)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stats.messages_in, stats.messages_out), (1, 1));
        for _ in 0..4 {
            process::call(&echo.data, WAIT, |r| r).await.unwrap();
            // System messages and their answers count neither way.
            sys::get_status(echo.pid, WAIT).await.unwrap();
        }
        for _ in 0..5 {
            assert_eq!(process::receive(&seen, WAIT).await, Ok(7));
        }
        let stats = sys::statistics(echo.pid, WAIT, StatisticsFlag::Get)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stats.messages_in, stats.messages_out), (5, 5));
    })
    .await;
}

/// sys_SUITE `log`/`trace`: a call shows as `got call {req,44} from ...` then
/// `sent {ok,-44} to ...`; here the in event, the out event naming the caller,
/// then the new state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_shows_the_reply_to_a_call_as_an_out_event() {
    within(LIMIT, async {
        let doubler = actor::new(0u32)
            .on_message(|n, (x, reply): (u32, Subject<u64>)| {
                reply.send(u64::from(x) * 2);
                Next::Continue(n + 1)
            })
            .debug_state()
            .start()
            .await
            .unwrap();
        sys::log(doubler.pid, WAIT, LogFlag::On(10)).await.unwrap();
        sys::trace(doubler.pid, WAIT, true).await.unwrap();
        assert_eq!(
            process::call(&doubler.data, WAIT, |r| (21, r)).await,
            Ok(42)
        );
        let events = sys::log(doubler.pid, WAIT, LogFlag::Get).await.unwrap();
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(matches!(&events[0], Event::In(_)), "{events:?}");
        assert_eq!(
            events[1],
            Event::Out {
                message: "u64".into(),
                to: process::self_pid()
            }
        );
        assert_eq!(events[2], Event::State("1".into()));
        // Switched off, nothing more is recorded.
        sys::trace(doubler.pid, WAIT, false).await.unwrap();
        sys::log(doubler.pid, WAIT, LogFlag::Off).await.unwrap();
        assert_eq!(process::call(&doubler.data, WAIT, |r| (1, r)).await, Ok(2));
        sys::log(doubler.pid, WAIT, LogFlag::On(10)).await.unwrap();
        assert_eq!(sys::log(doubler.pid, WAIT, LogFlag::Get).await, Ok(vec![]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_runs_the_terminate_hook_and_exits_with_the_reason() {
    within(LIMIT, async {
        let hook = Subject::<ExitReason>::new();
        let to_me = hook.clone();
        let c = actor::new(0u32)
            .on_terminate(move |_, reason| to_me.send(reason.clone()))
            .start()
            .await
            .unwrap();
        let _: &Subject<()> = &c.data;
        process::unlink(c.pid);
        let m = process::monitor(c.pid);
        sys::terminate(c.pid, WAIT, ExitReason::Shutdown)
            .await
            .unwrap();
        assert_eq!(
            process::receive(&hook, WAIT).await,
            Ok(ExitReason::Shutdown)
        );
        let down = down_of(m).await;
        assert_eq!(down.reason, ExitReason::Shutdown);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_behaviours_time_out_and_the_dead_are_no_process() {
    within(LIMIT, async {
        let plain = process::spawn(std::future::pending());
        assert_eq!(
            sys::get_state(plain, Duration::from_millis(20)).await,
            Err(SysError::Timeout)
        );
        process::kill(plain);
        assert_eq!(sys::get_state(plain, WAIT).await, Err(SysError::NoProcess));
        let nobody = Name::<u8>::new("nobody");
        assert_eq!(
            sys::get_status(&nobody, WAIT).await,
            Err(SysError::NoProcess)
        );
    })
    .await;
}

/// A state whose `Debug` and `Clone` panic on demand, to stand for failing
/// user callbacks.
struct Touchy {
    value: u32,
    fail: bool,
}

impl std::fmt::Debug for Touchy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        assert!(!self.fail, "no Debug today");
        write!(f, "Touchy({})", self.value)
    }
}

impl Clone for Touchy {
    fn clone(&self) -> Self {
        assert!(!self.fail, "no Clone today");
        Touchy {
            value: self.value,
            fail: false,
        }
    }
}

/// Erlang's `sys` catches a failing state fun, `system_get_state` or
/// `system_replace_state` and answers `{error, {callback_failed, ...}}`; the
/// process keeps its state and goes on (sys_SUITE `special_process`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_callbacks_are_errors_and_the_actor_keeps_its_state() {
    within(LIMIT, async {
        // The actor's parent is a process of its own, linked to it, that
        // reports its own exit: it must stay untouched.
        let report = Subject::<(process::Pid, Subject<u32>)>::new();
        let to_report = report.clone();
        let parent = process::spawn(async move {
            let started = actor::new(Touchy {
                value: 1,
                fail: false,
            })
            .on_message(|mut s: Touchy, n: u32| {
                s.value += n;
                Next::Continue(s)
            })
            .debug_state()
            .start()
            .await
            .unwrap();
            to_report.send((started.pid, started.data));
            std::future::pending::<()>().await
        });
        let parent_down = process::monitor(parent);
        let (pid, data) = process::receive(&report, WAIT).await.unwrap();
        let actor_down = process::monitor(pid);
        // A panicking replace function: callback_failed, the old state is kept.
        let failed =
            sys::replace_state(pid, WAIT, |_: &Touchy| -> Touchy { panic!("bad fun") }).await;
        assert!(
            matches!(&failed, Err(SysError::CallbackFailed(m)) if m.contains("bad fun")),
            "{failed:?}"
        );
        assert_eq!(sys::get_state(pid, WAIT).await.unwrap(), "Touchy(1)");
        // A panicking Debug (get_state, get_status) and Clone (get_state_as).
        sys::replace_state(pid, WAIT, |t: &Touchy| Touchy {
            value: t.value,
            fail: true,
        })
        .await
        .unwrap();
        for failed in [
            sys::get_state(pid, WAIT).await.map(|_| ()),
            sys::get_status(pid, WAIT).await.map(|_| ()),
            sys::get_state_as::<Touchy>(pid, WAIT).await.map(|_| ()),
        ] {
            assert!(
                matches!(&failed, Err(SysError::CallbackFailed(m)) if m.contains("today")),
                "{failed:?}"
            );
        }
        // Still running, with its state: it handles a message and is mended.
        data.send(2);
        sys::replace_state(pid, WAIT, |t: &Touchy| Touchy {
            value: t.value,
            fail: false,
        })
        .await
        .unwrap();
        assert_eq!(sys::get_state(pid, WAIT).await.unwrap(), "Touchy(3)");
        // Neither the actor nor its linked parent died meanwhile.
        assert!(process::is_alive(pid) && process::is_alive(parent));
        process::kill(parent);
        assert_eq!(down_of(parent_down).await.reason, ExitReason::Killed);
        assert_eq!(down_of(actor_down).await.reason, ExitReason::Killed);
    })
    .await;
}

/// `gen:call` to oneself exits with `calling_self`; a `sys` request to oneself
/// is the same error, typed, at once (not `NoProcess`, not a hang).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sys_request_to_oneself_is_calling_self() {
    within(LIMIT, async {
        let me = process::self_pid();
        assert_eq!(sys::get_state(me, WAIT).await, Err(SysError::CallingSelf));
        assert_eq!(sys::suspend(me, WAIT).await, Err(SysError::CallingSelf));
        // From inside an actor's own handler too.
        let started = actor::new(())
            .on_message_async(|(), reply: Subject<Result<String, SysError>>| async move {
                reply.send(sys::get_state(process::self_pid(), WAIT).await);
                Next::Continue(())
            })
            .start()
            .await
            .unwrap();
        let answer = process::call(&started.data, WAIT, |reply| reply).await;
        assert_eq!(answer, Ok(Err(SysError::CallingSelf)));
        assert!(process::is_alive(started.pid));
    })
    .await;
}
