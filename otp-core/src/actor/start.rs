//! Starting an actor synchronously, as `proc_lib:start_link/3` does.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;

use super::builder::{Builder, Init};
use super::error::{InitError, StartError};
use super::run::{Loop, Running, run};
use crate::process::{self, Exit, ExitReason, First, Pid, RegisterError, Slot, Subject};
use crate::sys;

/// A started actor: its pid and what its start returned (its [`Subject`] for
/// [`new`](super::new), the initialiser's choice for
/// [`new_with_initialiser`](super::new_with_initialiser)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started<D> {
    /// The actor's process.
    pub pid: Pid,
    /// What the start returned.
    pub data: D,
}

/// What the new actor tells its starter.
enum Ack<D> {
    Started(D),
    Failed(StartError),
}

/// A start in progress. Dropped (the starter gave up or was cancelled), it
/// closes the slot, so that the new actor, finding nobody to acknowledge,
/// exits instead of running unowned.
struct Waiting<D: Send + 'static> {
    slot: Arc<Slot<Ack<D>>>,
    pid: Pid,
    reference: u64,
}

impl<D: Send + 'static> Drop for Waiting<D> {
    fn drop(&mut self) {
        process::remove_watcher(self.pid, self.reference);
        drop(self.slot.close());
    }
}

impl<S: Send + 'static, M: Send + 'static, D: Send + 'static> Builder<S, M, D> {
    /// Starts the actor and waits until it has initialised (proc_lib's
    /// `start_link` and `init_ack`). Called from a process, the actor is linked to
    /// it, and the caller is its parent; called from elsewhere, it has no parent.
    ///
    /// On [`StartError::InitTimeout`] the actor is unlinked and killed first, so
    /// the caller gets no EXIT from it even if it traps exits.
    ///
    /// # Errors
    /// [`StartError::InitTimeout`] if the initialiser took longer than its timeout,
    /// [`StartError::InitFailed`] with the initialiser's own error,
    /// [`StartError::InitExited`] if the actor exited (a panic) while initialising,
    /// [`StartError::NameTaken`] if its name is held by another process,
    /// [`StartError::Ignored`] if the start asked to be ignored.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    /// Cancel safe in the sense that nothing is left running: a start dropped
    /// before it completes makes the new actor exit instead of running unowned.
    #[doc(alias = "start_link")]
    #[doc(alias = "gen_server:start_link")]
    pub async fn start(self) -> Result<Started<D>, StartError> {
        if let Some(name) = &self.name {
            if let Some(holder) = process::whereis(name) {
                return Err(StartError::NameTaken {
                    name: name.label().to_string(),
                    holder,
                });
            }
        }
        let parent = process::try_self_pid();
        let timeout = self.init_timeout;
        let trap = self.trap_exits;
        let slot = Slot::<Ack<D>>::new();
        let ack = slot.clone();
        let reference = process::unique();
        let mut spawn = process::Builder::new();
        if parent.is_some() {
            spawn = spawn.link();
        }
        if trap {
            spawn = spawn.trap_exits();
        }
        let (pid, _, _) = spawn.start::<M, _>(Some((reference, slot.watcher())), move |subject| {
            init_and_run(Box::new(Starting {
                builder: self,
                subject,
                parent,
                ack,
            }))
        });
        let waiting = Waiting {
            slot,
            pid,
            reference,
        };
        let first = process::within(timeout, waiting.slot.first()).await;
        // A failed start returns once the actor has left the table: wait for
        // its DOWN (it exits right after failing; the wait is bounded anyway).
        let failed = |error| async {
            let _ = process::within(timeout, waiting.slot.exit()).await;
            process::flush_exits_from(pid);
            Err(error)
        };
        match first {
            Ok(First::Value(Ack::Started(data))) => Ok(Started { pid, data }),
            Ok(First::Value(Ack::Failed(error))) => failed(error).await,
            Ok(First::Down(reason)) => failed(StartError::InitExited(reason)).await,
            Err(_) => {
                drop(waiting.slot.close());
                if parent.is_some() {
                    process::unlink(pid);
                }
                process::kill(pid);
                failed(StartError::InitTimeout).await
            }
        }
    }
}

/// The actor's process: register, initialise, acknowledge, then loop.
/// What a new actor's process starts from. Boxed, like [`Running`], so that the
/// process's future stays small.
struct Starting<S, M, D> {
    builder: Builder<S, M, D>,
    subject: Subject<M>,
    parent: Option<Pid>,
    ack: Arc<Slot<Ack<D>>>,
}

/// The body of an actor's process. Initialising is boxed: its future is large
/// and lives only until the actor has started; the loop's future stays inline.
async fn init_and_run<S: Send + 'static, M: Send + 'static, D: Send + 'static>(
    starting: Box<Starting<S, M, D>>,
) -> Exit {
    match Box::pin(init(starting)).await {
        Ok(running) => run(running).await,
        Err(exit) => exit,
    }
}

/// Registers the name, runs the initialiser and acknowledges the start; the
/// exit instead if the actor must not run (the start failed or the starter
/// gave up). A failed start is reported to the starter, not in a crash report.
async fn init<S: Send + 'static, M: Send + 'static, D: Send + 'static>(
    starting: Box<Starting<S, M, D>>,
) -> Result<Box<Running<S, M>>, Exit> {
    let quiet = |reason| Exit {
        reason,
        reported: true,
    };
    let Starting {
        builder,
        subject,
        parent,
        ack,
    } = *starting;
    process::mark_behaviour();
    let me = process::self_pid();
    // A start failure: unlink from the parent first so it gets no EXIT, and free
    // the name so that a retry can take it.
    let fail = |error: StartError, registered: bool| {
        if let Some(parent) = parent {
            process::unlink(parent);
        }
        if let (Some(name), true) = (&builder.name, registered) {
            let _ = process::unregister(name);
        }
        let _ = ack.put(Ack::Failed(error));
    };
    if let Some(name) = &builder.name {
        if let Err(error) = process::register(me, name) {
            let error = match error {
                RegisterError::NameTaken { name, holder } => StartError::NameTaken { name, holder },
                other => StartError::InitFailed(InitError::new(other)),
            };
            fail(error, false);
            return Err(quiet(ExitReason::Normal));
        }
    }
    let registered = builder.name.is_some();
    let (state, selector, data) = match builder.init {
        Init::State { state, data } => (state, None, data(&subject)),
        Init::Initialiser(init) => {
            match AssertUnwindSafe(init(subject.clone())).catch_unwind().await {
                Ok(Ok(initialised)) => (initialised.state, initialised.selector, initialised.data),
                Ok(Err(error)) => {
                    // Reported to the starter, then a normal exit, as Gleam's
                    // actor and OTP 26's `proc_lib:init_fail` do: the failure is
                    // the starter's to handle, not a crash to propagate.
                    fail(StartError::InitFailed(error), registered);
                    return Err(quiet(ExitReason::Normal));
                }
                Err(payload) => {
                    let reason = process::caught_reason(payload);
                    fail(StartError::InitExited(reason.clone()), registered);
                    return Err(quiet(reason));
                }
            }
        }
    };
    if ack.put(Ack::Started(data)).is_err() {
        // The starter gave up (timeout) and is killing us.
        return Err(quiet(ExitReason::Normal));
    }
    drop(ack);
    let actor = Box::new(Loop {
        handler: builder.handler,
        terminate: builder.terminate,
        describe_state: builder.describe_state,
        describe_message: builder.describe_message,
        name: builder.name.map(|n| n.label().to_string()),
        parent: if builder.trap_exits { parent } else { None },
        debug: sys::Debug::new(builder.behaviour, parent),
    });
    Ok(Running::new(actor, state, selector, &subject))
}
