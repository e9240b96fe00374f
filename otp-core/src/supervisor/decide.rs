//! The supervisor's decisions, as plain functions over its state: what a child's
//! exit calls for, which children a restart stops and starts, whether the
//! restart intensity is exceeded, when to try again and when to shut down. They
//! start and stop nothing; [`super::server`] performs what they decide.
//!
//! They follow `supervisor.erl`: [`child_exited`] is its `restart_child/3` and
//! `do_restart/3` (one clause per restart type and reason), [`restart`] its
//! `restart/2` (intensity first, then the strategy's group), [`start_failed`]
//! the `{try_again, Id}` answer of `restart/3`, [`try_again`] its handling of
//! the `try_again_restart` message, and [`auto_shutdown`] its
//! `do_auto_shutdown/2`.

use tokio::time::Instant;

use super::StartError;
use super::children::{Children, Key, Run};
use super::restart::Intensity;
use super::server::Flags;
use super::spec::{ChildSpec, Restart, Shutdown};
use super::{AutoShutdown, ConfigError, Strategy};
use crate::process::{ExitReason, Pid};

/// What the decisions read and change.
pub(crate) struct Core {
    pub(crate) flags: Flags,
    pub(crate) children: Children,
    pub(crate) intensity: Intensity,
}

/// What the server does next.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome {
    /// Nothing more.
    Continue,
    /// Stop these children (in this order), then start these (in this order).
    Restart(Plan),
    /// Send `try_again_restart` for this child to itself: retry after the
    /// requests already queued.
    TryAgain(Key),
    /// Stop the supervisor with this reason (its children first).
    Shutdown(ExitReason),
}

/// The children a restart stops, last started first, and then starts.
#[derive(Debug, PartialEq, Default)]
pub(crate) struct Plan {
    pub(crate) stop: Vec<Stop>,
    pub(crate) start: Vec<Key>,
}

/// A child to stop: its process and how.
#[derive(Debug, PartialEq)]
pub(crate) struct Stop {
    pub(crate) pid: Pid,
    pub(crate) shutdown: Shutdown,
}

/// A supervisor report to write (SASL's supervisor reports).
#[derive(Debug, PartialEq)]
pub(crate) enum Report {
    /// A child exited and that is an error (`child_terminated`).
    ChildTerminated {
        id: String,
        pid: Pid,
        reason: ExitReason,
    },
    /// A child exited cleanly and is not restarted.
    ChildExited {
        id: String,
        pid: Pid,
        reason: ExitReason,
    },
    /// A (re)start failed (`start_error`).
    StartError { id: String, reason: StartError },
    /// Too many restarts (`reached_max_restart_intensity`).
    MaxIntensity,
    /// A significant child ended the supervisor (`auto_shutdown`).
    AutoShutdown { id: String },
}

/// An outcome and the reports that go with it.
#[derive(Debug, PartialEq)]
pub(crate) struct Decision {
    pub(crate) outcome: Outcome,
    pub(crate) reports: Vec<Report>,
}

impl Decision {
    fn new(outcome: Outcome, reports: Vec<Report>) -> Self {
        Decision { outcome, reports }
    }
}

/// Whether a child that exited with `reason` is restarted.
pub(crate) fn restarts(restart: Restart, reason: &ExitReason) -> bool {
    match restart {
        Restart::Permanent => true,
        Restart::Transient => !reason.is_clean(),
        Restart::Temporary => false,
    }
}

/// The child `pid` exited with `reason` (an EXIT from a link). An EXIT from a
/// process that is not a current child is ignored.
pub(crate) fn child_exited(
    core: &mut Core,
    pid: Pid,
    reason: ExitReason,
    now: Instant,
) -> Decision {
    let Some(key) = core.children.find_pid(pid) else {
        return Decision::new(Outcome::Continue, Vec::new());
    };
    core.children.set(key, Run::Stopped);
    let spec = &core.children.get(key).expect("found").spec;
    let (restart_type, significant, id) = (spec.restart, spec.significant, spec.id.clone());
    let restart_it = restarts(restart_type, &reason);
    let report = if restart_type == Restart::Permanent || !reason.is_clean() {
        Report::ChildTerminated {
            id: id.clone(),
            pid,
            reason,
        }
    } else {
        Report::ChildExited {
            id: id.clone(),
            pid,
            reason,
        }
    };
    if restart_it {
        return restart(core, key, now, vec![report]);
    }
    forget(core, key);
    let mut reports = vec![report];
    let outcome = auto_shutdown(core, significant);
    if outcome != Outcome::Continue {
        reports.push(Report::AutoShutdown { id });
    }
    Decision::new(outcome, reports)
}

/// A child not restarted: a temporary one, or any child of a factory, is
/// forgotten; others are kept, not running (`del_child/2`).
pub(crate) fn forget(core: &mut Core, key: Key) {
    let Some(child) = core.children.get(key) else {
        return;
    };
    if child.spec.restart == Restart::Temporary || core.flags.dynamic {
        core.children.remove(key);
    } else {
        core.children.set(key, Run::Stopped);
    }
}

/// `restart/2`: one more restart against the intensity, then the strategy's
/// group around `key`.
pub(crate) fn restart(
    core: &mut Core,
    key: Key,
    now: Instant,
    mut reports: Vec<Report>,
) -> Decision {
    if !core.intensity.add_restart(now) {
        reports.push(Report::MaxIntensity);
        return Decision::new(Outcome::Shutdown(ExitReason::Shutdown), reports);
    }
    Decision::new(Outcome::Restart(plan(core, key)), reports)
}

/// The strategy's group for a restart of `key`: the children to stop (running
/// ones, last started first) and to start (in order). Temporary children of the
/// group other than `key` are stopped and forgotten, as `terminate_children/2`
/// does. The state is updated as if the stops had happened.
pub(crate) fn plan(core: &mut Core, key: Key) -> Plan {
    let group = match core.flags.strategy {
        Strategy::OneForOne => vec![key],
        Strategy::OneForAll => core.children.keys(),
        Strategy::RestForOne => core.children.keys_from(key),
    };
    let mut plan = Plan::default();
    for &k in group.iter().rev() {
        let Some(child) = core.children.get(k) else {
            continue;
        };
        let shutdown = child.spec.shutdown;
        if let Some(Run::Running(pid, _)) = core.children.set(k, Run::Stopped) {
            plan.stop.push(Stop { pid, shutdown });
        }
    }
    for k in group {
        match core.children.get(k) {
            Some(child) if child.spec.restart == Restart::Temporary && k != key => {
                core.children.remove(k);
            }
            Some(_) => plan.start.push(k),
            None => {}
        }
    }
    plan
}

/// Starting `key` during a restart failed: it is marked restarting and retried
/// through the mailbox (`{try_again, Id}`), so that the supervisor answers
/// requests, and can be shut down, between attempts. The children after it in
/// the plan are left stopped; the retry starts them.
pub(crate) fn start_failed(core: &mut Core, key: Key, reason: StartError) -> Decision {
    let id = core.children.get(key).map(|c| c.spec.id.clone());
    core.children.set(key, Run::Restarting);
    let reports = id
        .map(|id| Report::StartError { id, reason })
        .into_iter()
        .collect();
    Decision::new(Outcome::TryAgain(key), reports)
}

/// A started child ran (`Some`) or asked to be ignored (`None`: a temporary
/// child, or a factory's, is forgotten; others are kept, not running).
pub(crate) fn started(core: &mut Core, key: Key, pid: Option<(Pid, super::spec::ChildData)>) {
    match pid {
        Some((pid, data)) => {
            core.children.set(key, Run::Running(pid, data));
        }
        None => forget(core, key),
    }
}

/// The `try_again_restart` message for `key`: restart it again if it is still
/// waiting for that (it may have been stopped, deleted or restarted meanwhile).
pub(crate) fn try_again(core: &mut Core, key: Key, now: Instant) -> Decision {
    match core.children.get(key) {
        Some(child) if matches!(child.run, Run::Restarting) => restart(core, key, now, Vec::new()),
        _ => Decision::new(Outcome::Continue, Vec::new()),
    }
}

/// `do_auto_shutdown/2`: whether a significant child that stopped for good ends
/// the supervisor.
pub(crate) fn auto_shutdown(core: &Core, significant: bool) -> Outcome {
    if !significant {
        return Outcome::Continue;
    }
    let shutdown = match core.flags.auto_shutdown {
        AutoShutdown::Never => false,
        AutoShutdown::AnySignificant => true,
        AutoShutdown::AllSignificant => !core
            .children
            .iter()
            .any(|(_, c)| c.spec.significant && !matches!(c.run, Run::Stopped)),
    };
    if shutdown {
        Outcome::Shutdown(ExitReason::Shutdown)
    } else {
        Outcome::Continue
    }
}

/// The supervisor's flags are valid (`check_flags`): the period is positive.
pub(crate) fn check_flags(flags: &Flags) -> Result<(), ConfigError> {
    if flags.period.is_zero() {
        return Err(ConfigError::InvalidPeriod);
    }
    Ok(())
}

/// A child spec fits the supervisor (`check_childspec`): a significant child is
/// transient or temporary, under an `auto_shutdown` other than never.
pub(crate) fn check_spec(flags: &Flags, spec: &ChildSpec) -> Result<(), ConfigError> {
    if !spec.significant {
        return Ok(());
    }
    let problem = if spec.restart == Restart::Permanent {
        "a significant child must be transient or temporary"
    } else if flags.auto_shutdown == AutoShutdown::Never {
        "a significant child needs auto_shutdown any_significant or all_significant"
    } else {
        return Ok(());
    };
    Err(ConfigError::BadCombination {
        id: spec.id.clone(),
        problem,
    })
}

#[cfg(test)]
mod tests;
