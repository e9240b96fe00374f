//! The switch an exit signal throws to stop a process at its next await point,
//! whatever it is waiting for.

use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Waker};

use futures_util::task::AtomicWaker;

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

    /// Whether the switch was thrown.
    pub(crate) fn thrown(&self) -> bool {
        self.thrown.load(Ordering::Acquire)
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
