//! Subjects: typed addresses of a process's mailbox.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use super::Pid;
use super::context;
use super::exit::ExitReason;
use super::mailbox::{Envelope, Other, Slot};
use super::registry::{self, Name};
use super::table::ProcEntry;

/// A typed address to which messages of type `M` can be sent, owned by one process
/// that alone may receive from it (Gleam's `Subject`).
///
/// A subject is the owner's pid plus a tag; all subjects of a process share its one
/// ordered mailbox. Sending never blocks and never panics; sending to a process that
/// is gone does nothing, as in Erlang (use [`Subject::try_send`] to learn of it).
pub struct Subject<M> {
    owner: Pid,
    route: Route<M>,
}

enum Route<M> {
    /// The owner's primary subject: messages travel unboxed.
    Primary(flume::Sender<Envelope<M>>),
    /// A secondary subject made by [`Subject::new`].
    Tagged { tag: u64, owner: Arc<ProcEntry> },
    /// Whoever holds the name at the time of the send.
    Named(Name<M>),
    /// The reply slot of a call in progress.
    Reply {
        tag: u64,
        slot: flume::Sender<Reply<M>>,
    },
}

/// What arrives in a call's reply slot.
pub(crate) enum Reply<R> {
    Value(R),
    Down(ExitReason),
}

/// A message that could not be delivered because its receiver is gone.
#[derive(PartialEq, Eq, thiserror::Error)]
#[error("the receiving process is gone")]
pub struct SendError<M>(pub M);

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<M: Send + 'static> Subject<M> {
    /// A new subject owned by the calling process (`process.new_subject()`).
    ///
    /// # Panics
    /// Outside a process.
    pub fn new() -> Subject<M> {
        let entry = context::entry("Subject::new");
        Subject {
            owner: entry.pid,
            route: Route::Tagged {
                tag: super::pid::unique(),
                owner: entry,
            },
        }
    }

    pub(crate) fn primary(owner: Pid, sender: flume::Sender<Envelope<M>>) -> Subject<M> {
        Subject {
            owner,
            route: Route::Primary(sender),
        }
    }

    pub(crate) fn named(name: Name<M>) -> Subject<M> {
        Subject {
            owner: super::pid_none(),
            route: Route::Named(name),
        }
    }

    pub(crate) fn reply(owner: Pid, slot: flume::Sender<Reply<M>>) -> Subject<M> {
        Subject {
            owner,
            route: Route::Reply {
                tag: super::pid::unique(),
                slot,
            },
        }
    }

    /// The process that owns this subject. For a subject made from a [`Name`], the
    /// process holding the name now, or `<0.0.0>` if nobody does.
    pub fn owner(&self) -> Pid {
        match &self.route {
            Route::Named(name) => registry::whereis(name).unwrap_or_else(super::pid_none),
            _ => self.owner,
        }
    }

    /// The name this subject sends through, if it was made from one.
    pub fn name(&self) -> Option<&Name<M>> {
        match &self.route {
            Route::Named(name) => Some(name),
            _ => None,
        }
    }

    /// Sends `message`. Never blocks; does nothing if the owner is gone.
    pub fn send(&self, message: M) {
        // Erlang's send to a dead process is a no-op: so is ours.
        let _ = self.try_send(message);
    }

    /// Sends `message`, or gives it back if the owner is gone (or, for a named
    /// subject, if nobody holds the name).
    pub fn try_send(&self, message: M) -> Result<(), SendError<M>> {
        super::table::note_send();
        match &self.route {
            Route::Primary(sender) => sender
                .send(Envelope::Primary(Some(message)))
                .map_err(|flume::SendError(envelope)| SendError(take_primary(envelope))),
            Route::Tagged { tag, owner } => send_tagged(owner, *tag, message),
            Route::Named(name) => {
                let Some(holder) = registry::holder(name.id()) else {
                    return Err(SendError(message));
                };
                match holder
                    .sink
                    .primary()
                    .downcast_ref::<flume::Sender<Envelope<M>>>()
                {
                    Some(sender) => sender
                        .send(Envelope::Primary(Some(message)))
                        .map_err(|flume::SendError(envelope)| SendError(take_primary(envelope))),
                    None => send_tagged(&holder, name.id(), message),
                }
            }
            Route::Reply { slot, .. } => {
                slot.send(Reply::Value(message))
                    .map_err(|flume::SendError(reply)| match reply {
                        Reply::Value(m) => SendError(m),
                        Reply::Down(_) => unreachable!("flume returned a different reply"),
                    })
            }
        }
    }

    /// Takes a message of this subject out of `slot`, if it holds one.
    pub(crate) fn take_from(&self, slot: Slot<'_>) -> Option<M> {
        match (&self.route, slot) {
            (Route::Primary(_), Slot::Primary(any)) => take_primary_any(any),
            (Route::Tagged { tag, .. }, Slot::Other(other)) => take_tagged(*tag, other),
            (Route::Named(name), Slot::Other(other)) => take_tagged(name.id(), other),
            (Route::Named(_), Slot::Primary(any)) => take_primary_any(any),
            _ => None,
        }
    }

    /// Whether the calling process may receive on this subject.
    pub(crate) fn owned_by(&self, pid: Pid) -> bool {
        match &self.route {
            Route::Named(name) => registry::whereis(name) == Some(pid),
            Route::Reply { .. } => false,
            _ => self.owner == pid,
        }
    }

    /// What identifies this subject among its owner's: equal keys, same subject.
    pub(crate) fn key(&self) -> (Pid, u64) {
        match &self.route {
            Route::Primary(_) => (self.owner, 0),
            Route::Tagged { tag, .. } | Route::Reply { tag, .. } => (self.owner, *tag),
            Route::Named(name) => (super::pid_none(), name.id()),
        }
    }
}

fn send_tagged<M: Send + 'static>(
    owner: &ProcEntry,
    tag: u64,
    message: M,
) -> Result<(), SendError<M>> {
    let other = Other::Tagged(tag, Box::new(message), std::any::type_name::<M>());
    owner.sink.send_other(other).map_err(|other| match other {
        Other::Tagged(_, boxed, _) => match boxed.downcast::<M>() {
            Ok(m) => SendError(*m),
            Err(_) => unreachable!("a tagged message changed type"),
        },
        _ => unreachable!("flume returned a different message"),
    })
}

fn take_primary<M>(envelope: Envelope<M>) -> M {
    match envelope {
        Envelope::Primary(Some(m)) => m,
        _ => unreachable!("flume returned a different envelope"),
    }
}

fn take_primary_any<M: 'static>(any: &mut dyn Any) -> Option<M> {
    any.downcast_mut::<Option<M>>().and_then(Option::take)
}

fn take_tagged<M: 'static>(tag: u64, other: &mut Option<Other>) -> Option<M> {
    match other {
        Some(Other::Tagged(t, boxed, _)) if *t == tag && boxed.is::<M>() => {}
        _ => return None,
    }
    match other.take() {
        Some(Other::Tagged(_, boxed, _)) => boxed.downcast::<M>().ok().map(|m| *m),
        _ => None,
    }
}

impl<M: Send + 'static> Default for Subject<M> {
    fn default() -> Self {
        Subject::new()
    }
}

impl<M> Clone for Subject<M> {
    fn clone(&self) -> Self {
        let route = match &self.route {
            Route::Primary(sender) => Route::Primary(sender.clone()),
            Route::Tagged { tag, owner } => Route::Tagged {
                tag: *tag,
                owner: owner.clone(),
            },
            Route::Named(name) => Route::Named(name.clone()),
            Route::Reply { tag, slot } => Route::Reply {
                tag: *tag,
                slot: slot.clone(),
            },
        };
        Subject {
            owner: self.owner,
            route,
        }
    }
}

impl<M: Send + 'static> PartialEq for Subject<M> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<M: Send + 'static> Eq for Subject<M> {}

impl<M: Send + 'static> std::hash::Hash for Subject<M> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}

impl<M> fmt::Debug for Subject<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.route {
            Route::Primary(_) => write!(f, "Subject({})", self.owner),
            Route::Tagged { tag, .. } => write!(f, "Subject({}#{tag})", self.owner),
            Route::Named(name) => write!(f, "Subject({})", name.label()),
            Route::Reply { .. } => write!(f, "Subject(reply to {})", self.owner),
        }
    }
}
