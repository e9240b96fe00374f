//! kameo's version of the scenarios (unbounded mailboxes, like the others).

use std::time::Instant;

use kameo::Actor;
use kameo::actor::{ActorRef, Spawn};
use kameo::mailbox;
use kameo::message::{Context, Message};

use crate::measure::{on_tokio, rate, rss};
use crate::scenario::tree_size;

pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let scenario = scenario.to_string();
    on_tokio(async move {
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

fn start<A: Actor<Args = A>>(actor: A) -> ActorRef<A> {
    A::spawn_with_mailbox(actor, mailbox::unbounded())
}

#[derive(Actor)]
struct Relay {
    peer: Option<ActorRef<Relay>>,
    done: flume::Sender<()>,
}

struct Peer(ActorRef<Relay>);
struct Count(u64);

impl Message<Peer> for Relay {
    type Reply = ();

    async fn handle(&mut self, Peer(peer): Peer, _: &mut Context<Self, ()>) {
        self.peer = Some(peer);
    }
}

impl Message<Count> for Relay {
    type Reply = ();

    async fn handle(&mut self, Count(n): Count, _: &mut Context<Self, ()>) {
        if n == 0 {
            let _ = self.done.send(());
        } else if let Some(peer) = &self.peer {
            let _ = peer.tell(Count(n - 1)).try_send();
        }
    }
}

async fn relays(count: usize, done: &flume::Sender<()>) -> Vec<ActorRef<Relay>> {
    let refs: Vec<_> = (0..count)
        .map(|_| {
            start(Relay {
                peer: None,
                done: done.clone(),
            })
        })
        .collect();
    for i in 0..count {
        refs[i]
            .tell(Peer(refs[(i + 1) % count].clone()))
            .await
            .unwrap();
    }
    refs
}

async fn pingpong(rounds: u64) -> f64 {
    let (done, finished) = flume::bounded(2);
    let pair = relays(2, &done).await;
    let start = Instant::now();
    pair[0].tell(Count(rounds * 2)).await.unwrap();
    finished.recv_async().await.unwrap();
    rate(rounds, start.elapsed())
}

async fn ring(hops: u64) -> f64 {
    let (done, finished) = flume::bounded(2);
    let ring = relays(1000, &done).await;
    let start = Instant::now();
    ring[0].tell(Count(hops)).await.unwrap();
    finished.recv_async().await.unwrap();
    rate(hops, start.elapsed())
}

#[derive(Actor)]
struct Once;

struct Reply(flume::Sender<()>);

impl Message<Reply> for Once {
    type Reply = ();

    async fn handle(&mut self, Reply(to): Reply, ctx: &mut Context<Self, ()>) {
        let _ = to.send(());
        ctx.stop();
    }
}

async fn spawn(count: u64) -> f64 {
    let (reply, replies) = flume::unbounded();
    let begin = Instant::now();
    for _ in 0..count {
        let once = start(Once);
        once.tell(Reply(reply.clone())).await.unwrap();
    }
    for _ in 0..count {
        replies.recv_async().await.unwrap();
    }
    rate(count, begin.elapsed())
}

async fn idle(count: u64) -> f64 {
    let before = rss();
    let held: Vec<_> = (0..count).map(|_| start(Once)).collect();
    tokio::task::yield_now().await;
    let per = (rss() - before) / count as f64;
    drop(held);
    per
}

#[derive(Actor)]
struct Server(u64);

struct Get;

impl Message<Get> for Server {
    type Reply = u64;

    async fn handle(&mut self, _: Get, _: &mut Context<Self, u64>) -> u64 {
        self.0 += 1;
        self.0
    }
}

async fn call(calls: u64) -> f64 {
    const CALLERS: u64 = 8;
    let server = start(Server(0));
    let begin = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..CALLERS {
        let server = server.clone();
        callers.push(tokio::spawn(async move {
            for _ in 0..calls / CALLERS {
                server.ask(Get).await.unwrap();
            }
        }));
    }
    for caller in callers {
        caller.await.unwrap();
    }
    rate(calls / CALLERS * CALLERS, begin.elapsed())
}

#[derive(Actor)]
struct Sink {
    seen: u64,
    total: u64,
    done: flume::Sender<()>,
}

struct Cast;

impl Message<Cast> for Sink {
    type Reply = ();

    async fn handle(&mut self, _: Cast, _: &mut Context<Self, ()>) {
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
    let sink = start(Sink {
        seen: 0,
        total,
        done,
    });
    let begin = Instant::now();
    for _ in 0..senders {
        let sink = sink.clone();
        tokio::spawn(async move {
            for _ in 0..EACH {
                let _ = sink.tell(Cast).try_send();
            }
        });
    }
    finished.recv_async().await.unwrap();
    rate(total, begin.elapsed())
}

type Parent = crate::measure::Parent<ActorRef<Node>>;

/// A node of the spawn tree: starts ten children, waits for their `ChildDone`,
/// tells its parent and stops; a leaf tells its parent at once.
struct Node {
    parent: Parent,
    running: u32,
}

impl Actor for Node {
    type Args = (Parent, u64);
    type Error = std::convert::Infallible;

    async fn on_start(
        (parent, depth): (Parent, u64),
        myself: ActorRef<Self>,
    ) -> Result<Self, Self::Error> {
        if depth == 0 {
            parent.done(|node| {
                let _ = node.tell(ChildDone).try_send();
            });
            let _ = myself.stop_gracefully().await;
            return Ok(Node { parent, running: 0 });
        }
        for _ in 0..10 {
            Node::spawn_with_mailbox(
                (Parent::Node(myself.clone()), depth - 1),
                mailbox::unbounded(),
            );
        }
        Ok(Node {
            parent,
            running: 10,
        })
    }
}

struct ChildDone;

impl Message<ChildDone> for Node {
    type Reply = ();

    async fn handle(&mut self, _: ChildDone, ctx: &mut Context<Self, ()>) {
        self.running -= 1;
        if self.running == 0 {
            self.parent.done(|node| {
                let _ = node.tell(ChildDone).try_send();
            });
            ctx.stop();
        }
    }
}

async fn tree(depth: u64) -> f64 {
    let (done, finished) = flume::bounded(1);
    let begin = Instant::now();
    Node::spawn_with_mailbox((Parent::Root(done), depth), mailbox::unbounded());
    finished.recv_async().await.unwrap();
    rate(tree_size(depth), begin.elapsed())
}
