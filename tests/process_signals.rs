//! Links, monitors, exit signals, trap exits, kill and panics.

use std::time::Duration;

use otp::process::{self, ExitMessage, ExitReason, Selector, Subject};

mod common;
use common::{WAIT, down_of, within};

const LIMIT: Duration = Duration::from_secs(10);

async fn next_exit() -> ExitMessage {
    Selector::new()
        .select_trapped_exits(|e| e)
        .receive(WAIT)
        .await
        .expect("an EXIT")
}

/// A process that waits forever.
fn idle() -> impl Future<Output = ()> + Send + 'static {
    std::future::pending()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitors_report_every_kind_of_reason() {
    within(LIMIT, async {
        let (_, m) = process::spawn_monitor(async {});
        assert_eq!(down_of(m).await.reason, ExitReason::Normal);

        let (_, m) = process::spawn_monitor(async {
            process::exit(ExitReason::abnormal("bad")).await;
        });
        assert_eq!(down_of(m).await.reason, ExitReason::abnormal("bad"));

        let (_, m) = process::spawn_monitor(async { panic!("oh no") });
        match down_of(m).await.reason {
            ExitReason::Panic(p) => {
                assert_eq!(&*p.message, "oh no");
                assert!(p.location.unwrap().contains("process_signals.rs"));
            }
            other => panic!("expected a panic, got {other:?}"),
        }

        let (victim, m) = process::spawn_monitor(idle());
        process::kill(victim);
        let down = down_of(m).await;
        assert_eq!((down.pid, down.reason), (victim, ExitReason::Killed));

        // A dead pid gives NoProc at once.
        let m = process::monitor(victim);
        assert_eq!(down_of(m).await.reason, ExitReason::NoProc);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demonitor_removes_the_monitor_and_flushes_a_delivered_down() {
    within(LIMIT, async {
        // Removed before the exit: no DOWN ever.
        let (pid, m) = process::spawn_monitor(idle());
        assert!(process::demonitor(m));
        let m2 = process::monitor(pid);
        process::kill(pid);
        down_of(m2).await;
        assert_eq!(process::flush(), 0);

        // Delivered already: demonitor flushes it.
        let (pid, m) = process::spawn_monitor(async {});
        let m2 = process::monitor(pid);
        down_of(m2).await; // the first DOWN is queued by now (same sender, earlier)
        assert!(!process::demonitor(m));
        assert_eq!(
            process::info(process::self_pid())
                .unwrap()
                .message_queue_len,
            0
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abnormal_exits_propagate_through_links_and_normal_ones_do_not() {
    within(LIMIT, async {
        // A chain watcher -> a -> b: b crashes, a dies of it with the same reason.
        let ready = Subject::<process::Pid>::new();
        let to_me = ready.clone();
        let a = process::spawn(async move {
            let b = process::spawn_link(async {
                process::exit(ExitReason::abnormal("b failed")).await;
            });
            to_me.send(b);
            std::future::pending::<()>().await;
        });
        let m = process::monitor(a);
        let _b = process::receive(&ready, WAIT).await.unwrap();
        assert_eq!(down_of(m).await.reason, ExitReason::abnormal("b failed"));

        // A normal exit does not take linked processes down. A DOWN is sent after
        // the exit signals to links, so once the child's DOWN is here, the
        // survivor has had the child's normal exit signal.
        let children = Subject::<process::Pid>::new();
        let to_me = children.clone();
        let survivor = process::spawn(async move {
            let child = process::spawn_link(async {
                std::future::pending::<()>().await;
            });
            to_me.send(child);
            std::future::pending::<()>().await;
        });
        let child = process::receive(&children, WAIT).await.unwrap();
        let m = process::monitor(child);
        process::send_exit(child, ExitReason::Normal); // ignored: not trapping
        assert!(process::is_alive(child));
        process::send_exit(child, ExitReason::Shutdown);
        // Shutdown is abnormal for links: the survivor dies of it too.
        assert_eq!(down_of(m).await.reason, ExitReason::Shutdown);
        assert!(!process::is_alive(survivor));

        let quiet = process::spawn(async move {
            process::spawn_link(async {});
            std::future::pending::<()>().await;
        });
        let watcher = process::monitor(quiet);
        // Wait for the child's normal exit through a trapped link of our own.
        process::trap_exits(true);
        assert!(process::link(quiet));
        let info = process::info(quiet).unwrap();
        for child in info.links.iter().filter(|p| **p != process::self_pid()) {
            let m = process::monitor(*child);
            assert_eq!(down_of(m).await.reason, ExitReason::Normal);
        }
        assert!(
            process::is_alive(quiet),
            "a normal exit must not kill links"
        );
        process::send_exit(quiet, ExitReason::abnormal("stop"));
        assert_eq!(down_of(watcher).await.reason, ExitReason::abnormal("stop"));
        let exit = next_exit().await;
        assert_eq!(
            (exit.pid, exit.reason),
            (quiet, ExitReason::abnormal("stop"))
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trapping_turns_exit_signals_into_messages() {
    within(LIMIT, async {
        assert!(!process::trap_exits(true));
        let child = process::spawn_link(async { panic!("child") });
        let exit = next_exit().await;
        assert_eq!(exit.pid, child);
        assert!(matches!(exit.reason, ExitReason::Panic(_)));

        let normal = process::spawn_link(async {});
        let exit = next_exit().await;
        assert_eq!((exit.pid, exit.reason), (normal, ExitReason::Normal));

        // send_exit with any reason, even normal, is a message while trapping.
        let me = process::self_pid();
        let sender = process::spawn(async move {
            process::send_exit(me, ExitReason::Normal);
            process::send_exit(me, ExitReason::Shutdown);
        });
        let first = next_exit().await;
        let second = next_exit().await;
        assert_eq!((first.pid, first.reason), (sender, ExitReason::Normal));
        assert_eq!((second.pid, second.reason), (sender, ExitReason::Shutdown));
        assert!(process::trap_exits(false));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_exit_follows_erlang_exit_2() {
    within(LIMIT, async {
        // normal is ignored by a process that does not trap.
        let pid = process::spawn(idle());
        process::send_exit(pid, ExitReason::Normal);
        assert!(process::is_alive(pid));
        // any other reason kills it with that reason.
        let m = process::monitor(pid);
        process::send_exit(pid, ExitReason::abnormal("go"));
        assert_eq!(down_of(m).await.reason, ExitReason::abnormal("go"));
        // kill cannot be trapped; the victim's links see Killed.
        process::trap_exits(true);
        let trapper = process::Builder::new().trap_exits().spawn(idle()).pid;
        assert!(process::link(trapper));
        process::kill(trapper);
        assert!(!process::is_alive(trapper), "dead as soon as kill returns");
        let exit = next_exit().await;
        assert_eq!((exit.pid, exit.reason), (trapper, ExitReason::Killed));
        // exit(self, normal) ends the caller.
        let (_, m) = process::spawn_monitor(async {
            process::send_exit(process::self_pid(), ExitReason::Normal);
            std::future::pending::<()>().await;
        });
        assert_eq!(down_of(m).await.reason, ExitReason::Normal);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_victim_blocked_in_receive_dies_at_once_without_draining_its_queue() {
    within(LIMIT, async {
        let handled = Subject::<u32>::new();
        let report = handled.clone();
        let ready = Subject::<Subject<u32>>::new();
        let to_me = ready.clone();
        let (victim, m) = process::spawn_monitor(async move {
            let inbox = Subject::<u32>::new();
            to_me.send(inbox.clone());
            // Waits for a "go" message that never comes, then would handle all.
            let go = Subject::<()>::new();
            let _ = process::receive_forever(&go).await;
            while let Ok(n) = process::receive(&inbox, Duration::ZERO).await {
                report.send(n);
            }
        });
        let inbox = process::receive(&ready, WAIT).await.unwrap();
        for n in 0..10_000 {
            inbox.send(n);
        }
        process::send_exit(victim, ExitReason::abnormal("now"));
        assert_eq!(down_of(m).await.reason, ExitReason::abnormal("now"));
        assert_eq!(
            process::receive(&handled, Duration::ZERO).await,
            Err(process::ReceiveError::Timeout)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlink_stops_propagation_and_dead_pids_are_harmless() {
    within(LIMIT, async {
        let pid = process::spawn(idle());
        assert!(process::link(pid));
        assert_eq!(process::info(pid).unwrap().links, vec![process::self_pid()]);
        process::unlink(pid);
        assert!(process::info(pid).unwrap().links.is_empty());
        let m = process::monitor(pid);
        process::send_exit(pid, ExitReason::abnormal("alone"));
        down_of(m).await;
        // Everything on a dead pid is a quiet no-op or a `false`.
        assert!(!process::link(pid));
        process::unlink(pid);
        process::kill(pid);
        process::send_exit(pid, ExitReason::abnormal("again"));
        assert!(!process::is_alive(pid));
        assert!(process::info(pid).is_none());
        // We survived all of it.
        assert!(process::is_alive(process::self_pid()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn process_info_shows_links_monitors_and_flags() {
    within(LIMIT, async {
        let me = process::self_pid();
        let pid = process::spawn(idle());
        process::link(pid);
        let m = process::monitor(pid);
        process::trap_exits(true);
        let mine = process::info(me).unwrap();
        assert_eq!(mine.links, vec![pid]);
        assert_eq!(mine.monitors, vec![pid]);
        assert!(mine.trap_exit);
        let theirs = process::info(pid).unwrap();
        assert_eq!(theirs.monitored_by, vec![me]);
        assert!(!theirs.trap_exit);
        assert!(process::list().contains(&pid));
        process::demonitor(m);
        process::kill(pid);
        let exit = next_exit().await;
        assert_eq!(exit.reason, ExitReason::Killed);
        assert!(!process::list().contains(&pid));
        assert!(process::info(me).unwrap().links.is_empty());
    })
    .await;
}
