//! The scenarios written with otp the way a user writes them most: plain processes
//! receiving with `process::receive_forever` where the scenario is about processes
//! (ping-pong, ring, fan-in, spawning), actors where it is about actors (idle
//! actors, the server of the calls), and calls made from processes.

use std::pin::Pin;
use std::time::{Duration, Instant};

use otp_core::actor::{self, Next};
use otp_core::process::{self, Name, Selector, Subject};
use otp_core::supervisor::{self, ChildSpec, Strategy};

use crate::measure::{rate, rss};
use crate::scenario::{BACKLOG, tree_size};

pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let scenario = scenario.to_string();
    otp_core::runtime::block_on(async move {
        match scenario.as_str() {
            "pingpong" => Some(pingpong(size).await),
            "ring" => Some(ring(size).await),
            "fanin" => Some(fanin(size).await),
            "call" => Some(call(size).await),
            "tree" | "tree1m" => Some(tree(size).await),
            "spawn" => Some(spawn(size).await),
            "spawnactor" => Some(spawn_actors(size).await),
            "idle" => Some(idle(size).await),
            "idleproc" => Some(idle_processes(size).await),
            "selective" => Some(selective(size, BACKLOG).await),
            "selective0" => Some(selective(size, 0).await),
            "restart" => Some(restart(size).await),
            _ => None,
        }
    })
    .expect("the benchmark process")
}

/// What a relay receives: its peer, then counters to pass on.
enum Relay {
    Peer(Subject<Relay>),
    Count(u64),
}

/// Processes that each pass a counter, less one, to the next until it reaches
/// zero (Erlang's `relay/2` in bench.erl); the one that sees zero tells `done`.
async fn relays(count: usize, done: &Subject<()>) -> Vec<Subject<Relay>> {
    let ready = Subject::<Subject<Relay>>::new();
    for _ in 0..count {
        let ready = ready.clone();
        let done = done.clone();
        process::spawn(async move {
            let inbox = Subject::<Relay>::new();
            ready.send(inbox.clone());
            let mut peer = None;
            while let Ok(message) = process::receive_forever(&inbox).await {
                match message {
                    Relay::Peer(p) => peer = Some(p),
                    Relay::Count(0) => done.send(()),
                    Relay::Count(n) => {
                        if let Some(p) = &peer {
                            p.send(Relay::Count(n - 1));
                        }
                    }
                }
            }
        });
    }
    let mut members = Vec::with_capacity(count);
    for _ in 0..count {
        members.push(process::receive_forever(&ready).await.unwrap());
    }
    for i in 0..count {
        members[i].send(Relay::Peer(members[(i + 1) % count].clone()));
    }
    members
}

async fn pingpong(rounds: u64) -> f64 {
    let done = Subject::<()>::new();
    let pair = relays(2, &done).await;
    let start = Instant::now();
    pair[0].send(Relay::Count(rounds * 2));
    process::receive_forever(&done).await.unwrap();
    rate(rounds, start.elapsed())
}

async fn ring(hops: u64) -> f64 {
    let done = Subject::<()>::new();
    let ring = relays(1000, &done).await;
    let start = Instant::now();
    ring[0].send(Relay::Count(hops));
    process::receive_forever(&done).await.unwrap();
    rate(hops, start.elapsed())
}

/// 1,000 sender processes, 1,000 messages each, to one process that counts them.
async fn fanin(senders: u64) -> f64 {
    const EACH: u64 = 1000;
    let total = senders * EACH;
    let ready = Subject::<Subject<()>>::new();
    let done = Subject::<()>::new();
    {
        let (ready, done) = (ready.clone(), done.clone());
        process::spawn(async move {
            let inbox = Subject::<()>::new();
            ready.send(inbox.clone());
            for _ in 0..total {
                process::receive_forever(&inbox).await.unwrap();
            }
            done.send(());
        });
    }
    let sink = process::receive_forever(&ready).await.unwrap();
    let start = Instant::now();
    for _ in 0..senders {
        let sink = sink.clone();
        process::spawn(async move {
            for _ in 0..EACH {
                sink.send(());
            }
        });
    }
    process::receive_forever(&done).await.unwrap();
    rate(total, start.elapsed())
}

/// One actor answering calls from 8 client processes.
async fn call(calls: u64) -> f64 {
    const CALLERS: u64 = 8;
    let server = actor::new(0u64)
        .on_message(|n, reply: Subject<u64>| {
            reply.send(n);
            Next::Continue(n + 1)
        })
        .start()
        .await
        .unwrap()
        .data;
    let done = Subject::<()>::new();
    let start = Instant::now();
    for _ in 0..CALLERS {
        let server = server.clone();
        let done = done.clone();
        process::spawn(async move {
            for _ in 0..calls / CALLERS {
                process::call(&server, Duration::from_secs(5), |reply| reply)
                    .await
                    .unwrap();
            }
            done.send(());
        });
    }
    for _ in 0..CALLERS {
        process::receive_forever(&done).await.unwrap();
    }
    rate(calls / CALLERS * CALLERS, start.elapsed())
}

/// A tree of processes `depth` levels deep below its root: each spawns ten
/// children, waits for their replies and replies to its parent.
async fn tree(depth: u64) -> f64 {
    let done = Subject::<()>::new();
    let start = Instant::now();
    let root = done.clone();
    process::spawn(node(root, depth));
    process::receive_forever(&done).await.unwrap();
    rate(tree_size(depth), start.elapsed())
}

/// A node of the spawn tree (boxed: an `async fn` cannot spawn itself).
fn node(parent: Subject<()>, depth: u64) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    Box::pin(async move {
        if depth > 0 {
            let children = Subject::<()>::new();
            for _ in 0..10 {
                process::spawn(node(children.clone(), depth - 1));
            }
            for _ in 0..10 {
                process::receive_forever(&children).await.unwrap();
            }
        }
        parent.send(());
    })
}

/// Processes spawned one after another, each replying once to the spawner and
/// stopping (Erlang's `spawn(fun() -> Parent ! ok end)`).
async fn spawn(count: u64) -> f64 {
    let replies = Subject::<()>::new();
    let start = Instant::now();
    for _ in 0..count {
        let reply = replies.clone();
        process::spawn(async move { reply.send(()) });
    }
    for _ in 0..count {
        process::receive_forever(&replies).await.unwrap();
    }
    rate(count, start.elapsed())
}

/// Actors started one after another with `actor::start`, which waits for each
/// one's `init` like `proc_lib:start_link`, then asked to reply once and stop.
async fn spawn_actors(count: u64) -> f64 {
    let replies = Subject::<()>::new();
    let start = Instant::now();
    for _ in 0..count {
        let started = actor::new(())
            .on_message(|(), reply: Subject<()>| {
                reply.send(());
                Next::stop(())
            })
            .start()
            .await
            .unwrap();
        started.data.send(replies.clone());
    }
    for _ in 0..count {
        process::receive_forever(&replies).await.unwrap();
    }
    rate(count, start.elapsed())
}

async fn idle(count: u64) -> f64 {
    let before = rss();
    let mut held = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let started = actor::new(())
            .on_message(|(), ()| Next::Continue(()))
            .start()
            .await
            .unwrap();
        held.push(started.data);
    }
    let after = rss();
    let per = (after - before) / count as f64;
    drop(held);
    per
}

/// Plain processes waiting in a receive, each having told its subject.
async fn idle_processes(count: u64) -> f64 {
    let ready = Subject::<Subject<()>>::new();
    let before = rss();
    let mut held = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let ready = ready.clone();
        process::spawn(async move {
            let inbox = Subject::<()>::new();
            ready.send(inbox.clone());
            let _ = process::receive_forever(&inbox).await;
        });
    }
    for _ in 0..count {
        held.push(process::receive_forever(&ready).await.unwrap());
    }
    let after = rss();
    let per = (after - before) / count as f64;
    drop(held);
    per
}

/// A process receives `count` messages on one subject while `backlog` messages
/// sent to another subject of its own wait unread before them.
async fn selective(count: u64, backlog: u64) -> f64 {
    let unrelated = Subject::<u64>::new();
    let wanted = Subject::<u64>::new();
    for i in 0..backlog {
        unrelated.send(i);
    }
    let sender = wanted.clone();
    let start = Instant::now();
    process::spawn(async move {
        for i in 0..count {
            sender.send(i);
        }
    });
    let selector = Selector::new().select(&wanted);
    for _ in 0..count {
        selector.receive_forever().await.unwrap();
    }
    let per_second = rate(count, start.elapsed());
    assert_eq!(
        process::info(process::self_pid())
            .unwrap()
            .message_queue_len as u64,
        backlog
    );
    per_second
}

async fn restart(crashes: u64) -> f64 {
    let ready = Subject::<Subject<()>>::new();
    let to_me = ready.clone();
    let name = Name::<()>::new("crasher");
    let sup = supervisor::new(Strategy::OneForOne)
        .intensity(u32::MAX)
        .add(ChildSpec::worker("crasher", move || {
            let to_me = to_me.clone();
            let name = name.clone();
            async move {
                let started = actor::new(())
                    .on_message(|(), ()| panic!("crash"))
                    .named(name)
                    .start()
                    .await?;
                to_me.send(started.data.clone());
                Ok(started)
            }
        }))
        .start()
        .await
        .unwrap();
    let mut worker = process::receive_forever(&ready).await.unwrap();
    let start = Instant::now();
    for _ in 0..crashes {
        worker.send(());
        worker = process::receive_forever(&ready).await.unwrap();
    }
    let per_second = rate(crashes, start.elapsed());
    drop(sup);
    per_second
}
