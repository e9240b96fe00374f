//! A counter actor in the builder style: casts, a call, sys, a clean stop.
//!
//! `cargo run --example counter`

use std::time::Duration;

use otp::actor::{self, Next};
use otp::process::{self, Subject};

/// What the counter understands.
#[derive(Debug)]
enum Counter {
    /// Add to the count (a cast: no reply).
    Add(i64),
    /// Reply with the count (a call).
    Get(Subject<i64>),
    /// Stop normally.
    Stop,
}

fn handle(count: i64, message: Counter) -> Next<i64, Counter> {
    match message {
        Counter::Add(n) => Next::Continue(count + n),
        Counter::Get(reply) => {
            reply.send(count);
            Next::Continue(count)
        }
        Counter::Stop => Next::stop(count),
    }
}

fn main() {
    otp::runtime::block_on(async {
        let counter = actor::new(0)
            .on_message(handle)
            .on_terminate(|count, reason| println!("counter stopping at {count}: {reason}"))
            .debug_state()
            .start()
            .await
            .expect("the counter starts");
        let subject = counter.data;
        for n in 1..=10 {
            subject.send(Counter::Add(n));
        }
        let total = process::call(&subject, Duration::from_secs(1), Counter::Get).await;
        println!("1 + 2 + ... + 10 = {}", total.unwrap());
        let state = otp::sys::get_state(counter.pid, Duration::from_secs(1)).await;
        println!("sys::get_state says {}", state.unwrap());
        subject.send(Counter::Stop);
        let m = process::monitor(counter.pid);
        let down = process::Selector::new()
            .select_monitor(m, |down| down)
            .receive(Duration::from_secs(1))
            .await;
        println!("counter exited: {}", down.unwrap().reason);
    })
    .unwrap();
}
