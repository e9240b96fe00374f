//! Chaos: a three-level supervision tree under steady load while workers and inner
//! supervisors are killed at random. Afterwards the tree is whole, the strategies
//! still hold, every processed message was processed exactly once, and once the
//! tree is stopped no process is left. Its own test binary, so that the process
//! count is not disturbed by other tests.

use std::collections::HashMap;
use std::time::Duration;

use otp::actor::{self, Next};
use otp::process::{self, ExitReason, Name, Pid, Selector, Subject};
use otp::supervisor::{self, ChildSpec, Strategy, Supervisor};

const LIMIT: Duration = Duration::from_secs(120);
/// How long the storm lasts; a pace, not a synchronisation.
const STORM: Duration = Duration::from_secs(3);
const WORKERS: usize = 3;

/// xorshift: random enough, and the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below as u64) as usize
    }
}

fn worker(name: Name<u64>, ledger: Subject<(usize, u64)>, index: usize) -> ChildSpec {
    ChildSpec::worker(format!("w{index}"), move || {
        let ledger = ledger.clone();
        actor::new(())
            .on_message(move |(), seq: u64| {
                ledger.send((index, seq));
                Next::Continue(())
            })
            .named(name.clone())
            .start()
    })
}

fn inner(
    strategy: Strategy,
    group: usize,
    names: &[Name<u64>],
    ledger: &Subject<(usize, u64)>,
) -> supervisor::Builder {
    let mut builder = supervisor::new(strategy)
        .intensity(10_000)
        .period(Duration::from_secs(1));
    for (i, name) in names.iter().enumerate() {
        builder = builder.add(worker(name.clone(), ledger.clone(), group * WORKERS + i));
    }
    builder
}

async fn running(sup: &Supervisor) -> Vec<Pid> {
    sup.which_children()
        .await
        .unwrap()
        .into_iter()
        .filter_map(|c| c.pid)
        .collect()
}

async fn wait_down(pid: Pid) {
    let m = process::monitor(pid);
    Selector::new()
        .select_monitor(m, |_| ())
        .receive(Duration::from_secs(10))
        .await
        .unwrap();
}

/// Kills `pid`, a child of `sup`, and checks that `sup` has replaced it.
async fn kill_and_wait_restart(sup: &Supervisor, pid: Pid) {
    process::kill(pid);
    wait_down(pid).await;
    // The child signalled its link (`sup`) before its monitors: once its DOWN is
    // here, the EXIT is queued in `sup` ahead of the next request, and `sup`
    // restarts while handling it.
    let now = running(sup).await;
    assert_eq!(now.len(), WORKERS, "{now:?}");
    assert!(!now.contains(&pid), "{pid} was not replaced");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tree_under_load_and_random_kills_heals_and_leaks_nothing() {
    let run = process::run(async {
        let me = process::self_pid();
        let baseline: Vec<Pid> = process::list().into_iter().filter(|p| *p != me).collect();
        let ledger = Subject::<(usize, u64)>::new();
        let strategies = [
            Strategy::OneForOne,
            Strategy::OneForAll,
            Strategy::RestForOne,
        ];
        let names: Vec<Vec<Name<u64>>> = (0..3)
            .map(|_| (0..WORKERS).map(|_| Name::new("chaos-worker")).collect())
            .collect();
        let mut top = supervisor::new(Strategy::OneForOne)
            .intensity(10_000)
            .period(Duration::from_secs(1));
        for (group, strategy) in strategies.iter().enumerate() {
            top = top.add(
                inner(*strategy, group, &names[group], &ledger).child_spec(format!("s{group}")),
            );
        }
        let top = top.start().await.unwrap();
        process::unlink(top.pid);
        let top = top.data;

        // Steady load: one message after another to every worker, by name.
        let (stop_load, stopped) = flume::bounded::<()>(1);
        let all_names: Vec<Name<u64>> = names.iter().flatten().cloned().collect();
        let load = otp::task::spawn_link(async move {
            let mut seq = 0u64;
            while stopped.try_recv().is_err() {
                for name in &all_names {
                    seq += 1;
                    name.subject().send(seq);
                }
                tokio::task::yield_now().await;
            }
            seq
        });

        // Chaos: random kills of workers (mostly) and inner supervisors.
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let until = tokio::time::Instant::now() + STORM;
        let mut kills = 0usize;
        while tokio::time::Instant::now() < until {
            kills += 1;
            let group = rng.next(3);
            let Ok(sup) = top.child::<Supervisor>(&format!("s{group}")).get().await else {
                tokio::task::yield_now().await;
                continue;
            };
            if rng.next(10) == 0 {
                process::kill(sup.pid());
            } else if let Ok(children) = sup.which_children().await {
                if let Some(pid) = children[rng.next(children.len())].pid {
                    process::kill(pid);
                }
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        stop_load.send(()).unwrap();
        let sent = load.await.unwrap();

        // The tree is whole.
        let inners = {
            let mut inners = Vec::new();
            loop {
                let rows = top.which_children().await.unwrap();
                if rows.iter().all(|r| r.pid.is_some()) {
                    for group in 0..3 {
                        inners.push(
                            top.child::<Supervisor>(&format!("s{group}"))
                                .get()
                                .await
                                .unwrap(),
                        );
                    }
                    break;
                }
                tokio::task::yield_now().await;
            }
            inners
        };
        for sup in &inners {
            while running(sup).await.len() < WORKERS {
                tokio::task::yield_now().await;
            }
        }
        for (group, names) in names.iter().enumerate() {
            let pids = running(&inners[group]).await;
            for (name, pid) in names.iter().zip(&pids) {
                assert_eq!(process::whereis(name), Some(*pid), "names follow restarts");
            }
        }

        // The strategies still hold after the storm.
        let before = running(&inners[1]).await;
        kill_and_wait_restart(&inners[1], before[1]).await;
        let after = running(&inners[1]).await;
        assert!(
            before.iter().zip(&after).all(|(b, a)| b != a),
            "one_for_all restarts all"
        );
        let before = running(&inners[2]).await;
        kill_and_wait_restart(&inners[2], before[1]).await;
        let after = running(&inners[2]).await;
        assert_eq!(before[0], after[0], "rest_for_one keeps the ones before");
        assert!(before[1..].iter().zip(&after[1..]).all(|(b, a)| b != a));
        let before = running(&inners[0]).await;
        kill_and_wait_restart(&inners[0], before[1]).await;
        let after = running(&inners[0]).await;
        assert_eq!((before[0], before[2]), (after[0], after[2]), "one_for_one");

        // Every processed message was processed once.
        let mut seen: HashMap<u64, usize> = HashMap::new();
        while let Ok((_, seq)) = process::receive(&ledger, Duration::ZERO).await {
            *seen.entry(seq).or_default() += 1;
            assert!(seq <= sent);
        }
        assert!(
            seen.values().all(|n| *n == 1),
            "a message was processed twice"
        );
        assert!(!seen.is_empty(), "the load got through");

        // Stop the tree: nothing is left.
        otp::sys::terminate(top.pid(), Duration::from_secs(30), ExitReason::Shutdown)
            .await
            .unwrap();
        let after: Vec<Pid> = process::list().into_iter().filter(|p| *p != me).collect();
        assert_eq!(after, baseline, "processes leaked");
        (kills, sent, seen.len())
    });
    let (kills, sent, processed) = tokio::time::timeout(LIMIT, run).await.unwrap().unwrap();
    eprintln!("chaos: {kills} kills, {sent} messages sent, {processed} processed exactly once");
}
