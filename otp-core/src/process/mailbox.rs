//! The one ordered mailbox of a process (DESIGN.md section 2).
//!
//! Everything a process can receive travels through one [`Channel`], so the
//! order between messages, DOWNs, trapped EXITs and system messages is the order
//! they were sent. Messages on the owner's *primary* subject travel unboxed as
//! [`Envelope::Primary`]; everything else is an [`Other`].
//!
//! Receiving is Erlang's selective receive without its cost: a receive names the
//! [`Key`]s it wants (a [`Want`] each). The envelope at the head of the channel
//! is taken if it is wanted; if not, it moves to the *save queue*, which is
//! indexed by key (one FIFO per key, each envelope numbered in arrival order). A
//! later receive looks only at the heads of the queues of the keys it wants and
//! takes the lowest number: it never looks at a message it does not want, and
//! it keeps mailbox order among those it does. A receive keeps no position
//! between polls, so two receives alive at once in one process cannot hide,
//! lose or duplicate a message.
//!
//! Nothing here runs user code while the mailbox is borrowed: taken envelopes
//! are handed out, and dropped ones are returned to be dropped by the caller.

use std::any::{Any, TypeId};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};

use super::Pid;
use super::channel::{self, Channel};
use super::exit::{Down, ExitMessage};
use super::hash::IdMap;

/// What travels in a process's channel.
pub(crate) enum Envelope<M> {
    Primary(M),
    Other(Other),
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

/// What a queued envelope is, for selective receive.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(crate) enum Key {
    Primary,
    Tagged(u64),
    /// The DOWN of the monitor with this reference.
    Down(u64),
    /// A trapped EXIT from this process.
    Exit(Pid),
    System,
}

/// What a receive accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Want {
    /// Primary messages, if the owner's primary type is this one.
    Primary(TypeId),
    Tagged(u64),
    /// A name: primary messages of this type, or tagged ones with this id.
    Named(u64, TypeId),
    Down(u64),
    AnyDown,
    Exit(Pid),
    AnyExit,
    System,
    Anything,
}

impl Want {
    pub(crate) fn matches(&self, key: &Key, primary: TypeId) -> bool {
        match (*self, *key) {
            (Want::Anything, _) => true,
            (Want::Primary(t), Key::Primary) | (Want::Named(_, t), Key::Primary) => t == primary,
            (Want::Tagged(a), Key::Tagged(b)) | (Want::Named(a, _), Key::Tagged(b)) => a == b,
            (Want::Down(a), Key::Down(b)) => a == b,
            (Want::AnyDown, Key::Down(_)) | (Want::AnyExit, Key::Exit(_)) => true,
            (Want::Exit(a), Key::Exit(b)) => a == b,
            (Want::System, Key::System) => true,
            _ => false,
        }
    }

    /// The one key this want matches, if it is that precise.
    fn exact(&self, primary: TypeId) -> Option<Option<Key>> {
        Some(match *self {
            Want::Primary(t) => (t == primary).then_some(Key::Primary),
            Want::Tagged(tag) => Some(Key::Tagged(tag)),
            Want::Down(reference) => Some(Key::Down(reference)),
            Want::Exit(pid) => Some(Key::Exit(pid)),
            Want::System => Some(Key::System),
            Want::Named(..) | Want::AnyDown | Want::AnyExit | Want::Anything => return None,
        })
    }
}

impl<M> Envelope<M> {
    fn key(&self) -> Key {
        match self {
            Envelope::Primary(_) => Key::Primary,
            Envelope::Other(Other::Tagged(tag, ..)) => Key::Tagged(*tag),
            Envelope::Other(Other::Down(down)) => Key::Down(down.monitor.reference),
            Envelope::Other(Other::Exit(exit)) => Key::Exit(exit.pid),
            Envelope::Other(Other::System(_)) => Key::System,
        }
    }
}

/// The first of `wants` that accepts `key`.
fn wanted_by(wants: &[Want], key: &Key, primary: TypeId) -> Option<usize> {
    wants.iter().position(|w| w.matches(key, primary))
}

/// What a receive took, with the index of the first want that accepted it. A
/// primary message waits in the mailbox's out slot for [`ErasedMailbox::out`],
/// so that it travels unboxed.
pub(crate) type Took = (usize, Taken);

pub(crate) enum Taken {
    Primary,
    Other(Other),
    /// The process is exiting: its mailbox is closed and will stay empty.
    Closed,
}

/// The save queue, indexed by key.
struct Saved<M> {
    /// The number the next saved envelope gets.
    next: u64,
    len: usize,
    queues: IdMap<Key, VecDeque<(u64, Envelope<M>)>>,
}

impl<M> Saved<M> {
    fn new() -> Self {
        Saved {
            next: 0,
            len: 0,
            queues: IdMap::default(),
        }
    }

    fn push(&mut self, envelope: Envelope<M>) {
        let number = self.next;
        self.next += 1;
        self.len += 1;
        self.queues
            .entry(envelope.key())
            .or_default()
            .push_back((number, envelope));
    }

    /// The first envelope in arrival order that `wants` accept, looking only at
    /// the queues of the keys they name.
    fn take_first(&mut self, wants: &[Want], primary: TypeId) -> Option<Envelope<M>> {
        let mut best: Option<(u64, Key)> = None;
        let mut consider = |key: Key, queue: &VecDeque<(u64, Envelope<M>)>| {
            if let Some((number, _)) = queue.front() {
                if best.is_none_or(|(n, _)| *number < n) {
                    best = Some((*number, key));
                }
            }
        };
        if wants.iter().all(|w| w.exact(primary).is_some()) {
            for key in wants.iter().filter_map(|w| w.exact(primary).flatten()) {
                if let Some(queue) = self.queues.get(&key) {
                    consider(key, queue);
                }
            }
        } else {
            for (key, queue) in &self.queues {
                if wants.iter().any(|w| w.matches(key, primary)) {
                    consider(*key, queue);
                }
            }
        }
        let (_, key) = best?;
        let queue = self.queues.get_mut(&key)?;
        let (_, envelope) = queue.pop_front()?;
        if queue.is_empty() {
            self.queues.remove(&key);
            channel::shrink_map(&mut self.queues);
        } else {
            channel::shrink(queue);
        }
        self.len -= 1;
        Some(envelope)
    }

    /// Removes every envelope that `wants` accept.
    fn remove(&mut self, wants: &[Want], primary: TypeId, into: &mut Vec<Envelope<M>>) {
        self.queues.retain(|key, queue| {
            if wants.iter().any(|w| w.matches(key, primary)) {
                into.extend(queue.drain(..).map(|(_, e)| e));
                false
            } else {
                true
            }
        });
        channel::shrink_map(&mut self.queues);
        self.len = self.queues.values().map(VecDeque::len).sum();
    }
}

/// The receiving side of a process's channel, owned by the process.
pub(crate) struct Mailbox<M: 'static> {
    channel: Arc<Channel<Envelope<M>>>,
    /// A batch taken from the channel, in order, not yet looked at.
    inbox: VecDeque<Envelope<M>>,
    saved: Option<Box<Saved<M>>>,
    /// A primary message just taken, until the receive picks it up.
    out: Option<M>,
    closed: bool,
}

impl<M: Send + 'static> Mailbox<M> {
    pub(crate) fn new(channel: Arc<Channel<Envelope<M>>>) -> Self {
        Mailbox {
            channel,
            inbox: VecDeque::new(),
            saved: None,
            out: None,
            closed: false,
        }
    }

    fn taken(&mut self, index: usize, envelope: Envelope<M>) -> Took {
        self.publish_len();
        match envelope {
            Envelope::Primary(message) => {
                self.out = Some(message);
                (index, Taken::Primary)
            }
            Envelope::Other(other) => (index, Taken::Other(other)),
        }
    }

    /// Tells `info` how much the process holds besides its channel.
    fn publish_len(&self) {
        let held = self.inbox.len() + self.saved.as_ref().map_or(0, |s| s.len);
        self.channel.held.store(held, Ordering::Relaxed);
    }
}

/// The mailbox as the process context holds it, whatever its primary type.
pub(crate) trait ErasedMailbox: Send {
    /// Takes the first envelope in mailbox order that `wants` accept, or
    /// registers the task to be woken when something arrives.
    fn poll_take(&mut self, cx: &Context<'_>, wants: &[Want]) -> Poll<Took>;
    /// The slot a [`Taken::Primary`] message waits in: an `Option<M>`.
    fn out(&mut self) -> &mut dyn Any;
    /// The primary message in the out slot, boxed (for a catch-all to drop).
    fn take_out_boxed(&mut self) -> Option<Box<dyn Send>>;
    /// Removes every queued envelope that `wants` accept; returns how many, and
    /// the envelopes, to be dropped by the caller once the mailbox is released.
    fn remove(&mut self, wants: &[Want]) -> (usize, Box<dyn Send>);
    /// Closes the mailbox for good (the process exits); returns what was queued.
    fn close(&mut self) -> Box<dyn Send>;
}

impl<M: Send + 'static> ErasedMailbox for Mailbox<M> {
    fn poll_take(&mut self, cx: &Context<'_>, wants: &[Want]) -> Poll<Took> {
        if self.closed {
            return Poll::Ready((0, Taken::Closed));
        }
        let primary = TypeId::of::<M>();
        if let Some(saved) = &mut self.saved {
            if let Some(envelope) = saved.take_first(wants, primary) {
                if saved.len == 0 {
                    self.saved = None;
                }
                let index = wanted_by(wants, &envelope.key(), primary).unwrap_or(0);
                return Poll::Ready(self.taken(index, envelope));
            }
        }
        loop {
            let Some(envelope) = self.inbox.pop_front() else {
                ready!(self.channel.poll_take(cx, &mut self.inbox));
                continue;
            };
            // A backlog taken at once gives its memory back as it is handled.
            channel::shrink(&mut self.inbox);
            if let Some(index) = wanted_by(wants, &envelope.key(), primary) {
                return Poll::Ready(self.taken(index, envelope));
            }
            self.saved
                .get_or_insert_with(|| Box::new(Saved::new()))
                .push(envelope);
        }
    }

    fn out(&mut self) -> &mut dyn Any {
        &mut self.out
    }

    fn take_out_boxed(&mut self) -> Option<Box<dyn Send>> {
        self.out.take().map(|m| Box::new(m) as Box<dyn Send>)
    }

    fn remove(&mut self, wants: &[Want]) -> (usize, Box<dyn Send>) {
        let primary = TypeId::of::<M>();
        self.channel.take_now(&mut self.inbox);
        let mut removed = Vec::new();
        if let Some(saved) = &mut self.saved {
            saved.remove(wants, primary, &mut removed);
            if saved.len == 0 {
                self.saved = None;
            }
        }
        let mut kept = VecDeque::with_capacity(self.inbox.len());
        for envelope in self.inbox.drain(..) {
            if wants.iter().any(|w| w.matches(&envelope.key(), primary)) {
                removed.push(envelope);
            } else {
                kept.push_back(envelope);
            }
        }
        self.inbox = kept;
        self.publish_len();
        (removed.len(), Box::new(removed))
    }

    fn close(&mut self) -> Box<dyn Send> {
        self.closed = true;
        let queued = self.channel.close();
        self.channel.held.store(0, Ordering::Relaxed);
        Box::new((
            queued,
            std::mem::take(&mut self.inbox),
            self.saved.take(),
            self.out.take(),
        ))
    }
}

/// The sending half of a process's channel as the runtime sees it, whatever
/// the primary type: for DOWNs, EXITs, tagged and system messages.
pub(crate) trait Sink: Send + Sync {
    /// Queues `other`; gives it back if the process is gone.
    fn send_other(&self, other: Other) -> Result<(), Other>;
    /// Envelopes queued, in the channel or held by the process.
    fn len(&self) -> usize;
    /// The typed `Channel<Envelope<M>>`, for sends through a name.
    fn as_any(&self) -> &(dyn Any + Send + Sync);
}

impl<M: Send + 'static> Sink for Channel<Envelope<M>> {
    fn send_other(&self, other: Other) -> Result<(), Other> {
        self.send(Envelope::Other(other))
            .map_err(|envelope| match envelope {
                Envelope::Other(other) => other,
                // We sent an `Other`; the channel hands back what we sent.
                Envelope::Primary(_) => unreachable!("the channel returned a different envelope"),
            })
    }

    fn len(&self) -> usize {
        Channel::len(self) + self.held.load(Ordering::Relaxed)
    }

    fn as_any(&self) -> &(dyn Any + Send + Sync) {
        self
    }
}

#[cfg(test)]
mod tests {
    //! Issue 14: a drained mailbox gives its memory back, and a closed one
    //! (its process is dead) holds none whatever senders remain.

    use super::*;
    use std::task::Waker;

    const MANY: usize = 100_000;

    fn take(mailbox: &mut Mailbox<u32>, wants: &[Want]) -> Taken {
        let cx = Context::from_waker(Waker::noop());
        match mailbox.poll_take(&cx, wants) {
            Poll::Ready((_, taken)) => taken,
            Poll::Pending => panic!("nothing to take"),
        }
    }

    fn primary() -> Want {
        Want::Primary(TypeId::of::<u32>())
    }

    fn tagged(tag: u64) -> Envelope<u32> {
        Envelope::Other(Other::Tagged(tag, Box::new(()), "()"))
    }

    fn saved_capacity(mailbox: &Mailbox<u32>) -> (usize, usize) {
        mailbox.saved.as_ref().map_or((0, 0), |saved| {
            (
                saved.queues.capacity(),
                saved
                    .queues
                    .values()
                    .map(VecDeque::capacity)
                    .max()
                    .unwrap_or(0),
            )
        })
    }

    #[test]
    fn a_drained_backlog_gives_its_memory_back() {
        let channel = Arc::new(Channel::new());
        let mut mailbox = Mailbox::new(channel.clone());
        for n in 0..MANY {
            assert!(channel.send(Envelope::Primary(n as u32)).is_ok());
        }
        assert!(channel.capacity() >= MANY);
        // Half handled: the batch taken at once shrinks as it is handled.
        for _ in 0..MANY - 10 {
            assert!(matches!(take(&mut mailbox, &[primary()]), Taken::Primary));
        }
        assert!(
            mailbox.inbox.capacity() <= 64,
            "{}",
            mailbox.inbox.capacity()
        );
        assert!(channel.capacity() <= 64, "{}", channel.capacity());
        for _ in 0..10 {
            assert!(matches!(take(&mut mailbox, &[primary()]), Taken::Primary));
        }
        assert!(mailbox.inbox.capacity() <= 64);
        // The next batch finds small buffers on both sides.
        assert!(channel.send(Envelope::Primary(1)).is_ok());
        assert!(matches!(take(&mut mailbox, &[primary()]), Taken::Primary));
        assert!(channel.capacity() <= 64 && mailbox.inbox.capacity() <= 64);
    }

    #[test]
    fn a_drained_save_queue_gives_its_memory_back() {
        let channel = Arc::new(Channel::new());
        let mut mailbox = Mailbox::new(channel.clone());
        // Many messages of one key and many keys, saved while a receive looks
        // for the primary message behind them.
        for n in 0..MANY as u64 {
            assert!(channel.send(tagged(1)).is_ok());
            assert!(channel.send(tagged(1_000 + n)).is_ok());
        }
        assert!(channel.send(Envelope::Primary(7)).is_ok());
        assert!(matches!(take(&mut mailbox, &[primary()]), Taken::Primary));
        let (keys, longest) = saved_capacity(&mailbox);
        assert!(keys > MANY && longest >= MANY, "{keys} {longest}");
        // All but one message of key 1 taken, and all but one of the others.
        for _ in 0..MANY - 1 {
            assert!(matches!(
                take(&mut mailbox, &[Want::Tagged(1)]),
                Taken::Other(_)
            ));
        }
        for n in 1..MANY as u64 {
            assert!(matches!(
                take(&mut mailbox, &[Want::Tagged(1_000 + n)]),
                Taken::Other(_)
            ));
        }
        assert_eq!(mailbox.saved.as_ref().map(|s| s.len), Some(2));
        let (keys, longest) = saved_capacity(&mailbox);
        assert!(keys <= 128 && longest <= 64, "{keys} {longest}");
        // Emptied, the save queue is gone.
        assert!(matches!(
            take(&mut mailbox, &[Want::Anything]),
            Taken::Other(_)
        ));
        assert!(matches!(
            take(&mut mailbox, &[Want::Anything]),
            Taken::Other(_)
        ));
        assert!(mailbox.saved.is_none());
    }

    #[test]
    fn a_closed_mailbox_holds_nothing_whatever_senders_remain() {
        let channel = Arc::new(Channel::new());
        let sender = channel.clone();
        let mut mailbox = Mailbox::new(channel);
        for n in 0..MANY {
            assert!(sender.send(Envelope::Primary(n as u32)).is_ok());
            assert!(sender.send(tagged(n as u64)).is_ok());
        }
        // Some taken into the inbox and the save queue, the rest still queued.
        assert!(matches!(
            take(&mut mailbox, &[Want::Tagged(MANY as u64 / 2)]),
            Taken::Other(_)
        ));
        for n in 0..MANY {
            assert!(sender.send(Envelope::Primary(n as u32)).is_ok());
        }
        let queued = mailbox.close();
        drop(queued);
        drop(mailbox);
        // The sender's handle keeps only the empty, closed channel.
        assert_eq!(sender.capacity(), 0);
        assert_eq!(sender.len(), 0);
        assert!(sender.send(Envelope::Primary(1)).is_err());
        assert_eq!(sender.capacity(), 0);
    }
}
