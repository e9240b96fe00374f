//! A crate that depends on the facade under another name (`my_otp`) and uses the
//! macros without `crate = ...`: they must find the runtime as `::my_otp`.

use std::time::Duration;

use my_otp::macros::Flow;
use my_otp::process::Name;
use my_otp::{actor, supervisor};

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

    /// Stops abnormally, so that its supervisor restarts it.
    #[cast]
    pub fn crash(&mut self) -> Flow {
        Flow::stop_abnormal("asked to crash")
    }
}

/// A tree with one counter registered under `name`.
pub fn tree(name: &Name<CounterMsg>) -> my_otp::supervisor::Builder {
    supervisor! {
        strategy: OneForOne,
        intensity: 3,
        period: Duration::from_secs(5),
        children: [
            counter { start: Counter { count: 10 }, name: name.clone() },
            inner { start: supervisor! { strategy: OneForAll, children: [] } },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use my_otp::process::{self, Selector};

    const LIMIT: Duration = Duration::from_secs(20);

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_macros_work_through_a_renamed_facade() {
        let run = process::run(async {
            let name = Name::new("renamed_counter");
            let tree = tree(&name).start().await.unwrap();
            let counter = CounterRef::named(&name);
            counter.add(5);
            assert_eq!(counter.get().await, Ok(15));
            // Crashed, it is restarted with a fresh state under the same name.
            let before = counter.pid();
            let monitor = process::monitor(before);
            counter.crash();
            Selector::new()
                .select_monitor(monitor, |down| down)
                .receive(Duration::from_secs(5))
                .await
                .unwrap();
            // The supervisor got the counter's EXIT before we got its DOWN (links
            // are signalled first), so it has restarted it when it answers.
            let children = tree.data.which_children().await.unwrap();
            assert_eq!(children.len(), 2);
            assert_eq!(counter.get().await, Ok(10));
            assert_ne!(counter.pid(), before);
            tree.data.stop().await.unwrap();
        });
        let outcome = tokio::time::timeout(LIMIT, run).await;
        outcome.expect("the test timed out").unwrap();
    }
}
