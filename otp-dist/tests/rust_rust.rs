//! Two Rust nodes, no Erlang: the built-in EPMD registry, the handshake both
//! ways, messages and calls.

mod support;

use otp_core::process::{self, ExitMessage, ExitReason, Pid, Selector};
use otp_dist::handshake::HandshakeError;
use otp_dist::term::Term;
use otp_dist::{ConnectError, Incoming, Node};
use support::*;

#[test]
fn two_rust_nodes_find_each_other_through_the_built_in_registry() {
    run(WAIT, async {
        // Nothing listens on this port: the first node starts the registry.
        let port = free_port();
        let a = node(&unique("a"), port).await;
        let b = node(&unique("b"), port).await;
        let names = otp_dist::epmd::names(("127.0.0.1", port)).await.unwrap();
        assert_eq!(names.len(), 2, "{names:?}");

        let inbox = b.inbox();
        b.register("echo", inbox.owner());
        let a_inbox = a.inbox();
        let me = a.external(process::self_pid());
        a.send_named(
            "echo",
            b.name().as_str(),
            Term::tuple([Term::Pid(me), Term::atom("hi")]),
        );
        let Incoming::Message(msg) = process::receive(&inbox, WAIT).await.unwrap() else {
            panic!("a plain message")
        };
        let Some([Term::Pid(from), hi]) = msg.as_tuple() else {
            panic!("{msg}")
        };
        assert!(hi.is_atom("hi"));
        assert_eq!(from.node, *a.name());
        b.send(from, Term::atom("back"));
        assert_eq!(next_message(&a_inbox).await, Term::atom("back"));
        assert_eq!(a.nodes(), vec![b.name().clone()]);
        assert_eq!(b.nodes(), vec![a.name().clone()]);
    });
}

#[test]
fn a_wrong_cookie_between_rust_nodes_is_a_clear_error() {
    run(WAIT, async {
        let port = free_port();
        let a = node(&unique("a"), port).await;
        let b = Node::builder(&format!("{}@127.0.0.1", unique("b")))
            .cookie("another")
            .epmd_port(port)
            .start()
            .await
            .unwrap();
        match a.connect(b.name().as_str()).await {
            Err(ConnectError::Handshake(e)) => {
                assert!(matches!(*e, HandshakeError::CookieMismatch { .. }), "{e}")
            }
            other => panic!("expected a cookie mismatch, got {other:?}"),
        }
        assert!(a.nodes().is_empty() && b.nodes().is_empty());
    });
}

/// The demo program `counter_node` as a second OS process (a Rust node with
/// a supervised, exposed counter), killed by its pid when dropped.
fn peer(name: &str, cookie: &str, epmd_port: u16) -> Os {
    let program = env!("CARGO_BIN_EXE_counter_node");
    let child = std::process::Command::new(program)
        .args([&format!("{name}@127.0.0.1"), cookie])
        .env("ERL_EPMD_PORT", epmd_port.to_string())
        .env("NET_TICKTIME", TICKTIME.as_secs().to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    Os(child)
}

/// Starts the peer and waits for its "ready" line.
async fn ready_peer(name: &str, cookie: &str, port: u16) -> (Os, String) {
    let mut os = peer(name, cookie, port);
    let line = first_line(&mut os).await;
    assert_eq!(line, format!("ready {name}@127.0.0.1"));
    (os, format!("{name}@127.0.0.1"))
}

async fn call(node: &Node, peer: &str, request: Term) -> Term {
    node.call(otp_dist::CallTarget::Name("counter", peer), request, WAIT)
        .await
        .unwrap()
}

/// The counter's pid. Right after a stop, the supervisor may not have
/// restarted it yet (`noproc`): asked again, a bounded number of times.
async fn whoami(node: &Node, peer: &str) -> otp_dist::term::ExternalPid {
    for _ in 0..1000 {
        match node
            .call(
                otp_dist::CallTarget::Name("counter", peer),
                Term::atom("whoami"),
                WAIT,
            )
            .await
        {
            Ok(Term::Pid(p)) => return p,
            Err(otp_dist::CallError::Exit(r)) if r.is_atom("noproc") => {
                tokio::task::yield_now().await
            }
            other => panic!("whoami: {other:?}"),
        }
    }
    panic!("the counter was never restarted")
}

fn pair(tag: &str, value: Term) -> Term {
    Term::tuple([Term::atom(tag), value])
}

#[test]
fn r2r_messages_calls_casts_and_timeouts_between_two_os_processes() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        let (_peer, peer) = ready_peer(&unique("b"), COOKIE, port).await;
        let inbox = node.inbox();
        // net_adm:ping's question.
        let auth = node
            .call(
                otp_dist::CallTarget::Name("net_kernel", &peer),
                pair("is_auth", Term::Atom(node.name().clone())),
                WAIT,
            )
            .await
            .unwrap();
        assert!(auth.is_atom("yes"));
        // {Name, Node} ! Msg, answered from the counter's pid.
        let me = node.external(process::self_pid());
        node.send_named("counter", &peer, pair("hello", Term::Pid(me)));
        let hi = next_message(&inbox).await;
        let Some([_, Term::Pid(counter)]) = hi.as_tuple() else {
            panic!("{hi}")
        };
        assert_eq!(counter.node.as_str(), peer);
        // Pid ! Msg, cast, call by name and by pid.
        node.send(counter, pair("add", Term::Int(5)));
        node.send_named(
            "counter",
            &peer,
            Term::tuple([Term::atom("$gen_cast"), pair("add", Term::Int(1))]),
        );
        assert_eq!(call(&node, &peer, Term::atom("get")).await, Term::Int(6));
        let by_pid = node
            .call(otp_dist::CallTarget::Pid(counter), Term::atom("get"), WAIT)
            .await
            .unwrap();
        assert_eq!(by_pid, Term::Int(6));
        // A timed-out call leaves no late reply anywhere.
        let slow = node
            .call(
                otp_dist::CallTarget::Name("counter", &peer),
                pair("sleep", Term::Int(300)),
                std::time::Duration::from_millis(30),
            )
            .await;
        assert!(
            matches!(slow, Err(otp_dist::CallError::Timeout)),
            "{slow:?}"
        );
        assert_eq!(call(&node, &peer, Term::atom("get")).await, Term::Int(6));
        assert!(
            process::receive(&inbox, std::time::Duration::ZERO)
                .await
                .is_err()
        );
        // A missing name is noproc at once; 8 MiB round trips.
        let missing = node
            .call(
                otp_dist::CallTarget::Name("nobody", &peer),
                Term::atom("x"),
                WAIT,
            )
            .await;
        assert!(matches!(&missing, Err(otp_dist::CallError::Exit(r)) if r.is_atom("noproc")));
        let big = Term::Binary(vec![7u8; 8 << 20]);
        assert_eq!(call(&node, &peer, pair("echo", big.clone())).await, big);
    });
}

#[test]
fn r2r_monitors_links_kill_and_restarts_between_two_os_processes() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        let (_peer, peer) = ready_peer(&unique("b"), COOKIE, port).await;
        let inbox = node.inbox();
        // Monitor: DOWN with the real reason; the supervisor restarts it with a new pid.
        let first = whoami(&node, &peer).await;
        let monitor = node.monitor(&first, &inbox).await.unwrap();
        node.send_named(
            "counter",
            &peer,
            Term::tuple([
                Term::atom("$gen_cast"),
                pair("stop", Term::atom("shutdown_test")),
            ]),
        );
        expect_down(&inbox, &monitor, "shutdown_test").await;
        let second = whoami(&node, &peer).await;
        assert_ne!(first, second);

        // Link: the counter's crash reaches a linked Rust process.
        let linker = |target: otp_dist::term::ExternalPid| {
            let node = node.clone();
            async move {
                let (tx, rx) = tokio::sync::oneshot::channel();
                let (_, m) = process::spawn_monitor(async move {
                    node.link(process::self_pid(), &target).await.unwrap();
                    let _ = tx.send(());
                    std::future::pending::<()>().await;
                });
                rx.await.unwrap();
                m
            }
        };
        let m = linker(second.clone()).await;
        node.send(
            &second,
            Term::tuple([Term::atom("$gen_cast"), pair("stop", Term::atom("boom"))]),
        );
        let down = otp_core::process::Selector::new()
            .select_monitor(m, |d| d)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!(down.reason, otp_core::process::ExitReason::abnormal("boom"));

        // exit(Pid, kill) from Rust: the linked Rust process sees killed.
        let third = whoami(&node, &peer).await;
        let m = linker(third.clone()).await;
        node.send_exit(&third, Term::atom("kill"));
        let down = otp_core::process::Selector::new()
            .select_monitor(m, |d| d)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!(down.reason, otp_core::process::ExitReason::Killed);
    });
}

#[test]
fn r2r_monitors_by_name_see_the_real_reason_and_noproc_for_an_unknown_name() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        let (_peer, peer) = ready_peer(&unique("b"), COOKIE, port).await;
        let inbox = node.inbox();
        let by_name = |name: &str| otp_dist::Monitored::Name {
            name: otp_dist::term::Atom::new(name),
            node: otp_dist::term::Atom::new(&peer),
        };
        let missing = node.monitor_name("nobody", &peer, &inbox).await.unwrap();
        match process::receive(&inbox, WAIT).await.unwrap() {
            Incoming::Down {
                monitor,
                process,
                reason,
            } => {
                assert_eq!((monitor, process), (missing, by_name("nobody")));
                assert!(reason.is_atom("noproc"), "{reason}");
            }
            other => panic!("expected a DOWN, got {other:?}"),
        }
        let monitor = node.monitor_name("counter", &peer, &inbox).await.unwrap();
        node.send_named(
            "counter",
            &peer,
            Term::tuple([Term::atom("$gen_cast"), pair("stop", Term::atom("by_name"))]),
        );
        match process::receive(&inbox, WAIT).await.unwrap() {
            Incoming::Down {
                monitor: m,
                process,
                reason,
            } => {
                assert_eq!((m, process), (monitor, by_name("counter")));
                assert!(reason.is_atom("by_name"), "{reason}");
            }
            other => panic!("expected a DOWN, got {other:?}"),
        }
    });
}

#[test]
fn r2r_a_killed_peer_is_noconnection_and_its_restart_has_a_new_creation() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        let name = unique("b");
        let (mut first, peer) = ready_peer(&name, COOKIE, port).await;
        let inbox = node.inbox();
        let old = match call(&node, &peer, Term::atom("whoami")).await {
            Term::Pid(p) => p,
            other => panic!("{other}"),
        };
        let monitor = node.monitor(&old, &inbox).await.unwrap();
        first.kill();
        expect_down(&inbox, &monitor, "noconnection").await;
        let (_second, _) = ready_peer(&name, COOKIE, port).await;
        let new = match call(&node, &peer, Term::atom("whoami")).await {
            Term::Pid(p) => p,
            other => panic!("{other}"),
        };
        assert_ne!(new.creation, old.creation);
        let monitor = node.monitor(&old, &inbox).await.unwrap();
        expect_down(&inbox, &monitor, "noproc").await;
        // A peer with another cookie: a clear error.
        let (_stranger, stranger) = ready_peer(&unique("c"), "another", port).await;
        match node.connect(&stranger).await {
            Err(ConnectError::Handshake(e)) => {
                assert!(matches!(*e, HandshakeError::CookieMismatch { .. }), "{e}")
            }
            other => panic!("expected a cookie mismatch, got {other:?}"),
        }
    });
}

fn stop(node: &Node, peer: &str, reason: &str) {
    node.send_named(
        "counter",
        peer,
        Term::tuple([Term::atom("$gen_cast"), pair("stop", Term::atom(reason))]),
    );
}

/// A process that traps exits, links itself to `target` with
/// `process::link` and sends back the first EXIT it gets.
async fn trapping_linker(target: Pid) -> tokio::sync::oneshot::Receiver<ExitMessage> {
    let (ready_tx, ready) = tokio::sync::oneshot::channel();
    let (exit_tx, exit) = tokio::sync::oneshot::channel();
    process::spawn(async move {
        process::trap_exits(true);
        assert!(process::link(target));
        let _ = ready_tx.send(());
        let got = Selector::new()
            .select_trapped_exits(|e| e)
            .receive(WAIT)
            .await;
        if let Ok(got) = got {
            let _ = exit_tx.send(got);
        }
    });
    ready.await.expect("the linker is ready");
    exit
}

async fn down_of(monitor: otp_core::process::Monitor) -> otp_core::process::Down {
    Selector::new()
        .select_monitor(monitor, |d| d)
        .receive(WAIT)
        .await
        .expect("a DOWN in time")
}

#[test]
fn r2r_process_link_monitor_and_send_exit_take_a_remote_pid() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        let (_peer, peer) = ready_peer(&unique("b"), COOKIE, port).await;

        // A remote pid is a Pid, and maps back to the same ExternalPid.
        let ext = whoami(&node, &peer).await;
        let first = node.pid_of(&ext);
        assert!(!first.is_local());
        assert_eq!(node.external(first), ext);
        assert_eq!(node.pid_of(&node.external(first)), first);
        // A local pid maps to itself.
        let me = process::self_pid();
        assert_eq!(node.pid_of(&node.external(me)), me);

        // process::monitor: the DOWN in the ordinary mailbox, with the real reason.
        let monitor = process::monitor(first);
        stop(&node, &peer, "by_monitor");
        let down = down_of(monitor).await;
        assert_eq!(
            (down.monitor, down.pid, down.reason),
            (monitor, first, ExitReason::abnormal("by_monitor"))
        );
        assert!(!process::demonitor(monitor), "fired already");

        // process::demonitor: no DOWN ever comes for a removed monitor; a
        // later monitor's DOWN does (same connection, in order).
        let second = node.pid_of(&whoami(&node, &peer).await);
        assert_ne!(second, first);
        let removed = process::monitor(second);
        assert!(process::demonitor(removed));
        let kept = process::monitor(second);

        // process::link while trapping exits: the EXIT names the remote pid.
        let exit = trapping_linker(second).await;
        stop(&node, &peer, "by_link");
        let exit = tokio::time::timeout(WAIT, exit).await.unwrap().unwrap();
        assert_eq!(
            (exit.pid, exit.reason),
            (second, ExitReason::abnormal("by_link"))
        );
        assert_eq!(down_of(kept).await.reason, ExitReason::abnormal("by_link"));
        assert!(
            Selector::new()
                .select_monitor(removed, |d| d)
                .receive(std::time::Duration::ZERO)
                .await
                .is_err(),
            "a demonitored DOWN never arrives"
        );

        // A process that does not trap exits dies of the remote crash.
        let third = node.pid_of(&whoami(&node, &peer).await);
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (_, linked) = process::spawn_monitor(async move {
            process::link(third);
            let _ = ready_tx.send(());
            std::future::pending::<()>().await;
        });
        ready.await.unwrap();
        stop(&node, &peer, "boom");
        assert_eq!(down_of(linked).await.reason, ExitReason::abnormal("boom"));

        // process::kill on a remote pid: killed, seen through a link.
        let fourth = node.pid_of(&whoami(&node, &peer).await);
        let exit = trapping_linker(fourth).await;
        process::kill(fourth);
        let exit = tokio::time::timeout(WAIT, exit).await.unwrap().unwrap();
        assert_eq!((exit.pid, exit.reason), (fourth, ExitReason::Killed));

        // process::send_exit with a reason, to an untrapping remote process.
        let fifth = node.pid_of(&whoami(&node, &peer).await);
        let watched = process::monitor(fifth);
        process::send_exit(fifth, ExitReason::abnormal("told_to"));
        assert_eq!(
            down_of(watched).await.reason,
            ExitReason::abnormal("told_to")
        );

        // process::unlink: after it, the remote crash does not reach the
        // process (its DOWN to us comes after the EXIT would have).
        let sixth = node.pid_of(&whoami(&node, &peer).await);
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (survivor, survivor_monitor) = process::spawn_monitor(async move {
            process::link(sixth);
            process::unlink(sixth);
            let _ = ready_tx.send(());
            std::future::pending::<()>().await;
        });
        ready.await.unwrap();
        let watched = process::monitor(sixth);
        stop(&node, &peer, "after_unlink");
        assert_eq!(
            down_of(watched).await.reason,
            ExitReason::abnormal("after_unlink")
        );
        assert!(process::is_alive(survivor));
        process::kill(survivor);
        assert_eq!(down_of(survivor_monitor).await.reason, ExitReason::Killed);
        // is_alive is local-only: false for a remote pid.
        assert!(!process::is_alive(node.pid_of(&whoami(&node, &peer).await)));
    });
}

#[test]
fn r2r_a_killed_peer_is_noconnection_for_process_links_and_monitors_and_old_pids_are_dead() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        let name = unique("b");
        let (mut first, peer) = ready_peer(&name, COOKIE, port).await;
        let old = node.pid_of(&whoami(&node, &peer).await);
        let monitor = process::monitor(old);
        let exit = trapping_linker(old).await;
        // An untrapping linked process dies of noconnection.
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (_, linked) = process::spawn_monitor(async move {
            process::link(old);
            let _ = ready_tx.send(());
            std::future::pending::<()>().await;
        });
        ready.await.unwrap();
        first.kill();
        let down = down_of(monitor).await;
        assert_eq!((down.pid, down.reason), (old, ExitReason::NoConnection));
        let exit = tokio::time::timeout(WAIT, exit).await.unwrap().unwrap();
        assert_eq!((exit.pid, exit.reason), (old, ExitReason::NoConnection));
        assert_eq!(down_of(linked).await.reason, ExitReason::NoConnection);

        // The node comes back with a new creation: the old pid is dead.
        let (_second, _) = ready_peer(&name, COOKIE, port).await;
        let new = node.pid_of(&whoami(&node, &peer).await);
        assert_eq!(new.node(), old.node(), "same node, same index");
        assert_ne!(new.creation(), old.creation());
        let down = down_of(process::monitor(old)).await;
        assert_eq!(down.reason, ExitReason::NoProc);
        let exit = trapping_linker(old).await;
        let exit = tokio::time::timeout(WAIT, exit).await.unwrap().unwrap();
        assert_eq!((exit.pid, exit.reason), (old, ExitReason::NoProc));
        // The new one is alive and monitored as usual.
        let monitor = process::monitor(new);
        stop(&node, &peer, "bye");
        assert_eq!(down_of(monitor).await.reason, ExitReason::abnormal("bye"));
    });
}

#[test]
fn r2r_a_node_that_cannot_be_reached_is_noconnection_at_once() {
    run(WAIT, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("a"), port).await;
        // A pid of a node that EPMD does not know.
        let ghost = node.pid_of(&otp_dist::term::ExternalPid {
            node: otp_dist::term::Atom::new(&format!("{}@127.0.0.1", unique("ghost"))),
            id: 1,
            serial: 0,
            creation: 1,
        });
        let down = down_of(process::monitor(ghost)).await;
        assert_eq!(down.reason, ExitReason::NoConnection);
        let exit = trapping_linker(ghost).await;
        let exit = tokio::time::timeout(WAIT, exit).await.unwrap().unwrap();
        assert_eq!((exit.pid, exit.reason), (ghost, ExitReason::NoConnection));
        // An exit signal to it is dropped, and nothing else happens.
        process::send_exit(ghost, ExitReason::Kill);
        // A pid of this very node that names no process is dead: noproc.
        let mut stale = node.external(process::self_pid());
        stale.creation = stale.creation.wrapping_add(1);
        let stale = node.pid_of(&stale);
        assert!(!stale.is_local());
        assert_eq!(
            down_of(process::monitor(stale)).await.reason,
            ExitReason::NoProc
        );
    });
}

#[test]
fn r2r_with_two_nodes_in_one_os_process_a_link_ends_through_the_node_that_carries_it() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let a = node(&unique("a"), port).await;
        let b = node(&unique("b"), port).await;
        let (_peer, peer) = ready_peer(&unique("c"), COOKIE, port).await;
        // Linked through node a...
        let counter = a.pid_of(&whoami(&a, &peer).await);
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (go_tx, go) = tokio::sync::oneshot::channel::<()>();
        let (_, linked) = process::spawn_monitor(async move {
            process::link(counter);
            let _ = ready_tx.send(());
            let _ = go.await;
            process::exit(ExitReason::abnormal("linked_crash")).await;
        });
        ready.await.unwrap();
        // ...then node b gives out the same pid, and carries new signals.
        let same = b.pid_of(&b.external(counter));
        assert_eq!(same, counter);
        let monitor = process::monitor(counter);
        // A call through b: its connection to the peer is up, and so the
        // monitor (sent before the call's own signals) is in place.
        assert_eq!(call(&b, &peer, Term::atom("get")).await, Term::Int(0));
        go_tx.send(()).unwrap();
        assert_eq!(
            down_of(linked).await.reason,
            ExitReason::abnormal("linked_crash")
        );
        // The crash reached the counter through a's connection.
        assert_eq!(
            down_of(monitor).await.reason,
            ExitReason::abnormal("linked_crash")
        );
    });
}
