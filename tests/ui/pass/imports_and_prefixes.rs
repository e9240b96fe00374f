// The module and the macro imported together (no E0252), enum prefixes in
// `supervisor!` values, an explicit `crate` path, and a `pub(crate)` actor whose
// unused generated functions raise no dead-code warning.
#![deny(warnings)]

use std::time::Duration;

use otp::actor;
use otp::supervisor::{self, ChildSpec, Strategy, supervisor};

#[actor]
pub(crate) struct Counter {
    count: u64,
}

#[actor(crate = ::otp)]
impl Counter {
    #[call]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {
    let tree = supervisor! {
        crate: ::otp,
        strategy: Strategy::OneForAll,
        auto_shutdown: supervisor::AutoShutdown::Never,
        children: [
            counter {
                start: Counter { count: 0 },
                restart: Restart::Transient,
                shutdown: Shutdown::Timeout(Duration::from_secs(1)),
            },
        ],
    };
    let by_hand = supervisor::new(Strategy::OneForOne)
        .add(ChildSpec::worker("counter", || Counter { count: 0 }.builder().start()));
    let _ = (tree, by_hand);
    otp::runtime::block_on(async {
        let counter = Counter { count: 3 }.start().await.unwrap();
        assert_eq!(counter.get().await, Ok(3));
    })
    .unwrap();
}
