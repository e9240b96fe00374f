//! Chaos (issue 14): every fault kind that once wedged a process, leaked one or
//! lost a signal, injected at random into a supervised tree under load, for a
//! fixed number of rounds.
//!
//! The tree: `top` (one_for_one) holds `mid` (one_for_one: named workers `w0`,
//! `w1` and `inner`, a one_for_all supervisor of named workers `w2`, `w3`) and a
//! factory of named workers. Callers call and senders send through the names
//! all along. Outside the tree, the test monitors every victim and a trapping
//! "linker" process links to it.
//!
//! Faults: kills; a panicking `Drop` in an actor's state; panicking and
//! receiving `Drop`s in messages queued at exit; timer-held messages whose `Drop`
//! cancels their own timer; `process::exit` in handlers (every kind of reason);
//! panics in a selector's mapping; huge timeouts (timers, calls); kill storms on
//! a name while it is called; supervisors killed; a second runtime ended (by
//! dropping it, or by `runtime::block_on` returning) with live processes that
//! tree processes link to and monitor.
//!
//! After each round every DOWN and EXIT that should fire has fired, with its
//! reason, and the tree heals. After the rounds the process table holds exactly
//! the tree (and the test's own processes), no call failed for a request that
//! was answered, no tokio worker is held, and once the tree is stopped nothing
//! is left. Every wait is bounded. The seed is random (set `CHAOS_SEED` to
//! replay one) and printed, and named in every assertion.
//!
//! Its own test binary, so that the process table holds nothing else.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use otp::actor::{self, Initialised, Next};
use otp::process::{
    self, CallError, Down, ExitMessage, ExitReason, Name, Pid, Selector, Subject, Timer,
};
use otp::supervisor::factory::{self, Factory};
use otp::supervisor::{self, ChildSpec, Strategy, Supervisor};
use otp::task;

mod common;
use common::{block_on, within};

/// How long the whole test may take.
const LIMIT: Duration = Duration::from_secs(300);
/// How long one expected signal, or the tree's healing, may take (generous:
/// the machine is loaded).
const PATIENCE: Duration = Duration::from_secs(30);
const ROUNDS: usize = 150;
/// Factory children.
const FACTORY: usize = 3;

/// xorshift64*: small, and the same run for the same seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// Panics when dropped, unless defused (or already unwinding: a second panic
/// would abort the test binary, which no library can prevent).
struct Bomb {
    armed: bool,
}

impl Bomb {
    fn armed() -> Self {
        Bomb { armed: true }
    }
}

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.armed && !std::thread::panicking() {
            panic!("chaos: a Drop that panics");
        }
    }
}

/// Receives (waiting up to an hour) on the mailbox of the process that drops
/// it, unless defused. Only ever dropped at exit, where the receive must return
/// at once.
struct Receiver {
    armed: bool,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if self.armed {
            let _ = block_on(
                Selector::new()
                    .select_monitors(|_| ())
                    .receive(Duration::from_secs(3600)),
            );
        }
    }
}

/// Cancels its own timer when dropped (by the handler, by the exit of its
/// receiver, by the timer when its target is dead, or by `cancel_timer`).
struct CancelsItsTimer(Arc<OnceLock<Timer>>);

impl Drop for CancelsItsTimer {
    fn drop(&mut self) {
        if let Some(timer) = self.0.get() {
            let _ = process::cancel_timer(timer);
        }
    }
}

/// Kept in a worker's state or queued in its mailbox until it exits.
enum Junk {
    Bomb(Bomb),
    Receiver(Receiver),
}

impl Junk {
    /// Makes it harmless (it was not delivered, or was handled, which the test
    /// avoids for a `Receiver`).
    fn defuse(&mut self) {
        match self {
            Junk::Bomb(bomb) => bomb.armed = false,
            Junk::Receiver(receiver) => receiver.armed = false,
        }
    }
}

enum Cmd {
    /// Load: recorded as answered, then answered if there is a reply subject.
    Work(u64, Option<Subject<()>>),
    /// Kept in the state: dropped with it at exit.
    Keep(Junk),
    /// Queued behind a `Stall`: dropped with the mailbox at exit.
    Queued(Junk),
    /// Waits for `go` (or its sender's drop), then exits with the reason.
    Stall(flume::Receiver<()>, ExitReason),
    /// `process::exit` in the handler.
    Exit(ExitReason),
    /// The selector's mapping panics on this one.
    PanicInMapping,
    /// Sent by a timer.
    Timed(#[allow(dead_code)] CancelsItsTimer),
    /// Replies with the worker's own subject.
    Me(Subject<Subject<Cmd>>),
    Link(Pid, Subject<bool>),
    /// Monitors the pid; the DOWN goes to the ledger as [`Event::Watched`].
    Watch(Pid, Subject<()>),
    Down(Down),
}

/// What reaches the test from processes outside its control.
enum Event {
    /// The linker got a trapped EXIT.
    Exit(ExitMessage),
    /// A worker that monitored a process got its DOWN.
    Watched(Down),
}

/// What every worker shares with the test.
#[derive(Clone)]
struct Shared {
    answered: Arc<Mutex<HashSet<u64>>>,
    ledger: Subject<Event>,
}

struct Worker {
    me: Subject<Cmd>,
    shared: Shared,
    kept: Vec<Junk>,
}

/// The worker's selector: its own subject, through a mapping that panics on
/// [`Cmd::PanicInMapping`].
fn selector(me: &Subject<Cmd>) -> Selector<Cmd> {
    Selector::new().select_map(me, |cmd: Cmd| {
        assert!(
            !matches!(cmd, Cmd::PanicInMapping),
            "chaos: a mapping that panics"
        );
        cmd
    })
}

async fn handle(mut worker: Worker, cmd: Cmd) -> Next<Worker, Cmd> {
    match cmd {
        Cmd::Work(id, reply) => {
            worker.shared.answered.lock().unwrap().insert(id);
            if let Some(reply) = reply {
                reply.send(());
            }
        }
        Cmd::Keep(junk) => worker.kept.push(junk),
        Cmd::Queued(mut junk) => {
            // Not meant to be handled; if it is, keep it harmless.
            junk.defuse();
            worker.kept.push(junk);
        }
        Cmd::Stall(go, reason) => {
            let _ = go.recv_async().await;
            process::exit(reason).await
        }
        Cmd::Exit(reason) => process::exit(reason).await,
        Cmd::PanicInMapping => unreachable!("the mapping panicked"),
        Cmd::Timed(_) => {}
        Cmd::Me(reply) => reply.send(worker.me.clone()),
        Cmd::Link(pid, reply) => reply.send(process::link(pid)),
        Cmd::Watch(pid, reply) => {
            let monitor = process::monitor(pid);
            reply.send(());
            let watching = selector(&worker.me).select_monitor(monitor, Cmd::Down);
            return Next::Select(worker, watching);
        }
        Cmd::Down(down) => {
            worker.shared.ledger.send(Event::Watched(down));
            let me = selector(&worker.me);
            return Next::Select(worker, me);
        }
    }
    Next::Continue(worker)
}

async fn start_worker(
    name: Name<Cmd>,
    shared: Shared,
) -> Result<actor::Started<Subject<Cmd>>, actor::StartError> {
    actor::new_with_initialiser(
        Duration::from_secs(60),
        move |me: Subject<Cmd>| async move {
            let selecting = selector(&me);
            let worker = Worker {
                me: me.clone(),
                shared,
                kept: Vec::new(),
            };
            Ok(Initialised::new(worker).selecting(selecting).returning(me))
        },
    )
    .on_message_async(handle)
    .named(name)
    .start()
    .await
}

fn worker_spec(id: &str, name: &Name<Cmd>, shared: &Shared) -> ChildSpec {
    let (name, shared) = (name.clone(), shared.clone());
    ChildSpec::worker(id, move || start_worker(name.clone(), shared.clone()))
}

type Workers = Factory<Name<Cmd>, Subject<Cmd>>;

/// The tree's handles and pids, as of its last healing.
struct Tree {
    mid: Supervisor,
    inner: Supervisor,
    factory: Workers,
    pids: BTreeSet<Pid>,
}

/// The test's view of the world, and its checks.
struct Chaos {
    seed: u64,
    rng: Rng,
    top: Supervisor,
    /// `w0`..`w3`.
    named: Vec<Name<Cmd>>,
    /// The factory children's names.
    made: Vec<Name<Cmd>>,
    ledger: Subject<Event>,
    linker: Subject<(Pid, Subject<bool>)>,
    timers: Vec<Timer>,
    /// Signals expected this round: DOWNs (by monitor) and linker EXITs.
    downs: Vec<(process::Monitor, Expect)>,
    exits: Vec<(Pid, Expect)>,
    watched: Vec<(Pid, Expect)>,
    counts: [usize; 11],
}

/// The exit reason a signal must carry.
#[derive(Clone, Debug)]
enum Expect {
    Exactly(ExitReason),
    /// A panic from this test's code.
    Panic,
    /// Whatever (processes below a killed supervisor).
    Any,
}

impl Expect {
    fn check(&self, seed: u64, what: &str, pid: Pid, got: &ExitReason) {
        match self {
            Expect::Exactly(reason) => {
                assert_eq!(got, reason, "seed {seed}: the {what} of {pid}");
            }
            Expect::Panic => assert!(
                matches!(got, ExitReason::Panic(p) if p.message.contains("chaos")),
                "seed {seed}: the {what} of {pid} is {got}, not the injected panic"
            ),
            Expect::Any => {}
        }
    }
}

/// What may happen to one victim.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Kill,
    StateDropPanics,
    QueuedDropsThenExit,
    QueuedDropsThenKill,
    TimerCancelsItself,
    ExitInHandler,
    PanicInMapping,
    HugeTimerThenKill,
}

const FAULTS: [Fault; 8] = [
    Fault::Kill,
    Fault::StateDropPanics,
    Fault::QueuedDropsThenExit,
    Fault::QueuedDropsThenKill,
    Fault::TimerCancelsItself,
    Fault::ExitInHandler,
    Fault::PanicInMapping,
    Fault::HugeTimerThenKill,
];

impl Chaos {
    fn reason(&mut self) -> ExitReason {
        match self.rng.below(4) {
            0 => ExitReason::Normal,
            1 => ExitReason::Shutdown,
            2 => ExitReason::Kill,
            _ => ExitReason::Abnormal("chaos".into()),
        }
    }

    /// Expects `pid` to exit as `expect` says, seen by the test's monitor and,
    /// unless anything goes, by the linker.
    async fn watch(&mut self, pid: Pid, expect: Expect) {
        self.downs.push((process::monitor(pid), expect.clone()));
        if !matches!(expect, Expect::Any) {
            let linked = process::call(&self.linker, PATIENCE, |ack| (pid, ack)).await;
            assert_eq!(
                linked,
                Ok(true),
                "seed {}: the linker links to {pid}",
                self.seed
            );
            self.exits.push((pid, expect));
        }
    }

    /// Waits for every signal expected this round.
    async fn expect_signals(&mut self) {
        let seed = self.seed;
        for (monitor, expect) in std::mem::take(&mut self.downs) {
            let down = Selector::new()
                .select_monitor(monitor, |down| down)
                .receive(PATIENCE)
                .await
                .unwrap_or_else(|e| panic!("seed {seed}: no DOWN from {}: {e:?}", monitor.pid()));
            expect.check(seed, "DOWN", down.pid, &down.reason);
            assert!(
                !process::list().contains(&down.pid),
                "seed {seed}: {} is listed after its DOWN",
                down.pid
            );
        }
        let mut exits = std::mem::take(&mut self.exits);
        let mut watched = std::mem::take(&mut self.watched);
        while !exits.is_empty() || !watched.is_empty() {
            let event = process::receive(&self.ledger, PATIENCE)
                .await
                .unwrap_or_else(|e| {
                    panic!("seed {seed}: missing EXITs {exits:?} and DOWNs {watched:?}: {e:?}")
                });
            let (list, pid, reason, what) = match event {
                Event::Exit(exit) => (&mut exits, exit.pid, exit.reason, "EXIT"),
                Event::Watched(down) => (&mut watched, down.pid, down.reason, "DOWN"),
            };
            let at = list
                .iter()
                .position(|(p, _)| *p == pid)
                .unwrap_or_else(|| panic!("seed {seed}: an unexpected {what} from {pid}"));
            let (_, expected) = list.swap_remove(at);
            expected.check(seed, what, pid, &reason);
        }
    }

    async fn subject_of(&self, name: &Name<Cmd>) -> Subject<Cmd> {
        process::call(&name.subject(), PATIENCE, Cmd::Me)
            .await
            .unwrap_or_else(|e| panic!("seed {}: no worker under a name: {e:?}", self.seed))
    }

    /// Injects `fault` into the worker registered under `name`.
    async fn inject(&mut self, name: &Name<Cmd>, fault: Fault) {
        let Some(pid) = process::whereis(name) else {
            panic!("seed {}: a healed tree has every name", self.seed);
        };
        let subject = self.subject_of(name).await;
        match fault {
            Fault::Kill => {
                self.watch(pid, Expect::Exactly(ExitReason::Killed)).await;
                process::kill(pid);
            }
            Fault::StateDropPanics => {
                self.watch(pid, Expect::Exactly(ExitReason::Killed)).await;
                send(&subject, Cmd::Keep(Junk::Bomb(Bomb::armed())));
                // Sometimes killed before the handler took it: then it is a
                // queued message.
                if self.rng.chance(2) {
                    let _ = process::call(&subject, PATIENCE, Cmd::Me).await;
                }
                process::kill(pid);
            }
            Fault::QueuedDropsThenExit | Fault::QueuedDropsThenKill => {
                let reason = match fault {
                    Fault::QueuedDropsThenExit => self.reason(),
                    _ => ExitReason::Killed,
                };
                self.watch(pid, Expect::Exactly(reason.clone())).await;
                let (go, gate) = flume::bounded(1);
                send(&subject, Cmd::Stall(gate, reason));
                // The stall is handled first, so these stay queued.
                send(&subject, Cmd::Queued(Junk::Bomb(Bomb::armed())));
                send(
                    &subject,
                    Cmd::Queued(Junk::Receiver(Receiver { armed: true })),
                );
                send(&subject, Cmd::Queued(Junk::Bomb(Bomb::armed())));
                match fault {
                    Fault::QueuedDropsThenExit => drop(go.send(())),
                    _ => process::kill(pid),
                }
            }
            Fault::TimerCancelsItself => {
                self.watch(pid, Expect::Exactly(ExitReason::Killed)).await;
                for _ in 0..3 {
                    let delay = Duration::from_millis(self.rng.below(3) as u64);
                    let cell = Arc::new(OnceLock::new());
                    let message = Cmd::Timed(CancelsItsTimer(cell.clone()));
                    // To the victim itself (fires at a dead process once it is
                    // killed) or through its name (reaches the next holder).
                    let timer = if self.rng.chance(2) {
                        process::send_after(&subject, delay, message)
                    } else {
                        process::send_after(&name.subject(), delay, message)
                    };
                    let _ = cell.set(timer.clone());
                    self.timers.push(timer);
                }
                if self.rng.chance(2) {
                    tokio::task::yield_now().await;
                }
                process::kill(pid);
            }
            Fault::ExitInHandler => {
                let reason = self.reason();
                self.watch(pid, Expect::Exactly(reason.clone())).await;
                send(&subject, Cmd::Exit(reason));
            }
            Fault::PanicInMapping => {
                self.watch(pid, Expect::Panic).await;
                send(&subject, Cmd::PanicInMapping);
            }
            Fault::HugeTimerThenKill => {
                self.watch(pid, Expect::Exactly(ExitReason::Killed)).await;
                let cell = Arc::new(OnceLock::new());
                let huge = [Duration::MAX, Duration::from_secs(u64::MAX / 2)][self.rng.below(2)];
                let timer =
                    process::send_after(&subject, huge, Cmd::Timed(CancelsItsTimer(cell.clone())));
                let _ = cell.set(timer.clone());
                self.timers.push(timer);
                process::kill(pid);
            }
        }
    }

    /// One round: a few faults, then every expected signal, then healing.
    async fn round(&mut self, tree: &Tree) {
        match self.rng.below(10) {
            0 => self.kill_a_supervisor(tree).await,
            1 => self.name_storm().await,
            2 => self.foreign_runtime().await,
            _ => {
                // Up to three victims; at most one under the one_for_all
                // supervisor (a victim's restart would end its sibling).
                let mut victims: Vec<Name<Cmd>> = Vec::new();
                let mut candidates: Vec<Name<Cmd>> = vec![
                    self.named[0].clone(),
                    self.named[1].clone(),
                    self.named[2 + self.rng.below(2)].clone(),
                ];
                candidates.extend(self.made.iter().cloned());
                for _ in 0..1 + self.rng.below(3) {
                    let victim = candidates.swap_remove(self.rng.below(candidates.len()));
                    victims.push(victim);
                }
                for victim in &victims {
                    let fault = FAULTS[self.rng.below(FAULTS.len())];
                    self.counts[fault as usize] += 1;
                    self.inject(victim, fault).await;
                }
            }
        }
        self.expect_signals().await;
    }

    async fn kill_a_supervisor(&mut self, tree: &Tree) {
        self.counts[8] += 1;
        let (victim, below): (Pid, Vec<Pid>) = match self.rng.below(3) {
            0 => (tree.mid.pid(), self.holders(&self.named)),
            1 => (tree.inner.pid(), self.holders(&self.named[2..])),
            _ => (tree.factory.pid(), self.holders(&self.made)),
        };
        for pid in below {
            self.watch(pid, Expect::Any).await;
        }
        self.watch(victim, Expect::Exactly(ExitReason::Killed))
            .await;
        process::kill(victim);
    }

    fn holders(&self, names: &[Name<Cmd>]) -> Vec<Pid> {
        names.iter().filter_map(process::whereis).collect()
    }

    /// Kills whoever holds one name, five times over, while it is called.
    async fn name_storm(&mut self) {
        self.counts[9] += 1;
        let name = self.named[self.rng.below(self.named.len())].clone();
        for _ in 0..5 {
            let pid = holder(&name, self.seed).await;
            self.watch(pid, Expect::Exactly(ExitReason::Killed)).await;
            process::kill(pid);
            self.expect_signals().await;
        }
    }

    /// A second runtime with live processes that tree workers link to and
    /// monitor, ended by dropping it or by `runtime::block_on` returning.
    async fn foreign_runtime(&mut self) {
        self.counts[10] += 1;
        let (pids_to_test, foreign) = flume::bounded::<Vec<Pid>>(1);
        let (end, ending) = flume::bounded::<()>(1);
        let by_block_on = self.rng.chance(2);
        let thread = std::thread::spawn(move || {
            let spawn_three = async move {
                let pids = (0..3)
                    .map(|_| process::spawn(std::future::pending::<()>()))
                    .collect();
                pids_to_test.send(pids).unwrap();
            };
            if by_block_on {
                otp::runtime::block_on(async move {
                    spawn_three.await;
                    let _ = ending.recv_async().await;
                })
                .unwrap();
            } else {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(spawn_three);
                let _ = ending.recv();
                drop(runtime);
            }
        });
        let pids = tokio::time::timeout(PATIENCE, foreign.recv_async())
            .await
            .expect("the second runtime started")
            .unwrap();
        // A worker under one_for_all (or a factory child) links to the first;
        // `w0` or `w1`, untouched otherwise, monitors the second; the linker
        // links to the third. The test monitors all three and the linked
        // worker, which the link takes down.
        let linking = if self.rng.chance(2) {
            self.named[2 + self.rng.below(2)].clone()
        } else {
            self.made[self.rng.below(self.made.len())].clone()
        };
        let watching = self.named[self.rng.below(2)].clone();
        let linked =
            process::call(&linking.subject(), PATIENCE, |ack| Cmd::Link(pids[0], ack)).await;
        assert_eq!(linked, Ok(true), "seed {}", self.seed);
        let worker = holder(&linking, self.seed).await;
        self.watch(worker, Expect::Exactly(ExitReason::Killed))
            .await;
        process::call(&watching.subject(), PATIENCE, |ack| {
            Cmd::Watch(pids[1], ack)
        })
        .await
        .unwrap();
        self.watched
            .push((pids[1], Expect::Exactly(ExitReason::Killed)));
        self.watch(pids[0], Expect::Exactly(ExitReason::Killed))
            .await;
        self.watch(pids[1], Expect::Exactly(ExitReason::Killed))
            .await;
        self.watch(pids[2], Expect::Exactly(ExitReason::Killed))
            .await;
        end.send(()).unwrap();
        let joined = tokio::task::spawn_blocking(move || thread.join());
        tokio::time::timeout(PATIENCE, joined)
            .await
            .expect("the second runtime ended")
            .unwrap()
            .expect("the second runtime's thread");
    }

    /// Waits until the tree is whole again: every supervisor and worker running,
    /// every name held by its worker, the factory topped up.
    async fn heal(&mut self) -> Tree {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "seed {}: the tree did not heal",
                self.seed
            );
            if let Some(tree) = self.whole().await {
                return tree;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn whole(&self) -> Option<Tree> {
        let mut pids = BTreeSet::from([self.top.pid()]);
        let mid = self.top.child::<Supervisor>("mid").get().await.ok()?;
        let factory = self.top.child::<Workers>("factory").get().await.ok()?;
        let inner = mid.child::<Supervisor>("inner").get().await.ok()?;
        for sup in [&mid, &inner, factory.supervisor()] {
            pids.insert(sup.pid());
        }
        let mut rows = mid.which_children().await.ok()?;
        rows.extend(inner.which_children().await.ok()?);
        for row in &rows {
            pids.insert(row.pid?);
        }
        for (i, name) in self.named.iter().enumerate() {
            let id = format!("w{i}");
            let row = rows.iter().find(|row| row.id == id)?;
            if process::whereis(name) != row.pid {
                return None;
            }
        }
        let made = factory.which_children().await.ok()?;
        let running: HashSet<Pid> = made.iter().filter_map(|row| row.pid).collect();
        let mut missing = false;
        for name in &self.made {
            match process::whereis(name) {
                Some(pid) if running.contains(&pid) => {
                    pids.insert(pid);
                }
                Some(_) => missing = true,
                None => {
                    missing = true;
                    // A transient child that exited normally is not restarted:
                    // start one again (failing harmlessly if a restart is on
                    // its way).
                    if made.len() < FACTORY {
                        let _ = factory.start_child(name.clone()).await;
                    }
                }
            }
        }
        if missing || made.len() != FACTORY {
            return None;
        }
        Some(Tree {
            mid,
            inner,
            factory,
            pids,
        })
    }
}

/// Sends, defusing what could not be delivered.
fn send(subject: &Subject<Cmd>, cmd: Cmd) {
    if let Err(process::SendError(Cmd::Keep(mut junk) | Cmd::Queued(mut junk))) =
        subject.try_send(cmd)
    {
        junk.defuse();
    }
}

async fn holder(name: &Name<Cmd>, seed: u64) -> Pid {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(pid) = process::whereis(name) {
            return pid;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "seed {seed}: nobody took a name back"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The trapping process outside the tree that links to victims and reports
/// every EXIT it gets.
async fn start_linker(ledger: Subject<Event>) -> (Pid, Subject<(Pid, Subject<bool>)>) {
    let (tx, rx) = flume::bounded(1);
    let pid = process::spawn(async move {
        process::trap_exits(true);
        let requests = Subject::<(Pid, Subject<bool>)>::new();
        tx.send(requests.clone()).unwrap();
        enum In {
            Link(Pid, Subject<bool>),
            Exit(ExitMessage),
        }
        let selector = Selector::new()
            .select_map(&requests, |(pid, ack)| In::Link(pid, ack))
            .select_trapped_exits(In::Exit);
        while let Ok(incoming) = selector.receive_forever().await {
            match incoming {
                In::Link(pid, ack) => ack.send(process::link(pid)),
                In::Exit(exit) => ledger.send(Event::Exit(exit)),
            }
        }
    });
    (pid, rx.recv_async().await.unwrap())
}

/// Load: callers (half with huge timeouts) and senders through the names.
fn start_load(
    names: Vec<Name<Cmd>>,
    stop: Arc<AtomicBool>,
    seed: u64,
) -> Vec<task::Task<(u64, Vec<u64>)>> {
    let next_id = Arc::new(AtomicU64::new(0));
    let mut load = Vec::new();
    for i in 0..6u64 {
        let (names, stop, next_id) = (names.clone(), stop.clone(), next_id.clone());
        load.push(task::spawn(async move {
            let mut rng = Rng(seed ^ (i + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let mut failed = Vec::new();
            let mut done = 0;
            while !stop.load(Ordering::Relaxed) {
                let subject = names[rng.below(names.len())].subject();
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                if i < 4 {
                    let timeout = if i % 2 == 0 { Duration::MAX } else { PATIENCE };
                    match process::call(&subject, timeout, |r| Cmd::Work(id, Some(r))).await {
                        Ok(()) => {}
                        Err(CallError::CalleeExited(_)) => failed.push(id),
                        Err(CallError::NoProcess | CallError::Timeout) => {}
                        Err(other) => panic!("seed {seed}: a call failed with {other:?}"),
                    }
                } else {
                    subject.send(Cmd::Work(id, None));
                    tokio::task::yield_now().await;
                }
                done += 1;
            }
            (done, failed)
        }));
    }
    load
}

/// Whether every tokio worker is free: as many tasks as there are workers must
/// all run at once (each waits, without yielding, for the others). A worker
/// held by a wedged process would leave one of them unstarted.
async fn every_worker_is_free() -> bool {
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    let arrived = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut probes = Vec::new();
    for _ in 0..workers {
        let arrived = arrived.clone();
        probes.push(tokio::spawn(async move {
            arrived.fetch_add(1, Ordering::SeqCst);
            let until = std::time::Instant::now() + PATIENCE;
            while arrived.load(Ordering::SeqCst) < workers {
                if std::time::Instant::now() > until {
                    return false;
                }
                std::thread::yield_now();
            }
            true
        }));
    }
    let mut all = true;
    for probe in probes {
        all &= probe.await.unwrap();
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_at_random_in_a_tree_under_load() {
    let seed = std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("chaos: seed {seed} (CHAOS_SEED={seed} replays it)");
    let summary = within(LIMIT, async move {
        let me = process::self_pid();
        let baseline: BTreeSet<Pid> = process::list().into_iter().collect();
        let ledger = Subject::<Event>::new();
        let shared = Shared {
            answered: Arc::default(),
            ledger: ledger.clone(),
        };
        let named: Vec<Name<Cmd>> = (0..4).map(|_| Name::new("chaos-w")).collect();
        let made: Vec<Name<Cmd>> = (0..FACTORY).map(|_| Name::new("chaos-f")).collect();
        let inner = supervisor::new(Strategy::OneForAll)
            .intensity(100_000)
            .period(Duration::from_secs(1))
            .add(worker_spec("w2", &named[2], &shared))
            .add(worker_spec("w3", &named[3], &shared));
        let mid = supervisor::new(Strategy::OneForOne)
            .intensity(100_000)
            .period(Duration::from_secs(1))
            .add(worker_spec("w0", &named[0], &shared))
            .add(worker_spec("w1", &named[1], &shared))
            .add(inner.child_spec("inner"));
        let template = {
            let shared = shared.clone();
            move |name: Name<Cmd>| start_worker(name, shared.clone())
        };
        let workers = factory::new(template)
            .intensity(100_000)
            .period(Duration::from_secs(1));
        let top = supervisor::new(Strategy::OneForOne)
            .intensity(100_000)
            .period(Duration::from_secs(1))
            .add(mid.child_spec("mid"))
            .add(workers.child_spec("factory"))
            .start()
            .await
            .unwrap();
        process::unlink(top.pid);
        let (linker_pid, linker) = start_linker(ledger.clone()).await;
        let mut chaos = Chaos {
            seed,
            rng: Rng(seed),
            top: top.data,
            named: named.clone(),
            made: made.clone(),
            ledger,
            linker,
            timers: Vec::new(),
            downs: Vec::new(),
            exits: Vec::new(),
            watched: Vec::new(),
            counts: [0; 11],
        };
        let mut tree = chaos.heal().await;

        let stop = Arc::new(AtomicBool::new(false));
        let all_names: Vec<Name<Cmd>> = named.iter().chain(&made).cloned().collect();
        let load = start_load(all_names, stop.clone(), seed);
        let load_pids: BTreeSet<Pid> = load.iter().map(|t| t.pid()).collect();

        for _ in 0..ROUNDS {
            chaos.round(&tree).await;
            tree = chaos.heal().await;
        }

        // The table holds exactly the tree and the test's own processes.
        let mut expected = baseline.clone();
        expected.insert(me);
        expected.insert(linker_pid);
        expected.extend(&load_pids);
        expected.extend(&tree.pids);
        let listed: BTreeSet<Pid> = process::list().into_iter().collect();
        assert_eq!(listed, expected, "seed {seed}: the process table");

        // No call failed for a request that was answered.
        stop.store(true, Ordering::Relaxed);
        let mut calls = 0;
        for mut load in load {
            let (done, failed) = load
                .try_await(PATIENCE)
                .await
                .unwrap_or_else(|e| panic!("seed {seed}: the load: {e:?}"));
            calls += done;
            let answered = chaos_answered(&shared);
            for id in failed {
                assert!(
                    !answered.contains(&id),
                    "seed {seed}: call {id} failed though it was answered"
                );
            }
        }

        // Timers, huge ones included, can be cancelled from a plain thread.
        let timers = std::mem::take(&mut chaos.timers);
        let cancelled = tokio::task::spawn_blocking(move || {
            for timer in &timers {
                let _ = process::cancel_timer(timer);
            }
            timers.len()
        });
        let timers = tokio::time::timeout(PATIENCE, cancelled)
            .await
            .unwrap_or_else(|_| panic!("seed {seed}: cancel_timer hung"))
            .unwrap();

        // No tokio worker is held.
        assert!(
            every_worker_is_free().await,
            "seed {seed}: a tokio worker is held"
        );

        // Stopping the tree leaves nothing.
        process::kill(linker_pid);
        otp::sys::terminate(chaos.top.pid(), PATIENCE, ExitReason::Shutdown)
            .await
            .unwrap();
        let mut left: BTreeSet<Pid> = process::list().into_iter().collect();
        left.remove(&linker_pid);
        let mut want = baseline;
        want.insert(me);
        // The linker and the load tasks may still be leaving: wait for them.
        for pid in load_pids.iter().chain([&linker_pid]) {
            if process::is_alive(*pid) {
                common::wait_down(*pid).await;
            }
            left.remove(pid);
        }
        assert_eq!(left, want, "seed {seed}: processes left after the stop");
        (chaos.counts, calls, timers)
    })
    .await;
    eprintln!(
        "chaos: seed {seed}: faults {:?}, {} load operations, {} timers",
        summary.0, summary.1, summary.2
    );
}

fn chaos_answered(shared: &Shared) -> HashSet<u64> {
    shared.answered.lock().unwrap().clone()
}
