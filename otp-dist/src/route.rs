//! What arrives at a local process from other nodes, and how it finds the process.

use std::collections::HashMap;

use otp_core::process::{Pid, Subject};

use crate::node::Node;
use crate::term::{Atom, ExternalPid, Term};

/// A message or signal from another node, as a process that accepts Erlang
/// terms receives it (see [`Node::inbox`]).
///
/// Messages in the shapes of OTP's behaviours are sorted out: `'$gen_call'`
/// becomes [`Incoming::Call`], `'$gen_cast'` [`Incoming::Cast`], `system`
/// [`Incoming::System`]; everything else is [`Incoming::Message`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Incoming {
    /// A plain message.
    Message(Term),
    /// `gen_server:call`: answer with [`ReplyTo::reply`].
    Call {
        /// The request.
        request: Term,
        /// Where the reply goes.
        from: ReplyTo,
    },
    /// `gen_server:cast`.
    Cast(Term),
    /// A `sys` request (`{system, From, Request}`).
    System {
        /// The request (`get_state`, `get_status`, `suspend`...).
        request: Term,
        /// Where the reply goes.
        from: ReplyTo,
    },
    /// A monitor set with [`Node::monitor`] or [`Node::monitor_name`] fired.
    Down {
        /// The monitor.
        monitor: crate::term::ExternalRef,
        /// The monitored process, in the form it was monitored by.
        process: Monitored,
        /// Why it went down (`noconnection` if its node did, `noproc` if it
        /// did not exist).
        reason: Term,
    },
}

/// A process monitored on another node, as its DOWN names it (Erlang's
/// `{'DOWN', Ref, process, Pid | {Name, Node}, Reason}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Monitored {
    /// Monitored by pid.
    Pid(ExternalPid),
    /// Monitored by registered name: `{Name, Node}`.
    Name {
        /// The registered name.
        name: Atom,
        /// Its node.
        node: Atom,
    },
}

impl Monitored {
    /// The node the process is on.
    pub fn node(&self) -> &Atom {
        match self {
            Monitored::Pid(pid) => &pid.node,
            Monitored::Name { node, .. } => node,
        }
    }
}

/// The `From` of a `gen_server` call or `sys` request: the caller and its tag,
/// in any of the three forms OTP uses (`Ref`, `[alias | Ref]`,
/// `[[alias | Ref] | _]`).
#[derive(Debug, Clone)]
pub struct ReplyTo {
    pub(crate) node: Node,
    /// The calling process.
    pub caller: ExternalPid,
    /// The caller's tag.
    pub tag: Term,
}

impl ReplyTo {
    /// Sends `{Tag, reply}` as `gen:reply/2` does: to the alias when the tag
    /// carries one (so a reply after the caller's timeout is dropped by the
    /// caller's node), else to the caller's pid.
    pub fn reply(&self, reply: Term) {
        let message = Term::tuple([self.tag.clone(), reply]);
        match alias_of(&self.tag) {
            Some(alias) => self.node.send_alias(&self.caller, alias, message),
            None => self.node.send(&self.caller, message),
        }
    }
}

fn alias_of(tag: &Term) -> Option<&crate::term::ExternalRef> {
    match tag {
        Term::ImproperList(head, tail) if head.len() == 1 && head[0].is_atom("alias") => {
            match &**tail {
                Term::Ref(r) => Some(r),
                _ => None,
            }
        }
        Term::ImproperList(head, _) if head.len() == 1 => alias_of(&head[0]),
        _ => None,
    }
}

/// Splits `{Pid, Tag}`.
pub(crate) fn from_pair(node: &Node, from: &Term) -> Option<ReplyTo> {
    match from.as_tuple()? {
        [Term::Pid(caller), tag] => Some(ReplyTo {
            node: node.clone(),
            caller: caller.clone(),
            tag: tag.clone(),
        }),
        _ => None,
    }
}

/// Sorts a message into its [`Incoming`] shape.
pub(crate) fn classify(node: &Node, msg: Term) -> Incoming {
    if let Some(items) = msg.as_tuple() {
        match items {
            [tag, from, request] if tag.is_atom("$gen_call") => {
                if let Some(from) = from_pair(node, from) {
                    return Incoming::Call {
                        request: request.clone(),
                        from,
                    };
                }
            }
            [tag, request] if tag.is_atom("$gen_cast") => return Incoming::Cast(request.clone()),
            [tag, from, request] if tag.is_atom("system") => {
                if let Some(from) = from_pair(node, from) {
                    return Incoming::System {
                        request: request.clone(),
                        from,
                    };
                }
            }
            _ => {}
        }
    }
    Incoming::Message(msg)
}

/// Finds the process an exposed name stands for now.
pub(crate) type Resolve = std::sync::Arc<dyn Fn() -> Option<Pid> + Send + Sync>;

/// What a name other nodes use stands for.
#[derive(Clone)]
pub(crate) enum NameRoute {
    /// One process.
    Pid(Pid),
    /// An exposed actor (whichever process that is now) and the inbox of the
    /// bridge answering for it.
    Exposed {
        resolve: Resolve,
        inbox: Subject<Incoming>,
    },
}

/// Local processes that other nodes can reach.
#[derive(Default)]
pub(crate) struct Routes {
    /// By the local pid's serial: the pid and, if it accepts terms, its inbox.
    pub(crate) by_id: HashMap<u64, (Pid, Option<Subject<Incoming>>)>,
    /// Names other nodes can send to.
    pub(crate) names: HashMap<Atom, NameRoute>,
}
