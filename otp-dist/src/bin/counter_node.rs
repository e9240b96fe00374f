//! A Rust node with a supervised counter that Erlang (or another Rust node)
//! calls with `gen_server:call/2`.
//!
//! Terminal 1 (EPMD starts with the first `erl`, or this node runs a built-in one):
//! ```text
//! cargo run -p otp-dist --bin counter_node -- counter@127.0.0.1 secret
//! ```
//! Terminal 2:
//! ```text
//! erl -name e@127.0.0.1 -setcookie secret
//! 1> net_adm:ping('counter@127.0.0.1').
//! pong
//! 2> gen_server:call({counter, 'counter@127.0.0.1'}, {add, 5}).
//! 5
//! 3> gen_server:call({counter, 'counter@127.0.0.1'}, get).
//! 5
//! 4> sys:get_state({counter, 'counter@127.0.0.1'}).
//! <<"5">>
//! ```
//! With a third argument naming an Erlang node, the Rust node also calls that
//! node's `rex` (an Erlang process) and prints its OTP release:
//! ```text
//! cargo run -p otp-dist --bin counter_node -- counter@127.0.0.1 secret e@127.0.0.1
//! ```
//!
//! The counter answers calls `get`, `{add, N}`, `whoami`, `{echo, T}` and
//! `{sleep, Ms}`; casts `{add, N}` and `{stop, Reason}`; the message
//! `{hello, Pid}` (answered with `{hi, CounterPid}`). A stopped counter is
//! restarted by its supervisor, with a new pid.

use std::time::Duration;

use otp_core::actor::{self, Next};
use otp_core::process::{self, ExitReason, Name, Subject};
use otp_core::supervisor::{self, ChildSpec, Strategy};
use otp_dist::term::Term;
use otp_dist::{CallTarget, Node, Request};

#[derive(Debug)]
enum Msg {
    Add(i64),
    Get(Subject<i64>),
    Stop(ExitReason),
}

const TIMEOUT: Duration = Duration::from_secs(5);

fn counter(name: Name<Msg>) -> ChildSpec {
    ChildSpec::worker("counter", move || {
        actor::new(0i64)
            .named(name.clone())
            .debug_state()
            .on_message(|n, msg| match msg {
                Msg::Add(k) => Next::Continue(n + k),
                Msg::Get(reply) => {
                    reply.send(n);
                    Next::Continue(n)
                }
                Msg::Stop(reason) => Next::Stop(n, reason),
            })
            .start()
    })
}

/// Translates what Erlang sends into the counter's typed messages.
async fn handle(node: Node, name: Name<Msg>, request: Request) -> Option<Term> {
    let counter = name.subject();
    let pair = |t: &Term| match t.as_tuple() {
        Some([tag, value]) => Some((tag.as_atom()?.to_owned(), value.clone())),
        _ => None,
    };
    match request {
        Request::Call(t) if t.is_atom("get") => Some(Term::Int(
            process::call(&counter, TIMEOUT, Msg::Get).await.ok()?,
        )),
        Request::Call(t) if t.is_atom("whoami") => {
            let pid = process::whereis(&name)?;
            Some(Term::Pid(node.external(pid)))
        }
        Request::Call(t) => match pair(&t) {
            Some((tag, Term::Int(k))) if tag == "add" => {
                counter.send(Msg::Add(k));
                Some(Term::Int(
                    process::call(&counter, TIMEOUT, Msg::Get).await.ok()?,
                ))
            }
            Some((tag, value)) if tag == "echo" => Some(value),
            Some((tag, Term::Int(ms))) if tag == "sleep" => {
                tokio::time::sleep(Duration::from_millis(ms.max(0) as u64)).await;
                Some(Term::atom("slept"))
            }
            _ => Some(Term::tuple([Term::atom("error"), Term::atom("badarg")])),
        },
        Request::Cast(t) | Request::Info(t) => {
            match pair(&t) {
                Some((tag, Term::Int(k))) if tag == "add" => counter.send(Msg::Add(k)),
                Some((tag, reason)) if tag == "stop" => {
                    counter.send(Msg::Stop(otp_dist::reason::from_term(&reason)))
                }
                Some((tag, Term::Pid(from))) if tag == "hello" => {
                    let me = node.external(process::whereis(&name)?);
                    node.send(&from, Term::tuple([Term::atom("hi"), Term::Pid(me)]));
                }
                _ => {}
            }
            None
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(cookie)) = (args.first().cloned(), args.get(1).cloned()) else {
        eprintln!("usage: counter_node NAME@HOST COOKIE [ERLANG_NODE]");
        std::process::exit(2);
    };
    let erlang = args.get(2).cloned();
    let ticktime = std::env::var("NET_TICKTIME")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(60);
    otp_core::runtime::block_on(async move {
        let node = Node::builder(&name)
            .cookie(&cookie)
            .net_ticktime(Duration::from_secs(ticktime))
            .start()
            .await
            .unwrap_or_else(|e| panic!("cannot start the node: {e}"));
        let counter_name = Name::new("counter");
        let _tree = supervisor::new(Strategy::OneForOne)
            .intensity(100)
            .add(counter(counter_name.clone()))
            .start()
            .await
            .expect("the supervisor starts");
        let (n, c) = (node.clone(), counter_name.clone());
        node.expose("counter", counter_name, move |request| {
            handle(n.clone(), c.clone(), request)
        })
        .await;
        println!("ready {}", node.name().as_str());
        if let Some(erlang) = erlang {
            let request = Term::tuple([
                Term::atom("call"),
                Term::atom("erlang"),
                Term::atom("system_info"),
                Term::list([Term::atom("otp_release")]),
                Term::atom("user"),
            ]);
            match node
                .call(CallTarget::Name("rex", &erlang), request, TIMEOUT)
                .await
            {
                Ok(release) => println!("{erlang} runs OTP {release}"),
                Err(e) => println!("calling {erlang} failed: {e}"),
            }
        }
        std::future::pending::<()>().await;
    })
    .expect("the runtime starts");
}
