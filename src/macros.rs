//! The macros: `#[actor]` and `supervisor!`, and what they write for you.
//!
//! Both macros generate only what you could write by hand with [`actor`](mod@crate::actor)
//! and [`supervisor`](mod@crate::supervisor); this page shows, for each generated item, the
//! hand-written equivalent, so that you can always drop down a level.
//!
//! # `#[actor]`
//!
//! Put `#[actor]` on a struct with named fields (the state) and on its impl
//! block, after the struct. Mark handlers:
//!
//! | marker | signature | becomes |
//! |---|---|---|
//! | `#[call]` | `fn get(&self, ...) -> R` | `CounterRef::get(...) -> Result<R, CallError>` (async) and `get_blocking` |
//! | `#[cast]` | `fn add(&mut self, ...)` | `CounterRef::add(...)`, sends and returns at once |
//! | `#[info]` | `fn down(&mut self, d: Down)` | receives monitors' `Down`s (or `ExitMessage`: trapped exits, the actor then traps exits; or `Unexpected`: anything else) |
//! | `#[init]` | `fn init(args...) -> Result<Self, E>` | runs in the actor's process; `start(args...)`, an `Err` is `StartError::InitFailed`, the error kept with its type (`E`: any error type, `String` or `&str`) |
//! | `#[terminate]` | `fn terminate(&mut self, reason: &ExitReason)` | gen_server's `terminate/2` |
//!
//! Handlers take `&self` or `&mut self` and may be `async`. A call replies with
//! what it returns (a `Result` is a reply like any other), or returns a
//! [`ReplyAndStop`] to reply and then stop. A cast or info handler returns
//! nothing, a [`Flow`], or a `Result<(), E>` (an `Err` stops the actor with
//! `ExitReason::Abnormal(e.to_string())`). `#[actor(debug)]` on the impl block
//! describes the state and messages with `Debug` in `sys` replies and crash
//! reports (the builder's `debug_state`).
//!
//! ```
//! use otp::actor;
//!
//! /// Counts.
//! #[actor]
//! #[derive(Debug)]
//! pub struct Counter {
//!     count: u64,
//! }
//!
//! #[actor(debug)]
//! impl Counter {
//!     /// Adds `n`.
//!     #[cast]
//!     pub fn add(&mut self, n: u64) {
//!         self.count += n;
//!     }
//!
//!     /// The count so far.
//!     #[call]
//!     pub fn get(&self) -> u64 {
//!         self.count
//!     }
//! }
//!
//! # otp::runtime::block_on(async {
//! let counter = Counter { count: 0 }.start().await.unwrap();
//! counter.add(2);
//! counter.add(40);
//! assert_eq!(counter.get().await, Ok(42));
//! # }).unwrap();
//! ```
//!
//! ## What it generates, by hand
//!
//! For the `Counter` above, `#[actor]` writes the following (with the struct's
//! visibility). This compiles as is, and is how to write the same actor
//! without the macro:
//!
//! ```
//! use std::time::Duration;
//! use otp::actor::{self, Builder, Next, StartError};
//! use otp::process::{self, CallError, Name, Pid, Subject};
//! use otp::supervisor::ChildSpec;
//!
//! #[derive(Debug)]
//! pub struct Counter {
//!     count: u64,
//! }
//!
//! impl Counter {
//!     pub fn add(&mut self, n: u64) {
//!         self.count += n;
//!     }
//!     pub fn get(&self) -> u64 {
//!         self.count
//!     }
//! }
//!
//! // One variant per handler; a call carries the subject to reply on.
//! #[derive(Debug)]
//! pub enum CounterMsg {
//!     Add { n: u64 },
//!     Get { reply: Subject<u64> },
//! }
//!
//! // The typed handle.
//! #[derive(Clone, Debug)]
//! pub struct CounterRef {
//!     subject: Subject<CounterMsg>,
//!     timeout: Duration,
//! }
//!
//! impl CounterRef {
//!     pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
//!     pub fn new(subject: Subject<CounterMsg>) -> Self {
//!         Self { subject, timeout: Self::DEFAULT_TIMEOUT }
//!     }
//!     pub fn named(name: &Name<CounterMsg>) -> Self {
//!         Self::new(name.subject())
//!     }
//!     pub fn pid(&self) -> Pid {
//!         self.subject.owner()
//!     }
//!     pub fn subject(&self) -> &Subject<CounterMsg> {
//!         &self.subject
//!     }
//!     pub fn with_timeout(&self, timeout: Duration) -> Self {
//!         Self { subject: self.subject.clone(), timeout }
//!     }
//!     pub fn add(&self, n: u64) {
//!         self.subject.send(CounterMsg::Add { n });
//!     }
//!     pub async fn get(&self) -> Result<u64, CallError> {
//!         process::call(&self.subject, self.timeout, |reply| CounterMsg::Get { reply }).await
//!     }
//!     pub fn get_blocking(&self) -> Result<u64, CallError> {
//!         process::call_blocking(&self.subject, self.timeout, |reply| CounterMsg::Get { reply })
//!     }
//! }
//!
//! impl Counter {
//!     // The builder behind it all (with #[init] or #[info] handlers it is
//!     // `actor::new_with_initialiser`, whose initialiser calls `init` and
//!     // builds the selector).
//!     pub fn builder(self) -> Builder<Counter, CounterMsg, Subject<CounterMsg>> {
//!         actor::new(self).on_message(Counter::dispatch).debug_state()
//!     }
//!     pub async fn start(self) -> Result<CounterRef, StartError> {
//!         Ok(CounterRef::new(self.builder().start().await?.data))
//!     }
//!     pub async fn start_named(self, name: Name<CounterMsg>) -> Result<CounterRef, StartError> {
//!         Ok(CounterRef::new(self.builder().named(name).start().await?.data))
//!     }
//!     pub fn child_spec(
//!         id: impl Into<String>,
//!         state: impl Fn() -> Self + Send + Sync + 'static,
//!     ) -> ChildSpec {
//!         ChildSpec::worker(id, move || state().builder().start())
//!     }
//!     // Hidden in the generated code (`__otp_dispatch`): runs the handler, replies,
//!     // and turns what a handler returns into `Next` (a `Flow::Stop` or an `Err`
//!     // from a cast becomes `Next::Stop`).
//!     fn dispatch(mut state: Counter, message: CounterMsg) -> Next<Counter, CounterMsg> {
//!         match message {
//!             CounterMsg::Add { n } => {
//!                 state.add(n);
//!                 Next::Continue(state)
//!             }
//!             CounterMsg::Get { reply } => {
//!                 let value = state.get();
//!                 reply.send(value);
//!                 Next::Continue(state)
//!             }
//!         }
//!     }
//! }
//! # otp::runtime::block_on(async {
//! # let counter = Counter { count: 1 }.start().await.unwrap();
//! # counter.add(1);
//! # assert_eq!(counter.get().await, Ok(2));
//! # }).unwrap();
//! ```
//!
//! Generic actors work: `#[actor] struct Store<T: Clone + Send + 'static>` with
//! `#[actor] impl<T: Clone + Send + 'static> Store<T>` gives `StoreMsg<T>` and
//! `StoreRef<T>` (the enum has a hidden variant that keeps every parameter used).
//! Lifetimes cannot be: the state lives in its own process, so it owns its data.
//!
//! **Where the crate is.** The generated code finds the runtime through your
//! `Cargo.toml` (the `otp-rt` package under its own name is `::otp`; renamed, it
//! is the name you gave; `otp-core` with `otp-macros` works too). When it cannot
//! (a re-export through another crate), say where: `#[actor(crate = path)]` on the
//! struct and the impl block, `supervisor! { crate: path, ... }`.
//!
//! **Options** of `#[actor(...)]` on the impl block: `debug` (describe the state
//! and messages with `Debug`), `trap_exits` (the builder's `trap_exits`: an
//! exit signal from the parent, such as a supervisor's shutdown, then runs
//! `#[terminate]`, as in gen_server; without it the actor is killed by the
//! signal and `#[terminate]` does not run), `crate = path`.
//!
//! **Visibility.** Each handle method is as visible as its handler when the
//! handler says so (`pub`, `pub(crate)`, `pub(self)`); a handler written as a
//! plain `fn` gives a method as visible as the struct, so the handle is usable
//! wherever it is. Write `pub(self)` to keep a message to the module.
//!
//! **Calls that return a `Result`.** `#[call] fn f(&self) -> Result<T, E>` gives
//! `f().await: Result<Result<T, E>, CallError>`, as `process::call` does by hand;
//! use `.await??` with an error type that has `From<CallError>` and `From<E>`.
//!
//! **Errors.** When a handler is rejected, only its error is reported: the
//! enum, the handle and the start functions are still generated from the other
//! handlers. A `supervisor!` with errors reports them all and still evaluates to
//! a (empty) supervisor builder, so `supervisor! { .. }.start()` adds no error.
//!
//! # `supervisor!`
//!
//! Declares a supervision tree and evaluates to its [`supervisor::Builder`](crate::supervisor::Builder)
//! (call `.start().await`, or nest it). Supervisor options: `strategy`
//! (`OneForOne` (default), `OneForAll`, `RestForOne`), `intensity`, `period`,
//! `auto_shutdown` (`Never`, `AnySignificant`, `AllSignificant`), `name`, and
//! `children` (required). Each child is `id { ... }` with `start` (an `#[actor]`
//! state, an actor builder, a nested `supervisor! { ... }`, a supervisor builder
//! such as `supervisor::new(..)...`, or a factory builder `factory::new(..)`:
//! anything that is a [`supervisor::Child`](crate::supervisor::Child)), and optionally
//! `restart` (`Permanent`, `Transient`, `Temporary`), `shutdown` (`BrutalKill`,
//! `Infinity`, `Timeout(duration)`), `significant` and `name`. Children start in
//! the order written. `start` is evaluated again at every restart (a nested
//! `supervisor!` once, then cloned); by hand, each child is
//! [`ChildSpec::of`](crate::supervisor::ChildSpec::of)`(id, name, move || start)`.
//!
//! ```
//! # use otp::actor;
//! # #[actor] #[derive(Debug)] pub struct Counter { count: u64 }
//! # #[actor] impl Counter { #[call] pub fn get(&self) -> u64 { self.count } }
//! use std::time::Duration;
//! use otp::process::Name;
//! use otp::supervisor;
//!
//! # otp::runtime::block_on(async {
//! let name = Name::new("counter");
//! let tree = supervisor! {
//!     strategy: OneForOne,
//!     intensity: 3,
//!     period: Duration::from_secs(5),
//!     children: [
//!         counter { start: Counter { count: 0 }, name: name.clone() },
//!         inner {
//!             start: supervisor! {
//!                 strategy: OneForAll,
//!                 children: [worker { start: Counter { count: 1 }, restart: Transient }],
//!             },
//!         },
//!     ],
//! }
//! .start()
//! .await
//! .unwrap();
//! assert_eq!(CounterRef::named(&name).get().await, Ok(0));
//! assert_eq!(tree.data.which_children().await.unwrap().len(), 2);
//! # }).unwrap();
//! ```
//!
//! By hand, the same tree is:
//!
//! ```
//! # use otp::actor;
//! # #[actor] #[derive(Debug)] pub struct Counter { count: u64 }
//! # #[actor] impl Counter { #[call] pub fn get(&self) -> u64 { self.count } }
//! use std::time::Duration;
//! use otp::process::Name;
//! use otp::supervisor::{self, ChildSpec, Restart, Strategy};
//!
//! let name = Name::new("counter");
//! let counter_name = name.clone();
//! let tree = supervisor::new(Strategy::OneForOne)
//!     .intensity(3)
//!     .period(Duration::from_secs(5))
//!     .add(ChildSpec::worker("counter", move || {
//!         Counter { count: 0 }.builder().named(counter_name.clone()).start()
//!     }))
//!     .add(
//!         supervisor::new(Strategy::OneForAll)
//!             .add(
//!                 ChildSpec::worker("worker", || Counter { count: 1 }.builder().start())
//!                     .restart(Restart::Transient),
//!             )
//!             .child_spec("inner"),
//!     );
//! # let _ = tree;
//! ```

pub use otp_core::actor::{Flow, ReplyAndStop};
