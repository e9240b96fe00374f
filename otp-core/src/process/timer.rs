//! Timers: `erlang:send_after/3` and `erlang:cancel_timer/1`.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::Subject;
use super::context;

/// A timer started by [`send_after`].
#[derive(Clone, Debug)]
pub struct Timer {
    inner: Arc<TimerInner>,
}

#[derive(Debug)]
struct TimerInner {
    deadline: Instant,
    state: Mutex<TimerState>,
    /// The sleeping task, aborted on cancel so a long timer frees its memory.
    task: OnceLock<AbortHandle>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimerState {
    Pending,
    Fired,
    Cancelled,
}

/// What [`cancel_timer`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// The timer was cancelled with this much time left; its message will never
    /// arrive.
    Cancelled {
        /// Time that was left before it would have fired.
        remaining: Duration,
    },
    /// The timer had already fired (its message was sent) or was cancelled before.
    TimerNotFound,
}

/// Sends `message` to `subject` after `delay` (`erlang:send_after/3`). The message
/// goes through the receiver's mailbox like any other.
///
/// # Panics
/// Outside a tokio runtime.
pub fn send_after<M: Send + 'static>(subject: &Subject<M>, delay: Duration, message: M) -> Timer {
    let deadline = Instant::now() + delay;
    let inner = Arc::new(TimerInner {
        deadline,
        state: Mutex::new(TimerState::Pending),
        task: OnceLock::new(),
    });
    let timer = inner.clone();
    let subject = subject.clone();
    let task = context::handle("send_after").spawn(async move {
        tokio::time::sleep_until(deadline).await;
        let mut state = timer.state.lock();
        if *state == TimerState::Pending {
            *state = TimerState::Fired;
            // Sent under the lock: a cancel either comes first and wins, or finds
            // the timer fired.
            subject.send(message);
        }
    });
    let _ = inner.task.set(task.abort_handle());
    Timer { inner }
}

/// Cancels `timer` (`erlang:cancel_timer/1`). If it had not fired, its message
/// will never arrive.
pub fn cancel_timer(timer: &Timer) -> Cancelled {
    let mut state = timer.inner.state.lock();
    match *state {
        TimerState::Pending => {
            *state = TimerState::Cancelled;
            if let Some(task) = timer.inner.task.get() {
                task.abort();
            }
            Cancelled::Cancelled {
                remaining: timer
                    .inner
                    .deadline
                    .saturating_duration_since(Instant::now()),
            }
        }
        TimerState::Fired | TimerState::Cancelled => Cancelled::TimerNotFound,
    }
}
