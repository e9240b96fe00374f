//! Starting processes.

use std::cell::RefCell;
use std::sync::Arc;

use parking_lot::Mutex;

use super::channel::Channel;
use super::context::{self, Ctx};
use super::drive::{Drive, IntoExit};
use super::exit::{ExitReason, Monitor};
use super::mailbox::{Envelope, Mailbox};
use super::table::{self, ProcEntry, Watcher};
use super::wait::Slot;
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
#[must_use = "a builder does nothing until it spawns"]
pub struct Builder {
    link: bool,
    monitor: bool,
    trap_exits: bool,
    blocking: bool,
    stack_size: Option<usize>,
    link_to: Option<Pid>,
    monitoring: Option<Pid>,
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

    /// Links the new process to `pid` (rather than to the caller) before it
    /// runs, so no signal from `pid` can come before the link. If `pid` is not
    /// alive, the new process gets an exit signal `NoProc` from it at once, as
    /// `link/1` in a process that traps exits does.
    pub fn link_to(mut self, pid: Pid) -> Self {
        self.link_to = Some(pid);
        self
    }

    /// Makes the new process monitor `pid` before it runs (its DOWN can be
    /// taken with [`Selector::select_monitors`](super::Selector::select_monitors));
    /// if `pid` is not alive, the DOWN (`NoProc`) is queued at once.
    pub fn monitoring(mut self, pid: Pid) -> Self {
        self.monitoring = Some(pid);
        self
    }

    /// The stack size, in bytes, of the thread of a process started with
    /// [`Builder::on_blocking_thread`] (the platform's default otherwise). If
    /// the thread cannot be created, the process exits at once with an
    /// [`ExitReason::Abnormal`] saying why: its links and monitors see it.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
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
    /// subject and returns the process's exit. `watcher` is registered, under its
    /// reference, as a monitor before the process runs.
    pub(crate) fn start<M, F>(
        self,
        watcher: Option<(u64, Watcher)>,
        body: impl FnOnce(Subject<M>) -> F,
    ) -> (Pid, Subject<M>, Option<Monitor>)
    where
        M: Send + 'static,
        F: Future + Send + 'static,
        F::Output: IntoExit,
    {
        panic::install_hook();
        let handle = context::handle("spawn");
        let pid = Pid::next_local();
        let channel = Arc::new(Channel::<Envelope<M>>::new());
        let entry = Arc::new(ProcEntry::new(pid, channel.clone(), self.trap_exits));
        let subject = Subject::primary(pid, channel.clone());
        let mut monitor = None;
        if self.link || self.monitor || watcher.is_some() {
            let mut state = entry.state.lock();
            if self.link || self.monitor {
                let parent = context::entry("spawn_link/spawn_monitor");
                let mut parent_state = parent.state.lock();
                if self.link {
                    state.relations_mut().links.insert(parent.pid);
                    parent_state.relations_mut().links.insert(pid);
                }
                if self.monitor {
                    let reference = super::pid::unique();
                    parent_state.relations_mut().monitors.insert(reference, pid);
                    drop(parent_state);
                    state
                        .relations_mut()
                        .monitored_by
                        .insert(reference, Watcher::Process(parent.clone()));
                    monitor = Some(Monitor { reference, pid });
                }
            }
            if let Some((reference, watcher)) = watcher {
                state
                    .relations_mut()
                    .monitored_by
                    .insert(reference, watcher);
            }
        }
        if let Some(other) = self.link_to {
            let linked = table::get(other).is_some_and(|target| {
                let mut state = target.state.lock();
                let alive = state.status == super::table::Status::Running;
                if alive {
                    state.relations_mut().links.insert(pid);
                    entry.state.lock().relations_mut().links.insert(other);
                }
                alive
            });
            if !linked {
                super::signal::exit_signal(&entry, other, &ExitReason::NoProc, false);
            }
        }
        if let Some(other) = self.monitoring {
            let reference = super::pid::unique();
            entry
                .state
                .lock()
                .relations_mut()
                .monitors
                .insert(reference, other);
            let watcher = Watcher::Process(entry.clone());
            if !super::signal::add_watcher(other, reference, watcher) {
                entry.state.lock().forget_monitor(reference);
                let monitor = Monitor {
                    reference,
                    pid: other,
                };
                let down = super::exit::Down {
                    monitor,
                    pid: other,
                    reason: ExitReason::NoProc,
                };
                drop(entry.sink.send_other(super::mailbox::Other::Down(down)));
            }
        }
        table::insert(entry.clone());
        let future = body(subject.clone());
        let ctx = Ctx {
            entry,
            mailbox: RefCell::new(Box::new(Mailbox::new(channel))),
            handle: handle.clone(),
            replies: RefCell::new(None),
        };
        let task = Drive::new(ctx, future);
        if self.blocking {
            spawn_thread(pid, &handle, self.stack_size, task);
        } else {
            // On a runtime that is shutting down the task is dropped at once,
            // and the process exits from its `Drop`.
            drop(handle.spawn(task));
        }
        (pid, subject, monitor)
    }
}

/// Runs a process on a thread of its own, with a current-thread runtime. The
/// process belongs to the runtime it was spawned from: when that one shuts
/// down, a guard task on it is dropped, and the process exits (`Killed`).
fn spawn_thread<F>(pid: Pid, handle: &tokio::runtime::Handle, stack: Option<usize>, task: Drive<F>)
where
    Drive<F>: Future<Output = ()> + Send + 'static,
{
    let (gone, owner_gone) = tokio::sync::oneshot::channel::<()>();
    let (done, process_done) = tokio::sync::oneshot::channel::<()>();
    drop(handle.spawn(async move {
        let _gone = gone;
        let _ = process_done.await;
    }));
    // Kept here too, so that a thread that cannot start gives the process back.
    let cell = Arc::new(Mutex::new(Some(task)));
    let in_thread = cell.clone();
    let mut builder = std::thread::Builder::new().name(format!("otp-{pid}"));
    if let Some(bytes) = stack {
        builder = builder.stack_size(bytes);
    }
    let started = builder.spawn(move || {
        let Some(task) = in_thread.lock().take() else {
            return;
        };
        let _done = done;
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            // Whichever ends first; if it is the owner, the process is dropped
            // unfinished, and exits (`Killed`).
            Ok(runtime) => drop(runtime.block_on(futures_util::future::select(
                std::pin::pin!(task),
                owner_gone,
            ))),
            Err(error) => {
                let reason = ExitReason::abnormal(format!("could not start a runtime: {error}"));
                std::pin::pin!(task).abandon(reason);
            }
        }
    });
    if let Err(error) = started {
        crate::log::error!(%pid, %error, "could not start a thread for a blocking process");
        if let Some(task) = cell.lock().take() {
            let reason = ExitReason::abnormal(format!("could not start a thread: {error}"));
            std::pin::pin!(task).abandon(reason);
        }
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
///
/// # Errors
/// The process's exit reason if it exited without finishing (a panic, an exit
/// signal, [`exit`](super::exit)).
///
/// # Panics
/// Outside a tokio runtime.
///
/// # Cancel safety
/// Dropping the future before it completes leaves the process running on its
/// own; its result is then dropped.
pub async fn run<T: Send + 'static>(
    body: impl Future<Output = T> + Send + 'static,
) -> Result<T, ExitReason> {
    let slot = Slot::new();
    let put = slot.clone();
    let watcher = (super::pid::unique(), slot.watcher());
    Builder::new().start::<NoPrimary, _>(Some(watcher), move |_| async move {
        let value = body.await;
        let _ = put.put(value);
    });
    // The DOWN comes after the process has left the table.
    match slot.exit().await {
        (Some(value), _) => Ok(value),
        (None, reason) => Err(reason),
    }
}
