//! Control messages: the signals nodes send each other after the handshake.
//!
//! A frame is `u32 length`, `112`, the control tuple and, for some operations, a
//! payload term (see `erl_dist_protocol`, "Protocol between connected nodes").
//! Variants with a trace token (`_TT`) decode to the same [`Control`] (the token
//! is ignored), and the payload forms of exits (`PAYLOAD_EXIT`...) to the plain one.

use crate::flags;
use crate::term::{self, Atom, DecodeError, ExternalPid, ExternalRef, Term};

/// A monitored process: by pid, or by registered name (then DOWN names it too).
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A pid.
    Pid(ExternalPid),
    /// A registered name on the receiving node.
    Name(Atom),
}

impl Target {
    fn from_term(t: Term) -> Option<Target> {
        match t {
            Term::Pid(p) => Some(Target::Pid(p)),
            Term::Atom(a) => Some(Target::Name(a)),
            _ => None,
        }
    }

    fn to_term(&self) -> Term {
        match self {
            Target::Pid(p) => Term::Pid(p.clone()),
            Target::Name(a) => Term::Atom(a.clone()),
        }
    }
}

/// One control message.
#[allow(missing_docs)]
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    Link {
        from: ExternalPid,
        to: ExternalPid,
    },
    Send {
        from: Option<ExternalPid>,
        to: ExternalPid,
        msg: Term,
    },
    RegSend {
        from: ExternalPid,
        to: Atom,
        msg: Term,
    },
    Exit {
        from: ExternalPid,
        to: ExternalPid,
        reason: Term,
    },
    Exit2 {
        from: ExternalPid,
        to: ExternalPid,
        reason: Term,
    },
    MonitorP {
        from: ExternalPid,
        target: Target,
        reference: ExternalRef,
    },
    DemonitorP {
        from: ExternalPid,
        target: Target,
        reference: ExternalRef,
    },
    MonitorPExit {
        target: Target,
        watcher: ExternalPid,
        reference: ExternalRef,
        reason: Term,
    },
    AliasSend {
        from: ExternalPid,
        alias: ExternalRef,
        msg: Term,
    },
    UnlinkId {
        id: u64,
        from: ExternalPid,
        to: ExternalPid,
    },
    UnlinkIdAck {
        id: u64,
        from: ExternalPid,
        to: ExternalPid,
    },
    /// A valid operation this node does not act on (group leader, spawn...).
    Ignored(i64),
}

/// Why a frame could not be understood.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A term in it did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The frame is not `112`, control tuple, payload.
    #[error("malformed control message: {0}")]
    Malformed(String),
}

fn pid(t: Option<Term>) -> Option<ExternalPid> {
    match t? {
        Term::Pid(p) => Some(p),
        _ => None,
    }
}

fn reference(t: Option<Term>) -> Option<ExternalRef> {
    match t? {
        Term::Ref(r) => Some(r),
        _ => None,
    }
}

impl Control {
    /// Decodes a frame's body (after the length, starting with 112).
    ///
    /// # Errors
    /// A [`FrameError`] for a frame that is not a distribution control message.
    pub fn decode(frame: &[u8]) -> Result<Control, FrameError> {
        let Some((&112, rest)) = frame.split_first() else {
            return Err(FrameError::Malformed(
                "no pass-through byte 112 (atom cache or fragments were not negotiated)".into(),
            ));
        };
        let (ctrl, used) = term::decode_prefix(rest)?;
        let payload = &rest[used..];
        let msg = || -> Result<Term, FrameError> {
            if payload.is_empty() {
                Err(FrameError::Malformed("payload missing".into()))
            } else {
                Ok(term::decode(payload)?)
            }
        };
        let malformed = || FrameError::Malformed(format!("{ctrl}"));
        let Term::Tuple(items) = ctrl.clone() else {
            return Err(malformed());
        };
        let op = match items.first() {
            Some(Term::Int(op)) => *op,
            _ => return Err(malformed()),
        };
        let mut it = items.into_iter().skip(1);
        let mut next = || it.next();
        let c = (|| {
            Some(match op {
                1 => Control::Link {
                    from: pid(next())?,
                    to: pid(next())?,
                },
                2 | 12 => {
                    next();
                    Control::Send {
                        from: None,
                        to: pid(next())?,
                        msg: Term::nil(),
                    }
                }
                22 | 23 => Control::Send {
                    from: Some(pid(next())?),
                    to: pid(next())?,
                    msg: Term::nil(),
                },
                6 | 16 => {
                    let from = pid(next())?;
                    next();
                    Control::RegSend {
                        from,
                        to: match next()? {
                            Term::Atom(a) => a,
                            _ => return None,
                        },
                        msg: Term::nil(),
                    }
                }
                3 | 8 => {
                    let (from, to, reason) = (pid(next())?, pid(next())?, next()?);
                    exit(op == 8, from, to, reason)
                }
                13 | 18 => {
                    let (from, to) = (pid(next())?, pid(next())?);
                    next();
                    exit(op == 18, from, to, next()?)
                }
                24..=27 => exit(op >= 26, pid(next())?, pid(next())?, Term::nil()),
                19 | 20 => {
                    let from = pid(next())?;
                    let target = Target::from_term(next()?)?;
                    let reference = reference(next())?;
                    if op == 19 {
                        Control::MonitorP {
                            from,
                            target,
                            reference,
                        }
                    } else {
                        Control::DemonitorP {
                            from,
                            target,
                            reference,
                        }
                    }
                }
                21 | 28 => Control::MonitorPExit {
                    target: Target::from_term(next()?)?,
                    watcher: pid(next())?,
                    reference: reference(next())?,
                    reason: if op == 21 { next()? } else { Term::nil() },
                },
                33 | 34 => Control::AliasSend {
                    from: pid(next())?,
                    alias: reference(next())?,
                    msg: Term::nil(),
                },
                35 | 36 => {
                    let id = match next()? {
                        Term::Int(n) => u64::try_from(n).ok()?,
                        Term::Big(b) => u64::try_from(b.to_u128_checked()?).ok()?,
                        _ => return None,
                    };
                    let (from, to) = (pid(next())?, pid(next())?);
                    if op == 35 {
                        Control::UnlinkId { id, from, to }
                    } else {
                        Control::UnlinkIdAck { id, from, to }
                    }
                }
                other => Control::Ignored(other),
            })
        })()
        .ok_or_else(malformed)?;
        // Fill in the payload where the operation has one.
        Ok(match c {
            Control::Send { from, to, .. } => Control::Send {
                from,
                to,
                msg: msg()?,
            },
            Control::RegSend { from, to, .. } => Control::RegSend {
                from,
                to,
                msg: msg()?,
            },
            Control::AliasSend { from, alias, .. } => Control::AliasSend {
                from,
                alias,
                msg: msg()?,
            },
            Control::Exit { from, to, .. } if (24..=25).contains(&op) => Control::Exit {
                from,
                to,
                reason: msg()?,
            },
            Control::Exit2 { from, to, .. } if (26..=27).contains(&op) => Control::Exit2 {
                from,
                to,
                reason: msg()?,
            },
            Control::MonitorPExit {
                target,
                watcher,
                reference,
                ..
            } if op == 28 => Control::MonitorPExit {
                target,
                watcher,
                reference,
                reason: msg()?,
            },
            other => other,
        })
    }

    /// Encodes a frame (with its 4-byte length) for a connection with `flags`.
    pub fn encode(&self, flags: u64) -> Vec<u8> {
        let mut out = vec![0, 0, 0, 0, 112];
        let op = |n: i64| Term::Int(n);
        let p = |p: &ExternalPid| Term::Pid(p.clone());
        let r = |r: &ExternalRef| Term::Ref(r.clone());
        let payload_exits = flags & flags::EXIT_PAYLOAD != 0;
        let (ctrl, payload): (Term, Option<&Term>) = match self {
            Control::Link { from, to } => (Term::tuple([op(1), p(from), p(to)]), None),
            Control::Send { from, to, msg } => match from {
                Some(from) if flags & flags::SEND_SENDER != 0 => {
                    (Term::tuple([op(22), p(from), p(to)]), Some(msg))
                }
                _ => (Term::tuple([op(2), Term::atom(""), p(to)]), Some(msg)),
            },
            Control::RegSend { from, to, msg } => (
                Term::tuple([op(6), p(from), Term::atom(""), Term::Atom(to.clone())]),
                Some(msg),
            ),
            Control::Exit { from, to, reason } if payload_exits => {
                (Term::tuple([op(24), p(from), p(to)]), Some(reason))
            }
            Control::Exit { from, to, reason } => {
                (Term::tuple([op(3), p(from), p(to), reason.clone()]), None)
            }
            Control::Exit2 { from, to, reason } if payload_exits => {
                (Term::tuple([op(26), p(from), p(to)]), Some(reason))
            }
            Control::Exit2 { from, to, reason } => {
                (Term::tuple([op(8), p(from), p(to), reason.clone()]), None)
            }
            Control::MonitorP {
                from,
                target,
                reference,
            } => (
                Term::tuple([op(19), p(from), target.to_term(), r(reference)]),
                None,
            ),
            Control::DemonitorP {
                from,
                target,
                reference,
            } => (
                Term::tuple([op(20), p(from), target.to_term(), r(reference)]),
                None,
            ),
            Control::MonitorPExit {
                target,
                watcher,
                reference,
                reason,
            } if payload_exits => (
                Term::tuple([op(28), target.to_term(), p(watcher), r(reference)]),
                Some(reason),
            ),
            Control::MonitorPExit {
                target,
                watcher,
                reference,
                reason,
            } => (
                Term::tuple([
                    op(21),
                    target.to_term(),
                    p(watcher),
                    r(reference),
                    reason.clone(),
                ]),
                None,
            ),
            Control::AliasSend { from, alias, msg } => {
                (Term::tuple([op(33), p(from), r(alias)]), Some(msg))
            }
            Control::UnlinkId { id, from, to } => (
                Term::tuple([
                    op(35),
                    crate::term::BigInt::term_from_u128((*id).into()),
                    p(from),
                    p(to),
                ]),
                None,
            ),
            Control::UnlinkIdAck { id, from, to } => (
                Term::tuple([
                    op(36),
                    crate::term::BigInt::term_from_u128((*id).into()),
                    p(from),
                    p(to),
                ]),
                None,
            ),
            Control::Ignored(n) => (Term::tuple([op(*n)]), None),
        };
        term::encode_into(&ctrl, &mut out);
        if let Some(payload) = payload {
            term::encode_into(payload, &mut out);
        }
        let len = (out.len() - 4) as u32;
        out[..4].copy_from_slice(&len.to_be_bytes());
        out
    }
}

fn exit(exit2: bool, from: ExternalPid, to: ExternalPid, reason: Term) -> Control {
    if exit2 {
        Control::Exit2 { from, to, reason }
    } else {
        Control::Exit { from, to, reason }
    }
}
