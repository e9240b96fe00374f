//! Why an actor did not start.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use crate::process::{ExitReason, Pid};

/// Why an actor did not start. Whatever the error, the caller survives it and
/// is left with no EXIT message from the failed actor, even when trapping exits.
///
/// A supervisor's own start errors (a child that failed, a bad child spec) are
/// [`supervisor::StartError`](crate::supervisor::StartError), which wraps this
/// one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Initialisation took longer than its timeout; the actor was killed.
    #[error("the actor did not initialise in time")]
    InitTimeout,
    /// The initialiser returned this error (gen_server's `{stop, Reason}` from
    /// `init/1`); [`InitError::downcast_ref`] gives back its type.
    #[error("the actor's initialiser failed: {0}")]
    InitFailed(#[source] InitError),
    /// The actor exited while initialising (a panic in the initialiser, a kill).
    #[error("the actor exited while initialising: {0}")]
    InitExited(ExitReason),
    /// The name asked for is held by another process (`{already_started, Pid}`).
    #[error("the name {name} is already registered to {holder}")]
    NameTaken {
        /// The name.
        name: String,
        /// Its holder.
        holder: Pid,
    },
    /// The start asked not to be started (Erlang's `ignore` from `init`): no
    /// process runs. A supervisor keeps such a child's spec, not running.
    #[error("the start was ignored")]
    Ignored,
}

/// The error an actor's initialiser returned, kept with its type (behind an
/// `Arc`, so that a [`StartError`] stays `Clone`).
///
/// Anything that converts into `Box<dyn Error + Send + Sync>` can be one: any
/// error type, a `String`, a `&'static str`. Two `InitError`s are equal when
/// they print the same, so that a test can compare with
/// `StartError::InitFailed("no database".into())`.
///
/// ```
/// use otp_core::actor::InitError;
///
/// let error = InitError::new(std::io::Error::other("no database"));
/// assert_eq!(error.to_string(), "no database");
/// assert!(error.downcast_ref::<std::io::Error>().is_some());
/// assert_eq!(error, InitError::from("no database"));
/// ```
#[derive(Clone)]
pub struct InitError(Arc<dyn Error + Send + Sync + 'static>);

impl InitError {
    /// Wraps `error`.
    pub fn new(error: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> InitError {
        InitError(Arc::from(error.into()))
    }

    /// The error as the initialiser returned it, if it is an `E`.
    #[must_use]
    pub fn downcast_ref<E: Error + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref::<E>()
    }

    /// The error itself.
    #[must_use]
    pub fn get_ref(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Debug for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Error for InitError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for InitError {
    fn eq(&self, other: &InitError) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.to_string() == other.to_string()
    }
}

impl Eq for InitError {}

impl From<String> for InitError {
    fn from(message: String) -> InitError {
        InitError::new(message)
    }
}

impl From<&str> for InitError {
    fn from(message: &str) -> InitError {
        InitError::new(message)
    }
}
