//! Helpers shared by the integration tests: the public `otp::testing` module.

// Each test crate uses its own subset of these.
#![allow(unused_imports)]

pub use otp::testing::{WAIT, down_of, wait_down, within};

use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Runs `future` to completion on this thread, without any runtime (as code
/// that cannot await, such as a `Drop`, would).
#[allow(dead_code)]
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
            return value;
        }
        std::thread::park();
    }
}
