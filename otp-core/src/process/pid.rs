//! Process identifiers.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// The identifier of a process, small and `Copy`.
///
/// A pid carries a node index, a creation number and a serial, so that pids of
/// remote Erlang nodes can be represented later without changing the type. Local
/// pids have node `0` and creation `0`, and print Erlang-style as `<0.42.0>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid {
    node: u32,
    id: u64,
    creation: u32,
}

/// Serials start at 1: `<0.0.0>` never names a process.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Pid {
    /// A fresh local pid, never handed out before.
    pub(crate) fn next_local() -> Pid {
        Pid {
            node: 0,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            creation: 0,
        }
    }

    /// The pid of a process on another node, for a distribution layer (see
    /// [`remote`](super::remote)): `node` is the index it gives that node
    /// (never `0`, which is this node: local pids are only made by
    /// spawning), `id` and `creation` what the node's own pids carry.
    #[must_use]
    pub fn remote(node: std::num::NonZeroU32, id: u64, creation: u32) -> Pid {
        Pid {
            node: node.get(),
            id,
            creation,
        }
    }

    /// The node index: `0` for this node.
    #[must_use]
    pub fn node(&self) -> u32 {
        self.node
    }

    /// The serial of the process on its node.
    #[must_use]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The creation (incarnation) of the node that spawned the process.
    #[must_use]
    pub fn creation(&self) -> u32 {
        self.creation
    }

    /// Whether the process lives on this node.
    #[must_use]
    pub fn is_local(&self) -> bool {
        self.node == 0
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}.{}.{}>", self.node, self.id, self.creation)
    }
}

impl fmt::Debug for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A fresh identifier for subject tags, monitor references and names. One counter
/// serves all three so that a tag can never equal a name's id.
pub(crate) fn unique() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Pid {
    /// `<0.0.0>`, which never names a process.
    pub(crate) const fn none() -> Pid {
        Pid {
            node: 0,
            id: 0,
            creation: 0,
        }
    }
}
