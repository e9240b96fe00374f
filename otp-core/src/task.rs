//! Tasks: one piece of work in a process of its own, awaited by its owner (Elixir's
//! `Task`, Gleam's `task`).
//!
//! [`spawn`] runs a future in a new process that is linked to the caller (a crash
//! in the task reaches its owner, as with `Task.async`) and monitored by it. The
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
//! let mut sum = task::spawn(async { (1..=10).sum::<u32>() });
//! assert_eq!(sum.try_await(Duration::from_secs(1)).await, Ok(55));
//! // A task is also a future (through `IntoFuture`).
//! let product = task::spawn(async { (1..=5).product::<u32>() });
//! assert_eq!(product.await, Ok(120));
//! # }).unwrap();
//! ```

use std::future::IntoFuture;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::process::{self, ExitReason, Pid, Watcher};

/// Why awaiting a task gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
pub struct Task<T> {
    pid: Pid,
    owner: Option<Pid>,
    linked: bool,
    slot: flume::Receiver<Outcome<T>>,
    reference: u64,
    awaited: bool,
}

enum Outcome<T> {
    Value(T),
    Down(ExitReason),
}

/// Runs `work` as a task linked to, and monitored by, the calling process. Called
/// outside a process, the task has no owner and is not linked.
pub fn spawn<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Task<T> {
    start(work, true)
}

/// Runs `work` as a task monitored by, but not linked to, the calling process: its
/// crash reaches the owner only as the result of an await.
pub fn spawn_unlinked<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Task<T> {
    start(work, false)
}

fn start<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static, link: bool) -> Task<T> {
    let owner = process::try_self_pid();
    let linked = link && owner.is_some();
    let (sender, slot) = flume::unbounded();
    let on_down = sender.clone();
    let watcher = Watcher::Callback(Arc::new(move |down| {
        let _ = on_down.send(Outcome::Down(down.reason));
    }));
    let reference = process::unique();
    let mut builder = process::Builder::new();
    if linked {
        builder = builder.link();
    }
    let (pid, _, _) =
        builder.start::<process::NoPrimary, _>(Some((reference, watcher)), |_| async move {
            let value = work.await;
            let _ = sender.send(Outcome::Value(value));
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
    /// [`TaskError::Timeout`] the task goes on and may be awaited again.
    pub async fn try_await(&mut self, timeout: Duration) -> Result<T, TaskError> {
        self.check()?;
        let outcome = match tokio::time::timeout(timeout, self.slot.recv_async()).await {
            Ok(outcome) => outcome,
            Err(_) => return Err(TaskError::Timeout),
        };
        self.finish(outcome).await
    }

    /// Waits for the result as long as it takes.
    pub async fn try_await_forever(&mut self) -> Result<T, TaskError> {
        self.check()?;
        let outcome = self.slot.recv_async().await;
        self.finish(outcome).await
    }

    /// Waits at most `timeout` for the result; if there is none, the owner exits
    /// (Gleam's `await`, Elixir's `Task.await`): with the task's reason if it
    /// crashed, with `Abnormal("task timeout")` if it took too long (the task is
    /// killed first).
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
    pub async fn await_forever(mut self) -> T {
        match self.try_await_forever().await {
            Ok(value) => value,
            Err(TaskError::Exited(reason)) => process::exit(reason).await,
            Err(error) => {
                process::exit(ExitReason::abnormal(format!("task {}: {error}", self.pid))).await
            }
        }
    }

    /// Takes the outcome, then waits for the task's DOWN (it comes right after the
    /// result) so that a trapping owner's EXIT from it can be removed too.
    async fn finish(
        &mut self,
        outcome: Result<Outcome<T>, flume::RecvError>,
    ) -> Result<T, TaskError> {
        self.awaited = true;
        let result = match outcome {
            Ok(Outcome::Value(value)) => {
                // The DOWN follows the result at once: the task has nothing left
                // to do but exit.
                let _ = self.slot.recv_async().await;
                Ok(value)
            }
            Ok(Outcome::Down(reason)) => Err(TaskError::Exited(reason)),
            Err(_) => Err(TaskError::Exited(ExitReason::NoProc)),
        };
        if self.linked {
            // The task's links were signalled before its DOWN was sent.
            process::flush_exits_from(self.pid);
        }
        result
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if !self.awaited {
            process::remove_watcher(self.pid, self.reference);
        }
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
pub async fn try_await_all<T: Send + 'static>(
    tasks: &mut [Task<T>],
    timeout: Duration,
) -> Vec<Result<T, TaskError>> {
    let deadline = Instant::now() + timeout;
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        let left = deadline.saturating_duration_since(Instant::now());
        results.push(task.try_await(left).await);
    }
    results
}
