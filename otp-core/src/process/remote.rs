//! Processes on other nodes: the hook through which a distribution layer
//! (`otp-dist`) makes a [`Pid`] of another node work wherever a local one does.
//!
//! A pid whose [`Pid::node`] is not `0` names a process of another node. The
//! functions of [`process`](super) hand such a pid to the [`Distribution`]
//! installed once with [`install`]: [`link`](super::link),
//! [`unlink`](super::unlink), [`monitor`](super::monitor),
//! [`demonitor`](super::demonitor), [`send_exit`](super::send_exit) and
//! [`kill`](super::kill); and when a local process exits, its links to remote
//! processes and its monitors of remote processes go to it too. Local pids
//! never reach it: a local operation pays one branch on the pid's node.
//!
//! The distribution layer, in turn, delivers what other nodes send with
//! [`add_link`], [`remove_link`], [`exit_signal`] and [`down`]: the signals
//! land in the local process's ordinary mailbox, in the order they are
//! delivered, as [`Down`]s and [`ExitMessage`](super::ExitMessage)s naming the
//! remote pid.
//!
//! Without a distribution layer installed, a remote pid is a process of a node
//! that cannot be reached, as in Erlang on a node that cannot connect
//! (`erlang:link/1`, `erlang:monitor/2`): a link gets an exit signal
//! `noconnection` at once (which kills a caller that does not trap exits), a
//! monitor a [`Down`] with [`ExitReason::NoConnection`], and an exit signal is
//! dropped.
//!
//! [`is_alive`](super::is_alive) is local-only, as Erlang's
//! `is_process_alive/1` is (it rejects a remote pid with `badarg`): it is
//! `false` for a remote pid. Monitor a remote process to learn that it is gone.

use std::sync::{Arc, OnceLock};

use super::Pid;
use super::exit::{Down, ExitReason, Monitor};
use super::mailbox::Other;
use super::table::{self, ProcEntry, Status};

/// What a distribution layer does with pids of other nodes. Installed once,
/// with [`install`]. Every method is called from the process concerned (or,
/// for [`Distribution::exit`] with `via_link`, from its exit) and must not
/// block: queue the signal for the connection and return.
pub trait Distribution: Send + Sync + 'static {
    /// Local process `from` linked itself to remote `to` (the link is already
    /// recorded on `from`'s side): tell `to`'s node. If the node cannot be
    /// reached, deliver `noconnection` through the link with
    /// [`exit_signal`]`(from, to, &ExitReason::NoConnection, true)`.
    fn link(&self, from: Pid, to: Pid);

    /// Local process `from` removed its link to remote `to`.
    fn unlink(&self, from: Pid, to: Pid);

    /// An exit signal from `from` (a local pid, or `<0.0.0>` for code outside
    /// any process) to remote `to`: `exit(To, Reason)` when `via_link` is
    /// false; when true, `from` exited with `reason` while linked to `to`.
    fn exit(&self, from: Pid, to: Pid, reason: &ExitReason, via_link: bool);

    /// Local process `from` monitors remote `monitor.pid()` (the monitor is
    /// already recorded on `from`'s side). Its DOWN, whenever it comes (the
    /// process's exit reason, `noproc` for a pid that names no process,
    /// `noconnection` when the node is or goes down), is delivered with
    /// [`down`].
    fn monitor(&self, from: Pid, monitor: Monitor);

    /// Local process `from` removed `monitor`, or exited holding it.
    fn demonitor(&self, from: Pid, monitor: Monitor);
}

static HOOK: OnceLock<Box<dyn Distribution>> = OnceLock::new();

/// A distribution layer was already installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a distribution layer is already installed")]
pub struct AlreadyInstalled;

/// Installs the distribution layer, once for the life of the OS process.
///
/// # Errors
/// [`AlreadyInstalled`] if one was installed before (it stays).
pub fn install(distribution: impl Distribution) -> Result<(), AlreadyInstalled> {
    HOOK.set(Box::new(distribution))
        .map_err(|_| AlreadyInstalled)
}

/// Whether a distribution layer is installed.
#[must_use]
pub fn installed() -> bool {
    HOOK.get().is_some()
}

fn hook() -> Option<&'static dyn Distribution> {
    HOOK.get().map(|h| &**h)
}

// ---- from `process::*`, for a remote pid ----

/// `link(To)` from process `me` to remote `to`.
pub(crate) fn link(me: &Arc<ProcEntry>, to: Pid) {
    {
        let mut state = me.state.lock();
        if state.status != Status::Running || !state.relations_mut().links.insert(to) {
            // Exiting, or linked already: nothing more to say.
            state.tidy();
            return;
        }
    }
    match hook() {
        Some(hook) => hook.link(me.pid, to),
        None => super::signal::exit_signal(me, to, &ExitReason::NoConnection, true),
    }
}

/// `unlink(To)` from process `me`.
pub(crate) fn unlink(me: &Arc<ProcEntry>, to: Pid) {
    let removed = {
        let mut state = me.state.lock();
        state.status == Status::Running && state.remove_link(&to)
    };
    if let (true, Some(hook)) = (removed, hook()) {
        hook.unlink(me.pid, to);
    }
}

/// `monitor(process, To)` by `me`: the monitor is recorded already.
pub(crate) fn monitor(me: &Arc<ProcEntry>, monitor: Monitor) {
    match hook() {
        Some(hook) => hook.monitor(me.pid, monitor),
        None => {
            down(me.pid, monitor, ExitReason::NoConnection);
        }
    }
}

/// `demonitor(Ref)` by `me`, of a monitor it held.
pub(crate) fn demonitor(me: Pid, monitor: Monitor) {
    if let Some(hook) = hook() {
        hook.demonitor(me, monitor);
    }
}

/// `exit(To, Reason)`, or the exit of `from` reaching its link to `to`.
pub(crate) fn exit(from: Pid, to: Pid, reason: &ExitReason, via_link: bool) {
    match hook() {
        Some(hook) => hook.exit(from, to, reason, via_link),
        None => crate::log::debug!(
            target: "otp::process",
            %from, %to, %reason,
            "exit signal to a process of another node dropped: no distribution"
        ),
    }
}

// ---- for the distribution layer: what other nodes send ----

/// Records a link between local process `local` and remote `remote` (a LINK
/// from `remote`'s node). Returns `false` if `local` is gone, in which case
/// the remote side should hear `noproc`; linking twice is linking once.
/// When `local` exits, [`Distribution::exit`] is told, with `via_link`.
#[must_use]
pub fn add_link(local: Pid, remote: Pid) -> bool {
    let Some(entry) = table::get(local) else {
        return false;
    };
    let mut state = entry.state.lock();
    if state.status == Status::Dead {
        return false;
    }
    // An exiting process takes the link: its exit reason will reach it.
    state.relations_mut().links.insert(remote);
    true
}

/// Removes the link between local `local` and remote `remote` (an UNLINK from
/// `remote`'s node); `true` if there was one. An exiting process keeps its
/// links, as in [`unlink`](super::unlink).
pub fn remove_link(local: Pid, remote: Pid) -> bool {
    let Some(entry) = table::get(local) else {
        return false;
    };
    let mut state = entry.state.lock();
    state.status == Status::Running && state.remove_link(&remote)
}

/// Delivers an exit signal from `from` (a remote pid) to local process `to`:
/// with `via_link`, the link's end (`from` exited, or its node went down with
/// `noconnection`), which does nothing if they are no longer linked;
/// without, `exit(To, Reason)` from `from`, with `erlang:exit/2` semantics
/// (`kill` kills, as `killed`). A trapping process gets an
/// [`ExitMessage`](super::ExitMessage) naming `from`.
pub fn exit_signal(to: Pid, from: Pid, reason: &ExitReason, via_link: bool) {
    if let Some(target) = table::get(to) {
        super::signal::exit_signal(&target, from, reason, via_link);
    }
}

/// Delivers the DOWN of `monitor` to local process `owner`, who made it with
/// [`monitor`](super::monitor) on a remote pid. Returns `false`, delivering
/// nothing, if the monitor is no longer active (removed with
/// [`demonitor`](super::demonitor), fired already, or its owner is gone).
pub fn down(owner: Pid, monitor: Monitor, reason: ExitReason) -> bool {
    let Some(entry) = table::get(owner) else {
        return false;
    };
    // Under the owner's lock, as local DOWNs are sent under the target's: a
    // `demonitor` that removed the monitor first sees no DOWN; one after it
    // finds the DOWN queued and flushes it.
    let mut state = entry.state.lock();
    let held = state
        .relations()
        .is_some_and(|r| r.monitors.get(&monitor.reference) == Some(&monitor.pid));
    if !held || state.status == Status::Dead {
        return false;
    }
    state.forget_monitor(monitor.reference);
    let down = Down {
        monitor,
        pid: monitor.pid,
        reason,
    };
    entry.sink.send_other(Other::Down(down)).is_ok()
}

/// A monitor that a process of another node holds on a local process, made
/// with [`watch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Watch {
    pid: Pid,
    reference: u64,
}

impl Watch {
    /// The watched local process.
    #[must_use]
    pub fn pid(&self) -> Pid {
        self.pid
    }
}

/// What a [`Watch`] runs when its process exits.
type OnDownFn = Box<dyn FnOnce(ExitReason) + Send>;

struct OnDown(parking_lot::Mutex<Option<OnDownFn>>);

impl table::Notify for OnDown {
    fn down(&self, down: Down) {
        if let Some(on_down) = self.0.lock().take() {
            on_down(down.reason);
        }
    }
}

/// Watches local process `pid` for a remote monitor (a MONITOR_P from
/// another node), without a process of its own: when `pid` exits,
/// `on_down` gets its reason, after its links were signalled. `None`, and
/// `on_down` is dropped, if `pid` is not alive (the remote side should hear
/// `noproc`).
///
/// `on_down` runs inside the exit of `pid`, under its lock: it must only
/// queue the DOWN for the connection, never call back into `pid`.
pub fn watch(pid: Pid, on_down: impl FnOnce(ExitReason) + Send + 'static) -> Option<Watch> {
    let reference = super::pid::unique();
    let notify = Arc::new(OnDown(parking_lot::Mutex::new(Some(Box::new(on_down)))));
    super::signal::add_watcher(pid, reference, table::Watcher::Callback(notify))
        .then_some(Watch { pid, reference })
}

/// Removes a [`watch`]: once it returns, its `on_down` never runs. `true` if
/// it was still active.
pub fn unwatch(watch: Watch) -> bool {
    super::signal::remove_watcher(watch.pid, watch.reference)
}

#[cfg(test)]
mod tests {
    //! Without a distribution layer (none is installed in this crate's tests),
    //! a remote pid is a process of a node that cannot be reached.

    use std::time::Duration;

    use crate::process::{self, ExitReason, Pid, Selector};

    const WAIT: Duration = Duration::from_secs(5);

    fn far() -> Pid {
        Pid::remote(std::num::NonZeroU32::MIN.saturating_add(6), 42, 3)
    }

    #[test]
    fn a_remote_pid_is_not_local() {
        assert!(!far().is_local());
        assert_eq!((far().node(), far().id(), far().creation()), (7, 42, 3));
        assert_eq!(far().to_string(), "<7.42.3>");
        assert!(!super::installed());
    }

    #[test]
    fn without_distribution_a_monitor_is_down_with_noconnection_at_once() {
        let down = crate::runtime::block_on(process::run(async {
            let monitor = process::monitor(far());
            let down = Selector::new()
                .select_monitor(monitor, |d| d)
                .receive(WAIT)
                .await
                .expect("a DOWN at once");
            assert_eq!(down.monitor, monitor);
            // Fired: demonitor says so, and nothing is left queued.
            assert!(!process::demonitor(monitor));
            assert!(!process::is_alive(far()));
            down
        }))
        .unwrap()
        .unwrap();
        assert_eq!((down.pid, down.reason), (far(), ExitReason::NoConnection));
    }

    #[test]
    fn without_distribution_a_link_ends_with_noconnection() {
        // Trapping: an EXIT naming the remote pid, and no link left.
        let exit = crate::runtime::block_on(process::run(async {
            process::trap_exits(true);
            assert!(process::link(far()));
            let exit = Selector::new()
                .select_trapped_exits(|e| e)
                .receive(WAIT)
                .await
                .expect("an EXIT at once");
            assert!(process::info(process::self_pid()).unwrap().links.is_empty());
            exit
        }))
        .unwrap()
        .unwrap();
        assert_eq!((exit.pid, exit.reason), (far(), ExitReason::NoConnection));
        // Not trapping: the caller dies of it, as in Erlang.
        let died = crate::runtime::block_on(process::run(async {
            process::link(far());
            process::sleep(WAIT).await;
        }))
        .unwrap();
        assert_eq!(died, Err(ExitReason::NoConnection));
    }

    #[test]
    fn a_watch_hears_the_exit_reason_once_and_an_unwatch_silences_it() {
        let heard = crate::runtime::block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let pid = process::spawn(std::future::pending::<()>());
            let tx2 = tx.clone();
            let kept = super::watch(pid, move |r| drop(tx2.send(("kept", r)))).unwrap();
            let gone = super::watch(pid, move |r| drop(tx.send(("removed", r)))).unwrap();
            assert_eq!(kept.pid(), pid);
            assert!(super::unwatch(gone));
            process::send_exit(pid, ExitReason::abnormal("bye"));
            let heard = tokio::time::timeout(WAIT, rx.recv()).await.unwrap();
            // Every callback of the exit ran before the first one returned:
            // all senders are dropped now, and the removed one never ran.
            assert_eq!(rx.recv().await, None);
            assert!(!super::unwatch(kept), "fired already");
            assert!(super::watch(pid, |_| ()).is_none(), "dead: no watch");
            heard
        })
        .unwrap();
        assert_eq!(heard, Some(("kept", ExitReason::abnormal("bye"))));
    }

    #[test]
    fn without_distribution_an_exit_signal_to_a_remote_pid_is_dropped() {
        let alive = crate::runtime::block_on(process::run(async {
            process::send_exit(far(), ExitReason::Kill);
            process::kill(far());
            process::unlink(far());
            process::is_alive(process::self_pid())
        }))
        .unwrap();
        assert_eq!(alive, Ok(true));
    }
}
