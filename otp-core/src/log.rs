//! Where the runtime's reports go: `tracing` with the `tracing` feature (the
//! default), stderr without it.
//!
//! Every event in otp-core goes through [`error!`], [`warning!`], [`info!`] and
//! [`debug!`], which take `tracing`'s syntax (a `target:`, then fields `name = %x`,
//! `name = ?x`, `name = x`, `%x`, `?x`, then a format string). With the `tracing`
//! feature they *are* `tracing`'s macros. Without it, nothing may be lost silently
//! (a crash, a dropped message, a failed restart), so errors and warnings are
//! written to stderr, one line each with their fields; info and debug events
//! compile to nothing. Crash reports are also kept in
//! [`observe::crash_reports`](crate::observe::crash_reports) either way.

#[cfg(feature = "tracing")]
macro_rules! event {
    ($level:ident, $($event:tt)+) => {
        ::tracing::$level!($($event)+)
    };
}

/// Without `tracing`: parses `tracing`'s syntax into a line for stderr.
#[cfg(not(feature = "tracing"))]
macro_rules! event {
    ($level:ident, target: $target:expr, $($rest:tt)+) => {
        $crate::log::event!(@field $level, $target, [] $($rest)+)
    };
    ($level:ident, $($rest:tt)+) => {
        $crate::log::event!(@field $level, "otp", [] $($rest)+)
    };
    // The message ends the event.
    (@field $level:ident, $target:expr, [$($fields:tt)*] $message:literal $(, $arg:expr)* $(,)?) => {
        $crate::log::write(
            stringify!($level),
            $target,
            &[$($fields)*],
            ::std::format_args!($message $(, $arg)*),
        )
    };
    (@field $level:ident, $target:expr, [$($fields:tt)*] $name:ident = % $value:expr, $($rest:tt)+) => {
        $crate::log::event!(@field $level, $target,
            [$($fields)* (stringify!($name), ::std::format!("{}", $value)),] $($rest)+)
    };
    (@field $level:ident, $target:expr, [$($fields:tt)*] $name:ident = ? $value:expr, $($rest:tt)+) => {
        $crate::log::event!(@field $level, $target,
            [$($fields)* (stringify!($name), ::std::format!("{:?}", $value)),] $($rest)+)
    };
    (@field $level:ident, $target:expr, [$($fields:tt)*] % $name:ident, $($rest:tt)+) => {
        $crate::log::event!(@field $level, $target,
            [$($fields)* (stringify!($name), ::std::format!("{}", $name)),] $($rest)+)
    };
    (@field $level:ident, $target:expr, [$($fields:tt)*] ? $name:ident, $($rest:tt)+) => {
        $crate::log::event!(@field $level, $target,
            [$($fields)* (stringify!($name), ::std::format!("{:?}", $name)),] $($rest)+)
    };
    (@field $level:ident, $target:expr, [$($fields:tt)*] $name:ident = $value:expr, $($rest:tt)+) => {
        $crate::log::event!(@field $level, $target,
            [$($fields)* (stringify!($name), ::std::format!("{:?}", $value)),] $($rest)+)
    };
}

/// An error: a crash report, a failed restart, a supervisor report.
macro_rules! error {
    ($($event:tt)+) => { $crate::log::event!(error, $($event)+) };
}

/// A warning: a dropped message, a child killed after its shutdown timeout.
macro_rules! warning {
    ($($event:tt)+) => { $crate::log::event!(warn, $($event)+) };
}

/// Information: a child restarted or exited cleanly, a `sys::trace` event.
/// Without `tracing`, compiled out (type-checked, never run).
macro_rules! info {
    ($($event:tt)+) => {
        if cfg!(feature = "tracing") {
            $crate::log::event!(info, $($event)+)
        }
    };
}

/// Detail: a child started. Without `tracing`, compiled out.
macro_rules! debug {
    ($($event:tt)+) => {
        if cfg!(feature = "tracing") {
            $crate::log::event!(debug, $($event)+)
        }
    };
}

/// An event the user asked for (`sys::trace`): info level through `tracing`;
/// without it, written to stderr, since the user is waiting for it.
macro_rules! requested {
    ($($event:tt)+) => {
        if cfg!(feature = "tracing") {
            $crate::log::event!(info, $($event)+)
        } else {
            $crate::log::event!(trace, $($event)+)
        }
    };
}

pub(crate) use {debug, error, event, info, requested, warning};

/// Writes one event to stderr: `otp ERROR otp::crash_report: message pid=<0.7.0> ...`.
#[cfg(not(feature = "tracing"))]
pub(crate) fn write(
    level: &str,
    target: &str,
    fields: &[(&str, String)],
    message: std::fmt::Arguments<'_>,
) {
    use std::fmt::Write as _;
    let mut line = format!("otp {} {target}: {message}", level.to_uppercase());
    for (name, value) in fields {
        let _ = write!(line, " {name}={value}");
    }
    eprintln!("{line}");
}

#[cfg(all(test, not(feature = "tracing")))]
mod tests {
    #[test]
    fn every_field_form_compiles_and_formats() {
        let pid = 7;
        let name = Some("worker");
        crate::log::error!(
            target: "otp::test",
            pid = %pid,
            name = name.unwrap_or("-"),
            shown = ?name,
            %pid,
            ?name,
            "event {pid} of {}", "test"
        );
        crate::log::warning!("no target, no field");
        crate::log::info!(target: "otp::test", pid = ?pid, "not written");
    }
}
