//! What can be a supervisor's child: anything that starts a process and says
//! what it is. `supervisor!` uses this for every child's `start`, so that an
//! actor, a supervisor made with the builder and a factory take their place in
//! the declared order.

use std::sync::Arc;
use std::time::Duration;

use super::StartError;
use super::factory;
use super::spec::{ChildSpec, ChildType, Restart, Shutdown, erase};
use crate::actor::{self, Started};
use crate::process::Name;

/// Something a supervisor can start as a child: an actor builder, a supervisor
/// builder, a factory builder, or the state of an `#[actor]` without `#[init]`.
/// [`ChildSpec::of`] makes a child spec from a function that makes one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be started as a supervisor child",
    label = "not an actor, a supervisor or a factory",
    note = "a child's `start` is the state of an #[actor] struct (one without #[init]), an \
            actor builder (`MyActor::builder(args)`, `otp::actor::new(state).on_message(...)`), \
            a nested `supervisor! {{ ... }}`, a supervisor builder (`otp::supervisor::new(..)`) \
            or a factory builder (`otp::supervisor::factory::new(..)`)"
)]
pub trait Child: Send + 'static {
    /// What a name for the child names: the actor's message type, or a
    /// supervisor's [`Message`](super::Message).
    type Message: Send + 'static;
    /// What its start returns besides the pid.
    type Data: Send + Sync + 'static;
    /// Whether it is a worker or a supervisor (which sets its default shutdown).
    const TYPE: ChildType;
    /// Starts it, registered under `name` if given, linked to the caller.
    fn start_child(
        self,
        name: Option<Name<Self::Message>>,
    ) -> impl Future<Output = Result<Started<Self::Data>, StartError>> + Send + 'static;
}

impl<S, M, D> Child for actor::Builder<S, M, D>
where
    S: Send + 'static,
    M: Send + 'static,
    D: Send + Sync + 'static,
{
    type Message = M;
    type Data = D;
    const TYPE: ChildType = ChildType::Worker;
    fn start_child(
        self,
        name: Option<Name<M>>,
    ) -> impl Future<Output = Result<Started<D>, StartError>> + Send + 'static {
        let builder = match name {
            Some(name) => self.named(name),
            None => self,
        };
        async move { builder.start().await.map_err(StartError::from) }
    }
}

impl Child for super::Builder {
    type Message = super::Message;
    type Data = super::Supervisor;
    const TYPE: ChildType = ChildType::Supervisor;
    fn start_child(
        self,
        name: Option<Name<super::Message>>,
    ) -> impl Future<Output = Result<Started<super::Supervisor>, StartError>> + Send + 'static {
        match name {
            Some(name) => self.named(name),
            None => self,
        }
        .start()
    }
}

impl<A, D> Child for factory::Builder<A, D>
where
    A: Clone + Send + Sync + 'static,
    D: Clone + Send + Sync + 'static,
{
    type Message = super::Message;
    type Data = factory::Factory<A, D>;
    const TYPE: ChildType = ChildType::Supervisor;
    fn start_child(
        self,
        name: Option<Name<super::Message>>,
    ) -> impl Future<Output = Result<Started<factory::Factory<A, D>>, StartError>> + Send + 'static
    {
        match name {
            Some(name) => self.named(name),
            None => self,
        }
        .start()
    }
}

impl ChildSpec {
    /// A child spec from `make`, called at every (re)start, whose result is
    /// started registered under `name` if given: a worker for an actor, a
    /// supervisor (shutdown `Infinity`) for a supervisor or a factory. This is
    /// what `supervisor!` writes for each child.
    ///
    /// ```
    /// use otp_core::actor::{self, Next};
    /// use otp_core::supervisor::{self, ChildSpec, ChildType, Strategy, factory};
    ///
    /// let pool = ChildSpec::of("pool", None, || {
    ///     factory::new(|n: u32| actor::new(n).on_message(|n, ()| Next::Continue(n)).start())
    /// });
    /// assert_eq!(pool.child_type(), ChildType::Supervisor);
    /// let inner = ChildSpec::of("inner", None, || supervisor::new(Strategy::OneForAll));
    /// let tree = supervisor::new(Strategy::OneForOne).add(pool).add(inner);
    /// # let _ = tree;
    /// ```
    pub fn of<C: Child>(
        id: impl Into<String>,
        name: Option<Name<C::Message>>,
        make: impl Fn() -> C + Send + Sync + 'static,
    ) -> ChildSpec {
        ChildSpec {
            id: id.into(),
            start: Arc::new(move || erase(make().start_child(name.clone()))),
            restart: Restart::Permanent,
            shutdown: match C::TYPE {
                ChildType::Worker => Shutdown::Timeout(Duration::from_secs(5)),
                ChildType::Supervisor => Shutdown::Infinity,
            },
            child_type: C::TYPE,
            significant: false,
        }
    }
}
