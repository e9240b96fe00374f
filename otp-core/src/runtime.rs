//! Starting the runtime.
//!
//! Processes run on tokio's multi-thread runtime. Either start one the usual way
//! (`#[tokio::main]`, `#[tokio::test(flavor = "multi_thread")]`) and spawn
//! processes from it, or use [`block_on`], which builds the runtime and runs your
//! future as the first process:
//!
//! ```
//! let answer = otp_core::runtime::block_on(async {
//!     let me = otp_core::process::self_pid();
//!     println!("running as {me}");
//!     42
//! });
//! assert_eq!(answer, Ok(42));
//! ```

use crate::process::{self, ExitReason};

/// Builds a multi-thread tokio runtime, runs `body` in it as a process and returns
/// what it returned, or the reason it exited without finishing (for example a
/// panic). Processes still running when `body` finishes are dropped with the
/// runtime.
///
/// # Panics
/// If the runtime cannot be built, or if called from inside a runtime.
///
/// # Errors
/// The body's exit reason if its process exited without finishing (a panic, an
/// exit signal).
pub fn block_on<T: Send + 'static>(
    body: impl Future<Output = T> + Send + 'static,
) -> Result<T, ExitReason> {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => panic!("otp: could not build the tokio runtime: {error}"),
    };
    runtime.block_on(process::run(body))
}
