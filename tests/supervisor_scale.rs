//! Many children under one supervisor: Erlang/OTP's supervisor_SUITE
//! `scale_start_stop_many_children` starts 1,000 and then 100,000 children
//! (one_for_one, `start_child` then `terminate_child` by id) and requires the
//! large run to take less than 1,000 times the small one, i.e. near-linear
//! growth. Here the same for a one_for_one supervisor and for a factory (whose
//! children are stopped all at once when it stops, `terminate_dynamic_children`).
//!
//! The test asserts behaviour only (every child started, found, stopped, and
//! gone) and bounds the whole run with a generous timeout; the measured times
//! and their ratio are printed (`--nocapture`), not asserted. `OTP_SCALE_N`
//! sets the large count (default 20,000 to keep the debug suite short; the
//! README gives figures for 100,000 in release). With `OTP_SCALE_TRACE=1`
//! a `tracing` subscriber takes every event at debug level (formatted, then
//! written to a sink), to measure what the supervisor's reports cost.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use otp::actor::{self, Next, Started};
use otp::process::{self, ExitReason, Monitor, Pid, Selector, Subject};
use otp::supervisor::{self, ChildSpec, Restart, Strategy, factory};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(300);

fn large() -> usize {
    std::env::var("OTP_SCALE_N")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000)
}

async fn idle() -> Result<Started<Subject<()>>, actor::StartError> {
    actor::new(())
        .on_message(|(), ()| Next::Continue(()))
        .start()
        .await
}

/// Starts `n` children one by one, checks them with `count_children` and
/// `get_childspec`, terminates each by id, and returns the start and stop times.
async fn one_for_one_round(n: usize) -> (Duration, Duration) {
    let sup = supervisor::new(Strategy::OneForOne)
        .intensity(0)
        .period(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    process::unlink(sup.pid);
    let sup = sup.data;
    let t = Instant::now();
    for i in 0..n {
        let spec = ChildSpec::worker(format!("c{i}"), idle).restart(Restart::Permanent);
        sup.start_child(spec).await.unwrap();
    }
    let started = t.elapsed();
    let count = sup.count_children().await.unwrap();
    assert_eq!((count.specs, count.active), (n, n));
    // A lookup by id at the far end.
    let last = format!("c{}", n - 1);
    assert_eq!(sup.get_childspec(&last).await.unwrap().id(), last);
    let t = Instant::now();
    for i in 0..n {
        sup.terminate_child(&format!("c{i}")).await.unwrap();
    }
    let stopped = t.elapsed();
    let count = sup.count_children().await.unwrap();
    assert_eq!((count.specs, count.active), (n, 0));
    let m = process::monitor(sup.pid());
    sup.stop().await.unwrap();
    assert_eq!(down_of(m).await.reason, ExitReason::Normal);
    (started, stopped)
}

/// Starts `n` factory children, terminates half of them by pid, then stops
/// the factory (the other half all at once) and checks every child is gone.
async fn factory_round(n: usize) -> (Duration, Duration) {
    let f = factory::new(|(): ()| idle()).start().await.unwrap();
    process::unlink(f.pid);
    let f = f.data;
    let t = Instant::now();
    let mut pids: Vec<Pid> = Vec::with_capacity(n);
    for _ in 0..n {
        pids.push(f.start_child(()).await.unwrap().pid);
    }
    let started = t.elapsed();
    assert_eq!(f.count_children().await.unwrap().active, n);
    let mut watch: HashSet<Monitor> = pids.iter().map(|pid| process::monitor(*pid)).collect();
    let t = Instant::now();
    for pid in pids.iter().step_by(2) {
        f.terminate_child(*pid).await.unwrap();
    }
    assert_eq!(f.count_children().await.unwrap().active, n / 2);
    let terminated = t.elapsed();
    let m = process::monitor(f.pid());
    let t2 = Instant::now();
    f.stop().await.unwrap();
    let stopped = t.elapsed();
    println!(
        "  factory of {n}: terminate_child half {terminated:?}, stop the rest {:?}",
        t2.elapsed()
    );
    // Every child exited with `Shutdown`, and the factory normally. (Its DOWN
    // may come before a child's: both are monitors of the child's exit.)
    let downs = Selector::new().select_monitors(|down| down);
    let mut factory_down = None;
    while !watch.is_empty() || factory_down.is_none() {
        let down = downs.receive(WAIT).await.expect("a DOWN");
        if down.monitor == m {
            factory_down = Some(down.reason);
            continue;
        }
        assert!(watch.remove(&down.monitor), "{down:?}");
        assert_eq!(down.reason, ExitReason::Shutdown, "{down:?}");
    }
    assert_eq!(factory_down, Some(ExitReason::Normal));
    (started, stopped)
}

/// How many events the subscriber wrote (each ends with a newline).
static WRITTEN: AtomicUsize = AtomicUsize::new(0);

/// A writer that throws the formatted events away, counting them.
struct Counted;

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let lines = buf.iter().filter(|b| **b == b'\n').count();
        WRITTEN.fetch_add(lines, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn ratio(small: Duration, large: Duration) -> f64 {
    large.as_secs_f64() / small.as_secs_f64().max(1e-9)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_children_under_one_supervisor_start_and_stop_near_linearly() {
    if std::env::var_os("OTP_SCALE_TRACE").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(|| Counted)
            .try_init();
        println!("with a tracing subscriber at debug level");
    }
    within(LIMIT, async {
        let n = large();
        let small = (n / 100).max(10);
        let (s1, t1) = one_for_one_round(small).await;
        let (s2, t2) = one_for_one_round(n).await;
        println!(
            "one_for_one: {small} children start {s1:?} stop {t1:?}; {n} children start {s2:?} \
             stop {t2:?}; ratio start {:.0} stop {:.0} (linear: {})",
            ratio(s1, s2),
            ratio(t1, t2),
            n / small
        );
        let (s1, t1) = factory_round(small).await;
        let (s2, t2) = factory_round(n).await;
        if std::env::var_os("OTP_SCALE_TRACE").is_some() {
            println!("events written: {}", WRITTEN.load(Ordering::Relaxed));
        }
        println!(
            "factory: {small} children start {s1:?} stop {t1:?}; {n} children start {s2:?} \
             stop {t2:?}; ratio start {:.0} stop {:.0} (linear: {})",
            ratio(s1, s2),
            ratio(t1, t2),
            n / small
        );
    })
    .await;
}
