//! The distribution handshake, version 6 (OTP 23+), both directions.
//!
//! The initiator sends its name, flags and creation (`'N'`); the acceptor answers a
//! status (`'s'`), then its own name, flags, creation and a challenge (`'N'`); the
//! initiator proves it knows the cookie by answering `MD5(cookie ++ challenge)`
//! with a challenge of its own (`'r'`), and the acceptor proves the same (`'a'`).
//! See `erl_dist_protocol` in Erlang's documentation and `dist_util.erl`.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::flags;
use crate::term::Atom;

/// Why a connection could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The socket failed.
    #[error("connection failed: {0}")]
    Io(#[from] io::Error),
    /// The cookies differ. The acceptor reports it when the initiator's answer to
    /// its challenge is wrong; the initiator when the acceptor then closes the
    /// connection (Erlang says nothing more) or answers with a wrong digest.
    #[error("connection with {peer} refused: the cookies differ")]
    CookieMismatch {
        /// The other node.
        peer: String,
    },
    /// The acceptor refused the connection (`nok`, `not_allowed`).
    #[error("connection refused by {peer}: {status}")]
    Refused {
        /// The other node.
        peer: String,
        /// The status it sent.
        status: String,
    },
    /// The peer lacks a capability we require.
    #[error("{peer} cannot handle {missing:?}")]
    MissingFlags {
        /// The other node.
        peer: String,
        /// The missing capabilities.
        missing: Vec<&'static str>,
    },
    /// The peer broke the protocol.
    #[error("handshake with {peer} failed: {what}")]
    Protocol {
        /// The other node (or its address, if its name is not known yet).
        peer: String,
        /// What was wrong.
        what: String,
    },
    /// The peer did not finish in time.
    #[error("handshake with {peer} timed out")]
    Timeout {
        /// The other node.
        peer: String,
    },
}

/// This node, as the handshake presents it.
#[derive(Debug, Clone)]
pub struct Local {
    /// `name@host`.
    pub name: Atom,
    /// The cookie.
    pub cookie: String,
    /// The creation.
    pub creation: u32,
    /// The flags offered.
    pub flags: u64,
}

/// The other node, as the handshake found it.
#[derive(Debug, Clone)]
pub struct Peer {
    /// `name@host`.
    pub name: Atom,
    /// Its creation.
    pub creation: u32,
    /// The flags both sides have (the intersection).
    pub flags: u64,
}

/// What an acceptor answers to a node that connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go on.
    Ok,
    /// We were connecting to it at the same time and give way.
    OkSimultaneous,
    /// We were connecting to it at the same time and win (our name is greater).
    Nok,
    /// We already have a connection to it: ask whether that one is stale.
    Alive,
}

fn digest(cookie: &str, challenge: u32) -> [u8; 16] {
    let mut input = cookie.as_bytes().to_vec();
    input.extend_from_slice(challenge.to_string().as_bytes());
    md5::compute(input).0
}

fn challenge() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now()) as u32
}

async fn send<S: AsyncWrite + Unpin>(s: &mut S, body: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(body.len() + 2);
    frame.extend_from_slice(&(body.len() as u16).to_be_bytes());
    frame.extend_from_slice(body);
    s.write_all(&frame).await?;
    s.flush().await
}

async fn recv<S: AsyncRead + Unpin>(s: &mut S) -> io::Result<Vec<u8>> {
    let len = s.read_u16().await? as usize;
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await?;
    Ok(body)
}

fn protocol(peer: &str, what: impl Into<String>) -> HandshakeError {
    HandshakeError::Protocol {
        peer: peer.to_owned(),
        what: what.into(),
    }
}

/// `'N' Flags Creation Nlen Name` (send_name) and
/// `'N' Flags Challenge Creation Nlen Name` (the challenge).
struct NameMsg {
    flags: u64,
    challenge: Option<u32>,
    creation: u32,
    name: String,
}

fn encode_name(local: &Local, challenge: Option<u32>) -> Vec<u8> {
    let mut b = vec![b'N'];
    b.extend_from_slice(&local.flags.to_be_bytes());
    if let Some(c) = challenge {
        b.extend_from_slice(&c.to_be_bytes());
    }
    b.extend_from_slice(&local.creation.to_be_bytes());
    let name = local.name.as_str().as_bytes();
    b.extend_from_slice(&(name.len() as u16).to_be_bytes());
    b.extend_from_slice(name);
    b
}

fn decode_name(peer: &str, b: &[u8], with_challenge: bool) -> Result<NameMsg, HandshakeError> {
    let short = || protocol(peer, "name message too short");
    if b.first() == Some(&b'n') {
        return Err(protocol(
            peer,
            "old handshake (version 5, 'n'); only version 6 ('N', OTP 23+) is supported",
        ));
    }
    if b.first() != Some(&b'N') {
        return Err(protocol(peer, "expected a name message ('N')"));
    }
    let mut at = 1;
    let mut take = |n: usize| -> Result<&[u8], HandshakeError> {
        let s = b.get(at..at + n).ok_or_else(short)?;
        at += n;
        Ok(s)
    };
    let flags = u64::from_be_bytes(take(8)?.try_into().map_err(|_| short())?);
    let challenge = if with_challenge {
        Some(u32::from_be_bytes(
            take(4)?.try_into().map_err(|_| short())?,
        ))
    } else {
        None
    };
    let creation = u32::from_be_bytes(take(4)?.try_into().map_err(|_| short())?);
    let nlen = u16::from_be_bytes(take(2)?.try_into().map_err(|_| short())?) as usize;
    let name = String::from_utf8(take(nlen)?.to_vec())
        .map_err(|_| protocol(peer, "node name is not UTF-8"))?;
    Ok(NameMsg {
        flags,
        challenge,
        creation,
        name,
    })
}

fn check_flags(peer: &str, theirs: u64) -> Result<(), HandshakeError> {
    let missing = flags::missing(theirs);
    if missing.is_empty() {
        Ok(())
    } else {
        Err(HandshakeError::MissingFlags {
            peer: peer.to_owned(),
            missing,
        })
    }
}

/// Sets up a connection we initiate to node `peer` over `s`.
///
/// # Errors
/// A [`HandshakeError`]: the socket failed, the cookies differ, the peer refused
/// or lacks a required capability, or it broke the protocol.
///
/// # Cancel safety
/// Not cancel safe: dropped half-way, the stream is left mid-handshake and must
/// be closed.
pub async fn initiate<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    local: &Local,
    peer: &str,
) -> Result<Peer, HandshakeError> {
    send(s, &encode_name(local, None)).await?;
    let status = recv(s).await?;
    let status = match status.split_first() {
        Some((b's', rest)) => String::from_utf8_lossy(rest).into_owned(),
        _ => return Err(protocol(peer, "expected a status ('s')")),
    };
    match status.as_str() {
        "ok" | "ok_simultaneous" => {}
        "alive" => {
            // The peer still has a connection from an earlier us: it is stale.
            send(s, b"strue").await?;
        }
        _ => {
            return Err(HandshakeError::Refused {
                peer: peer.to_owned(),
                status,
            });
        }
    }
    let theirs = decode_name(peer, &recv(s).await?, true)?;
    check_flags(peer, theirs.flags)?;
    if theirs.name != peer {
        return Err(protocol(
            peer,
            format!("the node answering is {}", theirs.name),
        ));
    }
    let our_challenge = challenge();
    let mut reply = vec![b'r'];
    reply.extend_from_slice(&our_challenge.to_be_bytes());
    reply.extend_from_slice(&digest(&local.cookie, theirs.challenge.unwrap_or(0)));
    send(s, &reply).await?;
    let ack = match recv(s).await {
        Ok(ack) => ack,
        // Erlang closes the connection on a wrong digest and says no more.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(HandshakeError::CookieMismatch {
                peer: peer.to_owned(),
            });
        }
        Err(e) => return Err(e.into()),
    };
    match ack.split_first() {
        Some((b'a', d)) if d == digest(&local.cookie, our_challenge) => {}
        Some((b'a', _)) => {
            return Err(HandshakeError::CookieMismatch {
                peer: peer.to_owned(),
            });
        }
        _ => return Err(protocol(peer, "expected the challenge ack ('a')")),
    }
    Ok(Peer {
        name: Atom::new(&theirs.name),
        creation: theirs.creation,
        flags: flags::expand(theirs.flags) & local.flags,
    })
}

/// Accepts a connection over `s`. `admit` decides, from the connecting node's
/// name, what to answer (simultaneous connects, existing connections); when it
/// says [`Admission::Alive`] and the peer confirms that the old connection is
/// stale, `replace` is called before going on.
///
/// # Errors
/// A [`HandshakeError`]: the socket failed, the cookies differ, the peer refused
/// or lacks a required capability, or it broke the protocol.
///
/// # Cancel safety
/// Not cancel safe: dropped half-way, the stream is left mid-handshake and must
/// be closed.
pub async fn accept<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    local: &Local,
    admit: impl FnOnce(&Atom) -> Admission,
    replace: impl FnOnce(&Atom),
) -> Result<Peer, HandshakeError> {
    let theirs = decode_name("a connecting node", &recv(s).await?, false)?;
    let peer = theirs.name.clone();
    if let Err(e) = check_flags(&peer, theirs.flags) {
        let _ = send(s, b"snot_allowed").await;
        return Err(e);
    }
    let name = Atom::new(&peer);
    match admit(&name) {
        Admission::Ok => send(s, b"sok").await?,
        Admission::OkSimultaneous => send(s, b"sok_simultaneous").await?,
        Admission::Nok => {
            send(s, b"snok").await?;
            return Err(HandshakeError::Refused {
                peer,
                status: "nok (simultaneous connect, ours wins)".into(),
            });
        }
        Admission::Alive => {
            send(s, b"salive").await?;
            let answer = recv(s).await?;
            if answer != b"strue" {
                return Err(HandshakeError::Refused {
                    peer,
                    status: "already connected".into(),
                });
            }
            replace(&name);
        }
    }
    let our_challenge = challenge();
    send(s, &encode_name(local, Some(our_challenge))).await?;
    let reply = recv(s).await?;
    if reply.len() != 21 || reply[0] != b'r' {
        return Err(protocol(&peer, "expected the challenge reply ('r')"));
    }
    if reply[5..21] != digest(&local.cookie, our_challenge) {
        tracing::error!(
            node = %local.name,
            peer = %peer,
            "connection attempt rejected: invalid challenge reply (the cookies differ)"
        );
        return Err(HandshakeError::CookieMismatch { peer });
    }
    let their_challenge = u32::from_be_bytes([reply[1], reply[2], reply[3], reply[4]]);
    let mut ack = vec![b'a'];
    ack.extend_from_slice(&digest(&local.cookie, their_challenge));
    send(s, &ack).await?;
    Ok(Peer {
        name,
        creation: theirs.creation,
        flags: flags::expand(theirs.flags) & local.flags,
    })
}
