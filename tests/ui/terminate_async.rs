use otp::actor;
use otp::process::ExitReason;

#[actor]
struct Conn {
    open: bool,
}

#[actor]
impl Conn {
    #[cast]
    fn close(&mut self) {
        self.open = false;
    }

    #[terminate]
    async fn terminate(&mut self, reason: &ExitReason) {
        let _ = reason;
        self.open = false;
    }
}

fn main() {}
