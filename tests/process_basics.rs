//! Spawning, subjects, receive, selectors, names and timers.

use std::time::Duration;

use otp::process::{
    self, ExitReason, Name, ReceiveError, RegisterError, Selector, Subject, UnregisterError,
};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pids_are_unique_and_print_erlang_style() {
    within(LIMIT, async {
        let me = process::self_pid();
        let other = process::spawn(async {});
        assert_ne!(me, other);
        let shown = me.to_string();
        assert!(
            shown.starts_with("<0.") && shown.ends_with(".0>"),
            "{shown}"
        );
        assert_eq!(format!("{me:?}"), shown);
        assert!(me.is_local());
        assert_eq!((me.node(), me.creation()), (0, 0));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_from_one_sender_arrive_in_order() {
    within(LIMIT, async {
        let inbox = Subject::<u32>::new();
        let to_me = inbox.clone();
        process::spawn(async move {
            for i in 0..1000 {
                to_me.send(i);
            }
        });
        for i in 0..1000 {
            assert_eq!(process::receive(&inbox, WAIT).await, Ok(i));
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_times_out_and_zero_timeout_polls() {
    within(LIMIT, async {
        let inbox = Subject::<u32>::new();
        assert_eq!(
            process::receive(&inbox, Duration::ZERO).await,
            Err(ReceiveError::Timeout)
        );
        inbox.send(1);
        assert_eq!(process::receive(&inbox, Duration::ZERO).await, Ok(1));
        assert_eq!(
            process::receive(&inbox, Duration::from_millis(10)).await,
            Err(ReceiveError::Timeout)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiving_on_another_process_subject_is_an_error() {
    let foreign = within(LIMIT, async { Subject::<u32>::new() }).await;
    let owner = foreign.owner();
    within(LIMIT, async move {
        assert_eq!(
            process::receive(&foreign, WAIT).await,
            Err(ReceiveError::NotOwner { owner })
        );
        let selector = Selector::new().select(&foreign);
        assert_eq!(
            selector.receive(WAIT).await,
            Err(ReceiveError::NotOwner { owner })
        );
    })
    .await;
    // Outside any process there is no mailbox at all.
    let orphan = within(LIMIT, async { Subject::<u32>::new() }).await;
    assert_eq!(
        process::receive(&orphan, WAIT).await,
        Err(ReceiveError::NotInProcess)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_to_a_dead_process_is_a_no_op_or_an_error() {
    let (pid, subject) = within(LIMIT, async {
        (process::self_pid(), Subject::<u32>::new())
    })
    .await;
    assert!(!process::is_alive(pid));
    subject.send(1);
    assert_eq!(subject.try_send(2), Err(process::SendError(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selective_receive_takes_the_earliest_match_and_keeps_the_rest() {
    within(LIMIT, async {
        let a = Subject::<&'static str>::new();
        let b = Subject::<u32>::new();
        a.send("a1");
        b.send(1);
        a.send("a2");
        b.send(2);
        // Only `b`: the `a` messages stay queued, in order.
        assert_eq!(process::receive(&b, WAIT).await, Ok(1));
        assert_eq!(process::receive(&b, WAIT).await, Ok(2));
        let info = process::info(process::self_pid()).unwrap();
        assert_eq!(info.message_queue_len, 2);
        assert_eq!(process::receive(&a, WAIT).await, Ok("a1"));
        assert_eq!(process::receive(&a, WAIT).await, Ok("a2"));

        #[derive(Debug, PartialEq)]
        enum Either {
            A(&'static str),
            B(u32),
        }
        b.send(3);
        a.send("a3");
        let both = Selector::new()
            .select_map(&a, Either::A)
            .select_map(&b, Either::B);
        assert_eq!(both.receive(WAIT).await, Ok(Either::B(3)));
        assert_eq!(both.receive(WAIT).await, Ok(Either::A("a3")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_selectors_let_the_later_mapping_win_and_deselect_removes() {
    within(LIMIT, async {
        let s = Subject::<u32>::new();
        let first = Selector::new().select_map(&s, |n| n + 1);
        let second = Selector::new().select_map(&s, |n| n * 10);
        let merged = first.merge(second);
        s.send(2);
        assert_eq!(merged.receive(WAIT).await, Ok(20));
        let none = merged.deselect(&s);
        assert!(none.is_empty());
        s.send(3);
        assert_eq!(
            none.receive(Duration::from_millis(10)).await,
            Err(ReceiveError::Timeout)
        );
        assert_eq!(process::flush(), 1);
        assert_eq!(process::flush(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_register_unregister_and_reach_the_holder() {
    within(LIMIT, async {
        let name = Name::<u32>::new("counter");
        let me = process::self_pid();
        assert_eq!(process::whereis(&name), None);
        process::register(me, &name).unwrap();
        assert_eq!(process::whereis(&name), Some(me));
        assert_eq!(
            process::info(me).unwrap().registered_name.as_deref(),
            Some(name.label())
        );
        // A name reaches its holder.
        name.subject().send(5);
        assert_eq!(process::receive(&name.subject(), WAIT).await, Ok(5));
        // Duplicates are typed errors.
        let other = process::spawn(std::future::pending());
        assert_eq!(
            process::register(other, &name),
            Err(RegisterError::NameTaken {
                name: name.label().to_string(),
                holder: me
            })
        );
        let second = Name::<u32>::new("second");
        assert!(matches!(
            process::register(me, &second),
            Err(RegisterError::AlreadyNamed { .. })
        ));
        process::unregister(&name).unwrap();
        assert_eq!(process::whereis(&name), None);
        assert_eq!(
            process::unregister(&name),
            Err(UnregisterError::NotRegistered(name.label().to_string()))
        );
        assert_eq!(name.subject().try_send(1), Err(process::SendError(1)));
        process::kill(other);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_is_freed_when_its_holder_exits_and_registering_the_dead_fails() {
    within(LIMIT, async {
        let name = Name::<u32>::new("worker");
        let holder = Name::<u32>::clone(&name);
        let (pid, monitor) = process::spawn_monitor(async move {
            process::register(process::self_pid(), &holder).unwrap();
        });
        let down = down_of(monitor).await;
        assert_eq!(down.reason, ExitReason::Normal);
        assert_eq!(process::whereis(&name), None);
        assert_eq!(
            process::register(pid, &name),
            Err(RegisterError::NoProcess(pid))
        );
        // The name is free for the next process.
        process::register(process::self_pid(), &name).unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timers_fire_and_cancelled_timers_never_arrive() {
    within(LIMIT, async {
        let inbox = Subject::<&'static str>::new();
        let fired = process::send_after(&inbox, Duration::from_millis(5), "fired");
        let cancelled = process::send_after(&inbox, Duration::from_secs(3600), "never");
        assert_eq!(process::receive(&inbox, WAIT).await, Ok("fired"));
        assert_eq!(process::cancel_timer(&fired), None);
        match process::cancel_timer(&cancelled) {
            Some(remaining) => assert!(remaining > Duration::from_secs(3500)),
            None => panic!("expected a cancel"),
        }
        assert_eq!(process::cancel_timer(&cancelled), None);
        // Race a short timer against its cancel: whichever wins, the outcome is
        // consistent. A cancelled timer's message never comes before a later
        // marker; a fired one does.
        for _ in 0..50 {
            let quick = process::send_after(&inbox, Duration::from_millis(1), "quick");
            let outcome = process::cancel_timer(&quick);
            process::send_after(&inbox, Duration::from_millis(3), "marker");
            let first = process::receive(&inbox, WAIT).await.unwrap();
            match outcome {
                Some(_) => assert_eq!(first, "marker"),
                None => {
                    assert_eq!(first, "quick");
                    assert_eq!(process::receive(&inbox, WAIT).await, Ok("marker"));
                }
            }
        }
        assert_eq!(process::flush(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_process_runs_on_its_own_thread_and_still_messages() {
    within(LIMIT, async {
        let inbox = Subject::<String>::new();
        let to_me = inbox.clone();
        process::Builder::new()
            .on_blocking_thread()
            .spawn(async move {
                std::thread::sleep(Duration::from_millis(1)); // blocking is fine here
                let name = std::thread::current().name().unwrap_or("").to_string();
                to_me.send(name);
            });
        let thread = process::receive(&inbox, WAIT).await.unwrap();
        assert!(thread.starts_with("otp-<0."), "{thread}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_replies_times_out_and_sees_the_callee_die() {
    within(LIMIT, async {
        let (ready, server) = {
            let ready = Subject::<Subject<(u32, Subject<u32>)>>::new();
            let to_me = ready.clone();
            let pid = process::spawn(async move {
                let requests = Subject::new();
                to_me.send(requests.clone());
                loop {
                    let (n, reply): (u32, Subject<u32>) =
                        process::receive_forever(&requests).await.unwrap();
                    match n {
                        0 => panic!("zero"),
                        1 => {} // never answers
                        n => reply.send(n * 2),
                    }
                }
            });
            (ready, pid)
        };
        let requests = process::receive(&ready, WAIT).await.unwrap();
        assert_eq!(process::call(&requests, WAIT, |r| (21, r)).await, Ok(42));
        assert_eq!(
            process::call(&requests, Duration::from_millis(10), |r| (1, r)).await,
            Err(process::CallError::Timeout)
        );
        let crashed = process::call(&requests, WAIT, |r| (0, r)).await;
        assert!(
            matches!(
                crashed,
                Err(process::CallError::CalleeExited(ExitReason::Panic(_)))
            ),
            "{crashed:?}"
        );
        assert!(!process::is_alive(server));
        assert_eq!(
            process::call(&requests, WAIT, |r| (2, r)).await,
            Err(process::CallError::NoProcess)
        );
        // Nothing was left in the caller's mailbox, and no monitor either.
        let info = process::info(process::self_pid()).unwrap();
        assert_eq!(info.message_queue_len, 0);
        assert!(info.monitors.is_empty());
    })
    .await;
}

#[test]
fn call_blocking_works_from_a_plain_thread() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    runtime.spawn(async move {
        process::spawn(async move {
            let requests = Subject::<(u32, Subject<u32>)>::new();
            tx.send(requests.clone()).unwrap();
            loop {
                let (n, reply) = process::receive_forever(&requests).await.unwrap();
                reply.send(n + 1);
            }
        });
    });
    let requests = rx.recv_timeout(LIMIT).unwrap();
    assert_eq!(process::call_blocking(&requests, WAIT, |r| (1, r)), Ok(2));
    process::kill(requests.owner());
}
