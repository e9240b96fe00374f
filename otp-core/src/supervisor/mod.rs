//! Supervisors: processes that start, watch and restart other processes, after
//! Erlang's `supervisor` behaviour.
//!
//! A supervisor starts its children in order, each synchronously, and restarts
//! them when they exit, following its strategy and each child's restart type.
//! Supervisors supervise supervisors, forming a tree:
//!
//! ```text
//!                 app (one_for_one)
//!                /                 \
//!       db (rest_for_one)      web (one_for_all)
//!       /      |       \          /        \
//!   pool   cache   writer     listener   sessions
//! ```
//!
//! Strategies (what is restarted when one child dies):
//!
//! ```text
//! one_for_one:   [a][b][c]  b dies  ->  restart b
//! one_for_all:   [a][b][c]  b dies  ->  stop c, a; start a, b, c
//! rest_for_one:  [a][b][c]  b dies  ->  stop c; start b, c
//! ```
//!
//! As in Erlang:
//! - **Restart types**: `Permanent` is always restarted, `Transient` only after an
//!   abnormal exit (not `Normal`, `Shutdown`, `ShutdownWith`), `Temporary` never.
//! - **Restart intensity** is counted per supervisor over all its children: more
//!   than `intensity` restarts within `period` (defaults 1 and 5 s, Erlang's) and
//!   the supervisor stops all its children in reverse start order and exits with
//!   `Shutdown`, so its own supervisor handles it (escalation).
//! - **Shutdown**: children stop in reverse start order. Each is sent a `Shutdown`
//!   exit signal and waited for up to its shutdown time (5 s for workers), then
//!   killed; `BrutalKill` kills at once; `Infinity` (the default for supervisor
//!   children) waits.
//! - **Significant children** with `auto_shutdown` (`Never`, `AnySignificant`,
//!   `AllSignificant`) let a supervisor stop itself when its significant children
//!   are done.
//! - A supervisor traps exits; if its parent exits, it stops its children and
//!   exits with the same reason. It answers the `sys` messages.
//! - Every child exit, restart and intensity shutdown is reported through
//!   `tracing` (target `otp::supervisor`), like SASL's supervisor reports.
//!
//! For children started on demand from a template, see [`factory`].
//!
//! ```
//! use std::time::Duration;
//! use otp_core::actor::{self, Next};
//! use otp_core::process::{self, Name};
//! use otp_core::supervisor::{self, ChildSpec, Strategy};
//!
//! # otp_core::runtime::block_on(async {
//! let name = Name::<u32>::new("worker");
//! let worker_name = name.clone();
//! let sup = supervisor::new(Strategy::OneForOne)
//!     .intensity(3)
//!     .add(ChildSpec::worker("worker", move || {
//!         actor::new(0u32)
//!             .on_message(|_, n: u32| if n == 0 { panic!("zero") } else { Next::Continue(n) })
//!             .named(worker_name.clone())
//!             .start()
//!     }))
//!     .start()
//!     .await
//!     .unwrap();
//! let first = process::whereis(&name).unwrap();
//! let m = process::monitor(first);
//! name.subject().send(0); // crash it
//! process::Selector::new().select_monitor(m, |d| d).receive_forever().await.unwrap();
//! let children = sup.data.which_children().await.unwrap();
//! assert_eq!(children.len(), 1);
//! let restarted = children[0].pid.unwrap();
//! assert_ne!(restarted, first);
//! assert_eq!(process::whereis(&name), Some(restarted)); // same name, new process
//! # }).unwrap();
//! ```

mod child;
mod children;
mod decide;
mod error;
#[doc(alias = "simple_one_for_one")]
pub mod factory;
mod restart;
mod server;
mod spec;

use std::marker::PhantomData;
use std::time::Duration;

use crate::actor::{self, Initialised, Started};
use crate::process::{self, CallError, Name, Pid, Selector, Subject};

pub use child::Child;
pub use error::StartError;
pub use server::Message;
pub use spec::{ChildSpec, ChildType, Restart, Shutdown};

use server::{Flags, Request, Template};

/// Which children are restarted when one dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Only the child that died.
    OneForOne,
    /// All children: the others are stopped, then all are started again.
    OneForAll,
    /// The child that died and those started after it.
    RestForOne,
}

/// When a supervisor stops itself because significant children have exited
/// (Erlang's `auto_shutdown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AutoShutdown {
    /// Never (the default).
    #[default]
    Never,
    /// As soon as any significant child exits and is not restarted.
    AnySignificant,
    /// Once all significant children have exited and were not restarted.
    AllSignificant,
}

/// One row of [`Supervisor::which_children`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildInfo {
    /// The child's id.
    pub id: String,
    /// Its process, if running; `None` (Erlang's `undefined`) when stopped,
    /// ignored, a transient child that exited normally, or restarting.
    pub pid: Option<Pid>,
    /// Its restart failed and is being tried again (Erlang's `restarting`);
    /// `pid` is then `None`.
    pub restarting: bool,
    /// Worker or supervisor.
    pub child_type: ChildType,
}

/// Why a supervisor's flags or a child spec are refused (Erlang's
/// `check_flags` and `check_childspec` errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The period is zero (`invalid_period`): restarts could never be counted.
    #[error("the restart period must be longer than zero (invalid_period)")]
    InvalidPeriod,
    /// A child's options do not go together (`bad_combination`).
    #[error("child {id}: {problem} (bad_combination)")]
    BadCombination {
        /// The child's id.
        id: String,
        /// What does not go together.
        problem: &'static str,
    },
}

/// What [`Supervisor::count_children`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildCount {
    /// Child specifications held (1 for a factory: its template).
    pub specs: usize,
    /// Children running.
    pub active: usize,
    /// Specifications of type supervisor.
    pub supervisors: usize,
    /// Specifications of type worker.
    pub workers: usize,
}

/// Why a supervisor operation failed (Erlang's `{error, _}` answers).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SupervisorError {
    /// No child has this id (or pid).
    #[error("no child {0}")]
    NotFound(String),
    /// The child is running; stop it first.
    #[error("the child is running as {0}")]
    Running(Pid),
    /// The child is not running.
    #[error("the child {0} is not running")]
    NotRunning(String),
    /// The child's restart failed and is being tried again (`restarting`).
    #[error("the child {0} is restarting")]
    Restarting(String),
    /// The child's start returned [`actor::StartError::Ignored`] (Erlang's
    /// `{ok, undefined}`): nothing runs; a supervisor keeps the spec, a factory
    /// does not.
    #[error("the child {0} asked to be ignored")]
    Ignored(String),
    /// The child spec does not fit the supervisor.
    #[error("invalid child spec: {0}")]
    Invalid(ConfigError),
    /// A factory request sent to a supervisor that is not a factory.
    #[error("the supervisor is not a factory")]
    NotAFactory,
    /// A child with this id exists, not running (`already_present`).
    #[error("a child {0} is already present")]
    AlreadyPresent(String),
    /// A child with this id is running (`already_started`).
    #[error("the child is already started as {0}")]
    AlreadyStarted(Pid),
    /// The factory already has its maximum of children.
    #[error("the supervisor already has {0} children, its maximum")]
    MaxChildren(usize),
    /// The child failed to start.
    #[error("the child failed to start: {0}")]
    StartFailed(StartError),
    /// The child's data is not of the type asked for.
    #[error("the child's data is not a {0}")]
    WrongType(&'static str),
    /// The supervisor is not alive, or exited during the request.
    #[error("the supervisor is gone: {0}")]
    NoSupervisor(CallError),
}

/// A running supervisor: its pid, and the operations of Erlang's `supervisor`
/// module. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Supervisor {
    subject: Subject<Message>,
}

impl Supervisor {
    /// The supervisor registered under `name`, whichever process holds it when a
    /// request is made (Erlang's `SupRef` as a registered name). A request when
    /// nobody holds it fails with [`SupervisorError::NoSupervisor`].
    #[must_use]
    pub fn named(name: &Name<Message>) -> Supervisor {
        Supervisor {
            subject: name.subject(),
        }
    }

    /// The supervisor's process (for a handle made by [`Supervisor::named`], the
    /// current holder of the name).
    #[must_use]
    pub fn pid(&self) -> Pid {
        self.subject.owner()
    }

    /// Stops the supervisor, and with it its children in reverse start order,
    /// with reason `Normal` (`gen_server:stop/1`): a linked starter that does not
    /// trap exits survives it. Returns once it has exited.
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn stop(&self) -> Result<(), SupervisorError> {
        stop(self.pid()).await
    }

    /// The spec of child `id` (`supervisor:get_childspec/2`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] if no child has this id.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn get_childspec(&self, id: &str) -> Result<ChildSpec, SupervisorError> {
        self.ask(|reply| Request::GetChildspec(id.to_string(), reply))
            .await?
    }

    async fn ask<R: Send + 'static>(
        &self,
        request: impl FnOnce(Subject<R>) -> Request,
    ) -> Result<R, SupervisorError> {
        process::call_forever(&self.subject, |reply| Message(request(reply)))
            .await
            .map_err(SupervisorError::NoSupervisor)
    }

    /// Every child, in start order (`supervisor:which_children/1`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, SupervisorError> {
        self.ask(Request::WhichChildren).await
    }

    /// How many children of each kind (`supervisor:count_children/1`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn count_children(&self) -> Result<ChildCount, SupervisorError> {
        self.ask(Request::CountChildren).await
    }

    /// Stops a child, keeping its spec unless it is temporary
    /// (`supervisor:terminate_child/2`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] if no child has this id.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn terminate_child(&self, id: &str) -> Result<(), SupervisorError> {
        self.ask(|reply| Request::TerminateChild(id.to_string(), reply))
            .await?
    }

    /// Starts a stopped child again (`supervisor:restart_child/2`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] if no child has this id, [`SupervisorError::Running`]
    /// if it runs, [`SupervisorError::Restarting`] if its restart is being retried,
    /// [`SupervisorError::StartFailed`] if its start failed, [`SupervisorError::Ignored`]
    /// if its start asked to be ignored.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn restart_child(&self, id: &str) -> Result<Pid, SupervisorError> {
        self.ask(|reply| Request::RestartChild(id.to_string(), reply))
            .await?
    }

    /// Removes a stopped child's spec (`supervisor:delete_child/2`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] if no child has this id, [`SupervisorError::Running`]
    /// if it runs, [`SupervisorError::Restarting`] if its restart is being retried.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn delete_child(&self, id: &str) -> Result<(), SupervisorError> {
        self.ask(|reply| Request::DeleteChild(id.to_string(), reply))
            .await?
    }

    /// Adds a child and starts it (`supervisor:start_child/2`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::AlreadyStarted`] or [`SupervisorError::AlreadyPresent`] if a
    /// child has this id, [`SupervisorError::Invalid`] for a spec that does not fit,
    /// [`SupervisorError::StartFailed`] if its start failed, [`SupervisorError::Ignored`]
    /// if it asked to be ignored.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn start_child(&self, spec: ChildSpec) -> Result<Pid, SupervisorError> {
        let started = self.ask(|reply| Request::StartChild(spec, reply)).await?;
        started.map(|(pid, _)| pid)
    }

    /// A typed handle on the child `id`: whatever instance runs now, after any
    /// number of restarts. `D` is the type its start returned (for an actor, its
    /// `Subject`).
    #[must_use]
    pub fn child<D: Clone + Send + Sync + 'static>(&self, id: &str) -> ChildHandle<D> {
        ChildHandle {
            supervisor: self.clone(),
            id: id.to_string(),
            _data: PhantomData,
        }
    }
}

/// How long [`Supervisor::stop`] waits: Erlang waits forever; a day is as good
/// and still ends.
const STOP_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

async fn stop(pid: Pid) -> Result<(), SupervisorError> {
    match crate::sys::terminate(pid, STOP_TIMEOUT, process::ExitReason::Normal).await {
        Ok(()) => Ok(()),
        Err(crate::sys::SysError::NoProcess) => {
            Err(SupervisorError::NoSupervisor(CallError::NoProcess))
        }
        Err(crate::sys::SysError::Timeout) => {
            Err(SupervisorError::NoSupervisor(CallError::Timeout))
        }
        Err(crate::sys::SysError::Exited(reason)) => Err(SupervisorError::NoSupervisor(
            CallError::CalleeExited(reason),
        )),
        Err(crate::sys::SysError::CallingSelf) => {
            Err(SupervisorError::NoSupervisor(CallError::CallingSelf))
        }
        Err(_) => Err(SupervisorError::NoSupervisor(CallError::NoProcess)),
    }
}

/// A typed handle on one child of a supervisor that keeps reaching the current
/// instance across restarts. See [`Supervisor::child`].
#[derive(Debug, Clone)]
pub struct ChildHandle<D> {
    supervisor: Supervisor,
    id: String,
    _data: PhantomData<fn() -> D>,
}

impl<D: Clone + Send + Sync + 'static> ChildHandle<D> {
    /// What the current instance's start returned.
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] / [`SupervisorError::NotRunning`] if the child is
    /// not there or not running, [`SupervisorError::WrongType`] if its data is not a `D`.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn get(&self) -> Result<D, SupervisorError> {
        let id = self.id.clone();
        let data = self
            .supervisor
            .ask(|reply| Request::ChildData(id, reply))
            .await??;
        data.downcast_ref::<D>()
            .cloned()
            .ok_or(SupervisorError::WrongType(std::any::type_name::<D>()))
    }
}

impl<M: Send + 'static> ChildHandle<Subject<M>> {
    /// Sends `message` to the current instance of an actor child.
    ///
    /// # Errors
    /// As [`ChildHandle::get`].
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn send(&self, message: M) -> Result<(), SupervisorError> {
        self.get().await.map(|subject| subject.send(message))
    }
}

/// Describes a supervisor: strategy, intensity, children. [`new`] makes one.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until it is started"]
pub struct Builder {
    flags: Flags,
    children: Vec<ChildSpec>,
    name: Option<Name<Message>>,
}

/// A supervisor with `strategy`, intensity 1 and period 5 s (Erlang's defaults),
/// `auto_shutdown` never, and no children yet.
pub fn new(strategy: Strategy) -> Builder {
    Builder {
        flags: Flags {
            strategy,
            intensity: 1,
            period: Duration::from_secs(5),
            auto_shutdown: AutoShutdown::Never,
            dynamic: false,
            max_children: None,
        },
        children: Vec::new(),
        name: None,
    }
}

/// How long a supervisor's start waits for its children: Erlang waits forever;
/// an hour is as good and still ends.
const START_TIMEOUT: Duration = Duration::from_secs(3600);

impl Builder {
    /// At most `intensity` restarts within the period (default 1).
    pub fn intensity(mut self, intensity: u32) -> Self {
        self.flags.intensity = intensity;
        self
    }

    /// The period over which restarts are counted (default 5 s). A zero period is
    /// refused at start ([`ConfigError::InvalidPeriod`]).
    pub fn period(mut self, period: Duration) -> Self {
        self.flags.period = period;
        self
    }

    /// When significant children stop the supervisor (default never).
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.flags.auto_shutdown = auto_shutdown;
        self
    }

    /// Adds a child, started after those added before it.
    // Named after Gleam OTP's `supervisor.add`; it is not arithmetic.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, child: ChildSpec) -> Self {
        self.children.push(child);
        self
    }

    /// Registers the supervisor under `name`.
    pub fn named(mut self, name: Name<Message>) -> Self {
        self.name = Some(name);
        self
    }

    /// Starts the supervisor and its children, returning once all have started
    /// (`supervisor:start_link/2`): linked to the caller if it is a process.
    ///
    /// Fails with [`StartError::Config`] for a zero period or a
    /// significant child that is permanent or under `auto_shutdown` never, with
    /// [`StartError::DuplicateChildId`] for two children with one id, and with
    /// [`StartError::ChildFailed`] naming the first child that failed to start
    /// (those started before it are stopped again).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    /// A start dropped before it completes makes the new supervisor exit, stopping
    /// the children it started.
    ///
    /// # Errors
    /// As above: [`StartError::Config`], [`StartError::DuplicateChildId`],
    /// [`StartError::ChildFailed`]; [`StartError::Actor`] if the supervisor's own
    /// process did not start (its name is taken).
    #[doc(alias = "start_link")]
    #[doc(alias = "supervisor:start_link")]
    pub async fn start(self) -> Result<Started<Supervisor>, StartError> {
        start(self.flags, self.children, None, self.name).await
    }

    /// A child spec that starts this supervisor under another (type supervisor,
    /// shutdown `Infinity`).
    pub fn child_spec(self, id: impl Into<String>) -> ChildSpec {
        ChildSpec::supervisor(id, move || self.clone().start())
    }
}

pub(crate) async fn start(
    flags: Flags,
    children: Vec<ChildSpec>,
    template: Option<Template>,
    name: Option<Name<Message>>,
) -> Result<Started<Supervisor>, StartError> {
    let observed = (flags.strategy, flags.intensity, flags.period, flags.dynamic);
    let label = name.as_ref().map(|n| n.label().to_string());
    let mut builder =
        actor::new_with_initialiser(START_TIMEOUT, move |subject: Subject<Message>| async move {
            let label = label.unwrap_or_else(|| process::self_pid().to_string());
            match server::init(flags, children, template, subject.clone(), label).await {
                Ok(state) => {
                    let selector = Selector::new()
                        .select(&subject)
                        .select_trapped_exits(|exit| Message(Request::ChildExit(exit)));
                    Ok(Initialised::new(state)
                        .selecting(selector)
                        .returning(Supervisor { subject }))
                }
                Err(error) => Err(actor::InitError::new(error)),
            }
        })
        .on_message_async(server::handle)
        .on_terminate_async(|mut state, _reason| async move { state.stop_all().await })
        .trap_exits()
        .debug_state()
        .behaviour("supervisor");
    if let Some(name) = name {
        builder = builder.named(name);
    }
    match builder.start().await {
        // The initialiser's error is the supervisor's own, kept with its type.
        Err(actor::StartError::InitFailed(error)) => match error.downcast_ref::<StartError>() {
            Some(error) => Err(error.clone()),
            None => Err(actor::StartError::InitFailed(error).into()),
        },
        Ok(started) => {
            let (strategy, intensity, period, factory) = observed;
            crate::observe::hooks::supervisor_started(
                &started.data,
                strategy,
                intensity,
                period,
                factory,
            );
            Ok(started)
        }
        Err(error) => Err(error.into()),
    }
}
