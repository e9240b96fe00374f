//! Starting processes.

use std::cell::RefCell;
use std::sync::Arc;

use super::context::{self, Ctx};
use super::drive::Drive;
use super::exit::{ExitReason, Monitor};
use super::mailbox::{Envelope, Mailbox};
use super::signal::exit_process;
use super::subject::Reply;
use super::table::{self, ProcEntry, Watcher};
use super::{Pid, Subject, panic};

/// How to start a process: linked, monitored, trapping exits, on a thread of its
/// own. [`spawn`], [`spawn_link`] and [`spawn_monitor`] are shorthands.
///
/// ```
/// use otp_core::process;
///
/// # otp_core::runtime::block_on(async {
/// let spawned = process::Builder::new()
///     .monitor()
///     .on_blocking_thread()
///     .spawn(async {
///         // Code that cannot yield, e.g. a long computation or blocking I/O.
///         std::thread::sleep(std::time::Duration::from_millis(1));
///     });
/// assert!(spawned.monitor.is_some());
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    link: bool,
    monitor: bool,
    trap_exits: bool,
    blocking: bool,
}

/// What [`Builder::spawn`] started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spawned {
    /// The new process.
    pub pid: Pid,
    /// Its monitor, if [`Builder::monitor`] was asked for.
    pub monitor: Option<Monitor>,
}

/// The primary message type of processes that have no primary subject.
pub(crate) enum NoPrimary {}

impl Builder {
    /// A plain process: not linked, not monitored, not trapping exits, on the
    /// shared multi-thread runtime.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Links the new process to the caller before it runs (`spawn_link`).
    pub fn link(mut self) -> Self {
        self.link = true;
        self
    }

    /// Monitors the new process from the caller before it runs (`spawn_monitor`).
    pub fn monitor(mut self) -> Self {
        self.monitor = true;
        self
    }

    /// Makes the new process trap exits from its first instant.
    pub fn trap_exits(mut self) -> Self {
        self.trap_exits = true;
        self
    }

    /// Runs the new process on a dedicated OS thread (with a single-thread tokio
    /// runtime of its own), for code that blocks or computes without yielding.
    /// Everything else works as for any process; it can still spawn processes,
    /// which go to the shared runtime.
    pub fn on_blocking_thread(mut self) -> Self {
        self.blocking = true;
        self
    }

    /// Starts `body` as a new process.
    ///
    /// # Panics
    /// If asked to link or monitor from outside a process, or if there is no tokio
    /// runtime to run on.
    pub fn spawn(self, body: impl Future<Output = ()> + Send + 'static) -> Spawned {
        let (pid, _, monitor) = self.start::<NoPrimary, _>(None, |_| body);
        Spawned { pid, monitor }
    }

    /// Starts a process whose primary subject carries `M` unboxed; `body` gets that
    /// subject. `watcher` is registered, under its reference, as a monitor before
    /// the process runs.
    pub(crate) fn start<M: Send + 'static, F: Future<Output = ()> + Send + 'static>(
        self,
        watcher: Option<(u64, Watcher)>,
        body: impl FnOnce(Subject<M>) -> F,
    ) -> (Pid, Subject<M>, Option<Monitor>) {
        panic::install_hook();
        let handle = context::handle("spawn");
        let pid = Pid::next_local();
        let (sender, receiver) = flume::unbounded::<Envelope<M>>();
        let entry = Arc::new(ProcEntry::new(pid, Box::new(sender.clone())));
        let subject = Subject::primary(pid, sender);
        let mut monitor = None;
        {
            let mut state = entry.state.lock();
            state.trap_exit = self.trap_exits;
            if self.link || self.monitor {
                let parent = context::entry("spawn_link/spawn_monitor");
                let mut parent_state = parent.state.lock();
                if self.link {
                    state.links.insert(parent.pid);
                    parent_state.links.insert(pid);
                }
                if self.monitor {
                    let reference = super::pid::unique();
                    parent_state.monitors.insert(reference, pid);
                    drop(parent_state);
                    state
                        .monitored_by
                        .insert(reference, Watcher::Process(parent.clone()));
                    monitor = Some(Monitor { reference, pid });
                }
            }
            if let Some((reference, watcher)) = watcher {
                state.monitored_by.insert(reference, watcher);
            }
        }
        table::insert(entry.clone());
        let mailbox = Mailbox::new(receiver, entry.clone());
        let future = body(subject.clone());
        let ctx = Ctx {
            entry: entry.clone(),
            mailbox: RefCell::new(Box::new(mailbox)),
            handle: handle.clone(),
            exit_reason: RefCell::new(None),
        };
        let task = Drive::new(entry.clone(), ctx, future);
        if self.blocking {
            spawn_thread(pid, entry, task);
        } else {
            drop(handle.spawn(task));
        }
        (pid, subject, monitor)
    }
}

fn spawn_thread(pid: Pid, entry: Arc<ProcEntry>, task: impl Future<Output = ()> + Send + 'static) {
    let started = std::thread::Builder::new()
        .name(format!("otp-{pid}"))
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(task),
                Err(error) => {
                    let reason =
                        ExitReason::abnormal(format!("could not start a runtime: {error}"));
                    exit_process(&entry, reason, true);
                }
            }
        });
    if let Err(error) = started {
        crate::log::error!(%pid, %error, "could not start a thread for a blocking process");
    }
}

/// Starts `body` as a new process (`erlang:spawn/1`).
///
/// # Panics
/// Outside a tokio runtime.
pub fn spawn(body: impl Future<Output = ()> + Send + 'static) -> Pid {
    Builder::new().spawn(body).pid
}

/// Starts `body` as a new process linked to the caller (`erlang:spawn_link/1`).
///
/// # Panics
/// Outside a process.
pub fn spawn_link(body: impl Future<Output = ()> + Send + 'static) -> Pid {
    Builder::new().link().spawn(body).pid
}

/// Starts `body` as a new process monitored by the caller, atomically
/// (`erlang:spawn_monitor/1`).
///
/// # Panics
/// Outside a process.
pub fn spawn_monitor(body: impl Future<Output = ()> + Send + 'static) -> (Pid, Monitor) {
    let spawned = Builder::new().monitor().spawn(body);
    match spawned.monitor {
        Some(monitor) => (spawned.pid, monitor),
        None => unreachable!("a monitor was asked for"),
    }
}

/// Runs `body` as a new process and waits for it from anywhere (a process, plain
/// async code, a test): `Ok` with its output, or `Err` with its exit reason if it
/// exited without finishing (a panic, an exit signal, [`exit`](super::exit)).
///
/// ```
/// use otp_core::process::{self, ExitReason};
///
/// # otp_core::runtime::block_on(async {
/// assert_eq!(process::run(async { 1 + 1 }).await, Ok(2));
/// let crashed = process::run(async { panic!("boom") }).await;
/// assert!(matches!(crashed, Err(ExitReason::Panic(p)) if &*p.message == "boom"));
/// # }).unwrap();
/// ```
pub async fn run<T: Send + 'static>(
    body: impl Future<Output = T> + Send + 'static,
) -> Result<T, ExitReason> {
    let (sender, slot) = flume::unbounded();
    let on_down = sender.clone();
    let watcher = Watcher::Callback(Arc::new(move |down| {
        let _ = on_down.send(Reply::Down(down.reason));
    }));
    let watcher = (super::pid::unique(), watcher);
    Builder::new().start::<NoPrimary, _>(Some(watcher), move |_| async move {
        let value = body.await;
        let _ = sender.send(Reply::Value(value));
    });
    match slot.recv_async().await {
        Ok(Reply::Value(value)) => Ok(value),
        Ok(Reply::Down(reason)) => Err(reason),
        Err(_) => Err(ExitReason::NoProc),
    }
}
