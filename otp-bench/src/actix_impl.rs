//! actix's version of the scenarios. actix runs its actors on the thread of their
//! `System` (one thread here), so it never pays a cross-core wake-up.

use std::time::Instant;

use actix::prelude::*;

use crate::measure::{rate, rss};
use crate::scenario::tree_size;

pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let scenario = scenario.to_string();
    actix_rt::System::new().block_on(async move {
        match scenario.as_str() {
            "pingpong" => Some(pingpong(size).await),
            "ring" => Some(ring(size).await),
            "tree" | "tree1m" => Some(tree(size).await),
            "spawn" | "spawnactor" => Some(spawn(size).await),
            "idle" => Some(idle(size).await),
            "call" => Some(call(size).await),
            "fanin" => Some(fanin(size).await),
            _ => None,
        }
    })
}

struct Relay {
    peer: Option<Addr<Relay>>,
    done: flume::Sender<()>,
}

impl Actor for Relay {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Peer(Addr<Relay>);

#[derive(Message)]
#[rtype(result = "()")]
struct Count(u64);

impl Handler<Peer> for Relay {
    type Result = ();

    fn handle(&mut self, Peer(peer): Peer, _: &mut Context<Self>) {
        self.peer = Some(peer);
    }
}

impl Handler<Count> for Relay {
    type Result = ();

    fn handle(&mut self, Count(n): Count, _: &mut Context<Self>) {
        if n == 0 {
            let _ = self.done.send(());
        } else if let Some(peer) = &self.peer {
            peer.do_send(Count(n - 1));
        }
    }
}

fn relays(count: usize, done: &flume::Sender<()>) -> Vec<Addr<Relay>> {
    let addrs: Vec<_> = (0..count)
        .map(|_| {
            Relay {
                peer: None,
                done: done.clone(),
            }
            .start()
        })
        .collect();
    for i in 0..count {
        addrs[i].do_send(Peer(addrs[(i + 1) % count].clone()));
    }
    addrs
}

async fn pingpong(rounds: u64) -> f64 {
    let (done, finished) = flume::bounded(2);
    let pair = relays(2, &done);
    let start = Instant::now();
    pair[0].do_send(Count(rounds * 2));
    finished.recv_async().await.unwrap();
    rate(rounds, start.elapsed())
}

async fn ring(hops: u64) -> f64 {
    let (done, finished) = flume::bounded(2);
    let ring = relays(1000, &done);
    let start = Instant::now();
    ring[0].do_send(Count(hops));
    finished.recv_async().await.unwrap();
    rate(hops, start.elapsed())
}

struct Once;

impl Actor for Once {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Reply(flume::Sender<()>);

impl Handler<Reply> for Once {
    type Result = ();

    fn handle(&mut self, Reply(to): Reply, ctx: &mut Context<Self>) {
        let _ = to.send(());
        ctx.stop();
    }
}

async fn spawn(count: u64) -> f64 {
    let (reply, replies) = flume::unbounded();
    let start = Instant::now();
    for _ in 0..count {
        Once.start().do_send(Reply(reply.clone()));
    }
    for _ in 0..count {
        replies.recv_async().await.unwrap();
    }
    rate(count, start.elapsed())
}

async fn idle(count: u64) -> f64 {
    let before = rss();
    let held: Vec<_> = (0..count).map(|_| Once.start()).collect();
    actix_rt::task::yield_now().await;
    let per = (rss() - before) / count as f64;
    drop(held);
    per
}

struct Server(u64);

impl Actor for Server {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "u64")]
struct Get;

impl Handler<Get> for Server {
    type Result = u64;

    fn handle(&mut self, _: Get, _: &mut Context<Self>) -> u64 {
        self.0 += 1;
        self.0
    }
}

async fn call(calls: u64) -> f64 {
    const CALLERS: u64 = 8;
    let server = Server(0).start();
    let start = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..CALLERS {
        let server = server.clone();
        callers.push(actix_rt::spawn(async move {
            for _ in 0..calls / CALLERS {
                server.send(Get).await.unwrap();
            }
        }));
    }
    for caller in callers {
        caller.await.unwrap();
    }
    rate(calls / CALLERS * CALLERS, start.elapsed())
}

struct Sink {
    seen: u64,
    total: u64,
    done: flume::Sender<()>,
}

impl Actor for Sink {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "()")]
struct Cast;

impl Handler<Cast> for Sink {
    type Result = ();

    fn handle(&mut self, _: Cast, _: &mut Context<Self>) {
        self.seen += 1;
        if self.seen == self.total {
            let _ = self.done.send(());
        }
    }
}

async fn fanin(senders: u64) -> f64 {
    const EACH: u64 = 1000;
    let total = senders * EACH;
    let (done, finished) = flume::bounded(1);
    let sink = Sink {
        seen: 0,
        total,
        done,
    }
    .start();
    let start = Instant::now();
    for _ in 0..senders {
        let sink = sink.clone();
        actix_rt::spawn(async move {
            for _ in 0..EACH {
                sink.do_send(Cast);
            }
        });
    }
    finished.recv_async().await.unwrap();
    rate(total, start.elapsed())
}

type Parent = crate::measure::Parent<Addr<Node>>;

/// A node of the spawn tree: starts ten children, waits for their `ChildDone`,
/// tells its parent and stops; a leaf tells its parent at once.
struct Node {
    parent: Parent,
    depth: u64,
    running: u32,
}

impl Actor for Node {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if self.depth == 0 {
            self.parent.done(|node| node.do_send(ChildDone));
            ctx.stop();
            return;
        }
        for _ in 0..10 {
            Node {
                parent: Parent::Node(ctx.address()),
                depth: self.depth - 1,
                running: 10,
            }
            .start();
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct ChildDone;

impl Handler<ChildDone> for Node {
    type Result = ();

    fn handle(&mut self, _: ChildDone, ctx: &mut Context<Self>) {
        self.running -= 1;
        if self.running == 0 {
            self.parent.done(|node| node.do_send(ChildDone));
            ctx.stop();
        }
    }
}

async fn tree(depth: u64) -> f64 {
    let (done, finished) = flume::bounded(1);
    let start = Instant::now();
    Node {
        parent: Parent::Root(done),
        depth,
        running: 10,
    }
    .start();
    finished.recv_async().await.unwrap();
    rate(tree_size(depth), start.elapsed())
}
