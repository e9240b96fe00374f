// A handler argument that cannot be sent to another process.
use std::rc::Rc;

use otp::actor;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[cast]
    fn add(&mut self, n: Rc<u64>) {
        self.count += *n;
    }
}

fn main() {}
