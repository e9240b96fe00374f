use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[call(timeout = 5)]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
