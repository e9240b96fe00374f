//! Two Rust nodes, no Erlang: the built-in EPMD registry, the handshake both
//! ways, messages and calls.

mod support;

use otp_core::process;
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
        let whoami = |node: Node, peer: String| async move {
            match call(&node, &peer, Term::atom("whoami")).await {
                Term::Pid(p) => p,
                other => panic!("{other}"),
            }
        };
        // Monitor: DOWN with the real reason; the supervisor restarts it with a new pid.
        let first = whoami(node.clone(), peer.clone()).await;
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
        let second = whoami(node.clone(), peer.clone()).await;
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
        let third = whoami(node.clone(), peer.clone()).await;
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
