//! Request and reply: `gen_server:call` at the process level.

use std::sync::Arc;
use std::time::Duration;

use super::context;
use super::exit::ExitReason;
use super::signal::{add_watcher, remove_watcher};
use super::time::{self, Elapsed};
use super::wait::{First, Slot};
use super::{Pid, Subject, registry};

/// Why a call got no reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
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
    /// The call has a timeout but no tokio runtime keeps time where it was
    /// awaited (a plain thread with another executor); use [`call_blocking`]
    /// there, or a timeout of `Duration::MAX`.
    #[error("a call with a timeout needs a tokio runtime")]
    NoRuntime,
}

/// A call waiting for its reply. Dropping it removes the monitor on the callee
/// and closes the reply slot, so a call cancelled by its caller leaves nothing
/// behind and a late reply is dropped.
struct Pending<R: Send + 'static> {
    slot: Arc<Slot<R>>,
    callee: Pid,
    reference: u64,
}

impl<R: Send + 'static> Drop for Pending<R> {
    fn drop(&mut self) {
        remove_watcher(self.callee, self.reference);
        drop(self.slot.close());
    }
}

impl<R: Send + 'static> Pending<R> {
    async fn wait(&self, timeout: Duration) -> Result<R, CallError> {
        match time::within(timeout, self.slot.first()).await {
            Ok(first) => outcome(first),
            Err(Elapsed::Timeout) => Err(CallError::Timeout),
            Err(Elapsed::NoRuntime) => Err(CallError::NoRuntime),
        }
    }
}

fn outcome<R>(first: First<R>) -> Result<R, CallError> {
    match first {
        First::Value(value) => Ok(value),
        First::Down(ExitReason::NoProc) => Err(CallError::NoProcess),
        First::Down(reason) => Err(CallError::CalleeExited(reason)),
    }
}

/// Monitors the callee, then sends it the request built by `make_request` around
/// a reply subject. A call through a name resolves the name once (as
/// `gen:call` does): it monitors that process and sends to that process, so
/// its outcome always concerns the process that got the request.
fn start<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<Pending<R>, CallError> {
    match subject.name() {
        Some(name) => {
            let holder = registry::holder(name.id()).ok_or(CallError::NoProcess)?;
            let pid = holder.pid;
            start_with(pid, |reply_to| {
                let request = make_request(reply_to);
                // Refused only if the holder exited meanwhile: its DOWN answers.
                let _ = Subject::<Req>::to_holder(&holder, name, request);
            })
        }
        None => start_with(subject.owner(), |reply_to| {
            subject.send(make_request(reply_to));
        }),
    }
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
    let slot = Slot::new();
    let reference = super::pid::unique();
    if !add_watcher(callee, reference, slot.watcher()) {
        return Err(CallError::NoProcess);
    }
    let pending = Pending {
        slot: slot.clone(),
        callee,
        reference,
    };
    send(Subject::reply(me.unwrap_or_else(super::pid_none), slot));
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
///
/// # Errors
/// [`CallError::Timeout`] if no reply came in time, [`CallError::NoProcess`] if
/// the callee is not alive, [`CallError::CalleeExited`] if it exited before
/// replying, [`CallError::CallingSelf`] if a process calls itself,
/// [`CallError::NoRuntime`] for a finite timeout awaited outside a tokio runtime.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
#[doc(alias = "gen_server:call")]
pub async fn call<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    timeout: Duration,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<R, CallError> {
    let pending = start(subject, make_request)?;
    crate::observe::hooks::timed_call(pending.wait(timeout)).await
}

/// [`call`] without a timeout: waits until the reply comes or the callee exits.
///
/// # Errors
/// [`CallError::NoProcess`] if the callee is not alive,
/// [`CallError::CalleeExited`] if it exited before replying,
/// [`CallError::CallingSelf`] if a process calls itself.
///
/// # Cancel safety
/// Not cancel safe, as any request: once polled, the request may have been
/// delivered and acted upon. A dropped call removes its monitor and drops a
/// late reply, so nothing is left in the caller's mailbox.
pub async fn call_forever<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<R, CallError> {
    let pending = start(subject, make_request)?;
    crate::observe::hooks::timed_call(pending.wait(Duration::MAX)).await
}

/// [`call`] for a plain thread: blocks the thread until the reply, the callee's
/// exit or the timeout. Do not use it on an async runtime's worker thread.
///
/// # Errors
/// As [`call`]: [`CallError::Timeout`], [`CallError::NoProcess`],
/// [`CallError::CalleeExited`], [`CallError::CallingSelf`].
pub fn call_blocking<Req: Send + 'static, R: Send + 'static>(
    subject: &Subject<Req>,
    timeout: Duration,
    make_request: impl FnOnce(Subject<R>) -> Req,
) -> Result<R, CallError> {
    let pending = start(subject, make_request)?;
    crate::observe::hooks::timed_blocking_call(|| {
        let first = block_on_within(timeout, pending.slot.first());
        first.map_or(Err(CallError::Timeout), outcome)
    })
}

/// Runs `future` on this thread for at most `timeout` (forever if the timeout
/// is beyond the clock), with no runtime needed.
fn block_on_within<T>(timeout: Duration, future: impl Future<Output = T>) -> Option<T> {
    let deadline = std::time::Instant::now().checked_add(timeout);
    let thread = std::thread::current();
    let waker = std::task::Waker::from(Arc::new(Unpark(thread)));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return Some(value);
        }
        match deadline {
            None => std::thread::park(),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    return None;
                }
                std::thread::park_timeout(left);
            }
        }
    }
}

struct Unpark(std::thread::Thread);

impl std::task::Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}
