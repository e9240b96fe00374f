//! Ordering under load: a DOWN or trapped EXIT from a process is never observed
//! before a message that process sent before it died, across both cores.

use std::time::Duration;

use otp::process::{self, ExitReason, Selector, Subject};

const LIMIT: Duration = Duration::from_secs(60);
const WAIT: Duration = Duration::from_secs(5);
const ROUNDS: u32 = 20_000;
const BURST: u32 = 5;

#[derive(Debug, PartialEq)]
enum Seen {
    Message(u32, u32),
    Down(ExitReason),
    Exit(ExitReason),
}

async fn rounds(trap: bool) {
    if trap {
        process::trap_exits(true);
    }
    let inbox = Subject::<(u32, u32)>::new();
    for round in 0..ROUNDS {
        let to_me = inbox.clone();
        let crash = round % 2 == 0;
        let body = async move {
            for i in 0..BURST {
                to_me.send((round, i));
            }
            if crash {
                process::exit(ExitReason::abnormal("crash")).await;
            }
        };
        let selector = Selector::new().select_map(&inbox, |(r, i)| Seen::Message(r, i));
        let selector = if trap {
            process::spawn_link(body);
            selector.select_trapped_exits(|e| Seen::Exit(e.reason))
        } else {
            process::spawn_monitor(body);
            selector.select_monitors(|d| Seen::Down(d.reason))
        };
        for i in 0..BURST {
            let seen = selector.receive(WAIT).await.unwrap();
            assert_eq!(seen, Seen::Message(round, i), "round {round}");
        }
        let expected = if crash {
            ExitReason::abnormal("crash")
        } else {
            ExitReason::Normal
        };
        let last = selector.receive(WAIT).await.unwrap();
        if trap {
            assert_eq!(last, Seen::Exit(expected));
        } else {
            assert_eq!(last, Seen::Down(expected));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_come_before_the_down_of_their_sender() {
    let run = process::run(rounds(false));
    tokio::time::timeout(LIMIT, run).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_come_before_the_trapped_exit_of_their_sender() {
    let run = process::run(rounds(true));
    tokio::time::timeout(LIMIT, run).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_senders_at_once_each_keep_their_order() {
    const SENDERS: u32 = 50;
    const EACH: u32 = 2_000;
    let run = process::run(async {
        let inbox = Subject::<(u32, u32)>::new();
        let mut monitors = Vec::new();
        for sender in 0..SENDERS {
            let to_me = inbox.clone();
            let (_, m) = process::spawn_monitor(async move {
                for i in 0..EACH {
                    to_me.send((sender, i));
                    if i % 64 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            });
            monitors.push(m);
        }
        let mut next = vec![0; SENDERS as usize];
        let mut downs = 0;
        let selector = Selector::new()
            .select_map(&inbox, Some)
            .select_monitors(|_| None);
        while downs < SENDERS {
            match selector.receive(WAIT).await.unwrap() {
                Some((sender, i)) => {
                    assert_eq!(next[sender as usize], i, "sender {sender} out of order");
                    next[sender as usize] += 1;
                }
                None => downs += 1,
            }
        }
        assert!(next.iter().all(|n| *n == EACH));
    });
    tokio::time::timeout(LIMIT, run).await.unwrap().unwrap();
}
