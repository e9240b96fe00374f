//! Typed process names (`erlang:register/2` and friends).

use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, LazyLock};

use parking_lot::Mutex;

use super::Pid;
use super::hash::IdMap;
use super::table::{self, ProcEntry, RegisteredName, Status};

/// A name a process can be registered under, for messages of type `M`.
///
/// A name is held by at most one process at a time. Sending through
/// [`Name::subject`](Name::subject) reaches whichever process holds it at the moment of the send,
/// which is how a client keeps reaching a server across supervisor restarts. As in
/// Gleam, a name is made from a prefix plus a unique suffix, so two calls to
/// [`Name::new`] never give the same name.
pub struct Name<M> {
    id: u64,
    label: Arc<str>,
    _message: PhantomData<fn() -> M>,
}

impl<M> Name<M> {
    /// A new unique name; `prefix` is what shows in logs and `info`.
    #[must_use]
    pub fn new(prefix: &str) -> Name<M> {
        let id = super::pid::unique();
        Name {
            id,
            label: Arc::from(format!("{prefix}${id}")),
            _message: PhantomData,
        }
    }

    /// The name as shown in logs, `prefix$N`.
    #[must_use]
    pub fn label(&self) -> &str {
        &self.label
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}

impl<M> Clone for Name<M> {
    fn clone(&self) -> Self {
        Name {
            id: self.id,
            label: self.label.clone(),
            _message: PhantomData,
        }
    }
}

impl<M> PartialEq for Name<M> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<M> Eq for Name<M> {}

impl<M> std::hash::Hash for Name<M> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state)
    }
}

impl<M> fmt::Debug for Name<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({})", self.label)
    }
}

impl<M> fmt::Display for Name<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// Why [`register`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegisterError {
    /// Another live process holds the name.
    #[error("the name {name} is already registered to {holder}")]
    NameTaken {
        /// The name.
        name: String,
        /// Its holder.
        holder: Pid,
    },
    /// The process to register is not alive.
    #[error("cannot register {0}: no such process")]
    NoProcess(Pid),
    /// The process already holds another name (Erlang allows one per process).
    #[error("{pid} is already registered as {name}")]
    AlreadyNamed {
        /// The process.
        pid: Pid,
        /// The name it holds.
        name: String,
    },
}

/// Why [`unregister`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnregisterError {
    /// Nobody holds the name.
    #[error("the name {0} is not registered")]
    NotRegistered(String),
}

// Lock order: a process entry's state, then this map.
static NAMES: LazyLock<Mutex<IdMap<u64, Arc<ProcEntry>>>> =
    LazyLock::new(|| Mutex::new(IdMap::default()));

/// Registers `pid` under `name` (`erlang:register/2`).
///
/// # Errors
/// [`RegisterError::NameTaken`] if another live process holds the name,
/// [`RegisterError::NoProcess`] if `pid` is not alive,
/// [`RegisterError::AlreadyNamed`] if `pid` already holds another name.
pub fn register<M>(pid: Pid, name: &Name<M>) -> Result<(), RegisterError> {
    let entry = table::get(pid).ok_or(RegisterError::NoProcess(pid))?;
    let mut state = entry.state.lock();
    if state.status != Status::Running {
        return Err(RegisterError::NoProcess(pid));
    }
    if let Some(held) = state.name() {
        return Err(RegisterError::AlreadyNamed {
            pid,
            name: held.label.to_string(),
        });
    }
    let mut names = NAMES.lock();
    if let Some(holder) = names.get(&name.id) {
        return Err(RegisterError::NameTaken {
            name: name.label.to_string(),
            holder: holder.pid,
        });
    }
    names.insert(name.id, entry.clone());
    state.relations_mut().name = Some(RegisteredName {
        id: name.id,
        label: name.label.clone(),
    });
    Ok(())
}

/// Frees `name` (`erlang:unregister/1`).
///
/// # Errors
/// [`UnregisterError`] if nobody holds the name.
pub fn unregister<M>(name: &Name<M>) -> Result<(), UnregisterError> {
    let not_registered = || UnregisterError::NotRegistered(name.label.to_string());
    let holder = NAMES
        .lock()
        .get(&name.id)
        .cloned()
        .ok_or_else(not_registered)?;
    let mut state = holder.state.lock();
    let mut names = NAMES.lock();
    match names.get(&name.id) {
        Some(current) if Arc::ptr_eq(current, &holder) => {
            names.remove(&name.id);
            state.relations_mut().name = None;
            state.tidy();
            Ok(())
        }
        _ => Err(not_registered()),
    }
}

/// The process holding `name`, if any (`erlang:whereis/1`).
pub fn whereis<M>(name: &Name<M>) -> Option<Pid> {
    NAMES.lock().get(&name.id).map(|entry| entry.pid)
}

pub(crate) fn holder(id: u64) -> Option<Arc<ProcEntry>> {
    NAMES.lock().get(&id).cloned()
}

/// Called by an exiting process, with its state locked, for the name it held.
pub(crate) fn release(name: &RegisteredName, pid: Pid) {
    let mut names = NAMES.lock();
    if names.get(&name.id).is_some_and(|e| e.pid == pid) {
        names.remove(&name.id);
    }
}
