use otp::actor;

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
}

fn main() {}
