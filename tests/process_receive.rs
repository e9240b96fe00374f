//! Selective receive: interleaved receives, backlogs, receives from mapping
//! functions.

use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use otp::process::{self, Selector, Subject};

mod common;
use common::{WAIT, within};

const LIMIT: Duration = Duration::from_secs(30);

/// Polls `future` once, by hand, from inside the process.
fn poll_once<T>(future: std::pin::Pin<&mut impl Future<Output = T>>) -> Poll<T> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interleaved_receives_neither_hide_nor_lose_nor_duplicate_a_message() {
    within(LIMIT, async {
        let a = Subject::<&str>::new();
        let c = Subject::<&str>::new();
        c.send("c1");
        // Receive A refuses c1 and stays alive, waiting.
        let mut receive_a = pin!(process::receive(&a, WAIT));
        assert!(poll_once(receive_a.as_mut()).is_pending());
        // Receive B takes c1; receive C passes over a1 to take c2.
        assert_eq!(process::receive(&c, WAIT).await, Ok("c1"));
        a.send("a1");
        c.send("c2");
        assert_eq!(process::receive(&c, WAIT).await, Ok("c2"));
        // A still finds a1, which was queued after it last looked.
        assert_eq!(receive_a.await, Ok("a1"));
        assert_eq!(process::flush(), 0);

        // Two receives on one subject alive at once: each gets one message.
        let mut first = pin!(process::receive(&a, WAIT));
        let mut second = pin!(process::receive(&a, WAIT));
        assert!(poll_once(first.as_mut()).is_pending());
        assert!(poll_once(second.as_mut()).is_pending());
        a.send("x");
        a.send("y");
        let got_second = second.await.unwrap();
        let got_first = first.await.unwrap();
        assert_eq!((got_second, got_first), ("x", "y"));
        assert_eq!(process::flush(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn selective_receive_past_a_backlog_keeps_mailbox_order() {
    within(LIMIT, async {
        let bulk = Subject::<u32>::new();
        let rare = Subject::<u32>::new();
        for n in 0..10_000 {
            bulk.send(n);
            if n % 2_500 == 0 {
                rare.send(n);
            }
        }
        let (_, monitor) = process::spawn_monitor(async {});
        // The rare messages come in their order, past the backlog, again and
        // again (the backlog is saved once, not scanned per receive).
        for expected in [0, 2_500, 5_000, 7_500] {
            assert_eq!(process::receive(&rare, WAIT).await, Ok(expected));
        }
        // A specific monitor, past the backlog too.
        let down = Selector::new()
            .select_monitor(monitor, |d| d)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!(down.monitor, monitor);
        // A selector over both keeps mailbox order between them.
        rare.send(99);
        let both = Selector::new().select(&bulk).select(&rare);
        for n in 0..10_000 {
            assert_eq!(both.receive(WAIT).await, Ok(n));
        }
        assert_eq!(both.receive(WAIT).await, Ok(99));
        assert_eq!(process::flush(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_function_may_receive_flush_and_demonitor() {
    within(LIMIT, async {
        let outer = Subject::<u32>::new();
        let inner = Subject::<u32>::new();
        let from_inner = inner.clone();
        let selector = Selector::new().select_map(&outer, move |n| {
            let mut nested = pin!(process::receive(&from_inner, Duration::ZERO));
            match poll_once(nested.as_mut()) {
                Poll::Ready(Ok(m)) => n + m,
                _ => n,
            }
        });
        inner.send(10);
        outer.send(1);
        assert_eq!(selector.receive(WAIT).await, Ok(11));
        outer.send(2);
        assert_eq!(selector.receive(WAIT).await, Ok(2));

        let flushing = Selector::new().select_map(&outer, |n| (n, process::flush()));
        outer.send(3);
        inner.send(4);
        // Both are queued before the receive (one mailbox, in order).
        let (n, flushed) = flushing.receive(WAIT).await.unwrap();
        assert_eq!(n, 3);
        assert!(flushed <= 1);
        process::flush();

        let (_, monitor) = process::spawn_monitor(std::future::pending::<()>());
        let demonitoring =
            Selector::new().select_map(&outer, move |n| (n, process::demonitor(monitor)));
        outer.send(5);
        assert_eq!(demonitoring.receive(WAIT).await, Ok((5, true)));
        assert_eq!(process::flush(), 0);
    })
    .await;
}
