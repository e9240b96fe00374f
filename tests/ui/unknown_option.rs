use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

#[actor(debgu)]
impl Counter {
    #[call]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
