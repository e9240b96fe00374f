//! `sys`: looking into and steering running behaviours (Erlang's `sys` module).
//!
//! Every actor (and every supervisor) answers the OTP system messages, whatever its
//! message type: each function here takes the target's [`Pid`] (or anything that
//! names a process, see [`Address`]) and then a timeout, before any other
//! argument (as in every function of this crate that waits). A process that is not a
//! behaviour never answers, so the call ends in [`SysError::Timeout`]; a dead or
//! unknown target gives [`SysError::NoProcess`]. Nothing here panics, and no system
//! message is dropped without a reply.
//!
//! | function | Erlang | what it does |
//! |---|---|---|
//! | [`get_state`] | `sys:get_state/2` | the state, described with `Debug` if the actor asked for it |
//! | [`get_state_as`] | `sys:get_state/2` | a typed copy of the state |
//! | [`replace_state`] | `sys:replace_state/3` | changes the state with a function |
//! | [`get_status`] | `sys:get_status/2` | pid, name, running or suspended, parent, state |
//! | [`suspend`], [`resume`] | `sys:suspend/2`, `sys:resume/2` | while suspended only system messages are handled; others queue |
//! | [`terminate`] | `sys:terminate/3` | stops the behaviour through its terminate hook |
//! | [`trace`] | `sys:trace/3` | writes each event through `tracing` |
//! | [`log`] | `sys:log/3` | keeps the last *n* events and returns them |
//! | [`statistics`] | `sys:statistics/3` | start time, messages in and out, queue length |
//! | [`change_code`] | `sys:change_code/5` | does not apply to Rust: always an error |
//!
//! ```
//! use std::time::Duration;
//! use otp_core::{actor, sys};
//!
//! # otp_core::runtime::block_on(async {
//! let counter = actor::new(0u64)
//!     .on_message(|count, n: u64| actor::Next::Continue(count + n))
//!     .debug_state()
//!     .start()
//!     .await
//!     .unwrap();
//! counter.data.send(5);
//! let timeout = Duration::from_secs(1);
//! assert_eq!(sys::get_state(counter.pid, timeout).await.unwrap(), "5");
//! assert_eq!(sys::get_state_as::<u64>(counter.pid, timeout).await, Ok(5));
//! sys::replace_state(counter.pid, timeout, |_: &u64| 10).await.unwrap();
//! assert_eq!(sys::get_state_as::<u64>(counter.pid, timeout).await, Ok(10));
//! # }).unwrap();
//! ```

mod debug;
mod protocol;

use std::time::{Duration, SystemTime};

use crate::process::{self, CallError, ExitReason, Name, Pid, Subject};

pub(crate) use debug::{Debug, Handled};
pub(crate) use protocol::Request;
use protocol::{Kind, Reply};

/// Why a `sys` call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SysError {
    /// No answer in time; this is also what a process that is not a behaviour
    /// gives, since it never answers system messages.
    #[error("the process did not answer in time")]
    Timeout,
    /// The target is not alive (or the name is not registered).
    #[error("no such process")]
    NoProcess,
    /// The target exited before answering, with this reason.
    #[error("the process exited before answering: {0}")]
    Exited(ExitReason),
    /// The request does not apply (for example `change_code` in Rust).
    #[error("not supported: {0}")]
    NotSupported(&'static str),
    /// A process sent a `sys` request to itself, which could never be answered
    /// (Erlang's `calling_self`).
    #[error("a process cannot send a sys request to itself")]
    CallingSelf,
    /// The function given to [`replace_state`], or the state's `Debug` in
    /// [`get_state`], panicked (Erlang's `callback_failed`); the behaviour lives
    /// on.
    #[error("the callback failed: {0}")]
    CallbackFailed(String),
    /// The state is not of the type asked for.
    #[error("the state is not a {expected}")]
    WrongStateType {
        /// The type that was asked for.
        expected: &'static str,
    },
}

/// Anything that names a process: a [`Pid`], a [`Name`], a [`Subject`].
pub trait Address {
    /// The process it names now, if any.
    fn to_pid(&self) -> Option<Pid>;
}

impl Address for Pid {
    fn to_pid(&self) -> Option<Pid> {
        Some(*self)
    }
}

impl<M> Address for Name<M> {
    fn to_pid(&self) -> Option<Pid> {
        process::whereis(self)
    }
}

impl<M: Send + 'static> Address for Subject<M> {
    fn to_pid(&self) -> Option<Pid> {
        Some(self.owner())
    }
}

impl<A: Address + ?Sized> Address for &A {
    fn to_pid(&self) -> Option<Pid> {
        (**self).to_pid()
    }
}

/// Whether a behaviour is handling messages or suspended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Handling messages.
    Running,
    /// Handling only system messages until [`resume`].
    Suspended,
}

/// What [`get_status`] returns (`sys:get_status/2`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// The process.
    pub pid: Pid,
    /// Its registered name.
    pub name: Option<String>,
    /// The behaviour: `"actor"` or `"supervisor"`.
    pub behaviour: &'static str,
    /// Running or suspended.
    pub mode: Mode,
    /// The process that started it, if it was started from a process.
    pub parent: Option<Pid>,
    /// The state, as [`get_state`] describes it.
    pub state: String,
    /// Messages waiting in its mailbox.
    pub message_queue_len: usize,
}

/// What [`statistics`] returns (`sys:statistics/3`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statistics {
    /// When statistics collection was switched on.
    pub start_time: SystemTime,
    /// When these statistics were read.
    pub current_time: SystemTime,
    /// Messages handled since then (system messages not counted).
    pub messages_in: u64,
    /// Replies the behaviour sent to calls since then, gen_server's `out`
    /// events (sys.erl's `stat/2`). Other sends of its handlers are not
    /// counted, as `Pid ! Msg` in a gen_server callback is not, nor are the
    /// answers to system messages.
    pub messages_out: u64,
    /// Messages waiting in its mailbox now.
    pub message_queue_len: usize,
}

/// One event kept by [`log`] or written by [`trace`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A message was received (described with `Debug`, or by its type name).
    In(String),
    /// The state after handling a message.
    State(String),
    /// A reply sent to a call (gen_server's `{out, Reply, To, State}`): the
    /// reply described by its type's name (a reply need not be `Debug`), and
    /// the caller.
    Out {
        /// The reply's type name.
        message: String,
        /// The process the reply went to.
        to: crate::process::Pid,
    },
}

/// What to do with the event log (`sys:log/3`'s flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFlag {
    /// Keep the last *n* events.
    On(usize),
    /// Stop keeping events and forget them.
    Off,
    /// Return the kept events, oldest first.
    Get,
}

/// What to do with statistics (`sys:statistics/3`'s flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsFlag {
    /// Start collecting.
    On,
    /// Stop collecting.
    Off,
    /// Return what was collected.
    Get,
}

async fn request(target: impl Address, timeout: Duration, kind: Kind) -> Result<Reply, SysError> {
    let pid = target.to_pid().ok_or(SysError::NoProcess)?;
    if !process::is_alive(pid) {
        return Err(SysError::NoProcess);
    }
    let result = process::call_with(pid, timeout, |reply| {
        let request = Request { kind, reply };
        process::send_system(pid, Box::new(request));
    })
    .await;
    match result {
        Ok(Reply::Error(error)) => Err(error),
        Ok(reply) => Ok(reply),
        Err(CallError::Timeout | CallError::NoRuntime) => Err(SysError::Timeout),
        Err(CallError::CallingSelf) => Err(SysError::CallingSelf),
        Err(CallError::NoProcess) => Err(SysError::NoProcess),
        Err(CallError::CalleeExited(reason)) => Err(SysError::Exited(reason)),
    }
}

fn unexpected(reply: Reply) -> SysError {
    // A behaviour answers each request with its own kind of reply.
    SysError::Exited(ExitReason::abnormal(format!(
        "unexpected sys reply: {reply:?}"
    )))
}

/// The state, described (`sys:get_state/2`). An actor built with `debug_state()`
/// (or whose state the macro could format) shows its `Debug` form; otherwise the
/// description names the state's type.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn get_state(target: impl Address, timeout: Duration) -> Result<String, SysError> {
    match request(target, timeout, Kind::GetState).await? {
        Reply::State(state) => Ok(state),
        other => Err(unexpected(other)),
    }
}

/// A copy of the state, typed (`sys:get_state/2` for callers that know the type).
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering,
/// [`SysError::WrongStateType`] if the state is not an `S`.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn get_state_as<S: Clone + Send + 'static>(
    target: impl Address,
    timeout: Duration,
) -> Result<S, SysError> {
    let copy = Box::new(|state: &dyn std::any::Any| {
        state
            .downcast_ref::<S>()
            .map(|s| Box::new(s.clone()) as Box<dyn std::any::Any + Send>)
    });
    match request(target, timeout, Kind::GetStateWith(copy)).await {
        Ok(Reply::Any(any)) => any.downcast::<S>().map(|s| *s).map_err(|_| wrong::<S>()),
        Ok(other) => Err(unexpected(other)),
        Err(error) => Err(named::<S>(error)),
    }
}

fn wrong<S>() -> SysError {
    SysError::WrongStateType {
        expected: std::any::type_name::<S>(),
    }
}

/// The behaviour does not know which type the caller asked for: name it here.
fn named<S>(error: SysError) -> SysError {
    match error {
        SysError::WrongStateType { .. } => wrong::<S>(),
        other => other,
    }
}

/// Replaces the state with what `replace` makes of it (`sys:replace_state/3`:
/// `StateFun(State) -> NewState`). Fails with [`SysError::WrongStateType`] if
/// the state is not an `S`, and with [`SysError::CallbackFailed`] if `replace`
/// panics: as in Erlang (`{error, {callback_failed, ...}}`), the behaviour then
/// keeps its old state and goes on; it does not die, nor do its links.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering,
/// [`SysError::WrongStateType`] if the state is not an `S`.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn replace_state<S: Send + 'static>(
    target: impl Address,
    timeout: Duration,
    replace: impl FnOnce(&S) -> S + Send + 'static,
) -> Result<(), SysError> {
    let replace = Box::new(
        move |state: &mut dyn std::any::Any| match state.downcast_mut::<S>() {
            Some(state) => {
                // `replace` sees the old state and cannot change it: a panic
                // in it leaves the state as it was.
                *state = replace(state);
                true
            }
            None => false,
        },
    );
    match request(target, timeout, Kind::ReplaceState(replace)).await {
        Ok(Reply::Done) => Ok(()),
        Ok(other) => Err(unexpected(other)),
        Err(error) => Err(named::<S>(error)),
    }
}

/// The status of a behaviour (`sys:get_status/2`).
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn get_status(target: impl Address, timeout: Duration) -> Result<Status, SysError> {
    match request(target, timeout, Kind::GetStatus).await? {
        Reply::Status(status) => Ok(status),
        other => Err(unexpected(other)),
    }
}

async fn done(target: impl Address, timeout: Duration, kind: Kind) -> Result<(), SysError> {
    match request(target, timeout, kind).await? {
        Reply::Done => Ok(()),
        other => Err(unexpected(other)),
    }
}

/// Suspends a behaviour (`sys:suspend/2`): until [`resume`], it handles only
/// system messages; other messages queue and are handled in order afterwards.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn suspend(target: impl Address, timeout: Duration) -> Result<(), SysError> {
    done(target, timeout, Kind::Suspend).await
}

/// Resumes a suspended behaviour (`sys:resume/2`).
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn resume(target: impl Address, timeout: Duration) -> Result<(), SysError> {
    done(target, timeout, Kind::Resume).await
}

/// Stops a behaviour with `reason` through its terminate hook (`sys:terminate/3`);
/// returns once it has exited with that reason.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering,
/// or with another reason than `reason`.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn terminate(
    target: impl Address,
    timeout: Duration,
    reason: ExitReason,
) -> Result<(), SysError> {
    let expected = reason.clone();
    match request(target, timeout, Kind::Terminate(reason)).await {
        Err(SysError::Exited(exited)) if exited == expected => Ok(()),
        Err(error) => Err(error),
        Ok(other) => Err(unexpected(other)),
    }
}

/// Switches tracing on or off (`sys:trace/3`): each message in, each reply
/// sent to a call (gen_server's `sent Reply to To`) and each new state is written through `tracing` at info level, target `otp::sys`.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn trace(target: impl Address, timeout: Duration, on: bool) -> Result<(), SysError> {
    done(target, timeout, Kind::Trace(on)).await
}

/// Keeps, forgets or returns the last events (`sys:log/3`). `On` and `Off` return
/// an empty list; `Get` the kept events, oldest first.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn log(
    target: impl Address,
    timeout: Duration,
    flag: LogFlag,
) -> Result<Vec<Event>, SysError> {
    match request(target, timeout, Kind::Log(flag)).await? {
        Reply::Events(events) => Ok(events),
        other => Err(unexpected(other)),
    }
}

/// Starts, stops or reads statistics (`sys:statistics/3`). `Get` returns `None`
/// when collection is off.
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn statistics(
    target: impl Address,
    timeout: Duration,
    flag: StatisticsFlag,
) -> Result<Option<Statistics>, SysError> {
    match request(target, timeout, Kind::Statistics(flag)).await? {
        Reply::Statistics(statistics) => Ok(statistics),
        other => Err(unexpected(other)),
    }
}

/// `sys:change_code/5`: hot code upgrade does not apply to Rust, so every behaviour
/// answers [`SysError::NotSupported`].
///
/// # Errors
/// [`SysError::NoProcess`] for a dead or unknown target,
/// [`SysError::Timeout`] if it did not answer in time (a process that is not a
/// behaviour never answers), [`SysError::Exited`] if it exited before answering,
/// and from a behaviour always [`SysError::NotSupported`].
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn change_code(target: impl Address, timeout: Duration) -> Result<(), SysError> {
    done(target, timeout, Kind::ChangeCode).await
}
