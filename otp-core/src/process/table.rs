//! The process table: every live process's entry, by pid.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;

use super::exit::{Down, ExitReason};
use super::mailbox::{Other, Sink};
use super::{Pid, registry::RegisteredName};

/// What other processes may touch of a process: its state under a lock, the sink
/// of its mailbox and the switch that stops it.
pub(crate) struct ProcEntry {
    pub(crate) pid: Pid,
    pub(crate) sink: Box<dyn Sink>,
    pub(crate) state: Mutex<ProcState>,
    /// Woken when an exit signal has set `Status::Exiting`.
    pub(crate) stop: super::drive::StopSwitch,
    /// Length of the owner's save queue, for `info`.
    pub(crate) saved_len: AtomicUsize,
    /// Set by behaviours (actors) that write their own crash report.
    pub(crate) reports_own_crash: AtomicBool,
    /// Whether `sys` statistics count this process's sends, and the count.
    counting_sends: AtomicBool,
    sends: AtomicU64,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Status {
    Running,
    /// An exit signal killed the process; its task has not finished exiting yet.
    Exiting(ExitReason),
    Dead,
}

pub(crate) struct ProcState {
    pub(crate) status: Status,
    pub(crate) links: HashSet<Pid>,
    /// Monitors this process holds: reference to target.
    pub(crate) monitors: HashMap<u64, Pid>,
    /// Monitors on this process: reference to who gets the DOWN.
    pub(crate) monitored_by: HashMap<u64, Watcher>,
    pub(crate) trap_exit: bool,
    pub(crate) name: Option<RegisteredName>,
}

impl ProcState {
    /// Removes a monitor on this process; returns whether it was there. An empty
    /// map gives its memory back: every actor start adds and removes one, and an
    /// idle process should not keep the room for it.
    pub(crate) fn forget_watcher(&mut self, reference: u64) -> bool {
        let removed = self.monitored_by.remove(&reference).is_some();
        if self.monitored_by.is_empty() {
            self.monitored_by = HashMap::new();
        }
        removed
    }
}

/// Who receives the DOWN of a monitor.
pub(crate) enum Watcher {
    /// A process: the DOWN goes into its mailbox.
    Process(Arc<ProcEntry>),
    /// A call in progress or a waiter outside any process.
    Callback(Arc<dyn Fn(Down) + Send + Sync>),
}

impl Watcher {
    pub(crate) fn pid(&self) -> Option<Pid> {
        match self {
            Watcher::Process(entry) => Some(entry.pid),
            Watcher::Callback(_) => None,
        }
    }

    pub(crate) fn deliver(&self, down: Down) {
        match self {
            // A watcher that is gone needs no DOWN.
            Watcher::Process(entry) => drop(entry.sink.send_other(Other::Down(down))),
            Watcher::Callback(f) => f(down),
        }
    }
}

impl ProcEntry {
    pub(crate) fn new(pid: Pid, sink: Box<dyn Sink>) -> Self {
        ProcEntry {
            pid,
            sink,
            state: Mutex::new(ProcState {
                status: Status::Running,
                links: HashSet::new(),
                monitors: HashMap::new(),
                monitored_by: HashMap::new(),
                trap_exit: false,
                name: None,
            }),
            stop: super::drive::StopSwitch::new(),
            saved_len: AtomicUsize::new(0),
            reports_own_crash: AtomicBool::new(false),
            counting_sends: AtomicBool::new(false),
            sends: AtomicU64::new(0),
        }
    }
}

const SHARDS: usize = 64;

struct Table {
    shards: Vec<Mutex<HashMap<u64, Arc<ProcEntry>>>>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| Table {
    shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
});

fn shard(pid: Pid) -> &'static Mutex<HashMap<u64, Arc<ProcEntry>>> {
    &TABLE.shards[(pid.id() as usize) % SHARDS]
}

pub(crate) fn insert(entry: Arc<ProcEntry>) {
    crate::observe::hooks::process_started();
    shard(entry.pid).lock().insert(entry.pid.id(), entry);
}

pub(crate) fn remove(pid: Pid) {
    crate::observe::hooks::process_exited();
    shard(pid).lock().remove(&pid.id());
}

pub(crate) fn get(pid: Pid) -> Option<Arc<ProcEntry>> {
    if !pid.is_local() {
        return None;
    }
    shard(pid).lock().get(&pid.id()).cloned()
}

pub(crate) fn all() -> Vec<Pid> {
    let mut pids = Vec::new();
    for shard in &TABLE.shards {
        pids.extend(shard.lock().values().map(|e| e.pid));
    }
    pids.sort_unstable();
    pids
}

/// How many processes count their sends for `sys` statistics. While none does, a
/// send pays one relaxed load for it.
static COUNTING: AtomicUsize = AtomicUsize::new(0);

/// Counts a send by the calling process, if it counts its sends.
pub(crate) fn note_send() {
    crate::observe::hooks::message_sent();
    if COUNTING.load(Ordering::Relaxed) == 0 {
        return;
    }
    super::context::with(|ctx| {
        if ctx.entry.counting_sends.load(Ordering::Relaxed) {
            ctx.entry.sends.fetch_add(1, Ordering::Relaxed);
        }
    });
}

/// Starts counting the calling process's sends; returns the count so far.
pub(crate) fn start_counting_sends() -> u64 {
    super::context::with(|ctx| {
        if !ctx.entry.counting_sends.swap(true, Ordering::Relaxed) {
            COUNTING.fetch_add(1, Ordering::Relaxed);
        }
        ctx.entry.sends.load(Ordering::Relaxed)
    })
    .unwrap_or(0)
}

/// Stops counting the calling process's sends.
pub(crate) fn stop_counting_sends() {
    super::context::with(|ctx| {
        if ctx.entry.counting_sends.swap(false, Ordering::Relaxed) {
            COUNTING.fetch_sub(1, Ordering::Relaxed);
        }
    });
}

/// Sends counted for the calling process.
pub(crate) fn sends_counted() -> u64 {
    super::context::with(|ctx| ctx.entry.sends.load(Ordering::Relaxed)).unwrap_or(0)
}

/// Marks the calling process as one that writes its own crash reports.
pub(crate) fn mark_own_crash_reports() {
    super::context::with(|ctx| ctx.entry.reports_own_crash.store(true, Ordering::Relaxed));
}
