//! The floor: plain tokio tasks talking over plain flume channels, no actor layer.

use std::time::Instant;

use crate::measure::{on_tokio, peak_rss_mib_after, rate, rss};

pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let scenario = scenario.to_string();
    on_tokio(async move {
        match scenario.as_str() {
            "pingpong" => Some(pingpong(size).await),
            "ring" => Some(ring(size).await),
            "spawn" | "spawn1m" | "spawnactor" => Some(spawn(size).await),
            "spawnrss" => Some(peak_rss_mib_after(spawn(size)).await),
            "idle" => Some(idle(size).await),
            "call" => Some(call(size).await),
            "fanin" => Some(fanin(size).await),
            "restart" => Some(restart(size).await),
            "selective" => Some(selective(size).await),
            _ => None,
        }
    })
}

async fn pingpong(rounds: u64) -> f64 {
    let (to_b, b_inbox) = flume::unbounded::<u64>();
    let (to_a, a_inbox) = flume::unbounded::<u64>();
    let (done, finished) = flume::bounded(1);
    let done_b = done.clone();
    tokio::spawn(async move {
        while let Ok(n) = b_inbox.recv_async().await {
            if n == 0 {
                let _ = done_b.send(());
            } else {
                let _ = to_a.send(n - 1);
            }
        }
    });
    let to_b2 = to_b.clone();
    tokio::spawn(async move {
        while let Ok(n) = a_inbox.recv_async().await {
            if n == 0 {
                let _ = done.send(());
            } else {
                let _ = to_b2.send(n - 1);
            }
        }
    });
    let start = Instant::now();
    to_b.send(rounds * 2).unwrap();
    finished.recv_async().await.unwrap();
    rate(rounds, start.elapsed())
}

async fn ring(hops: u64) -> f64 {
    const ACTORS: usize = 1000;
    let (done, finished) = flume::bounded(1);
    let channels: Vec<_> = (0..ACTORS).map(|_| flume::unbounded::<u64>()).collect();
    for i in 0..ACTORS {
        let inbox = channels[i].1.clone();
        let next = channels[(i + 1) % ACTORS].0.clone();
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
    let start = Instant::now();
    channels[0].0.send(hops).unwrap();
    finished.recv_async().await.unwrap();
    rate(hops, start.elapsed())
}

async fn spawn(count: u64) -> f64 {
    let (reply, replies) = flume::unbounded::<()>();
    let start = Instant::now();
    for _ in 0..count {
        let (tx, inbox) = flume::unbounded::<flume::Sender<()>>();
        tokio::spawn(async move {
            if let Ok(reply) = inbox.recv_async().await {
                let _ = reply.send(());
            }
        });
        tx.send(reply.clone()).unwrap();
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

async fn fanin(senders: u64) -> f64 {
    const EACH: u64 = 1000;
    let total = senders * EACH;
    let (sink, inbox) = flume::unbounded::<()>();
    let (done, finished) = flume::bounded(1);
    tokio::spawn(async move {
        let mut n = 0;
        while inbox.recv_async().await.is_ok() {
            n += 1;
            if n == total {
                let _ = done.send(());
            }
        }
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

/// With separate channels there is nothing to skip: the floor of a receive that
/// ignores a backlog.
async fn selective(count: u64) -> f64 {
    const BACKLOG: u64 = 10_000;
    let (backlog, _kept) = flume::unbounded::<u64>();
    for i in 0..BACKLOG {
        backlog.send(i).unwrap();
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
