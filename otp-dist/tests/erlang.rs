//! Interoperability with real Erlang nodes (OTP 25+) on loopback: the acceptance
//! scenarios of `shared/research/erlang_dist.md`. Each test starts its own EPMD
//! and `erl` nodes and kills them by pid when it ends.

mod support;

use otp_core::process;
use otp_dist::handshake::HandshakeError;
use otp_dist::term::Term;
use otp_dist::{CallTarget, ConnectError, Incoming};
use support::*;

/// Starts a Rust node with a `harness` inbox and an `erl` node running
/// `dist_peer:F(RustNode)`; returns the node, the inbox and the erl process.
async fn setup(
    scenario: &str,
    cookie: &str,
) -> (otp_dist::Node, process::Subject<Incoming>, Os, Os) {
    let (epmd, port) = epmd();
    let node = node(&unique("r"), port).await;
    let inbox = node.inbox();
    node.register("harness", inbox.owner());
    let eval = format!("spawn(dist_peer, {scenario}, ['{}'])", node.name().as_str());
    let erl = erl(&unique("e"), port, cookie, &eval);
    (node, inbox, erl, epmd)
}

#[test]
fn s01_ping_answers_pong_and_the_node_is_hidden() {
    run(WAIT * 2, async {
        let (_node, inbox, _erl, _epmd) = setup("ping", COOKIE).await;
        let what = report(&inbox).await;
        assert_eq!(
            what,
            Term::tuple([Term::atom("pong"), Term::atom("true"), Term::atom("false")])
        );
    });
}

#[test]
fn s02_a_message_to_a_registered_name_gets_a_reply_from_the_pid() {
    run(WAIT * 2, async {
        let (node, inbox, _erl, _epmd) = setup("echo", COOKIE).await;
        // The Rust process `rustproc` answers {hello, From} with {hi, self()}.
        let responder = node.clone();
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        process::spawn(async move {
            let inbox = responder.inbox();
            responder.register("rustproc", inbox.owner());
            let _ = ready_tx.send(());
            if let Ok(Incoming::Message(msg)) = process::receive(&inbox, WAIT).await {
                if let Some([hello, Term::Pid(from)]) = msg.as_tuple() {
                    assert!(hello.is_atom("hello"));
                    let me = responder.external(process::self_pid());
                    responder.send(from, Term::tuple([Term::atom("hi"), Term::Pid(me)]));
                }
            }
        });
        ready.await.unwrap();
        let what = report(&inbox).await;
        assert_eq!(what, Term::tuple([Term::atom("echo"), Term::atom("ok")]));
    });
}

#[test]
fn s13_rust_connects_sends_and_calls_rex() {
    run(WAIT * 2, async {
        let (node, inbox, _erl, _epmd) = setup("serve", COOKIE).await;
        let serving = report(&inbox).await;
        let Some([_, Term::Pid(echo)]) = serving.as_tuple() else {
            panic!("unexpected {serving}")
        };
        let erl_node = echo.node.clone();
        // REG_SEND to an Erlang process and its reply.
        let me = node.external(process::self_pid());
        node.send_named(
            "echo",
            erl_node.as_str(),
            Term::tuple([Term::Pid(me), Term::atom("ping")]),
        );
        let echoed = next_message(&inbox).await;
        assert_eq!(
            echoed,
            Term::tuple([
                Term::atom("echoed"),
                Term::atom("ping"),
                Term::Atom(erl_node.clone())
            ])
        );
        // A gen_server call to rex: rpc:call(Node, erlang, system_info, [otp_release]).
        let request = Term::tuple([
            Term::atom("call"),
            Term::atom("erlang"),
            Term::atom("system_info"),
            Term::list([Term::atom("otp_release")]),
            Term::atom("user"),
        ]);
        let release = node
            .call(CallTarget::Name("rex", erl_node.as_str()), request, WAIT)
            .await
            .unwrap();
        assert!(
            matches!(release, Term::List(ref digits) if !digits.is_empty()),
            "{release}"
        );
        // A call to a name nobody holds is `noproc` at once, not a timeout.
        let missing = node
            .call(
                CallTarget::Name("nobody_here", erl_node.as_str()),
                Term::atom("x"),
                WAIT,
            )
            .await;
        assert!(
            matches!(&missing, Err(otp_dist::CallError::Exit(r)) if r.is_atom("noproc")),
            "{missing:?}"
        );
    });
}

#[test]
fn s14_a_wrong_cookie_is_refused_on_both_sides() {
    run(WAIT * 2, async {
        let (_epmd, port) = support::epmd();
        let node = support::node(&unique("r"), port).await;
        // Erlang with another cookie pings us: pang.
        let eval = format!(
            "io:format(\"~p~n\", [net_adm:ping('{}')])",
            node.name().as_str()
        );
        let mut pinger = erl_piped(&unique("e"), port, "not_the_cookie", &eval);
        assert_eq!(first_line(&mut pinger).await, "pang");

        // We connect to an Erlang node with another cookie: a clear error.
        let name = unique("e");
        let _erl = erl(&name, port, "not_the_cookie", "ok");
        registered(port, &name).await;
        match node.connect(&format!("{name}@127.0.0.1")).await {
            Err(ConnectError::Handshake(e)) => {
                assert!(matches!(*e, HandshakeError::CookieMismatch { .. }), "{e}");
                assert!(e.to_string().contains("cookies differ"));
            }
            other => panic!("expected a cookie mismatch, got {other:?}"),
        }
        assert!(node.nodes().is_empty());
    });
}
