//! Figures: medians, memory, and how a figure is shown.

/// A figure as printed in the table.
pub struct Measure;

impl Measure {
    /// Large numbers with thousands separators, small ones with decimals.
    pub fn show(value: f64) -> String {
        if value >= 1000.0 {
            let whole = value.round() as u64;
            let digits = whole.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            out
        } else {
            format!("{value:.1}")
        }
    }
}

/// The median of `values`, if any.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    Some(values[values.len() / 2])
}

/// Resident set size of this process, in bytes.
pub fn rss() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0
}

/// Runs `driver` on a fresh tokio multi-thread runtime, as a task of its own (as
/// otp's driver is a process), so that no contender pays for the runtime's main
/// thread.
pub fn on_tokio(driver: impl Future<Output = Option<f64>> + Send + 'static) -> Option<f64> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let driver = runtime.spawn(driver);
    runtime.block_on(driver).expect("the benchmark's driver")
}

/// Peak resident set size of this process so far, in MiB.
pub fn peak_rss_mib() -> f64 {
    peak_rss() / (1024.0 * 1024.0)
}

/// Peak resident set size of this process so far, in bytes (VmHWM).
fn peak_rss() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb * 1024.0)
}

/// Rate: `count` things in `elapsed`.
pub fn rate(count: u64, elapsed: std::time::Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

/// The figures a run printed, one a line; nothing if a line is not a number
/// (`n/a`: the contender does not have the scenario).
pub fn figures(output: &str) -> Vec<f64> {
    output
        .lines()
        .map(|line| line.trim().parse::<f64>())
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_default()
}

/// The commit measured (`git describe` of the source tree this was built from),
/// or `unknown`.
pub fn commit() -> String {
    command_output(
        "git",
        &[
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "describe",
            "--always",
            "--dirty",
        ],
    )
}

/// The date and time now, UTC.
pub fn now_utc() -> String {
    command_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map_or_else(
            || "unknown".to_string(),
            |output| String::from_utf8_lossy(&output.stdout).trim().to_string(),
        )
}

/// Where a node of an actor library's spawn tree reports that its subtree is
/// done: the driver's channel at the root, the parent actor (`A`) elsewhere.
pub enum Parent<A> {
    Root(flume::Sender<()>),
    Node(A),
}

impl<A> Parent<A> {
    /// Tells the parent, through `tell` when it is an actor.
    pub fn done(&self, tell: impl FnOnce(&A)) {
        match self {
            Parent::Root(done) => {
                let _ = done.send(());
            }
            Parent::Node(node) => tell(node),
        }
    }
}
