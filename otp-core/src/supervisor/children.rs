//! The children of a supervisor, in start order, found by id and by pid in
//! logarithmic or constant time (supervisor.erl keeps a list and a map; a list
//! alone made 100,000 children cost minutes).

use crate::process::hash::IdMap;
use std::collections::{BTreeMap, HashMap};

use super::spec::{ChildData, ChildSpec};
use crate::process::Pid;

/// A child's place in start order; never reused.
pub(crate) type Key = u64;

/// Whether a child runs (Erlang's `pid` field: a pid, `undefined` or
/// `{restarting, OldPid}`).
#[derive(Clone)]
pub(crate) enum Run {
    /// Running as this process, whose start returned this data.
    Running(Pid, ChildData),
    /// Its restart failed; a `try_again` message will retry it.
    Restarting,
    /// Not running: stopped, ignored, or done.
    Stopped,
}

/// One child: its spec and whether it runs.
pub(crate) struct Child {
    pub(crate) spec: ChildSpec,
    pub(crate) run: Run,
}

/// The children in start order, with indexes by id and by pid.
#[derive(Default)]
pub(crate) struct Children {
    in_order: BTreeMap<Key, Child>,
    by_id: HashMap<String, Key>,
    by_pid: IdMap<Pid, Key>,
    next: Key,
}

impl Children {
    /// Adds a child after all others, not running yet.
    pub(crate) fn push(&mut self, spec: ChildSpec) -> Key {
        let key = self.next;
        self.next += 1;
        self.by_id.insert(spec.id.clone(), key);
        self.in_order.insert(
            key,
            Child {
                spec,
                run: Run::Stopped,
            },
        );
        key
    }

    pub(crate) fn get(&self, key: Key) -> Option<&Child> {
        self.in_order.get(&key)
    }

    pub(crate) fn find_id(&self, id: &str) -> Option<Key> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn find_pid(&self, pid: Pid) -> Option<Key> {
        self.by_pid.get(&pid).copied()
    }

    /// Sets whether the child runs, keeping the pid index in step; returns what it
    /// was.
    pub(crate) fn set(&mut self, key: Key, run: Run) -> Option<Run> {
        let child = self.in_order.get_mut(&key)?;
        if let Run::Running(pid, _) = &child.run {
            self.by_pid.remove(pid);
        }
        if let Run::Running(pid, _) = &run {
            self.by_pid.insert(*pid, key);
        }
        Some(std::mem::replace(&mut child.run, run))
    }

    /// Forgets a child.
    pub(crate) fn remove(&mut self, key: Key) -> Option<Child> {
        let child = self.in_order.remove(&key)?;
        if let Run::Running(pid, _) = &child.run {
            self.by_pid.remove(pid);
        }
        if self.by_id.get(&child.spec.id) == Some(&key) {
            self.by_id.remove(&child.spec.id);
        }
        Some(child)
    }

    /// Every key, in start order.
    pub(crate) fn keys(&self) -> Vec<Key> {
        self.in_order.keys().copied().collect()
    }

    /// The keys from `key` on, in start order.
    pub(crate) fn keys_from(&self, key: Key) -> Vec<Key> {
        self.in_order.range(key..).map(|(k, _)| *k).collect()
    }

    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (Key, &Child)> {
        self.in_order.iter().map(|(k, c)| (*k, c))
    }

    pub(crate) fn len(&self) -> usize {
        self.in_order.len()
    }

    /// How many run.
    pub(crate) fn running(&self) -> usize {
        self.by_pid.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::supervisor::spec::test_spec;

    #[test]
    fn indexes_follow_pushes_runs_and_removals() {
        let mut children = Children::default();
        let a = children.push(test_spec("a"));
        let b = children.push(test_spec("b"));
        let pid = crate::process::pid_none();
        children.set(a, Run::Running(pid, std::sync::Arc::new(())));
        assert_eq!(children.find_pid(pid), Some(a));
        assert_eq!(children.find_id("b"), Some(b));
        assert_eq!(children.keys_from(b), [b]);
        assert_eq!(children.running(), 1);
        children.remove(a);
        assert_eq!(children.find_pid(pid), None);
        assert_eq!(children.find_id("a"), None);
        assert_eq!(children.keys(), [b]);
        assert_eq!(children.len(), 1);
    }
}
