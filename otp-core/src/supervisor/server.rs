//! The supervisor's state machine, after Erlang's `supervisor.erl`: start the
//! children in order; on a child's exit, decide from its restart type whether to
//! restart, then restart by strategy within the restart intensity; on shutdown,
//! stop the children in reverse start order.

use std::fmt;
use std::time::Duration;

use super::restart::Intensity;
use super::spec::{ChildData, ChildSpec, ChildType, Restart, Shutdown};
use super::{AutoShutdown, ChildCount, ChildInfo, ChildPid, Strategy, SupervisorError};
use crate::actor::{Next, StartError};
use crate::process::{self, ExitMessage, ExitReason, Pid, Selector, Subject};

/// A request to a supervisor. Opaque: use the methods of
/// [`Supervisor`](super::Supervisor).
pub struct Message(pub(crate) Request);

pub(crate) enum Request {
    ChildExit(ExitMessage),
    WhichChildren(Subject<Vec<ChildInfo>>),
    CountChildren(Subject<ChildCount>),
    TerminateChild(String, Subject<Result<(), SupervisorError>>),
    TerminatePid(Pid, Subject<Result<(), SupervisorError>>),
    RestartChild(String, Subject<Result<Pid, SupervisorError>>),
    DeleteChild(String, Subject<Result<(), SupervisorError>>),
    StartChild(
        ChildSpec,
        Subject<Result<(Pid, ChildData), SupervisorError>>,
    ),
    ChildData(String, Subject<Result<ChildData, SupervisorError>>),
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Request::ChildExit(exit) => write!(f, "ChildExit({exit:?})"),
            Request::WhichChildren(_) => f.write_str("WhichChildren"),
            Request::CountChildren(_) => f.write_str("CountChildren"),
            Request::TerminateChild(id, _) => write!(f, "TerminateChild({id:?})"),
            Request::TerminatePid(pid, _) => write!(f, "TerminatePid({pid})"),
            Request::RestartChild(id, _) => write!(f, "RestartChild({id:?})"),
            Request::DeleteChild(id, _) => write!(f, "DeleteChild({id:?})"),
            Request::StartChild(spec, _) => write!(f, "StartChild({:?})", spec.id),
            Request::ChildData(id, _) => write!(f, "ChildData({id:?})"),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Flags {
    pub(crate) strategy: Strategy,
    pub(crate) intensity: u32,
    pub(crate) period: Duration,
    pub(crate) auto_shutdown: AutoShutdown,
    /// A factory (simple_one_for_one): children are made by `StartChild`, and
    /// deleted when they stop for good.
    pub(crate) dynamic: bool,
    pub(crate) max_children: Option<usize>,
}

struct Child {
    spec: ChildSpec,
    pid: Option<Pid>,
    data: Option<ChildData>,
}

pub(crate) struct State {
    flags: Flags,
    children: Vec<Child>,
    intensity: Intensity,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let children: Vec<String> = self
            .children
            .iter()
            .map(|c| match c.pid {
                Some(pid) => format!("{} {pid}", c.spec.id),
                None => format!("{} (not running)", c.spec.id),
            })
            .collect();
        f.debug_struct("Supervisor")
            .field("strategy", &self.flags.strategy)
            .field("intensity", &self.flags.intensity)
            .field("period", &self.flags.period)
            .field("children", &children)
            .finish()
    }
}

fn supervisor_name() -> String {
    let me = process::self_pid();
    process::info(me)
        .and_then(|i| i.registered_name)
        .unwrap_or_else(|| me.to_string())
}

/// Checks the specs, then starts each child in order. If one fails, those already
/// started are stopped in reverse order and the error names the child.
pub(crate) async fn init(flags: Flags, specs: Vec<ChildSpec>) -> Result<State, StartError> {
    for (i, spec) in specs.iter().enumerate() {
        if specs[..i].iter().any(|s| s.id == spec.id) {
            return Err(StartError::DuplicateChildId(spec.id.clone()));
        }
        check_significant(spec)?;
    }
    let mut state = State {
        intensity: Intensity::new(flags.intensity, flags.period),
        flags,
        children: Vec::with_capacity(specs.len()),
    };
    for spec in specs {
        match start_one(&spec).await {
            Ok((pid, data)) => state.children.push(Child {
                spec,
                pid: Some(pid),
                data: Some(data),
            }),
            Err(reason) => {
                state.stop_all().await;
                return Err(StartError::ChildFailed {
                    id: spec.id,
                    reason: Box::new(reason),
                });
            }
        }
    }
    Ok(state)
}

fn check_significant(spec: &ChildSpec) -> Result<(), StartError> {
    if spec.significant && spec.restart == Restart::Permanent {
        return Err(StartError::InitFailed(format!(
            "child {}: a significant child must be transient or temporary",
            spec.id
        )));
    }
    Ok(())
}

async fn start_one(spec: &ChildSpec) -> Result<(Pid, ChildData), StartError> {
    let started = (spec.start)().await;
    match &started {
        Ok((pid, _)) => crate::log::debug!(
            target: "otp::supervisor",
            supervisor = %supervisor_name(),
            child_id = %spec.id,
            pid = %pid,
            "child started"
        ),
        Err(reason) => crate::log::error!(
            target: "otp::supervisor",
            supervisor = %supervisor_name(),
            child_id = %spec.id,
            reason = %reason,
            "supervisor report: start_error"
        ),
    }
    started
}

/// Stops a child as `supervisor:shutdown/2` does: monitor, unlink, then an exit
/// signal `Shutdown` and a wait bounded by the child's shutdown, or a kill.
async fn stop_child(pid: Pid, shutdown: Shutdown) -> ExitReason {
    let monitor = process::monitor(pid);
    process::unlink(pid);
    // An EXIT it sent before the unlink is not a crash to handle any more.
    process::flush_exits_from(pid);
    let down = Selector::new().select_monitor(monitor, |down| down.reason);
    match shutdown {
        Shutdown::BrutalKill => process::kill(pid),
        Shutdown::Infinity => process::send_exit(pid, ExitReason::Shutdown),
        Shutdown::Timeout(timeout) => {
            process::send_exit(pid, ExitReason::Shutdown);
            if let Ok(reason) = down.receive(timeout).await {
                return reason;
            }
            crate::log::warning!(
                target: "otp::supervisor",
                supervisor = %supervisor_name(),
                pid = %pid,
                "child did not stop within {timeout:?}: killing it"
            );
            process::kill(pid);
        }
    }
    down.receive_forever().await.unwrap_or(ExitReason::NoProc)
}

/// What happens after a request: go on, or stop the supervisor with a reason.
type Outcome = Result<(), ExitReason>;

pub(crate) async fn handle(mut state: State, Message(request): Message) -> Next<State, Message> {
    let outcome = match request {
        Request::ChildExit(exit) => state.child_exited(exit).await,
        Request::WhichChildren(reply) => {
            reply.send(state.which_children());
            Ok(())
        }
        Request::CountChildren(reply) => {
            reply.send(state.count_children());
            Ok(())
        }
        Request::TerminateChild(id, reply) => {
            reply.send(state.terminate_child(&id).await);
            Ok(())
        }
        Request::TerminatePid(pid, reply) => {
            let found = state.children.iter().position(|c| c.pid == Some(pid));
            let result = match found {
                Some(at) => {
                    let id = state.children[at].spec.id.clone();
                    state.terminate_child(&id).await
                }
                None => Err(SupervisorError::NotFound(pid.to_string())),
            };
            reply.send(result);
            Ok(())
        }
        Request::RestartChild(id, reply) => {
            reply.send(state.restart_child(&id).await);
            Ok(())
        }
        Request::DeleteChild(id, reply) => {
            reply.send(state.delete_child(&id));
            Ok(())
        }
        Request::StartChild(spec, reply) => {
            reply.send(state.start_child(spec).await);
            Ok(())
        }
        Request::ChildData(id, reply) => {
            let data = match state.find(&id) {
                Some(at) => state.children[at]
                    .data
                    .clone()
                    .ok_or(SupervisorError::NotRunning(id)),
                None => Err(SupervisorError::NotFound(id)),
            };
            reply.send(data);
            Ok(())
        }
    };
    match outcome {
        Ok(()) => Next::Continue(state),
        Err(reason) => Next::Stop(state, reason),
    }
}

impl State {
    fn find(&self, id: &str) -> Option<usize> {
        self.children.iter().position(|c| c.spec.id == id)
    }

    /// A child exited: restart it (and its siblings, by strategy) if its restart
    /// type says so, within the restart intensity.
    async fn child_exited(&mut self, exit: ExitMessage) -> Outcome {
        let Some(at) = self.children.iter().position(|c| c.pid == Some(exit.pid)) else {
            // Not a current child: an EXIT left over from a child already stopped.
            return Ok(());
        };
        let reason = exit.reason;
        let child = &mut self.children[at];
        child.pid = None;
        child.data = None;
        report_exit(&child.spec, exit.pid, &reason);
        let restart = match child.spec.restart {
            Restart::Permanent => true,
            Restart::Transient => !reason.is_clean(),
            Restart::Temporary => false,
        };
        if !restart {
            let significant = child.spec.significant;
            if child.spec.restart == Restart::Temporary || self.flags.dynamic {
                self.children.remove(at);
            }
            return self.auto_shutdown(significant);
        }
        self.restart(at).await
    }

    /// `auto_shutdown`: a significant child stopped for good.
    fn auto_shutdown(&self, significant: bool) -> Outcome {
        if !significant {
            return Ok(());
        }
        let all_gone = || {
            self.children
                .iter()
                .filter(|c| c.spec.significant)
                .all(|c| c.pid.is_none())
        };
        match self.flags.auto_shutdown {
            AutoShutdown::Never => Ok(()),
            AutoShutdown::AnySignificant => Err(ExitReason::Shutdown),
            AutoShutdown::AllSignificant if all_gone() => Err(ExitReason::Shutdown),
            AutoShutdown::AllSignificant => Ok(()),
        }
    }

    /// Restarts after the child at `at` died, by strategy; a restart that fails
    /// counts as another restart and is tried again, until the intensity runs out.
    async fn restart(&mut self, at: usize) -> Outcome {
        let failed = self.children[at].spec.id.clone();
        loop {
            if !self.intensity.add_restart() {
                crate::log::error!(
                    target: "otp::supervisor",
                    supervisor = %supervisor_name(),
                    intensity = self.flags.intensity,
                    period = ?self.flags.period,
                    "supervisor report: reached_max_restart_intensity, shutting down"
                );
                return Err(ExitReason::Shutdown);
            }
            let Some(at) = self.find(&failed) else {
                return Ok(());
            };
            let mut group = match self.flags.strategy {
                Strategy::OneForOne => at..at + 1,
                Strategy::OneForAll => 0..self.children.len(),
                Strategy::RestForOne => at..self.children.len(),
            };
            // Stop the rest of the group, last started first.
            for i in group.clone().rev() {
                if let Some(pid) = self.children[i].pid.take() {
                    self.children[i].data = None;
                    stop_child(pid, self.children[i].spec.shutdown).await;
                }
            }
            // Temporary children in the group are not restarted: drop them.
            let mut i = group.start;
            while i < group.end {
                let child = &self.children[i].spec;
                if child.restart == Restart::Temporary && child.id != failed {
                    self.children.remove(i);
                    group.end -= 1;
                } else {
                    i += 1;
                }
            }
            if self.start_group(group).await {
                return Ok(());
            }
        }
    }

    /// Starts the children of `group` that are not running, in order; `false` if
    /// one failed (those started stay up; the next round starts the rest).
    async fn start_group(&mut self, group: std::ops::Range<usize>) -> bool {
        for i in group {
            if self.children[i].pid.is_some() {
                continue;
            }
            match start_one(&self.children[i].spec).await {
                Ok((pid, data)) => {
                    crate::observe::hooks::child_restarted(&self.children[i].spec.id);
                    crate::log::info!(
                        target: "otp::supervisor",
                        supervisor = %supervisor_name(),
                        child_id = %self.children[i].spec.id,
                        pid = %pid,
                        "supervisor report: child restarted"
                    );
                    self.children[i].pid = Some(pid);
                    self.children[i].data = Some(data);
                }
                Err(_) => return false,
            }
        }
        true
    }

    /// Stops every child in reverse start order (the supervisor is stopping).
    pub(crate) async fn stop_all(&mut self) {
        for child in self.children.iter_mut().rev() {
            if let Some(pid) = child.pid.take() {
                child.data = None;
                stop_child(pid, child.spec.shutdown).await;
            }
        }
    }

    fn which_children(&self) -> Vec<ChildInfo> {
        self.children
            .iter()
            .map(|c| ChildInfo {
                id: c.spec.id.clone(),
                pid: match c.pid {
                    Some(pid) => ChildPid::Running(pid),
                    None => ChildPid::Undefined,
                },
                child_type: c.spec.child_type,
            })
            .collect()
    }

    fn count_children(&self) -> ChildCount {
        let of = |t| {
            self.children
                .iter()
                .filter(|c| c.spec.child_type == t)
                .count()
        };
        ChildCount {
            specs: self.children.len(),
            active: self.children.iter().filter(|c| c.pid.is_some()).count(),
            supervisors: of(ChildType::Supervisor),
            workers: of(ChildType::Worker),
        }
    }

    async fn terminate_child(&mut self, id: &str) -> Result<(), SupervisorError> {
        let at = self
            .find(id)
            .ok_or_else(|| SupervisorError::NotFound(id.to_string()))?;
        if let Some(pid) = self.children[at].pid.take() {
            self.children[at].data = None;
            stop_child(pid, self.children[at].spec.shutdown).await;
        }
        if self.children[at].spec.restart == Restart::Temporary || self.flags.dynamic {
            self.children.remove(at);
        }
        Ok(())
    }

    async fn restart_child(&mut self, id: &str) -> Result<Pid, SupervisorError> {
        let at = self
            .find(id)
            .ok_or_else(|| SupervisorError::NotFound(id.to_string()))?;
        if let Some(pid) = self.children[at].pid {
            return Err(SupervisorError::Running(pid));
        }
        let (pid, data) = start_one(&self.children[at].spec)
            .await
            .map_err(SupervisorError::StartFailed)?;
        self.children[at].pid = Some(pid);
        self.children[at].data = Some(data);
        Ok(pid)
    }

    fn delete_child(&mut self, id: &str) -> Result<(), SupervisorError> {
        let at = self
            .find(id)
            .ok_or_else(|| SupervisorError::NotFound(id.to_string()))?;
        if let Some(pid) = self.children[at].pid {
            return Err(SupervisorError::Running(pid));
        }
        self.children.remove(at);
        Ok(())
    }

    async fn start_child(&mut self, spec: ChildSpec) -> Result<(Pid, ChildData), SupervisorError> {
        if let Some(at) = self.find(&spec.id) {
            return Err(match self.children[at].pid {
                Some(pid) => SupervisorError::AlreadyStarted(pid),
                None => SupervisorError::AlreadyPresent(spec.id),
            });
        }
        if let Some(max) = self.flags.max_children {
            if self.children.len() >= max {
                return Err(SupervisorError::MaxChildren(max));
            }
        }
        check_significant(&spec).map_err(SupervisorError::StartFailed)?;
        let (pid, data) = start_one(&spec)
            .await
            .map_err(SupervisorError::StartFailed)?;
        self.children.push(Child {
            spec,
            pid: Some(pid),
            data: Some(data.clone()),
        });
        Ok((pid, data))
    }
}

fn report_exit(spec: &ChildSpec, pid: Pid, reason: &ExitReason) {
    if reason.is_clean() {
        crate::log::info!(
            target: "otp::supervisor",
            supervisor = %supervisor_name(),
            child_id = %spec.id,
            pid = %pid,
            reason = %reason,
            "child exited"
        );
    } else {
        crate::observe::hooks::child_crashed(&spec.id);
        crate::log::error!(
            target: "otp::supervisor",
            supervisor = %supervisor_name(),
            child_id = %spec.id,
            pid = %pid,
            reason = %reason,
            "supervisor report: child_terminated"
        );
    }
}
