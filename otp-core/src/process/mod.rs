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
//! # What the mailbox costs
//! A process's mailbox is a queue under a lock plus the receiver's waker, owned
//! by the process; its subjects hold the sending end.
//! - **A send** locks the queue, pushes, and wakes the receiver if it waits: no
//!   allocation for a message on the owner's primary subject (it travels
//!   unboxed), one box for a message on another subject (typed by a tag), and
//!   never a clone.
//! - **A receive that takes what comes** (an actor's loop, a receive on the only
//!   subject in use) pops the next message from a batch taken from the queue in
//!   one lock; nothing is scanned.
//! - **A selective receive** (a subject, a monitor's DOWN, a trapped EXIT among
//!   other traffic) moves each message it does not want, once, into a *save queue*
//!   indexed by key (subject, monitor, EXIT sender, system message). A later
//!   receive looks only at the heads of the queues of the keys it wants and takes
//!   the earliest: it never looks at an unrelated message twice, so selecting past
//!   a backlog of 10,000 messages costs about what a receive on an empty mailbox
//!   costs, unlike Erlang's receive, which scans the queue each time. Mailbox
//!   order among the messages a receive selects is kept.
//! - A receive keeps no position between polls, so two receives alive at once in
//!   one process (hand-polled, or in `select!`) cannot hide, lose or duplicate a
//!   message. Mapping functions of a [`Selector`] run after the message left the
//!   mailbox, so they may receive too.
//! - A drained mailbox gives back the memory of a backlog; a process that exits
//!   closes its mailbox, so what was queued is freed at once, and later sends
//!   fail, however many subjects remain.
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

// Bottom-up: each module imports only modules listed before it.
mod call;
mod channel;
mod context;
mod drive;
mod exit;
pub(crate) mod hash;
mod info;
mod mailbox;
mod panic;
pub(crate) mod pid;
mod receive;
mod registry;
mod selector;
mod signal;
// Uses `signal` and is used by it: the hook for pids of other nodes.
pub mod remote;
mod sleep;
mod spawn;
mod stop;
mod subject;
pub(crate) mod table;
mod time;
mod timer;
mod wait;

pub(crate) use call::call_with;
pub use call::{CallError, call, call_blocking, call_forever};
pub(crate) use context::{mark_behaviour, record_replies, take_replies};
pub(crate) use drive::Exit;
pub use exit::{Down, ExitMessage, ExitReason, Monitor, PanicReason};
pub use info::{ProcessInfo, info, list, self_pid, try_self_pid};
pub(crate) use panic::caught as caught_reason;
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
pub(crate) use time::{Elapsed, within};
pub use timer::{Timer, cancel_timer, send_after};
pub(crate) use wait::{First, Slot};

/// `<0.0.0>`: the pid of no process, used where code outside any process shows up
/// as a sender.
pub(crate) fn pid_none() -> Pid {
    Pid::none()
}
