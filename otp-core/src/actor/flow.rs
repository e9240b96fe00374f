//! What a handler of the macro style returns: go on or stop, reply and stop.

use std::sync::Arc;

use crate::process::ExitReason;

/// What a `#[cast]` or `#[info]` handler returns to go on or to stop
/// (gen_server's `{noreply, State}` and `{stop, Reason, State}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the (changed) state.
    Continue,
    /// Stop with this reason, after the terminate hook. Links and monitors see
    /// the reason; any reason but `Normal` and `Shutdown` makes a crash report.
    Stop(ExitReason),
}

impl Flow {
    /// Stop normally.
    #[must_use]
    pub fn stop() -> Flow {
        Flow::Stop(ExitReason::Normal)
    }

    /// Stop with `ExitReason::Abnormal(reason)`.
    pub fn stop_abnormal(reason: impl Into<Arc<str>>) -> Flow {
        Flow::Stop(ExitReason::Abnormal(reason.into()))
    }
}

/// What a `#[call]` handler returns to reply and then stop (gen_server's
/// `{stop, Reason, Reply, State}`). Write the return type as
/// `ReplyAndStop<R>`: the caller gets an `R`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyAndStop<R> {
    /// The reply.
    pub reply: R,
    /// Why the actor stops after replying.
    pub reason: ExitReason,
}

impl<R> ReplyAndStop<R> {
    /// Reply with `reply`, then stop normally.
    pub fn normal(reply: R) -> Self {
        ReplyAndStop {
            reply,
            reason: ExitReason::Normal,
        }
    }

    /// Reply with `reply`, then stop with `reason`.
    pub fn new(reply: R, reason: ExitReason) -> Self {
        ReplyAndStop { reply, reason }
    }
}
