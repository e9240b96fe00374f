//! The `metrics` feature: a recorder installed before the first process sees
//! messages, processes, calls, crashes and supervisor restarts.
//! Run with `cargo test --features metrics --test metrics`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{
    Counter, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use otp::actor::{self, Next};
use otp::process::{self, Name, Subject};
use otp::supervisor::{self, ChildSpec, Strategy};

mod common;
use common::{WAIT, wait_down, within};

/// A recorder that keeps every value, by name and labels (`name{k=v,...}`).
#[derive(Default)]
struct TestRecorder {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
    gauges: Mutex<HashMap<String, Arc<GaugeCell>>>,
    histograms: Mutex<HashMap<String, Arc<Samples>>>,
}

#[derive(Default)]
struct GaugeCell(Mutex<f64>);

impl GaugeFn for GaugeCell {
    fn increment(&self, value: f64) {
        *self.0.lock().unwrap() += value;
    }
    fn decrement(&self, value: f64) {
        *self.0.lock().unwrap() -= value;
    }
    fn set(&self, value: f64) {
        *self.0.lock().unwrap() = value;
    }
}

#[derive(Default)]
struct Samples(Mutex<Vec<f64>>);

impl HistogramFn for Samples {
    fn record(&self, value: f64) {
        self.0.lock().unwrap().push(value);
    }
}

fn show(key: &Key) -> String {
    let mut labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl Recorder for TestRecorder {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let mut counters = self.counters.lock().unwrap();
        Counter::from_arc(counters.entry(show(key)).or_default().clone())
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let mut gauges = self.gauges.lock().unwrap();
        Gauge::from_arc(gauges.entry(show(key)).or_default().clone())
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        let mut histograms = self.histograms.lock().unwrap();
        Histogram::from_arc(histograms.entry(show(key)).or_default().clone())
    }
}

/// The recorder behind the global one, to read values back.
struct Shared(Arc<TestRecorder>);

impl Recorder for Shared {
    fn describe_counter(&self, k: KeyName, u: Option<Unit>, d: SharedString) {
        self.0.describe_counter(k, u, d)
    }
    fn describe_gauge(&self, k: KeyName, u: Option<Unit>, d: SharedString) {
        self.0.describe_gauge(k, u, d)
    }
    fn describe_histogram(&self, k: KeyName, u: Option<Unit>, d: SharedString) {
        self.0.describe_histogram(k, u, d)
    }
    fn register_counter(&self, key: &Key, m: &Metadata<'_>) -> Counter {
        self.0.register_counter(key, m)
    }
    fn register_gauge(&self, key: &Key, m: &Metadata<'_>) -> Gauge {
        self.0.register_gauge(key, m)
    }
    fn register_histogram(&self, key: &Key, m: &Metadata<'_>) -> Histogram {
        self.0.register_histogram(key, m)
    }
}

impl TestRecorder {
    fn counter(&self, name: &str) -> u64 {
        let counters = self.counters.lock().unwrap();
        counters.get(name).map_or(0, |c| c.load(Ordering::Relaxed))
    }

    fn gauge(&self, name: &str) -> f64 {
        let gauges = self.gauges.lock().unwrap();
        gauges.get(name).map_or(0.0, |g| *g.0.lock().unwrap())
    }

    fn samples(&self, name: &str) -> usize {
        let histograms = self.histograms.lock().unwrap();
        histograms
            .get(name)
            .map_or(0, |h| h.0.lock().unwrap().len())
    }
}

#[test]
fn the_runtime_reports_messages_processes_calls_crashes_and_restarts() {
    let recorder = Arc::new(TestRecorder::default());
    metrics::set_global_recorder(Shared(recorder.clone())).expect("the first recorder");
    otp::metrics::describe();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let seen = recorder.clone();
    runtime.block_on(within(Duration::from_secs(30), async move {
        let name = Name::<Option<Subject<u32>>>::new("metered");
        let worker_name = name.clone();
        let tree = supervisor::new(Strategy::OneForOne)
            .intensity(5)
            .add(ChildSpec::worker("metered", move || {
                actor::new(0u32)
                    .on_message(|n, request: Option<Subject<u32>>| match request {
                        Some(reply) => {
                            reply.send(n);
                            Next::Continue(n + 1)
                        }
                        None => panic!("asked to crash"),
                    })
                    .named(worker_name.clone())
                    .start()
            }))
            .named(Name::new("metered_sup"))
            .start()
            .await
            .unwrap();

        // A call: one request and one reply sent, one message received, one
        // latency sample.
        let worker = process::whereis(&name).unwrap();
        let answer = process::call(&name.subject(), WAIT, Some).await;
        assert_eq!(answer, Ok(0));

        // A crash and its restart.
        name.subject().send(None);
        wait_down(worker).await;
        let children = tree.data.which_children().await.unwrap();
        let restarted = children[0].pid.expect("restarted");
        assert_ne!(restarted, worker);
        otp::metrics::sample();
        // This process, the supervisor and its worker are alive now.
        assert!(seen.gauge("otp_processes{}") >= 3.0);
    }));

    assert!(recorder.counter("otp_messages_sent_total{}") >= 3);
    assert!(recorder.counter("otp_messages_received_total{}") >= 2);
    assert!(recorder.counter("otp_processes_spawned_total{}") >= 3);
    assert!(recorder.counter("otp_crashes_total{}") >= 1);
    let sup = recorder
        .counters
        .lock()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("otp_supervisor_restarts_total"))
        .cloned()
        .expect("a restart counted");
    assert!(sup.contains("child=metered"), "{sup}");
    assert!(sup.contains("supervisor=metered_sup"), "{sup}");
    assert_eq!(recorder.counter(&sup), 1);
    let crashes = sup.replace("restarts_total", "child_crashes_total");
    assert_eq!(recorder.counter(&crashes), 1);
    assert!(recorder.samples("otp_call_duration_seconds{outcome=ok}") >= 1);
    assert!(
        recorder
            .gauges
            .lock()
            .unwrap()
            .contains_key("otp_mailbox_length_max{}")
    );
}
