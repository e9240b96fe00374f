//! A counter actor and a small supervision tree, written with the macros.
//!
//! `cargo run --example macro_counter`
//!
//! The same counter in the builder style is in the `otp::macros` docs ("What it
//! generates, by hand").

use std::time::Duration;

use otp::macros::Flow;
use otp::process::{self, Name, Selector};
use otp::{actor, supervisor};

/// A counter that can be told to crash.
#[actor]
#[derive(Debug)]
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

    /// The count so far.
    #[call]
    pub fn get(&self) -> u64 {
        self.count
    }

    /// Crashes the actor (its supervisor restarts it with a fresh state).
    #[cast]
    pub fn crash(&mut self) -> Flow {
        Flow::stop_abnormal("asked to crash")
    }
}

fn main() {
    otp::runtime::block_on(async {
        // On its own: start it and use the typed handle.
        let counter = Counter { count: 0 }.start().await.unwrap();
        counter.add(2);
        counter.add(40);
        println!(
            "the counter {} counts {:?}",
            counter.pid(),
            counter.get().await
        );

        // In a tree: a named counter under a supervisor.
        let name = Name::new("counter");
        let tree = supervisor! {
            strategy: OneForOne,
            intensity: 3,
            period: Duration::from_secs(5),
            children: [
                counter { start: Counter { count: 100 }, name: name.clone() },
            ],
        }
        .start()
        .await
        .unwrap();
        let named = CounterRef::named(&name);
        named.add(1);
        let before = named.pid();
        println!("supervised counter {before}: {:?}", named.get().await);

        // Crash it; the supervisor starts a new one under the same name.
        let monitor = process::monitor(before);
        named.crash();
        let down = Selector::new()
            .select_monitor(monitor, |down| down)
            .receive(Duration::from_secs(5))
            .await
            .unwrap();
        println!("{before} went down: {}", down.reason);
        let children = tree.data.which_children().await.unwrap();
        println!(
            "restarted as {:?}, count {:?} (a fresh state)",
            children[0].pid,
            named.get().await
        );
    })
    .unwrap();
}
