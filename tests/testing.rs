//! The public test helpers of `otp::testing`, used as a user's tests use them.

use std::sync::Arc;
use std::time::Duration;

use otp::process::{self, ExitReason};
use otp::testing::{self, Probe};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn a_probe_keeps_what_it_gets_in_order_and_hands_it_out_once() {
    testing::run(LIMIT, async {
        let probe = Probe::<u32>::start().await;
        let subject = probe.subject();
        assert_eq!(subject.owner(), probe.pid());
        let sender = process::spawn(async move {
            for n in 1..=3 {
                subject.send(n);
            }
        });
        testing::wait_down(sender).await;
        assert_eq!(probe.next().await, 1);
        assert_eq!(probe.received().await, vec![2, 3]);
        assert_eq!(probe.received().await, Vec::<u32>::new());
    });
}

#[test]
fn a_waiting_next_is_answered_when_the_message_comes() {
    testing::run(LIMIT, async {
        let probe = Probe::<&'static str>::start().await;
        let subject = probe.subject();
        // The sender sends to the probe only when told to, and it is told only
        // after the probe has been asked: the ask is in the probe's mailbox
        // before the message, so `next` has to wait for it.
        let ready = process::Subject::<process::Subject<()>>::new();
        let to_test = ready.clone();
        let sender = process::spawn(async move {
            let word = process::Subject::<()>::new();
            to_test.send(word.clone());
            testing::receive(&word).await;
            subject.send("late");
        });
        let word = testing::receive(&ready).await;
        let (late, ()) = tokio::join!(biased; probe.next(), async { word.send(()) });
        assert_eq!(late, "late");
        testing::wait_down(sender).await;
    });
}

#[test]
fn a_next_that_gave_up_loses_nothing() {
    testing::run(LIMIT, async {
        let probe = Arc::new(Probe::<u8>::start().await);
        // An ask that gives up (the asker's test fails) before anything came...
        let asker = {
            let probe = probe.clone();
            tokio::spawn(async move { probe.next_within(Duration::from_millis(10)).await })
        };
        assert!(asker.await.unwrap_err().is_panic());
        // ...leaves the next message to the next ask.
        probe.subject().send(7);
        assert_eq!(probe.next().await, 7);
    });
}

#[test]
fn dropping_a_probe_ends_it_normally_and_its_starter_lives_on() {
    testing::run(LIMIT, async {
        let probe = Probe::<u8>::start().await;
        let pid = probe.pid();
        let monitor = process::monitor(pid);
        drop(probe);
        let down = testing::down_of(monitor).await;
        assert_eq!(down.reason, ExitReason::Normal);
        assert!(!process::is_alive(pid));
    });
}
