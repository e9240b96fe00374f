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

use super::server::{Flags, Request};
use super::spec::BoxFuture;
use super::{
    AutoShutdown, ChildCount, ChildInfo, ChildSpec, ChildType, Message, Restart, Shutdown,
    Strategy, Supervisor, SupervisorError,
};
use crate::actor::{StartError, Started};
use crate::process::{Name, Pid};

type Template<A, D> = Arc<dyn Fn(A) -> BoxFuture<Result<Started<D>, StartError>> + Send + Sync>;

/// Describes a factory: its template and options. Made by [`new`].
pub struct Builder<A, D> {
    template: Template<A, D>,
    restart: Restart,
    shutdown: Shutdown,
    child_type: ChildType,
    intensity: u32,
    period: Duration,
    max_children: Option<usize>,
    name: Option<Name<Message>>,
}

impl<A, D> Clone for Builder<A, D> {
    fn clone(&self) -> Self {
        Builder {
            template: self.template.clone(),
            restart: self.restart,
            shutdown: self.shutdown,
            child_type: self.child_type,
            intensity: self.intensity,
            period: self.period,
            max_children: self.max_children,
            name: self.name.clone(),
        }
    }
}

/// A factory whose children are started by `template`: restart `Transient`,
/// shutdown 5 s, intensity 1 per 5 s, no maximum.
pub fn new<A, D, F, Fut>(template: F) -> Builder<A, D>
where
    A: Send + 'static,
    D: Send + Sync + 'static,
    F: Fn(A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Started<D>, StartError>> + Send + 'static,
{
    Builder {
        template: Arc::new(move |argument| Box::pin(template(argument)) as BoxFuture<_>),
        restart: Restart::Transient,
        shutdown: Shutdown::Timeout(Duration::from_secs(5)),
        child_type: ChildType::Worker,
        intensity: 1,
        period: Duration::from_secs(5),
        max_children: None,
        name: None,
    }
}

impl<A, D> Builder<A, D>
where
    A: Clone + Send + Sync + 'static,
    D: Clone + Send + Sync + 'static,
{
    /// The children's restart type (default `Transient`).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// The children's shutdown (default 5 s).
    pub fn shutdown(mut self, shutdown: Shutdown) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// The children are supervisors (shutdown `Infinity` unless set otherwise).
    pub fn supervisor_children(mut self) -> Self {
        self.child_type = ChildType::Supervisor;
        self.shutdown = Shutdown::Infinity;
        self
    }

    /// At most `intensity` restarts within the period (default 1).
    pub fn intensity(mut self, intensity: u32) -> Self {
        self.intensity = intensity;
        self
    }

    /// The period over which restarts are counted (default 5 s).
    pub fn period(mut self, period: Duration) -> Self {
        self.period = period;
        self
    }

    /// At most this many children at once; more is
    /// [`SupervisorError::MaxChildren`].
    pub fn max_children(mut self, max: usize) -> Self {
        self.max_children = Some(max);
        self
    }

    /// Registers the factory under `name`; starting a second factory under a taken
    /// name fails with [`StartError::NameTaken`].
    pub fn named(mut self, name: Name<Message>) -> Self {
        self.name = Some(name);
        self
    }

    /// Starts the factory, with no children yet.
    pub async fn start(self) -> Result<Started<Factory<A, D>>, StartError> {
        let flags = Flags {
            strategy: Strategy::OneForOne,
            intensity: self.intensity,
            period: self.period,
            auto_shutdown: AutoShutdown::Never,
            dynamic: true,
            max_children: self.max_children,
        };
        let started = super::start(flags, Vec::new(), self.name.clone()).await?;
        Ok(Started {
            pid: started.pid,
            data: Factory {
                supervisor: started.data,
                builder: self,
                _argument: PhantomData,
            },
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
    builder: Builder<A, D>,
    _argument: PhantomData<fn(A)>,
}

impl<A, D> Clone for Factory<A, D> {
    fn clone(&self) -> Self {
        Factory {
            supervisor: self.supervisor.clone(),
            builder: self.builder.clone(),
            _argument: PhantomData,
        }
    }
}

impl<A, D> std::fmt::Debug for Factory<A, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Factory({})", self.supervisor.pid())
    }
}

impl<A, D> Factory<A, D>
where
    A: Clone + Send + Sync + 'static,
    D: Clone + Send + Sync + 'static,
{
    /// The factory's process.
    pub fn pid(&self) -> Pid {
        self.supervisor.pid()
    }

    /// The factory as a plain [`Supervisor`] (for `which_children` and the like).
    pub fn supervisor(&self) -> &Supervisor {
        &self.supervisor
    }

    /// Starts one more child from the template with `argument`
    /// (`supervisor:start_child/2` on a `simple_one_for_one` supervisor). The
    /// argument is kept to restart the child.
    pub async fn start_child(&self, argument: A) -> Result<Started<D>, SupervisorError> {
        let template = self.builder.template.clone();
        let mut spec = ChildSpec::worker(format!("{}", crate::process::unique()), move || {
            template(argument.clone())
        })
        .restart(self.builder.restart)
        .shutdown(self.builder.shutdown);
        spec.child_type = self.builder.child_type;
        let (pid, data) = self
            .supervisor
            .ask(|reply| Request::StartChild(spec, reply))
            .await??;
        let data = data
            .downcast_ref::<D>()
            .cloned()
            .ok_or(SupervisorError::WrongType(std::any::type_name::<D>()))?;
        Ok(Started { pid, data })
    }

    /// Stops the child `pid` and forgets it.
    pub async fn terminate_child(&self, pid: Pid) -> Result<(), SupervisorError> {
        self.supervisor
            .ask(|reply| Request::TerminatePid(pid, reply))
            .await?
    }

    /// How many children there are.
    pub async fn count_children(&self) -> Result<ChildCount, SupervisorError> {
        self.supervisor.count_children().await
    }

    /// Every child, in start order.
    pub async fn which_children(&self) -> Result<Vec<ChildInfo>, SupervisorError> {
        self.supervisor.which_children().await
    }
}
