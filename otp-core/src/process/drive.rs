//! The future a process runs as: its body, under `catch_unwind`, inside its
//! context, stopped as soon as an exit signal kills it; then its exit.
//!
//! Written by hand rather than as an `async fn` because it wraps every process:
//! an `async fn` keeps both the unstarted body and the running one in its state,
//! which doubled the memory of every idle process.

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker, ready};

use futures_util::FutureExt;
use futures_util::future::CatchUnwind;
use futures_util::task::AtomicWaker;
use tokio::task::futures::TaskLocalFuture;

use super::context::{self, CTX, Ctx};
use super::exit::ExitReason;
use super::panic;
use super::signal::exit_process;
use super::table::{ProcEntry, Status};

/// The switch an exit signal throws to stop a process at its next await point,
/// whatever it is waiting for.
pub(crate) struct StopSwitch {
    thrown: AtomicBool,
    waker: AtomicWaker,
}

impl StopSwitch {
    pub(crate) fn new() -> Self {
        StopSwitch {
            thrown: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    /// Stops the process: it is woken, and its body is not polled again.
    pub(crate) fn throw(&self) {
        self.thrown.store(true, Ordering::Release);
        self.waker.wake();
    }

    /// Says whether the switch was thrown, after making sure that throwing it
    /// wakes the current task. `known` is the waker registered last: a task's
    /// waker rarely changes, so the atomic registration happens once, and each
    /// later poll pays a pointer comparison and a load.
    fn is_thrown(&self, cx: &Context<'_>, known: &mut Option<Waker>) -> bool {
        if !known.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            self.waker.register(cx.waker());
            *known = Some(cx.waker().clone());
        }
        self.thrown.load(Ordering::Acquire)
    }
}

type Outcome = Option<std::thread::Result<()>>;

pin_project_lite::pin_project! {
    /// The body, run until it ends or the stop switch is thrown.
    struct Run<F> {
        entry: Arc<ProcEntry>,
        waker: Option<Waker>,
        #[pin]
        body: CatchUnwind<AssertUnwindSafe<F>>,
    }
}

impl<F: Future<Output = ()>> Future for Run<F> {
    /// The process's entry, the reason it gave to `exit` if any, and how its
    /// body ended (`None`: stopped by an exit signal).
    type Output = (Arc<ProcEntry>, Option<ExitReason>, Outcome);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let outcome = if this.entry.stop.is_thrown(cx, this.waker) {
            None
        } else {
            Some(ready!(this.body.poll(cx)))
        };
        // Drop what is queued now, so that requests waiting in it release their
        // resources before the DOWN goes out.
        super::receive::flush();
        let own = context::with(|ctx| ctx.exit_reason.borrow_mut().take()).flatten();
        Poll::Ready((this.entry.clone(), own, outcome))
    }
}

pin_project_lite::pin_project! {
    /// A whole process: [`Run`] inside the process context, then the exit.
    pub(crate) struct Drive<F> {
        #[pin]
        scoped: TaskLocalFuture<Box<Ctx>, Run<F>>,
    }
}

impl<F: Future<Output = ()> + Send> Drive<F> {
    pub(crate) fn new(entry: Arc<ProcEntry>, ctx: Ctx, body: F) -> Self {
        let run = Run {
            entry,
            waker: None,
            body: AssertUnwindSafe(body).catch_unwind(),
        };
        Drive {
            scoped: CTX.scope(Box::new(ctx), run),
        }
    }
}

impl<F: Future<Output = ()>> Future for Drive<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut this = self.project();
        let (entry, own, finished) = ready!(this.scoped.as_mut().poll(cx));
        // The context (and the mailbox in it) goes before the exit is announced.
        drop(this.scoped.take_value());
        let signalled = match &entry.state.lock().status {
            Status::Exiting(reason) => Some(reason.clone()),
            _ => None,
        };
        // A crash report is for exits the process made itself (a panic, `exit`),
        // not for exit signals from others: their sender reported already.
        let (reason, report) = match (own, signalled, finished) {
            (Some(reason), _, _) => {
                let report = !reason.is_clean();
                (reason, report)
            }
            (None, Some(reason), _) => (reason, false),
            (None, None, Some(Ok(()))) => (ExitReason::Normal, false),
            (None, None, Some(Err(payload))) => (ExitReason::Panic(panic::reason(payload)), true),
            (None, None, None) => (ExitReason::Killed, false),
        };
        exit_process(&entry, reason, report);
        Poll::Ready(())
    }
}
