//! Child specifications: what a supervisor starts and how it treats it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::StartError;
use crate::actor::{self, Started};
use crate::process::Pid;

pub(crate) type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send>>;

/// What a child's start returned besides its pid, type-erased (see
/// [`ChildHandle`](super::ChildHandle) for typed access).
pub(crate) type ChildData = Arc<dyn Any + Send + Sync>;

/// What a child's start function gives: its pid and data, or why it did not start.
pub(crate) type StartResult = BoxFuture<Result<(Pid, ChildData), StartError>>;

type StartFn = Arc<dyn Fn() -> StartResult + Send + Sync>;

/// When a child that exited is restarted (`restart` in Erlang's child spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Restart {
    /// Always restarted.
    Permanent,
    /// Restarted only after an abnormal exit: not after `Normal`, `Shutdown` or
    /// `ShutdownWith`.
    Transient,
    /// Never restarted; its spec is removed once it exits.
    Temporary,
}

/// How a child is stopped (`shutdown` in Erlang's child spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shutdown {
    /// Killed at once (`brutal_kill`).
    BrutalKill,
    /// Sent a `Shutdown` exit signal, then killed if it has not exited after this
    /// long. Default for workers: 5 seconds.
    Timeout(Duration),
    /// Sent a `Shutdown` exit signal and waited for as long as it takes. Default
    /// for supervisors.
    Infinity,
}

/// Whether a child is a worker or a supervisor (`type` in Erlang's child spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChildType {
    /// Any process that is not a supervisor.
    Worker,
    /// A supervisor.
    Supervisor,
}

/// One child of a supervisor: an id unique among its siblings, a start function
/// and the rules for restarting and stopping it (Erlang's `child_spec()`).
///
/// The start function runs inside the supervisor's process, so what it starts is
/// linked to the supervisor; it must return once the child is ready, with its pid
/// and data (for an actor, [`Builder::start`](crate::actor::Builder::start) does
/// exactly that). It is called again for every restart.
#[derive(Clone)]
#[must_use = "a child spec does nothing until it is added to a supervisor"]
pub struct ChildSpec {
    pub(crate) id: String,
    pub(crate) start: StartFn,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) child_type: ChildType,
    pub(crate) significant: bool,
}

impl ChildSpec {
    /// A worker: restart `Permanent`, shutdown `Timeout(5 s)`, not significant.
    ///
    /// A start that fails with [`actor::StartError::Ignored`] (Erlang's `ignore`) leaves
    /// the child not running, its spec kept; a start function that panics is a
    /// failed start, as one returning an error.
    pub fn worker<D, F, Fut>(id: impl Into<String>, start: F) -> ChildSpec
    where
        D: Send + Sync + 'static,
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Started<D>, actor::StartError>> + Send + 'static,
    {
        ChildSpec {
            id: id.into(),
            start: Arc::new(move || erase(start())),
            restart: Restart::Permanent,
            shutdown: Shutdown::Timeout(Duration::from_secs(5)),
            child_type: ChildType::Worker,
            significant: false,
        }
    }

    /// A supervisor child: like [`ChildSpec::worker`] but of type `Supervisor`
    /// with shutdown `Infinity`. [`Builder::child_spec`](super::Builder::child_spec)
    /// makes one from a supervisor builder.
    pub fn supervisor<D, F, Fut>(id: impl Into<String>, start: F) -> ChildSpec
    where
        D: Send + Sync + 'static,
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Started<D>, StartError>> + Send + 'static,
    {
        ChildSpec {
            id: id.into(),
            start: Arc::new(move || erase(start())),
            restart: Restart::Permanent,
            shutdown: Shutdown::Infinity,
            child_type: ChildType::Supervisor,
            significant: false,
        }
    }

    /// Sets when the child is restarted.
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// Sets how the child is stopped.
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// Marks the child significant for the supervisor's
    /// [`AutoShutdown`](super::AutoShutdown). Only transient and temporary
    /// children can be significant; the supervisor's start refuses others.
    pub fn significant(mut self, significant: bool) -> Self {
        self.significant = significant;
        self
    }

    /// The child's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the child is restarted.
    #[must_use]
    pub fn restart_type(&self) -> Restart {
        self.restart
    }

    /// How the child is stopped.
    #[must_use]
    pub fn shutdown_type(&self) -> Shutdown {
        self.shutdown
    }

    /// Worker or supervisor.
    #[must_use]
    pub fn child_type(&self) -> ChildType {
        self.child_type
    }

    /// Whether the child is significant.
    #[must_use]
    pub fn is_significant(&self) -> bool {
        self.significant
    }
}

/// A start's future, its data type-erased.
pub(crate) fn erase<D: Send + Sync + 'static, E: Into<StartError>>(
    started: impl Future<Output = Result<Started<D>, E>> + Send + 'static,
) -> StartResult {
    Box::pin(async move {
        let Started { pid, data } = started.await.map_err(Into::into)?;
        Ok((pid, Arc::new(data) as ChildData))
    })
}

/// A spec whose start does nothing, for tests of the decisions.
#[cfg(test)]
pub(crate) fn test_spec(id: &str) -> ChildSpec {
    ChildSpec {
        id: id.to_string(),
        start: Arc::new(|| {
            Box::pin(async { Err(actor::StartError::Ignored.into()) }) as StartResult
        }),
        restart: Restart::Permanent,
        shutdown: Shutdown::Timeout(Duration::from_secs(5)),
        child_type: ChildType::Worker,
        significant: false,
    }
}

impl fmt::Debug for ChildSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildSpec")
            .field("id", &self.id)
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("child_type", &self.child_type)
            .field("significant", &self.significant)
            .finish()
    }
}
