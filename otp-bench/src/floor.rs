//! The floor: plain tokio tasks talking over plain flume channels, no actor layer,
//! written as fast as we know how for each scenario (each function says which
//! alternatives it was measured against). The driver runs as a task on the
//! worker threads, as otp's driver is a process.

use std::pin::Pin;
use std::time::Instant;

use crate::measure::{on_tokio, rate, rss};
use crate::scenario::{BACKLOG, tree_size};

pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let scenario = scenario.to_string();
    on_tokio(async move {
        match scenario.as_str() {
            "pingpong" => Some(pingpong(size).await),
            "ring" => Some(ring(size).await),
            "fanin" => Some(fanin(size).await),
            "call" => Some(call(size).await),
            "tree" | "tree1m" => Some(tree(size).await),
            "spawn" | "spawnactor" => Some(spawn(size).await),
            "idle" | "idleproc" => Some(idle(size).await),
            "selective" => Some(selective(size, BACKLOG).await),
            "selective0" => Some(selective(size, 0).await),
            "restart" => Some(restart(size).await),
            _ => None,
        }
    })
}

/// Tasks that each pass a counter, less one, to the next until it reaches zero;
/// the one that sees zero tells `done`.
fn relays(count: usize, done: &flume::Sender<()>) -> Vec<flume::Sender<u64>> {
    let channels: Vec<_> = (0..count).map(|_| flume::unbounded::<u64>()).collect();
    for i in 0..count {
        let inbox = channels[i].1.clone();
        let next = channels[(i + 1) % count].0.clone();
        let done = done.clone();
        tokio::spawn(async move {
            while let Ok(left) = inbox.recv_async().await {
                if left == 0 {
                    let _ = done.send(());
                } else {
                    let _ = next.send(left - 1);
                }
            }
        });
    }
    channels.into_iter().map(|(sender, _)| sender).collect()
}

/// The driver plays one side: it sends and waits for the echo (measured faster
/// than two relay tasks passing a counter, as `ring` does, by about 7%).
async fn pingpong(rounds: u64) -> f64 {
    let (to_b, b_inbox) = flume::unbounded::<u64>();
    let (to_a, a_inbox) = flume::unbounded::<u64>();
    tokio::spawn(async move {
        while let Ok(n) = b_inbox.recv_async().await {
            let _ = to_a.send(n);
        }
    });
    let start = Instant::now();
    for n in 0..rounds {
        to_b.send(n).unwrap();
        a_inbox.recv_async().await.unwrap();
    }
    rate(rounds, start.elapsed())
}

async fn ring(hops: u64) -> f64 {
    let (done, finished) = flume::bounded(1);
    let ring = relays(1000, &done);
    let start = Instant::now();
    ring[0].send(hops).unwrap();
    finished.recv_async().await.unwrap();
    rate(hops, start.elapsed())
}

/// A sink task counts the messages (as fast as the driver being the sink).
async fn fanin(senders: u64) -> f64 {
    const EACH: u64 = 1000;
    let total = senders * EACH;
    let (sink, inbox) = flume::unbounded::<()>();
    let (done, finished) = flume::bounded(1);
    tokio::spawn(async move {
        for _ in 0..total {
            inbox.recv_async().await.unwrap();
        }
        let _ = done.send(());
    });
    let start = Instant::now();
    for _ in 0..senders {
        let sink = sink.clone();
        tokio::spawn(async move {
            for _ in 0..EACH {
                let _ = sink.send(());
            }
        });
    }
    finished.recv_async().await.unwrap();
    rate(total, start.elapsed())
}

/// A oneshot channel per call (measured faster than each client reusing one
/// flume reply channel and sending a handle to it with each call).
async fn call(calls: u64) -> f64 {
    const CALLERS: u64 = 8;
    let (server, requests) = flume::unbounded::<tokio::sync::oneshot::Sender<u64>>();
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok(reply) = requests.recv_async().await {
            let _ = reply.send(n);
            n += 1;
        }
    });
    let start = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..CALLERS {
        let server = server.clone();
        callers.push(tokio::spawn(async move {
            for _ in 0..calls / CALLERS {
                let (reply, answer) = tokio::sync::oneshot::channel();
                server.send(reply).unwrap();
                answer.await.unwrap();
            }
        }));
    }
    for caller in callers {
        caller.await.unwrap();
    }
    rate(calls / CALLERS * CALLERS, start.elapsed())
}

/// Each node waits for its children's replies on a channel of its own (as fast
/// as awaiting their `JoinHandle`s).
async fn tree(depth: u64) -> f64 {
    let (done, finished) = flume::bounded(1);
    let start = Instant::now();
    tokio::spawn(node(done, depth));
    finished.recv_async().await.unwrap();
    rate(tree_size(depth), start.elapsed())
}

/// A node of the spawn tree (boxed: an `async fn` cannot spawn itself).
fn node(parent: flume::Sender<()>, depth: u64) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        if depth > 0 {
            let (children, replies) = flume::unbounded();
            for _ in 0..10 {
                tokio::spawn(node(children.clone(), depth - 1));
            }
            for _ in 0..10 {
                replies.recv_async().await.unwrap();
            }
        }
        let _ = parent.send(());
    })
}

/// Each task replies on a channel (measured faster than awaiting `JoinHandle`s).
async fn spawn(count: u64) -> f64 {
    let (reply, replies) = flume::unbounded::<()>();
    let start = Instant::now();
    for _ in 0..count {
        let reply = reply.clone();
        tokio::spawn(async move {
            let _ = reply.send(());
        });
    }
    for _ in 0..count {
        replies.recv_async().await.unwrap();
    }
    rate(count, start.elapsed())
}

async fn idle(count: u64) -> f64 {
    let before = rss();
    let mut held = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let (tx, inbox) = flume::unbounded::<()>();
        tokio::spawn(async move { while inbox.recv_async().await.is_ok() {} });
        held.push(tx);
    }
    tokio::task::yield_now().await;
    let after = rss();
    (after - before) / count as f64
}

/// A worker task that panics on its first message, respawned each time its
/// `JoinHandle` reports the panic: the least a supervisor could do.
async fn restart(crashes: u64) -> f64 {
    let worker = || {
        let (tx, inbox) = flume::unbounded::<()>();
        let handle = tokio::spawn(async move {
            if inbox.recv_async().await.is_ok() {
                panic!("crash");
            }
        });
        (tx, handle)
    };
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let (mut tx, mut handle) = worker();
    let start = Instant::now();
    for _ in 0..crashes {
        tx.send(()).unwrap();
        assert!(handle.await.is_err());
        (tx, handle) = worker();
    }
    let per_second = rate(crashes, start.elapsed());
    std::panic::set_hook(previous);
    per_second
}

/// With one channel per kind of message there is nothing to skip: the backlog
/// waits in a channel of its own, and the floor is a plain receive.
async fn selective(count: u64, backlog: u64) -> f64 {
    let (unrelated, _kept) = flume::unbounded::<u64>();
    for i in 0..backlog {
        unrelated.send(i).unwrap();
    }
    let (wanted, inbox) = flume::unbounded::<u64>();
    let start = Instant::now();
    tokio::spawn(async move {
        for i in 0..count {
            let _ = wanted.send(i);
        }
    });
    for _ in 0..count {
        inbox.recv_async().await.unwrap();
    }
    rate(count, start.elapsed())
}
