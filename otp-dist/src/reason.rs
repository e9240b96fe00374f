//! Exit reasons between `otp` and Erlang: `normal`, `shutdown`, `{shutdown, X}`,
//! `kill`, `killed`, `noproc`, `noconnection` map one to one; a panic becomes
//! `{panic, <<"message">>}`; any other abnormal reason an atom when it reads as
//! one (`boom`), else a binary; an Erlang reason without an `otp` equivalent
//! becomes `Abnormal` with its Erlang text.

use otp_core::process::ExitReason;

use crate::term::{Atom, Term};

fn atomish(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && s.len() <= 255
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Erlang term for an exit reason.
pub fn to_term(reason: &ExitReason) -> Term {
    match reason {
        ExitReason::Normal => Term::atom("normal"),
        ExitReason::Shutdown => Term::atom("shutdown"),
        ExitReason::ShutdownWith(p) => Term::tuple([Term::atom("shutdown"), text(p)]),
        ExitReason::Kill => Term::atom("kill"),
        ExitReason::Killed => Term::atom("killed"),
        ExitReason::NoProc => Term::atom("noproc"),
        ExitReason::NoConnection => Term::atom("noconnection"),
        ExitReason::Panic(p) => Term::tuple([Term::atom("panic"), Term::from(&*p.message)]),
        ExitReason::Abnormal(s) => text(s),
        // A reason added to otp-core later: its text, as any abnormal reason.
        other => text(&other.to_string()),
    }
}

fn text(s: &str) -> Term {
    if atomish(s) {
        Term::Atom(Atom::new(s))
    } else {
        Term::from(s)
    }
}

fn untext(t: &Term) -> String {
    match t {
        Term::Atom(a) => a.as_str().to_owned(),
        Term::Binary(b) => String::from_utf8_lossy(b).into_owned(),
        other => other.to_string(),
    }
}

/// The exit reason for an Erlang term.
pub fn from_term(t: &Term) -> ExitReason {
    match t {
        Term::Atom(a) => match a.as_str() {
            "normal" => ExitReason::Normal,
            "shutdown" => ExitReason::Shutdown,
            "kill" => ExitReason::Kill,
            "killed" => ExitReason::Killed,
            "noproc" => ExitReason::NoProc,
            "noconnection" => ExitReason::NoConnection,
            other => ExitReason::abnormal(other),
        },
        Term::Tuple(items) if items.len() == 2 && items[0].is_atom("shutdown") => {
            ExitReason::shutdown_with(untext(&items[1]))
        }
        other => ExitReason::abnormal(untext(other)),
    }
}
