//! Atoms: cheap to clone and compare.

use std::fmt;
use std::sync::Arc;

/// The longest atom Erlang accepts, in characters.
pub const MAX_ATOM_CHARS: usize = 255;

/// An Erlang atom. Cloning is a reference-count increment.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom(Arc<str>);

impl Atom {
    /// The atom `name`. Erlang limits atoms to 255 characters; a longer name is
    /// cut there (with a `tracing` warning), since no Erlang node would accept it.
    pub fn new(name: &str) -> Atom {
        match name.char_indices().nth(MAX_ATOM_CHARS) {
            None => Atom(Arc::from(name)),
            Some((cut, _)) => {
                tracing::warn!(atom = name, "atom longer than 255 characters cut to 255");
                Atom(Arc::from(&name[..cut]))
            }
        }
    }

    /// The atom's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether Erlang prints the atom without quotes.
    fn is_bare(&self) -> bool {
        let mut chars = self.0.chars();
        matches!(chars.next(), Some('a'..='z'))
            && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '@')
    }
}

impl From<&str> for Atom {
    fn from(name: &str) -> Atom {
        Atom::new(name)
    }
}

impl PartialEq<str> for Atom {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Atom {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_bare() {
            f.write_str(&self.0)
        } else {
            write!(f, "'{}'", self.0.replace('\\', "\\\\").replace('\'', "\\'"))
        }
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
