//! The facade's side of what the macros' generated code calls: the runtime's
//! helpers, and the second step of `#[actor]`. Not a public API.

pub use otp_core::__private::*;
pub use otp_macros::__actor_impl as actor_impl;
