//! The context of the running process, reachable from any code it runs.

use std::cell::RefCell;
use std::sync::Arc;

use super::mailbox::ErasedMailbox;
use super::table::ProcEntry;

pub(crate) struct Ctx {
    pub(crate) entry: Arc<ProcEntry>,
    pub(crate) mailbox: RefCell<Box<dyn ErasedMailbox>>,
    /// The multi-thread runtime that processes spawned from here run on (also
    /// for a process on its own blocking thread).
    pub(crate) handle: tokio::runtime::Handle,
    /// Set by [`exit`](super::exit): the reason the process chose to exit with.
    pub(crate) exit_reason: RefCell<Option<super::ExitReason>>,
}

tokio::task_local! {
    /// Boxed: the task-local slot moves its value in and out on every poll of
    /// the process, so it should be one pointer.
    pub(crate) static CTX: Box<Ctx>;
}

/// Runs `f` with the current process's context, or returns `None` outside one.
pub(crate) fn with<R>(f: impl FnOnce(&Ctx) -> R) -> Option<R> {
    CTX.try_with(|ctx| f(ctx)).ok()
}

/// The current process's entry; panics outside a process with `what` named.
pub(crate) fn entry(what: &str) -> Arc<ProcEntry> {
    match with(|ctx| ctx.entry.clone()) {
        Some(entry) => entry,
        None => outside(what),
    }
}

#[track_caller]
pub(crate) fn outside(what: &str) -> ! {
    panic!(
        "otp: `{what}` must be called from inside a process; \
         start one with `otp::process::spawn` or `otp::process::run`"
    )
}

/// The runtime to spawn on: the current process's, else the current tokio one.
pub(crate) fn handle(what: &str) -> tokio::runtime::Handle {
    if let Some(handle) = with(|ctx| ctx.handle.clone()) {
        return handle;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle,
        Err(_) => panic!(
            "otp: `{what}` needs a tokio runtime; use `#[tokio::main]` or \
             `otp::runtime::block_on`"
        ),
    }
}
