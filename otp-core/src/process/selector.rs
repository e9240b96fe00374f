//! Selectors: receiving from several sources at once.

use std::sync::Arc;
use std::time::Duration;

use super::context;
use super::exit::{Down, ExitMessage, Monitor};
use super::mailbox::{Other, Taken, Want};
use super::receive::{ReceiveError, select_with, within};
use super::{Pid, Subject};

/// A set of sources to receive from, each mapped to a value of type `T`
/// (Gleam's `Selector`, Erlang's `receive` with several clauses).
///
/// Receiving takes the *first message in mailbox order* that any source matches;
/// the others stay queued for later receives. Sources are subjects of the calling
/// process, monitors (all, or one) and trapped exits. Adding a source that is
/// already present replaces its mapping, so when selectors are merged the later
/// one wins.
///
/// ```
/// use std::time::Duration;
/// use otp_core::process::{self, Selector, Subject};
///
/// # otp_core::runtime::block_on(async {
/// let numbers = Subject::<u32>::new();
/// let words = Subject::<String>::new();
/// words.send("hello".to_string());
/// numbers.send(7);
///
/// #[derive(Debug, PartialEq)]
/// enum Input { Number(u32), Word(String) }
///
/// let selector = Selector::new()
///     .select_map(&numbers, Input::Number)
///     .select_map(&words, Input::Word);
/// // Mailbox order: the word was sent first.
/// let first = selector.receive(Duration::from_secs(1)).await;
/// assert_eq!(first, Ok(Input::Word("hello".into())));
/// # }).unwrap();
/// ```
#[must_use = "a selector does nothing until it receives"]
pub struct Selector<T> {
    sources: Vec<Source<T>>,
    /// What each source wants, in the same order: what the mailbox looks for.
    wants: Vec<Want>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Subject(Pid, u64),
    Monitor(u64),
    AllMonitors,
    ExitsFrom(Pid),
    TrappedExits,
    System,
    Other,
}

/// Maps what the mailbox took to the selector's value. Called after the mailbox
/// is released, so a mapping function may itself receive.
type Map<T> = Arc<dyn Fn(Taken) -> Option<T> + Send + Sync>;

struct Source<T> {
    key: Key,
    want: Want,
    map: Map<T>,
}

impl<T> Clone for Source<T> {
    fn clone(&self) -> Self {
        Source {
            key: self.key,
            want: self.want,
            map: self.map.clone(),
        }
    }
}

impl<T: 'static> Selector<T> {
    /// An empty selector.
    pub fn new() -> Self {
        Selector {
            sources: Vec::new(),
            wants: Vec::new(),
        }
    }

    fn add(self, key: Key, want: Want, map: Map<T>) -> Self {
        self.add_source(Source { key, want, map })
    }

    fn add_source(mut self, source: Source<T>) -> Self {
        self.sources.retain(|s| s.key != source.key);
        match source.key {
            // A specific monitor is tried before "all monitors", exits from one
            // process before all trapped exits; the catch-all last.
            Key::Monitor(_) | Key::ExitsFrom(_) => self.sources.insert(0, source),
            _ => {
                let at = self
                    .sources
                    .iter()
                    .position(|s| s.key == Key::Other)
                    .unwrap_or(self.sources.len());
                self.sources.insert(at, source)
            }
        }
        self.wants = self.sources.iter().map(|s| s.want).collect();
        self
    }

    fn remove(mut self, key: Key) -> Self {
        self.sources.retain(|s| s.key != key);
        self.wants = self.sources.iter().map(|s| s.want).collect();
        self
    }

    /// Adds `subject`, mapping each of its messages with `map`.
    pub fn select_map<M: Send + 'static>(
        self,
        subject: &Subject<M>,
        map: impl Fn(M) -> T + Send + Sync + 'static,
    ) -> Self {
        let key = subject_key(subject);
        self.add(
            key,
            subject.want(),
            Arc::new(move |taken| Subject::<M>::extract(taken).map(&map)),
        )
    }

    /// Removes `subject`.
    pub fn deselect<M: Send + 'static>(self, subject: &Subject<M>) -> Self {
        self.remove(subject_key(subject))
    }

    /// Adds every monitor of the calling process: each [`Down`] is mapped by `map`.
    pub fn select_monitors(self, map: impl Fn(Down) -> T + Send + Sync + 'static) -> Self {
        self.add(
            Key::AllMonitors,
            Want::AnyDown,
            Arc::new(move |taken| take_down(taken).map(&map)),
        )
    }

    /// Adds one monitor: its [`Down`] is mapped by `map`. Takes precedence over
    /// [`Selector::select_monitors`].
    pub fn select_monitor(
        self,
        monitor: Monitor,
        map: impl Fn(Down) -> T + Send + Sync + 'static,
    ) -> Self {
        self.add(
            Key::Monitor(monitor.reference),
            Want::Down(monitor.reference),
            Arc::new(move |taken| take_down(taken).map(&map)),
        )
    }

    /// Removes one monitor added with [`Selector::select_monitor`].
    pub fn deselect_monitor(self, monitor: Monitor) -> Self {
        self.remove(Key::Monitor(monitor.reference))
    }

    /// Adds trapped exits: each [`ExitMessage`] is mapped by `map`. The process
    /// must trap exits (see [`trap_exits`](super::trap_exits)) to get any.
    pub fn select_trapped_exits(
        self,
        map: impl Fn(ExitMessage) -> T + Send + Sync + 'static,
    ) -> Self {
        self.add(
            Key::TrappedExits,
            Want::AnyExit,
            Arc::new(move |taken| match taken {
                Taken::Other(Other::Exit(exit)) => Some(map(exit)),
                _ => None,
            }),
        )
    }

    /// Adds a catch-all: anything no other source of this selector takes
    /// (including system messages) is mapped by `map`. Behaviours use it to drop
    /// unexpected messages with a warning instead of letting them pile up.
    pub fn select_other(self, map: impl Fn(Unexpected) -> T + Send + Sync + 'static) -> Self {
        self.add(
            Key::Other,
            Want::Anything,
            Arc::new(move |taken| {
                let unexpected = match taken {
                    Taken::Primary => {
                        drop(context::take_out_any());
                        Unexpected::Message {
                            type_name: "primary message",
                        }
                    }
                    Taken::Other(Other::Tagged(_, _, type_name)) => {
                        Unexpected::Message { type_name }
                    }
                    Taken::Other(Other::Down(down)) => Unexpected::Down(down),
                    Taken::Other(Other::Exit(exit)) => Unexpected::Exit(exit),
                    Taken::Other(Other::System(_)) => Unexpected::System,
                    Taken::Closed => return None,
                };
                Some(map(unexpected))
            }),
        )
    }

    pub(crate) fn select_system(
        self,
        map: impl Fn(Box<dyn std::any::Any + Send>) -> T + Send + Sync + 'static,
    ) -> Self {
        self.add(
            Key::System,
            Want::System,
            Arc::new(move |taken| match taken {
                Taken::Other(Other::System(request)) => Some(map(request)),
                _ => None,
            }),
        )
    }

    /// Takes trapped exits from `pid` with `map`, before any other handling of
    /// trapped exits this selector has (behaviours use it for their parent).
    pub(crate) fn intercept_exits_from(
        self,
        pid: Pid,
        map: impl Fn(ExitMessage) -> T + Send + Sync + 'static,
    ) -> Self {
        self.add(
            Key::ExitsFrom(pid),
            Want::Exit(pid),
            Arc::new(move |taken| match taken {
                Taken::Other(Other::Exit(exit)) => Some(map(exit)),
                _ => None,
            }),
        )
    }

    /// Adds all sources of `other`; where both have a source, `other`'s mapping
    /// wins.
    pub fn merge(mut self, other: Selector<T>) -> Self {
        for source in other.sources {
            self = self.add_source(source);
        }
        self
    }

    /// Maps every source's value with `f`.
    pub fn map<U: 'static>(self, f: impl Fn(T) -> U + Send + Sync + 'static) -> Selector<U> {
        let f = Arc::new(f);
        Selector {
            sources: self
                .sources
                .into_iter()
                .map(|source| {
                    let f = f.clone();
                    let map = source.map;
                    Source {
                        key: source.key,
                        want: source.want,
                        map: Arc::new(move |taken: Taken| map(taken).map(&*f)) as Map<U>,
                    }
                })
                .collect(),
            wants: self.wants,
        }
    }

    /// Whether the selector has a [`Selector::select_other`] catch-all.
    pub(crate) fn has_catch_all(&self) -> bool {
        self.sources.iter().any(|s| s.key == Key::Other)
    }

    /// Whether the selector has no source.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Receives the first matching message in mailbox order, waiting at most
    /// `timeout`. Mapping functions run after the message left the mailbox, so
    /// they may receive themselves.
    ///
    /// # Errors
    /// [`ReceiveError::Timeout`] if nothing matching came in time,
    /// [`ReceiveError::NotOwner`] if a selected subject belongs to another process,
    /// [`ReceiveError::NotInProcess`] outside a process.
    ///
    /// # Cancel safety
    /// Cancel safe: a message leaves the mailbox only in the poll that returns it,
    /// so a receive dropped before it completes (in `select!`, by a timeout) loses
    /// nothing.
    #[doc(alias = "select")]
    pub async fn receive(&self, timeout: Duration) -> Result<T, ReceiveError> {
        self.check_owner()?;
        within(timeout, self.receive_unchecked()).await?
    }

    /// Receives the first matching message in mailbox order, waiting as long as it
    /// takes.
    ///
    /// # Errors
    /// [`ReceiveError::NotOwner`] if a selected subject belongs to another process,
    /// [`ReceiveError::NotInProcess`] outside a process.
    ///
    /// # Cancel safety
    /// Cancel safe: a message leaves the mailbox only in the poll that returns it,
    /// so a receive dropped before it completes (in `select!`, by a timeout) loses
    /// nothing.
    #[doc(alias = "select_forever")]
    pub async fn receive_forever(&self) -> Result<T, ReceiveError> {
        self.check_owner()?;
        self.receive_unchecked().await
    }

    /// Receives without checking who owns the subjects: for behaviours, whose
    /// selectors only ever hold their own subjects.
    pub(crate) async fn receive_unchecked(&self) -> Result<T, ReceiveError> {
        select_with(&self.wants, |(index, taken)| {
            (self.sources.get(index)?.map)(taken)
        })
        .await
    }

    fn check_owner(&self) -> Result<(), ReceiveError> {
        let me = context::with(|ctx| ctx.entry.pid).ok_or(ReceiveError::NotInProcess)?;
        for source in &self.sources {
            if let Key::Subject(owner, _) = source.key {
                if owner != super::pid_none() && owner != me {
                    return Err(ReceiveError::NotOwner { owner });
                }
            }
        }
        Ok(())
    }
}

fn subject_key<M: Send + 'static>(subject: &Subject<M>) -> Key {
    let (owner, tag) = subject.key();
    Key::Subject(owner, tag)
}

fn take_down(taken: Taken) -> Option<Down> {
    match taken {
        Taken::Other(Other::Down(down)) => {
            // The monitor has fired: the caller no longer holds it.
            context::with(|ctx| {
                ctx.entry
                    .state
                    .lock()
                    .forget_monitor(down.monitor.reference)
            });
            Some(down)
        }
        _ => None,
    }
}

impl<T: 'static> Default for Selector<T> {
    fn default() -> Self {
        Selector::new()
    }
}

impl<T> Clone for Selector<T> {
    fn clone(&self) -> Self {
        Selector {
            sources: self.sources.clone(),
            wants: self.wants.clone(),
        }
    }
}

impl<M: Send + 'static> Selector<M> {
    /// Adds `subject`, receiving its messages as they are.
    pub fn select(self, subject: &Subject<M>) -> Self {
        self.select_map(subject, |m| m)
    }
}

/// A message taken by [`Selector::select_other`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Unexpected {
    /// A message on a subject the selector does not cover; its payload is dropped.
    Message {
        /// The message's Rust type.
        type_name: &'static str,
    },
    /// A DOWN the selector does not cover.
    Down(Down),
    /// A trapped EXIT the selector does not cover.
    Exit(ExitMessage),
    /// A system message the selector does not cover.
    System,
}
