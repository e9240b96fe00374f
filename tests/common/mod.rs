//! Helpers shared by the integration tests: each test runs as a process under a
//! time limit, so that a hang fails the test instead of stalling the suite.

// Each test crate uses its own subset of these.
#![allow(dead_code)]

use std::time::Duration;

use otp::process::{self, Down, Monitor, Pid, Selector};

/// How long a test waits for one message it expects before failing.
pub const WAIT: Duration = Duration::from_secs(5);

/// Runs `body` as a process and returns its value; fails the test if the process
/// exits without finishing or takes longer than `limit`.
pub async fn within<T: Send + 'static>(
    limit: Duration,
    body: impl Future<Output = T> + Send + 'static,
) -> T {
    match tokio::time::timeout(limit, process::run(body)).await {
        Ok(Ok(value)) => value,
        Ok(Err(reason)) => panic!("the test process exited: {reason}"),
        Err(_) => panic!("the test timed out"),
    }
}

/// The DOWN of `monitor`; fails the test if it does not come within [`WAIT`].
pub async fn down_of(monitor: Monitor) -> Down {
    Selector::new()
        .select_monitor(monitor, |down| down)
        .receive(WAIT)
        .await
        .expect("a DOWN")
}

/// Monitors `pid` and waits for its DOWN.
pub async fn wait_down(pid: Pid) -> Down {
    down_of(process::monitor(pid)).await
}
