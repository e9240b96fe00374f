//! Helpers for your own tests: every test body runs as a process under a time
//! limit, so a hang fails the test instead of stalling the suite, and waits
//! for messages and DOWNs are bounded.
//!
//! They panic (that is how a test fails) with a message saying what did not
//! come; use them in tests, not in library code.
//!
//! ```
//! use std::time::Duration;
//! use otp::process::{self, Subject};
//! use otp::testing;
//!
//! testing::run(Duration::from_secs(10), async {
//!     let inbox = Subject::<u32>::new();
//!     let to_me = inbox.clone();
//!     let worker = process::spawn(async move { to_me.send(42) });
//!     assert_eq!(testing::receive(&inbox).await, 42);
//!     testing::wait_down(worker).await;
//! });
//! ```
//!
//! A [`Probe`] stands in for a process the code under test talks to: it
//! records what it gets, and the test takes the messages in order.
//!
//! ```
//! use std::time::Duration;
//! use otp::testing::{self, Probe};
//!
//! testing::run(Duration::from_secs(10), async {
//!     let probe = Probe::<&'static str>::start().await;
//!     let to_probe = probe.subject();
//!     to_probe.send("one");
//!     to_probe.send("two");
//!     assert_eq!(probe.next().await, "one");
//!     assert_eq!(probe.received().await, vec!["two"]);
//! });
//! ```

use std::collections::VecDeque;
use std::time::Duration;

use otp_core::process::{self, Down, Monitor, Pid, Selector, SendError, Subject};

/// How long [`receive`] and [`wait_down`] wait before failing the test.
pub const WAIT: Duration = Duration::from_secs(5);

/// Runs `body` as a process and returns its value; panics if the process exits
/// without finishing (a panic inside it, a kill) or takes longer than `limit`.
///
/// # Cancel safety
/// Cancel safe: the body runs in its own process, which a dropped wait leaves running
/// to its end.
pub async fn within<T: Send + 'static>(
    limit: Duration,
    body: impl Future<Output = T> + Send + 'static,
) -> T {
    match tokio::time::timeout(limit, process::run(body)).await {
        Ok(Ok(value)) => value,
        Ok(Err(reason)) => panic!("the test process exited: {reason}"),
        Err(_) => panic!("the test took longer than {limit:?}"),
    }
}

/// [`within`] for a plain `#[test]`: starts a runtime, runs `body` as a process
/// under `limit`, and returns its value.
pub fn run<T: Send + 'static>(
    limit: Duration,
    body: impl Future<Output = T> + Send + 'static,
) -> T {
    otp_core::runtime::block_on(within(limit, body)).expect("the test's runtime")
}

/// The next message on `subject` (ExUnit's `assert_receive`); panics if none
/// comes within [`WAIT`]. Call it from the process that owns `subject`.
///
/// # Cancel safety
/// Cancel safe: as [`process::receive`], a message is taken only by the poll that
/// returns it.
pub async fn receive<M: Send + 'static>(subject: &Subject<M>) -> M {
    receive_within(subject, WAIT).await
}

/// [`receive`] with its own timeout.
///
/// # Cancel safety
/// Cancel safe: as [`receive`].
pub async fn receive_within<M: Send + 'static>(subject: &Subject<M>, timeout: Duration) -> M {
    match process::receive(subject, timeout).await {
        Ok(message) => message,
        Err(error) => panic!("expected a message within {timeout:?}: {error}"),
    }
}

/// The DOWN of `monitor`; panics if it does not come within [`WAIT`].
///
/// # Cancel safety
/// Cancel safe: a DOWN is taken only by the poll that returns it.
pub async fn down_of(monitor: Monitor) -> Down {
    match Selector::new()
        .select_monitor(monitor, |down| down)
        .receive(WAIT)
        .await
    {
        Ok(down) => down,
        Err(error) => panic!("expected a DOWN within {WAIT:?}: {error}"),
    }
}

/// Monitors `pid` and waits for its DOWN (at once with `NoProc` if it is dead).
///
/// # Cancel safety
/// Cancel safe: as [`down_of`]; a dropped wait leaves its monitor in place.
pub async fn wait_down(pid: Pid) -> Down {
    down_of(process::monitor(pid)).await
}

/// A process that records every message sent to its [`subject`](Probe::subject),
/// so that a test can hand that subject to the code under test and then look at
/// what arrived, in order. Dropping the probe ends its process normally;
/// started from a process, it is also linked to it, so it never outlives the
/// test (and a crash of the probe fails the test).
pub struct Probe<M: Send + 'static> {
    pid: Pid,
    subject: Subject<M>,
    queries: Subject<Query<M>>,
}

enum Query<M> {
    /// The oldest message not yet taken, now or when it comes.
    Next(Subject<M>),
    /// Every message not yet taken.
    All(Subject<Vec<M>>),
    /// End the probe (a normal exit, which its link does not propagate).
    Stop,
}

enum Event<M> {
    Got(M),
    Query(Query<M>),
}

impl<M: Send + 'static> Probe<M> {
    /// Starts the probe's process.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    /// Not cancel safe: a start dropped half-way leaves the probe's process
    /// running until its starter (if a process) exits.
    pub async fn start() -> Probe<M> {
        let (ready, started) = tokio::sync::oneshot::channel();
        let body = async move {
            let inbox = Subject::<M>::new();
            let queries = Subject::<Query<M>>::new();
            let selector = Selector::new()
                .select_map(&inbox, Event::Got)
                .select_map(&queries, Event::Query);
            if ready.send((inbox, queries)).is_err() {
                return;
            }
            let mut got = VecDeque::new();
            let mut waiting = VecDeque::<Subject<M>>::new();
            while let Ok(event) = selector.receive_forever().await {
                match event {
                    Event::Got(message) => deliver(&mut waiting, &mut got, message),
                    Event::Query(Query::Next(reply)) => match got.pop_front() {
                        // A caller that gave up leaves the message for the next.
                        Some(message) => {
                            if let Err(SendError(message)) = reply.try_send(message) {
                                got.push_front(message);
                            }
                        }
                        None => waiting.push_back(reply),
                    },
                    Event::Query(Query::All(reply)) => reply.send(got.drain(..).collect()),
                    Event::Query(Query::Stop) => return,
                }
            }
        };
        let pid = match process::try_self_pid() {
            Some(_) => process::spawn_link(body),
            None => process::spawn(body),
        };
        let (subject, queries) = started.await.expect("the probe's process started");
        Probe {
            pid,
            subject,
            queries,
        }
    }

    /// The subject to give to the code under test.
    #[must_use]
    pub fn subject(&self) -> Subject<M> {
        self.subject.clone()
    }

    /// The probe's process.
    #[must_use]
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The oldest message the probe got and that was not taken yet, waiting for
    /// one if need be; panics if none comes within [`WAIT`].
    ///
    /// # Cancel safety
    /// Cancel safe: a message that reaches an ask that was dropped stays
    /// with the probe for the next ask.
    pub async fn next(&self) -> M {
        self.next_within(WAIT).await
    }

    /// [`Probe::next`] with its own timeout.
    ///
    /// # Cancel safety
    /// As [`Probe::next`].
    pub async fn next_within(&self, timeout: Duration) -> M {
        match process::call(&self.queries, timeout, Query::Next).await {
            Ok(message) => message,
            Err(error) => panic!("expected a message at the probe within {timeout:?}: {error}"),
        }
    }

    /// Every message the probe got and that was not taken yet, oldest first
    /// (empty if none); they count as taken.
    ///
    /// # Cancel safety
    /// Not cancel safe: messages taken by an ask that was dropped are lost.
    pub async fn received(&self) -> Vec<M> {
        match process::call(&self.queries, WAIT, Query::All).await {
            Ok(messages) => messages,
            Err(error) => panic!("the probe did not answer within {WAIT:?}: {error}"),
        }
    }
}

/// Gives `message` to the first caller still waiting for one, else keeps it.
fn deliver<M: Send + 'static>(
    waiting: &mut VecDeque<Subject<M>>,
    got: &mut VecDeque<M>,
    message: M,
) {
    let mut message = message;
    while let Some(reply) = waiting.pop_front() {
        match reply.try_send(message) {
            Ok(()) => return,
            Err(SendError(back)) => message = back,
        }
    }
    got.push_back(message);
}

impl<M: Send + 'static> Drop for Probe<M> {
    fn drop(&mut self) {
        self.queries.send(Query::Stop);
    }
}

impl<M: Send + 'static> std::fmt::Debug for Probe<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe").field("pid", &self.pid).finish()
    }
}
