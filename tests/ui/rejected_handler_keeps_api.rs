// One rejected handler: only its error shows. The enum, the handle and the start
// functions are still generated from the other handlers, so the uses below
// (start, a call, a supervisor child) raise nothing more.
use otp::actor;
use otp::supervisor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[cast]
    fn add(self, n: u64) {
        let _ = (self.count, n);
    }

    #[call]
    fn get(&self) -> u64 {
        self.count
    }
}

async fn run() {
    let counter = Counter { count: 0 }.start().await.unwrap();
    let _ = counter.get().await;
    let _tree = supervisor! {
        children: [counter { start: Counter { count: 0 } }],
    };
}

fn main() {
    let _ = run();
}
