//! The actor's receive loop, gen_server's `loop/7`.

use std::any::Any;
use std::borrow::Cow;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use super::Next;
use super::builder::{Handler, Terminate};
use crate::process::{self, Exit, ExitReason, Pid, Selector, Subject, Unexpected};
use crate::sys::{self, Handled};

/// Everything the loop needs besides the state and the selector.
pub(crate) struct Loop<S, M> {
    pub(crate) handler: Handler<S, M>,
    pub(crate) terminate: Option<Terminate<S>>,
    pub(crate) describe_state: Option<fn(&S) -> String>,
    pub(crate) describe_message: Option<fn(&M) -> String>,
    pub(crate) name: Option<String>,
    /// The parent whose exit signal stops the actor (set when trapping exits).
    pub(crate) parent: Option<Pid>,
    pub(crate) debug: sys::Debug,
}

/// What the actor's selector delivers.
enum Incoming<M> {
    Message(M),
    System(Box<dyn Any + Send>),
    ParentExit(ExitReason),
    Unexpected(Unexpected),
}

/// A started actor: what [`run`] needs. It travels boxed so that the loop's
/// future holds each value once (an `async fn` keeps its parameters beside the
/// locals they move into, which doubled the memory of every idle actor).
pub(crate) struct Running<S, M> {
    actor: Box<Loop<S, M>>,
    state: S,
    selector: Selector<Incoming<M>>,
}

impl<S: Send + 'static, M: Send + 'static> Running<S, M> {
    /// `user` is the initialiser's selector; without one the actor receives on
    /// `subject`, mapped straight to `Incoming::Message` (one mapping call per
    /// message rather than two through [`Selector::map`]).
    pub(crate) fn new(
        actor: Box<Loop<S, M>>,
        state: S,
        user: Option<Selector<M>>,
        subject: &Subject<M>,
    ) -> Box<Self> {
        let messages = match user {
            Some(user) => user.map(Incoming::Message),
            None => Selector::new().select_map(subject, Incoming::Message),
        };
        let selector = actor.complete(messages);
        Box::new(Running {
            actor,
            state,
            selector,
        })
    }
}

/// The loop; returns the actor's exit, having written its crash report if the
/// exit is abnormal (with the last message and the state, as gen_server does).
pub(crate) async fn run<S: Send + 'static, M: Send + 'static>(running: Box<Running<S, M>>) -> Exit {
    let Running {
        mut actor,
        mut state,
        mut selector,
    } = *running;
    // While suspended, the actor answers only system messages (and its parent's
    // exit). Built when first needed: most actors are never suspended.
    let mut system_only = None;
    // The last message handled, for the crash report: its Debug form when the actor
    // asked for one (formatted per message, the price of `debug_state`), else its
    // type's name, which costs nothing.
    let mut last: Cow<'static, str> = Cow::Borrowed("");
    loop {
        let receiving = if actor.debug.suspended() {
            system_only.get_or_insert_with(|| {
                actor.with_parent(Selector::new().select_system(Incoming::System))
            })
        } else {
            &selector
        };
        // The actor built these selectors itself: no owner check needed. A
        // panic in a mapping function of the user's selector ends the actor as
        // a panic in a handler would, but with its state: terminate runs.
        let incoming = match AssertUnwindSafe(receiving.receive_unchecked())
            .catch_unwind()
            .await
        {
            Ok(Ok(incoming)) => incoming,
            // Only an exiting process's mailbox is closed; it never gets here.
            Ok(Err(_)) => return Box::pin(actor.stop(state, ExitReason::Killed, &last)).await,
            Err(payload) => {
                let reason = process::caught_reason(payload);
                return Box::pin(actor.stop(state, reason, &last)).await;
            }
        };
        match incoming {
            Incoming::Message(message) => {
                crate::observe::hooks::message_received();
                last = actor.describe_message(&message);
                if actor.debug.active() {
                    actor.debug.message_in(|| last.to_string());
                }
                let next = match &mut actor.handler {
                    Handler::Keep => Ok(Next::Continue(state)),
                    Handler::Sync(handle) => {
                        std::panic::catch_unwind(AssertUnwindSafe(|| handle(state, message)))
                    }
                    Handler::Async(handle) => {
                        AssertUnwindSafe(handle(state, message))
                            .catch_unwind()
                            .await
                    }
                };
                match next {
                    Ok(Next::Continue(next)) => state = next,
                    Ok(Next::Select(next, new_selector)) => {
                        state = next;
                        selector = actor.complete(new_selector.map(Incoming::Message));
                    }
                    Ok(Next::Stop(last_state, reason)) => {
                        if actor.debug.active() {
                            actor.debug.replies_sent();
                        }
                        return Box::pin(actor.stop(last_state, reason, &last)).await;
                    }
                    // A panic, or `process::exit(reason)` (gen_server catches
                    // `exit/1` in a callback and terminates with its reason):
                    // the state went into the handler, so only it is missing
                    // from the report a stop with this reason writes.
                    Err(payload) => {
                        let reason = process::caught_reason(payload);
                        if !reason.is_clean() {
                            actor.crash_report(&reason, &last, None);
                        }
                        return Exit {
                            reason,
                            reported: true,
                        };
                    }
                }
                if actor.debug.active() {
                    actor.debug.replies_sent();
                    let describe = actor.describe_state;
                    actor
                        .debug
                        .state_changed(|| describe_state(describe, &state));
                }
            }
            Incoming::System(request) => {
                let describe = actor.describe_state;
                let describe = move |any: &dyn Any| match any.downcast_ref::<S>() {
                    Some(state) => describe_state(describe, state),
                    None => String::new(),
                };
                match actor.debug.handle(request, &mut state, &describe) {
                    Handled::Continue => {}
                    Handled::Terminate(reason) => {
                        return Box::pin(actor.stop(state, reason, &last)).await;
                    }
                }
            }
            Incoming::ParentExit(reason) => {
                return Box::pin(actor.stop(state, reason, &last)).await;
            }
            Incoming::Unexpected(unexpected) => {
                crate::log::warning!(
                    target: "otp::actor",
                    pid = %process::self_pid(),
                    name = actor.name.as_deref().unwrap_or("-"),
                    "actor {} dropped a message its selector does not cover: {unexpected:?}",
                    actor.name.as_deref().map_or_else(|| process::self_pid().to_string(), str::to_string)
                );
            }
        }
    }
}

fn describe_state<S>(describe: Option<fn(&S) -> String>, state: &S) -> String {
    match describe {
        Some(describe) => describe(state),
        None => format!("<{}>", std::any::type_name::<S>()),
    }
}

impl<S: Send + 'static, M: Send + 'static> Loop<S, M> {
    /// The user's selector, plus system messages, the parent's exit, and a
    /// catch-all that drops (with a warning) what nothing else takes, unless the
    /// user's selector has a catch-all of its own.
    fn complete(&self, messages: Selector<Incoming<M>>) -> Selector<Incoming<M>> {
        let mut selector = messages.select_system(Incoming::System);
        if !selector.has_catch_all() {
            selector = selector.select_other(Incoming::Unexpected);
        }
        self.with_parent(selector)
    }

    fn with_parent(&self, selector: Selector<Incoming<M>>) -> Selector<Incoming<M>> {
        match self.parent {
            Some(parent) => {
                selector.intercept_exits_from(parent, |exit| Incoming::ParentExit(exit.reason))
            }
            None => selector,
        }
    }

    fn describe_message(&self, message: &M) -> Cow<'static, str> {
        match self.describe_message {
            Some(describe) => Cow::Owned(describe(message)),
            None => Cow::Borrowed(std::any::type_name::<M>()),
        }
    }

    /// Runs the terminate hook, reports an unclean stop, and returns the exit.
    async fn stop(mut self, state: S, reason: ExitReason, last: &str) -> Exit {
        let described = describe_state(self.describe_state, &state);
        if let Some(terminate) = self.terminate.take() {
            let hook =
                std::panic::catch_unwind(AssertUnwindSafe(|| terminate(state, reason.clone())));
            let ran = match hook {
                Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
                Err(payload) => Err(payload),
            };
            // A panic, or `process::exit(reason)` in the hook: the actor
            // exits with that reason instead (gen_server's `terminate/8`).
            if let Err(payload) = ran {
                let crash = process::caught_reason(payload);
                if !crash.is_clean() {
                    self.crash_report(&crash, last, Some(&described));
                }
                return Exit {
                    reason: crash,
                    reported: true,
                };
            }
        }
        if !reason.is_clean() {
            self.crash_report(&reason, last, Some(&described));
        }
        Exit {
            reason,
            reported: true,
        }
    }

    fn crash_report(&self, reason: &ExitReason, last: &str, state: Option<&str>) {
        let pid = process::self_pid();
        crate::log::error!(
            target: "otp::crash_report",
            pid = %pid,
            name = self.name.as_deref().unwrap_or("-"),
            reason = %reason,
            last_message = last,
            state = state.unwrap_or("-"),
            "actor {pid} terminating: {reason}"
        );
        crate::observe::hooks::crashed(pid, self.name.as_deref(), reason, Some(last), state);
    }
}
