//! Actors: Erlang's `gen_server`, typed as in Gleam OTP.
//!
//! An actor is a process that holds a state and handles messages one at a time.
//! Describe it with a builder, then start it:
//!
//! - [`new`] (a state) or [`new_with_initialiser`] (an `init` that runs in the
//!   actor's process and may fail);
//! - [`Builder::on_message`] (or [`Builder::on_message_async`]): a function from the
//!   state and a message to what happens [`Next`]: continue, continue with a new
//!   selector, or stop;
//! - [`Builder::named`], [`Builder::on_terminate`], [`Builder::trap_exits`],
//!   [`Builder::debug_state`];
//! - [`Builder::start`]: synchronous, like `proc_lib:start_link`. It returns once
//!   `init` has finished, with [`Started`] (pid and data) or a [`StartError`].
//!
//! Requests with a reply use [`call`](crate::process::call): the request carries a
//! reply [`Subject`](crate::process::Subject). Every actor answers the `sys`
//! messages ([`crate::sys`]). A message that the actor's selector does not cover is
//! dropped with a warning; a selector with its own
//! [`select_other`](crate::process::Selector::select_other) catch-all takes it
//! instead. A panic or an abnormal stop writes a crash report through `tracing`
//! (target `otp::crash_report`) naming the pid, the name, the reason and the last
//! message.
//!
//! ```
//! use std::time::Duration;
//! use otp_core::actor::{self, Next};
//! use otp_core::process::{self, Subject};
//!
//! enum Counter {
//!     Add(u64),
//!     Get(Subject<u64>),
//!     Stop,
//! }
//!
//! # otp_core::runtime::block_on(async {
//! let counter = actor::new(0u64)
//!     .on_message(|count, message| match message {
//!         Counter::Add(n) => Next::Continue(count + n),
//!         Counter::Get(reply) => {
//!             reply.send(count);
//!             Next::Continue(count)
//!         }
//!         Counter::Stop => Next::stop(count),
//!     })
//!     .start()
//!     .await
//!     .unwrap();
//! let subject = counter.data;
//! subject.send(Counter::Add(2));
//! subject.send(Counter::Add(3));
//! let total = process::call(&subject, Duration::from_secs(1), Counter::Get).await;
//! assert_eq!(total, Ok(5));
//! subject.send(Counter::Stop);
//! # }).unwrap();
//! ```

mod builder;
mod error;
mod flow;
mod next;
mod run;
mod start;

pub use builder::{Builder, DEFAULT_INIT_TIMEOUT, Initialised, new, new_with_initialiser};
pub use error::{InitError, StartError};
pub use flow::{Flow, ReplyAndStop};
pub use next::Next;
pub use start::Started;
