//! Looking at a running system: the live supervisors, the latest crash reports,
//! and which processes are behaviours. This is what tools such as `otp-observer`
//! read; it is the data behind Erlang's `observer`, reached through functions.
//!
//! - [`supervisors`]: every live supervisor with its strategy, restart intensity
//!   and the restarts and crashes counted per child since it started.
//! - [`crash_reports`]: the latest crash reports (at most [`CRASH_REPORTS_KEPT`]),
//!   kept whether or not the `tracing` feature is on.
//! - [`is_behaviour`]: whether a process answers `sys` messages (an actor or a
//!   supervisor), so a tool can ask it for its state without waiting for a
//!   timeout from a plain process.
//! - [`memory`]: the runtime's bookkeeping for a process, in bytes.
//!
//! Processes themselves are listed with [`process::list`] and [`process::info`];
//! a supervisor's children with [`Supervisor::which_children`].
//!
//! ```
//! use std::time::Duration;
//! use otp_core::{actor, observe, process};
//! use otp_core::supervisor::{self, ChildSpec, Strategy};
//!
//! # otp_core::runtime::block_on(async {
//! let sup = supervisor::new(Strategy::OneForOne)
//!     .add(ChildSpec::worker("worker", || {
//!         actor::new(()).on_message(|(), ()| actor::Next::Continue(())).start()
//!     }))
//!     .start()
//!     .await
//!     .unwrap();
//! let seen = observe::supervisors();
//! let mine = seen.iter().find(|s| s.supervisor.pid() == sup.pid).unwrap();
//! assert_eq!(mine.strategy, Strategy::OneForOne);
//! assert!(observe::is_behaviour(sup.pid));
//! assert!(!observe::is_behaviour(process::self_pid()));
//!
//! // A crash is kept as a report.
//! let (crasher, monitor) = process::spawn_monitor(async { panic!("boom") });
//! process::Selector::new().select_monitor(monitor, |d| d).receive_forever().await.unwrap();
//! let report = observe::crash_reports().into_iter().find(|r| r.pid == crasher).unwrap();
//! assert!(report.reason.to_string().contains("boom"));
//! # }).unwrap();
//! ```
//!
//! [`process::list`]: crate::process::list
//! [`process::info`]: crate::process::info
//! [`Supervisor::which_children`]: crate::supervisor::Supervisor::which_children

mod crash;
pub(crate) mod hooks;
mod supervisors;

use std::mem::size_of;

use crate::process::{Pid, table};

pub use crash::{CRASH_REPORTS_KEPT, CrashReport, crash_reports};
pub use supervisors::{ChildCounts, SupervisorInfo, supervisors};

/// Whether `pid` is a live behaviour (an actor or a supervisor): one that answers
/// the `sys` messages. A plain process never answers them, so `sys` calls to it
/// end in a timeout.
#[must_use]
pub fn is_behaviour(pid: Pid) -> bool {
    table::get(pid).is_some_and(|entry| entry.is_behaviour())
}

/// The bytes the runtime holds for a live process: its table entry, its link and
/// monitor tables, and one slot per queued message. Not counted: the process's
/// future (its "stack") and what its state owns on the heap, which Rust does not
/// track per task. `None` if the process is not alive.
#[must_use]
pub fn memory(pid: Pid) -> Option<usize> {
    let entry = table::get(pid)?;
    let queued = entry.sink.len();
    let state = entry.state.lock();
    let pair = size_of::<u64>() + size_of::<Pid>();
    let relations = state.relations().map_or(0, |r| {
        size_of::<table::Relations>()
            + r.links.capacity() * size_of::<Pid>()
            + r.monitors.capacity() * pair
            + r.monitored_by.capacity() * (size_of::<u64>() + size_of::<table::Watcher>())
    });
    Some(size_of::<table::ProcEntry>() + relations + queued * size_of::<usize>() * 4)
}
