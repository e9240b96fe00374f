//! Receiving from the mailbox of the calling process.

use std::future::poll_fn;
use std::task::Poll;
use std::time::Duration;

use super::context;
use super::mailbox::{Taken, Took, Want};
use super::time::{self, Elapsed};
use super::{Pid, Subject};

/// Why a receive returned without a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
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
    /// The caller is not a process, so it has no mailbox (or it is a process
    /// that is exiting: code run by its exit, such as a `Drop`, has none).
    #[error("receive was called outside a process")]
    NotInProcess,
}

/// Receives the next message sent to `subject`, waiting at most `timeout`
/// (`receive ... after Timeout`). Other messages stay queued, in order. A
/// timeout too large for the clock (such as `Duration::MAX`) waits forever.
///
/// # Errors
/// [`ReceiveError::Timeout`] if no message came in time,
/// [`ReceiveError::NotOwner`] if the caller does not own `subject`,
/// [`ReceiveError::NotInProcess`] outside a process.
///
/// # Cancel safety
/// Cancel safe: a message leaves the mailbox only in the poll that returns it,
/// so a receive dropped before it completes (in `select!`, by a timeout) loses
/// nothing.
pub async fn receive<M: Send + 'static>(
    subject: &Subject<M>,
    timeout: Duration,
) -> Result<M, ReceiveError> {
    check_owner(subject)?;
    within(
        timeout,
        select_with(&[subject.want()], |(_, taken)| Subject::<M>::extract(taken)),
    )
    .await?
}

/// Receives the next message sent to `subject`, waiting as long as it takes.
///
/// # Errors
/// [`ReceiveError::NotOwner`] if the caller does not own `subject`,
/// [`ReceiveError::NotInProcess`] outside a process.
///
/// # Cancel safety
/// Cancel safe: a message leaves the mailbox only in the poll that returns it,
/// so a receive dropped before it completes (in `select!`, by a timeout) loses
/// nothing.
pub async fn receive_forever<M: Send + 'static>(subject: &Subject<M>) -> Result<M, ReceiveError> {
    check_owner(subject)?;
    select_with(&[subject.want()], |(_, taken)| Subject::<M>::extract(taken)).await
}

/// Drops every message queued in the calling process's mailbox (of any subject,
/// and any DOWN or EXIT) and returns how many there were. Outside a process it
/// does nothing and returns 0.
pub fn flush() -> usize {
    context::remove_queued(&[Want::Anything])
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

/// Runs a receive for at most `timeout`.
pub(crate) async fn within<T>(
    timeout: Duration,
    future: impl Future<Output = Result<T, ReceiveError>>,
) -> Result<Result<T, ReceiveError>, ReceiveError> {
    time::within(timeout, future)
        .await
        .map_err(|elapsed| match elapsed {
            Elapsed::Timeout => ReceiveError::Timeout,
            // A process always has a runtime; outside one, the receive failed first.
            Elapsed::NoRuntime => ReceiveError::NotInProcess,
        })
}

/// Waits for the first envelope, in mailbox order, that `wants` accept, and
/// maps it with `map` once the mailbox is released (so `map` may receive too).
/// A process told to exit stops here instead.
///
/// Each message taken spends one unit of tokio's cooperative budget, as a
/// receive on a tokio channel does. Without it, a process whose mailbox is
/// never empty (a supervisor retrying a start that fails at once sends itself
/// `try_again_restart` and receives it again) never returns `Pending`: it holds
/// its worker thread for good, and a task it woke (a caller waiting for its
/// reply) starves in that worker's LIFO slot, which other workers cannot steal.
/// With the budget spent, the receive yields every 128 messages or so.
pub(crate) async fn select_with<T>(
    wants: &[Want],
    mut map: impl FnMut(Took) -> Option<T>,
) -> Result<T, ReceiveError> {
    poll_fn(move |cx| {
        let coop = std::task::ready!(tokio::task::coop::poll_proceed(cx));
        loop {
            let polled = context::with(|ctx| {
                if ctx.entry.stop.thrown() {
                    return Poll::Pending;
                }
                match ctx.mailbox.try_borrow_mut() {
                    Ok(mut mailbox) => mailbox.poll_take(cx, wants),
                    Err(_) => Poll::Ready((0, Taken::Closed)),
                }
            });
            match polled {
                None | Some(Poll::Ready((_, Taken::Closed))) => {
                    return Poll::Ready(Err(ReceiveError::NotInProcess));
                }
                Some(Poll::Pending) => return Poll::Pending,
                Some(Poll::Ready(taken)) => {
                    coop.made_progress();
                    if let Some(value) = map(taken) {
                        return Poll::Ready(Ok(value));
                    }
                    // Not ours after all (a message whose type did not match):
                    // it is dropped, and we look again.
                    crate::log::warning!(
                        target: "otp::process",
                        "a receive dropped a message it could not take"
                    );
                }
            }
        }
    })
    .await
}
