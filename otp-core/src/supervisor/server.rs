//! The supervisor's process: a thin shell around [`super::decide`]. It receives
//! requests and child exits, asks the decisions what to do, and does it: starts
//! and stops children, writes the reports, sends itself `try_again_restart`, or
//! stops.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::time::Instant;

use super::StartError;
use super::children::{Child, Children, Key, Run};
use super::decide::{self, Core, Decision, Outcome, Report};
use super::restart::Intensity;
use super::spec::{BoxFuture, ChildData, ChildSpec, ChildType, Restart, Shutdown};
use super::{AutoShutdown, ChildCount, ChildInfo, Strategy, SupervisorError};
use crate::actor::{self, Next};
use crate::process::{self, ExitMessage, ExitReason, Pid, Selector, Subject};

/// A request to a supervisor. Opaque: use the methods of
/// [`Supervisor`](super::Supervisor).
pub struct Message(pub(crate) Request);

/// A factory child's argument, type-erased (the factory's handle is typed).
pub(crate) type Argument = Arc<dyn Any + Send + Sync>;

type Reply<T> = Subject<Result<T, SupervisorError>>;

pub(crate) enum Request {
    ChildExit(ExitMessage),
    /// `try_again_restart`: retry a restart that failed.
    TryAgain(Key),
    WhichChildren(Subject<Vec<ChildInfo>>),
    CountChildren(Subject<ChildCount>),
    TerminateChild(String, Reply<()>),
    TerminatePid(Pid, Reply<()>),
    RestartChild(String, Reply<Pid>),
    DeleteChild(String, Reply<()>),
    StartChild(ChildSpec, Reply<(Pid, ChildData)>),
    StartDynamic(Argument, Reply<(Pid, ChildData)>),
    ChildData(String, Reply<ChildData>),
    GetChildspec(String, Reply<ChildSpec>),
    GetChildspecPid(Pid, Reply<ChildSpec>),
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Request::ChildExit(exit) => write!(f, "ChildExit({exit:?})"),
            Request::TryAgain(key) => write!(f, "TryAgain({key})"),
            Request::WhichChildren(_) => f.write_str("WhichChildren"),
            Request::CountChildren(_) => f.write_str("CountChildren"),
            Request::TerminateChild(id, _) => write!(f, "TerminateChild({id:?})"),
            Request::TerminatePid(pid, _) => write!(f, "TerminatePid({pid})"),
            Request::RestartChild(id, _) => write!(f, "RestartChild({id:?})"),
            Request::DeleteChild(id, _) => write!(f, "DeleteChild({id:?})"),
            Request::StartChild(spec, _) => write!(f, "StartChild({:?})", spec.id),
            Request::StartDynamic(..) => f.write_str("StartDynamic"),
            Request::ChildData(id, _) => write!(f, "ChildData({id:?})"),
            Request::GetChildspec(id, _) => write!(f, "GetChildspec({id:?})"),
            Request::GetChildspecPid(pid, _) => write!(f, "GetChildspec({pid})"),
        }
    }
}

/// A supervisor's flags (Erlang's `sup_flags()`).
#[derive(Clone, Debug)]
pub(crate) struct Flags {
    pub(crate) strategy: Strategy,
    pub(crate) intensity: u32,
    pub(crate) period: Duration,
    pub(crate) auto_shutdown: AutoShutdown,
    /// A factory (simple_one_for_one): children are made from the template, and
    /// forgotten when they stop for good.
    pub(crate) dynamic: bool,
    pub(crate) max_children: Option<usize>,
}

/// A factory's template: the start function taking the argument, and the
/// children's restart, shutdown, type and significance.
#[derive(Clone)]
pub(crate) struct Template {
    /// The argument's type, checked before a start.
    pub(crate) argument: (std::any::TypeId, &'static str),
    pub(crate) start: Arc<dyn Fn(Argument) -> super::spec::StartResult + Send + Sync>,
    pub(crate) restart: Restart,
    pub(crate) shutdown: Shutdown,
    pub(crate) child_type: ChildType,
    pub(crate) significant: bool,
}

impl Template {
    fn spec(&self, argument: Argument) -> ChildSpec {
        let start = self.start.clone();
        ChildSpec {
            id: process::unique().to_string(),
            start: Arc::new(move || start(argument.clone())),
            restart: self.restart,
            shutdown: self.shutdown,
            child_type: self.child_type,
            significant: self.significant,
        }
    }
}

pub(crate) struct State {
    core: Core,
    template: Option<Template>,
    /// Its own subject, for `try_again_restart`.
    me: Subject<Message>,
    /// Its name or pid, for the reports (looked up once).
    label: String,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let children: Vec<String> = self
            .core
            .children
            .iter()
            .map(|(_, c)| match &c.run {
                Run::Running(pid, _) => format!("{} {pid}", c.spec.id),
                Run::Restarting => format!("{} (restarting)", c.spec.id),
                Run::Stopped => format!("{} (not running)", c.spec.id),
            })
            .collect();
        let flags = &self.core.flags;
        f.debug_struct("Supervisor")
            .field("strategy", &flags.strategy)
            .field("intensity", &flags.intensity)
            .field("period", &flags.period)
            .field("children", &children)
            .finish()
    }
}

/// Checks the flags and specs, then starts each child in order. If one fails,
/// those already started are stopped in reverse order and the error names it.
pub(crate) async fn init(
    flags: Flags,
    specs: Vec<ChildSpec>,
    template: Option<Template>,
    me: Subject<Message>,
    label: String,
) -> Result<State, StartError> {
    decide::check_flags(&flags).map_err(StartError::Config)?;
    let mut ids = HashSet::with_capacity(specs.len());
    for spec in &specs {
        if !ids.insert(spec.id.as_str()) {
            return Err(StartError::DuplicateChildId(spec.id.clone()));
        }
        decide::check_spec(&flags, spec).map_err(StartError::Config)?;
    }
    if let Some(template) = &template {
        let probe = ChildSpec {
            id: "template".to_string(),
            start: Arc::new(|| {
                Box::pin(async { Err(actor::StartError::Ignored.into()) }) as BoxFuture<_>
            }),
            restart: template.restart,
            shutdown: template.shutdown,
            child_type: template.child_type,
            significant: template.significant,
        };
        decide::check_spec(&flags, &probe).map_err(StartError::Config)?;
    }
    let mut state = State {
        core: Core {
            intensity: Intensity::new(flags.intensity, flags.period),
            flags,
            children: Children::default(),
        },
        template,
        me,
        label,
    };
    for spec in specs {
        let key = state.core.children.push(spec);
        match state.start(key).await {
            Ok(pid) => decide::started(&mut state.core, key, pid),
            Err(reason) => {
                let id = state.core.children.remove(key).expect("pushed").spec.id;
                state.stop_all().await;
                return Err(StartError::ChildFailed {
                    id,
                    reason: Box::new(reason),
                });
            }
        }
    }
    Ok(state)
}

/// How long a restart waits for the previous holder of a child's name to finish
/// exiting.
const NAME_RELEASE: Duration = Duration::from_secs(5);

/// Runs a child's start function. A panic in it is a failed start, never the
/// supervisor's crash; `Ignored` is `Ok(None)`. A name still held by a process
/// that is already dead (killed, still unwinding, as the children of a killed
/// supervisor are) is waited for and the start tried once more: a restart must
/// not race the exit of the process it replaces.
async fn run_start(spec: &ChildSpec) -> Result<Option<(Pid, ChildData)>, StartError> {
    let mut waited = false;
    loop {
        let attempt = std::panic::catch_unwind(AssertUnwindSafe(|| (spec.start)()));
        let result = match attempt {
            Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
            Err(payload) => Err(payload),
        };
        match result {
            Ok(Ok(started)) => return Ok(Some(started)),
            Ok(Err(error)) if error.is_ignored() => return Ok(None),
            Ok(Err(StartError::Actor(actor::StartError::NameTaken { holder, .. })))
                if !waited && !process::is_alive(holder) =>
            {
                waited = true;
                let monitor = process::monitor(holder);
                let down = Selector::new().select_monitor(monitor, |_| ());
                if down.receive(NAME_RELEASE).await.is_err() {
                    process::demonitor(monitor);
                }
            }
            Ok(Err(error)) => return Err(error),
            // A panic, or `process::exit(reason)` in the start function:
            // supervisor.erl catches both as `{error, Reason}`.
            Err(payload) => {
                let reason = process::caught_reason(payload);
                return Err(actor::StartError::InitExited(reason).into());
            }
        }
    }
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
            process::kill(pid);
        }
    }
    down.receive_forever().await.unwrap_or(ExitReason::NoProc)
}

/// Stops many children at once, as `terminate_dynamic_children/1` does: all are
/// monitored and unlinked first, then all are sent the exit signal, then waited
/// for together within one shutdown time, then the rest are killed. The two
/// passes matter: flushing a child's EXIT looks through the mailbox, which
/// must not fill with the DOWNs of children already stopping (that made
/// stopping 10,000 children take seconds, quadratic).
async fn stop_children(pids: Vec<Pid>, shutdown: Shutdown) {
    let mut waiting: HashMap<u64, Pid> = HashMap::with_capacity(pids.len());
    for &pid in &pids {
        let monitor = process::monitor(pid);
        process::unlink(pid);
        process::flush_exits_from(pid);
        waiting.insert(monitor.reference, pid);
    }
    for pid in pids {
        match shutdown {
            Shutdown::BrutalKill => process::kill(pid),
            _ => process::send_exit(pid, ExitReason::Shutdown),
        }
    }
    let downs = Selector::new().select_monitors(|down| down.monitor.reference);
    if let Shutdown::Timeout(timeout) = shutdown {
        let deadline = Instant::now() + timeout;
        while !waiting.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            match downs.receive(left).await {
                Ok(reference) => {
                    waiting.remove(&reference);
                }
                Err(_) => break,
            }
        }
        for pid in waiting.values() {
            process::kill(*pid);
        }
    }
    while !waiting.is_empty() {
        match downs.receive_forever().await {
            Ok(reference) => {
                waiting.remove(&reference);
            }
            Err(_) => break,
        }
    }
}

pub(crate) async fn handle(mut state: State, Message(request): Message) -> Next<State, Message> {
    let outcome = match request {
        Request::ChildExit(exit) => {
            let decision = decide::child_exited(&mut state.core, exit.pid, exit.reason, now());
            state.perform(decision).await
        }
        Request::TryAgain(key) => {
            let decision = decide::try_again(&mut state.core, key, now());
            state.perform(decision).await
        }
        Request::WhichChildren(reply) => {
            reply.send(state.which_children());
            Ok(())
        }
        Request::CountChildren(reply) => {
            reply.send(state.count_children());
            Ok(())
        }
        Request::TerminateChild(id, reply) => {
            let found = state.find(&id);
            reply.send(state.terminate_child(found).await);
            Ok(())
        }
        Request::TerminatePid(pid, reply) => {
            let result = match state.core.children.find_pid(pid) {
                Some(key) => state.terminate_child(Ok(key)).await,
                // A pid that is no longer alive is no longer a child: done.
                None if !process::is_alive(pid) => Ok(()),
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
        Request::StartDynamic(argument, reply) => {
            let result = match &state.template {
                Some(template) if (*argument).type_id() != template.argument.0 => {
                    Err(SupervisorError::WrongType(template.argument.1))
                }
                Some(template) => {
                    let spec = template.spec(argument);
                    state.start_child(spec).await
                }
                None => Err(SupervisorError::NotAFactory),
            };
            reply.send(result);
            Ok(())
        }
        Request::ChildData(id, reply) => {
            let data = state.find(&id).and_then(|key| {
                match &state.core.children.get(key).expect("found").run {
                    Run::Running(_, data) => Ok(data.clone()),
                    _ => Err(SupervisorError::NotRunning(id)),
                }
            });
            reply.send(data);
            Ok(())
        }
        Request::GetChildspec(id, reply) => {
            let spec = state.find(&id).map(|key| state.child(key).spec.clone());
            reply.send(spec);
            Ok(())
        }
        Request::GetChildspecPid(pid, reply) => {
            let spec = match state.core.children.find_pid(pid) {
                Some(key) => Ok(state.child(key).spec.clone()),
                None => Err(SupervisorError::NotFound(pid.to_string())),
            };
            reply.send(spec);
            Ok(())
        }
    };
    match outcome {
        Ok(()) => Next::Continue(state),
        Err(reason) => Next::Stop(state, reason),
    }
}

fn now() -> Instant {
    Instant::now()
}

impl State {
    fn find(&self, id: &str) -> Result<Key, SupervisorError> {
        self.core
            .children
            .find_id(id)
            .ok_or_else(|| SupervisorError::NotFound(id.to_string()))
    }

    fn child(&self, key: Key) -> &Child {
        self.core.children.get(key).expect("a known key")
    }

    /// Starts the child `key` (not changing the state), reporting the outcome.
    async fn start(&self, key: Key) -> Result<Option<(Pid, ChildData)>, StartError> {
        let spec = &self.child(key).spec;
        let started = run_start(spec).await;
        match &started {
            Ok(Some((pid, _))) => crate::log::debug!(
                target: "otp::supervisor",
                supervisor = %self.label,
                child_id = %spec.id,
                pid = %pid,
                "child started"
            ),
            Ok(None) => crate::log::debug!(
                target: "otp::supervisor",
                supervisor = %self.label,
                child_id = %spec.id,
                "child start ignored"
            ),
            Err(_) => {}
        }
        started
    }

    /// Performs a decision, and the decisions that follow from it, until one
    /// says to go on, to try again later or to stop.
    async fn perform(&mut self, mut decision: Decision) -> Result<(), ExitReason> {
        loop {
            for report in decision.reports.drain(..) {
                self.report(report);
            }
            match decision.outcome {
                Outcome::Continue => return Ok(()),
                Outcome::Shutdown(reason) => return Err(reason),
                Outcome::TryAgain(key) => {
                    self.me.send(Message(Request::TryAgain(key)));
                    return Ok(());
                }
                Outcome::Restart(plan) => {
                    for stop in plan.stop {
                        stop_child(stop.pid, stop.shutdown).await;
                    }
                    decision = Decision {
                        outcome: Outcome::Continue,
                        reports: Vec::new(),
                    };
                    for key in plan.start {
                        match self.start(key).await {
                            Ok(started) => {
                                if let Some((pid, _)) = &started {
                                    crate::observe::hooks::child_restarted(
                                        &self.child(key).spec.id,
                                    );
                                    crate::log::info!(
                                        target: "otp::supervisor",
                                        supervisor = %self.label,
                                        child_id = %self.child(key).spec.id,
                                        pid = %pid,
                                        "supervisor report: child restarted"
                                    );
                                }
                                decide::started(&mut self.core, key, started);
                            }
                            Err(reason) => {
                                decision = decide::start_failed(&mut self.core, key, reason);
                                break;
                            }
                        }
                    }
                }
            }
        }
    }

    fn report(&self, report: Report) {
        let supervisor = &self.label;
        match report {
            Report::ChildTerminated { id, pid, reason } => {
                if !reason.is_clean() {
                    crate::observe::hooks::child_crashed(&id);
                }
                crate::log::error!(
                    target: "otp::supervisor",
                    supervisor = %supervisor,
                    child_id = %id,
                    pid = %pid,
                    reason = %reason,
                    "supervisor report: child_terminated"
                )
            }
            Report::ChildExited { id, pid, reason } => crate::log::info!(
                target: "otp::supervisor",
                supervisor = %supervisor,
                child_id = %id,
                pid = %pid,
                reason = %reason,
                "child exited"
            ),
            Report::StartError { id, reason } => crate::log::error!(
                target: "otp::supervisor",
                supervisor = %supervisor,
                child_id = %id,
                reason = %reason,
                "supervisor report: start_error"
            ),
            Report::MaxIntensity => crate::log::error!(
                target: "otp::supervisor",
                supervisor = %supervisor,
                intensity = self.core.flags.intensity,
                period = ?self.core.flags.period,
                "supervisor report: reached_max_restart_intensity, shutting down"
            ),
            Report::AutoShutdown { id } => crate::log::info!(
                target: "otp::supervisor",
                supervisor = %supervisor,
                child_id = %id,
                "supervisor report: auto_shutdown by significant child"
            ),
        }
    }

    /// Stops every child in reverse start order (the supervisor is stopping); a
    /// factory's children all at once.
    pub(crate) async fn stop_all(&mut self) {
        let keys: Vec<Key> = self.core.children.keys();
        if self.core.flags.dynamic {
            let mut pids = Vec::with_capacity(self.core.children.running());
            for key in keys {
                if let Some(Run::Running(pid, _)) = self.core.children.set(key, Run::Stopped) {
                    pids.push(pid);
                }
            }
            let shutdown = self
                .template
                .as_ref()
                .map_or(Shutdown::Infinity, |t| t.shutdown);
            stop_children(pids, shutdown).await;
            return;
        }
        for key in keys.into_iter().rev() {
            let shutdown = self.child(key).spec.shutdown;
            if let Some(Run::Running(pid, _)) = self.core.children.set(key, Run::Stopped) {
                stop_child(pid, shutdown).await;
            }
        }
    }

    fn which_children(&self) -> Vec<ChildInfo> {
        self.core
            .children
            .iter()
            .map(|(_, c)| ChildInfo {
                id: c.spec.id.clone(),
                pid: match &c.run {
                    Run::Running(pid, _) => Some(*pid),
                    Run::Restarting | Run::Stopped => None,
                },
                restarting: matches!(c.run, Run::Restarting),
                child_type: c.spec.child_type,
            })
            .collect()
    }

    /// `count_children/1`: a factory counts its template as its one spec.
    fn count_children(&self) -> ChildCount {
        let children = &self.core.children;
        let of = |t| {
            children
                .iter()
                .filter(|(_, c)| c.spec.child_type == t)
                .count()
        };
        ChildCount {
            specs: if self.core.flags.dynamic {
                1
            } else {
                children.len()
            },
            active: children.running(),
            supervisors: of(ChildType::Supervisor),
            workers: of(ChildType::Worker),
        }
    }

    async fn terminate_child(
        &mut self,
        key: Result<Key, SupervisorError>,
    ) -> Result<(), SupervisorError> {
        let key = key?;
        let shutdown = self.child(key).spec.shutdown;
        if let Some(Run::Running(pid, _)) = self.core.children.set(key, Run::Stopped) {
            stop_child(pid, shutdown).await;
        }
        decide::forget(&mut self.core, key);
        Ok(())
    }

    async fn restart_child(&mut self, id: &str) -> Result<Pid, SupervisorError> {
        let key = self.find(id)?;
        match &self.child(key).run {
            Run::Running(pid, _) => return Err(SupervisorError::Running(*pid)),
            Run::Restarting => return Err(SupervisorError::Restarting(id.to_string())),
            Run::Stopped => {}
        }
        match self
            .start(key)
            .await
            .map_err(SupervisorError::StartFailed)?
        {
            Some((pid, data)) => {
                decide::started(&mut self.core, key, Some((pid, data)));
                Ok(pid)
            }
            None => Err(SupervisorError::Ignored(id.to_string())),
        }
    }

    fn delete_child(&mut self, id: &str) -> Result<(), SupervisorError> {
        let key = self.find(id)?;
        match &self.child(key).run {
            Run::Running(pid, _) => Err(SupervisorError::Running(*pid)),
            Run::Restarting => Err(SupervisorError::Restarting(id.to_string())),
            Run::Stopped => {
                self.core.children.remove(key);
                Ok(())
            }
        }
    }

    async fn start_child(&mut self, spec: ChildSpec) -> Result<(Pid, ChildData), SupervisorError> {
        if let Some(key) = self.core.children.find_id(&spec.id) {
            return Err(match &self.child(key).run {
                Run::Running(pid, _) => SupervisorError::AlreadyStarted(*pid),
                _ => SupervisorError::AlreadyPresent(spec.id),
            });
        }
        if let Some(max) = self.core.flags.max_children {
            if self.core.children.len() >= max {
                return Err(SupervisorError::MaxChildren(max));
            }
        }
        decide::check_spec(&self.core.flags, &spec).map_err(SupervisorError::Invalid)?;
        let id = spec.id.clone();
        let key = self.core.children.push(spec);
        match self.start(key).await {
            Ok(Some((pid, data))) => {
                decide::started(&mut self.core, key, Some((pid, data.clone())));
                Ok((pid, data))
            }
            Ok(None) => {
                decide::started(&mut self.core, key, None);
                Err(SupervisorError::Ignored(id))
            }
            Err(reason) => {
                self.core.children.remove(key);
                Err(SupervisorError::StartFailed(reason))
            }
        }
    }
}
