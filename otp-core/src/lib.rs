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
//! See the `otp-rt` crate (used as `otp`) for the guide.
//!
//! # Naming
//!
//! One rule, applied everywhere: **Erlang's name for Erlang's concept, spelled
//! the Rust way; Gleam's where only Gleam has the concept.**
//!
//! - A function that `erlang`, `gen_server`, `supervisor`, `sys` or `proc_lib`
//!   defines keeps its name: `spawn_link`, `monitor`, `send_after`, `whereis`,
//!   `which_children`, `get_state`. What only Gleam has keeps Gleam's name:
//!   selectors, `Next`, `new_with_initialiser`, `try_await`.
//! - Linking is in the name of the primitives: `spawn` (a process or a task)
//!   never links, `spawn_link` links, `spawn_monitor` monitors. Behaviours
//!   (actors, supervisors, factories) are started with `start`, which links to
//!   a calling process like OTP's `start_link` and Gleam's `start`.
//! - Whatever waits takes its timeout right after its target, before anything
//!   else: `call(&subject, timeout, make_request)`, `receive(&subject, timeout)`,
//!   `send_after(&subject, delay, message)`, `sys::terminate(pid, timeout,
//!   reason)`. A `_forever` variant waits without a timeout; a `_blocking`
//!   variant blocks a plain thread instead of awaiting.
//! - Erlang atoms that mean "nothing" are `Option`s (`undefined` and
//!   `cancel_timer`'s `false` are `None`); `{error, Reason}` is a `Result` whose
//!   error is a `thiserror` enum named `…Error`.
//! - Where the Rust name differs from Erlang's or Gleam's, the item carries the
//!   other names as `#[doc(alias)]`, so a documentation search for
//!   `gen_server`, `start_link`, `cast`, `self`, `process_info`, `select` or
//!   `await` finds it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[doc(alias = "gen_server")]
pub mod actor;
mod log;
#[cfg(feature = "metrics")]
pub mod metrics;
#[doc(alias = "observer")]
pub mod observe;
pub mod process;
pub mod runtime;
pub mod supervisor;
pub mod sys;
pub mod task;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
