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
