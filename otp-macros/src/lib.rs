//! Procedural macros for `otp`: `#[actor]` and `supervisor!`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
