//! Helpers shared by the integration tests: the public `otp::testing` module.

// Each test crate uses its own subset of these.
#![allow(unused_imports)]

pub use otp::testing::{WAIT, down_of, wait_down, within};
