//! The runtime of `otp`: Erlang/OTP's processes, actors and supervisors for Rust.
//!
//! - [`process`]: pids, typed subjects, selectors, links, monitors, exit signals,
//!   names and timers, following the `erlang` module.
//! - [`actor`]: `gen_server` for Rust: a typed, synchronous-start actor.
//! - [`supervisor`]: supervision trees, after Erlang's `supervisor`.
//! - [`sys`]: OTP's system messages, answered by every behaviour.
//! - [`task`]: one piece of work in its own process, awaited by its owner.
//! - [`runtime`]: starting the tokio runtime the processes run on.
//!
//! See the `otp` crate for the guide.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod actor;
mod log;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod observe;
pub mod process;
pub mod runtime;
pub mod supervisor;
pub mod sys;
pub mod task;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
