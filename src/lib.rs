//! # otp
//!
//! Erlang/OTP for Rust: processes, actors, tasks and supervisors with OTP's exact
//! semantics and Rust's types. This crate re-exports [`otp_core`] (the runtime)
//! and [`otp_macros`] (the `#[actor]` and `supervisor!` macros; the guide to them,
//! with the hand-written equivalent of everything they generate, is [`macros`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use otp_core::{actor, process, runtime, supervisor, sys, task};
pub use otp_macros::{actor, supervisor};

pub mod macros;

/// Erlang distribution (feature `dist`): see [`otp_dist`].
#[cfg(feature = "dist")]
pub use otp_dist as dist;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// The items most programs need.
pub mod prelude {
    pub use crate::macros::{Flow, ReplyAndStop};
    pub use otp_core::actor::{self, Next};
    pub use otp_core::process::{
        self, CallError, Down, ExitMessage, ExitReason, Monitor, Name, Pid, Selector, Subject,
    };
    pub use otp_core::sys;
    pub use otp_macros::{actor, supervisor};
}
