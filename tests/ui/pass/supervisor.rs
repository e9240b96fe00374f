//! Every option `supervisor!` accepts.
use std::time::Duration;

use otp::process::Name;
use otp::{actor, supervisor};

#[actor]
pub struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[call]
    pub fn get(&self) -> u64 {
        self.count
    }
}

fn main() {
    let name = Name::new("c");
    let _builder: otp::supervisor::Builder = supervisor! {
        strategy: RestForOne,
        intensity: 5,
        period: Duration::from_secs(10),
        auto_shutdown: AnySignificant,
        name: Name::new("top"),
        children: [
            plain { start: Counter { count: 0 } },
            named { start: Counter { count: 1 }, name: name.clone(), restart: Transient, significant: true },
            "built" { start: Counter::builder(Counter { count: 2 }), shutdown: Infinity },
            hand { start: otp::actor::new(0u8).on_message(|n, _: ()| otp::actor::Next::Continue(n)) },
            tree {
                start: supervisor! { strategy: OneForAll, children: [] },
                shutdown: Timeout(Duration::from_secs(1)),
                restart: Permanent,
                name: Name::new("inner"),
            },
            last { start: Counter { count: 3 }, shutdown: BrutalKill, restart: Temporary },
        ],
    };
}
