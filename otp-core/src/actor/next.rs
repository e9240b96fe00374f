//! What a handler returns: how the actor goes on.

use std::sync::Arc;

use crate::process::{ExitReason, Selector};

/// What happens after a message, as returned by a handler (Gleam's `Next`).
pub enum Next<S, M> {
    /// Go on with this state, receiving as before.
    Continue(S),
    /// Go on with this state, receiving from this selector from now on (other
    /// subjects, monitors, trapped exits). It replaces the current selector,
    /// including the actor's own subject unless the selector selects it again.
    Select(S, Selector<M>),
    /// Stop with this reason, after running the terminate hook with this final
    /// state (gen_server's `{stop, Reason, State}`). `Normal` and `Shutdown` are
    /// clean stops; any other reason is seen verbatim by links and monitors and
    /// makes a crash report.
    Stop(S, ExitReason),
}

impl<S, M> Next<S, M> {
    /// Stop normally, with this final state.
    pub fn stop(state: S) -> Self {
        Next::Stop(state, ExitReason::Normal)
    }

    /// Stop with an abnormal reason, which links and monitors see as
    /// `ExitReason::Abnormal(reason)`.
    pub fn stop_abnormal(state: S, reason: impl Into<Arc<str>>) -> Self {
        Next::Stop(state, ExitReason::Abnormal(reason.into()))
    }
}

impl<S: std::fmt::Debug, M> std::fmt::Debug for Next<S, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Next::Continue(state) => f.debug_tuple("Continue").field(state).finish(),
            Next::Select(state, _) => f.debug_tuple("Select").field(state).finish(),
            Next::Stop(state, reason) => f.debug_tuple("Stop").field(state).field(reason).finish(),
        }
    }
}
