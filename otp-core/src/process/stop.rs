//! The switch an exit signal throws to stop a process at its next await point,
//! whatever it is waiting for.
//!
//! Once the exit sequence runs, the switch is *spent*: code run by the exit (a
//! `Drop` of the state or of a queued message) is no longer stopped at its
//! awaits, so a receive there returns at once (the mailbox is closed) instead
//! of waiting forever for a stop that has already happened.

use std::sync::atomic::{AtomicU8, Ordering};
use std::task::{Context, Waker};

use futures_util::task::AtomicWaker;

pub(crate) struct StopSwitch {
    state: AtomicU8,
    waker: AtomicWaker,
}

const RUNNING: u8 = 0;
const THROWN: u8 = 1;
const SPENT: u8 = 2;

impl StopSwitch {
    pub(crate) fn new() -> Self {
        StopSwitch {
            state: AtomicU8::new(RUNNING),
            waker: AtomicWaker::new(),
        }
    }

    /// Stops the process: it is woken, and its body is not polled again.
    pub(crate) fn throw(&self) {
        // A spent switch stays spent: the process has stopped already.
        let _ = self
            .state
            .compare_exchange(RUNNING, THROWN, Ordering::AcqRel, Ordering::Acquire);
        self.waker.wake();
    }

    /// Whether the switch was thrown and the process has not yet stopped.
    pub(crate) fn thrown(&self) -> bool {
        self.state.load(Ordering::Acquire) == THROWN
    }

    /// The exit sequence has begun: nothing is to be stopped any more.
    pub(crate) fn spend(&self) {
        self.state.store(SPENT, Ordering::Release);
    }

    /// Says whether the switch was thrown, after making sure that throwing it
    /// wakes the current task. `known` is the waker registered last: a task's
    /// waker rarely changes, so the atomic registration happens once, and each
    /// later poll pays a pointer comparison and a load.
    pub(crate) fn is_thrown(&self, cx: &Context<'_>, known: &mut Option<Waker>) -> bool {
        if !known.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            self.waker.register(cx.waker());
            *known = Some(cx.waker().clone());
        }
        self.thrown()
    }
}
