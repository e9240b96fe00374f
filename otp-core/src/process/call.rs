//! Request and reply: `gen_server:call` at the process level.

use std::sync::Arc;
use std::time::Duration;

use super::context;
use super::exit::ExitReason;
use super::signal::{add_watcher, remove_watcher};
use super::subject::Reply;
use super::table::Watcher;
use super::{Pid, Subject};

/// Why a call got no reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// No reply arrived in time. A reply that comes later is dropped.
    #[error("the call timed out")]
    Timeout,
    /// The callee was not alive when called (or, for a named subject, nobody held
    /// the name).
    #[error("the callee is not alive")]
    NoProcess,
    /// The callee exited before replying, with this reason.
    #[error("the callee exited before replying: {0}")]
    CalleeExited(ExitReason),
    /// A process called itself, which could never be answered.
    #[error("a process cannot call itself")]
    CallingSelf,
}

/// A call waiting for its reply. Dropping it removes the monitor on the callee,
/// so a call cancelled by its caller leaves nothing behind.
struct Pending<R> {
    slot: flume::Receiver<Reply<R>>,
    callee: Pid,
    reference: u64,
}

impl<R> Drop for Pending<R> {
    fn drop(&mut self) {
        remove_watcher(self.callee, self.reference);
    }
}

impl<R> Pending<R> {
    async fn wait(&self, timeout: Duration) -> Result<R, CallError> {
        if timeout.is_zero() {
            // No waiting for the timer wheel's next tick: a reply is there or not.
            return match self.slot.try_recv() {
                Ok(reply) => self.outcome(Ok(reply)),
                Err(_) => Err(CallError::Timeout),
            };
        }
        match tokio::time::timeout(timeout, self.slot.recv_async()).await {
            Ok(reply) => self.outcome(reply),
            Err(_) => Err(CallError::Timeout),
        }
    }

    fn outcome(&self, reply: Result<Reply<R>, flume::RecvError>) -> Result<R, CallError> {
        match reply {
            Ok(Reply::Value(value)) => Ok(value),
            Ok(Reply::Down(ExitReason::NoProc)) | Err(_) => Err(CallError::NoProcess),
            Ok(Reply::Down(reason)) => Err(CallError::CalleeExited(reason)),
        }
    }
}

/// Monitors the callee, then sends it the request built by `make_request` around
/// a reply subject. The reply travels in a slot of its own rather than the
/// caller's mailbox, so a late reply is dropped with the slot, never left queued.
fn start<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<Pending<R>, CallError> {
    start_with(subject.owner(), |reply_to| {
        subject.send(make_request(reply_to));
    })
}

/// The heart of every call: monitors `callee`, hands `send` a reply subject to
/// send the request with, and returns the pending call.
fn start_with<R: Send + 'static>(
    callee: Pid,
    send: impl FnOnce(Subject<R>),
) -> Result<Pending<R>, CallError> {
    let me = context::with(|ctx| ctx.entry.pid);
    if me == Some(callee) {
        return Err(CallError::CallingSelf);
    }
    let (sender, slot) = flume::unbounded();
    let reference = super::pid::unique();
    let on_down = sender.clone();
    let watcher = Watcher::Callback(Arc::new(move |down| {
        // The caller may have given up already; then nobody needs the DOWN.
        let _ = on_down.send(Reply::Down(down.reason));
    }));
    if !add_watcher(callee, reference, watcher) {
        return Err(CallError::NoProcess);
    }
    let pending = Pending {
        slot,
        callee,
        reference,
    };
    send(Subject::reply(me.unwrap_or_else(super::pid_none), sender));
    Ok(pending)
}

/// A call to `callee` whose request is sent by `send` (given the reply subject),
/// for requests that do not travel on a subject, such as `sys` messages.
pub(crate) async fn call_with<R: Send + 'static>(
    callee: Pid,
    timeout: Duration,
    send: impl FnOnce(Subject<R>),
) -> Result<R, CallError> {
    let pending = start_with(callee, send)?;
    pending.wait(timeout).await
}

/// Sends a request built by `make_request` (given the subject to reply on) and
/// waits at most `timeout` for the reply (Gleam's `process.call`).
///
/// Works from a process, from plain async code and (see [`call_blocking`]) from a
/// plain thread. The callee is monitored for the duration of the call, so its
/// death ends the call at once with [`CallError::CalleeExited`].
///
/// ```
/// use std::time::Duration;
/// use otp_core::process::{self, Subject};
///
/// # otp_core::runtime::block_on(async {
/// let (tx, rx) = tokio::sync::oneshot::channel();
/// process::spawn(async move {
///     let requests = Subject::<(u32, Subject<u32>)>::new();
///     tx.send(requests.clone()).unwrap();
///     let (n, reply) = process::receive_forever(&requests).await.unwrap();
///     reply.send(n * 2);
/// });
/// let server = rx.await.unwrap();
/// let doubled = process::call(&server, Duration::from_secs(1), |reply| (21, reply)).await;
/// assert_eq!(doubled, Ok(42));
/// # }).unwrap();
/// ```
pub async fn call<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    timeout: Duration,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<R, CallError> {
    let pending = start(subject, make_request)?;
    crate::observe::hooks::timed_call(pending.wait(timeout)).await
}

/// [`call`] without a timeout: waits until the reply comes or the callee exits.
pub async fn call_forever<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<R, CallError> {
    let pending = start(subject, make_request)?;
    crate::observe::hooks::timed_call(async move {
        let reply = pending.slot.recv_async().await;
        pending.outcome(reply)
    })
    .await
}

/// [`call`] for a plain thread: blocks the thread until the reply, the callee's
/// exit or the timeout. Do not use it on an async runtime's worker thread.
pub fn call_blocking<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    timeout: Duration,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<R, CallError> {
    let pending = start(subject, make_request)?;
    crate::observe::hooks::timed_blocking_call(|| match pending.slot.recv_timeout(timeout) {
        Ok(reply) => pending.outcome(Ok(reply)),
        Err(flume::RecvTimeoutError::Timeout) => Err(CallError::Timeout),
        Err(flume::RecvTimeoutError::Disconnected) => Err(CallError::NoProcess),
    })
}
