//! # otp
//!
//! Erlang/OTP for Rust: processes, actors, tasks and supervisors with OTP's exact
//! semantics and Rust's types. This crate re-exports [`otp_core`] (the runtime)
//! and [`otp_macros`] (the `#[actor]` and `supervisor!` macros; the guide to them,
//! with the hand-written equivalent of everything they generate, is [`macros`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use otp_core::{actor, process, runtime, sys, task};
pub use otp_macros::{actor, supervisor};

/// Supervision trees, after Erlang's `supervisor`: everything of
/// [`otp_core::supervisor`] (see there for the guide), plus the `supervisor!`
/// macro, so that one import brings both the module and the macro:
/// `use otp::supervisor::{self, supervisor, ChildSpec};` (or
/// `use otp::supervisor;` alone, which names both).
pub mod supervisor {
    #[doc(inline)]
    pub use otp_core::supervisor::*;
    pub use otp_macros::supervisor;
}

pub mod macros;

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
