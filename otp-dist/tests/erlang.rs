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

/// Starts the Rust node with the exposed counter and an erl node running
/// `dist_peer:F(RustNode)`; returns what it reports (serving restarts).
fn scenario(f: &str) -> Term {
    let f = f.to_owned();
    run(WAIT * 3, async move {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let counter = expose_counter(&node).await;
        let eval = format!("spawn(dist_peer, {f}, ['{}'])", node.name().as_str());
        let _erl = erl(&unique("e"), port, COOKIE, &eval);
        report_restarting(&node, &inbox, &counter).await
    })
}

fn atoms(names: &[&str]) -> Vec<Term> {
    names.iter().map(|n| Term::atom(n)).collect()
}

#[test]
fn s02_a_message_to_a_registered_name_gets_a_reply_from_the_pid() {
    assert_eq!(scenario("echo"), Term::tuple(atoms(&["echo", "ok"])));
}

#[test]
fn s03_a_message_to_the_pid_reaches_the_actor() {
    assert_eq!(
        scenario("pid_send"),
        Term::tuple([Term::atom("true"), Term::Int(5)])
    );
}

#[test]
fn s04_gen_server_call_and_cast_by_name_and_pid_with_every_tag_form() {
    let t = scenario("calls");
    assert_eq!(
        t,
        Term::tuple([
            Term::Int(0),
            Term::Int(6),
            Term::Int(6),
            Term::Int(6),
            Term::atom("timeout"),
            Term::Int(6),
            Term::atom("none"),
        ])
    );
}

#[test]
fn s05_sys_get_state_get_status_suspend_resume() {
    let t = scenario("sys_msgs");
    assert_eq!(
        t,
        Term::tuple([
            Term::from("7"),
            Term::atom("true"),
            Term::atom("rustproc"),
            Term::atom("running"),
            Term::atom("ok"),
            Term::atom("suspended"),
            Term::atom("ok"),
            Term::Int(7),
        ])
    );
}

#[test]
fn s06_monitors_by_pid_and_by_name_see_the_real_reason_and_a_restart_a_new_pid() {
    assert_eq!(
        scenario("monitors"),
        Term::tuple(atoms(&["shutdown_test", "by_name", "true"]))
    );
}

#[test]
fn s07_links_carry_the_crash_reason_and_kill_becomes_killed() {
    assert_eq!(scenario("links"), Term::tuple(atoms(&["boom", "killed"])));
}

#[test]
fn s08_after_unlink_a_crash_sends_no_exit() {
    assert_eq!(scenario("unlink"), Term::tuple(atoms(&["boom", "none"])));
}

#[test]
fn s09_an_unknown_name_is_noproc_at_once() {
    assert_eq!(
        scenario("noproc"),
        Term::tuple(atoms(&["noproc", "noproc"]))
    );
}

#[test]
fn s10_an_8_mib_binary_round_trips() {
    assert_eq!(
        scenario("big"),
        Term::tuple([Term::Int(8 << 20), Term::atom("true")])
    );
}

#[test]
fn s11_an_idle_connection_outlives_twice_the_tick_time() {
    assert_eq!(
        scenario("idle"),
        Term::tuple([Term::atom("up"), Term::Int(0)])
    );
}

#[test]
fn s12_when_the_rust_node_goes_away_erlang_sees_nodedown_and_noconnection() {
    run(WAIT * 3, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        expose_counter(&node).await;
        let eval = format!(
            "spawn(dist_peer, watch_print, ['{}'])",
            node.name().as_str()
        );
        let mut erl = erl_piped(&unique("e"), port, COOKIE, &eval);
        assert!(report(&inbox).await.is_atom("watching"));
        node.stop();
        assert_eq!(
            first_line(&mut erl).await,
            "{nodedown,noconnection,noconnection}"
        );
    });
}

#[test]
fn s13_rust_connects_sends_and_calls_rex_and_a_missing_name() {
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

/// Starts `dist_peer:serve` on a new erl node named `name` and returns its echo pid.
async fn serving(
    inbox: &process::Subject<Incoming>,
    name: &str,
    port: u16,
    rust: &otp_dist::Node,
) -> (Os, otp_dist::term::ExternalPid) {
    let eval = format!("spawn(dist_peer, serve, ['{}'])", rust.name().as_str());
    let erl = erl(name, port, COOKIE, &eval);
    let serving = report(inbox).await;
    match serving.as_tuple() {
        Some([_, Term::Pid(echo)]) => (erl, echo.clone()),
        _ => panic!("unexpected {serving}"),
    }
}

/// A fresh Erlang process running `dist_peer:echo_loop/0`, spawned through rex.
async fn spawn_echo(node: &otp_dist::Node, erl_node: &str) -> otp_dist::term::ExternalPid {
    let request = Term::tuple([
        Term::atom("call"),
        Term::atom("erlang"),
        Term::atom("spawn"),
        Term::list([
            Term::atom("dist_peer"),
            Term::atom("echo_loop"),
            Term::nil(),
        ]),
        Term::atom("user"),
    ]);
    match node
        .call(CallTarget::Name("rex", erl_node), request, WAIT)
        .await
    {
        Ok(Term::Pid(p)) => p,
        other => panic!("rex spawn: {other:?}"),
    }
}

#[test]
fn s13_rust_monitors_links_and_calls_a_user_gen_server() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let (_erl, echo) = serving(&inbox, &unique("e"), port, &node).await;
        let erl_node = echo.node.as_str().to_owned();

        // A call to a user gen_server.
        let added = node
            .call(
                CallTarget::Name("erl_counter", &erl_node),
                Term::tuple([Term::atom("add"), Term::Int(5)]),
                WAIT,
            )
            .await
            .unwrap();
        assert_eq!(added, Term::Int(5));

        // Monitor an Erlang process and see it exit with its reason.
        let target = spawn_echo(&node, &erl_node).await;
        let monitor = node.monitor(&target, &inbox).await.unwrap();
        let me = node.external(process::self_pid());
        node.send(&target, Term::tuple([Term::Pid(me), Term::atom("die")]));
        match process::receive(&inbox, WAIT).await.unwrap() {
            Incoming::Down {
                monitor: m,
                process,
                reason,
            } => {
                assert_eq!(m, monitor);
                assert_eq!(process, otp_dist::Monitored::Pid(target));
                assert!(reason.is_atom("died_on_request"), "{reason}");
            }
            other => panic!("expected a DOWN, got {other:?}"),
        }

        // Link a Rust process to an Erlang one: its exit reaches the Rust process.
        let linked = spawn_echo(&node, &erl_node).await;
        let rust_side = node.clone();
        let target = linked.clone();
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (child, child_monitor) = process::spawn_monitor(async move {
            rust_side.link(process::self_pid(), &target).await.unwrap();
            let _ = ready_tx.send(());
            std::future::pending::<()>().await;
        });
        ready.await.unwrap();
        let _ = child;
        node.send(
            &linked,
            Term::tuple([
                Term::Pid(node.external(process::self_pid())),
                Term::atom("die"),
            ]),
        );
        let down = process::Selector::new()
            .select_monitor(child_monitor, |d| d)
            .receive(WAIT)
            .await
            .unwrap();
        assert_eq!(
            down.reason,
            otp_core::process::ExitReason::abnormal("died_on_request")
        );
        let _ = echo;
    });
}

#[test]
fn s13_rust_monitors_an_erlang_process_by_name() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let (_erl, echo) = serving(&inbox, &unique("e"), port, &node).await;
        let erl_node = echo.node.clone();

        // An unknown name: noproc, naming {Name, Node}.
        let missing = node
            .monitor_name("nobody_here", erl_node.as_str(), &inbox)
            .await
            .unwrap();
        match process::receive(&inbox, WAIT).await.unwrap() {
            Incoming::Down {
                monitor,
                process,
                reason,
            } => {
                assert_eq!(monitor, missing);
                assert_eq!(
                    process,
                    otp_dist::Monitored::Name {
                        name: otp_dist::term::Atom::new("nobody_here"),
                        node: erl_node.clone()
                    }
                );
                assert!(reason.is_atom("noproc"), "{reason}");
            }
            other => panic!("expected a DOWN, got {other:?}"),
        }

        // The registered echo process exits: DOWN with its real reason.
        let monitor = node
            .monitor_name("echo", erl_node.as_str(), &inbox)
            .await
            .unwrap();
        let me = node.external(process::self_pid());
        node.send_named(
            "echo",
            erl_node.as_str(),
            Term::tuple([Term::Pid(me), Term::atom("die")]),
        );
        match process::receive(&inbox, WAIT).await.unwrap() {
            Incoming::Down {
                monitor: m,
                process,
                reason,
            } => {
                assert_eq!(m, monitor);
                assert_eq!(
                    process,
                    otp_dist::Monitored::Name {
                        name: otp_dist::term::Atom::new("echo"),
                        node: erl_node.clone()
                    }
                );
                assert!(reason.is_atom("died_on_request"), "{reason}");
            }
            other => panic!("expected a DOWN, got {other:?}"),
        }
    });
}

#[test]
fn s12b_rust_declares_a_silent_erlang_node_down() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let (erl, echo) = serving(&inbox, &unique("e"), port, &node).await;
        let monitor = node.monitor(&echo, &inbox).await.unwrap();
        // Freeze the Erlang node: it stops ticking without closing anything.
        let pid = erl.0.id().to_string();
        let stopped = std::process::Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .unwrap();
        assert!(stopped.success());
        expect_down(&inbox, &monitor, "noconnection").await;
        assert!(node.nodes().is_empty());
        drop(erl); // SIGKILL ends a stopped process too
    });
}

#[test]
fn s15_a_restarted_erlang_node_is_reconnected_and_its_old_pids_are_dead() {
    run(WAIT * 3, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let events = process::Subject::new();
        node.monitor_nodes(events.clone());
        let name = unique("e");
        let (mut first, old_echo) = serving(&inbox, &name, port, &node).await;
        assert!(matches!(
            process::receive(&events, WAIT).await.unwrap(),
            otp_dist::NodeEvent::Up(_)
        ));
        first.kill();
        assert_eq!(
            process::receive(&events, WAIT).await.unwrap(),
            otp_dist::NodeEvent::Down(old_echo.node.clone())
        );
        // The node comes back under the same name, with a new creation.
        let (_second, new_echo) = serving(&inbox, &name, port, &node).await;
        assert_eq!(new_echo.node, old_echo.node);
        assert_ne!(new_echo.creation, old_echo.creation);
        // A pid of the old incarnation names no process.
        let monitor = node.monitor(&old_echo, &inbox).await.unwrap();
        expect_down(&inbox, &monitor, "noproc").await;
    });
}

#[test]
fn s16_a_visible_node_is_in_nodes_and_stays_connected() {
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = otp_dist::Node::builder(&format!("{}@127.0.0.1", unique("r")))
            .cookie(COOKIE)
            .net_ticktime(TICKTIME)
            .epmd_port(port)
            .visible()
            .start()
            .await
            .unwrap();
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let eval = format!("spawn(dist_peer, visible, ['{}'])", node.name().as_str());
        let _erl = erl(&unique("e"), port, COOKIE, &eval);
        assert_eq!(
            report(&inbox).await,
            Term::tuple([Term::atom("true"), Term::atom("up")])
        );
    });
}

#[test]
fn s16_a_visible_node_stays_connected_through_global_sync_for_over_a_minute() {
    run(WAIT * 4, async {
        let (_epmd, port) = epmd();
        let node = otp_dist::Node::builder(&format!("{}@127.0.0.1", unique("r")))
            .cookie(COOKIE)
            .net_ticktime(TICKTIME)
            .epmd_port(port)
            .visible()
            .start()
            .await
            .unwrap();
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let eval = format!(
            "spawn(dist_peer, visible_long, ['{}'])",
            node.name().as_str()
        );
        let _erl = erl(&unique("e"), port, COOKIE, &eval);
        let what = process::receive(&inbox, WAIT * 3)
            .await
            .expect("a report in time");
        let Incoming::Message(msg) = what else {
            panic!("{what:?}")
        };
        // Listed in nodes(), still up after 65 s, and global keeps working;
        // global:sync() does not return while the Rust node is visible (the
        // node does not run global's sync protocol: see the README).
        assert_eq!(
            msg.as_tuple().map(|t| t[2].clone()),
            Some(Term::tuple([
                Term::atom("true"),
                Term::atom("up"),
                Term::atom("not_returned"),
                Term::atom("true")
            ]))
        );
    });
}

mod typed {
    //! Typed messages between an Erlang node and a Rust actor.
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize)]
    enum Ask {
        GetCount,
        Add(i64),
        Double(i128),
        Rename { new: String, old: Option<String> },
        Describe(Point),
        WhoamiFor(otp_dist::term::ExternalPid),
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Point {
        x: i64,
        y: f64,
        tags: Vec<Colour>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    enum Colour {
        Red,
        Blue,
    }

    #[derive(Debug, Serialize)]
    enum Answer {
        Count(i64),
        Doubled(i128),
        Renamed { from: Option<String>, to: String },
        Described(String, Point),
        YouAre(otp_dist::term::ExternalPid),
    }

    #[derive(Serialize)]
    enum ErlCounter {
        Add(i64),
    }

    #[test]
    fn erlang_sends_terms_that_decode_into_rust_types_and_gets_typed_replies() {
        let what = run(WAIT * 3, async {
            let (_epmd, port) = epmd();
            let node = node(&unique("r"), port).await;
            let inbox = node.inbox();
            node.register("harness", inbox.owner());
            let name = otp_core::process::Name::new("typed_counter");
            start_counter(&name).await;
            let counter = name.clone();
            node.expose_typed("typed", name, move |request: otp_dist::Request<Ask>| {
                let counter = counter.subject();
                async move {
                    use otp_dist::Request::{Call, Cast, Info};
                    match request {
                        Call(Ask::GetCount) => {
                            let n = process::call(&counter, WAIT, CounterMsg::Get).await.ok()?;
                            Some(Answer::Count(n))
                        }
                        Cast(Ask::Add(k)) | Info(Ask::Add(k)) => {
                            counter.send(CounterMsg::Add(k));
                            None
                        }
                        Call(Ask::Double(n)) => Some(Answer::Doubled(2 * n)),
                        Call(Ask::Rename { new, old }) => {
                            Some(Answer::Renamed { from: old, to: new })
                        }
                        Call(Ask::Describe(p)) => {
                            Some(Answer::Described(format!("{} tags", p.tags.len()), p))
                        }
                        Call(Ask::WhoamiFor(pid)) => Some(Answer::YouAre(pid)),
                        _ => None,
                    }
                }
            })
            .await;
            let eval = format!("spawn(dist_peer, typed, ['{}'])", node.name().as_str());
            let _erl = erl(&unique("e"), port, COOKIE, &eval);
            report(&inbox).await
        });
        let big = otp_dist::term::BigInt::term_from_i128(200_000_000_000_000_000_000);
        let expected = Term::tuple([
            Term::tuple([Term::atom("count"), Term::Int(0)]),
            Term::tuple([Term::atom("count"), Term::Int(6)]),
            Term::tuple([Term::atom("doubled"), big]),
            Term::tuple([
                Term::atom("renamed"),
                Term::atom("undefined"),
                Term::from("bob"),
            ]),
            Term::tuple([
                Term::atom("renamed"),
                Term::from("bob"),
                Term::from("alice"),
            ]),
            Term::tuple([
                Term::atom("described"),
                Term::from("2 tags"),
                Term::map([
                    (Term::atom("x"), Term::Int(1)),
                    (Term::atom("y"), Term::Float(2.5)),
                    (
                        Term::atom("tags"),
                        Term::list([Term::atom("red"), Term::atom("blue")]),
                    ),
                ]),
            ]),
            Term::atom("true"),
            Term::tuple([
                Term::atom("error"),
                Term::tuple([
                    Term::atom("badarg"),
                    Term::tuple([Term::atom("add"), Term::from("five")]),
                ]),
            ]),
            Term::tuple([Term::atom("count"), Term::Int(6)]),
        ]);
        assert_eq!(what, expected);
    }

    #[test]
    fn rust_calls_an_erlang_gen_server_with_typed_messages() {
        run(WAIT * 2, async {
            let (_epmd, port) = epmd();
            let node = node(&unique("r"), port).await;
            let inbox = node.inbox();
            node.register("harness", inbox.owner());
            let (_erl, echo) = serving(&inbox, &unique("e"), port, &node).await;
            let erl_node = echo.node.as_str().to_owned();
            let to = CallTarget::Name("erl_counter", &erl_node);
            let total: i64 = node
                .call_typed(to, &ErlCounter::Add(5), WAIT)
                .await
                .unwrap();
            assert_eq!(total, 5);
            // A reply that does not fit the type asked for is a typed error that keeps it.
            let wrong = node
                .call_typed::<_, String>(to, &ErlCounter::Add(2), WAIT)
                .await;
            match wrong {
                Err(otp_dist::CallError::Decode { reply, .. }) => assert_eq!(reply, Term::Int(7)),
                other => panic!("expected a decode error, got {other:?}"),
            }
        });
    }
}

#[test]
fn s17_elixir_gen_server_call_cast_and_sys_work_the_same_way() {
    let what = run(WAIT * 3, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        expose_counter(&node).await;
        let code = format!(
            r#"rust = :"{}"
server = {{:rustproc, rust}}
c0 = GenServer.call(server, :get_count)
GenServer.cast(server, {{:add, 4}})
pid = GenServer.call(server, :whoami, :infinity)
c1 = GenServer.call(pid, :get_count)
state = :sys.get_state(server)
ref = Process.monitor(server)
GenServer.cast(server, {{:stop, :from_elixir}})
down = receive do
  {{:DOWN, ^ref, :process, {{:rustproc, ^rust}}, why}} -> why
after 10_000 -> :timeout
end
send({{:harness, rust}}, {{:report, node(), {{c0, c1, node(pid) == rust, state, down}}}})"#,
            node.name().as_str()
        );
        let _elixir = elixir(&unique("x"), port, COOKIE, &code);
        report(&inbox).await
    });
    assert_eq!(
        what,
        Term::tuple([
            Term::Int(0),
            Term::Int(4),
            Term::atom("true"),
            Term::from("4"),
            Term::atom("from_elixir"),
        ])
    );
}

/// A process that traps exits, optionally links itself to `target` with
/// `process::link`, and sends back the first EXIT it gets; returns its pid.
async fn trapping(
    target: Option<process::Pid>,
) -> (
    process::Pid,
    tokio::sync::oneshot::Receiver<process::ExitMessage>,
) {
    let (ready_tx, ready) = tokio::sync::oneshot::channel();
    let (exit_tx, exit) = tokio::sync::oneshot::channel();
    let pid = process::spawn(async move {
        process::trap_exits(true);
        if let Some(target) = target {
            assert!(process::link(target));
        }
        let _ = ready_tx.send(());
        let got = process::Selector::new()
            .select_trapped_exits(|e| e)
            .receive(WAIT)
            .await;
        if let Ok(got) = got {
            let _ = exit_tx.send(got);
        }
    });
    ready.await.expect("the process is ready");
    (pid, exit)
}

async fn down_of(monitor: process::Monitor) -> process::Down {
    process::Selector::new()
        .select_monitor(monitor, |d| d)
        .receive(WAIT)
        .await
        .expect("a DOWN in time")
}

async fn exit_of(
    exit: tokio::sync::oneshot::Receiver<process::ExitMessage>,
) -> process::ExitMessage {
    tokio::time::timeout(WAIT, exit)
        .await
        .expect("an EXIT in time")
        .expect("the process sent it")
}

/// `{Me, Msg}` to an echo process.
fn to_echo(node: &otp_dist::Node, echo: process::Pid, msg: Term) {
    let me = node.external(process::self_pid());
    node.send_to(echo, Term::tuple([Term::Pid(me), msg]));
}

#[test]
fn s18_process_link_monitor_and_send_exit_on_erlang_pids_behave_as_in_erlang() {
    use otp_core::process::ExitReason;
    run(WAIT * 2, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let (_erl, echo) = serving(&inbox, &unique("e"), port, &node).await;
        let erl_node = echo.node.as_str().to_owned();
        let erlang_pid = |ext: &otp_dist::term::ExternalPid| {
            let pid = node.pid_of(ext);
            assert!(!pid.is_local());
            assert_eq!(node.external(pid), *ext);
            pid
        };

        // process::monitor: the DOWN names the Erlang pid, with its reason.
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let monitor = process::monitor(target);
        to_echo(&node, target, Term::atom("die"));
        let down = down_of(monitor).await;
        assert_eq!(
            (down.monitor, down.pid, down.reason),
            (monitor, target, ExitReason::abnormal("died_on_request"))
        );
        // A dead Erlang pid: noproc.
        let down = down_of(process::monitor(target)).await;
        assert_eq!(down.reason, ExitReason::NoProc);
        let (_, exit) = trapping(Some(target)).await;
        assert_eq!(exit_of(exit).await.reason, ExitReason::NoProc);

        // process::link while trapping: {'EXIT', ErlangPid, Reason}.
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let (_, exit) = trapping(Some(target)).await;
        to_echo(&node, target, Term::atom("die"));
        let exit = exit_of(exit).await;
        assert_eq!(
            (exit.pid, exit.reason),
            (target, ExitReason::abnormal("died_on_request"))
        );

        // An untrapping Rust process linked to an Erlang one dies with it,
        // and one that unlinked first does not.
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (_, linked) = process::spawn_monitor(async move {
            process::link(target);
            let _ = ready_tx.send(());
            std::future::pending::<()>().await;
        });
        ready.await.unwrap();
        let (ready_tx, ready) = tokio::sync::oneshot::channel();
        let (survivor, survivor_down) = process::spawn_monitor(async move {
            process::link(target);
            process::unlink(target);
            let _ = ready_tx.send(());
            std::future::pending::<()>().await;
        });
        ready.await.unwrap();
        let watched = process::monitor(target);
        to_echo(&node, target, Term::atom("die"));
        assert_eq!(
            down_of(linked).await.reason,
            ExitReason::abnormal("died_on_request")
        );
        // The DOWN comes after the EXIT would have reached the survivor.
        assert_eq!(
            down_of(watched).await.reason,
            ExitReason::abnormal("died_on_request")
        );
        assert!(process::is_alive(survivor));
        process::kill(survivor);
        assert_eq!(down_of(survivor_down).await.reason, ExitReason::Killed);

        // process::kill: killed; process::send_exit: the reason, and a
        // `normal` one is ignored by a process that does not trap exits.
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let monitor = process::monitor(target);
        process::send_exit(target, ExitReason::Normal);
        to_echo(&node, target, Term::atom("still_there"));
        assert_eq!(
            next_message(&inbox).await,
            Term::tuple([
                Term::atom("echoed"),
                Term::atom("still_there"),
                Term::Atom(echo.node.clone())
            ])
        );
        process::kill(target);
        assert_eq!(down_of(monitor).await.reason, ExitReason::Killed);
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let monitor = process::monitor(target);
        process::send_exit(target, ExitReason::abnormal("told_to"));
        assert_eq!(
            down_of(monitor).await.reason,
            ExitReason::abnormal("told_to")
        );
        // process::demonitor: no DOWN for a removed monitor.
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let removed = process::monitor(target);
        assert!(process::demonitor(removed));
        let kept = process::monitor(target);
        to_echo(&node, target, Term::atom("die"));
        assert_eq!(
            down_of(kept).await.reason,
            ExitReason::abnormal("died_on_request")
        );
        assert!(
            process::Selector::new()
                .select_monitor(removed, |d| d)
                .receive(std::time::Duration::ZERO)
                .await
                .is_err()
        );

        // Erlang's exit(RustPid, Reason) and link(RustPid) to a trapping Rust
        // process: the EXIT names the Erlang pid (no helper in between).
        let (rust, exit) = trapping(None).await;
        let rust_ext = Term::Pid(node.external(rust));
        to_echo(
            &node,
            node.pid_of(&echo),
            Term::tuple([Term::atom("exit"), rust_ext.clone(), Term::atom("go_away")]),
        );
        let exit = exit_of(exit).await;
        assert_eq!(
            (exit.pid, exit.reason),
            (node.pid_of(&echo), ExitReason::abnormal("go_away"))
        );
        let target = erlang_pid(&spawn_echo(&node, &erl_node).await);
        let (rust, exit) = trapping(None).await;
        to_echo(
            &node,
            target,
            Term::tuple([
                Term::atom("link_and_die"),
                Term::Pid(node.external(rust)),
                Term::atom("linked_death"),
            ]),
        );
        let exit = exit_of(exit).await;
        assert_eq!(
            (exit.pid, exit.reason),
            (target, ExitReason::abnormal("linked_death"))
        );
    });
}

#[test]
fn s19_process_links_and_monitors_see_noconnection_and_old_creation_pids_are_dead() {
    use otp_core::process::ExitReason;
    run(WAIT * 3, async {
        let (_epmd, port) = epmd();
        let node = node(&unique("r"), port).await;
        let inbox = node.inbox();
        node.register("harness", inbox.owner());
        let name = unique("e");
        let (mut first, old_echo) = serving(&inbox, &name, port, &node).await;
        let old = node.pid_of(&old_echo);
        let monitor = process::monitor(old);
        let (_, exit) = trapping(Some(old)).await;
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
        let exit = exit_of(exit).await;
        assert_eq!((exit.pid, exit.reason), (old, ExitReason::NoConnection));
        assert_eq!(down_of(linked).await.reason, ExitReason::NoConnection);

        // The node comes back under the same name, with a new creation.
        let (_second, new_echo) = serving(&inbox, &name, port, &node).await;
        let new = node.pid_of(&new_echo);
        assert_eq!(new.node(), old.node());
        assert_ne!(new.creation(), old.creation());
        assert_eq!(
            down_of(process::monitor(old)).await.reason,
            ExitReason::NoProc
        );
        let (_, exit) = trapping(Some(old)).await;
        assert_eq!(exit_of(exit).await.reason, ExitReason::NoProc);
        // The new echo is alive: monitored, it goes down with its reason.
        let monitor = process::monitor(new);
        to_echo(&node, new, Term::atom("die"));
        assert_eq!(
            down_of(monitor).await.reason,
            ExitReason::abnormal("died_on_request")
        );
    });
}
