use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[call]
    fn pid(&self) -> u64 {
        self.count
    }
}

fn main() {}
