//! No leaks: after 100,000 processes have come and gone, the process table and the
//! memory are back where they were. In its own test binary, so that no other test
//! changes the process count meanwhile.

use std::time::Duration;

use otp::process::{self, Selector};

const LIMIT: Duration = Duration::from_secs(120);
const PROCESSES: usize = 100_000;
const BATCH: usize = 10_000;

/// Resident set size in bytes, from /proc (Linux).
fn rss() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Spawns and ends `PROCESSES` processes, each linked to a sibling and monitored,
/// with a name, a subject and a message, and waits for every DOWN.
async fn churn() {
    let downs = Selector::new().select_monitors(|d| d);
    for _ in 0..PROCESSES / BATCH {
        for _ in 0..BATCH {
            let (_, _monitor) = process::spawn_monitor(async {
                let inbox = process::Subject::<u64>::new();
                inbox.send(1);
                let name = process::Name::<u64>::new("leak");
                process::register(process::self_pid(), &name).unwrap();
                let partner = process::spawn_link(async {});
                let _ = process::link(partner);
            });
        }
        for _ in 0..BATCH {
            downs.receive(Duration::from_secs(10)).await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_processes_leave_nothing_behind() {
    let run = process::run(async {
        let me = process::self_pid();
        let before: Vec<_> = process::list().into_iter().filter(|p| *p != me).collect();
        let baseline = rss();
        churn().await;
        let first = rss();
        churn().await;
        let second = rss();
        // Linked partners may still be finishing after the last DOWN: wait for
        // each one still listed.
        for pid in process::list() {
            if pid != me && !before.contains(&pid) {
                let m = process::monitor(pid);
                Selector::new()
                    .select_monitor(m, |d| d)
                    .receive(Duration::from_secs(10))
                    .await
                    .unwrap();
            }
        }
        let after: Vec<_> = process::list().into_iter().filter(|p| *p != me).collect();
        assert_eq!(after, before, "processes leaked");
        assert_eq!(process::info(me).unwrap().message_queue_len, 0);
        assert!(process::info(me).unwrap().monitors.is_empty());
        (baseline, first, second)
    });
    let (baseline, first, second) = tokio::time::timeout(LIMIT, run).await.unwrap().unwrap();
    if let (Some(baseline), Some(first), Some(second)) = (baseline, first, second) {
        let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
        eprintln!(
            "RSS: baseline {:.1} MiB, after 100k {:.1} MiB, after 200k {:.1} MiB",
            mib(baseline),
            mib(first),
            mib(second)
        );
        // The allocator may keep what the first round freed; a leak would make
        // the second round grow by about as much again.
        assert!(
            second < first + first.saturating_sub(baseline) / 2 + (8 << 20),
            "RSS grew from {first} to {second} bytes over a second round"
        );
    }
}
