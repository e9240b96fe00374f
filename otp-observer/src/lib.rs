//! # otp-observer
//!
//! A live web page of a running `otp` system, after Erlang's `observer`: one call
//! starts a small local web server, and a browser pointed at it shows, updated
//! every second,
//!
//! - the **supervision trees**: each supervisor with its strategy and restart
//!   intensity, each child with its id, pid, type, status and the restarts and
//!   crashes counted for it;
//! - the **processes**: pid, registered name, behaviour, message queue length,
//!   memory, messages in and out and the current state (read through `sys`), and
//!   whether each is running or suspended;
//! - the latest **crash reports**.
//!
//! Buttons suspend and resume a behaviour (`sys:suspend/2`, `sys:resume/2`), kill
//! a process (`exit(Pid, kill)`) and restart a supervisor's child
//! (`supervisor:terminate_child/2` then `supervisor:restart_child/2`).
//!
//! ```no_run
//! # otp_core::runtime::block_on(async {
//! let observer = otp_observer::start("127.0.0.1:9000").await.expect("a free port");
//! println!("observer on {}", observer.url());
//! // ... the program runs; the page stays up while `observer` is kept.
//! # });
//! ```
//!
//! The server binds where you tell it: keep it on a loopback address, since the
//! page can kill processes and has no authentication.
//!
//! What the observer costs: each refresh of an open page lists the processes and
//! asks each behaviour for its status and statistics through `sys` (with a short
//! timeout, so a busy behaviour delays the page, not the other way round).
//! Statistics are switched on (`sys:statistics(Pid, true)`) for each behaviour
//! the first time the page shows it, so that messages in and out are counted
//! from then on. Nothing is asked while no page is open.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod actions;
mod page;
mod snapshot;

use std::io;
use std::net::SocketAddr;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::oneshot;

pub use snapshot::{
    ChildView, CrashView, ProcessView, Snapshot, SupervisorView, snapshot as take_snapshot,
};

/// A running observer. The server stops when this is dropped or [`stop`]ped.
///
/// [`stop`]: Observer::stop
#[derive(Debug)]
#[must_use = "the observer's server stops when this handle is dropped"]
pub struct Observer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

/// Starts the observer's web server on `addr` (for example `"127.0.0.1:0"` for
/// any free port) and returns once it listens.
///
/// The server runs on the current tokio runtime, outside any process, so it
/// does not show in the process list.
///
/// # Errors
/// When `addr` cannot be resolved or bound.
///
/// # Panics
/// Outside a tokio runtime.
///
/// # Cancel safety
/// Cancel safe: dropped before it returns, the listener is closed and no server
/// runs.
pub async fn start(addr: impl ToSocketAddrs) -> io::Result<Observer> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let served = axum::serve(listener, router())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = served {
            eprintln!("otp-observer: the server on {addr} failed: {error}");
        }
    });
    Ok(Observer {
        addr,
        stop: Some(stop),
        server,
    })
}

fn router() -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/api/snapshot", get(snapshot::serve))
        .route("/api/process/{pid}/{action}", post(actions::process))
        .route(
            "/api/supervisor/{pid}/child/{id}/restart",
            post(actions::restart_child),
        )
}

impl Observer {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops the server and waits until it has closed its connections.
    ///
    /// # Cancel safety
    /// The stop is signalled at the first poll; dropped after that, the server
    /// still shuts down, unawaited.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
