//! Test support: a private EPMD and real `erl` nodes on loopback, started by the
//! test and killed by their pid when it ends; every wait bounded.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use otp_core::process::{self, Subject};
use otp_dist::term::Term;
use otp_dist::{Incoming, Node};

/// The cookie of every test node.
pub const COOKIE: &str = "otp_dist_test_cookie";
/// A short tick time, so that node-down tests take seconds.
pub const TICKTIME: Duration = Duration::from_secs(4);
/// How long a test waits for one report before failing.
pub const WAIT: Duration = Duration::from_secs(30);

/// A child OS process, killed (by its pid) and reaped when dropped.
pub struct Os(pub Child);

impl Drop for Os {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Os {
    /// Kills it now (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port free on loopback now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real `epmd` on a private loopback port, ready when this returns.
pub fn epmd() -> (Os, u16) {
    for _ in 0..20 {
        let port = free_port();
        let child = Command::new("epmd")
            .args(["-address", "127.0.0.1", "-port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("epmd is installed (apt-get install erlang-nox)");
        let mut os = Os(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (os, port);
            }
            if let Ok(Some(_)) = os.0.try_wait() {
                break; // lost the port to someone else: try another
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    panic!("could not start epmd");
}

/// The directory holding the compiled test module `dist_peer.beam`.
pub fn beams() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("otp-dist-beams-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/erl/dist_peer.erl");
        let out = Command::new("erlc")
            .arg("-o")
            .arg(&dir)
            .arg(&src)
            .output()
            .expect("erlc is installed (apt-get install erlang-nox)");
        assert!(
            out.status.success(),
            "erlc failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

/// A unique short name for a test node.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Starts `erl -name NAME@127.0.0.1` running `eval` (after loading dist_peer).
pub fn erl(name: &str, epmd_port: u16, cookie: &str, eval: &str) -> Os {
    erl_with(name, epmd_port, cookie, eval, Stdio::null())
}

/// Like [`erl`], with the node's standard output piped to the test.
pub fn erl_piped(name: &str, epmd_port: u16, cookie: &str, eval: &str) -> Os {
    erl_with(name, epmd_port, cookie, eval, Stdio::piped())
}

/// The first line the node prints, within [`WAIT`].
pub async fn first_line(os: &mut Os) -> String {
    let stdout = os.0.stdout.take().expect("stdout is piped");
    let read = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        line.trim().to_owned()
    });
    tokio::time::timeout(WAIT, read)
        .await
        .expect("a line in time")
        .unwrap()
}

/// Waits until EPMD on `port` knows node `name` (an `erl` that is starting).
pub async fn registered(port: u16, name: &str) {
    let limit = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(Some(_)) = otp_dist::epmd::port_please(("127.0.0.1", port), name).await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < limit,
            "{name} never registered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn erl_with(name: &str, epmd_port: u16, cookie: &str, eval: &str, stdout: Stdio) -> Os {
    let child = Command::new("erl")
        .args(["-name", &format!("{name}@127.0.0.1")])
        .args(["-setcookie", cookie])
        .args(["-start_epmd", "false"])
        .args(["-kernel", "net_ticktime", &TICKTIME.as_secs().to_string()])
        .arg("-noshell")
        .arg("-pa")
        .arg(beams())
        .args(["-eval", eval])
        .env("ERL_EPMD_PORT", epmd_port.to_string())
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("erl is installed (apt-get install erlang-nox)");
    Os(child)
}

/// Starts an Elixir node `NAME@127.0.0.1` running `code` (Elixir), then
/// staying up until the test kills it.
pub fn elixir(name: &str, epmd_port: u16, cookie: &str, code: &str) -> Os {
    let erl_flags = format!(
        "-start_epmd false -kernel net_ticktime {}",
        TICKTIME.as_secs()
    );
    let child = Command::new("elixir")
        .args(["--name", &format!("{name}@127.0.0.1")])
        .args(["--cookie", cookie])
        .args(["--erl", &erl_flags])
        .args(["-e", &format!("{code}\nProcess.sleep(:infinity)")])
        .env("ERL_EPMD_PORT", epmd_port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("elixir is installed (apt-get install elixir)");
    Os(child)
}

/// Starts a Rust node `NAME@127.0.0.1`.
pub async fn node(name: &str, epmd_port: u16) -> Node {
    Node::builder(&format!("{name}@127.0.0.1"))
        .cookie(COOKIE)
        .net_ticktime(TICKTIME)
        .epmd_port(epmd_port)
        .start()
        .await
        .expect("the node starts")
}

/// Runs `body` as a process under a time limit on a fresh runtime.
pub fn run<T: Send + 'static>(
    limit: Duration,
    body: impl Future<Output = T> + Send + 'static,
) -> T {
    otp_core::runtime::block_on(async move {
        match tokio::time::timeout(limit, process::run(body)).await {
            Ok(Ok(value)) => value,
            Ok(Err(reason)) => panic!("the test process exited: {reason}"),
            Err(_) => panic!("the test timed out"),
        }
    })
    .expect("the runtime starts")
}

/// The next plain message on `inbox`, within [`WAIT`].
pub async fn next_message(inbox: &Subject<Incoming>) -> Term {
    match process::receive(inbox, WAIT)
        .await
        .expect("a message in time")
    {
        Incoming::Message(t) => t,
        other => panic!("expected a plain message, got {other:?}"),
    }
}

/// Waits for `{report, Node, What}` and returns `What`.
pub async fn report(inbox: &Subject<Incoming>) -> Term {
    let msg = next_message(inbox).await;
    match msg.as_tuple() {
        Some([tag, _, what]) if tag.is_atom("report") => what.clone(),
        _ => panic!("expected a report, got {msg}"),
    }
}

/// The test counter's messages.
#[derive(Debug)]
pub enum CounterMsg {
    Add(i64),
    Get(Subject<i64>),
    Stop(otp_core::process::ExitReason),
}

/// Starts the counter actor under `name` (a fresh process, so a new pid),
/// not linked to the caller (it is started from a process that then ends).
pub async fn start_counter(name: &otp_core::process::Name<CounterMsg>) -> otp_core::process::Pid {
    let name = name.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    process::spawn(async move {
        let _ = tx.send(start_linked_counter(&name).await);
        // Stay, as a parent that outlives its child: an actor ends with its parent.
        std::future::pending::<()>().await;
    });
    rx.await.expect("the starter answers")
}

async fn start_linked_counter(
    name: &otp_core::process::Name<CounterMsg>,
) -> otp_core::process::Pid {
    use otp_core::actor::{self, Next};
    actor::new(0i64)
        .named(name.clone())
        .debug_state()
        .on_message(|n, msg| match msg {
            CounterMsg::Add(k) => Next::Continue(n + k),
            CounterMsg::Get(reply) => {
                reply.send(n);
                Next::Continue(n)
            }
            CounterMsg::Stop(reason) => Next::Stop(n, reason),
        })
        .start()
        .await
        .expect("the counter starts")
        .pid
}

/// Starts the counter and exposes it to other nodes as `rustproc` (see
/// `dist_peer.erl` for what it answers).
pub async fn expose_counter(node: &Node) -> otp_core::process::Name<CounterMsg> {
    use otp_dist::Request;
    let name = otp_core::process::Name::new("counter");
    start_counter(&name).await;
    let (node2, name2) = (node.clone(), name.clone());
    node.expose("rustproc", name.clone(), move |request| {
        let (node, name) = (node2.clone(), name2.clone());
        async move {
            let counter = name.subject();
            let tagged = |t: &Term| match t.as_tuple() {
                Some([tag, value]) => tag.as_atom().map(|tag| (tag.to_owned(), value.clone())),
                _ => None,
            };
            match request {
                Request::Call(t) if t.is_atom("get_count") => {
                    let n = process::call(&counter, WAIT, CounterMsg::Get).await.ok()?;
                    Some(Term::Int(n))
                }
                Request::Call(t) if t.is_atom("whoami") => {
                    let pid = otp_core::process::whereis(&name)?;
                    Some(Term::Pid(node.external(pid)))
                }
                Request::Call(t) => match tagged(&t) {
                    Some((tag, value)) if tag == "echo" => Some(value),
                    Some((tag, Term::Int(ms))) if tag == "sleep" => {
                        tokio::time::sleep(Duration::from_millis(ms as u64)).await;
                        Some(Term::atom("slept"))
                    }
                    _ => Some(Term::tuple([Term::atom("error"), Term::atom("unknown")])),
                },
                Request::Cast(t) | Request::Info(t) => {
                    match tagged(&t) {
                        Some((tag, Term::Int(k))) if tag == "add" => {
                            counter.send(CounterMsg::Add(k))
                        }
                        Some((tag, reason)) if tag == "stop" => {
                            counter.send(CounterMsg::Stop(otp_dist::reason::from_term(&reason)))
                        }
                        Some((tag, Term::Pid(from))) if tag == "hello" => {
                            let pid = otp_core::process::whereis(&name)?;
                            let me = node.external(pid);
                            node.send(&from, Term::tuple([Term::atom("hi"), Term::Pid(me)]));
                        }
                        _ => {}
                    }
                    None
                }
            }
        }
    })
    .await;
    name
}

/// Serves `{restart, From}` requests from the Erlang side on `inbox` until one
/// comes that is not a restart, which is returned.
pub async fn report_restarting(
    node: &Node,
    inbox: &Subject<Incoming>,
    name: &otp_core::process::Name<CounterMsg>,
) -> Term {
    loop {
        let msg = next_message(inbox).await;
        match msg.as_tuple() {
            Some([tag, Term::Pid(from)]) if tag.is_atom("restart") => {
                // Wait for the old one to be gone, then start a new one.
                if let Some(old) = otp_core::process::whereis(name) {
                    let m = process::monitor(old);
                    let _ = otp_core::process::Selector::new()
                        .select_monitor(m, |d| d)
                        .receive(WAIT)
                        .await;
                }
                start_counter(name).await;
                node.send(from, Term::atom("restarted"));
            }
            Some([tag, _, what]) if tag.is_atom("report") => return what.clone(),
            _ => panic!("expected a report, got {msg}"),
        }
    }
}

/// Waits for the DOWN of `monitor` on `inbox` and checks its reason.
pub async fn expect_down(
    inbox: &Subject<Incoming>,
    monitor: &otp_dist::term::ExternalRef,
    reason: &str,
) {
    match process::receive(inbox, WAIT).await.expect("a DOWN in time") {
        Incoming::Down {
            monitor: m,
            reason: r,
            ..
        } => {
            assert_eq!(&m, monitor);
            assert!(r.is_atom(reason), "expected {reason}, got {r}");
        }
        other => panic!("expected a DOWN, got {other:?}"),
    }
}
