//! Tasks: one piece of work in a process of its own, awaited by its owner (Elixir's
//! `Task`, Gleam's `task`).
//!
//! [`spawn_link`] runs a future in a new process that is linked to the caller (a
//! crash in the task reaches its owner, as with `Task.async`) and monitored by it;
//! [`spawn`] runs it monitored only (`Task.Supervisor.async_nolink`), so a crash
//! reaches the owner only as the result of an await. As everywhere in this crate,
//! `spawn` never links and `spawn_link` does (see the naming rule in the crate
//! docs). The
//! result and the task's exit travel in a slot private to the task, in the order
//! they happened, so the result is never lost to the DOWN and nothing is left in
//! the owner's mailbox after an await: no message, no monitor, no timer (an EXIT
//! from the linked task, which a trapping owner would get, is removed too).
//!
//! ```
//! use std::time::Duration;
//! use otp_core::task;
//!
//! # otp_core::runtime::block_on(async {
//! let mut sum = task::spawn_link(async { (1..=10).sum::<u32>() });
//! assert_eq!(sum.try_await(Duration::from_secs(1)).await, Ok(55));
//! // A task is also a future (through `IntoFuture`).
//! let product = task::spawn_link(async { (1..=5).product::<u32>() });
//! assert_eq!(product.await, Ok(120));
//! # }).unwrap();
//! ```

use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::process::{self, Elapsed, ExitReason, Pid, Slot};

/// Why awaiting a task gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// The task did not finish in time; it goes on running and can be awaited
    /// again.
    #[error("the task did not finish in time")]
    Timeout,
    /// The task exited without a result (a panic, a kill, an exit signal).
    #[error("the task exited: {0}")]
    Exited(ExitReason),
    /// The task's result was already taken by an earlier await.
    #[error("the task was already awaited")]
    AlreadyAwaited,
    /// Only the process that spawned the task may await it.
    #[error("only the owner {owner} may await this task")]
    NotOwner {
        /// The task's owner.
        owner: Pid,
    },
}

/// A running piece of work, owned by the process that spawned it.
///
/// Its result waits in a slot the `Task` holds, so awaiting is cancel-safe: an
/// await dropped half-way (in `select!`, say) loses nothing, and the next
/// await gets the result.
#[must_use = "a task's result is lost unless it is awaited"]
pub struct Task<T: Send + 'static> {
    pid: Pid,
    owner: Option<Pid>,
    linked: bool,
    slot: Arc<Slot<T>>,
    reference: u64,
    awaited: bool,
}

/// Runs `work` as a task linked to, and monitored by, the calling process
/// (Elixir's `Task.async`, Gleam's `task.async`). Called outside a process, the
/// task has no owner and is not linked.
///
/// # Panics
/// Outside a tokio runtime.
#[doc(alias = "async")]
pub fn spawn_link<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Task<T> {
    start(work, true)
}

/// Runs `work` as a task monitored by, but not linked to, the calling process
/// (Elixir's `Task.Supervisor.async_nolink`): its crash reaches the owner only as
/// the result of an await.
///
/// # Panics
/// Outside a tokio runtime.
#[doc(alias = "async_nolink")]
pub fn spawn<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Task<T> {
    start(work, false)
}

fn start<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static, link: bool) -> Task<T> {
    let owner = process::try_self_pid();
    let linked = link && owner.is_some();
    let slot = Slot::new();
    let put = slot.clone();
    let reference = process::unique();
    let mut builder = process::Builder::new();
    if linked {
        builder = builder.link();
    }
    let (pid, _, _) =
        builder.start::<process::NoPrimary, _>(Some((reference, slot.watcher())), |_| async move {
            let value = work.await;
            let _ = put.put(value);
        });
    Task {
        pid,
        owner,
        linked,
        slot,
        reference,
        awaited: false,
    }
}

impl<T: Send + 'static> Task<T> {
    /// The task's process.
    #[must_use]
    pub fn pid(&self) -> Pid {
        self.pid
    }

    fn check(&self) -> Result<(), TaskError> {
        if self.awaited {
            return Err(TaskError::AlreadyAwaited);
        }
        match self.owner {
            Some(owner) if process::try_self_pid() != Some(owner) => {
                Err(TaskError::NotOwner { owner })
            }
            _ => Ok(()),
        }
    }

    /// Waits at most `timeout` for the result (Gleam's `try_await`). On
    /// [`TaskError::Timeout`] the task goes on and may be awaited again. Once
    /// this returns a result, the task's process has exited (`is_alive` is
    /// `false`). A timeout too large for the clock waits forever.
    ///
    /// # Errors
    /// [`TaskError::Timeout`] if it did not finish in time (it goes on),
    /// [`TaskError::Exited`] if it exited without a result, [`TaskError::AlreadyAwaited`]
    /// if its result was taken, [`TaskError::NotOwner`] for a caller that is not its
    /// owner.
    ///
    /// # Cancel safety
    /// Cancel safe: the result waits in the task's slot, so an await dropped
    /// half-way loses nothing and the next await gets it.
    pub async fn try_await(&mut self, timeout: Duration) -> Result<T, TaskError> {
        self.check()?;
        match process::within(timeout, self.slot.exit()).await {
            Ok(exit) => Ok(self.finish(exit)?),
            Err(Elapsed::Timeout | Elapsed::NoRuntime) => Err(TaskError::Timeout),
        }
    }

    /// Waits for the result as long as it takes.
    ///
    /// # Errors
    /// [`TaskError::Exited`] if it exited without a result,
    /// [`TaskError::AlreadyAwaited`] if its result was taken, [`TaskError::NotOwner`] for
    /// a caller that is not its owner.
    ///
    /// # Cancel safety
    /// Cancel safe: the result waits in the task's slot, so an await dropped
    /// half-way loses nothing and the next await gets it.
    pub async fn try_await_forever(&mut self) -> Result<T, TaskError> {
        self.check()?;
        let exit = self.slot.exit().await;
        self.finish(exit)
    }

    /// Waits at most `timeout` for the result; if there is none, the owner exits
    /// (Gleam's `await`, Elixir's `Task.await`): with the task's reason if it
    /// crashed, with `Abnormal("task timeout")` if it took too long (the task is
    /// killed first).
    ///
    /// # Panics
    /// Never panics: a failure exits the owner instead (see above); outside a
    /// process, that exit is a panic, as [`process::exit`]'s.
    ///
    /// # Cancel safety
    /// Not cancel safe: it consumes the task; dropped, the result is lost.
    #[doc(alias = "await")]
    pub async fn await_timeout(mut self, timeout: Duration) -> T {
        match self.try_await(timeout).await {
            Ok(value) => value,
            Err(TaskError::Exited(reason)) => process::exit(reason).await,
            Err(error) => {
                if error == TaskError::Timeout {
                    process::kill(self.pid);
                }
                process::exit(ExitReason::abnormal(format!("task {}: {error}", self.pid))).await
            }
        }
    }

    /// Waits for the result as long as it takes; if the task crashed, the owner
    /// exits with its reason.
    ///
    /// # Cancel safety
    /// Not cancel safe: it consumes the task; dropped, the result is lost.
    pub async fn await_forever(mut self) -> T {
        match self.try_await_forever().await {
            Ok(value) => value,
            Err(TaskError::Exited(reason)) => process::exit(reason).await,
            Err(error) => {
                process::exit(ExitReason::abnormal(format!("task {}: {error}", self.pid))).await
            }
        }
    }

    /// Takes the outcome (the DOWN has come, with the value if there was
    /// one) and removes a trapping owner's EXIT from the task too: the task's
    /// links were signalled before its DOWN was sent.
    fn finish(&mut self, (value, reason): (Option<T>, ExitReason)) -> Result<T, TaskError> {
        self.awaited = true;
        if self.linked {
            process::flush_exits_from(self.pid);
        }
        value.ok_or(TaskError::Exited(reason))
    }
}

impl<T: Send + 'static> Drop for Task<T> {
    fn drop(&mut self) {
        if !self.awaited && !self.slot.is_down() {
            process::remove_watcher(self.pid, self.reference);
        }
        drop(self.slot.close());
    }
}

impl<T: Send + 'static> IntoFuture for Task<T> {
    type Output = Result<T, TaskError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    /// Awaiting a task waits as long as it takes, like
    /// [`Task::try_await_forever`].
    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move { self.try_await_forever().await })
    }
}

/// Awaits every task with one shared deadline, `timeout` from now, and returns
/// their results in order; a task not finished by the deadline gives
/// [`TaskError::Timeout`] (Gleam's `try_await_all`).
///
/// # Cancel safety
/// Cancel safe: the result waits in each task's slot, so an await dropped
/// half-way loses nothing and the next await gets it.
#[doc(alias = "await_many")]
pub async fn try_await_all<T: Send + 'static>(
    tasks: &mut [Task<T>],
    timeout: Duration,
) -> Vec<Result<T, TaskError>> {
    // A timeout beyond the clock means forever.
    let deadline = Instant::now().checked_add(timeout);
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        let left = deadline.map_or(Duration::MAX, |d| {
            d.saturating_duration_since(Instant::now())
        });
        results.push(task.try_await(left).await);
    }
    results
}
