//! `#[actor]` end to end: the generated message enum, handle and start functions.

use std::time::Duration;

use otp::actor;
use otp::actor::StartError;
use otp::macros::{Flow, ReplyAndStop};
use otp::process::{self, CallError, Down, ExitReason, Name};

mod common;
use common::{WAIT, within};

const LIMIT: Duration = Duration::from_secs(20);

async fn down_of(pid: process::Pid, monitor: process::Monitor) -> ExitReason {
    let down = common::down_of(monitor).await;
    assert_eq!(down.pid, pid);
    down.reason
}

/// A counter.
#[actor]
#[derive(Debug, Clone, PartialEq)]
pub struct Counter {
    count: u64,
}

#[actor(debug)]
impl Counter {
    /// Adds `n`.
    #[cast]
    pub fn add(&mut self, n: u64) {
        self.count += n;
    }

    /// The count.
    #[call]
    pub fn get(&self) -> u64 {
        self.count
    }

    /// Adds `n` and gives the new count.
    #[call]
    pub fn add_and_get(&mut self, n: u64) -> u64 {
        self.count += n;
        self.count
    }

    /// Stops normally.
    #[cast]
    pub fn stop(&mut self) -> Flow {
        Flow::stop()
    }

    /// Fails when asked to add more than the limit.
    #[cast]
    pub fn checked_add(&mut self, n: u64, limit: u64) -> Result<(), String> {
        if n > limit {
            return Err(format!("{n} is over {limit}"));
        }
        self.count += n;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_counter_counts_through_its_handle() {
    within(LIMIT, async {
        let counter = Counter { count: 0 }.start().await.unwrap();
        counter.add(2);
        counter.add(40);
        assert_eq!(counter.get().await, Ok(42));
        assert_eq!(counter.add_and_get(8).await, Ok(50));
        // The message enum is public and usable by hand.
        counter.subject().send(CounterMsg::Add { n: 1 });
        assert_eq!(counter.get().await, Ok(51));
        let m = process::monitor(counter.pid());
        counter.stop();
        assert_eq!(down_of(counter.pid(), m).await, ExitReason::Normal);
        assert_eq!(counter.get().await, Err(CallError::NoProcess));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_err_from_a_cast_stops_the_actor_with_that_reason() {
    within(LIMIT, async {
        process::trap_exits(true);
        let counter = Counter { count: 0 }.start().await.unwrap();
        let m = process::monitor(counter.pid());
        counter.checked_add(1, 10);
        counter.checked_add(11, 10);
        assert_eq!(
            down_of(counter.pid(), m).await,
            ExitReason::Abnormal("11 is over 10".into())
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handle_works_from_a_plain_thread_and_by_name() {
    within(LIMIT, async {
        let name = Name::new("counter");
        let counter = Counter { count: 5 }
            .start_named(name.clone())
            .await
            .unwrap();
        assert_eq!(process::whereis(&name), Some(counter.pid()));
        let by_name = CounterRef::named(&name);
        by_name.add(1);
        let blocking = by_name.clone();
        let got = tokio::task::spawn_blocking(move || blocking.get_blocking())
            .await
            .unwrap();
        assert_eq!(got, Ok(6));
        // A taken name is a start error.
        let again = Counter { count: 0 }.start_named(name.clone()).await;
        assert!(
            matches!(again, Err(StartError::NameTaken { .. })),
            "{again:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sys_get_state_sees_a_macro_made_actor() {
    within(LIMIT, async {
        let counter = Counter { count: 0 }.start().await.unwrap();
        counter.add(7);
        assert_eq!(
            otp::sys::get_state_as::<Counter>(counter.pid(), WAIT).await,
            Ok(Counter { count: 7 })
        );
        assert_eq!(
            otp::sys::get_state(counter.pid(), WAIT).await.unwrap(),
            "Counter { count: 7 }"
        );
    })
    .await;
}

/// A stack, with a call that replies then stops.
#[actor]
pub struct Stack {
    items: Vec<String>,
}

#[actor]
impl Stack {
    #[cast]
    fn push(&mut self, item: String) {
        self.items.push(item);
    }

    /// The top item, if any.
    #[call]
    fn pop(&mut self) -> Option<String> {
        self.items.pop()
    }

    /// Everything left, then stop.
    #[call]
    fn drain(&mut self) -> ReplyAndStop<Vec<String>> {
        ReplyAndStop::normal(std::mem::take(&mut self.items))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_pushes_pops_and_drains() {
    within(LIMIT, async {
        let stack = Stack { items: vec![] }.start().await.unwrap();
        stack.push("a".into());
        stack.push("b".into());
        stack.push("c".into());
        assert_eq!(stack.pop().await, Ok(Some("c".into())));
        let m = process::monitor(stack.pid());
        assert_eq!(stack.drain().await, Ok(vec!["a".to_string(), "b".into()]));
        assert_eq!(down_of(stack.pid(), m).await, ExitReason::Normal);
        assert_eq!(stack.pop().await, Err(CallError::NoProcess));
    })
    .await;
}

/// An actor whose handlers await, with a failing init, an info handler and a
/// terminate hook; it reports what happens on `events`.
#[actor]
struct Fetcher {
    base: u64,
    events: flume::Sender<String>,
}

#[actor]
impl Fetcher {
    #[init]
    async fn init(base: u64, events: flume::Sender<String>) -> Result<Self, String> {
        tokio::task::yield_now().await;
        if base == 0 {
            return Err("base must not be zero".into());
        }
        Ok(Fetcher { base, events })
    }

    #[call]
    async fn fetch(&self, n: u64) -> u64 {
        tokio::task::yield_now().await;
        self.base * n
    }

    #[cast]
    async fn crash(&mut self) -> Flow {
        tokio::task::yield_now().await;
        Flow::stop_abnormal("asked to")
    }

    #[cast]
    fn watch(&mut self, pid: process::Pid) {
        process::monitor(pid);
    }

    /// Monitored processes' DOWNs.
    #[info]
    fn down(&mut self, down: Down) {
        let _ = self.events.send(format!("down: {}", down.reason));
    }

    #[terminate]
    fn terminate(&mut self, reason: &ExitReason) {
        let _ = self.events.send(format!("terminate: {reason}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_handlers_init_info_and_terminate() {
    within(LIMIT, async {
        process::trap_exits(true);
        let (events, seen) = flume::unbounded();
        let fetcher = Fetcher::start(3, events).await.unwrap();
        assert_eq!(fetcher.fetch(14).await, Ok(42));
        // An info handler receives the DOWN of a process the actor monitors.
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let child = process::spawn(async move {
            let _ = wait.await;
        });
        fetcher.watch(child);
        // Casts and calls are handled in order: once this call returns, the
        // actor monitors the child.
        assert_eq!(fetcher.fetch(1).await, Ok(3));
        go.send(()).unwrap();
        assert_eq!(seen.recv_async().await.unwrap(), "down: normal");
        let m = process::monitor(fetcher.pid());
        fetcher.crash();
        assert_eq!(
            down_of(fetcher.pid(), m).await,
            ExitReason::Abnormal("asked to".into())
        );
        assert_eq!(seen.recv_async().await.unwrap(), "terminate: asked to");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_init_is_a_start_error() {
    within(LIMIT, async {
        let (events, _seen) = flume::unbounded();
        let started = Fetcher::start(0, events).await;
        assert_eq!(
            started.unwrap_err(),
            StartError::InitFailed("base must not be zero".into())
        );
    })
    .await;
}

/// Watches links and stray messages through `#[info]` handlers; its `wait`
/// call blocks until released, to test timeouts.
#[actor]
struct Watcher {
    events: flume::Sender<String>,
    gate: flume::Receiver<()>,
}

#[actor]
impl Watcher {
    #[cast]
    fn link_to(&mut self, pid: process::Pid) {
        process::link(pid);
    }

    /// A subject of the actor's that its selector does not cover.
    #[call]
    fn stray_subject(&mut self) -> process::Subject<String> {
        process::Subject::new()
    }

    /// Waits for the gate.
    #[call]
    async fn wait(&mut self) -> u8 {
        let _ = self.gate.recv_async().await;
        1
    }

    /// A reply that is a `Result`.
    #[call]
    fn parse(&self, text: String) -> Result<u32, String> {
        text.parse()
            .map_err(|_| format!("{text:?} is not a number"))
    }

    #[info]
    fn exit(&mut self, exit: process::ExitMessage) {
        let _ = self.events.send(format!("exit: {}", exit.reason));
    }

    #[info]
    fn other(&mut self, other: process::Unexpected) {
        let what = match other {
            process::Unexpected::Message { type_name } => type_name.to_string(),
            other => format!("{other:?}"),
        };
        let _ = self.events.send(format!("unexpected: {what}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_handlers_get_trapped_exits_and_unexpected_messages() {
    within(LIMIT, async {
        let (events, seen) = flume::unbounded();
        let (_open, gate) = flume::unbounded();
        let watcher = Watcher { events, gate }.start().await.unwrap();
        // An #[info] handler for ExitMessage makes the actor trap exits.
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let doomed = process::spawn(async move {
            let _ = wait.await;
            process::exit(ExitReason::Abnormal("boom".into())).await;
        });
        watcher.link_to(doomed);
        assert_eq!(watcher.parse("7".into()).await, Ok(Ok(7)));
        go.send(()).unwrap();
        assert_eq!(seen.recv_async().await.unwrap(), "exit: boom");
        assert!(process::is_alive(watcher.pid()));
        // A message on a subject the actor does not select reaches the catch-all.
        let stray = watcher.stray_subject().await.unwrap();
        stray.send("hello".to_string());
        assert_eq!(
            seen.recv_async().await.unwrap(),
            "unexpected: alloc::string::String"
        );
        assert_eq!(
            watcher.parse("x".into()).await,
            Ok(Err("\"x\" is not a number".to_string()))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_times_out_after_the_handles_timeout() {
    within(LIMIT, async {
        let (events, _seen) = flume::unbounded();
        let (open, gate) = flume::unbounded();
        let watcher = Watcher { events, gate }.start().await.unwrap();
        // The actor blocks in `wait` until the gate opens: a zero timeout looks
        // for the reply once and gives up.
        let impatient = watcher.with_timeout(Duration::ZERO);
        assert_eq!(impatient.wait().await, Err(CallError::Timeout));
        open.send(()).unwrap();
        // The late reply was dropped; the next call gets its own.
        open.send(()).unwrap();
        assert_eq!(watcher.wait().await, Ok(1));
        assert_eq!(
            process::info(process::self_pid())
                .unwrap()
                .message_queue_len,
            0
        );
    })
    .await;
}
