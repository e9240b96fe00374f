//! Subjects: typed addresses of a process's mailbox.

use std::any::TypeId;
use std::fmt;
use std::sync::Arc;

use super::Pid;
use super::channel::Channel;
use super::context;
use super::mailbox::{Envelope, Other, Sink, Taken, Want};
use super::registry::{self, Name};
use super::table::ProcEntry;
use super::wait::Slot;

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
    Primary(Arc<Channel<Envelope<M>>>),
    /// A secondary subject made by [`Subject::new`].
    Tagged { tag: u64, sink: Arc<dyn Sink> },
    /// Whoever holds the name at the time of the send.
    Named(Name<M>),
    /// The reply slot of a call in progress.
    Reply { tag: u64, slot: Arc<Slot<M>> },
}

/// A message that could not be delivered because its receiver is gone.
#[derive(PartialEq, Eq, thiserror::Error)]
#[error("the receiving process is gone")]
pub struct SendError<M>(pub M);

impl<M> SendError<M> {
    /// The message that was not delivered, given back (as tokio's
    /// `SendError::into_inner`).
    pub fn into_inner(self) -> M {
        self.0
    }
}

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
    #[must_use]
    pub fn new() -> Subject<M> {
        let entry = context::entry("Subject::new");
        Subject {
            owner: entry.pid,
            route: Route::Tagged {
                tag: super::pid::unique(),
                sink: entry.sink.clone(),
            },
        }
    }

    pub(crate) fn primary(owner: Pid, channel: Arc<Channel<Envelope<M>>>) -> Subject<M> {
        Subject {
            owner,
            route: Route::Primary(channel),
        }
    }

    pub(crate) fn named(name: Name<M>) -> Subject<M> {
        Subject {
            owner: super::pid_none(),
            route: Route::Named(name),
        }
    }

    pub(crate) fn reply(owner: Pid, slot: Arc<Slot<M>>) -> Subject<M> {
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
    #[doc(alias = "cast")]
    #[doc(alias = "gen_server:cast")]
    #[doc(alias = "!")]
    pub fn send(&self, message: M) {
        // Erlang's send to a dead process is a no-op: so is ours.
        let _ = self.try_send(message);
    }

    /// Sends `message`, or gives it back if the owner is gone (or, for a named
    /// subject, if nobody holds the name).
    ///
    /// # Errors
    /// [`SendError`] with the message, given back, if the owner is gone (or nobody
    /// holds the name).
    pub fn try_send(&self, message: M) -> Result<(), SendError<M>> {
        crate::observe::hooks::message_sent();
        match &self.route {
            Route::Primary(channel) => send_primary(channel, message),
            Route::Tagged { tag, sink } => send_tagged(&**sink, *tag, message),
            Route::Named(name) => match registry::holder(name.id()) {
                Some(holder) => Subject::to_holder(&holder, name, message),
                None => Err(SendError(message)),
            },
            Route::Reply { slot, .. } => {
                context::note_reply::<M>(self.owner);
                slot.put(message).map_err(SendError)
            }
        }
    }

    /// Sends `message` without recording it as a reply for `sys` (the answer
    /// to a system message is no debug event in Erlang either).
    pub(crate) fn send_unrecorded(&self, message: M) {
        match &self.route {
            Route::Reply { slot, .. } => {
                crate::observe::hooks::message_sent();
                let _ = slot.put(message);
            }
            _ => self.send(message),
        }
    }

    /// Sends `message` through `name` to `holder`, the process that held it.
    pub(crate) fn to_holder(
        holder: &ProcEntry,
        name: &Name<M>,
        message: M,
    ) -> Result<(), SendError<M>> {
        match holder.sink.as_any().downcast_ref::<Channel<Envelope<M>>>() {
            Some(channel) => send_primary(channel, message),
            None => send_tagged(&*holder.sink, name.id(), message),
        }
    }

    /// What a receive on this subject accepts.
    pub(crate) fn want(&self) -> Want {
        match &self.route {
            Route::Primary(_) => Want::Primary(TypeId::of::<M>()),
            Route::Tagged { tag, .. } | Route::Reply { tag, .. } => Want::Tagged(*tag),
            Route::Named(name) => Want::Named(name.id(), TypeId::of::<M>()),
        }
    }

    /// The message of this subject in what a receive took; `None` if it is
    /// not one (which a receive that wanted only [`Subject::want`] never sees).
    pub(crate) fn extract(taken: Taken) -> Option<M> {
        match taken {
            Taken::Primary => take_out(),
            Taken::Other(Other::Tagged(_, boxed, _)) => boxed.downcast::<M>().ok().map(|m| *m),
            Taken::Other(_) | Taken::Closed => None,
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

fn send_primary<M>(channel: &Channel<Envelope<M>>, message: M) -> Result<(), SendError<M>> {
    channel
        .send(Envelope::Primary(message))
        .map_err(|envelope| match envelope {
            Envelope::Primary(message) => SendError(message),
            Envelope::Other(_) => unreachable!("the channel returned a different envelope"),
        })
}

fn send_tagged<M: Send + 'static>(
    sink: &dyn Sink,
    tag: u64,
    message: M,
) -> Result<(), SendError<M>> {
    let other = Other::Tagged(tag, Box::new(message), std::any::type_name::<M>());
    sink.send_other(other).map_err(|other| match other {
        Other::Tagged(_, boxed, _) => match boxed.downcast::<M>() {
            Ok(m) => SendError(*m),
            Err(_) => unreachable!("a tagged message changed type"),
        },
        _ => unreachable!("the channel returned a different message"),
    })
}

/// The primary message a receive just took, out of the mailbox's out slot.
fn take_out<M: 'static>() -> Option<M> {
    context::with(|ctx| {
        ctx.mailbox
            .try_borrow_mut()
            .ok()?
            .out()
            .downcast_mut::<Option<M>>()?
            .take()
    })
    .flatten()
}

impl<M: Send + 'static> Name<M> {
    /// A subject that reaches whichever process holds this name when a message is
    /// sent. Messages sent while nobody holds the name are dropped.
    #[must_use]
    pub fn subject(&self) -> Subject<M> {
        Subject::named(self.clone())
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
            Route::Primary(channel) => Route::Primary(channel.clone()),
            Route::Tagged { tag, sink } => Route::Tagged {
                tag: *tag,
                sink: sink.clone(),
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
