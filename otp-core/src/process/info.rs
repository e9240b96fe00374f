//! Looking at processes: `self()`, `process_info`, `processes()`.

use super::Pid;
use super::context;
use super::table::{self, Status};

/// What [`info`] tells about a process (`erlang:process_info/1`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessInfo {
    /// The process.
    pub pid: Pid,
    /// The name it is registered under.
    pub registered_name: Option<String>,
    /// Messages (and DOWNs, EXITs, system messages) waiting in its mailbox.
    pub message_queue_len: usize,
    /// Processes it is linked to, in pid order.
    pub links: Vec<Pid>,
    /// Processes it monitors, in pid order.
    pub monitors: Vec<Pid>,
    /// Processes monitoring it, in pid order.
    pub monitored_by: Vec<Pid>,
    /// Whether it traps exits.
    pub trap_exit: bool,
}

/// The calling process's pid (`self()`).
///
/// # Panics
/// Outside a process; see [`try_self_pid`].
#[doc(alias = "self")]
#[must_use]
pub fn self_pid() -> Pid {
    match try_self_pid() {
        Some(pid) => pid,
        None => context::outside("self_pid"),
    }
}

/// The calling process's pid, or `None` outside a process.
#[must_use]
pub fn try_self_pid() -> Option<Pid> {
    context::with(|ctx| ctx.entry.pid)
}

/// Information about `pid`, or `None` if it is not alive.
#[doc(alias = "process_info")]
#[must_use]
pub fn info(pid: Pid) -> Option<ProcessInfo> {
    let entry = table::get(pid)?;
    let state = entry.state.lock();
    if state.status != Status::Running {
        return None;
    }
    let sorted = |mut pids: Vec<Pid>| {
        pids.sort_unstable();
        pids
    };
    let relations = state.relations();
    Some(ProcessInfo {
        pid,
        registered_name: state.name().map(|n| n.label.to_string()),
        message_queue_len: entry.sink.len(),
        links: sorted(relations.map_or(Vec::new(), |r| r.links.iter().copied().collect())),
        monitors: sorted(relations.map_or(Vec::new(), |r| r.monitors.values().copied().collect())),
        monitored_by: sorted(relations.map_or(Vec::new(), |r| {
            r.monitored_by.values().filter_map(|w| w.pid()).collect()
        })),
        trap_exit: state.trap_exit,
    })
}

/// Every live process, in pid order (`erlang:processes()`).
#[doc(alias = "processes")]
#[must_use]
pub fn list() -> Vec<Pid> {
    table::all()
}
