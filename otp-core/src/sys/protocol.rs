//! What travels between a `sys` caller and a behaviour.

use std::any::Any;
use std::fmt;

use super::{Event, ExitReason, LogFlag, Statistics, StatisticsFlag, Status, SysError};
use crate::process::Subject;

/// A system message: what is asked, and where to answer.
pub(crate) struct Request {
    pub(crate) kind: Kind,
    pub(crate) reply: Subject<Reply>,
}

type CopyState = Box<dyn FnOnce(&dyn Any) -> Option<Box<dyn Any + Send>> + Send>;
type ReplaceState = Box<dyn FnOnce(&mut dyn Any) -> bool + Send>;

pub(crate) enum Kind {
    GetState,
    GetStateWith(CopyState),
    ReplaceState(ReplaceState),
    GetStatus,
    Suspend,
    Resume,
    Terminate(ExitReason),
    Trace(bool),
    Log(LogFlag),
    Statistics(StatisticsFlag),
    ChangeCode,
}

pub(crate) enum Reply {
    Done,
    State(String),
    Any(Box<dyn Any + Send>),
    Status(Status),
    Events(Vec<Event>),
    Statistics(Option<Statistics>),
    Error(SysError),
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Done => f.write_str("Done"),
            Reply::State(s) => write!(f, "State({s:?})"),
            Reply::Any(_) => f.write_str("Any(..)"),
            Reply::Status(s) => write!(f, "Status({s:?})"),
            Reply::Events(e) => write!(f, "Events({e:?})"),
            Reply::Statistics(s) => write!(f, "Statistics({s:?})"),
            Reply::Error(e) => write!(f, "Error({e:?})"),
        }
    }
}
