//! The behaviour side of `sys`: answering system messages.
//!
//! A behaviour loop (actor, supervisor) keeps one [`Debug`] and, for every system
//! message its selector takes, calls [`Debug::handle`] with its state. The answer
//! goes back to the caller; a `terminate` request comes back as
//! [`Handled::Terminate`] for the loop to run its terminate hook and exit. Between
//! messages the loop asks [`Debug::suspended`] to know whether to take only system
//! messages, and reports events with [`Debug::message_in`],
//! [`Debug::replies_sent`] and [`Debug::state_changed`] when [`Debug::active`]
//! says anyone listens, so that an untraced behaviour pays one branch per
//! message.
//!
//! Outgoing events follow gen_server: a reply to a call is `{out, Reply, To,
//! State}`, counted by `sys:statistics` as a message out (sys.erl's `stat/2`;
//! sys_SUITE `stats` expects `{messages_out, 1}` after one call). Other sends
//! of a handler (`Pid ! Msg` in Erlang) are no debug events, nor are the
//! answers to system messages. While trace, log or statistics are on, the
//! process records the replies it sends ([`process::record_replies`]) and the
//! loop takes them after each message.

use std::any::Any;
use std::collections::VecDeque;
use std::time::SystemTime;

use super::protocol::{Kind, Reply, Request};
use super::{Event, LogFlag, Mode, Statistics, StatisticsFlag, Status, SysError};
use crate::process::{self, ExitReason, Pid};

/// What the behaviour must do after a system message.
pub(crate) enum Handled {
    Continue,
    /// Run the terminate hook with this reason, then exit with it.
    Terminate(ExitReason),
}

pub(crate) struct Debug {
    behaviour: &'static str,
    parent: Option<Pid>,
    suspended: bool,
    trace: bool,
    log: Option<(usize, VecDeque<Event>)>,
    statistics: Option<Counters>,
}

struct Counters {
    start_time: SystemTime,
    messages_in: u64,
    messages_out: u64,
}

impl Debug {
    pub(crate) fn new(behaviour: &'static str, parent: Option<Pid>) -> Self {
        Debug {
            behaviour,
            parent,
            suspended: false,
            trace: false,
            log: None,
            statistics: None,
        }
    }

    pub(crate) fn suspended(&self) -> bool {
        self.suspended
    }

    /// Whether trace, log or statistics are on.
    pub(crate) fn active(&self) -> bool {
        self.trace || self.log.is_some() || self.statistics.is_some()
    }

    pub(crate) fn message_in(&mut self, describe: impl FnOnce() -> String) {
        if let Some(counters) = &mut self.statistics {
            counters.messages_in += 1;
        }
        if self.trace || self.log.is_some() {
            self.event(Event::In(describe()));
        }
    }

    /// Takes the replies the behaviour sent while handling a message: out
    /// events, and messages out for statistics.
    pub(crate) fn replies_sent(&mut self) {
        process::take_replies(|out| {
            if let Some(counters) = &mut self.statistics {
                counters.messages_out += 1;
            }
            if self.trace || self.log.is_some() {
                self.event(Event::Out {
                    message: out.message.to_string(),
                    to: out.to,
                });
            }
        });
    }

    /// Records replies exactly while someone listens.
    fn listen(&self) {
        process::record_replies(self.active());
    }

    pub(crate) fn state_changed(&mut self, describe: impl FnOnce() -> String) {
        if self.trace || self.log.is_some() {
            self.event(Event::State(describe()));
        }
    }

    fn event(&mut self, event: Event) {
        if self.trace {
            let pid = process::try_self_pid();
            match &event {
                Event::In(message) => {
                    crate::log::requested!(target: "otp::sys", pid = ?pid, "{pid:?} got {message}")
                }
                Event::State(state) => {
                    crate::log::requested!(target: "otp::sys", pid = ?pid, "{pid:?} new state {state}")
                }
                Event::Out { message, to } => {
                    crate::log::requested!(target: "otp::sys", pid = ?pid, "{pid:?} sent {message} to {to}")
                }
            }
        }
        if let Some((capacity, events)) = &mut self.log {
            if events.len() == *capacity {
                events.pop_front();
            }
            if *capacity > 0 {
                events.push_back(event);
            }
        }
    }

    /// Answers one system message. `state` is the behaviour's state, `describe`
    /// formats it for `get_state` and `get_status`.
    pub(crate) fn handle(
        &mut self,
        request: Box<dyn Any + Send>,
        state: &mut dyn Any,
        describe: &dyn Fn(&dyn Any) -> String,
    ) -> Handled {
        let Ok(request) = request.downcast::<Request>() else {
            crate::log::warning!(target: "otp::sys", "dropped a system message of an unknown kind");
            return Handled::Continue;
        };
        let Request { kind, reply } = *request;
        let answer = match kind {
            Kind::GetState => match guarded(|| describe(state)) {
                Ok(described) => Reply::State(described),
                Err(error) => Reply::Error(error),
            },
            Kind::GetStateWith(copy) => match guarded(|| copy(state)) {
                Ok(Some(copy)) => Reply::Any(copy),
                Ok(None) => Reply::Error(SysError::WrongStateType {
                    expected: "the requested type",
                }),
                Err(error) => Reply::Error(error),
            },
            Kind::ReplaceState(replace) => match guarded(|| replace(state)) {
                Ok(true) => Reply::Done,
                Ok(false) => Reply::Error(SysError::WrongStateType {
                    expected: "the requested type",
                }),
                Err(error) => Reply::Error(error),
            },
            Kind::GetStatus => match guarded(|| describe(state)) {
                Ok(described) => Reply::Status(self.status(described)),
                Err(error) => Reply::Error(error),
            },
            Kind::Suspend => {
                self.suspended = true;
                Reply::Done
            }
            Kind::Resume => {
                self.suspended = false;
                Reply::Done
            }
            // No reply: the caller's monitor sees the exit with this reason.
            Kind::Terminate(reason) => return Handled::Terminate(reason),
            Kind::Trace(on) => {
                self.trace = on;
                self.listen();
                Reply::Done
            }
            Kind::Log(flag) => {
                let events = self.log(flag);
                self.listen();
                Reply::Events(events)
            }
            Kind::Statistics(flag) => {
                let statistics = self.statistics(flag);
                self.listen();
                Reply::Statistics(statistics)
            }
            Kind::ChangeCode => Reply::Error(SysError::NotSupported(
                "change_code: Rust code cannot be upgraded in place",
            )),
        };
        reply.send_unrecorded(answer);
        Handled::Continue
    }

    fn status(&self, state: String) -> Status {
        let pid = process::try_self_pid().unwrap_or_else(crate::process::pid_none);
        let info = process::info(pid);
        Status {
            pid,
            name: info.as_ref().and_then(|i| i.registered_name.clone()),
            behaviour: self.behaviour,
            mode: if self.suspended {
                Mode::Suspended
            } else {
                Mode::Running
            },
            parent: self.parent,
            state,
            message_queue_len: info.map_or(0, |i| i.message_queue_len),
        }
    }

    fn log(&mut self, flag: LogFlag) -> Vec<crate::sys::Event> {
        match flag {
            LogFlag::On(capacity) => {
                self.log = Some((capacity, VecDeque::with_capacity(capacity.min(1024))));
                Vec::new()
            }
            LogFlag::Off => {
                self.log = None;
                Vec::new()
            }
            LogFlag::Get => self
                .log
                .as_ref()
                .map(|(_, events)| events.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }

    fn statistics(&mut self, flag: StatisticsFlag) -> Option<Statistics> {
        match flag {
            StatisticsFlag::On => {
                if self.statistics.is_none() {
                    self.statistics = Some(Counters {
                        start_time: SystemTime::now(),
                        messages_in: 0,
                        messages_out: 0,
                    });
                }
                None
            }
            StatisticsFlag::Off => {
                self.statistics = None;
                None
            }
            StatisticsFlag::Get => self.statistics.as_ref().map(|counters| {
                let pid = process::try_self_pid().unwrap_or_else(crate::process::pid_none);
                Statistics {
                    start_time: counters.start_time,
                    current_time: SystemTime::now(),
                    messages_in: counters.messages_in,
                    messages_out: counters.messages_out,
                    message_queue_len: process::info(pid).map_or(0, |i| i.message_queue_len),
                }
            }),
        }
    }
}

/// Runs a user's callback (a `replace_state` function, a state's `Debug` or
/// `Clone`). A panic is `callback_failed` for the caller, not the behaviour's
/// death: Erlang's `sys` catches a failing `system_get_state`,
/// `system_replace_state` or state fun the same way and the process goes on
/// with its state unchanged.
fn guarded<T>(callback: impl FnOnce() -> T) -> Result<T, SysError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(callback)).map_err(|payload| {
        SysError::CallbackFailed(match process::caught_reason(payload) {
            ExitReason::Panic(panic) => panic.message.to_string(),
            exit => exit.to_string(),
        })
    })
}

impl Drop for Debug {
    fn drop(&mut self) {
        if self.active() {
            process::record_replies(false);
        }
    }
}
