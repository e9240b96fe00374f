//! The registry of live supervisors, with restarts and crashes counted per child.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;
use std::time::Duration;

use parking_lot::Mutex;

use crate::process::{self, Pid};
use crate::supervisor::{Strategy, Supervisor};

/// A live supervisor as [`supervisors`] shows it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SupervisorInfo {
    /// The supervisor: its pid and the operations of Erlang's `supervisor`.
    pub supervisor: Supervisor,
    /// Its strategy (a factory shows `OneForOne`, as `simple_one_for_one` is).
    pub strategy: Strategy,
    /// At most this many restarts ...
    pub intensity: u32,
    /// ... within this period.
    pub period: Duration,
    /// Whether it is a factory (Erlang's `simple_one_for_one`).
    pub factory: bool,
    /// Per child id: restarts and crashes since the supervisor started.
    pub children: BTreeMap<String, ChildCounts>,
}

/// What [`SupervisorInfo::children`] counts for one child.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildCounts {
    /// Times the supervisor restarted it.
    pub restarts: u64,
    /// Times it exited abnormally (a supervisor report `child_terminated`).
    pub crashes: u64,
}

static LIVE: LazyLock<Mutex<HashMap<Pid, SupervisorInfo>>> = LazyLock::new(Default::default);

/// Every live supervisor, in pid order.
pub fn supervisors() -> Vec<SupervisorInfo> {
    let mut live = LIVE.lock();
    live.retain(|pid, _| process::is_alive(*pid));
    let mut all: Vec<SupervisorInfo> = live.values().cloned().collect();
    all.sort_by_key(|s| s.supervisor.pid());
    all
}

pub(crate) fn started(
    supervisor: &Supervisor,
    strategy: Strategy,
    intensity: u32,
    period: Duration,
    factory: bool,
) {
    let mut live = LIVE.lock();
    // Supervisors that exited are forgotten here and when listed.
    live.retain(|pid, _| process::is_alive(*pid));
    live.insert(
        supervisor.pid(),
        SupervisorInfo {
            supervisor: supervisor.clone(),
            strategy,
            intensity,
            period,
            factory,
            children: BTreeMap::new(),
        },
    );
}

/// Counts for the calling supervisor's child `id`.
pub(crate) fn count(id: &str, count: impl FnOnce(&mut ChildCounts)) {
    let Some(me) = process::try_self_pid() else {
        return;
    };
    if let Some(info) = LIVE.lock().get_mut(&me) {
        count(info.children.entry(id.to_string()).or_default());
    }
}
