//! The latest crash reports, in a ring buffer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use parking_lot::Mutex;

use crate::process::{ExitReason, Pid};

/// How many crash reports [`crash_reports`] keeps; older ones are dropped (they
/// were written through `tracing`, or to stderr, when they happened).
pub const CRASH_REPORTS_KEPT: usize = 64;

/// A process's crash report: a process that exited abnormally by itself (a
/// panic, an abnormal stop), as `proc_lib` writes them. A process killed by an
/// exit signal writes none.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CrashReport {
    /// Counts the reports written since the program started, from 1.
    pub sequence: u64,
    /// When it was written.
    pub time: SystemTime,
    /// The process that crashed.
    pub pid: Pid,
    /// The name it was registered under.
    pub name: Option<String>,
    /// Why it exited.
    pub reason: ExitReason,
    /// For an actor, the last message it handled (its `Debug` form if the actor
    /// describes its messages, else its type).
    pub last_message: Option<String>,
    /// For an actor that describes its state, the state when it stopped.
    pub state: Option<String>,
}

static REPORTS: Mutex<VecDeque<CrashReport>> = Mutex::new(VecDeque::new());
static WRITTEN: AtomicU64 = AtomicU64::new(0);

/// The latest crash reports, oldest first (at most [`CRASH_REPORTS_KEPT`]).
pub fn crash_reports() -> Vec<CrashReport> {
    REPORTS.lock().iter().cloned().collect()
}

pub(crate) fn keep(
    pid: Pid,
    name: Option<&str>,
    reason: &ExitReason,
    last_message: Option<&str>,
    state: Option<&str>,
) {
    let report = CrashReport {
        sequence: WRITTEN.fetch_add(1, Ordering::Relaxed) + 1,
        time: SystemTime::now(),
        pid,
        name: name.map(str::to_string),
        reason: reason.clone(),
        last_message: last_message.map(str::to_string),
        state: state.map(str::to_string),
    };
    let mut reports = REPORTS.lock();
    if reports.len() == CRASH_REPORTS_KEPT {
        reports.pop_front();
    }
    reports.push_back(report);
}
