//! The distribution rows: remote ping-pong and remote `gen_server` calls
//! between two nodes that are two OS processes on this machine, for each pair
//! of Rust (otp-dist) and Erlang/OTP client and server.
//!
//! Each cell starts a private EPMD (Erlang's `epmd` when installed, else the
//! Rust server's built-in registry), a server node (this binary with
//! `--dist-serve`, or `erl` running `erlang/bench_dist.erl`), then a client
//! node (`--dist-client`, or `erl`) that prints the rate it measured over its
//! whole loop after a warm-up of 1,000 operations; the server and EPMD are
//! killed by their pid afterwards.
//!
//! - ping: the client sends `{Self, I}` to `{echo, Server}` and waits for `I`
//!   before the next one (one round trip in flight).
//! - calls: 8 client processes share the calls, `gen_server:call({calls,
//!   Server}, I)`, the server replying with the request.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use otp_core::process::{self, Subject};
use otp_dist::term::Term;
use otp_dist::{CallTarget, Incoming, Node, Request};

const COOKIE: &str = "otp_bench_dist";
const CLIENTS: u64 = 8;
const WARM_UP: u64 = 1000;

/// A distribution scenario: name, title, unit, full size, quick size.
pub struct DistScenario {
    pub name: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub full: u64,
    pub quick: u64,
}

pub const SCENARIOS: &[DistScenario] = &[
    DistScenario {
        name: "ping",
        title: "remote ping-pong, one round trip in flight",
        unit: "round trips/s",
        full: 100_000,
        quick: 10_000,
    },
    DistScenario {
        name: "calls",
        title: "remote gen_server calls, 8 caller processes",
        unit: "calls/s",
        full: 200_000,
        quick: 20_000,
    },
];

/// (client, server) pairs, the table's columns.
pub const PAIRS: &[(&str, &str)] = &[
    ("rust", "rust"),
    ("rust", "erlang"),
    ("erlang", "rust"),
    ("erlang", "erlang"),
];

/// An OS process this benchmark started, killed by its pid when dropped.
struct Os(Child);

impl Drop for Os {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Erlang's epmd on a private port, if installed.
fn epmd() -> Option<(Os, u16)> {
    let port = free_port();
    let child = Command::new("epmd")
        .args(["-address", "127.0.0.1", "-port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let os = Os(child);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some((os, port));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    None
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}{}_{}@127.0.0.1",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn erl(name: &str, epmd_port: u16, eval: &str, stdout: Stdio) -> Option<Child> {
    let dir = crate::erlang::compiled()?;
    Command::new("erl")
        .args(["-name", name, "-setcookie", COOKIE, "-start_epmd", "false"])
        .arg("-noshell")
        .arg("-pa")
        .arg(dir)
        .args(["-eval", eval])
        .env("ERL_EPMD_PORT", epmd_port.to_string())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .ok()
}

/// One cell: the client's figure, none if something failed.
pub fn cell(scenario: &str, client: &str, server: &str, size: u64) -> Option<f64> {
    let exe = std::env::current_exe().ok()?;
    // Without epmd, the Rust server runs the built-in registry on this port.
    let (_epmd, port) = match epmd() {
        Some((os, port)) => (Some(os), port),
        None if client == "rust" && server == "rust" => (None, free_port()),
        None => return None,
    };
    let server_name = unique("bs");
    let child = match server {
        "rust" => Command::new(&exe)
            .args(["--dist-serve", &server_name, &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?,
        _ => erl(&server_name, port, "bench_dist:serve().", Stdio::piped())?,
    };
    let mut server_os = Os(child);
    // Wait for "ready".
    let stdout = server_os.0.stdout.take()?;
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).ok()?;
    if line.trim() != "ready" {
        return None;
    }
    let output = match client {
        "rust" => Command::new(&exe)
            .args([
                "--dist-client",
                scenario,
                &server_name,
                &port.to_string(),
                &size.to_string(),
            ])
            .stderr(Stdio::null())
            .output()
            .ok()?,
        _ => {
            let eval = format!("bench_dist:client({scenario}, '{server_name}', {size}), halt().");
            erl(&unique("bc"), port, &eval, Stdio::piped())?
                .wait_with_output()
                .ok()?
        }
    };
    crate::measure::figures(&String::from_utf8_lossy(&output.stdout))
        .first()
        .copied()
}

fn block_on<T: Send + 'static>(body: impl Future<Output = T> + Send + 'static) -> T {
    otp_core::runtime::block_on(process::run(body))
        .expect("a runtime")
        .expect("the benchmark process")
}

async fn start(name: &str, port: u16) -> Node {
    Node::builder(name)
        .cookie(COOKIE)
        .epmd_port(port)
        .start()
        .await
        .expect("the node starts")
}

/// `--dist-serve NAME PORT`: the Rust server node; runs until killed.
pub fn serve(name: &str, port: u16) {
    let name = name.to_owned();
    block_on(async move {
        let node = start(&name, port).await;
        // The echo process; `calls` answers for this one (an exposed pid's
        // messages go to its bridge, so they must be two processes).
        let echo_node = node.clone();
        let (attached, ready) = tokio::sync::oneshot::channel();
        let echo = process::spawn(async move {
            let inbox: Subject<Incoming> = echo_node.inbox();
            let _ = attached.send(());
            loop {
                let Ok(Incoming::Message(Term::Tuple(items))) =
                    process::receive_forever(&inbox).await
                else {
                    continue;
                };
                if let [Term::Pid(from), n] = &items[..] {
                    echo_node.send(from, n.clone());
                }
            }
        });
        ready.await.expect("the echo process starts");
        node.register("echo", echo);
        node.expose("calls", process::self_pid(), |request| async move {
            match request {
                Request::Call(t) => Some(t),
                _ => None,
            }
        })
        .await;
        println!("ready");
        std::future::pending::<()>().await;
    });
}

/// `--dist-client SCENARIO SERVER PORT SIZE`: prints the rate.
pub fn client(scenario: &str, server: &str, port: u16, size: u64) {
    let (scenario, server) = (scenario.to_owned(), server.to_owned());
    let rate = block_on(async move {
        let node = start(&unique("bc"), port).await;
        node.connect(&server).await.expect("connected");
        run(&node, &scenario, &server, WARM_UP).await;
        let started = Instant::now();
        run(&node, &scenario, &server, size).await;
        size as f64 / started.elapsed().as_secs_f64()
    });
    println!("{rate}");
}

async fn run(node: &Node, scenario: &str, server: &str, size: u64) {
    match scenario {
        "ping" => ping(node, server, size).await,
        _ => calls(node, server, size).await,
    }
}

async fn ping(node: &Node, server: &str, size: u64) {
    let inbox: Subject<Incoming> = node.inbox();
    let me = Term::Pid(node.external(process::self_pid()));
    for k in 0..size as i64 {
        node.send_named("echo", server, Term::Tuple(vec![me.clone(), Term::Int(k)]));
        match process::receive_forever(&inbox).await {
            Ok(Incoming::Message(Term::Int(n))) if n == k => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn calls(node: &Node, server: &str, size: u64) {
    let (done_tx, done) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..CLIENTS {
        let (node, server, done_tx) = (node.clone(), server.to_owned(), done_tx.clone());
        process::spawn(async move {
            for k in 0..(size / CLIENTS) as i64 {
                let to = CallTarget::Name("calls", &server);
                let reply = node.call(to, Term::Int(k), Duration::from_secs(30)).await;
                assert_eq!(reply.ok(), Some(Term::Int(k)));
            }
            let _ = done_tx.send(());
        });
    }
    drop(done_tx);
    let mut done = done;
    while done.recv().await.is_some() {}
}

/// Runs every cell `runs` times and prints the table of medians, with the
/// Rust-to-Rust rate over the Erlang-to-Erlang one.
pub fn run_all(quick: bool, runs: usize) {
    println!("\n## Distribution (two OS processes on this machine)\n");
    print!("| scenario | unit |");
    for (client, server) in PAIRS {
        print!(" {client} -> {server} |");
    }
    println!(" rust->rust / erlang->erlang |");
    print!("|---|---|");
    for _ in PAIRS {
        print!("---:|");
    }
    println!("---:|");
    for scenario in SCENARIOS {
        let size = if quick { scenario.quick } else { scenario.full };
        let mut medians = Vec::new();
        for (client, server) in PAIRS {
            let mut values: Vec<f64> = (0..runs)
                .filter_map(|_| cell(scenario.name, client, server, size))
                .collect();
            let median = crate::measure::median(&mut values);
            eprintln!("{:>8} {client} -> {server}: {median:?}", scenario.name);
            medians.push(median);
        }
        print!("| {} | {} |", scenario.title, scenario.unit);
        for m in &medians {
            match m {
                Some(v) => print!(" {} |", crate::measure::Measure::show(*v)),
                None => print!(" n/a |"),
            }
        }
        match (medians[0], medians[3]) {
            (Some(r), Some(e)) if e > 0.0 => println!(" {:.2}x |", r / e),
            _ => println!(" n/a |"),
        }
    }
}
