use otp::actor;

#[actor(debug)]
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

fn main() {}
