//! Factory supervisors: children started on demand from one template (Erlang's
//! `simple_one_for_one`, Elixir's `DynamicSupervisor`).
//!
//! The template takes an argument; [`Factory::start_child`] starts one more child
//! from it. Children are `Transient` by default, restarted one for one within the
//! restart intensity, and stopped when the factory stops.
//!
//! ```
//! use otp_core::actor::{self, Next};
//! use otp_core::supervisor::factory;
//!
//! # otp_core::runtime::block_on(async {
//! let workers = factory::new(|greeting: String| {
//!     actor::new(greeting)
//!         .on_message(|greeting, _: ()| Next::Continue(greeting))
//!         .start()
//! })
//! .max_children(2)
//! .start()
//! .await
//! .unwrap()
//! .data;
//! let first = workers.start_child("hello".to_string()).await.unwrap();
//! workers.start_child("hi".to_string()).await.unwrap();
//! assert!(workers.start_child("hey".to_string()).await.is_err()); // at the maximum
//! workers.terminate_child(first.pid).await.unwrap();
//! assert_eq!(workers.count_children().await.unwrap().active, 1);
//! # }).unwrap();
//! ```

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::StartError;
use super::server::{Argument, Flags, Request, Template};
use super::spec::erase;
use super::{
    AutoShutdown, ChildCount, ChildInfo, ChildSpec, ChildType, Message, Restart, Shutdown,
    Strategy, Supervisor, SupervisorError,
};
use crate::actor::Started;
use crate::process::{Name, Pid};

/// Describes a factory: its template and options. Made by [`new`].
#[must_use = "a builder does nothing until it is started"]
pub struct Builder<A, D> {
    template: Template,
    flags: Flags,
    name: Option<Name<Message>>,
    _types: PhantomData<fn(A) -> D>,
}

impl<A, D> Clone for Builder<A, D> {
    fn clone(&self) -> Self {
        Builder {
            template: self.template.clone(),
            flags: self.flags.clone(),
            name: self.name.clone(),
            _types: PhantomData,
        }
    }
}

/// A factory whose children are started by `template`: restart `Transient`,
/// shutdown 5 s, intensity 1 per 5 s, no maximum, `auto_shutdown` never.
pub fn new<A, D, E, F, Fut>(template: F) -> Builder<A, D>
where
    A: Clone + Send + Sync + 'static,
    D: Send + Sync + 'static,
    E: Into<StartError>,
    F: Fn(A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Started<D>, E>> + Send + 'static,
{
    let start = move |argument: Argument| {
        // The factory's typed handle only ever sends an `A`.
        let argument = argument
            .downcast_ref::<A>()
            .expect("a factory's argument has its type")
            .clone();
        erase(template(argument))
    };
    Builder {
        template: Template {
            argument: (std::any::TypeId::of::<A>(), std::any::type_name::<A>()),
            start: Arc::new(start),
            restart: Restart::Transient,
            shutdown: Shutdown::Timeout(Duration::from_secs(5)),
            child_type: ChildType::Worker,
            significant: false,
        },
        flags: Flags {
            strategy: Strategy::OneForOne,
            intensity: 1,
            period: Duration::from_secs(5),
            auto_shutdown: AutoShutdown::Never,
            dynamic: true,
            max_children: None,
        },
        name: None,
        _types: PhantomData,
    }
}

impl<A, D> Builder<A, D>
where
    A: Clone + Send + Sync + 'static,
    D: Clone + Send + Sync + 'static,
{
    /// The children's restart type (default `Transient`).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.template.restart = restart;
        self
    }

    /// The children's shutdown (default 5 s).
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.template.shutdown = shutdown;
        self
    }

    /// The children are supervisors (shutdown `Infinity` unless set otherwise).
    pub fn supervisor_children(mut self) -> Self {
        self.template.child_type = ChildType::Supervisor;
        self.template.shutdown = Shutdown::Infinity;
        self
    }

    /// The children are significant for [`Builder::auto_shutdown`]: transient or
    /// temporary children only, and an `auto_shutdown` other than never
    /// (otherwise `start` fails with `bad_combination`).
    pub fn significant(mut self, significant: bool) -> Self {
        self.template.significant = significant;
        self
    }

    /// When significant children stop the factory (default never).
    pub fn auto_shutdown(mut self, auto_shutdown: AutoShutdown) -> Self {
        self.flags.auto_shutdown = auto_shutdown;
        self
    }

    /// At most `intensity` restarts within the period (default 1).
    pub fn intensity(mut self, intensity: u32) -> Self {
        self.flags.intensity = intensity;
        self
    }

    /// The period over which restarts are counted (default 5 s; zero is refused).
    pub fn period(mut self, period: Duration) -> Self {
        self.flags.period = period;
        self
    }

    /// At most this many children at once; more is
    /// [`SupervisorError::MaxChildren`].
    pub fn max_children(mut self, max: usize) -> Self {
        self.flags.max_children = Some(max);
        self
    }

    /// Registers the factory under `name`; starting a second factory under a taken
    /// name fails with [`actor::StartError::NameTaken`](crate::actor::StartError::NameTaken). [`Factory::named`] reaches it.
    pub fn named(mut self, name: Name<Message>) -> Self {
        self.name = Some(name);
        self
    }

    /// Starts the factory, with no children yet.
    ///
    /// # Errors
    /// [`StartError::Config`] for invalid flags or template,
    /// [`StartError::Actor`] if the factory's own process did not start (its name is
    /// taken).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    /// A start dropped before it completes makes the new factory exit.
    #[doc(alias = "start_link")]
    pub async fn start(self) -> Result<Started<Factory<A, D>>, StartError> {
        let started = super::start(self.flags, Vec::new(), Some(self.template), self.name).await?;
        Ok(Started {
            pid: started.pid,
            data: Factory::new(started.data),
        })
    }

    /// A child spec that starts this factory under another supervisor.
    pub fn child_spec(self, id: impl Into<String>) -> ChildSpec {
        ChildSpec::supervisor(id, move || self.clone().start())
    }
}

/// A running factory supervisor. Cheap to clone.
pub struct Factory<A, D> {
    supervisor: Supervisor,
    _types: PhantomData<fn(A) -> D>,
}

impl<A, D> Clone for Factory<A, D> {
    fn clone(&self) -> Self {
        Factory::new(self.supervisor.clone())
    }
}

impl<A, D> std::fmt::Debug for Factory<A, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Factory({})", self.supervisor.pid())
    }
}

impl<A, D> Factory<A, D> {
    fn new(supervisor: Supervisor) -> Self {
        Factory {
            supervisor,
            _types: PhantomData,
        }
    }
}

impl<A, D> Factory<A, D>
where
    A: Clone + Send + Sync + 'static,
    D: Clone + Send + Sync + 'static,
{
    /// The factory registered under `name`, whichever process holds it when a
    /// request is made. `A` and `D` must be the factory's argument and data
    /// types: otherwise [`Factory::start_child`] fails with
    /// [`SupervisorError::WrongType`] (for a wrong `D`, after starting the child).
    #[must_use]
    pub fn named(name: &Name<Message>) -> Self {
        Factory::new(Supervisor::named(name))
    }

    /// The factory's process.
    #[must_use]
    pub fn pid(&self) -> Pid {
        self.supervisor.pid()
    }

    /// The factory as a plain [`Supervisor`] (for `which_children` and the like).
    #[must_use]
    pub fn supervisor(&self) -> &Supervisor {
        &self.supervisor
    }

    /// Starts one more child from the template with `argument`
    /// (`supervisor:start_child/2` on a `simple_one_for_one` supervisor). The
    /// argument is kept to restart the child.
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::MaxChildren`] at the maximum, [`SupervisorError::StartFailed`]
    /// if the child's start failed, [`SupervisorError::Ignored`] if it asked to be
    /// ignored.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn start_child(&self, argument: A) -> Result<Started<D>, SupervisorError> {
        let argument: Argument = Arc::new(argument);
        let (pid, data) = self
            .supervisor
            .ask(|reply| Request::StartDynamic(argument, reply))
            .await??;
        let data = data
            .downcast_ref::<D>()
            .cloned()
            .ok_or(SupervisorError::WrongType(std::any::type_name::<D>()))?;
        Ok(Started { pid, data })
    }

    /// Stops the child `pid` and forgets it. A pid that is no longer alive is
    /// no longer a child: that is `Ok` too, as in Erlang; a live process that is
    /// not a child is [`SupervisorError::NotFound`].
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] for a live process that is not its child.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), SupervisorError> {
        self.supervisor
            .ask(|reply| Request::TerminatePid(pid, reply))
            .await?
    }

    /// The spec of the child `pid` (`supervisor:get_childspec/2`): the template
    /// with its argument.
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request,
    /// [`SupervisorError::NotFound`] if `pid` is not its child.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn get_childspec(&self, pid: Pid) -> Result<ChildSpec, SupervisorError> {
        self.supervisor
            .ask(|reply| Request::GetChildspecPid(pid, reply))
            .await?
    }

    /// How many children there are: `specs` is 1, the template, as in Erlang.
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn count_children(&self) -> Result<ChildCount, SupervisorError> {
        self.supervisor.count_children().await
    }

    /// Every child, in start order.
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, SupervisorError> {
        self.supervisor.which_children().await
    }

    /// Stops the factory and its children (all at once), with reason `Normal`
    /// (`gen_server:stop/1`).
    ///
    /// # Errors
    /// [`SupervisorError::NoSupervisor`] if the supervisor is not alive or exits
    /// during the request.
    ///
    /// # Cancel safety
    /// Not cancel safe, as any request: once polled, the request may have been
    /// delivered and acted upon. A dropped call removes its monitor and drops a
    /// late reply, so nothing is left in the caller's mailbox.
    pub async fn stop(&self) -> Result<(), SupervisorError> {
        self.supervisor.stop().await
    }
}
