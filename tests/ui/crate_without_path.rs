use otp::actor;

#[actor]
struct Worker {
    jobs: u64,
}

#[actor(crate)]
impl Worker {
    #[cast]
    fn run(&mut self) {
        self.jobs += 1;
    }
}

fn main() {}
