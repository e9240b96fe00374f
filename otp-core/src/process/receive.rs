//! Receiving from the mailbox of the calling process.

use std::future::poll_fn;

use futures_util::FutureExt;
use std::task::Poll;
use std::time::Duration;

use super::context;
use super::mailbox::Slot;
use super::{Pid, Subject};

/// Why a receive returned without a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    /// Nothing matching arrived in time.
    #[error("no message arrived in time")]
    Timeout,
    /// The subject belongs to another process: only its owner may receive on it.
    #[error("only the owner {owner} may receive on this subject")]
    NotOwner {
        /// The subject's owner.
        owner: Pid,
    },
    /// The caller is not a process, so it has no mailbox.
    #[error("receive was called outside a process")]
    NotInProcess,
}

/// Receives the next message sent to `subject`, waiting at most `timeout`
/// (`receive ... after Timeout`). Other messages stay queued, in order.
pub async fn receive<M: Send + 'static>(
    subject: &Subject<M>,
    timeout: Duration,
) -> Result<M, ReceiveError> {
    check_owner(subject)?;
    within(timeout, select_with(|slot| subject.take_from(slot))).await
}

/// Receives the next message sent to `subject`, waiting as long as it takes.
pub async fn receive_forever<M: Send + 'static>(subject: &Subject<M>) -> Result<M, ReceiveError> {
    check_owner(subject)?;
    Ok(select_with(|slot| subject.take_from(slot)).await)
}

/// Drops every message queued in the calling process's mailbox (of any subject,
/// and any DOWN or EXIT) and returns how many there were. Outside a process, or
/// from inside a [`Selector`](super::Selector)'s mapping function, it does nothing
/// and returns 0.
pub fn flush() -> usize {
    context::with(|ctx| ctx.mailbox.try_borrow_mut().map_or(0, |mut m| m.flush())).unwrap_or(0)
}

fn check_owner<M: Send + 'static>(subject: &Subject<M>) -> Result<(), ReceiveError> {
    let me = context::with(|ctx| ctx.entry.pid).ok_or(ReceiveError::NotInProcess)?;
    if subject.owned_by(me) {
        Ok(())
    } else {
        Err(ReceiveError::NotOwner {
            owner: subject.owner(),
        })
    }
}

pub(crate) async fn within<T>(
    timeout: Duration,
    future: impl Future<Output = T>,
) -> Result<T, ReceiveError> {
    // `after 0`: look once, without waiting for the timer wheel's next tick.
    if timeout.is_zero() {
        return future.now_or_never().ok_or(ReceiveError::Timeout);
    }
    tokio::time::timeout(timeout, future)
        .await
        .map_err(|_| ReceiveError::Timeout)
}

/// Waits for the first envelope, in mailbox order, from which `matcher` takes a
/// value. Must run inside a process (callers check).
pub(crate) async fn select_with<T>(mut matcher: impl FnMut(Slot<'_>) -> Option<T>) -> T {
    let mut cursor = 0;
    poll_fn(move |cx| {
        let mut found = None;
        let polled = context::with(|ctx| {
            ctx.mailbox
                .borrow_mut()
                .poll_select(cx, &mut cursor, &mut |slot| {
                    found = matcher(slot);
                    found.is_some()
                })
        });
        match (polled, found) {
            (Some(Poll::Ready(())), Some(value)) => Poll::Ready(value),
            _ => Poll::Pending,
        }
    })
    .await
}
