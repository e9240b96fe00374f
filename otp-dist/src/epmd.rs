//! EPMD, the Erlang Port Mapper Daemon: where a node publishes the port it listens
//! on, and where others look it up by name.
//!
//! [`register`] publishes a node and keeps the registration alive for as long as
//! the returned [`Registration`] lives (EPMD forgets a node when its connection
//! closes); [`port_please`] looks one up; [`names`] lists them. When no EPMD runs,
//! [`Registry::start`] runs a compatible one inside this process, so that Rust
//! nodes can find each other without Erlang installed.
//!
//! The protocol is in Erlang's `erl_dist_protocol` documentation: every request is
//! a 2-byte big-endian length and the request; `ALIVE2_REQ` (120) is answered by
//! `ALIVE2_X_RESP` (118) with a 32-bit creation, `PORT_PLEASE2_REQ` (122) by
//! `PORT2_RESP` (119), `NAMES_REQ` (110) by the EPMD port and a text listing.
//!
//! ```no_run
//! # async fn demo() -> Result<(), otp_dist::epmd::EpmdError> {
//! use otp_dist::epmd;
//! let epmd = ("127.0.0.1", 4369);
//! let registration = epmd::register(epmd, "r", 9000, true).await?;
//! println!("registered with creation {}", registration.creation());
//! assert_eq!(epmd::port_please(epmd, "r").await?.map(|n| n.port), Some(9000));
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};

/// The port EPMD listens on unless `ERL_EPMD_PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 4369;

/// `ERL_EPMD_PORT` if set and valid, else 4369, as `erl` does.
pub fn port_from_env() -> u16 {
    std::env::var("ERL_EPMD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_PORT)
}

const ALIVE2_REQ: u8 = 120;
const ALIVE2_RESP: u8 = 121;
const ALIVE2_X_RESP: u8 = 118;
const PORT_PLEASE2_REQ: u8 = 122;
const PORT2_RESP: u8 = 119;
const NAMES_REQ: u8 = 110;

const NODE_TYPE_NORMAL: u8 = 77;
const NODE_TYPE_HIDDEN: u8 = 72;

/// What went wrong talking to EPMD.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EpmdError {
    /// No EPMD answered, or the connection broke.
    #[error("EPMD unreachable: {0}")]
    Io(#[from] io::Error),
    /// EPMD refused to register the name (most often: a node of that name is
    /// already registered).
    #[error("EPMD refused to register {name:?} (result {result}); is a node of that name running?")]
    Refused {
        /// The name.
        name: String,
        /// EPMD's result code.
        result: u8,
    },
    /// An answer that is not EPMD's protocol.
    #[error("unexpected answer from EPMD: {0}")]
    Protocol(&'static str),
}

/// A node's registration; dropping it unregisters the node.
#[derive(Debug)]
pub struct Registration {
    _stream: TcpStream,
    creation: u32,
}

impl Registration {
    /// The creation EPMD gave this incarnation of the node; it goes into every
    /// pid and reference the node makes, so that those of an earlier incarnation
    /// are told apart.
    pub fn creation(&self) -> u32 {
        self.creation
    }
}

/// A node as EPMD knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// The distribution port.
    pub port: u16,
    /// Hidden (`true`) or normal node.
    pub hidden: bool,
    /// Highest distribution protocol version.
    pub high: u16,
    /// Lowest distribution protocol version.
    pub low: u16,
}

async fn request(epmd: impl ToSocketAddrs, body: &[u8]) -> Result<TcpStream, EpmdError> {
    let mut stream = TcpStream::connect(epmd).await?;
    let mut frame = Vec::with_capacity(body.len() + 2);
    frame.extend_from_slice(&(body.len() as u16).to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame).await?;
    Ok(stream)
}

/// Registers node `name` (the part before `@`) listening on `port`.
///
/// # Errors
/// [`EpmdError::Io`] if EPMD cannot be reached or the connection breaks,
/// [`EpmdError::Refused`] if it refuses the name, [`EpmdError::Protocol`] for an
/// answer outside EPMD's protocol.
///
/// # Cancel safety
/// Cancel safe: dropping it closes the connection, which ends any registration
/// EPMD made.
pub async fn register(
    epmd: impl ToSocketAddrs,
    name: &str,
    port: u16,
    hidden: bool,
) -> Result<Registration, EpmdError> {
    let mut body = vec![ALIVE2_REQ];
    body.extend_from_slice(&port.to_be_bytes());
    body.push(if hidden {
        NODE_TYPE_HIDDEN
    } else {
        NODE_TYPE_NORMAL
    });
    body.push(0); // TCP/IPv4
    body.extend_from_slice(&6u16.to_be_bytes());
    body.extend_from_slice(&6u16.to_be_bytes());
    body.extend_from_slice(&(name.len() as u16).to_be_bytes());
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(&0u16.to_be_bytes());
    let mut stream = request(epmd, &body).await?;
    let tag = stream.read_u8().await?;
    let result = stream.read_u8().await?;
    let creation = match tag {
        ALIVE2_X_RESP => stream.read_u32().await?,
        ALIVE2_RESP => stream.read_u16().await?.into(),
        _ => return Err(EpmdError::Protocol("not an ALIVE2 response")),
    };
    if result != 0 {
        return Err(EpmdError::Refused {
            name: name.to_owned(),
            result,
        });
    }
    Ok(Registration {
        _stream: stream,
        creation,
    })
}

/// Looks up node `name`; `None` if EPMD does not know it.
///
/// # Errors
/// [`EpmdError::Io`] if EPMD cannot be reached, [`EpmdError::Protocol`] for an
/// answer outside its protocol.
///
/// # Cancel safety
/// Cancel safe: a query.
pub async fn port_please(
    epmd: impl ToSocketAddrs,
    name: &str,
) -> Result<Option<NodeEntry>, EpmdError> {
    let mut body = vec![PORT_PLEASE2_REQ];
    body.extend_from_slice(name.as_bytes());
    let mut stream = request(epmd, &body).await?;
    if stream.read_u8().await? != PORT2_RESP {
        return Err(EpmdError::Protocol("not a PORT2 response"));
    }
    if stream.read_u8().await? != 0 {
        return Ok(None);
    }
    let port = stream.read_u16().await?;
    let node_type = stream.read_u8().await?;
    let _protocol = stream.read_u8().await?;
    let high = stream.read_u16().await?;
    let low = stream.read_u16().await?;
    Ok(Some(NodeEntry {
        port,
        hidden: node_type == NODE_TYPE_HIDDEN,
        high,
        low,
    }))
}

/// The names and ports EPMD knows, as `(name, port)`.
///
/// # Errors
/// [`EpmdError::Io`] if EPMD cannot be reached, [`EpmdError::Protocol`] for an
/// answer outside its protocol.
///
/// # Cancel safety
/// Cancel safe: a query.
pub async fn names(epmd: impl ToSocketAddrs) -> Result<Vec<(String, u16)>, EpmdError> {
    let mut stream = request(epmd, &[NAMES_REQ]).await?;
    let _epmd_port = stream.read_u32().await?;
    let mut text = String::new();
    // The listing is small; cap it anyway.
    (&mut stream)
        .take(1 << 20)
        .read_to_string(&mut text)
        .await?;
    Ok(text
        .lines()
        .filter_map(|line| {
            // "name NAME at port PORT"
            let rest = line.strip_prefix("name ")?;
            let (name, port) = rest.rsplit_once(" at port ")?;
            Some((name.to_owned(), port.trim().parse().ok()?))
        })
        .collect())
}

/// An EPMD-compatible registry running inside this process (for Rust nodes on a
/// machine without Erlang). It answers `ALIVE2`, `PORT_PLEASE2` and `NAMES`, and
/// forgets a node when its registration connection closes, as EPMD does. It stops
/// when the returned handle is dropped.
#[derive(Debug)]
pub struct Registry {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

type Table = Arc<Mutex<HashMap<String, (u16, u8)>>>;

impl Registry {
    /// Listens on `addr` (for example `127.0.0.1:4369`).
    ///
    /// # Errors
    /// When `addr` cannot be bound (most often: an EPMD already listens there).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    ///
    /// # Cancel safety
    /// Cancel safe: dropped before it returns, nothing listens.
    pub async fn start(addr: impl ToSocketAddrs) -> io::Result<Registry> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let table: Table = Arc::default();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let table = table.clone();
                tokio::spawn(async move {
                    if let Err(e) = serve(stream, table, addr.port()).await {
                        tracing::debug!(error = %e, "built-in EPMD: request failed");
                    }
                });
            }
        });
        Ok(Registry { addr, task })
    }

    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A creation for a new registration: never 0, different across restarts.
fn new_creation() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    let c = RandomState::new().hash_one(std::time::SystemTime::now()) as u32;
    c.max(4)
}

async fn serve(mut stream: TcpStream, table: Table, epmd_port: u16) -> io::Result<()> {
    let len = stream.read_u16().await? as usize;
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed EPMD request");
    match body.first().copied() {
        Some(ALIVE2_REQ) => {
            let get16 = |at: usize| -> io::Result<u16> {
                Ok(u16::from_be_bytes(
                    body.get(at..at + 2)
                        .ok_or_else(bad)?
                        .try_into()
                        .map_err(|_| bad())?,
                ))
            };
            let port = get16(1)?;
            let node_type = *body.get(3).ok_or_else(bad)?;
            let nlen = get16(9)? as usize;
            let name = body.get(11..11 + nlen).ok_or_else(bad)?;
            let name = String::from_utf8_lossy(name).into_owned();
            let fresh = {
                let mut table = table.lock();
                if table.contains_key(&name) {
                    false
                } else {
                    table.insert(name.clone(), (port, node_type));
                    true
                }
            };
            let mut reply = vec![ALIVE2_X_RESP, u8::from(!fresh)];
            reply.extend_from_slice(&new_creation().to_be_bytes());
            stream.write_all(&reply).await?;
            if fresh {
                // The registration lasts as long as this connection.
                let mut sink = [0u8; 64];
                while !matches!(stream.read(&mut sink).await, Ok(0) | Err(_)) {}
                table.lock().remove(&name);
            }
        }
        Some(PORT_PLEASE2_REQ) => {
            let name = String::from_utf8_lossy(&body[1..]).into_owned();
            let entry = table.lock().get(&name).copied();
            let reply = match entry {
                None => vec![PORT2_RESP, 1],
                Some((port, node_type)) => {
                    let mut r = vec![PORT2_RESP, 0];
                    r.extend_from_slice(&port.to_be_bytes());
                    r.extend_from_slice(&[node_type, 0, 0, 6, 0, 6]);
                    r.extend_from_slice(&(name.len() as u16).to_be_bytes());
                    r.extend_from_slice(name.as_bytes());
                    r.extend_from_slice(&[0, 0]);
                    r
                }
            };
            stream.write_all(&reply).await?;
        }
        Some(NAMES_REQ) => {
            let mut reply = u32::from(epmd_port).to_be_bytes().to_vec();
            for (name, (port, _)) in table.lock().iter() {
                reply.extend_from_slice(format!("name {name} at port {port}\n").as_bytes());
            }
            stream.write_all(&reply).await?;
        }
        _ => return Err(bad()),
    }
    Ok(())
}
