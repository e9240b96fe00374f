// Two value errors in a `supervisor!` used as an expression: both are reported
// with their suggestion, and nothing else (the expression still type-checks).
use otp::actor;
use otp::supervisor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[call]
    fn get(&self) -> u64 {
        self.count
    }
}

async fn start() {
    let _tree = supervisor! {
        strategy: OneForAl,
        children: [
            counter { start: Counter { count: 0 }, restart: Transiant },
        ],
    }
    .start()
    .await
    .unwrap();
}

fn main() {
    let _ = start();
}
