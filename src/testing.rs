//! Helpers for your own tests: every test body runs as a process under a time
//! limit, so a hang fails the test instead of stalling the suite, and waits
//! for messages and DOWNs are bounded.
//!
//! They panic (that is how a test fails) with a message saying what did not
//! come; use them in tests, not in library code.
//!
//! ```
//! use std::time::Duration;
//! use otp::process::{self, Subject};
//! use otp::testing;
//!
//! testing::run(Duration::from_secs(10), async {
//!     let inbox = Subject::<u32>::new();
//!     let to_me = inbox.clone();
//!     let worker = process::spawn(async move { to_me.send(42) });
//!     assert_eq!(testing::receive(&inbox).await, 42);
//!     testing::wait_down(worker).await;
//! });
//! ```

use std::time::Duration;

use otp_core::process::{self, Down, Monitor, Pid, Selector, Subject};

/// How long [`receive`] and [`wait_down`] wait before failing the test.
pub const WAIT: Duration = Duration::from_secs(5);

/// Runs `body` as a process and returns its value; panics if the process exits
/// without finishing (a panic inside it, a kill) or takes longer than `limit`.
pub async fn within<T: Send + 'static>(
    limit: Duration,
    body: impl Future<Output = T> + Send + 'static,
) -> T {
    match tokio::time::timeout(limit, process::run(body)).await {
        Ok(Ok(value)) => value,
        Ok(Err(reason)) => panic!("the test process exited: {reason}"),
        Err(_) => panic!("the test took longer than {limit:?}"),
    }
}

/// [`within`] for a plain `#[test]`: starts a runtime, runs `body` as a process
/// under `limit`, and returns its value.
pub fn run<T: Send + 'static>(
    limit: Duration,
    body: impl Future<Output = T> + Send + 'static,
) -> T {
    otp_core::runtime::block_on(within(limit, body)).expect("the test's runtime")
}

/// The next message on `subject` (ExUnit's `assert_receive`); panics if none
/// comes within [`WAIT`]. Call it from the process that owns `subject`.
pub async fn receive<M: Send + 'static>(subject: &Subject<M>) -> M {
    receive_within(subject, WAIT).await
}

/// [`receive`] with its own timeout.
pub async fn receive_within<M: Send + 'static>(subject: &Subject<M>, timeout: Duration) -> M {
    match process::receive(subject, timeout).await {
        Ok(message) => message,
        Err(error) => panic!("expected a message within {timeout:?}: {error}"),
    }
}

/// The DOWN of `monitor`; panics if it does not come within [`WAIT`].
pub async fn down_of(monitor: Monitor) -> Down {
    match Selector::new()
        .select_monitor(monitor, |down| down)
        .receive(WAIT)
        .await
    {
        Ok(down) => down,
        Err(error) => panic!("expected a DOWN within {WAIT:?}: {error}"),
    }
}

/// Monitors `pid` and waits for its DOWN (at once with `NoProc` if it is dead).
pub async fn wait_down(pid: Pid) -> Down {
    down_of(process::monitor(pid)).await
}
