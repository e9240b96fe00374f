//! The one ordered mailbox of a process (DESIGN.md section 2).
//!
//! Everything a process can receive travels through one flume channel, so the
//! order between messages, DOWNs, trapped EXITs and system messages is the order
//! they were sent. Messages on the owner's *primary* subject travel unboxed as
//! `Envelope::Primary`; everything else is an `Other`.
//!
//! Receiving is Erlang's selective receive: a matcher looks at each queued
//! envelope in order and takes the first it wants. Envelopes it passes over go to
//! the `saved` queue (Erlang's save queue) and are looked at first next time. When
//! every receive matches everything, `saved` stays empty and each receive costs one
//! channel pop.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use futures_util::StreamExt;

use super::exit::{Down, ExitMessage};
use super::table::ProcEntry;

/// What travels in a process's channel. The `Option`s let a matcher take the
/// payload in place; an envelope whose payload was taken is removed at once.
pub(crate) enum Envelope<M> {
    Primary(Option<M>),
    Other(Option<Other>),
}

/// Everything that is not a message on the owner's primary subject.
pub(crate) enum Other {
    /// A message on a secondary subject or a name; `&'static str` is the message
    /// type's name, for warnings about unhandled messages.
    Tagged(u64, Box<dyn Any + Send>, &'static str),
    Down(Down),
    Exit(ExitMessage),
    /// A `sys` request; see the `sys` module.
    System(Box<dyn Any + Send>),
}

/// A view of one queued envelope handed to a matcher. `Primary` is the owner's
/// `Option<M>` seen as `dyn Any`, so that non-generic code can match it.
pub(crate) enum Slot<'a> {
    Primary(&'a mut dyn Any),
    Other(&'a mut Option<Other>),
}

impl Slot<'_> {
    pub(crate) fn reborrow(&mut self) -> Slot<'_> {
        match self {
            Slot::Primary(p) => Slot::Primary(&mut **p),
            Slot::Other(o) => Slot::Other(o),
        }
    }
}

impl<M: Send + 'static> Envelope<M> {
    fn slot(&mut self) -> Slot<'_> {
        match self {
            Envelope::Primary(m) => Slot::Primary(m),
            Envelope::Other(o) => Slot::Other(o),
        }
    }
}

/// A matcher takes what it wants out of a slot and says whether it did.
pub(crate) type Matcher<'a> = dyn FnMut(Slot<'_>) -> bool + 'a;

/// The receiving half, stored type-erased in the process context.
pub(crate) trait ErasedMailbox: Send {
    /// Takes the first envelope in mailbox order that `matcher` accepts. `cursor`
    /// belongs to one receive: saved envelopes before it were already refused.
    fn poll_select(
        &mut self,
        cx: &mut Context<'_>,
        cursor: &mut usize,
        matcher: &mut Matcher<'_>,
    ) -> Poll<()>;
    /// Removes every queued envelope that `matcher` accepts; returns how many.
    fn remove_all(&mut self, matcher: &mut Matcher<'_>) -> usize;
    /// Drops everything queued; returns how many.
    fn flush(&mut self) -> usize;
}

pub(crate) struct Mailbox<M: 'static> {
    rx: flume::Receiver<Envelope<M>>,
    stream: flume::r#async::RecvStream<'static, Envelope<M>>,
    saved: VecDeque<Envelope<M>>,
    entry: Arc<ProcEntry>,
}

impl<M: Send + 'static> Mailbox<M> {
    pub(crate) fn new(rx: flume::Receiver<Envelope<M>>, entry: Arc<ProcEntry>) -> Self {
        Mailbox {
            stream: rx.clone().into_stream(),
            rx,
            saved: VecDeque::new(),
            entry,
        }
    }

    fn saved_changed(&self) {
        self.entry
            .saved_len
            .store(self.saved.len(), Ordering::Relaxed);
    }

    /// Moves everything in the channel to the save queue, keeping order.
    fn drain_channel(&mut self) {
        let before = self.saved.len();
        self.saved.extend(self.rx.try_iter());
        if self.saved.len() != before {
            self.saved_changed();
        }
    }
}

impl<M: Send + 'static> ErasedMailbox for Mailbox<M> {
    fn poll_select(
        &mut self,
        cx: &mut Context<'_>,
        cursor: &mut usize,
        matcher: &mut Matcher<'_>,
    ) -> Poll<()> {
        while *cursor < self.saved.len() {
            if matcher(self.saved[*cursor].slot()) {
                self.saved.remove(*cursor);
                self.saved_changed();
                return Poll::Ready(());
            }
            *cursor += 1;
        }
        loop {
            match self.stream.poll_next_unpin(cx) {
                Poll::Ready(Some(mut envelope)) => {
                    if matcher(envelope.slot()) {
                        return Poll::Ready(());
                    }
                    self.saved.push_back(envelope);
                    *cursor = self.saved.len();
                    self.saved_changed();
                }
                // The process entry holds a sender, so the channel cannot close
                // while the process is alive.
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    }

    fn remove_all(&mut self, matcher: &mut Matcher<'_>) -> usize {
        self.drain_channel();
        let before = self.saved.len();
        self.saved.retain_mut(|envelope| !matcher(envelope.slot()));
        let removed = before - self.saved.len();
        if removed > 0 {
            self.saved_changed();
        }
        removed
    }

    fn flush(&mut self) -> usize {
        self.drain_channel();
        let n = self.saved.len();
        self.saved.clear();
        self.saved_changed();
        n
    }
}

/// The sending half of a process's channel, type-erased so that the runtime can
/// deliver DOWNs, EXITs and tagged messages without knowing the primary type.
pub(crate) trait Sink: Send + Sync {
    /// Queues `other`; gives it back if the process is gone.
    fn send_other(&self, other: Other) -> Result<(), Other>;
    /// Envelopes in the channel (not counting the save queue).
    fn len(&self) -> usize;
    /// The typed `flume::Sender<Envelope<M>>`, for sends through a name.
    fn primary(&self) -> &(dyn Any + Send + Sync);
}

impl<M: Send + 'static> Sink for flume::Sender<Envelope<M>> {
    fn send_other(&self, other: Other) -> Result<(), Other> {
        self.send(Envelope::Other(Some(other)))
            .map_err(|flume::SendError(envelope)| match envelope {
                Envelope::Other(Some(other)) => other,
                // We sent an `Other(Some(_))`; flume hands back what we sent.
                _ => unreachable!("flume returned a different envelope"),
            })
    }

    fn len(&self) -> usize {
        flume::Sender::len(self)
    }

    fn primary(&self) -> &(dyn Any + Send + Sync) {
        self
    }
}
