//! Waiting for a value or a DOWN: the one primitive under `call`, `run`, task
//! awaits and actor starts.
//!
//! A [`Slot`] is watched as a monitor of one process. The value comes from
//! whoever answers (the callee's reply, the process's own result); the DOWN
//! comes from the exit sequence, after the process has left the table. A call
//! needs the first of the two; `run` and a task's await need the DOWN (with the
//! value if there was one), so that once they return, the process is gone:
//! `is_alive` says `false` and `list` does not show it.
//!
//! The slot lives with its owner (the pending call, the `Task`), not in the
//! future that awaits it, so an await dropped half-way (in `select!`) loses
//! nothing: the next await finds the value where it was.

use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;

use super::context;
use super::exit::{Down, ExitReason};
use super::table::{Notify, Watcher};

pub(crate) struct Slot<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    value: Option<T>,
    /// The value was put (and maybe taken since).
    answered: bool,
    down: Option<ExitReason>,
    waker: Option<Waker>,
    /// Nobody waits any more: later values are refused.
    closed: bool,
}

/// What a wait for the first of value and DOWN got.
pub(crate) enum First<T> {
    Value(T),
    Down(ExitReason),
}

impl<T: Send + 'static> Slot<T> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Slot {
            state: Mutex::new(State {
                value: None,
                answered: false,
                down: None,
                waker: None,
                closed: false,
            }),
        })
    }

    /// The watcher to register as a monitor of the process waited for.
    pub(crate) fn watcher(self: &Arc<Self>) -> Watcher {
        Watcher::Callback(self.clone())
    }

    /// Puts the value; gives it back if nobody waits any more or a value was
    /// already put (a reply subject answers once).
    pub(crate) fn put(&self, value: T) -> Result<(), T> {
        let mut state = self.state.lock();
        if state.closed || state.answered {
            return Err(value);
        }
        state.value = Some(value);
        state.answered = true;
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Refuses later values; returns one that came and was not taken, for the
    /// caller to drop.
    pub(crate) fn close(&self) -> Option<T> {
        let mut state = self.state.lock();
        state.closed = true;
        state.value.take()
    }

    fn register(state: &mut State<T>, cx: &Context<'_>) {
        if !state
            .waker
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()))
        {
            state.waker = Some(cx.waker().clone());
        }
    }

    fn poll_first(&self, cx: &Context<'_>) -> Poll<First<T>> {
        let mut state = self.state.lock();
        if let Some(value) = state.value.take() {
            return Poll::Ready(First::Value(value));
        }
        if let Some(reason) = &state.down {
            return Poll::Ready(First::Down(reason.clone()));
        }
        Self::register(&mut state, cx);
        Poll::Pending
    }

    fn poll_exit(&self, cx: &Context<'_>) -> Poll<(Option<T>, ExitReason)> {
        let mut state = self.state.lock();
        if let Some(reason) = state.down.clone() {
            return Poll::Ready((state.value.take(), reason));
        }
        Self::register(&mut state, cx);
        Poll::Pending
    }

    /// Waits for the value or the DOWN, whichever comes first.
    pub(crate) async fn first(&self) -> First<T> {
        poll_fn(|cx| stop_or(cx, |cx| self.poll_first(cx))).await
    }

    /// Waits for the DOWN; returns it with the value, if one came.
    pub(crate) async fn exit(&self) -> (Option<T>, ExitReason) {
        poll_fn(|cx| stop_or(cx, |cx| self.poll_exit(cx))).await
    }

    /// Whether the DOWN has come.
    pub(crate) fn is_down(&self) -> bool {
        self.state.lock().down.is_some()
    }
}

/// A process told to exit stops at this await instead of completing it.
fn stop_or<R>(cx: &mut Context<'_>, poll: impl FnOnce(&Context<'_>) -> Poll<R>) -> Poll<R> {
    if context::stopping() {
        return Poll::Pending;
    }
    poll(cx)
}

impl<T: Send + 'static> Notify for Slot<T> {
    fn down(&self, down: Down) {
        let mut state = self.state.lock();
        state.down = Some(down.reason);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}
