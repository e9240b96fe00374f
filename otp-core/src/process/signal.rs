//! Links, monitors and exit signals.
//!
//! Locking rules: at most two process states are locked at once, and then in pid
//! order (only `link` and `unlink` do that). A process sends its DOWN messages
//! while holding its own state lock, so that once a watcher has looked at the
//! target under that lock, a DOWN is either still to come through a monitor it can
//! remove, or already in its mailbox.

use std::sync::Arc;

use super::Pid;
use super::context;
use super::exit::{Down, ExitMessage, ExitReason, Monitor};
use super::mailbox::{Other, Want};
use super::table::{self, ProcEntry, Status, Watcher};

/// Delivers an exit signal from `from` to `target`, following `erlang:exit/2`
/// when `via_link` is false and link semantics when it is true.
pub(crate) fn exit_signal(target: &Arc<ProcEntry>, from: Pid, reason: &ExitReason, via_link: bool) {
    let mut state = target.state.lock();
    if state.status != Status::Running {
        return;
    }
    if via_link && !state.remove_link(&from) {
        // Unlinked after the sender collected its links: the link is gone.
        return;
    }
    // Only `exit(Pid, kill)` is untrappable and becomes `killed`; a `kill`
    // reason arriving through a link (a process that called `exit(kill)`)
    // is an ordinary abnormal reason, as in Erlang.
    let dies_with = if !via_link && *reason == ExitReason::Kill {
        Some(ExitReason::Killed)
    } else if state.trap_exit {
        let message = ExitMessage {
            pid: from,
            reason: reason.clone(),
        };
        drop(target.sink.send_other(Other::Exit(message)));
        None
    } else if *reason == ExitReason::Normal {
        // `exit(self(), normal)` ends the caller; a normal signal from anyone
        // else is ignored by a process that does not trap exits.
        (!via_link && from == target.pid).then_some(ExitReason::Normal)
    } else {
        Some(reason.clone())
    };
    if let Some(reason) = dies_with {
        state.status = Status::Exiting { reason };
        drop(state);
        target.stop.throw();
    }
}

/// Creates a link between the calling process and `pid` (`erlang:link/1`).
///
/// Returns `false`, and links nothing, if `pid` is not alive. Linking to self, or
/// to a process already linked, does nothing and returns `true`.
///
/// A pid of another node goes to the distribution layer (see
/// [`remote`](super::remote)) and this returns `true`, as Erlang does: if
/// the process does not exist the link ends with an exit signal `noproc`, and
/// if its node cannot be reached or goes down, with `noconnection` (which
/// kills the caller unless it traps exits).
///
/// # Panics
/// Outside a process.
pub fn link(pid: Pid) -> bool {
    let me = context::entry("link");
    if pid == me.pid {
        return true;
    }
    if !pid.is_local() {
        super::remote::link(&me, pid);
        return true;
    }
    let Some(other) = table::get(pid) else {
        return false;
    };
    let (first, second) = if me.pid < other.pid {
        (&me, &other)
    } else {
        (&other, &me)
    };
    let mut a = first.state.lock();
    let mut b = second.state.lock();
    let (mine, theirs) = if me.pid < other.pid {
        (&mut *a, &mut *b)
    } else {
        (&mut *b, &mut *a)
    };
    if theirs.status != Status::Running {
        return false;
    }
    if mine.status != Status::Running {
        // The caller is exiting: it links nothing more.
        return true;
    }
    mine.relations_mut().links.insert(pid);
    theirs.relations_mut().links.insert(me.pid);
    true
}

/// Removes the link between the calling process and `pid`, if any
/// (`erlang:unlink/1`). Once it returns, the link has no further effect on the
/// caller; an EXIT it already queued while trapping exits stays queued, as in
/// Erlang. A process that is already exiting (killed, or in [`exit`]) keeps its
/// links: its exit signal reaches them.
///
/// # Panics
/// Outside a process.
pub fn unlink(pid: Pid) {
    let me = context::entry("unlink");
    if !pid.is_local() {
        return super::remote::unlink(&me, pid);
    }
    match table::get(pid) {
        Some(other) if other.pid != me.pid => {
            let (first, second) = if me.pid < other.pid {
                (&me, &other)
            } else {
                (&other, &me)
            };
            let mut a = first.state.lock();
            let mut b = second.state.lock();
            let mine = if me.pid < other.pid { &*a } else { &*b };
            if mine.status != Status::Running {
                return;
            }
            a.remove_link(&second.pid);
            b.remove_link(&first.pid);
        }
        _ => {
            let mut state = me.state.lock();
            if state.status == Status::Running {
                state.remove_link(&pid);
            }
        }
    }
}

/// Monitors `pid` (`erlang:monitor(process, Pid)`): when it exits, a [`Down`]
/// arrives in the caller's mailbox. Monitoring a process that is not alive gives a
/// `Down` with [`ExitReason::NoProc`] at once. Each call makes a new monitor.
///
/// A pid of another node is monitored through the distribution layer (see
/// [`remote`](super::remote)): the `Down` carries the process's exit reason,
/// `NoProc` if it does not exist (a pid of an earlier incarnation of its
/// node included), and `NoConnection` if its node cannot be reached or goes
/// down.
///
/// # Panics
/// Outside a process.
pub fn monitor(pid: Pid) -> Monitor {
    let me = context::entry("monitor");
    let monitor = Monitor {
        reference: super::pid::unique(),
        pid,
    };
    me.state
        .lock()
        .relations_mut()
        .monitors
        .insert(monitor.reference, pid);
    if !pid.is_local() {
        super::remote::monitor(&me, monitor);
        return monitor;
    }
    if !add_watcher(pid, monitor.reference, Watcher::Process(me.clone())) {
        me.state.lock().forget_monitor(monitor.reference);
        let down = Down {
            monitor,
            pid,
            reason: ExitReason::NoProc,
        };
        drop(me.sink.send_other(Other::Down(down)));
    }
    monitor
}

/// Registers `watcher` on `pid`; `false` if `pid` is already dead.
pub(crate) fn add_watcher(pid: Pid, reference: u64, watcher: Watcher) -> bool {
    let Some(target) = table::get(pid) else {
        return false;
    };
    let mut state = target.state.lock();
    if state.status == Status::Dead {
        return false;
    }
    state
        .relations_mut()
        .monitored_by
        .insert(reference, watcher);
    true
}

/// Removes a watcher registered with [`add_watcher`]. Once it returns, the watcher
/// is never called. Returns whether it was still registered.
pub(crate) fn remove_watcher(pid: Pid, reference: u64) -> bool {
    table::get(pid).is_some_and(|target| target.state.lock().forget_watcher(reference))
}

/// Removes `monitor` and drops its `Down` if it was already delivered
/// (`erlang:demonitor(Ref, [flush, info])`). Returns `true` if the monitor was
/// still active, `false` if it had fired or was already removed.
///
/// Only the process that created the monitor can remove it: a [`Monitor`] is
/// `Copy` and may be sent anywhere, but from any other process (the monitored
/// one included) `demonitor` returns `false` and the monitor stays, as Erlang's
/// `demonitor/2` leaves a monitor it does not own.
///
/// # Panics
/// Outside a process.
pub fn demonitor(monitor: Monitor) -> bool {
    let me = context::entry("demonitor");
    let owned = {
        let mut state = me.state.lock();
        let owned = state
            .relations()
            .is_some_and(|r| r.monitors.contains_key(&monitor.reference));
        state.forget_monitor(monitor.reference);
        owned
    };
    let active = owned
        && if monitor.pid.is_local() {
            remove_watcher(monitor.pid, monitor.reference)
        } else {
            super::remote::demonitor(me.pid, monitor);
            true
        };
    // Only the creator can have its DOWN queued.
    context::remove_queued(&[Want::Down(monitor.reference)]);
    active
}

/// Sets whether the calling process traps exits (`process_flag(trap_exit, _)`);
/// returns the previous setting. A trapping process receives exit signals as
/// [`ExitMessage`]s instead of dying, except [`kill`].
///
/// # Panics
/// Outside a process.
#[doc(alias = "process_flag")]
#[doc(alias = "trap_exit")]
pub fn trap_exits(trap: bool) -> bool {
    let me = context::entry("trap_exits");
    std::mem::replace(&mut me.state.lock().trap_exit, trap)
}

/// Sends an exit signal to `pid`, with `erlang:exit/2` semantics:
/// - [`ExitReason::Kill`]: `pid` exits with `Killed`, trapping or not;
/// - [`ExitReason::Normal`]: a process that traps exits gets an [`ExitMessage`];
///   one that does not ignores it, unless it is the caller, which then exits
///   normally;
/// - any other reason: a trapping process gets an [`ExitMessage`], any other
///   exits with that reason.
///
/// Sending to a dead pid does nothing. The target stops at its next await point
/// (at once if it is waiting); from the moment this returns, [`is_alive`] says
/// `false` for a target that is to die. Code outside a process may call this too;
/// the exit message then names the pid `<0.0.0>`.
#[doc(alias = "exit/2")]
#[doc(alias = "send_abnormal_exit")]
pub fn send_exit(pid: Pid, reason: ExitReason) {
    let from = context::with(|ctx| ctx.entry.pid).unwrap_or_else(super::pid_none);
    if let Some(target) = table::get(pid) {
        exit_signal(&target, from, &reason, false);
    } else if !pid.is_local() {
        super::remote::exit(from, pid, &reason, false);
    }
}

/// Kills `pid` with an untrappable signal (`exit(Pid, kill)`); its links see
/// [`ExitReason::Killed`]. `is_alive(pid)` is `false` once this returns.
pub fn kill(pid: Pid) {
    send_exit(pid, ExitReason::Kill);
}

/// Whether `pid` is alive. A process hit by an exit signal that kills it counts
/// as dead from the moment the signal was sent, as Erlang's `is_process_alive`
/// does for signals from the caller.
///
/// Local-only, like Erlang's `is_process_alive/1`: for a pid of another node
/// it is `false` whether or not that process lives (Erlang raises `badarg`).
/// [`monitor`] a remote process to learn when it is gone.
#[must_use]
pub fn is_alive(pid: Pid) -> bool {
    table::get(pid).is_some_and(|entry| entry.state.lock().status == Status::Running)
}

/// Ends the calling process with `reason` (`erlang:exit/1`). It never returns:
/// it unwinds the calling process's code, like an exception, to whatever
/// handles it, and the process exits with `reason`; its links and monitors see
/// `reason`, and an abnormal `reason` writes one crash report.
///
/// As in Erlang, where `exit/1` raises an exception that the behaviour
/// catches: called in an actor's handler, the actor ends as if the handler
/// had stopped it with `reason` (the same crash report, the last message
/// named); in its terminate hook, the actor exits with `reason`; in a child's
/// start function, the supervisor sees a failed start with `reason`. Code of
/// yours that catches unwinds (`catch_unwind`) catches it too, as Erlang's
/// `catch` does.
///
/// As in Erlang, `exit(ExitReason::Kill)` ends the caller with reason `Kill`,
/// which its links receive as an ordinary (trappable) exit reason; only
/// [`kill`] (`exit(Pid, kill)`) is untrappable and becomes `Killed`.
///
/// # Panics
/// Outside a process.
///
/// # Cancel safety
/// It never completes: the process exits at its first poll.
pub async fn exit(reason: ExitReason) -> ! {
    // Only a process can exit: outside one this panics with the usual message.
    context::entry("exit");
    // `resume_unwind` does not run the panic hook: nothing is printed.
    std::panic::resume_unwind(Box::new(super::panic::ExitUnwind(reason)))
}

/// Queues a `sys` request in `pid`'s mailbox, in order with its other messages.
/// Returns `false` if `pid` is not alive.
pub(crate) fn send_system(pid: Pid, request: Box<dyn std::any::Any + Send>) -> bool {
    match table::get(pid) {
        Some(target) => target.sink.send_other(Other::System(request)).is_ok(),
        None => false,
    }
}

/// Drops any trapped EXIT from `pid` queued in the calling process's mailbox, so
/// that a failed start leaves nothing behind (proc_lib's `flush_EXIT`).
pub(crate) fn flush_exits_from(pid: Pid) {
    context::remove_queued(&[Want::Exit(pid)]);
}
