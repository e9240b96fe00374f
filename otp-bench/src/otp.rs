//! The scenarios written with otp: actors for actors, processes where the scenario
//! is about processes.

use std::time::{Duration, Instant};

use otp_core::actor::{self, Next};
use otp_core::process::{self, Name, Selector, Subject};
use otp_core::supervisor::{self, ChildSpec, Strategy};

use crate::measure::{peak_rss_mib_after, rate, rss};

pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let scenario = scenario.to_string();
    otp_core::runtime::block_on(async move {
        match scenario.as_str() {
            "pingpong" => Some(pingpong(size).await),
            "ring" => Some(ring(size).await),
            "spawn" | "spawn1m" => Some(spawn(size).await),
            "spawnactor" => Some(spawn_actors(size).await),
            "spawnrss" => Some(peak_rss_mib_after(spawn(size)).await),
            "idle" => Some(idle(size).await),
            "call" => Some(call(size).await),
            "fanin" => Some(fanin(size).await),
            "restart" => Some(restart(size).await),
            "selective" => Some(selective(size).await),
            _ => None,
        }
    })
    .expect("the benchmark process")
}

enum Ping {
    Ball(u64),
    Peer(Subject<Ping>),
}

async fn pingpong(rounds: u64) -> f64 {
    let (done, finished) = flume::bounded(1);
    let player = |done: Option<flume::Sender<()>>| {
        actor::new(None::<Subject<Ping>>).on_message(move |peer, message| match message {
            Ping::Peer(p) => Next::Continue(Some(p)),
            Ping::Ball(n) => {
                if n == 0 {
                    if let Some(done) = &done {
                        let _ = done.send(());
                    }
                } else if let Some(p) = &peer {
                    p.send(Ping::Ball(n - 1));
                }
                Next::Continue(peer)
            }
        })
    };
    let a = player(Some(done.clone())).start().await.unwrap().data;
    let b = player(Some(done)).start().await.unwrap().data;
    a.send(Ping::Peer(b.clone()));
    b.send(Ping::Peer(a.clone()));
    let start = Instant::now();
    a.send(Ping::Ball(rounds * 2));
    finished.recv_async().await.unwrap();
    rate(rounds, start.elapsed())
}

enum Hop {
    Next(Subject<Hop>),
    Token(u64),
}

async fn ring(hops: u64) -> f64 {
    const ACTORS: usize = 1000;
    let (done, finished) = flume::bounded(1);
    let mut members = Vec::with_capacity(ACTORS);
    for _ in 0..ACTORS {
        let done = done.clone();
        let member = actor::new(None::<Subject<Hop>>)
            .on_message(move |next, message| match message {
                Hop::Next(n) => Next::Continue(Some(n)),
                Hop::Token(0) => {
                    let _ = done.send(());
                    Next::Continue(next)
                }
                Hop::Token(left) => {
                    if let Some(n) = &next {
                        n.send(Hop::Token(left - 1));
                    }
                    Next::Continue(next)
                }
            })
            .start()
            .await
            .unwrap()
            .data;
        members.push(member);
    }
    for i in 0..ACTORS {
        members[i].send(Hop::Next(members[(i + 1) % ACTORS].clone()));
    }
    let start = Instant::now();
    members[0].send(Hop::Token(hops));
    finished.recv_async().await.unwrap();
    rate(hops, start.elapsed())
}

/// Processes that take one message, reply and stop: what Erlang's `spawn` does.
async fn spawn(count: u64) -> f64 {
    let replies = Subject::<()>::new();
    let start = Instant::now();
    for _ in 0..count {
        let inbox = flume::bounded::<Subject<()>>(1);
        let (to_child, child_inbox) = inbox;
        process::spawn(async move {
            if let Ok(reply) = child_inbox.recv_async().await {
                reply.send(());
            }
        });
        let _ = to_child.send(replies.clone());
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
    let start = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..CALLERS {
        let server = server.clone();
        callers.push(tokio::spawn(async move {
            for _ in 0..calls / CALLERS {
                process::call(&server, Duration::from_secs(5), |reply| reply)
                    .await
                    .unwrap();
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
    let (done, finished) = flume::bounded(1);
    let sink = actor::new(0u64)
        .on_message(move |n, (): ()| {
            if n + 1 == total {
                let _ = done.send(());
            }
            Next::Continue(n + 1)
        })
        .start()
        .await
        .unwrap()
        .data;
    let start = Instant::now();
    for _ in 0..senders {
        let sink = sink.clone();
        process::spawn(async move {
            for _ in 0..EACH {
                sink.send(());
            }
        });
    }
    finished.recv_async().await.unwrap();
    rate(total, start.elapsed())
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

async fn selective(count: u64) -> f64 {
    const BACKLOG: u64 = 10_000;
    let backlog = Subject::<u64>::new();
    let wanted = Subject::<u64>::new();
    for i in 0..BACKLOG {
        backlog.send(i);
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
        BACKLOG
    );
    per_second
}
