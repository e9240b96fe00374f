//! Sleeping as the calling process (Erlang's `timer:sleep/1`, Gleam's
//! `process.sleep` and `process.sleep_forever`).

use std::time::Duration;

/// Suspends the calling task for `duration` without holding a worker thread.
/// Messages keep arriving in the mailbox meanwhile; an exit signal that kills
/// the process ends the sleep with it.
///
/// ```
/// use std::time::Duration;
/// use otp_core::process;
///
/// # otp_core::runtime::block_on(async {
/// process::sleep(Duration::from_millis(1)).await;
/// # }).unwrap();
/// ```
///
/// # Panics
/// Outside a tokio runtime with time enabled.
///
/// # Cancel safety
/// Cancel safe: dropping it only ends the wait.
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// Suspends the calling process until it is killed (by an exit signal, or its
/// runtime stopping). A process that only holds links or a name does this.
///
/// # Cancel safety
/// Cancel safe: dropping it only ends the wait.
pub async fn sleep_forever() -> ! {
    std::future::pending::<()>().await;
    unreachable!("a pending future never completes")
}
