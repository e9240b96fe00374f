//! Remote processes as `otp_core::process::Pid`s: the distribution layer that
//! `otp_core::process::remote` hands pids of other nodes to.
//!
//! A node name gets an index, the same for the life of the OS process (index
//! `0` is this node, so names start at `1`); a remote `Pid` is that index, the
//! process's number and serial (one 64-bit id) and its node's creation, so
//! that a pid of an earlier incarnation of a node stays distinct and dead.
//!
//! The hook is installed when the first [`Node`] starts. With several nodes in
//! one OS process, `process::*` on a remote pid goes through the node that
//! gave out pids of that node last ([`Node::pid_of`], or a message or signal
//! from it), if it still runs, else the first one started that does.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::LazyLock;

use otp_core::process::remote::{self, Distribution};
use otp_core::process::{ExitReason, Monitor, Pid};
use parking_lot::Mutex;

use crate::control::{Control, Target};
use crate::node::{Node, Waiter, WeakNode};
use crate::term::{Atom, ExternalPid, Term};

#[derive(Default)]
struct Names {
    index: HashMap<Atom, NonZeroU32>,
    /// Each name, and the local node that gave out its pids last.
    names: Vec<(Atom, WeakNode)>,
}

static NAMES: LazyLock<Mutex<Names>> = LazyLock::new(Mutex::default);

/// The index of node `name` in remote `Pid`s; `by` becomes the node that
/// carries signals to that node's processes.
pub(crate) fn index_of(name: &Atom, by: &Node) -> NonZeroU32 {
    let mut names = NAMES.lock();
    if let Some(&i) = names.index.get(name) {
        if let Some(entry) = names.names.get_mut(i.get() as usize - 1) {
            entry.1 = by.downgrade();
        }
        return i;
    }
    names.names.push((name.clone(), by.downgrade()));
    let i = u32::try_from(names.names.len())
        .ok()
        .and_then(NonZeroU32::new)
        .unwrap_or(NonZeroU32::MAX);
    names.index.insert(name.clone(), i);
    i
}

/// The node name behind an index, if one was given out.
pub(crate) fn name_of(index: u32) -> Option<Atom> {
    let i = usize::try_from(index.checked_sub(1)?).ok()?;
    NAMES.lock().names.get(i).map(|(name, _)| name.clone())
}

/// The node that carries signals to pids of node `index`: the one that gave
/// them out last, if it still runs, else the first one running.
fn carrier_of(index: u32) -> Option<Node> {
    let by = {
        let i = usize::try_from(index.checked_sub(1)?).ok()?;
        NAMES.lock().names.get(i).map(|(_, by)| by.clone())
    };
    by.and_then(|by| by.upgrade())
        .filter(|node| !node.is_stopped())
        .or_else(|| live_nodes().into_iter().next())
}

/// The nodes of this OS process, in start order.
static NODES: LazyLock<Mutex<Vec<WeakNode>>> = LazyLock::new(Mutex::default);

/// Called when a node starts: makes it known, and installs the hook once.
pub(crate) fn register(node: &Node) {
    NODES.lock().push(node.downgrade());
    if !remote::installed() && remote::install(Hook).is_err() {
        tracing::warn!("another distribution layer is installed: remote Pids do not use otp-dist");
    }
}

/// The running local node whose name is `name`, if any.
pub(crate) fn local_node(name: &Atom) -> Option<Node> {
    live_nodes().into_iter().find(|n| n.name() == name)
}

fn live_nodes() -> Vec<Node> {
    let mut nodes = NODES.lock();
    nodes.retain(|w| w.upgrade().is_some());
    nodes
        .iter()
        .filter_map(WeakNode::upgrade)
        .filter(|n| !n.is_stopped())
        .collect()
}

struct Hook;

/// Where a remote pid goes: `None` when it names no process that can be
/// reached (its node is one of ours: an old creation, or a pid never given
/// out; or no index), with the reason its link or monitor then sees.
enum Route {
    Remote(Node, ExternalPid),
    Dead(ExitReason),
}

fn route(to: Pid) -> Route {
    let Some(name) = name_of(to.node()) else {
        return Route::Dead(ExitReason::NoProc);
    };
    if local_node(&name).is_some() {
        // A pid of this OS process's node that is not a live local pid.
        return Route::Dead(ExitReason::NoProc);
    }
    match carrier_of(to.node()) {
        Some(node) => {
            let ext = node.external(to);
            Route::Remote(node, ext)
        }
        None => Route::Dead(ExitReason::NoConnection),
    }
}

impl Distribution for Hook {
    fn link(&self, from: Pid, to: Pid) {
        let (node, ext) = match route(to) {
            Route::Remote(node, ext) => (node, ext),
            Route::Dead(reason) => return remote::exit_signal(from, to, &reason, true),
        };
        let carrier = node.clone();
        node.with_connection(&ext.node.clone(), move |conn| {
            let open = conn.is_ok_and(|conn| conn.link_out(&carrier, from, to, &ext));
            if !open {
                remote::exit_signal(from, to, &ExitReason::NoConnection, true);
            }
        });
    }

    fn unlink(&self, from: Pid, to: Pid) {
        let Route::Remote(_, ext) = route(to) else {
            return;
        };
        // Through whichever node's connection carries the link.
        for node in live_nodes() {
            let (carrier, ext) = (node.clone(), ext.clone());
            node.with_existing_connection(&ext.node.clone(), move |conn| {
                if let Ok(conn) = conn {
                    conn.unlink_out(from, to, || Control::UnlinkId {
                        id: carrier.next_id(),
                        from: carrier.external(from),
                        to: ext,
                    });
                }
            });
        }
    }

    fn exit(&self, from: Pid, to: Pid, reason: &ExitReason, via_link: bool) {
        let Route::Remote(node, ext) = route(to) else {
            return;
        };
        let reason = crate::reason::to_term(reason);
        if !via_link {
            return node.send_control(
                &ext.node.clone(),
                Control::Exit2 {
                    from: node.sender_of(from),
                    to: ext,
                    reason,
                },
            );
        }
        // Through whichever node's connection carries the link; gone with
        // the connection, its end already said `noconnection`.
        for node in live_nodes() {
            let (carrier, ext, reason) = (node.clone(), ext.clone(), reason.clone());
            node.with_existing_connection(&ext.node.clone(), move |conn| {
                if let Ok(conn) = conn {
                    conn.unlink_out(from, to, || Control::Exit {
                        from: carrier.external(from),
                        to: ext,
                        reason,
                    });
                }
            });
        }
    }

    fn monitor(&self, from: Pid, monitor: Monitor) {
        let (node, ext) = match route(monitor.pid()) {
            Route::Remote(node, ext) => (node, ext),
            Route::Dead(reason) => {
                remote::down(from, monitor, reason);
                return;
            }
        };
        let reference = node.make_ref();
        node.inner
            .process_monitors
            .lock()
            .insert(monitor, reference.clone());
        node.inner.waiters.lock().insert(
            reference.clone(),
            Waiter::Process {
                peer: ext.node.clone(),
                owner: from,
                monitor,
            },
        );
        let carrier = node.clone();
        node.with_connection(&ext.node.clone(), move |conn| {
            // A closed connection may have looked at the waiters before
            // this one came: whoever takes it out fires it.
            match conn {
                Ok(conn) if !conn.is_closed() => conn.send(&Control::MonitorP {
                    from: carrier.external(from),
                    target: Target::Pid(ext),
                    reference,
                }),
                _ => {
                    let waiter = carrier.inner.waiters.lock().remove(&reference);
                    if let Some(waiter) = waiter {
                        crate::node::fire(&carrier, reference, waiter, Term::atom("noconnection"));
                    }
                }
            }
        });
    }

    fn demonitor(&self, from: Pid, monitor: Monitor) {
        // The node that made the monitor holds it.
        let Some((node, reference)) = live_nodes().into_iter().find_map(|node| {
            let reference = node.inner.process_monitors.lock().remove(&monitor)?;
            Some((node, reference))
        }) else {
            return;
        };
        if node.inner.waiters.lock().remove(&reference).is_none() {
            return; // fired already
        }
        let ext = node.external(monitor.pid());
        let carrier = node.clone();
        node.with_existing_connection(&ext.node.clone(), move |conn| {
            if let Ok(conn) = conn {
                conn.send(&Control::DemonitorP {
                    from: carrier.external(from),
                    target: Target::Pid(ext),
                    reference,
                });
            }
        });
    }
}
