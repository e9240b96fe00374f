//! The channel under a mailbox: many senders, one receiving process.
//!
//! A lock around a queue and the receiver's waker. The receiver takes the whole
//! queue at once (a swap of two buffers) rather than one item per lock, so a
//! backlog costs one lock per batch, and a sender wakes the receiver only when it
//! is waiting. Unlike a general channel it can be *closed* by its receiver: the
//! queue is emptied, its memory given back, and later sends fail, however many
//! senders remain (a dead process's mailbox is freed whatever handles remain).

use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;

/// A drained buffer larger than this gives its memory back.
const KEEP: usize = 64;

pub(crate) struct Channel<T> {
    queue: Mutex<Queue<T>>,
    /// How many items the receiver has taken but not yet handled (for `info`).
    pub(crate) held: AtomicUsize,
}

struct Queue<T> {
    items: VecDeque<T>,
    /// The receiver, when it waits for an item.
    waker: Option<Waker>,
    closed: bool,
}

impl<T> Channel<T> {
    pub(crate) fn new() -> Self {
        Channel {
            queue: Mutex::new(Queue {
                items: VecDeque::new(),
                waker: None,
                closed: false,
            }),
            held: AtomicUsize::new(0),
        }
    }

    /// Queues `item`, or gives it back if the channel is closed.
    pub(crate) fn send(&self, item: T) -> Result<(), T> {
        let mut queue = self.queue.lock();
        if queue.closed {
            return Err(item);
        }
        queue.items.push_back(item);
        let waker = queue.waker.take();
        drop(queue);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Moves everything queued into `into`, which must be empty; if nothing is
    /// queued, registers the receiver's waker and returns `Pending`.
    pub(crate) fn poll_take(&self, cx: &Context<'_>, into: &mut VecDeque<T>) -> Poll<()> {
        let mut queue = self.queue.lock();
        if queue.items.is_empty() {
            if !queue
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                queue.waker = Some(cx.waker().clone());
            }
            return Poll::Pending;
        }
        if into.capacity() > KEEP {
            *into = VecDeque::new();
        }
        std::mem::swap(&mut queue.items, into);
        Poll::Ready(())
    }

    /// Moves everything queued to the end of `into`, without waiting.
    pub(crate) fn take_now(&self, into: &mut VecDeque<T>) {
        let mut queue = self.queue.lock();
        if into.is_empty() {
            if into.capacity() > KEEP {
                *into = VecDeque::new();
            }
            std::mem::swap(&mut queue.items, into);
        } else {
            into.append(&mut queue.items);
        }
    }

    /// Items queued (not yet taken by the receiver).
    pub(crate) fn len(&self) -> usize {
        self.queue.lock().items.len()
    }

    /// Closes the channel: later sends fail. Returns what was queued, for the
    /// caller to drop outside the lock (a `Drop` may send to this channel).
    pub(crate) fn close(&self) -> VecDeque<T> {
        let mut queue = self.queue.lock();
        queue.closed = true;
        queue.waker = None;
        std::mem::take(&mut queue.items)
    }
}

/// Gives back the memory of a buffer that once held a backlog: all of it when
/// the buffer is empty, else down to twice what it holds once it holds less
/// than a quarter of its capacity. Amortised: a shrink copies fewer items than
/// were taken out since the buffer last grew or shrank, and a buffer of at
/// most [`KEEP`] items is left alone.
#[inline]
pub(crate) fn shrink<T>(buffer: &mut VecDeque<T>) {
    let capacity = buffer.capacity();
    if capacity > KEEP && buffer.len() < capacity / 4 {
        shrink_cold(buffer);
    }
}

#[cold]
fn shrink_cold<T>(buffer: &mut VecDeque<T>) {
    if buffer.is_empty() {
        *buffer = VecDeque::new();
    } else {
        buffer.shrink_to((buffer.len() * 2).max(KEEP));
    }
}

/// [`shrink`] for a map (the save queue's index of keys).
pub(crate) fn shrink_map<K: Eq + std::hash::Hash, V, S: std::hash::BuildHasher>(
    map: &mut std::collections::HashMap<K, V, S>,
) {
    let capacity = map.capacity();
    if capacity > KEEP && map.len() < capacity / 4 {
        map.shrink_to((map.len() * 2).max(KEEP));
    }
}

impl<T> Channel<T> {
    /// The capacity of the queue senders fill, for tests of memory given back.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.queue.lock().items.capacity()
    }
}
