use otp::actor;

#[actor]
struct Pool {
    size: usize,
}

#[actor]
impl Pool {
    #[init]
    fn init(&self, size: usize) -> Self {
        Pool { size }
    }

    #[call]
    fn size(&self) -> usize {
        self.size
    }
}

fn main() {}
