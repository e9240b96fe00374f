//! The points where the runtime tells the observability layer what happened.
//!
//! Each hook is one call at its site. Those on the message path
//! ([`message_sent`], [`message_received`]) and the spawn path compile to nothing
//! without the `metrics` feature; the others (crashes, restarts) are rare and
//! always keep their counts for [`observe`](super).

use std::time::Duration;

use crate::process::{CallError, ExitReason, Pid};
use crate::supervisor::{Strategy, Supervisor};

/// A message was sent on a subject.
#[inline(always)]
pub(crate) fn message_sent() {
    #[cfg(feature = "metrics")]
    crate::metrics::message_sent();
}

/// An actor took a message (not a system message) from its mailbox.
#[inline(always)]
pub(crate) fn message_received() {
    #[cfg(feature = "metrics")]
    crate::metrics::message_received();
}

/// A process entered the process table.
#[inline(always)]
pub(crate) fn process_started() {
    #[cfg(feature = "metrics")]
    crate::metrics::process_started();
}

/// A process left the process table.
#[inline(always)]
pub(crate) fn process_exited() {
    #[cfg(feature = "metrics")]
    crate::metrics::process_exited();
}

/// A crash report was written.
pub(crate) fn crashed(
    pid: Pid,
    name: Option<&str>,
    reason: &ExitReason,
    last_message: Option<&str>,
    state: Option<&str>,
) {
    super::crash::keep(pid, name, reason, last_message, state);
    #[cfg(feature = "metrics")]
    crate::metrics::crashed();
}

/// A supervisor finished starting.
pub(crate) fn supervisor_started(
    supervisor: &Supervisor,
    strategy: Strategy,
    intensity: u32,
    period: Duration,
    factory: bool,
) {
    super::supervisors::started(supervisor, strategy, intensity, period, factory);
}

/// The calling supervisor's child `id` exited abnormally.
pub(crate) fn child_crashed(id: &str) {
    super::supervisors::count(id, |c| c.crashes += 1);
    #[cfg(feature = "metrics")]
    crate::metrics::child_crashed(id);
}

/// The calling supervisor restarted its child `id`.
pub(crate) fn child_restarted(id: &str) {
    super::supervisors::count(id, |c| c.restarts += 1);
    #[cfg(feature = "metrics")]
    crate::metrics::child_restarted(id);
}

/// A call: timed with the `metrics` feature, the future itself without.
#[inline(always)]
pub(crate) fn timed_call<R>(
    call: impl Future<Output = Result<R, CallError>>,
) -> impl Future<Output = Result<R, CallError>> {
    #[cfg(feature = "metrics")]
    {
        crate::metrics::timed_call(call)
    }
    #[cfg(not(feature = "metrics"))]
    {
        call
    }
}

/// [`timed_call`] for a blocking call.
#[inline(always)]
pub(crate) fn timed_blocking_call<R>(
    call: impl FnOnce() -> Result<R, CallError>,
) -> Result<R, CallError> {
    #[cfg(feature = "metrics")]
    {
        let started = std::time::Instant::now();
        let result = call();
        crate::metrics::call_finished(started, &result);
        result
    }
    #[cfg(not(feature = "metrics"))]
    {
        call()
    }
}
