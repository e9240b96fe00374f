//! # otp
//!
//! Erlang/OTP for Rust: processes, actors, tasks and supervisors with OTP's exact
//! semantics and Rust's types. This crate re-exports [`otp_core`] (the runtime)
//! and `otp_macros` (the `#[actor]` and `supervisor!` macros; the guide to them,
//! with the hand-written equivalent of everything they generate, is `macros`).
//!
//! The package is published as `otp-rt`; its library is called `otp`, so a
//! dependency `otp-rt = "0.1"` is used as `use otp::...`.
//!
//! # Cargo features
//!
//! | feature | default | what it gives |
//! |---|---|---|
//! | `macros` | on | `#[actor]`, `supervisor!` and the [`macros`] guide |
//! | `tracing` | on | crash reports, supervisor reports and warnings as `tracing` events; without it, errors and warnings are written to stderr (nothing is lost silently) and debug/info events are compiled out |
//! | `metrics` | off | counters, gauges and histograms through the `metrics` facade (see `otp_core::metrics`); zero cost when off |
//! | `dist` | off | Erlang distribution: a node that Erlang, Elixir and Gleam nodes talk to (`otp::dist`, the `otp-dist` crate) |
//!
//! tokio's `macros` feature is not forced on you: turn it on in your own
//! manifest if you use `#[tokio::main]`.
//!
//! # Naming
//!
//! Erlang's name for Erlang's concept, spelled the Rust way; Gleam's where only
//! Gleam has the concept. `spawn` never links and `spawn_link` does (processes
//! and tasks alike); behaviours `start`, linked to a calling process as OTP's
//! `start_link`; whatever waits takes its timeout right after its target;
//! Erlang's `undefined` is `None`. Erlang and Gleam names that differ are
//! documentation aliases: search for `gen_server`, `start_link`, `cast` or
//! `self`. The full rule is in [`otp_core`'s docs](otp_core#naming).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use otp_core::{actor, observe, process, runtime, sys, task};

#[cfg(feature = "metrics")]
pub use otp_core::metrics;

#[cfg(feature = "macros")]
pub use otp_macros::{actor, supervisor};

/// Supervision trees, after Erlang's `supervisor`: everything of
/// [`otp_core::supervisor`] (see there for the guide), plus the `supervisor!`
/// macro, so that one import brings both the module and the macro:
/// `use otp::supervisor::{self, supervisor, ChildSpec};` (or
/// `use otp::supervisor;` alone, which names both).
pub mod supervisor {
    #[doc(inline)]
    pub use otp_core::supervisor::*;
    #[cfg(feature = "macros")]
    pub use otp_macros::supervisor;
}

#[cfg(feature = "macros")]
pub mod macros;

pub mod testing;

/// Erlang distribution (feature `dist`): see [`otp_dist`].
#[cfg(feature = "dist")]
pub use otp_dist as dist;

#[cfg(feature = "macros")]
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// The items most programs need.
pub mod prelude {
    pub use otp_core::actor::{self, Flow, Next, ReplyAndStop};
    pub use otp_core::process::{
        self, CallError, Down, ExitMessage, ExitReason, Monitor, Name, Pid, Selector, Subject,
    };
    pub use otp_core::sys;
    #[cfg(feature = "macros")]
    pub use otp_macros::{actor, supervisor};
}

/// The README's examples (the quick start included), compiled and run as
/// doctests so that what a new user copies keeps working.
#[cfg(all(doctest, feature = "macros"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
