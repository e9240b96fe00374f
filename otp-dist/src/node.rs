//! A distributed node: its name, cookie, listener, EPMD registration and its
//! connections to other nodes.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use otp_core::process::{self, Pid, Subject};
use parking_lot::Mutex;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::conn::{self, Conn};
use crate::control::{Control, Target};
use crate::epmd::{self, EpmdError, Registration, Registry};
use crate::handshake::{self, Admission, HandshakeError, Local};
use crate::route::{Incoming, Monitored, NameRoute, Resolve, Routes};
use crate::term::{
    Atom, ExternalPid, ExternalRef, FromTermError, Term, ToTermError, from_term, to_term,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The name is not `name@host`.
    #[error("invalid node name {0:?}: expected name@host")]
    BadName(String),
    /// No cookie was given and `~/.erlang.cookie` could not be read.
    #[error("no cookie: set one with Builder::cookie or in ~/.erlang.cookie")]
    NoCookie,
    /// The listener could not be opened.
    #[error("cannot listen: {0}")]
    Listen(std::io::Error),
    /// EPMD refused or failed.
    #[error(transparent)]
    Epmd(#[from] EpmdError),
}

/// Why a connection to another node failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The name is not `name@host`.
    #[error("invalid node name {0:?}")]
    BadName(String),
    /// EPMD on the peer's host does not know it.
    #[error("node {0} is not registered with EPMD on its host")]
    NotRegistered(String),
    /// EPMD or the node could not be reached.
    #[error("cannot reach {node}: {error}")]
    Unreachable {
        /// The node.
        node: String,
        /// What failed.
        error: String,
    },
    /// The handshake failed (wrong cookie, refused, missing capabilities).
    #[error("{0}")]
    Handshake(Arc<HandshakeError>),
    /// The connection attempt took longer than the setup time (7 s).
    #[error("connecting to {0} timed out")]
    Timeout(String),
}

/// A node up or down, for [`Node::monitor_nodes`] (`net_kernel:monitor_nodes/1`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeEvent {
    /// A connection to the node is up.
    Up(Atom),
    /// The connection to the node is gone.
    Down(Atom),
}

/// How long a connection setup may take (Erlang's `net_setuptime`, 7 s).
const SETUP_TIME: Duration = Duration::from_secs(7);

/// Starts a [`Node`].
#[derive(Debug, Clone)]
pub struct Builder {
    name: String,
    cookie: Option<String>,
    hidden: bool,
    ticktime: Duration,
    epmd_port: u16,
}

impl Builder {
    /// The cookie both sides of a connection must share (`-setcookie`).
    pub fn cookie(mut self, cookie: &str) -> Self {
        self.cookie = Some(cookie.to_owned());
        self
    }

    /// Publishes the node as a normal (visible) node, listed in Erlang's
    /// `nodes()`. The default is hidden, as for C nodes and JInterface: listed
    /// in `nodes(hidden)`.
    pub fn visible(mut self) -> Self {
        self.hidden = false;
        self
    }

    /// `net_ticktime`: a connection that brings nothing for this long is
    /// declared down; ticks go out every quarter of it. Default 60 s.
    pub fn net_ticktime(mut self, ticktime: Duration) -> Self {
        self.ticktime = ticktime.max(Duration::from_millis(400));
        self
    }

    /// The EPMD port (default `ERL_EPMD_PORT`, else 4369).
    pub fn epmd_port(mut self, port: u16) -> Self {
        self.epmd_port = port;
        self
    }

    /// Opens the listener, registers with EPMD (starting a built-in registry
    /// on the EPMD port if none answers) and starts accepting connections.
    ///
    /// # Errors
    /// [`NodeError::BadName`] for a name that is not `name@host`,
    /// [`NodeError::NoCookie`] without a cookie, [`NodeError::Listen`] if the listener
    /// cannot be opened, [`NodeError::Epmd`] if EPMD refuses or fails.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    /// Cancel safe: dropped before it returns, the listener and the EPMD
    /// registration are closed.
    pub async fn start(self) -> Result<Node, NodeError> {
        let (alive, host) = self
            .name
            .split_once('@')
            .filter(|(a, h)| !a.is_empty() && !h.is_empty())
            .ok_or_else(|| NodeError::BadName(self.name.clone()))?;
        let cookie = match self.cookie {
            Some(c) => c,
            None => read_cookie_file().ok_or(NodeError::NoCookie)?,
        };
        let listener = match TcpListener::bind((host, 0)).await {
            Ok(l) => l,
            Err(_) => TcpListener::bind(("0.0.0.0", 0))
                .await
                .map_err(NodeError::Listen)?,
        };
        let port = listener.local_addr().map_err(NodeError::Listen)?.port();
        let (registration, registry) = register(alive, port, self.hidden, self.epmd_port).await?;
        let creation = registration.creation();
        let mut flags = crate::flags::OFFERED;
        if !self.hidden {
            flags |= crate::flags::PUBLISHED;
        }
        let inner = Arc::new(Inner {
            local: Local {
                name: Atom::new(&self.name),
                cookie,
                creation,
                flags,
            },
            ticktime: self.ticktime,
            epmd_port: self.epmd_port,
            port,
            conns: Mutex::default(),
            routes: Mutex::default(),
            waiters: Mutex::default(),
            process_monitors: Mutex::default(),
            watchers: Mutex::default(),
            next_ref: AtomicU64::new(1),
            next_conn: AtomicU64::new(1),
            _registration: Mutex::new(Some(registration)),
            _registry: registry,
            accept_task: Mutex::new(None),
            stopped: AtomicU32::new(0),
        });
        let node = Node { inner };
        let acceptor = node.downgrade();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let Some(node) = acceptor.upgrade() else {
                    return;
                };
                tokio::spawn(async move { node.accept(stream).await });
            }
        });
        *node.inner.accept_task.lock() = Some(task);
        crate::remote::register(&node);
        tracing::info!(node = %node.name(), port, creation, "distribution started");
        Ok(node)
    }
}

fn read_cookie_file() -> Option<String> {
    let home = std::env::var_os("HOME")?;
    let text = std::fs::read_to_string(std::path::Path::new(&home).join(".erlang.cookie")).ok()?;
    Some(text.trim().to_owned()).filter(|c| !c.is_empty())
}

async fn register(
    alive: &str,
    port: u16,
    hidden: bool,
    epmd_port: u16,
) -> Result<(Registration, Option<Registry>), EpmdError> {
    let epmd = ("127.0.0.1", epmd_port);
    match epmd::register(epmd, alive, port, hidden).await {
        Ok(r) => Ok((r, None)),
        Err(EpmdError::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            // No EPMD: run one here (or use the one another node just started).
            let registry = match Registry::start(epmd).await {
                Ok(r) => {
                    tracing::info!(
                        port = epmd_port,
                        "no EPMD running: started the built-in registry"
                    );
                    Some(r)
                }
                Err(_) => None,
            };
            Ok((epmd::register(epmd, alive, port, hidden).await?, registry))
        }
        Err(e) => Err(e),
    }
}

/// A node of an Erlang cluster: `name@host`, reachable by Erlang, Elixir, Gleam
/// and other `otp` nodes. Cheap to clone; the node stops when [`Node::stop`] is
/// called (or the last clone is dropped).
#[derive(Clone)]
pub struct Node {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({})", self.name())
    }
}

#[derive(Clone)]
pub(crate) struct WeakNode(std::sync::Weak<Inner>);

impl WeakNode {
    pub(crate) fn upgrade(&self) -> Option<Node> {
        self.0.upgrade().map(|inner| Node { inner })
    }
}

pub(crate) enum Slot {
    /// Set up in progress: what waits for it, in the order it came.
    Connecting(Vec<Pending>),
    Up(Arc<Conn>),
}

/// Work for a connection that is being set up, done in order when it is up
/// (before anything sent once it is) or when it failed.
pub(crate) type Deferred = Box<dyn FnOnce(Result<&Arc<Conn>, &ConnectError>) + Send>;

/// What waits for a connection being set up.
pub(crate) enum Pending {
    /// An `async` user of [`Node::connection`].
    Waiter(oneshot::Sender<Result<Arc<Conn>, ConnectError>>),
    /// Signals queued in order (see [`Node::with_connection`]).
    Run(Deferred),
}

/// Tells everything pending on a connection how the set up ended.
fn settle(pending: Vec<Pending>, result: Result<&Arc<Conn>, &ConnectError>) {
    for p in pending {
        match p {
            Pending::Waiter(w) => {
                let _ = w.send(result.cloned().map_err(Clone::clone));
            }
            Pending::Run(run) => run(result),
        }
    }
}

/// What a reference we made is waiting for.
pub(crate) enum Waiter {
    /// A call: its reply (by alias) or the callee's exit (by the monitor).
    Call {
        peer: Atom,
        reply: oneshot::Sender<Result<Term, Term>>,
    },
    /// A monitor a local process holds on a remote one.
    Monitor {
        peer: Atom,
        process: Monitored,
        inbox: Subject<Incoming>,
    },
    /// A monitor made with `process::monitor` on a remote pid: the DOWN goes
    /// to the owner's mailbox.
    Process {
        peer: Atom,
        owner: Pid,
        monitor: otp_core::process::Monitor,
    },
}

pub(crate) struct Inner {
    pub(crate) local: Local,
    pub(crate) ticktime: Duration,
    epmd_port: u16,
    port: u16,
    pub(crate) conns: Mutex<HashMap<Atom, Slot>>,
    pub(crate) routes: Mutex<Routes>,
    pub(crate) waiters: Mutex<HashMap<ExternalRef, Waiter>>,
    /// The reference on the wire of each `process::monitor` of a remote pid.
    pub(crate) process_monitors: Mutex<HashMap<otp_core::process::Monitor, ExternalRef>>,
    /// Subscribers to node events.
    watchers: Mutex<Vec<Subject<NodeEvent>>>,
    next_ref: AtomicU64,
    next_conn: AtomicU64,
    _registration: Mutex<Option<Registration>>,
    _registry: Option<Registry>,
    accept_task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    stopped: AtomicU32,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self.accept_task.lock().take() {
            task.abort();
        }
    }
}

impl Node {
    /// A builder for node `name@host`.
    pub fn builder(name: &str) -> Builder {
        Builder {
            name: name.to_owned(),
            cookie: None,
            hidden: true,
            ticktime: Duration::from_secs(60),
            epmd_port: epmd::port_from_env(),
        }
    }

    pub(crate) fn downgrade(&self) -> WeakNode {
        WeakNode(Arc::downgrade(&self.inner))
    }

    /// `name@host`.
    pub fn name(&self) -> &Atom {
        &self.inner.local.name
    }

    /// This incarnation's creation (from EPMD).
    pub fn creation(&self) -> u32 {
        self.inner.local.creation
    }

    /// The port the node listens on.
    pub fn port(&self) -> u16 {
        self.inner.port
    }

    /// The nodes connected now (`nodes(connected)`).
    pub fn nodes(&self) -> Vec<Atom> {
        let conns = self.inner.conns.lock();
        conns
            .iter()
            .filter(|(_, s)| matches!(s, Slot::Up(_)))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Sends node up/down events to `subject` from now on.
    pub fn monitor_nodes(&self, subject: Subject<NodeEvent>) {
        self.inner.watchers.lock().push(subject);
    }

    pub(crate) fn node_event(&self, event: NodeEvent) {
        self.inner
            .watchers
            .lock()
            .retain(|s| s.try_send(event.clone()).is_ok());
    }

    /// Stops the node: closes every connection (their peers see `nodedown`),
    /// unregisters from EPMD and stops listening.
    pub fn stop(&self) {
        self.inner.stopped.store(1, Ordering::SeqCst);
        if let Some(task) = self.inner.accept_task.lock().take() {
            task.abort();
        }
        self.inner._registration.lock().take();
        let slots: Vec<(Atom, Slot)> = self.inner.conns.lock().drain().collect();
        for (peer, slot) in slots {
            match slot {
                Slot::Up(c) => c.close(),
                Slot::Connecting(pending) => {
                    let stopped = ConnectError::Unreachable {
                        node: peer.to_string(),
                        error: "this node stopped".to_owned(),
                    };
                    settle(pending, Err(&stopped));
                }
            }
        }
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.inner.stopped.load(Ordering::SeqCst) != 0
    }

    /// Connects to `peer` unless already connected (`net_kernel:connect_node/1`).
    ///
    /// # Errors
    /// [`ConnectError::BadName`], [`ConnectError::NotRegistered`] (EPMD does not know
    /// the node), [`ConnectError::Unreachable`], [`ConnectError::Handshake`] (wrong
    /// cookie, refused), [`ConnectError::Timeout`].
    ///
    /// # Cancel safety
    /// Cancel safe: a connection attempt dropped half-way is abandoned; the next
    /// request to that node tries again.
    pub async fn connect(&self, peer: &str) -> Result<(), ConnectError> {
        self.connection(&Atom::new(peer)).await.map(|_| ())
    }

    /// Closes the connection to `peer`, if any (`erlang:disconnect_node/1`).
    pub fn disconnect(&self, peer: &str) -> bool {
        let slot = self.inner.conns.lock().remove(&Atom::new(peer));
        match slot {
            Some(Slot::Up(c)) => {
                c.close();
                true
            }
            _ => false,
        }
    }

    /// The connection to `peer`, set up on first use.
    pub(crate) async fn connection(&self, peer: &Atom) -> Result<Arc<Conn>, ConnectError> {
        let rx = {
            let mut conns = self.inner.conns.lock();
            match conns.get_mut(peer) {
                Some(Slot::Up(c)) => return Ok(c.clone()),
                Some(Slot::Connecting(pending)) => {
                    let (tx, rx) = oneshot::channel();
                    pending.push(Pending::Waiter(tx));
                    rx
                }
                None => {
                    let (tx, rx) = oneshot::channel();
                    conns.insert(peer.clone(), Slot::Connecting(vec![Pending::Waiter(tx)]));
                    let node = self.clone();
                    let peer = peer.clone();
                    tokio::spawn(async move { node.initiate(peer).await });
                    rx
                }
            }
        };
        match tokio::time::timeout(SETUP_TIME * 2, rx).await {
            Ok(Ok(result)) => result,
            _ => Err(ConnectError::Timeout(peer.to_string())),
        }
    }

    /// Runs `work` with the connection to `peer`: at once if it is up, else
    /// once it is (connecting first if need be), in the order of the calls,
    /// before anything sent after it is up; with the error if it cannot be
    /// set up. So signals from one process to another node keep their order
    /// across the connection's set up, as Erlang's do.
    pub(crate) fn with_connection(
        &self,
        peer: &Atom,
        work: impl FnOnce(Result<&Arc<Conn>, &ConnectError>) + Send + 'static,
    ) {
        self.with_connection_to(peer, true, work);
    }

    /// [`Node::with_connection`] for what only matters to a connection that
    /// is up or being set up (the end of a link it carries): without one,
    /// `work` is dropped and no connection is made for it.
    pub(crate) fn with_existing_connection(
        &self,
        peer: &Atom,
        work: impl FnOnce(Result<&Arc<Conn>, &ConnectError>) + Send + 'static,
    ) {
        self.with_connection_to(peer, false, work);
    }

    fn with_connection_to(
        &self,
        peer: &Atom,
        connect: bool,
        work: impl FnOnce(Result<&Arc<Conn>, &ConnectError>) + Send + 'static,
    ) {
        let conn = {
            let mut conns = self.inner.conns.lock();
            match conns.get_mut(peer) {
                Some(Slot::Up(c)) => c.clone(),
                Some(Slot::Connecting(pending)) => {
                    pending.push(Pending::Run(Box::new(work)));
                    return;
                }
                None if !connect => return,
                None if self.is_stopped() => {
                    drop(conns);
                    let stopped = ConnectError::Unreachable {
                        node: peer.to_string(),
                        error: "this node stopped".to_owned(),
                    };
                    return work(Err(&stopped));
                }
                None => {
                    conns.insert(
                        peer.clone(),
                        Slot::Connecting(vec![Pending::Run(Box::new(work))]),
                    );
                    let node = self.clone();
                    let peer = peer.clone();
                    tokio::spawn(async move { node.initiate(peer).await });
                    return;
                }
            }
        };
        work(Ok(&conn));
    }

    /// The connection to `peer` if it is up now.
    pub(crate) fn connection_now(&self, peer: &Atom) -> Option<Arc<Conn>> {
        match self.inner.conns.lock().get(peer) {
            Some(Slot::Up(c)) => Some(c.clone()),
            _ => None,
        }
    }

    async fn initiate(self, peer: Atom) {
        let result = tokio::time::timeout(SETUP_TIME, self.dial(&peer)).await;
        let result = match result {
            Ok(r) => r,
            Err(_) => Err(ConnectError::Timeout(peer.to_string())),
        };
        match result {
            Ok((stream, theirs)) => self.install(stream, theirs),
            Err(ConnectError::Handshake(e)) if matches!(&*e, HandshakeError::Refused { status, .. } if status == "nok") =>
            {
                // A simultaneous connect that the peer wins: its connection to us
                // fills the slot and answers the waiters.
                tracing::debug!(peer = %peer, "simultaneous connect: the peer's connection wins");
            }
            Err(e) => {
                tracing::warn!(node = %self.name(), peer = %peer, error = %e, "connection failed");
                let slot = {
                    let mut conns = self.inner.conns.lock();
                    match conns.get(&peer) {
                        Some(Slot::Connecting(_)) => conns.remove(&peer),
                        _ => None,
                    }
                };
                if let Some(Slot::Connecting(pending)) = slot {
                    settle(pending, Err(&e));
                }
            }
        }
    }

    async fn dial(&self, peer: &Atom) -> Result<(TcpStream, handshake::Peer), ConnectError> {
        let (alive, host) = peer
            .as_str()
            .split_once('@')
            .ok_or_else(|| ConnectError::BadName(peer.to_string()))?;
        let unreachable = |e: &dyn std::fmt::Display| ConnectError::Unreachable {
            node: peer.to_string(),
            error: e.to_string(),
        };
        let entry = epmd::port_please((host, self.inner.epmd_port), alive)
            .await
            .map_err(|e| unreachable(&e))?
            .ok_or_else(|| ConnectError::NotRegistered(peer.to_string()))?;
        let mut stream = TcpStream::connect((host, entry.port))
            .await
            .map_err(|e| unreachable(&e))?;
        let _ = stream.set_nodelay(true);
        let theirs = handshake::initiate(&mut stream, &self.inner.local, peer.as_str())
            .await
            .map_err(|e| ConnectError::Handshake(Arc::new(e)))?;
        Ok((stream, theirs))
    }

    async fn accept(self, mut stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let me = self.name().clone();
        let result = tokio::time::timeout(
            SETUP_TIME,
            handshake::accept(
                &mut stream,
                &self.inner.local,
                |peer| {
                    let conns = self.inner.conns.lock();
                    match conns.get(peer) {
                        None => Admission::Ok,
                        Some(Slot::Up(_)) => Admission::Alive,
                        // Both connect at once: the greater name's connection wins.
                        Some(Slot::Connecting(_)) if me.as_str() > peer.as_str() => Admission::Nok,
                        Some(Slot::Connecting(_)) => Admission::OkSimultaneous,
                    }
                },
                |peer| {
                    if let Some(Slot::Up(old)) = self.inner.conns.lock().remove(peer) {
                        old.close();
                    }
                },
            ),
        )
        .await;
        match result {
            Ok(Ok(theirs)) => self.install(stream, theirs),
            Ok(Err(HandshakeError::Refused { .. })) => {}
            Ok(Err(e)) => {
                tracing::warn!(node = %self.name(), error = %e, "incoming connection refused")
            }
            Err(_) => tracing::warn!(node = %self.name(), "incoming handshake timed out"),
        }
    }

    /// Makes a handshaken stream the connection to its peer.
    fn install(&self, stream: TcpStream, peer: handshake::Peer) {
        if self.is_stopped() {
            return;
        }
        let id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let name = peer.name.clone();
        let conn = conn::start(self, stream, peer, id);
        let old = {
            let mut conns = self.inner.conns.lock();
            let old = conns.insert(name.clone(), Slot::Up(conn.clone()));
            match old {
                // What waited goes out first, in order: the slot is up, but
                // nobody else can send before the lock is released.
                Some(Slot::Connecting(pending)) => {
                    settle(pending, Ok(&conn));
                    None
                }
                other => other,
            }
        };
        if let Some(Slot::Up(old)) = old {
            old.close();
        }
        tracing::debug!(node = %self.name(), peer = %name, "connection up");
        self.node_event(NodeEvent::Up(name));
    }

    /// Called by a connection when it ends.
    pub(crate) fn connection_lost(&self, conn: &Conn) {
        {
            let mut conns = self.inner.conns.lock();
            if matches!(conns.get(&conn.peer.name), Some(Slot::Up(c)) if c.id == conn.id) {
                conns.remove(&conn.peer.name);
            }
        }
        // Everything waiting on the node hears `noconnection`.
        let lost: Vec<(ExternalRef, Waiter)> = {
            let mut waiters = self.inner.waiters.lock();
            let refs: Vec<ExternalRef> = waiters
                .iter()
                .filter(|(_, w)| match w {
                    Waiter::Call { peer, .. }
                    | Waiter::Monitor { peer, .. }
                    | Waiter::Process { peer, .. } => *peer == conn.peer.name,
                })
                .map(|(r, _)| r.clone())
                .collect();
            refs.into_iter()
                .filter_map(|r| waiters.remove(&r).map(|w| (r, w)))
                .collect()
        };
        for (reference, waiter) in lost {
            fire(self, reference, waiter, Term::atom("noconnection"));
        }
        tracing::info!(node = %self.name(), peer = %conn.peer.name, "nodedown");
        self.node_event(NodeEvent::Down(conn.peer.name.clone()));
    }

    // ---- identities ----

    /// The pid other nodes know process `pid` by: for a local process, its
    /// pid on the wire (from now on, what other nodes send to it reaches its
    /// [`Node::inbox`]); for a remote one (see [`Node::pid_of`]), the
    /// [`ExternalPid`] it came from. A remote `Pid` that no node gave out
    /// (made with `Pid::remote` by hand) maps to node `nonode@nohost`, which
    /// names no process.
    pub fn external(&self, pid: Pid) -> ExternalPid {
        let id = pid.id();
        if !pid.is_local() {
            let node =
                crate::remote::name_of(pid.node()).unwrap_or_else(|| Atom::new("nonode@nohost"));
            return ExternalPid {
                node,
                id: id as u32,
                serial: (id >> 32) as u32,
                creation: pid.creation(),
            };
        }
        self.inner
            .routes
            .lock()
            .by_id
            .entry(id)
            .or_insert((pid, None));
        ExternalPid {
            node: self.name().clone(),
            id: id as u32,
            serial: (id >> 32) as u32,
            creation: self.creation(),
        }
    }

    /// `pid` as an `otp_core::process::Pid`, which works wherever a local pid
    /// does: `process::link`, `unlink`, `monitor`, `demonitor`, `send_exit`
    /// and `kill` reach the remote process through this node, and its DOWNs
    /// and trapped EXITs arrive in the ordinary mailbox naming this `Pid`.
    /// A pid of this node is the local process behind it; one of this node
    /// that names no live process (an earlier incarnation's, or never given
    /// out) is a `Pid` that is dead: `noproc`. [`Node::external`] gives the
    /// [`ExternalPid`] back.
    pub fn pid_of(&self, pid: &ExternalPid) -> Pid {
        let local = if pid.node == *self.name() {
            Some(self.clone())
        } else {
            crate::remote::local_node(&pid.node)
        };
        if let Some(pid) = local.and_then(|node| node.local(pid)) {
            return pid;
        }
        let id = (u64::from(pid.serial) << 32) | u64::from(pid.id);
        let node = crate::remote::index_of(&pid.node, self);
        Pid::remote(node, id, pid.creation)
    }

    /// `Pid ! Msg` for a [`Pid`] of any node: [`Node::send`] to
    /// [`Node::external`]`(pid)`.
    pub fn send_to(&self, pid: Pid, msg: Term) {
        self.send(&self.external(pid), msg);
    }

    /// The local process behind `pid`, if `pid` is one of this node's (of this
    /// incarnation: a pid of an earlier one names no process).
    pub fn local(&self, pid: &ExternalPid) -> Option<Pid> {
        if pid.node != *self.name() || pid.creation != self.creation() {
            return None;
        }
        let id = (u64::from(pid.serial) << 32) | u64::from(pid.id);
        self.inner.routes.lock().by_id.get(&id).map(|(p, _)| *p)
    }

    pub(crate) fn make_ref(&self) -> ExternalRef {
        let n = self.inner.next_ref.fetch_add(1, Ordering::Relaxed);
        ExternalRef {
            node: self.name().clone(),
            creation: self.creation(),
            ids: vec![n as u32 & 0x3_FFFF, (n >> 18) as u32, (n >> 50) as u32],
        }
    }

    /// The pid used as sender by code outside any process.
    fn sender(&self) -> ExternalPid {
        match process::try_self_pid() {
            Some(pid) => self.external(pid),
            None => self.nobody(),
        }
    }

    /// `from` on the wire, `<0.0.0>` (code outside any process) included.
    pub(crate) fn sender_of(&self, from: Pid) -> ExternalPid {
        if from.is_local() && from.id() == 0 {
            self.nobody()
        } else {
            self.external(from)
        }
    }

    fn nobody(&self) -> ExternalPid {
        ExternalPid {
            node: self.name().clone(),
            id: 0,
            serial: 0,
            creation: self.creation(),
        }
    }

    /// A fresh number for an UNLINK_ID.
    pub(crate) fn next_id(&self) -> u64 {
        self.inner.next_ref.fetch_add(1, Ordering::Relaxed)
    }

    // ---- receiving ----

    /// A subject of the calling process on which it receives what other nodes
    /// send to its pid (and, after [`Node::register`], to its name).
    ///
    /// # Panics
    /// Outside a process.
    pub fn inbox(&self) -> Subject<Incoming> {
        let inbox = Subject::new();
        self.attach(&inbox);
        inbox
    }

    /// Makes local process `pid` reachable as `{name, Node}` from other nodes.
    /// Messages reach it through its [`Node::inbox`]; links and monitors by name
    /// watch it. Registering a taken name replaces the holder.
    pub fn register(&self, name: &str, pid: Pid) {
        self.external(pid);
        self.inner
            .routes
            .lock()
            .names
            .insert(Atom::new(name), NameRoute::Pid(pid));
    }

    /// Routes what other nodes send to `inbox`'s owner into `inbox` (for an
    /// actor whose message type is [`Incoming`]: pass its subject).
    pub fn attach(&self, inbox: &Subject<Incoming>) {
        let pid = inbox.owner();
        self.inner
            .routes
            .lock()
            .by_id
            .insert(pid.id(), (pid, Some(inbox.clone())));
    }

    /// Registers an exposed actor's name (see [`Node::expose`]).
    pub(crate) fn route_name(&self, name: Atom, inbox: Subject<Incoming>, resolve: Resolve) {
        let mut routes = self.inner.routes.lock();
        if let Some(pid) = resolve() {
            routes.by_id.insert(pid.id(), (pid, Some(inbox.clone())));
        }
        routes
            .names
            .insert(name, NameRoute::Exposed { resolve, inbox });
    }

    /// Removes a name given with [`Node::register`].
    pub fn unregister(&self, name: &str) {
        self.inner.routes.lock().names.remove(&Atom::new(name));
    }

    /// The local process registered as `name`, if alive.
    pub fn whereis(&self, name: &Atom) -> Option<Pid> {
        let route = self.inner.routes.lock().names.get(name).cloned()?;
        let pid = match route {
            NameRoute::Pid(pid) => pid,
            NameRoute::Exposed { resolve, inbox } => {
                // The actor may have been restarted: route its pid of now.
                let pid = resolve()?;
                self.inner
                    .routes
                    .lock()
                    .by_id
                    .insert(pid.id(), (pid, Some(inbox)));
                pid
            }
        };
        process::is_alive(pid).then_some(pid)
    }

    /// Delivers a message that arrived for local `pid` (or drops it, saying so).
    pub(crate) fn deliver(&self, pid: Pid, msg: Term) {
        let inbox = self
            .inner
            .routes
            .lock()
            .by_id
            .get(&pid.id())
            .and_then(|(_, inbox)| inbox.clone());
        let dropped = match inbox {
            Some(inbox) => inbox.try_send(crate::route::classify(self, msg)).is_err(),
            None => true,
        };
        if dropped {
            if !process::is_alive(pid) {
                self.inner.routes.lock().by_id.remove(&pid.id());
            }
            tracing::debug!(%pid, "message from another node dropped: the process is gone or has no inbox");
        }
    }

    // ---- sending ----

    pub(crate) fn send_control(&self, peer: &Atom, control: Control) {
        // Auto-connect on first send, keeping the order of sends to that node.
        let to = peer.clone();
        self.with_connection(peer, move |conn| match conn {
            Ok(conn) => conn.send(&control),
            Err(e) => {
                tracing::debug!(peer = %to, error = %e, "message to an unreachable node dropped")
            }
        });
    }

    /// `Pid ! Msg` for a pid of any node (a local one too). Never blocks; a
    /// message to an unreachable node is dropped, as Erlang does.
    pub fn send(&self, to: &ExternalPid, msg: Term) {
        if to.node == *self.name() {
            match self.local(to) {
                Some(pid) => self.deliver(pid, msg),
                None => tracing::debug!(pid = %to, "message to a dead local pid dropped"),
            }
            return;
        }
        let from = Some(self.sender());
        self.send_control(
            &to.node,
            Control::Send {
                from,
                to: to.clone(),
                msg,
            },
        );
    }

    /// `{Name, Node} ! Msg`.
    pub fn send_named(&self, name: &str, node: &str, msg: Term) {
        let node = Atom::new(node);
        if node == *self.name() {
            match self.whereis(&Atom::new(name)) {
                Some(pid) => self.deliver(pid, msg),
                None => tracing::debug!(name, "message to an unregistered name dropped"),
            }
            return;
        }
        let from = self.sender();
        self.send_control(
            &node,
            Control::RegSend {
                from,
                to: Atom::new(name),
                msg,
            },
        );
    }

    pub(crate) fn send_alias(&self, caller: &ExternalPid, alias: &ExternalRef, msg: Term) {
        if alias.node == *self.name() {
            crate::conn::alias_arrived(self, alias, msg);
            return;
        }
        let alias_ok = self
            .connection_now(&alias.node)
            .is_some_and(|c| c.peer.flags & crate::flags::ALIAS != 0);
        if !alias_ok {
            // Without aliases, gen:reply sends to the caller's pid.
            return self.send(caller, msg);
        }
        let from = self.sender();
        self.send_control(
            &alias.node,
            Control::AliasSend {
                from,
                alias: alias.clone(),
                msg,
            },
        );
    }

    /// Monitors remote process `pid` for the calling process: when it exits
    /// (or its node goes down: `noconnection`; or it does not exist:
    /// `noproc`), an [`Incoming::Down`] arrives on `inbox`.
    ///
    /// # Errors
    /// A [`ConnectError`] when the remote node cannot be reached.
    ///
    /// # Cancel safety
    /// Cancel safe: a connection attempt dropped half-way is abandoned; the next
    /// request to that node tries again.
    pub async fn monitor(
        &self,
        pid: &ExternalPid,
        inbox: &Subject<Incoming>,
    ) -> Result<ExternalRef, ConnectError> {
        self.monitor_process(Monitored::Pid(pid.clone()), inbox)
            .await
    }

    /// Monitors the process registered as `name` on node `node`
    /// (`monitor(process, {Name, Node})`): the DOWN names `{Name, Node}` and
    /// carries the process's real exit reason; it is `noproc` at once when
    /// no process has the name, and `noconnection` when the node goes down.
    /// As in Erlang, the monitor watches the process that held the name when
    /// the monitor was set, not later holders.
    ///
    /// # Errors
    /// A [`ConnectError`] when the node cannot be reached.
    ///
    /// # Cancel safety
    /// Cancel safe: a connection attempt dropped half-way is abandoned; the next
    /// request to that node tries again.
    pub async fn monitor_name(
        &self,
        name: &str,
        node: &str,
        inbox: &Subject<Incoming>,
    ) -> Result<ExternalRef, ConnectError> {
        let process = Monitored::Name {
            name: Atom::new(name),
            node: Atom::new(node),
        };
        self.monitor_process(process, inbox).await
    }

    async fn monitor_process(
        &self,
        process: Monitored,
        inbox: &Subject<Incoming>,
    ) -> Result<ExternalRef, ConnectError> {
        let reference = self.make_ref();
        let from = self.external(inbox.owner());
        let peer = process.node().clone();
        let conn = self.connection(&peer).await?;
        let target = target_of(&process);
        self.inner.waiters.lock().insert(
            reference.clone(),
            Waiter::Monitor {
                peer,
                process,
                inbox: inbox.clone(),
            },
        );
        conn.send(&Control::MonitorP {
            from,
            target,
            reference: reference.clone(),
        });
        Ok(reference)
    }

    /// Removes a monitor set with [`Node::monitor`]; `true` if it was active.
    pub fn demonitor(&self, reference: &ExternalRef) -> bool {
        let Some(Waiter::Monitor { process, inbox, .. }) =
            self.inner.waiters.lock().remove(reference)
        else {
            return false;
        };
        let from = self.external(inbox.owner());
        self.send_control(
            process.node(),
            Control::DemonitorP {
                from,
                target: target_of(&process),
                reference: reference.clone(),
            },
        );
        true
    }

    /// Links local process `local` with remote process `remote`, as
    /// `link/1` does: when either exits, the other gets the exit signal (an
    /// abnormal one kills a process that does not trap exits). If `remote`'s
    /// node goes down, `local` gets `noconnection`.
    ///
    /// # Errors
    /// When the remote node cannot be reached: [`ConnectError::BadName`], [`ConnectError::NotRegistered`] (EPMD does not know
    /// the node), [`ConnectError::Unreachable`], [`ConnectError::Handshake`] (wrong
    /// cookie, refused), [`ConnectError::Timeout`].
    ///
    /// # Cancel safety
    /// Cancel safe: a connection attempt dropped half-way is abandoned; the next
    /// request to that node tries again.
    pub async fn link(&self, local: Pid, remote: &ExternalPid) -> Result<(), ConnectError> {
        let conn = self.connection(&remote.node).await?;
        let remote_pid = self.pid_of(remote);
        if remote_pid.is_local() {
            return Ok(()); // a pid of this node: not this method's business
        }
        if !conn.link_out(self, local, remote_pid, remote) {
            // Closed meanwhile: the link ends at once.
            if otp_core::process::remote::add_link(local, remote_pid) {
                otp_core::process::remote::exit_signal(
                    local,
                    remote_pid,
                    &otp_core::process::ExitReason::NoConnection,
                    true,
                );
            }
            return Ok(());
        }
        if !otp_core::process::remote::add_link(local, remote_pid) {
            // `local` is gone: the remote side hears `noproc`, as for a LINK
            // to a dead pid.
            conn.unlink_out(local, remote_pid, || Control::Exit {
                from: self.external(local),
                to: remote.clone(),
                reason: Term::atom("noproc"),
            });
        }
        Ok(())
    }

    /// Removes a link made with [`Node::link`] (or by the remote side, or
    /// with `process::link`).
    pub fn unlink(&self, local: Pid, remote: &ExternalPid) {
        let remote_pid = self.pid_of(remote);
        otp_core::process::remote::remove_link(local, remote_pid);
        if let Some(conn) = self.connection_now(&remote.node) {
            conn.unlink_out(local, remote_pid, || Control::UnlinkId {
                id: self.next_id(),
                from: self.external(local),
                to: remote.clone(),
            });
        }
    }

    /// `exit(Pid, Reason)` to a remote process; `kill` kills it (`killed`).
    pub fn send_exit(&self, to: &ExternalPid, reason: Term) {
        let from = self.sender();
        self.send_control(
            &to.node,
            Control::Exit2 {
                from,
                to: to.clone(),
                reason,
            },
        );
    }

    /// `gen_server:call(Target, Request, Timeout)` to a process on another node:
    /// the callee is monitored for the duration of the call and answers through
    /// an alias, so a reply that comes after the timeout is dropped, never left
    /// in a mailbox.
    ///
    /// # Errors
    /// [`CallError::Timeout`] without a reply in time, [`CallError::Exit`] if the
    /// callee exited (`noproc`, `noconnection`), or [`CallError::Connect`] when the node cannot be reached.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: the request may have been delivered; a
    /// reply that comes after the drop is dropped too.
    pub async fn call(
        &self,
        to: CallTarget<'_>,
        request: Term,
        timeout: Duration,
    ) -> Result<Term, CallError> {
        let (peer, target) = match to {
            CallTarget::Pid(p) => (p.node.clone(), Target::Pid(p.clone())),
            CallTarget::Name(name, node) => (Atom::new(node), Target::Name(Atom::new(name))),
        };
        let work = async {
            let conn = self.connection(&peer).await.map_err(CallError::Connect)?;
            let reference = self.make_ref();
            let (tx, rx) = oneshot::channel();
            self.inner.waiters.lock().insert(
                reference.clone(),
                Waiter::Call {
                    peer: peer.clone(),
                    reply: tx,
                },
            );
            let me = self.sender();
            conn.send(&Control::MonitorP {
                from: me.clone(),
                target: target.clone(),
                reference: reference.clone(),
            });
            let tag = Term::improper(vec![Term::atom("alias")], Term::Ref(reference.clone()));
            let msg = Term::tuple([
                Term::atom("$gen_call"),
                Term::tuple([Term::Pid(me.clone()), tag]),
                request,
            ]);
            conn.send(&match &target {
                Target::Pid(p) => Control::Send {
                    from: Some(me.clone()),
                    to: p.clone(),
                    msg,
                },
                Target::Name(n) => Control::RegSend {
                    from: me.clone(),
                    to: n.clone(),
                    msg,
                },
            });
            let guard = CallGuard {
                node: self,
                reference: reference.clone(),
                conn: conn.clone(),
                me,
                target,
            };
            let result = match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(Ok(reply))) => Ok(reply),
                Ok(Ok(Err(reason))) => Err(CallError::Exit(reason)),
                Ok(Err(_)) => Err(CallError::Exit(Term::atom("noconnection"))),
                Err(_) => Err(CallError::Timeout),
            };
            drop(guard);
            result
        };
        match tokio::time::timeout(timeout + SETUP_TIME, work).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout),
        }
    }
}

impl Node {
    /// [`Node::call`] with typed messages: `request` is encoded and the reply
    /// decoded with serde (see [`term::typed`](crate::term::typed)).
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use otp_dist::{CallTarget, Node};
    /// # async fn f(node: Node) -> Result<(), otp_dist::CallError> {
    /// #[derive(serde::Serialize)]
    /// enum Ask { Add(i64) }
    /// // gen_server:call({erl_counter, 'e@127.0.0.1'}, {add, 5})
    /// let total: i64 = node
    ///     .call_typed(CallTarget::Name("erl_counter", "e@127.0.0.1"), &Ask::Add(5), Duration::from_secs(5))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Node::call`], and [`CallError::Encode`]/[`CallError::Decode`] when the
    /// request or the reply does not map to its type.
    ///
    /// # Cancel safety
    /// As [`Node::call`].
    pub async fn call_typed<Q, A>(
        &self,
        to: CallTarget<'_>,
        request: &Q,
        timeout: Duration,
    ) -> Result<A, CallError>
    where
        Q: Serialize + ?Sized,
        A: DeserializeOwned,
    {
        let request = to_term(request).map_err(CallError::Encode)?;
        let reply = self.call(to, request, timeout).await?;
        from_term(&reply).map_err(|error| CallError::Decode { error, reply })
    }
}

/// Ends a call: forgets its reference (so a late reply is dropped) and
/// demonitors the callee.
struct CallGuard<'a> {
    node: &'a Node,
    reference: ExternalRef,
    conn: Arc<Conn>,
    me: ExternalPid,
    target: Target,
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        if self
            .node
            .inner
            .waiters
            .lock()
            .remove(&self.reference)
            .is_some()
        {
            self.conn.send(&Control::DemonitorP {
                from: self.me.clone(),
                target: self.target.clone(),
                reference: self.reference.clone(),
            });
        }
    }
}

/// Whom [`Node::call`] calls.
#[derive(Debug, Clone, Copy)]
pub enum CallTarget<'a> {
    /// A process by pid.
    Pid(&'a ExternalPid),
    /// `{Name, Node}`.
    Name(&'a str, &'a str),
}

/// Why a call to another node failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// No reply within the timeout.
    #[error("the call timed out")]
    Timeout,
    /// The callee exited (`noproc` if it did not exist, `noconnection` if its
    /// node went down).
    #[error("the callee exited: {0}")]
    Exit(Term),
    /// The node could not be reached.
    #[error(transparent)]
    Connect(ConnectError),
    /// The request has no Erlang term ([`Node::call_typed`]).
    #[error("the request has no Erlang term: {0}")]
    Encode(ToTermError),
    /// The reply came but does not decode into the type asked for
    /// ([`Node::call_typed`]); the reply is kept.
    #[error("the reply {reply} does not decode: {error}")]
    Decode {
        /// Why it does not decode.
        error: FromTermError,
        /// The reply as it came.
        reply: Term,
    },
}

/// How a MONITOR_P names the monitored process.
fn target_of(process: &Monitored) -> Target {
    match process {
        Monitored::Pid(pid) => Target::Pid(pid.clone()),
        Monitored::Name { name, .. } => Target::Name(name.clone()),
    }
}

/// Delivers what a waiter waited for.
pub(crate) fn fire(node: &Node, reference: ExternalRef, waiter: Waiter, reason: Term) {
    match waiter {
        Waiter::Call { reply, .. } => {
            let _ = reply.send(Err(reason));
        }
        Waiter::Monitor { process, inbox, .. } => {
            inbox.send(Incoming::Down {
                monitor: reference,
                process,
                reason,
            });
        }
        Waiter::Process { owner, monitor, .. } => {
            node.inner.process_monitors.lock().remove(&monitor);
            otp_core::process::remote::down(owner, monitor, crate::reason::from_term(&reason));
        }
    }
}
