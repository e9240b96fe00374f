//! What the page shows, read from the running system at one moment.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use futures_util::future::join_all;
use otp_core::observe::{self, SupervisorInfo};
use otp_core::process::{self, Pid};
use otp_core::supervisor::{ChildType, Strategy};
use otp_core::sys::{self, Mode, StatisticsFlag};
use serde::Serialize;

/// How long the page waits for one behaviour's `sys` answer.
const SYS_TIMEOUT: Duration = Duration::from_millis(500);
/// How long it waits for a supervisor's `which_children`.
const CHILDREN_TIMEOUT: Duration = Duration::from_secs(2);
/// Processes listed at most; the count says how many there are.
const MAX_PROCESSES: usize = 1000;
/// A state longer than this is cut.
const MAX_STATE: usize = 300;

/// The whole page's data.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Snapshot {
    /// Milliseconds since the Unix epoch when it was taken.
    pub time_ms: u64,
    /// Live processes.
    pub process_count: usize,
    /// The supervision trees: supervisors that are nobody's child, each with
    /// its children (and their own children, nested).
    pub supervisors: Vec<SupervisorView>,
    /// Processes, in pid order (at most 1,000).
    pub processes: Vec<ProcessView>,
    /// The latest crash reports, newest first.
    pub crash_reports: Vec<CrashView>,
}

/// One supervisor.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct SupervisorView {
    /// Its pid, Erlang-style.
    pub pid: String,
    /// Its registered name.
    pub name: Option<String>,
    /// `one_for_one`, `one_for_all`, `rest_for_one` or `simple_one_for_one`.
    pub strategy: String,
    /// At most this many restarts ...
    pub intensity: u32,
    /// ... within this many milliseconds.
    pub period_ms: u128,
    /// Its children in start order (empty if it did not answer in time).
    pub children: Vec<ChildView>,
    /// Whether it answered `which_children` in time.
    pub answered: bool,
}

/// One child of a supervisor.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ChildView {
    /// The child's id.
    pub id: String,
    /// Its pid, if running.
    pub pid: Option<String>,
    /// `worker` or `supervisor`.
    pub kind: &'static str,
    /// `running`, `suspended`, `restarting` or `stopped`.
    pub status: &'static str,
    /// Restarts counted since its supervisor started.
    pub restarts: u64,
    /// Abnormal exits counted since its supervisor started.
    pub crashes: u64,
    /// If it is a supervisor, its own tree.
    pub supervisor: Option<Box<SupervisorView>>,
}

/// One process.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ProcessView {
    /// Its pid, Erlang-style.
    pub pid: String,
    /// Its registered name.
    pub name: Option<String>,
    /// `actor` or `supervisor` for a behaviour, none for a plain process.
    pub behaviour: Option<&'static str>,
    /// `running` or `suspended`.
    pub status: &'static str,
    /// Messages waiting in its mailbox.
    pub message_queue_len: usize,
    /// The runtime's bookkeeping for it, in bytes (see `otp_core::observe::memory`).
    pub memory: usize,
    /// Processes it is linked to.
    pub links: usize,
    /// Messages handled since the observer first saw it (behaviours only).
    pub messages_in: Option<u64>,
    /// Messages sent since the observer first saw it (behaviours only).
    pub messages_out: Option<u64>,
    /// Its state as `sys::get_state` describes it (behaviours only).
    pub state: Option<String>,
    /// Whether it traps exits.
    pub trap_exit: bool,
}

/// One crash report.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CrashView {
    /// Counts the reports since the program started.
    pub sequence: u64,
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    /// The process that crashed.
    pub pid: String,
    /// Its registered name.
    pub name: Option<String>,
    /// Why it exited.
    pub reason: String,
    /// The last message it handled, for an actor.
    pub last_message: Option<String>,
    /// Its state, for an actor that describes it.
    pub state: Option<String>,
}

pub(crate) async fn serve() -> Json<Snapshot> {
    Json(snapshot().await)
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Reads the system now: what the page's `/api/snapshot` returns.
///
/// # Cancel safety
/// Cancel safe: it only reads (and may switch on `sys` statistics).
pub async fn snapshot() -> Snapshot {
    let pids = process::list();
    let process_count = pids.len();
    let processes: Vec<ProcessView> =
        join_all(pids.into_iter().take(MAX_PROCESSES).map(view_process))
            .await
            .into_iter()
            .flatten()
            .collect();
    let suspended: HashSet<&str> = processes
        .iter()
        .filter(|p| p.status == "suspended")
        .map(|p| p.pid.as_str())
        .collect();
    let supervisors = supervision_trees(&suspended).await;
    let crash_reports = observe::crash_reports()
        .into_iter()
        .rev()
        .map(|report| CrashView {
            sequence: report.sequence,
            time_ms: millis(report.time),
            pid: report.pid.to_string(),
            name: report.name,
            reason: report.reason.to_string(),
            last_message: report.last_message,
            state: report.state,
        })
        .collect();
    Snapshot {
        time_ms: millis(SystemTime::now()),
        process_count,
        supervisors,
        processes,
        crash_reports,
    }
}

async fn view_process(pid: Pid) -> Option<ProcessView> {
    let info = process::info(pid)?;
    let mut view = ProcessView {
        pid: pid.to_string(),
        name: info.registered_name,
        behaviour: None,
        status: "running",
        message_queue_len: info.message_queue_len,
        memory: observe::memory(pid).unwrap_or(0),
        links: info.links.len(),
        messages_in: None,
        messages_out: None,
        state: None,
        trap_exit: info.trap_exit,
    };
    if !observe::is_behaviour(pid) {
        return Some(view);
    }
    if let Ok(status) = sys::get_status(pid, SYS_TIMEOUT).await {
        view.behaviour = Some(status.behaviour);
        if status.mode == Mode::Suspended {
            view.status = "suspended";
        }
        view.state = Some(cut(status.state));
    }
    match sys::statistics(pid, SYS_TIMEOUT, StatisticsFlag::Get).await {
        Ok(Some(statistics)) => {
            view.messages_in = Some(statistics.messages_in);
            view.messages_out = Some(statistics.messages_out);
        }
        Ok(None) => {
            // Counted from now on; shown from the next refresh.
            let _ = sys::statistics(pid, SYS_TIMEOUT, StatisticsFlag::On).await;
        }
        Err(_) => {}
    }
    Some(view)
}

fn cut(mut text: String) -> String {
    if text.len() > MAX_STATE {
        let mut end = MAX_STATE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

fn strategy(info: &SupervisorInfo) -> &'static str {
    match (info.factory, info.strategy) {
        (true, _) => "simple_one_for_one",
        (false, Strategy::OneForOne) => "one_for_one",
        (false, Strategy::OneForAll) => "one_for_all",
        (false, Strategy::RestForOne) => "rest_for_one",
    }
}

/// Every live supervisor with its children, nested: a supervisor that is the
/// child of another shows inside it, the others are roots.
async fn supervision_trees(suspended: &HashSet<&str>) -> Vec<SupervisorView> {
    let infos = observe::supervisors();
    let answers = join_all(
        infos
            .iter()
            .map(|info| tokio::time::timeout(CHILDREN_TIMEOUT, info.supervisor.which_children())),
    )
    .await;
    let mut flat: HashMap<Pid, SupervisorView> = HashMap::new();
    let mut nested: HashSet<Pid> = HashSet::new();
    let mut child_pids: HashMap<Pid, Vec<Option<Pid>>> = HashMap::new();
    for (info, answer) in infos.iter().zip(answers) {
        let pid = info.supervisor.pid();
        let children = match answer {
            Ok(Ok(children)) => Some(children),
            _ => None,
        };
        let answered = children.is_some();
        let children = children.unwrap_or_default();
        child_pids.insert(pid, children.iter().map(|c| c.pid).collect());
        let views = children
            .into_iter()
            .map(|child| {
                let counts = info.children.get(&child.id).copied().unwrap_or_default();
                let running = child.pid;
                if let (Some(child_pid), ChildType::Supervisor) = (running, child.child_type) {
                    nested.insert(child_pid);
                }
                let status = match running {
                    None if child.restarting => "restarting",
                    None => "stopped",
                    Some(p) if suspended.contains(p.to_string().as_str()) => "suspended",
                    Some(_) => "running",
                };
                ChildView {
                    id: child.id,
                    pid: running.map(|p| p.to_string()),
                    kind: match child.child_type {
                        ChildType::Supervisor => "supervisor",
                        ChildType::Worker => "worker",
                    },
                    status,
                    restarts: counts.restarts,
                    crashes: counts.crashes,
                    supervisor: None,
                }
            })
            .collect();
        flat.insert(
            pid,
            SupervisorView {
                pid: pid.to_string(),
                name: process::info(pid).and_then(|i| i.registered_name),
                strategy: strategy(info).to_string(),
                intensity: info.intensity,
                period_ms: info.period.as_millis(),
                children: views,
                answered,
            },
        );
    }
    let roots: Vec<Pid> = infos
        .iter()
        .map(|i| i.supervisor.pid())
        .filter(|pid| !nested.contains(pid))
        .collect();
    roots
        .into_iter()
        .filter_map(|pid| build(pid, &mut flat, &child_pids))
        .collect()
}

/// Takes `pid`'s view out of `flat` with its supervisor children put inside.
fn build(
    pid: Pid,
    flat: &mut HashMap<Pid, SupervisorView>,
    child_pids: &HashMap<Pid, Vec<Option<Pid>>>,
) -> Option<SupervisorView> {
    let mut view = flat.remove(&pid)?;
    let pids = child_pids.get(&pid).cloned().unwrap_or_default();
    for (child, child_pid) in view.children.iter_mut().zip(pids) {
        if let Some(child_pid) = child_pid {
            child.supervisor = build(child_pid, flat, child_pids).map(Box::new);
        }
    }
    Some(view)
}
