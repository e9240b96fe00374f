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
#[doc(alias = "TimerRef")]
pub struct Timer {
    inner: Arc<TimerInner>,
}

#[derive(Debug)]
struct TimerInner {
    /// `None`: never (a delay beyond the clock).
    deadline: Option<Instant>,
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

/// Sends `message` to `subject` after `delay` (`erlang:send_after/3`). The message
/// goes through the receiver's mailbox like any other.
///
/// # Panics
/// Outside a tokio runtime.
pub fn send_after<M: Send + 'static>(subject: &Subject<M>, delay: Duration, message: M) -> Timer {
    // A delay beyond the clock never fires: the timer waits forever.
    let deadline = super::time::deadline(delay);
    let inner = Arc::new(TimerInner {
        deadline,
        state: Mutex::new(TimerState::Pending),
        task: OnceLock::new(),
    });
    let timer = inner.clone();
    let subject = subject.clone();
    let task = context::handle("send_after").spawn(async move {
        match deadline {
            Some(deadline) => tokio::time::sleep_until(deadline).await,
            None => std::future::pending().await,
        }
        let fired = {
            let mut state = timer.state.lock();
            let pending = *state == TimerState::Pending;
            if pending {
                *state = TimerState::Fired;
            }
            pending
        };
        // A cancel that comes first wins; one that comes later finds the timer
        // fired. The send is outside the lock: dropping a message that cannot
        // be delivered runs user code, which may cancel this very timer.
        if fired {
            subject.send(message);
        }
    });
    let _ = inner.task.set(task.abort_handle());
    Timer { inner }
}

/// Cancels `timer` (`erlang:cancel_timer/1`): `Some` with the time that was left
/// if it had not fired (its message will never arrive), `None` if it had already
/// fired or been cancelled (Erlang's `false`).
pub fn cancel_timer(timer: &Timer) -> Option<Duration> {
    let mut state = timer.inner.state.lock();
    match *state {
        TimerState::Pending => {
            *state = TimerState::Cancelled;
            drop(state);
            // Aborting drops the message (user code) on the runtime, not here.
            if let Some(task) = timer.inner.task.get() {
                task.abort();
            }
            Some(timer.inner.deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            }))
        }
        TimerState::Fired | TimerState::Cancelled => None,
    }
}
