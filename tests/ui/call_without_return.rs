use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[call]
    fn get(&self) {
        let _ = self.count;
    }
}

fn main() {}
