//! The future a process runs as, and its exit: the one place that decides how
//! a process ended and what its links and monitors see.
//!
//! The body runs under `catch_unwind`, inside the process context, until it
//! returns its exit, panics, or the stop switch is thrown (an exit signal, or
//! [`exit`](super::exit)). Then, in this order: the decision (reason, crash
//! report or not); the process leaves the table and frees its name; its body
//! and queued messages are dropped (user `Drop` code, guarded: a panic there is
//! logged and the exit goes on); the crash report; exit signals to its links;
//! DOWNs to its monitors. So whoever sees the DOWN of a process knows that it
//! has left the table and that its links have been signalled.
//!
//! If the future is dropped before it finished (its runtime shut down, or its
//! thread could not start), the same exit runs from `Drop`, with `Killed`.
//!
//! Written by hand rather than as an `async fn` because it wraps every process:
//! an `async fn` keeps both the unstarted body and the running one in its state.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::context::{self, Ctx};
use super::exit::{Down, ExitReason, Monitor, PanicReason};
use super::panic;
use super::registry;
use super::signal::exit_signal;
use super::table::{self, ProcEntry, Status};

/// How a process body ended by itself: its reason, and whether it already
/// wrote its crash report (behaviours write their own, with their state).
pub(crate) struct Exit {
    pub(crate) reason: ExitReason,
    pub(crate) reported: bool,
}

/// What a process body may return.
pub(crate) trait IntoExit {
    fn into_exit(self) -> Exit;
}

impl IntoExit for () {
    fn into_exit(self) -> Exit {
        Exit {
            reason: ExitReason::Normal,
            reported: false,
        }
    }
}

impl IntoExit for Exit {
    fn into_exit(self) -> Exit {
        self
    }
}

enum Outcome {
    Returned(Exit),
    Panicked(PanicReason),
    /// The body called [`exit`](super::exit) and nothing caught it.
    Exited(ExitReason),
    /// The stop switch was thrown: the status says why.
    Stopped,
    /// The future was dropped unfinished.
    Abandoned(ExitReason),
}

pin_project_lite::pin_project! {
    pub(crate) struct Drive<F> {
        entry: Arc<ProcEntry>,
        ctx: Option<Box<Ctx>>,
        waker: Option<Waker>,
        done: bool,
        #[pin]
        body: Option<F>,
    }

    impl<F> PinnedDrop for Drive<F> {
        fn drop(this: Pin<&mut Self>) {
            if !this.done {
                this.finish(Outcome::Abandoned(ExitReason::Killed));
            }
        }
    }
}

impl<F> Drive<F> {
    pub(crate) fn new(ctx: Ctx, body: F) -> Self {
        Drive {
            entry: ctx.entry.clone(),
            ctx: Some(Box::new(ctx)),
            waker: None,
            done: false,
            body: Some(body),
        }
    }

    /// Ends a process that will never run (its thread could not start).
    pub(crate) fn abandon(self: Pin<&mut Self>, reason: ExitReason) {
        if !self.done {
            self.finish(Outcome::Abandoned(reason));
        }
    }

    /// The exit sequence.
    fn finish(self: Pin<&mut Self>, outcome: Outcome) {
        let mut this = self.project();
        *this.done = true;
        let entry = this.entry.clone();
        // From here on, awaits in code the exit runs (a `Drop`) complete
        // rather than stop: a receive there finds the mailbox closed.
        entry.stop.spend();
        let (reason, report, links, monitors, name) = {
            let mut state = entry.state.lock();
            let (reason, report) = decide(&state.status, outcome);
            state.status = Status::Dead;
            table::remove(entry.pid);
            let relations = state.relations_mut();
            let links = std::mem::take(&mut relations.links);
            let monitors = std::mem::take(&mut relations.monitors);
            let name = relations.name.take();
            if let Some(name) = &name {
                registry::release(name, entry.pid);
            }
            (reason, report, links, monitors, name)
        };
        // What the process leaves is dropped inside its context (`self_pid`
        // works in a `Drop`) with its mailbox closed (a receive returns at once).
        let body = this.body.as_mut();
        context::enter(this.ctx, || {
            let queued =
                context::with(|ctx| ctx.mailbox.try_borrow_mut().ok().map(|mut m| m.close()));
            guarded(entry.pid, "its state", || {
                let mut body = body;
                body.set(None);
            });
            guarded(entry.pid, "its queued messages", move || drop(queued));
        });
        *this.ctx = None;
        if report {
            crate::log::error!(
                target: "otp::crash_report",
                pid = %entry.pid,
                name = name.as_ref().map_or("-", |n| &*n.label),
                reason = %reason,
                "process {} crashed: {}", entry.pid, reason
            );
            let name = name.as_ref().map(|n| &*n.label);
            crate::observe::hooks::crashed(entry.pid, name, &reason, None, None);
        }
        for (reference, target) in monitors {
            if let Some(watched) = table::get(target) {
                watched.state.lock().forget_watcher(reference);
            } else if !target.is_local() {
                let monitor = Monitor {
                    reference,
                    pid: target,
                };
                super::remote::demonitor(entry.pid, monitor);
            }
        }
        for pid in links {
            if let Some(target) = table::get(pid) {
                exit_signal(&target, entry.pid, &reason, true);
            } else if !pid.is_local() {
                super::remote::exit(entry.pid, pid, &reason, true);
            }
        }
        // Now dead, the process takes no new watchers; one removed meanwhile by
        // `demonitor` gets no DOWN, as it should.
        let mut state = entry.state.lock();
        let watchers = std::mem::take(&mut state.relations_mut().monitored_by);
        for (reference, watcher) in watchers {
            watcher.deliver(Down {
                monitor: Monitor {
                    reference,
                    pid: entry.pid,
                },
                pid: entry.pid,
                reason: reason.clone(),
            });
        }
        state.tidy();
    }
}

/// The one decision: the exit reason, and whether to write a crash report.
/// A crash report is for exits the process made itself (a panic, `exit`, a
/// behaviour's abnormal stop it did not report), never for exit signals: their
/// sender reported already.
fn decide(status: &Status, outcome: Outcome) -> (ExitReason, bool) {
    match (status, outcome) {
        // An exit signal that came first decides.
        (Status::Exiting { reason }, _) => (reason.clone(), false),
        (_, Outcome::Returned(exit)) => {
            let report = !exit.reported && !exit.reason.is_clean();
            (exit.reason, report)
        }
        (_, Outcome::Panicked(reason)) => (ExitReason::Panic(reason), true),
        (_, Outcome::Exited(reason)) => {
            let report = !reason.is_clean();
            (reason, report)
        }
        (_, Outcome::Abandoned(reason)) => {
            crate::log::debug!(target: "otp::process", %reason, "a process ended unfinished");
            (reason, false)
        }
        (_, Outcome::Stopped) => (ExitReason::Killed, false),
    }
}

/// Runs `drop` (user `Drop` code); a panic in it is logged, not propagated.
fn guarded(pid: super::Pid, what: &str, drop: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(drop)) {
        let reason = panic::reason(payload);
        crate::log::error!(
            target: "otp::crash_report",
            %pid,
            "a Drop panicked while process {pid} exited, dropping {what}: {}",
            ExitReason::Panic(reason)
        );
    }
}

impl<F: Future<Output = O>, O: IntoExit> Future for Drive<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let mut this = self.as_mut().project();
        let outcome = if this.entry.stop.is_thrown(cx, this.waker) {
            Outcome::Stopped
        } else {
            let body = this.body.as_mut();
            let polled = context::enter(this.ctx, || {
                catch_unwind(AssertUnwindSafe(|| body.as_pin_mut().map(|b| b.poll(cx))))
            });
            match polled {
                Ok(Some(Poll::Pending)) => return Poll::Pending,
                Ok(Some(Poll::Ready(output))) => Outcome::Returned(output.into_exit()),
                Ok(None) => Outcome::Stopped,
                Err(payload) => match panic::caught(payload) {
                    ExitReason::Panic(reason) => Outcome::Panicked(reason),
                    reason => Outcome::Exited(reason),
                },
            }
        };
        self.finish(outcome);
        Poll::Ready(())
    }
}
