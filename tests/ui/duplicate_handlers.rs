use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[cast]
    fn add(&mut self, n: u64) {
        self.count += n;
    }

    #[cast]
    fn add(&mut self, n: u32) {
        self.count += u64::from(n);
    }
}

fn main() {}
