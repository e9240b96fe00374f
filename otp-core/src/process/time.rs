//! Timeouts: how long an await may wait.
//!
//! A timeout too large to add to the clock means "forever" (`Duration::MAX`
//! included), never a panic. A zero timeout looks once without waiting for the
//! timer wheel's next tick (`receive ... after 0`).

use std::time::Duration;

use futures_util::FutureExt;
use tokio::time::Instant;

use super::context;

/// Why a timed await ended without its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Elapsed {
    /// The time ran out.
    Timeout,
    /// A finite timeout was asked for, but there is no tokio runtime to keep
    /// time (a plain thread running a future with another executor).
    NoRuntime,
}

/// The instant `timeout` from now, or `None` if that is beyond the clock.
pub(crate) fn deadline(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// Runs `future` for at most `timeout`.
///
/// A process told to exit stops here instead of timing out, even for a zero
/// timeout: its pending exit is never lost to an await that did not wait.
pub(crate) async fn within<T>(
    timeout: Duration,
    future: impl Future<Output = T>,
) -> Result<T, Elapsed> {
    if timeout.is_zero() {
        return match future.now_or_never() {
            Some(value) => Ok(value),
            None if context::stopping() => std::future::pending().await,
            None => Err(Elapsed::Timeout),
        };
    }
    let deadline = deadline(timeout);
    if tokio::runtime::Handle::try_current().is_err() {
        return match deadline {
            None => Ok(future.await),
            Some(_) => Err(Elapsed::NoRuntime),
        };
    }
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, future)
            .await
            .map_err(|_| Elapsed::Timeout),
        None => Ok(future.await),
    }
}
