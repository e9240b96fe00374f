// `#[actor]` on the struct, but not on its impl block.
use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

impl Counter {
    #[call]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
