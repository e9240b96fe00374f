//! Exit reasons, exit messages and DOWN messages.

use std::fmt;
use std::sync::Arc;

use super::Pid;

/// Why a process exited, mirroring Erlang's exit reasons.
///
/// One exit reaches every link and monitor, so the reason is cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExitReason {
    /// The process finished its work (`normal`). Links do not die of it.
    Normal,
    /// The process was asked to stop, usually by its supervisor (`shutdown`).
    Shutdown,
    /// `{shutdown, Term}`: a shutdown with a payload. Like `Shutdown`, supervisors
    /// do not restart transient children for it and no crash report is made.
    ShutdownWith(Arc<str>),
    /// The untrappable signal of `erlang:exit(Pid, kill)`. It is only ever *sent*:
    /// the process it hits exits with [`ExitReason::Killed`].
    Kill,
    /// The process was killed by [`ExitReason::Kill`].
    Killed,
    /// The process did not exist (`noproc`): a monitor of a dead pid says this.
    NoProc,
    /// The connection to the process's node was lost (`noconnection`).
    NoConnection,
    /// The process panicked.
    Panic(PanicReason),
    /// Any other abnormal reason, with a payload describing it.
    Abnormal(Arc<str>),
}

/// The message and source location of a panic that ended a process.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct PanicReason {
    /// The panic message (the payload if it was a string, else a placeholder).
    pub message: Arc<str>,
    /// `file:line:column` where the panic happened, when known.
    pub location: Option<Arc<str>>,
}

impl ExitReason {
    /// An abnormal reason with the given payload.
    pub fn abnormal(reason: impl Into<Arc<str>>) -> ExitReason {
        ExitReason::Abnormal(reason.into())
    }

    /// `{shutdown, payload}`.
    pub fn shutdown_with(payload: impl Into<Arc<str>>) -> ExitReason {
        ExitReason::ShutdownWith(payload.into())
    }

    /// `true` for [`ExitReason::Normal`] only.
    #[must_use]
    pub fn is_normal(&self) -> bool {
        matches!(self, ExitReason::Normal)
    }

    /// `true` for `Normal`, `Shutdown` and `ShutdownWith`: the reasons for which
    /// proc_lib writes no crash report and a supervisor does not restart a
    /// transient child.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        matches!(
            self,
            ExitReason::Normal | ExitReason::Shutdown | ExitReason::ShutdownWith(_)
        )
    }
}

impl fmt::Display for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Normal => f.write_str("normal"),
            ExitReason::Shutdown => f.write_str("shutdown"),
            ExitReason::ShutdownWith(p) => write!(f, "{{shutdown, {p}}}"),
            ExitReason::Kill => f.write_str("kill"),
            ExitReason::Killed => f.write_str("killed"),
            ExitReason::NoProc => f.write_str("noproc"),
            ExitReason::NoConnection => f.write_str("noconnection"),
            ExitReason::Panic(p) => match &p.location {
                Some(loc) => write!(f, "panic at {loc}: {}", p.message),
                None => write!(f, "panic: {}", p.message),
            },
            ExitReason::Abnormal(r) => f.write_str(r),
        }
    }
}

impl fmt::Debug for ExitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitReason::Abnormal(r) => write!(f, "Abnormal({r:?})"),
            ExitReason::ShutdownWith(r) => write!(f, "ShutdownWith({r:?})"),
            ExitReason::Panic(p) => write!(f, "Panic({p:?})"),
            other => fmt::Display::fmt(other, f),
        }
    }
}

/// A monitor: the reference returned by [`monitor`](super::monitor), carried by
/// the [`Down`] message it produces.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Monitor {
    pub(crate) reference: u64,
    pub(crate) pid: Pid,
}

impl Monitor {
    /// The monitored process.
    #[must_use]
    pub fn pid(&self) -> Pid {
        self.pid
    }
}

/// `{'DOWN', Ref, process, Pid, Reason}`: a monitored process exited.
#[derive(Clone, PartialEq, Eq, Debug)]
#[doc(alias = "DOWN")]
pub struct Down {
    /// The monitor that fired.
    pub monitor: Monitor,
    /// The process that exited.
    pub pid: Pid,
    /// Its exit reason (`NoProc` if it was already dead when monitored).
    pub reason: ExitReason,
}

/// `{'EXIT', Pid, Reason}`: an exit signal received while trapping exits.
#[derive(Clone, PartialEq, Eq, Debug)]
#[doc(alias = "EXIT")]
pub struct ExitMessage {
    /// The process that sent the exit signal (the linked process that exited,
    /// or the caller of [`send_exit`](super::send_exit)).
    pub pid: Pid,
    /// The reason it carried.
    pub reason: ExitReason,
}
