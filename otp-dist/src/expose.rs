//! Making a local actor a `gen_server` for other nodes.
//!
//! [`Node::expose`] registers a name for a local actor (by [`Pid`], [`Name`](otp_core::process::Name) or
//! [`Subject`], anything [`Address`] takes) and answers, on its behalf, what
//! Erlang's `gen_server` and `sys` modules send:
//!
//! - `gen_server:call({Name, Node}, Req)` (and by pid, with any of the three
//!   `'$gen_call'` tag forms) runs your handler with [`Request::Call`]; what it
//!   returns is the reply, sent the way `gen:reply/2` does (by alias when the
//!   caller uses one).
//! - `gen_server:cast` gives [`Request::Cast`], any other message [`Request::Info`].
//! - `sys:get_state`, `get_status`, `suspend`, `resume` and `terminate` act on
//!   the actor itself through [`otp_core::sys`]; `replace_state` (an Erlang fun)
//!   and `change_code` answer `{error, ...}`.
//! - Monitors and links from other nodes, by name or by pid, watch the actor
//!   itself: DOWN and EXIT carry its real exit reason, and when a supervisor
//!   restarts it (exposed by [`Name`](otp_core::process::Name)) the name reaches the new pid.
//!
//! Requests are handled one at a time, in the order they arrived, as a
//! `gen_server` would; only `sys:resume` is answered at once, so that it
//! reaches a suspended actor even behind a call waiting for it.
//!
//! ```no_run
//! use std::time::Duration;
//! use otp_core::actor::{self, Next};
//! use otp_core::process::{self, Subject};
//! use otp_dist::{Node, Request, term::Term};
//!
//! # otp_core::runtime::block_on(async {
//! let node = Node::builder("r@127.0.0.1").cookie("secret").start().await.unwrap();
//! let counter = actor::new(0i64)
//!     .on_message(|n, (add, reply): (i64, Subject<i64>)| {
//!         reply.send(n + add);
//!         Next::Continue(n + add)
//!     })
//!     .start()
//!     .await
//!     .unwrap();
//! let subject = counter.data.clone();
//! // In erl: gen_server:call({counter, 'r@127.0.0.1'}, {add, 2}).
//! node.expose("counter", counter.pid, move |request| {
//!     let subject = subject.clone();
//!     async move {
//!         let Request::Call(req) = request else { return None };
//!         let add = match req.as_tuple() {
//!             Some([tag, Term::Int(n)]) if tag.is_atom("add") => *n,
//!             _ => return Some(Term::tuple([Term::atom("error"), Term::atom("badarg")])),
//!         };
//!         let total = process::call(&subject, Duration::from_secs(5), |r| (add, r)).await.ok()?;
//!         Some(Term::Int(total))
//!     }
//! }).await;
//! # }).unwrap();
//! ```

use std::sync::Arc;
use std::time::Duration;

use otp_core::process::{self, Pid, Subject};
use otp_core::sys::{self, Address, Mode};
use tokio::sync::mpsc;

use crate::node::Node;
use crate::route::{Incoming, ReplyTo, Resolve};
use crate::term::{Atom, FromTermError, Term, from_term, to_term};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What another node asked of an exposed actor: a [`Term`], or with
/// [`Node::expose_typed`] a Rust value decoded from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Request<M = Term> {
    /// `gen_server:call`: return `Some(reply)` (`None` sends no reply, and the
    /// caller times out, as with `{noreply, State}` and no later reply).
    Call(M),
    /// `gen_server:cast`.
    Cast(M),
    /// Any other message (`handle_info`).
    Info(M),
}

impl<M> Request<M> {
    /// The message, whatever the kind of request.
    pub fn message(&self) -> &M {
        match self {
            Request::Call(m) | Request::Cast(m) | Request::Info(m) => m,
        }
    }

    /// The same kind of request with another message.
    pub fn map<N>(self, f: impl FnOnce(M) -> N) -> Request<N> {
        match self {
            Request::Call(m) => Request::Call(f(m)),
            Request::Cast(m) => Request::Cast(f(m)),
            Request::Info(m) => Request::Info(f(m)),
        }
    }
}

impl Request {
    /// Decodes the term into `T` (see [`term::typed`](crate::term::typed) for
    /// the mapping).
    ///
    /// # Errors
    /// A [`FromTermError`] naming where the term does not fit `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<Request<T>, FromTermError> {
        let decoded = from_term(self.message())?;
        Ok(self.clone().map(|_| decoded))
    }
}

/// How long a `sys` request to the actor may take.
const SYS_TIMEOUT: Duration = Duration::from_secs(5);

impl Node {
    /// Registers `name` for the actor at `target` and answers `gen_server` and
    /// `sys` requests for it with `handler` (see [the module](crate::expose)).
    /// Returns the pid of the bridge process doing so; it runs until the node
    /// is dropped or the bridge is killed.
    ///
    /// # Cancel safety
    /// Not cancel safe: the bridge process starts at the first poll, so a call
    /// dropped before it returns may leave the bridge running, `name`
    /// registered, without its pid.
    pub async fn expose<A, F, Fut>(&self, name: &str, target: A, handler: F) -> Pid
    where
        A: Address + Send + Sync + 'static,
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<Term>> + Send + 'static,
    {
        let resolve: Resolve = Arc::new(move || target.to_pid());
        let routed = resolve.clone();
        let node = self.downgrade();
        let name = Atom::new(name);
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let registered = name.clone();
        let bridge = process::spawn(async move {
            let Some(node) = node.upgrade() else { return };
            let inbox: Subject<Incoming> = Subject::new();
            let _ = ready_tx.send(inbox.clone());
            let (work_tx, mut work_rx) = mpsc::unbounded_channel::<Incoming>();
            // Everything runs one at a time, in the order it arrived, as in a
            // gen_server; only `sys:resume` goes first, since a suspended actor
            // would never get to it behind a call that waits for the actor.
            let handler = Arc::new(handler);
            let worker_node = node.clone();
            let worker_resolve = resolve.clone();
            let worker_name = registered.clone();
            tokio::spawn(async move {
                while let Some(incoming) = work_rx.recv().await {
                    match incoming {
                        Incoming::Call { request, from } => {
                            if let Some(reply) = handler(Request::Call(request)).await {
                                from.reply(reply);
                            }
                        }
                        Incoming::Cast(t) => {
                            handler(Request::Cast(t)).await;
                        }
                        Incoming::Message(t) => {
                            handler(Request::Info(t)).await;
                        }
                        Incoming::System { request, from } => {
                            system(&worker_node, &worker_resolve, &worker_name, request, from).await
                        }
                        Incoming::Down { .. } => {}
                    }
                }
            });
            loop {
                let Ok(incoming) = process::receive_forever(&inbox).await else {
                    return;
                };
                match incoming {
                    Incoming::System { request, from } if request.is_atom("resume") => {
                        system(&node, &resolve, &registered, request, from).await
                    }
                    other => {
                        let _ = work_tx.send(other);
                    }
                }
            }
        });
        if let Ok(inbox) = ready.await {
            self.route_name(name, inbox, routed);
        }
        bridge
    }
}

impl Node {
    /// [`Node::expose`] with typed messages: each term that arrives is decoded
    /// into `M` and each reply `R` encoded back with serde (see
    /// [`term::typed`](crate::term::typed) for the mapping), so the handler
    /// sees only Rust values.
    ///
    /// A term that does not decode into `M` never reaches the handler and never
    /// crashes anything: it is reported with a `tracing` warning (naming the
    /// exposed name, the term and why it does not fit) and dropped; a call
    /// carrying it is answered `{error, {badarg, Request}}` at once, so the
    /// caller is not left waiting. A reply that cannot become a term (a NaN
    /// float) is reported as an error and not sent.
    ///
    /// ```no_run
    /// use otp_dist::{Node, Request};
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Deserialize)]
    /// enum Ask { Ping, Double(i64) }
    /// #[derive(Serialize)]
    /// enum Answer { Pong, Doubled(i64) }
    ///
    /// # otp_core::runtime::block_on(async {
    /// let node = Node::builder("r@127.0.0.1").cookie("secret").start().await.unwrap();
    /// # let pid = otp_core::process::self_pid();
    /// // gen_server:call({math, 'r@127.0.0.1'}, {double, 21}) -> {doubled, 42}
    /// node.expose_typed("math", pid, |request: Request<Ask>| async move {
    ///     match request {
    ///         Request::Call(Ask::Ping) => Some(Answer::Pong),
    ///         Request::Call(Ask::Double(n)) => Some(Answer::Doubled(2 * n)),
    ///         _ => None,
    ///     }
    /// }).await;
    /// # }).unwrap();
    /// ```
    ///
    /// # Cancel safety
    /// As [`Node::expose`].
    pub async fn expose_typed<A, M, R, F, Fut>(&self, name: &str, target: A, handler: F) -> Pid
    where
        A: Address + Send + Sync + 'static,
        M: DeserializeOwned + Send + 'static,
        R: Serialize,
        F: Fn(Request<M>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<R>> + Send + 'static,
    {
        let exposed = Atom::new(name);
        self.expose(name, target, move |request: Request| {
            let work = request.decode::<M>().map(&handler);
            let name = exposed.clone();
            async move {
                let reply = match work {
                    Ok(handled) => handled.await?,
                    Err(error) => {
                        tracing::warn!(
                            %name,
                            term = %request.message(),
                            %error,
                            "message from another node dropped: it does not decode"
                        );
                        let Request::Call(term) = request else {
                            return None;
                        };
                        return Some(Term::tuple([
                            Term::atom("error"),
                            Term::tuple([Term::atom("badarg"), term]),
                        ]));
                    }
                };
                match to_term(&reply) {
                    Ok(term) => Some(term),
                    Err(error) => {
                        tracing::error!(%name, %error, "reply not sent: it has no Erlang term");
                        None
                    }
                }
            }
        })
        .await
    }
}

/// Answers a `sys` request the way `sys.erl` does, acting on the actor.
async fn system(node: &Node, resolve: &Resolve, name: &Atom, request: Term, from: ReplyTo) {
    let ok = Term::atom("ok");
    let error = |what: Term| Term::tuple([Term::atom("error"), what]);
    let Some(pid) = resolve() else {
        return from.reply(error(Term::atom("noproc")));
    };
    let sys_error = |e: sys::SysError| error(Term::from(e.to_string().as_str()));
    let reply = match &request {
        t if t.is_atom("get_state") => match sys::get_state(pid, SYS_TIMEOUT).await {
            Ok(state) => Term::from(state.as_str()),
            Err(e) => sys_error(e),
        },
        t if t.is_atom("get_status") => match sys::get_status(pid, SYS_TIMEOUT).await {
            Ok(status) => {
                let mode = match status.mode {
                    Mode::Running => "running",
                    Mode::Suspended => "suspended",
                };
                let parent = status
                    .parent
                    .map(|p| Term::Pid(node.external(p)))
                    .unwrap_or_else(|| Term::Pid(node.external(pid)));
                let misc = Term::list([Term::tuple([
                    Term::atom("data"),
                    Term::list([Term::tuple([
                        Term::from("State"),
                        Term::from(status.state.as_str()),
                    ])]),
                ])]);
                Term::tuple([
                    Term::atom("status"),
                    Term::Pid(node.external(pid)),
                    Term::tuple([Term::atom("module"), Term::Atom(name.clone())]),
                    Term::list([Term::nil(), Term::atom(mode), parent, Term::nil(), misc]),
                ])
            }
            Err(e) => sys_error(e),
        },
        t if t.is_atom("suspend") => match sys::suspend(pid, SYS_TIMEOUT).await {
            Ok(()) => ok,
            Err(e) => sys_error(e),
        },
        t if t.is_atom("resume") => match sys::resume(pid, SYS_TIMEOUT).await {
            Ok(()) => ok,
            Err(e) => sys_error(e),
        },
        Term::Tuple(items) if items.len() == 2 && items[0].is_atom("terminate") => {
            let reason = crate::reason::from_term(&items[1]);
            match sys::terminate(pid, SYS_TIMEOUT, reason).await {
                Ok(()) => ok,
                Err(e) => sys_error(e),
            }
        }
        Term::Tuple(items) if !items.is_empty() && items[0].is_atom("replace_state") => {
            error(Term::from("an Erlang fun cannot run on a Rust node"))
        }
        Term::Tuple(items) if !items.is_empty() && items[0].is_atom("change_code") => {
            error(Term::from("code change does not apply to a Rust node"))
        }
        other => error(Term::tuple([
            Term::atom("unknown_system_msg"),
            other.clone(),
        ])),
    };
    from.reply(reply);
}
