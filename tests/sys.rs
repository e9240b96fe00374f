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
                expected: "the requested type"
            })
        );
        sys::replace_state(c.pid, WAIT, |n: &mut u32| *n *= 10)
            .await
            .unwrap();
        assert_eq!(sys::get_state_as::<u32>(c.pid, WAIT).await, Ok(40));
        assert!(
            sys::replace_state(c.pid, WAIT, |_: &mut String| {})
                .await
                .is_err()
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_count_messages_out() {
    within(LIMIT, async {
        let echo = actor::new(())
            .on_message(|(), reply: Subject<u32>| {
                reply.send(1);
                Next::Continue(())
            })
            .start()
            .await
            .unwrap();
        sys::statistics(echo.pid, WAIT, StatisticsFlag::On)
            .await
            .unwrap();
        for _ in 0..5 {
            process::call(&echo.data, WAIT, |r| r).await.unwrap();
        }
        let stats = sys::statistics(echo.pid, WAIT, StatisticsFlag::Get)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stats.messages_in, stats.messages_out), (5, 5));
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
