//! Processes: the lowest layer of OTP.
//!
//! A process is a lightweight task with a mailbox, a [`Pid`], and the signals that
//! tie processes together: links, monitors and exits. Everything here follows the
//! `erlang` module; names and semantics are Erlang's unless said otherwise.
//!
//! - **Spawning**: [`spawn`], [`spawn_link`], [`spawn_monitor`], the [`Builder`]
//!   (which can also put a process on a thread of its own), and [`run`], which
//!   runs a future as a process and waits for its result.
//! - **Messages**: a [`Subject<M>`] is a typed address owned by one process; send
//!   with [`Subject::send`], receive with [`receive`], or from several sources at
//!   once with a [`Selector`]. Request and reply is [`call`].
//! - **Failure**: [`link`], [`monitor`], [`trap_exits`], [`send_exit`], [`kill`];
//!   every exit carries an [`ExitReason`]. A panic in a process ends it with
//!   [`ExitReason::Panic`] and a crash report through `tracing`.
//! - **Names**: [`Name<M>`], [`register`], [`whereis`].
//! - **Timers**: [`send_after`], [`cancel_timer`], [`sleep`], [`sleep_forever`].
//!
//! # Ordering
//! All that a process can receive goes through one ordered mailbox, so messages and
//! signals from one process to another arrive in the order they were sent: a DOWN
//! from a process never overtakes a message it sent before dying.
//!
//! # Where code runs
//! Processes are tasks on tokio's multi-thread runtime; scheduling is cooperative,
//! so a process that computes for long without an await point holds a worker
//! thread (use [`Builder::on_blocking_thread`]). Functions that act *as* the
//! calling process (`self_pid`, `link`, `monitor`, `Subject::new`, ...) panic
//! outside a process; sending, [`call`], [`send_exit`] and [`is_alive`] work from
//! anywhere, and [`receive`] returns [`ReceiveError::NotInProcess`].
//!
//! # Example
//! ```
//! use std::time::Duration;
//! use otp_core::process::{self, ExitReason, Selector, Subject};
//!
//! # otp_core::runtime::block_on(async {
//! let greetings = Subject::<String>::new();
//! let to_me = greetings.clone();
//! let (child, monitor) = process::spawn_monitor(async move {
//!     to_me.send(format!("hello from {}", process::self_pid()));
//!     panic!("and now I crash");
//! });
//! // The message comes before the DOWN, always.
//! let hello = process::receive(&greetings, Duration::from_secs(1)).await.unwrap();
//! assert!(hello.starts_with("hello from <0."));
//! let down = Selector::new()
//!     .select_monitor(monitor, |down| down)
//!     .receive(Duration::from_secs(1))
//!     .await
//!     .unwrap();
//! assert_eq!(down.pid, child);
//! assert!(matches!(down.reason, ExitReason::Panic(_)));
//! # }).unwrap();
//! ```

mod call;
mod context;
mod drive;
mod exit;
mod info;
pub(crate) mod mailbox;
mod panic;
pub(crate) mod pid;
mod receive;
mod registry;
mod selector;
mod signal;
mod sleep;
mod spawn;
mod subject;
pub(crate) mod table;
mod timer;

pub(crate) use call::call_with;
pub use call::{CallError, call, call_blocking, call_forever};
pub use exit::{Down, ExitMessage, ExitReason, Monitor, PanicReason};
pub use info::{ProcessInfo, info, list, self_pid, try_self_pid};
pub(crate) use panic::reason as panic_reason;
pub use pid::Pid;
pub(crate) use pid::unique;
pub use receive::{ReceiveError, flush, receive, receive_forever};
pub use registry::{Name, RegisterError, UnregisterError, register, unregister, whereis};
pub use selector::{Selector, Unexpected};
pub(crate) use signal::send_system;
pub use signal::{demonitor, exit, is_alive, kill, link, monitor, send_exit, trap_exits, unlink};
pub(crate) use signal::{flush_exits_from, remove_watcher};
pub use sleep::{sleep, sleep_forever};
pub(crate) use spawn::NoPrimary;
pub use spawn::{Builder, Spawned, run, spawn, spawn_link, spawn_monitor};
pub use subject::{SendError, Subject};
pub(crate) use table::Watcher;
pub(crate) use table::{sends_counted, start_counting_sends, stop_counting_sends};
pub use timer::{Cancelled, Timer, cancel_timer, send_after};

/// `<0.0.0>`: the pid of no process, used where code outside any process shows up
/// as a sender.
pub(crate) fn pid_none() -> Pid {
    Pid::none()
}
