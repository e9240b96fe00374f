//! The runtime of `otp`: Erlang/OTP's processes, actors and supervisors for Rust.
//!
//! - [`process`]: pids, typed subjects, selectors, links, monitors, exit signals,
//!   names and timers, following the `erlang` module.
//! - [`runtime`]: starting the tokio runtime the processes run on.
//!
//! See the `otp` crate for the guide.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod process;
pub mod runtime;
