//! Tasks: results, crashes, timeouts, ownership and cleanliness.

use std::time::Duration;

use otp::process::{self, ExitReason};
use otp::task::{self, TaskError};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(30);

/// Nothing left in the calling process: no message, link or monitor.
fn assert_clean() {
    let me = process::info(process::self_pid()).unwrap();
    assert_eq!(me.message_queue_len, 0, "stray messages");
    assert!(me.monitors.is_empty(), "stray monitors");
    assert!(me.links.is_empty(), "stray links");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_is_returned_once_and_nothing_is_left_behind() {
    within(LIMIT, async {
        process::trap_exits(true); // so a stray EXIT would show
        let mut t = task::spawn_link(async { 6 * 7 });
        assert_eq!(
            process::info(process::self_pid()).unwrap().links,
            vec![t.pid()]
        );
        assert_eq!(t.try_await(WAIT).await, Ok(42));
        assert_eq!(t.try_await(WAIT).await, Err(TaskError::AlreadyAwaited));
        assert!(!process::is_alive(t.pid()));
        assert_clean();
        assert_eq!(
            task::spawn_link(async { "as a future" }).await,
            Ok("as a future")
        );
        assert_eq!(task::spawn_link(async { 1 }).await_timeout(WAIT).await, 1);
        assert_eq!(task::spawn_link(async { 2 }).await_forever().await, 2);
        assert_clean();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_is_an_exited_error_for_a_trapping_owner_and_leaves_nothing() {
    within(LIMIT, async {
        process::trap_exits(true);
        let mut t = task::spawn_link(async {
            if true {
                panic!("task failed");
            }
            0
        });
        match t.try_await(WAIT).await {
            Err(TaskError::Exited(ExitReason::Panic(p))) => assert_eq!(&*p.message, "task failed"),
            other => panic!("expected Exited, got {other:?}"),
        }
        assert_clean();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_task_crash_takes_a_non_trapping_owner_down() {
    let owner = process::run(async {
        let t = task::spawn_link(async {
            process::exit(ExitReason::abnormal("task broke")).await;
        });
        let _ = t.await;
        unreachable!("the owner dies with the task")
    });
    let result: Result<(), ExitReason> = tokio::time::timeout(LIMIT, owner).await.unwrap();
    assert_eq!(result, Err(ExitReason::abnormal("task broke")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlinked_task_crash_is_only_an_error() {
    within(LIMIT, async {
        let t = task::spawn(async {
            process::exit(ExitReason::abnormal("quietly")).await;
        });
        assert_eq!(
            t.await,
            Err(TaskError::Exited(ExitReason::abnormal("quietly")))
        );
        assert_clean();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_leaves_the_task_running_and_it_can_be_awaited_again() {
    within(LIMIT, async {
        let (go, proceed) = flume::unbounded::<()>();
        let mut t = task::spawn_link(async move {
            let _ = proceed.recv_async().await;
            "done"
        });
        assert_eq!(
            t.try_await(Duration::from_millis(10)).await,
            Err(TaskError::Timeout)
        );
        assert!(process::is_alive(t.pid()));
        go.send(()).unwrap();
        assert_eq!(t.try_await(WAIT).await, Ok("done"));
        assert_clean();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_may_await() {
    within(LIMIT, async {
        let t = task::spawn(async { 1 });
        let owner = process::self_pid();
        let outcome = process::run(async move {
            let mut t = t;
            t.try_await(WAIT).await
        })
        .await
        .unwrap();
        assert_eq!(outcome, Err(TaskError::NotOwner { owner }));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_await_all_shares_one_deadline_and_keeps_order() {
    within(LIMIT, async {
        let (_hold, never) = flume::unbounded::<()>();
        let mut tasks = vec![
            task::spawn_link(async { Some(1) }),
            task::spawn_link(async move {
                let _ = never.recv_async().await;
                None
            }),
            task::spawn_link(async { Some(3) }),
        ];
        let results = task::try_await_all(&mut tasks, Duration::from_millis(100)).await;
        assert_eq!(
            results,
            vec![Ok(Some(1)), Err(TaskError::Timeout), Ok(Some(3))]
        );
        process::kill(tasks[1].pid());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn await_timeout_exits_the_owner_when_the_task_is_too_slow() {
    let owner = process::run(async {
        let (_hold, never) = flume::unbounded::<()>();
        let slow = task::spawn(async move {
            let _ = never.recv_async().await;
        });
        slow.await_timeout(Duration::from_millis(10)).await;
    });
    match tokio::time::timeout(LIMIT, owner).await.unwrap() {
        Err(ExitReason::Abnormal(why)) => assert!(why.contains("did not finish"), "{why}"),
        other => panic!("expected an abnormal exit, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_is_never_lost_to_the_down() {
    within(LIMIT, async {
        process::trap_exits(true);
        for round in 0..10_000u32 {
            let t = task::spawn_link(async move { round });
            assert_eq!(t.await, Ok(round));
        }
        assert_clean();
        // And with a monitor in the owner's mailbox too: the DOWN never overtakes.
        for round in 0..1_000u32 {
            let mut t = task::spawn_link(async move { round });
            let m = process::monitor(t.pid());
            assert_eq!(t.try_await(WAIT).await, Ok(round));
            let down = down_of(m).await;
            assert_eq!(down.reason, ExitReason::Normal);
        }
        assert_clean();
    })
    .await;
}
