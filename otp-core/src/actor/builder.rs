//! Describing an actor before starting it.

use std::pin::Pin;
use std::time::Duration;

use super::{InitError, Next};
use crate::process::{ExitReason, Name, Selector, Subject};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
pub(crate) type Terminate<S> = Box<dyn FnOnce(S, ExitReason) -> BoxFuture<()> + Send>;
type AsyncHandler<S, M> = Box<dyn FnMut(S, M) -> BoxFuture<Next<S, M>> + Send>;
type Initialiser<S, M, D> =
    Box<dyn FnOnce(Subject<M>) -> BoxFuture<Result<Initialised<S, M, D>, InitError>> + Send>;

/// The default time `start` waits for initialisation: five seconds.
/// `gen_server:start_link/3` waits forever by default; a bound turns a stuck
/// `init` into a typed error instead of a hang.
pub const DEFAULT_INIT_TIMEOUT: Duration = Duration::from_secs(5);

/// An actor to be started: its initial state or initialiser, its handler and
/// options. Made by [`new`] or [`new_with_initialiser`]; consumed by
/// [`Builder::start`]. To start the same actor again (a supervisor restarting it),
/// build it again: a start function that returns a fresh builder does that.
#[must_use = "a builder does nothing until it is started"]
pub struct Builder<S, M, D> {
    pub(crate) init: Init<S, M, D>,
    pub(crate) init_timeout: Duration,
    pub(crate) handler: Handler<S, M>,
    pub(crate) name: Option<Name<M>>,
    pub(crate) terminate: Option<Terminate<S>>,
    pub(crate) trap_exits: bool,
    pub(crate) describe_state: Option<fn(&S) -> String>,
    pub(crate) describe_message: Option<fn(&M) -> String>,
    /// What `sys::get_status` calls this behaviour.
    pub(crate) behaviour: &'static str,
}

pub(crate) enum Init<S, M, D> {
    State {
        state: S,
        data: fn(&Subject<M>) -> D,
    },
    Initialiser(Initialiser<S, M, D>),
}

pub(crate) enum Handler<S, M> {
    Keep,
    Sync(Box<dyn FnMut(S, M) -> Next<S, M> + Send>),
    Async(AsyncHandler<S, M>),
}

/// An actor whose state is `state` from the start; [`Builder::start`] gives back
/// its [`Subject`].
pub fn new<S: Send + 'static, M: Send + 'static>(state: S) -> Builder<S, M, Subject<M>> {
    Builder::with_init(Init::State {
        state,
        data: Subject::clone,
    })
}

/// An actor that initialises itself in its own process (gen_server's `init/1`).
/// `init` gets the actor's own subject and returns what [`Initialised`] describes,
/// or an error that [`Builder::start`] reports as
/// [`StartError::InitFailed`](super::StartError::InitFailed), keeping its type:
/// `Err(InitError::new(error))` for any error type, `Err("message".into())` for
/// a message (see [`InitError`]). `start` waits at most `timeout` for it.
///
/// ```
/// use std::time::Duration;
/// use otp_core::actor::{self, Initialised, Next};
///
/// # otp_core::runtime::block_on(async {
/// let started = actor::new_with_initialiser(Duration::from_secs(1), |subject| async move {
///     // e.g. open a connection here
///     Ok(Initialised::new(Vec::<String>::new()).returning(subject))
/// })
/// .on_message(|mut log, line: String| {
///     log.push(line);
///     Next::Continue(log)
/// })
/// .start()
/// .await
/// .unwrap();
/// started.data.send("hello".to_string());
/// # }).unwrap();
/// ```
pub fn new_with_initialiser<S, M, D, F, Fut>(timeout: Duration, init: F) -> Builder<S, M, D>
where
    S: Send + 'static,
    M: Send + 'static,
    D: Send + 'static,
    F: FnOnce(Subject<M>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Initialised<S, M, D>, InitError>> + Send + 'static,
{
    let mut builder = Builder::with_init(Init::Initialiser(Box::new(move |subject| {
        Box::pin(init(subject)) as BoxFuture<_>
    })));
    builder.init_timeout = timeout;
    builder
}

impl<S: Send + 'static, M: Send + 'static, D: Send + 'static> Builder<S, M, D> {
    fn with_init(init: Init<S, M, D>) -> Self {
        Builder {
            init,
            init_timeout: DEFAULT_INIT_TIMEOUT,
            handler: Handler::Keep,
            name: None,
            terminate: None,
            trap_exits: false,
            describe_state: None,
            describe_message: None,
            behaviour: "actor",
        }
    }

    /// Names the behaviour for `sys::get_status` (supervisors are actors inside).
    pub(crate) fn behaviour(mut self, behaviour: &'static str) -> Self {
        self.behaviour = behaviour;
        self
    }

    /// Handles each message with `handler`, a plain function from the state and
    /// the message to what happens [`Next`]. Without a handler, messages are taken
    /// and the state is kept.
    pub fn on_message(mut self, handler: impl FnMut(S, M) -> Next<S, M> + Send + 'static) -> Self {
        self.handler = Handler::Sync(Box::new(handler));
        self
    }

    /// Like [`Builder::on_message`], for a handler that awaits. Each message's
    /// future is boxed; messages are still handled one at a time, in order.
    pub fn on_message_async<F, Fut>(mut self, mut handler: F) -> Self
    where
        F: FnMut(S, M) -> Fut + Send + 'static,
        Fut: Future<Output = Next<S, M>> + Send + 'static,
    {
        self.handler = Handler::Async(Box::new(move |state, message| {
            Box::pin(handler(state, message)) as BoxFuture<_>
        }));
        self
    }

    /// Registers the actor under `name` before it initialises, so the name works
    /// as soon as `start` returns. A taken name makes `start` fail with
    /// [`StartError::NameTaken`](super::StartError::NameTaken) and starts nothing.
    pub fn named(mut self, name: Name<M>) -> Self {
        self.name = Some(name);
        self
    }

    /// Runs `terminate` with the final state and the reason when the actor stops
    /// by returning [`Next::Stop`], on `sys::terminate`, and, when it traps exits,
    /// when its parent (a supervisor) tells it to stop (gen_server's
    /// `terminate/2`). A panic inside a handler consumes the state, so then it
    /// does not run.
    pub fn on_terminate(mut self, terminate: impl FnOnce(S, &ExitReason) + Send + 'static) -> Self {
        self.terminate = Some(Box::new(move |state, reason| {
            terminate(state, &reason);
            Box::pin(std::future::ready(())) as BoxFuture<()>
        }));
        self
    }

    /// Like [`Builder::on_terminate`], for a hook that awaits (closing a
    /// connection, stopping children).
    pub fn on_terminate_async<F, Fut>(mut self, terminate: F) -> Self
    where
        F: FnOnce(S, ExitReason) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.terminate = Some(Box::new(move |state, reason| {
            Box::pin(terminate(state, reason)) as BoxFuture<()>
        }));
        self
    }

    /// Makes the actor trap exits (`process_flag(trap_exit, true)` in `init`): an
    /// exit signal from its parent then runs the terminate hook and stops the actor
    /// with the same reason, as gen_server does; other trapped exits reach its
    /// selector if it selects them.
    pub fn trap_exits(mut self) -> Self {
        self.trap_exits = true;
        self
    }

    /// How long `start` waits for initialisation before giving up with
    /// [`StartError::InitTimeout`](super::StartError::InitTimeout).
    pub fn init_timeout(mut self, timeout: Duration) -> Self {
        self.init_timeout = timeout;
        self
    }
}

impl<S, M, D> Builder<S, M, D>
where
    S: std::fmt::Debug + Send + 'static,
    M: std::fmt::Debug + Send + 'static,
    D: Send + 'static,
{
    /// Describes the state and the messages with `Debug` in `sys::get_state`,
    /// `sys::get_status`, traces, logs and crash reports (otherwise they show
    /// type names).
    pub fn debug_state(mut self) -> Self {
        self.describe_state = Some(|state| format!("{state:?}"));
        self.describe_message = Some(|message| format!("{message:?}"));
        self
    }
}

/// What an initialiser returns (Gleam's `Initialised`): the state, optionally the
/// selector to receive with, and the data `start` returns.
#[must_use = "an initialiser returns it, in `Ok`"]
pub struct Initialised<S, M, D> {
    pub(crate) state: S,
    pub(crate) selector: Option<Selector<M>>,
    pub(crate) data: D,
}

impl<S, M> Initialised<S, M, ()> {
    /// The actor starts with `state`, receiving on its own subject, and `start`
    /// returns `()` until [`Initialised::returning`] says otherwise.
    pub fn new(state: S) -> Self {
        Initialised {
            state,
            selector: None,
            data: (),
        }
    }
}

impl<S, M, D> Initialised<S, M, D> {
    /// Receives with `selector` instead of the actor's own subject alone.
    pub fn selecting(mut self, selector: Selector<M>) -> Self {
        self.selector = Some(selector);
        self
    }

    /// `start` returns `data` (commonly the actor's subject).
    pub fn returning<D2>(self, data: D2) -> Initialised<S, M, D2> {
        Initialised {
            state: self.state,
            selector: self.selector,
            data,
        }
    }
}
