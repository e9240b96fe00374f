//! Erlang distribution for `otp`: a Rust node that Erlang, Elixir and Gleam nodes
//! talk to as one of their own.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod term;
