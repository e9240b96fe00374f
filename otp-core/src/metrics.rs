//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`, off by default; without it none of this code exists).
//!
//! otp records; your program picks the exporter (Prometheus, StatsD, ...) and
//! installs it as the global recorder. Install it **before the first process
//! starts**: the per-message counters register their handle once, on first use,
//! so that a message pays one atomic add and no lookup.
//!
//! | name | kind | labels | what |
//! |---|---|---|---|
//! | `otp_messages_sent_total` | counter | | messages sent on subjects (replies included) |
//! | `otp_messages_received_total` | counter | | messages taken by actors and supervisors (system messages not counted) |
//! | `otp_processes` | gauge | | live processes |
//! | `otp_processes_spawned_total` | counter | | processes started |
//! | `otp_crashes_total` | counter | | crash reports written |
//! | `otp_supervisor_restarts_total` | counter | `supervisor`, `child` | restarts per supervisor (its name, else its pid) and child id |
//! | `otp_supervisor_child_crashes_total` | counter | `supervisor`, `child` | abnormal child exits per supervisor and child |
//! | `otp_call_duration_seconds` | histogram | `outcome` (`ok`, `timeout`, `no_process`, `exited`, `calling_self`) | time from sending a request to its reply |
//! | `otp_mailbox_length_total` | gauge | | messages queued in all mailboxes, set by [`sample`] |
//! | `otp_mailbox_length_max` | gauge | | the longest mailbox, set by [`sample`] |
//!
//! Mailbox lengths are sampled, not tracked per message: call [`sample`] when
//! your exporter is scraped, or start [`sampler`] once.
//!
//! ```
//! # otp_core::runtime::block_on(async {
//! // With a recorder installed (e.g. metrics-exporter-prometheus), before this:
//! otp_core::metrics::describe();
//! let _sampler = otp_core::metrics::sampler(std::time::Duration::from_secs(5));
//! # }).unwrap();
//! ```

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::metrics::{Counter, Gauge, Unit};

use crate::process::{self, CallError, Pid};

/// Describes every metric (unit and help text) to the installed recorder.
pub fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!("otp_messages_sent_total", "Messages sent on subjects");
    describe_counter!(
        "otp_messages_received_total",
        "Messages taken by actors and supervisors"
    );
    describe_gauge!("otp_processes", "Live processes");
    describe_counter!("otp_processes_spawned_total", "Processes started");
    describe_counter!("otp_crashes_total", "Crash reports written");
    describe_counter!(
        "otp_supervisor_restarts_total",
        "Child restarts per supervisor and child"
    );
    describe_counter!(
        "otp_supervisor_child_crashes_total",
        "Abnormal child exits per supervisor and child"
    );
    describe_histogram!(
        "otp_call_duration_seconds",
        Unit::Seconds,
        "Time from a call's request to its reply"
    );
    describe_gauge!(
        "otp_mailbox_length_total",
        "Messages queued in all mailboxes (sampled)"
    );
    describe_gauge!("otp_mailbox_length_max", "The longest mailbox (sampled)");
}

/// Sets the mailbox gauges from the process table now. Walks every live
/// process: call it at scrape time or every few seconds, not per message.
pub fn sample() {
    let mut total = 0usize;
    let mut longest = 0usize;
    for pid in process::list() {
        if let Some(info) = process::info(pid) {
            total += info.message_queue_len;
            longest = longest.max(info.message_queue_len);
        }
    }
    ::metrics::gauge!("otp_mailbox_length_total").set(total as f64);
    ::metrics::gauge!("otp_mailbox_length_max").set(longest as f64);
}

/// Starts a process that calls [`sample`] every `interval`; stop it by killing
/// the returned pid.
///
/// # Panics
/// Outside a tokio runtime.
pub fn sampler(interval: Duration) -> Pid {
    process::spawn(async move {
        loop {
            sample();
            tokio::time::sleep(interval).await;
        }
    })
}

fn cached(cell: &'static OnceLock<Counter>, make: fn() -> Counter) -> &'static Counter {
    cell.get_or_init(make)
}

pub(crate) fn message_sent() {
    static SENT: OnceLock<Counter> = OnceLock::new();
    cached(&SENT, || ::metrics::counter!("otp_messages_sent_total")).increment(1);
}

pub(crate) fn message_received() {
    static RECEIVED: OnceLock<Counter> = OnceLock::new();
    cached(&RECEIVED, || {
        ::metrics::counter!("otp_messages_received_total")
    })
    .increment(1);
}

fn processes() -> &'static Gauge {
    static PROCESSES: OnceLock<Gauge> = OnceLock::new();
    PROCESSES.get_or_init(|| ::metrics::gauge!("otp_processes"))
}

pub(crate) fn process_started() {
    static SPAWNED: OnceLock<Counter> = OnceLock::new();
    cached(&SPAWNED, || {
        ::metrics::counter!("otp_processes_spawned_total")
    })
    .increment(1);
    processes().increment(1.0);
}

pub(crate) fn process_exited() {
    processes().decrement(1.0);
}

pub(crate) fn crashed() {
    ::metrics::counter!("otp_crashes_total").increment(1);
}

/// The calling supervisor, as a label: its registered name, else its pid.
fn supervisor_label() -> String {
    match process::try_self_pid() {
        Some(me) => process::info(me)
            .and_then(|info| info.registered_name)
            .unwrap_or_else(|| me.to_string()),
        None => "-".to_string(),
    }
}

pub(crate) fn child_crashed(id: &str) {
    ::metrics::counter!(
        "otp_supervisor_child_crashes_total",
        "supervisor" => supervisor_label(),
        "child" => id.to_string()
    )
    .increment(1);
}

pub(crate) fn child_restarted(id: &str) {
    ::metrics::counter!(
        "otp_supervisor_restarts_total",
        "supervisor" => supervisor_label(),
        "child" => id.to_string()
    )
    .increment(1);
}

pub(crate) async fn timed_call<R>(
    call: impl Future<Output = Result<R, CallError>>,
) -> Result<R, CallError> {
    let started = Instant::now();
    let result = call.await;
    call_finished(started, &result);
    result
}

pub(crate) fn call_finished<R>(started: Instant, result: &Result<R, CallError>) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(CallError::Timeout) => "timeout",
        Err(CallError::NoProcess) => "no_process",
        Err(CallError::CalleeExited(_)) => "exited",
        Err(CallError::CallingSelf) => "calling_self",
        Err(CallError::NoRuntime) => "no_runtime",
    };
    ::metrics::histogram!("otp_call_duration_seconds", "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
}
