//! Why a supervisor, or one of its children, did not start.

use crate::actor;

use super::ConfigError;

/// Why a supervisor did not start, or why a child did not start (what a
/// child's start function returns, whatever the child is: an actor's
/// [`actor::StartError`] converts into it with `?` or `.into()`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The process did not start: the supervisor's own (a name taken, a
    /// timeout), or for a child, the child actor's.
    #[error(transparent)]
    Actor(#[from] actor::StartError),
    /// A child failed to start (`{shutdown, {failed_to_start_child, Id,
    /// Reason}}`); the children started before it were stopped again.
    #[error("child {id} failed to start: {reason}")]
    ChildFailed {
        /// The child's id.
        id: String,
        /// Why it failed.
        #[source]
        reason: Box<StartError>,
    },
    /// Two children have the same id (`duplicate_child_name`).
    #[error("two children have the id {0}")]
    DuplicateChildId(String),
    /// The supervisor's flags or one of its child specs are invalid.
    #[error("invalid supervisor: {0}")]
    Config(#[source] ConfigError),
}

impl StartError {
    /// Whether the start asked not to be started (Erlang's `ignore`).
    #[must_use]
    pub fn is_ignored(&self) -> bool {
        matches!(self, StartError::Actor(actor::StartError::Ignored))
    }
}
