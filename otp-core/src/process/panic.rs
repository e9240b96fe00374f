//! Turning a panic inside a process into an exit reason.
//!
//! A panic hook, installed once, records the location of panics that happen inside
//! a process and keeps them off stderr: the process's crash report (through
//! `tracing`) says the same thing. Panics elsewhere go to the previous hook.

use std::any::Any;
use std::cell::RefCell;
use std::sync::{Arc, Once};

use super::context;
use super::exit::{ExitReason, PanicReason};

/// What [`exit`](super::exit) unwinds with: the reason the process chose. A
/// behaviour that catches it (an actor around its handler or terminate hook,
/// a supervisor around a child's start function) handles it as Erlang's
/// `catch` sees `exit(Reason)`; else the process's [`Drive`](super::drive)
/// catches it and the process exits with that reason.
pub(crate) struct ExitUnwind(pub(crate) ExitReason);

thread_local! {
    static LAST_LOCATION: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

pub(crate) fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if context::with(|_| ()).is_some() {
                let location = info
                    .location()
                    .map(|l| Arc::from(format!("{}:{}:{}", l.file(), l.line(), l.column())));
                LAST_LOCATION.with(|cell| *cell.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// The reason for a caught panic; call on the thread that caught it.
pub(crate) fn reason(payload: Box<dyn Any + Send>) -> PanicReason {
    let message: Arc<str> = if let Some(s) = payload.downcast_ref::<&'static str>() {
        Arc::from(*s)
    } else if let Some(s) = payload.downcast_ref::<String>() {
        Arc::from(s.as_str())
    } else {
        Arc::from("Box<dyn Any>")
    };
    let location = LAST_LOCATION.with(|cell| cell.borrow_mut().take());
    PanicReason { message, location }
}

/// The exit reason for a caught unwind: the reason given to
/// [`exit`](super::exit), or a panic. Call on the thread that caught it.
pub(crate) fn caught(payload: Box<dyn Any + Send>) -> ExitReason {
    match payload.downcast::<ExitUnwind>() {
        Ok(exit) => exit.0,
        Err(payload) => ExitReason::Panic(reason(payload)),
    }
}
