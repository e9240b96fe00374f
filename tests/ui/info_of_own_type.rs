use otp::actor;

#[actor]
struct Watcher {
    seen: u64,
}

#[actor]
impl Watcher {
    #[info]
    fn other(&mut self, message: String) {
        let _ = message;
        self.seen += 1;
    }
}

fn main() {}
