//! ractor's version of the scenarios.

use std::time::{Duration, Instant};

use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

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

/// Forwards a counter to its peer until it reaches zero.
struct Relay;

enum RelayMsg {
    Peer(ActorRef<RelayMsg>),
    Count(u64),
}

impl Actor for Relay {
    type Msg = RelayMsg;
    type State = (Option<ActorRef<RelayMsg>>, flume::Sender<()>);
    type Arguments = flume::Sender<()>;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        done: flume::Sender<()>,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok((None, done))
    }

    async fn handle(
        &self,
        _myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            RelayMsg::Peer(peer) => state.0 = Some(peer),
            RelayMsg::Count(0) => {
                let _ = state.1.send(());
            }
            RelayMsg::Count(n) => {
                if let Some(peer) = &state.0 {
                    let _ = peer.send_message(RelayMsg::Count(n - 1));
                }
            }
        }
        Ok(())
    }
}

async fn relays(count: usize, done: &flume::Sender<()>) -> Vec<ActorRef<RelayMsg>> {
    let mut refs = Vec::with_capacity(count);
    for _ in 0..count {
        let (r, _) = Actor::spawn(None, Relay, done.clone())
            .await
            .expect("spawn");
        refs.push(r);
    }
    for i in 0..count {
        let _ = refs[i].send_message(RelayMsg::Peer(refs[(i + 1) % count].clone()));
    }
    refs
}

async fn pingpong(rounds: u64) -> f64 {
    let (done, finished) = flume::bounded(2);
    let pair = relays(2, &done).await;
    let start = Instant::now();
    let _ = pair[0].send_message(RelayMsg::Count(rounds * 2));
    finished.recv_async().await.unwrap();
    rate(rounds, start.elapsed())
}

async fn ring(hops: u64) -> f64 {
    let (done, finished) = flume::bounded(2);
    let ring = relays(1000, &done).await;
    let start = Instant::now();
    let _ = ring[0].send_message(RelayMsg::Count(hops));
    finished.recv_async().await.unwrap();
    rate(hops, start.elapsed())
}

/// Replies once, then stops.
struct Once;

impl Actor for Once {
    type Msg = flume::Sender<()>;
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Self::Msg>, _: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        reply: Self::Msg,
        _: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        let _ = reply.send(());
        myself.stop(None);
        Ok(())
    }
}

async fn spawn(count: u64) -> f64 {
    let (reply, replies) = flume::unbounded();
    let start = Instant::now();
    for _ in 0..count {
        let (r, _) = Actor::spawn(None, Once, ()).await.expect("spawn");
        let _ = r.send_message(reply.clone());
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
        let (r, _) = Actor::spawn(None, Once, ()).await.expect("spawn");
        held.push(r);
    }
    (rss() - before) / count as f64
}

/// Answers each call with a counter.
struct Server;

impl Actor for Server {
    type Msg = RpcReplyPort<u64>;
    type State = u64;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Self::Msg>, _: ()) -> Result<u64, ActorProcessingErr> {
        Ok(0)
    }

    async fn handle(
        &self,
        _: ActorRef<Self::Msg>,
        reply: Self::Msg,
        n: &mut u64,
    ) -> Result<(), ActorProcessingErr> {
        let _ = reply.send(*n);
        *n += 1;
        Ok(())
    }
}

async fn call(calls: u64) -> f64 {
    const CALLERS: u64 = 8;
    let (server, _) = Actor::spawn(None, Server, ()).await.expect("spawn");
    let start = Instant::now();
    let mut callers = Vec::new();
    for _ in 0..CALLERS {
        let server = server.clone();
        callers.push(tokio::spawn(async move {
            for _ in 0..calls / CALLERS {
                let answer = server.call(|port| port, Some(Duration::from_secs(5))).await;
                assert!(answer.is_ok());
            }
        }));
    }
    for caller in callers {
        caller.await.unwrap();
    }
    rate(calls / CALLERS * CALLERS, start.elapsed())
}

/// Counts casts.
struct Sink;

impl Actor for Sink {
    type Msg = ();
    type State = (u64, u64, flume::Sender<()>);
    type Arguments = (u64, flume::Sender<()>);

    async fn pre_start(
        &self,
        _: ActorRef<()>,
        (total, done): (u64, flume::Sender<()>),
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok((0, total, done))
    }

    async fn handle(
        &self,
        _: ActorRef<()>,
        (): (),
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.0 += 1;
        if state.0 == state.1 {
            let _ = state.2.send(());
        }
        Ok(())
    }
}

async fn fanin(senders: u64) -> f64 {
    const EACH: u64 = 1000;
    let total = senders * EACH;
    let (done, finished) = flume::bounded(1);
    let (sink, _) = Actor::spawn(None, Sink, (total, done))
        .await
        .expect("spawn");
    let start = Instant::now();
    for _ in 0..senders {
        let sink = sink.clone();
        tokio::spawn(async move {
            for _ in 0..EACH {
                let _ = sink.send_message(());
            }
        });
    }
    finished.recv_async().await.unwrap();
    rate(total, start.elapsed())
}

type Parent = crate::measure::Parent<ActorRef<()>>;

/// A node of the spawn tree: starts ten children, waits for their `()`, tells
/// its parent and stops; a leaf tells its parent at once.
struct Node;

impl Actor for Node {
    type Msg = ();
    /// The parent, the depth below this node, and the children still running.
    type State = (Parent, u64, u32);
    type Arguments = (Parent, u64);

    async fn pre_start(
        &self,
        _: ActorRef<()>,
        (parent, depth): (Parent, u64),
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok((parent, depth, 10))
    }

    async fn post_start(
        &self,
        myself: ActorRef<()>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if state.1 == 0 {
            state.0.done(|node| {
                let _ = node.send_message(());
            });
            myself.stop(None);
        } else {
            for _ in 0..10 {
                Actor::spawn(None, Node, (Parent::Node(myself.clone()), state.1 - 1)).await?;
            }
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<()>,
        (): (),
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        state.2 -= 1;
        if state.2 == 0 {
            state.0.done(|node| {
                let _ = node.send_message(());
            });
            myself.stop(None);
        }
        Ok(())
    }
}

async fn tree(depth: u64) -> f64 {
    let (done, finished) = flume::bounded(1);
    let start = Instant::now();
    Actor::spawn(None, Node, (Parent::Root(done), depth))
        .await
        .expect("spawn");
    finished.recv_async().await.unwrap();
    rate(tree_size(depth), start.elapsed())
}
