//! The process table: every live process's entry, by pid.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;

use super::Pid;
use super::exit::{Down, ExitReason};
use super::hash::{IdMap, IdSet};
use super::mailbox::{Other, Sink};
use super::stop::StopSwitch;

/// What other processes may touch of a process: its state under a lock, the sink
/// of its mailbox and the switch that stops it.
pub(crate) struct ProcEntry {
    pub(crate) pid: Pid,
    pub(crate) sink: Arc<dyn Sink>,
    pub(crate) state: Mutex<ProcState>,
    /// Thrown when an exit signal (or `exit`) has set `Status::Exiting`.
    pub(crate) stop: StopSwitch,
    /// Sends counted for `sys` statistics; the top bit says whether to count.
    pub(crate) sends: AtomicU64,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum Status {
    Running,
    /// The process is to exit with `reason` at its next await point: an exit
    /// signal killed it. (`exit` unwinds instead: see `panic::ExitUnwind`.)
    Exiting {
        reason: ExitReason,
    },
    Dead,
}

pub(crate) struct ProcState {
    pub(crate) status: Status,
    pub(crate) trap_exit: bool,
    /// Links, monitors and name: allocated when first used, so that a process
    /// that never uses them does not pay for their tables.
    relations: Option<Box<Relations>>,
}

#[derive(Default)]
pub(crate) struct Relations {
    pub(crate) links: IdSet<Pid>,
    /// Monitors this process holds: reference to target.
    pub(crate) monitors: IdMap<u64, Pid>,
    /// Monitors on this process: reference to who gets the DOWN.
    pub(crate) monitored_by: IdMap<u64, Watcher>,
    pub(crate) name: Option<RegisteredName>,
}

impl Relations {
    fn is_empty(&self) -> bool {
        self.links.is_empty()
            && self.monitors.is_empty()
            && self.monitored_by.is_empty()
            && self.name.is_none()
    }
}

impl ProcState {
    pub(crate) fn relations(&self) -> Option<&Relations> {
        self.relations.as_deref()
    }

    pub(crate) fn relations_mut(&mut self) -> &mut Relations {
        self.relations.get_or_insert_with(Box::default)
    }

    /// Gives back the memory of relations that are all gone: every actor start
    /// adds and removes a monitor, and an idle process should not keep room
    /// for it.
    pub(crate) fn tidy(&mut self) {
        if self.relations.as_ref().is_some_and(|r| r.is_empty()) {
            self.relations = None;
        }
    }

    /// Removes a monitor on this process; returns whether it was there.
    pub(crate) fn forget_watcher(&mut self, reference: u64) -> bool {
        let Some(relations) = self.relations.as_mut() else {
            return false;
        };
        let removed = relations.monitored_by.remove(&reference).is_some();
        if relations.monitored_by.is_empty() {
            relations.monitored_by = IdMap::default();
        }
        self.tidy();
        removed
    }

    /// Removes a monitor this process holds.
    pub(crate) fn forget_monitor(&mut self, reference: u64) {
        if let Some(relations) = self.relations.as_mut() {
            relations.monitors.remove(&reference);
            self.tidy();
        }
    }

    pub(crate) fn remove_link(&mut self, pid: &Pid) -> bool {
        let Some(relations) = self.relations.as_mut() else {
            return false;
        };
        let removed = relations.links.remove(pid);
        self.tidy();
        removed
    }

    pub(crate) fn name(&self) -> Option<&RegisteredName> {
        self.relations().and_then(|r| r.name.as_ref())
    }
}

/// The name a process is registered under, as its entry records it.
#[derive(Clone, Debug)]
pub(crate) struct RegisteredName {
    pub(crate) id: u64,
    pub(crate) label: Arc<str>,
}

/// Who receives the DOWN of a monitor.
pub(crate) enum Watcher {
    /// A process: the DOWN goes into its mailbox.
    Process(Arc<ProcEntry>),
    /// A call in progress, a task's owner, a starter: see `wait`.
    Callback(Arc<dyn Notify>),
}

/// What a [`Watcher::Callback`] is told.
pub(crate) trait Notify: Send + Sync {
    fn down(&self, down: Down);
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
            Watcher::Callback(notify) => notify.down(down),
        }
    }
}

impl ProcEntry {
    pub(crate) fn new(pid: Pid, sink: Arc<dyn Sink>, trap_exit: bool) -> Self {
        ProcEntry {
            pid,
            sink,
            state: Mutex::new(ProcState {
                status: Status::Running,
                trap_exit,
                relations: None,
            }),
            stop: StopSwitch::new(),
            sends: AtomicU64::new(0),
        }
    }
}

/// A flag in [`ProcEntry::sends`], beside the count of sends: the process is
/// a behaviour (it answers `sys` messages).
pub(crate) const BEHAVIOUR: u64 = 1 << 62;

impl ProcEntry {
    /// Whether the process is a behaviour (see `context::mark_behaviour`).
    pub(crate) fn is_behaviour(&self) -> bool {
        self.sends.load(std::sync::atomic::Ordering::Relaxed) & BEHAVIOUR != 0
    }
}

const SHARDS: usize = 64;

type Shard = Mutex<IdMap<u64, Arc<ProcEntry>>>;

static TABLE: LazyLock<Vec<Shard>> =
    LazyLock::new(|| (0..SHARDS).map(|_| Mutex::new(IdMap::default())).collect());

fn shard(pid: Pid) -> &'static Shard {
    &TABLE[(pid.id() as usize) % SHARDS]
}

pub(crate) fn insert(entry: Arc<ProcEntry>) {
    crate::observe::hooks::process_started();
    shard(entry.pid).lock().insert(entry.pid.id(), entry);
}

pub(crate) fn remove(pid: Pid) {
    crate::observe::hooks::process_exited();
    let mut shard = shard(pid).lock();
    shard.remove(&pid.id());
    // A table that held many processes gives its memory back when they are gone.
    if shard.capacity() > 1024 && shard.len() < shard.capacity() / 8 {
        shard.shrink_to_fit();
    }
}

pub(crate) fn get(pid: Pid) -> Option<Arc<ProcEntry>> {
    if !pid.is_local() {
        return None;
    }
    shard(pid).lock().get(&pid.id()).cloned()
}

pub(crate) fn all() -> Vec<Pid> {
    let mut pids = Vec::new();
    for shard in TABLE.iter() {
        pids.extend(shard.lock().values().map(|e| e.pid));
    }
    pids.sort_unstable();
    pids
}
