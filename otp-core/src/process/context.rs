//! The context of the running process, reachable from any code it runs.
//!
//! The process's future ([`Drive`](super::drive)) moves its context into a
//! thread-local slot for each poll and takes it back afterwards: no reference
//! count changes, and the slot is one pointer.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::mailbox::ErasedMailbox;
use super::table::{BEHAVIOUR, ProcEntry};

pub(crate) struct Ctx {
    pub(crate) entry: Arc<ProcEntry>,
    /// Borrowed only by this crate's code, never while user code runs.
    pub(crate) mailbox: RefCell<Box<dyn ErasedMailbox>>,
    /// The multi-thread runtime that processes spawned from here run on (also
    /// for a process on its own blocking thread).
    pub(crate) handle: tokio::runtime::Handle,
    /// The replies sent while `sys` trace, log or statistics are on
    /// ([`record_replies`]); `None` (no allocation) otherwise.
    pub(crate) replies: RefCell<Option<Vec<Out>>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Box<Ctx>>> = const { RefCell::new(None) };
}

/// Runs `f` with `ctx` as the current process's context, then puts it back.
pub(crate) fn enter<R>(ctx: &mut Option<Box<Ctx>>, f: impl FnOnce() -> R) -> R {
    struct Leave<'a> {
        ctx: &'a mut Option<Box<Ctx>>,
        previous: Option<Box<Ctx>>,
    }
    impl Drop for Leave<'_> {
        fn drop(&mut self) {
            let previous = self.previous.take();
            *self.ctx = CURRENT
                .try_with(|current| current.replace(previous))
                .ok()
                .flatten();
        }
    }
    let previous = CURRENT
        .try_with(|current| current.replace(ctx.take()))
        .ok()
        .flatten();
    let _leave = Leave { ctx, previous };
    f()
}

/// Runs `f` with the current process's context, or returns `None` outside one.
pub(crate) fn with<R>(f: impl FnOnce(&Ctx) -> R) -> Option<R> {
    CURRENT
        .try_with(|current| current.try_borrow().ok()?.as_deref().map(f))
        .ok()
        .flatten()
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
    match try_handle() {
        Some(handle) => handle,
        None => panic!(
            "otp: `{what}` needs a tokio runtime; use `#[tokio::main]` or \
             `otp::runtime::block_on`"
        ),
    }
}

/// The runtime to spawn on, if there is one.
pub(crate) fn try_handle() -> Option<tokio::runtime::Handle> {
    with(|ctx| ctx.handle.clone()).or_else(|| tokio::runtime::Handle::try_current().ok())
}

/// Whether the current process has been told to exit (an exit signal killed
/// it, or it called `exit`): its awaits then stop it instead of completing.
pub(crate) fn stopping() -> bool {
    with(|ctx| ctx.entry.stop.thrown()).unwrap_or(false)
}

/// How many processes record the replies they send, for `sys` (trace, log,
/// statistics). While none does, a reply pays one relaxed load for it and any
/// other send nothing.
static RECORDING: AtomicUsize = AtomicUsize::new(0);

/// A reply the calling process sent to a call while it recorded them: gen_server's
/// `{out, Reply, To, State}` debug event, the reply described by its type's name
/// (a reply type need not be `Debug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Out {
    pub(crate) message: &'static str,
    pub(crate) to: super::Pid,
}

/// Marks the calling process as a behaviour (an actor or a supervisor).
pub(crate) fn mark_behaviour() {
    with(|ctx| ctx.entry.sends.fetch_or(BEHAVIOUR, Ordering::Relaxed));
}

/// Records a reply of type `M` to `to` sent by the calling process, if it
/// records them (see [`record_replies`]).
#[inline]
pub(crate) fn note_reply<M>(to: super::Pid) {
    if RECORDING.load(Ordering::Relaxed) == 0 {
        return;
    }
    with(|ctx| {
        if let Ok(mut replies) = ctx.replies.try_borrow_mut() {
            if let Some(replies) = replies.as_mut() {
                replies.push(Out {
                    message: std::any::type_name::<M>(),
                    to,
                });
            }
        }
    });
}

/// Starts (`true`) or stops recording the replies the calling process sends;
/// what was recorded and not taken is dropped when it stops.
pub(crate) fn record_replies(on: bool) {
    with(|ctx| {
        let mut replies = ctx.replies.borrow_mut();
        match (on, replies.is_some()) {
            (true, false) => {
                *replies = Some(Vec::new());
                RECORDING.fetch_add(1, Ordering::Relaxed);
            }
            (false, true) => {
                *replies = None;
                RECORDING.fetch_sub(1, Ordering::Relaxed);
            }
            _ => {}
        }
    });
}

/// The replies recorded since the last call, oldest first, handed to `each`.
pub(crate) fn take_replies(mut each: impl FnMut(Out)) {
    let taken = with(|ctx| {
        let mut replies = ctx.replies.borrow_mut();
        replies
            .as_mut()
            .filter(|replies| !replies.is_empty())
            .map(|replies| std::mem::replace(replies, Vec::with_capacity(1)))
    })
    .flatten();
    for out in taken.into_iter().flatten() {
        each(out);
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        if self.replies.get_mut().is_some() {
            RECORDING.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Removes every envelope that `wants` accept from the calling process's
/// mailbox and returns how many there were (0 outside a process). They are
/// dropped after the mailbox is released, so a `Drop` may use it.
pub(crate) fn remove_queued(wants: &[super::mailbox::Want]) -> usize {
    let removed = with(|ctx| {
        ctx.mailbox
            .try_borrow_mut()
            .ok()
            .map(|mut mailbox| mailbox.remove(wants))
    })
    .flatten();
    match removed {
        Some((count, envelopes)) => {
            drop(envelopes);
            count
        }
        None => 0,
    }
}

/// The primary message a receive just took, boxed, for a catch-all to drop
/// once the mailbox is released.
pub(crate) fn take_out_any() -> Option<Box<dyn Send>> {
    with(|ctx| ctx.mailbox.try_borrow_mut().ok()?.take_out_boxed()).flatten()
}
