//! Erlang distribution for `otp`: a Rust node that Erlang, Elixir and Gleam nodes
//! talk to as one of their own.
//!
//! A [`Node`] has a name (`name@host`) and a cookie, registers with EPMD (or runs
//! a built-in registry when none is running), and accepts and makes connections
//! with the distribution protocol of OTP 23 and later (handshake version 6).
//! Local processes become reachable with [`Node::inbox`] and [`Node::register`];
//! remote ones are [`term::ExternalPid`]s on the wire that [`Node::send`],
//! [`Node::call`], [`Node::link`] and [`Node::monitor`] work with, and
//! `otp_core::process::Pid`s ([`Node::pid_of`]) that `process::link`,
//! `monitor`, `demonitor`, `send_exit` and `kill` work with as with local
//! ones: DOWNs and trapped EXITs arrive in the ordinary mailbox, `noconnection`
//! when the node goes down.
//!
//! ```no_run
//! use std::time::Duration;
//! use otp_dist::{Incoming, Node, term::Term};
//!
//! # otp_core::runtime::block_on(async {
//! let node = Node::builder("r@127.0.0.1").cookie("secret").start().await.unwrap();
//! let inbox = node.inbox();
//! node.register("echo", inbox.owner());
//! // In erl: {echo, 'r@127.0.0.1'} ! {self(), hello}.
//! if let Ok(Incoming::Message(msg)) = otp_core::process::receive(&inbox, Duration::from_secs(60)).await {
//!     if let Some([Term::Pid(from), what]) = msg.as_tuple() {
//!         node.send(from, what.clone());
//!     }
//! }
//! # }).unwrap();
//! ```
//!
//! Security: the cookie only authenticates (a challenge/response with MD5); it
//! is not encryption. Anyone who can reach the port and knows the cookie can run
//! anything on an Erlang node of the cluster. Keep distribution on trusted
//! networks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod conn;
pub mod control;
pub mod epmd;
pub mod expose;
pub mod flags;
pub mod handshake;
mod node;
pub mod reason;
mod remote;
mod route;
pub mod term;

pub use expose::Request;
pub use node::{Builder, CallError, CallTarget, ConnectError, Node, NodeError, NodeEvent};
pub use route::{Incoming, Monitored, ReplyTo};
