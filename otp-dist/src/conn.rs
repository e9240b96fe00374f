//! One connection to another node: a writer task (frames in order, a tick when
//! idle), a reader task (declares the node down after `net_ticktime` of
//! silence) and the signals that cross it.
//!
//! Links between local and remote processes are recorded on the local process
//! itself (its link set holds the remote pid, see `otp_core::process::remote`)
//! and, for `noconnection` when the connection ends, here as pairs. A monitor
//! that another node holds on a local process is a `remote::watch` on it, kept
//! here by reference: no process of its own; when the process exits it sends
//! `MONITOR_P_EXIT`, after the EXITs of its links.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use otp_core::process::{self, Pid};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{Notify, mpsc};

use crate::control::{Control, Target};
use crate::handshake::Peer;
use crate::node::{Node, Waiter, WeakNode};
use crate::reason;
use crate::term::{Atom, ExternalPid, ExternalRef, Term};

#[derive(Default)]
struct State {
    /// Links across this connection: (local pid, remote pid).
    links: HashSet<(Pid, Pid)>,
    watchers: HashMap<ExternalRef, otp_core::process::remote::Watch>,
    closed: bool,
}

/// A live connection.
pub(crate) struct Conn {
    pub(crate) peer: Peer,
    pub(crate) id: u64,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    closing: Notify,
    state: Mutex<State>,
}

impl Conn {
    /// Queues a control message; frames leave in the order queued.
    pub(crate) fn send(&self, control: &Control) {
        let _ = self.tx.send(control.encode(self.peer.flags));
    }

    /// Records the link between `local` and remote `remote` (`remote_ext` on
    /// the wire) and sends LINK, in one step, so that an EXIT for the link
    /// can only follow it. `false` if the connection is closed (the link then
    /// sees `noconnection`).
    pub(crate) fn link_out(
        &self,
        node: &Node,
        local: Pid,
        remote: Pid,
        remote_ext: &ExternalPid,
    ) -> bool {
        let mut state = self.state.lock();
        if state.closed {
            return false;
        }
        if state.links.insert((local, remote)) {
            self.send(&Control::Link {
                from: node.external(local),
                to: remote_ext.clone(),
            });
        }
        true
    }

    /// Forgets the link between `local` and `remote`, sending `control` (its
    /// UNLINK or EXIT) in the same step if it was there; `true` if it was.
    pub(crate) fn unlink_out(
        &self,
        local: Pid,
        remote: Pid,
        control: impl FnOnce() -> Control,
    ) -> bool {
        let mut state = self.state.lock();
        let was = state.links.remove(&(local, remote));
        if was {
            self.send(&control());
        }
        was
    }

    /// Whether the connection has ended.
    pub(crate) fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    /// Closes the connection (the peer sees it go down).
    pub(crate) fn close(&self) {
        self.closing.notify_waiters();
        self.closing.notify_one();
    }
}

/// Starts the tasks of a handshaken connection.
pub(crate) fn start(node: &Node, stream: TcpStream, peer: Peer, id: u64) -> Arc<Conn> {
    let (tx, rx) = mpsc::unbounded_channel();
    let conn = Arc::new(Conn {
        peer,
        id,
        tx,
        closing: Notify::new(),
        state: Mutex::default(),
    });
    let (read, write) = stream.into_split();
    let ticktime = node.inner.ticktime;
    tokio::spawn(writer(write, rx, ticktime));
    let weak = node.downgrade();
    let c = conn.clone();
    tokio::spawn(async move {
        let why = tokio::select! {
            why = reader(read, &weak, &c, ticktime) => why,
            _ = c.closing.notified() => "closed by this node".to_owned(),
        };
        tracing::debug!(peer = %c.peer.name, why, "connection ends");
        teardown(&weak, &c);
    });
    conn
}

async fn writer(
    write: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
    ticktime: std::time::Duration,
) {
    let mut w = BufWriter::with_capacity(64 * 1024, write);
    let mut tick = tokio::time::interval(ticktime / 4);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut wrote = false;
    loop {
        tokio::select! {
            frame = rx.recv() => {
                // An empty frame is the signal to close.
                let Some(frame) = frame.filter(|f| !f.is_empty()) else { break };
                if w.write_all(&frame).await.is_err() { break }
                // Write whatever else is queued before flushing once.
                let mut failed = false;
                while let Ok(frame) = rx.try_recv() {
                    if w.write_all(&frame).await.is_err() { failed = true; break }
                }
                if failed || w.flush().await.is_err() { break }
                wrote = true;
            }
            _ = tick.tick() => {
                if !wrote && (w.write_all(&[0, 0, 0, 0]).await.is_err() || w.flush().await.is_err()) {
                    break;
                }
                wrote = false;
            }
        }
    }
    let _ = w.shutdown().await;
}

async fn reader(
    mut read: OwnedReadHalf,
    node: &WeakNode,
    conn: &Arc<Conn>,
    ticktime: std::time::Duration,
) -> String {
    let mut buf = Vec::new();
    loop {
        let len = match tokio::time::timeout(ticktime, read.read_u32()).await {
            Err(_) => return format!("net_tick_timeout: nothing received for {ticktime:?}"),
            Ok(Err(e)) => return format!("read failed: {e}"),
            Ok(Ok(0)) => continue, // a tick
            Ok(Ok(len)) => len as u64,
        };
        buf.clear();
        // Grows with the data that really arrives, whatever the length claims.
        match (&mut read).take(len).read_to_end(&mut buf).await {
            Ok(n) if n as u64 == len => {}
            Ok(_) => return "connection closed mid-frame".to_owned(),
            Err(e) => return format!("read failed: {e}"),
        }
        let Some(node) = node.upgrade() else {
            return "node stopped".to_owned();
        };
        match Control::decode(&buf) {
            Ok(control) => dispatch(&node, conn, control),
            Err(e) => tracing::warn!(
                peer = %conn.peer.name,
                error = %e,
                "frame from another node dropped: it does not decode"
            ),
        }
    }
}

fn teardown(node: &WeakNode, conn: &Arc<Conn>) {
    let (links, watchers) = {
        let mut state = conn.state.lock();
        state.closed = true;
        (
            std::mem::take(&mut state.links),
            std::mem::take(&mut state.watchers),
        )
    };
    let _ = conn.tx.send(Vec::new());
    for (local, remote) in links {
        otp_core::process::remote::exit_signal(
            local,
            remote,
            &otp_core::process::ExitReason::NoConnection,
            true,
        );
    }
    for (_, watch) in watchers {
        otp_core::process::remote::unwatch(watch);
    }
    if let Some(node) = node.upgrade() {
        node.connection_lost(conn);
    }
}

/// The local process a target names, if it is alive.
fn resolve(node: &Node, target: &Target) -> Option<Pid> {
    let pid = match target {
        Target::Pid(p) => node.local(p)?,
        Target::Name(n) => node.whereis(n)?,
    };
    process::is_alive(pid).then_some(pid)
}

fn dispatch(node: &Node, conn: &Arc<Conn>, control: Control) {
    match control {
        Control::Send { to, msg, .. } => node.send(&to, msg),
        Control::RegSend { from, to, msg } => reg_send(node, conn, from, to, msg),
        Control::AliasSend { alias, msg, .. } => alias_arrived(node, &alias, msg),
        Control::MonitorP {
            from,
            target,
            reference,
        } => {
            if target == Target::Name(Atom::new("net_kernel")) {
                return; // the node itself: up while the connection is
            }
            match resolve(node, &target) {
                Some(pid) => watch(node, conn, pid, target, from, reference),
                None => conn.send(&Control::MonitorPExit {
                    target,
                    watcher: from,
                    reference,
                    reason: Term::atom("noproc"),
                }),
            }
        }
        Control::DemonitorP { reference, .. } => {
            let watch = conn.state.lock().watchers.remove(&reference);
            if let Some(watch) = watch {
                otp_core::process::remote::unwatch(watch);
            }
        }
        Control::MonitorPExit {
            reference, reason, ..
        } => {
            let waiter = node.inner.waiters.lock().remove(&reference);
            if let Some(waiter) = waiter {
                crate::node::fire(node, reference, waiter, reason);
            }
        }
        Control::Link { from, to } => {
            let remote = node.pid_of(&from);
            let linked = match resolve(node, &Target::Pid(to.clone())) {
                Some(pid) => {
                    // The pair first: should the process exit right after it
                    // took the link, its EXIT finds the pair and goes out.
                    let open = {
                        let mut state = conn.state.lock();
                        !state.closed && state.links.insert((pid, remote))
                    };
                    let taken = otp_core::process::remote::add_link(pid, remote);
                    if !taken && open {
                        conn.state.lock().links.remove(&(pid, remote));
                    }
                    taken
                }
                None => false,
            };
            if !linked {
                conn.send(&Control::Exit {
                    from: to,
                    to: from,
                    reason: Term::atom("noproc"),
                });
            }
        }
        Control::UnlinkId { id, from, to } => {
            if let Some(pid) = node.local(&to) {
                let remote = node.pid_of(&from);
                conn.state.lock().links.remove(&(pid, remote));
                otp_core::process::remote::remove_link(pid, remote);
            }
            // The ack goes out before anything else to the unlinker.
            conn.send(&Control::UnlinkIdAck {
                id,
                from: to,
                to: from,
            });
        }
        Control::UnlinkIdAck { .. } => {}
        Control::Exit { from, to, reason } => {
            if let Some(pid) = node.local(&to) {
                let remote = node.pid_of(&from);
                conn.state.lock().links.remove(&(pid, remote));
                let reason = reason::from_term(&reason);
                otp_core::process::remote::exit_signal(pid, remote, &reason, true);
            }
        }
        Control::Exit2 { from, to, reason } => {
            if let Some(pid) = node.local(&to) {
                let remote = node.pid_of(&from);
                let reason = reason::from_term(&reason);
                otp_core::process::remote::exit_signal(pid, remote, &reason, false);
            }
        }
        Control::Ignored(op) => {
            tracing::debug!(peer = %conn.peer.name, op, "control message ignored");
        }
    }
}

fn reg_send(node: &Node, conn: &Arc<Conn>, from: ExternalPid, to: Atom, msg: Term) {
    if to == "net_kernel" {
        // net_adm:ping/1 asks `{is_auth, Node}`: a connected node is.
        if let crate::route::Incoming::Call { request, from } = crate::route::classify(node, msg) {
            let answer = match request.as_tuple() {
                Some([what, _]) if what.is_atom("is_auth") => "yes",
                _ => "ignored",
            };
            from.reply(Term::atom(answer));
        }
        return;
    }
    match node.whereis(&to) {
        Some(pid) => node.deliver(pid, msg),
        None => tracing::debug!(
            peer = %conn.peer.name,
            sender = %from,
            name = %to,
            "message to an unregistered name dropped"
        ),
    }
}

/// A message sent to one of our aliases: the reply to a call in progress, or
/// a late one, which is dropped.
pub(crate) fn alias_arrived(node: &Node, alias: &ExternalRef, msg: Term) {
    let waiter = node.inner.waiters.lock().remove(alias);
    match waiter {
        Some(Waiter::Call { reply, .. }) => {
            let value = match msg {
                Term::Tuple(mut items) if items.len() == 2 => items.pop().unwrap_or(Term::nil()),
                other => other,
            };
            let _ = reply.send(Ok(value));
        }
        Some(other) => {
            node.inner.waiters.lock().insert(alias.clone(), other);
        }
        None => tracing::debug!(alias = ?alias, "late reply dropped: its call is over"),
    }
}

/// Keeps a remote monitor on local `pid`.
fn watch(
    node: &Node,
    conn: &Arc<Conn>,
    pid: Pid,
    target: Target,
    watcher: ExternalPid,
    reference: ExternalRef,
) {
    let _ = node;
    let weak = Arc::downgrade(conn);
    let (r, t, w) = (reference.clone(), target.clone(), watcher.clone());
    // Set before the next control message is handled: a stop the target
    // handles after this one is seen (signal order, as in Erlang).
    let watch = otp_core::process::remote::watch(pid, move |reason| {
        let Some(conn) = weak.upgrade() else { return };
        conn.state.lock().watchers.remove(&r);
        conn.send(&Control::MonitorPExit {
            target: t,
            watcher: w,
            reference: r,
            reason: reason::to_term(&reason),
        });
    });
    let Some(watch) = watch else {
        return conn.send(&Control::MonitorPExit {
            target,
            watcher,
            reference,
            reason: Term::atom("noproc"),
        });
    };
    let closed = {
        let mut state = conn.state.lock();
        if !state.closed {
            state.watchers.insert(reference, watch);
        }
        state.closed
    };
    if closed {
        otp_core::process::remote::unwatch(watch);
    }
}
