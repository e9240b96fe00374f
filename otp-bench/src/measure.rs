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

/// Runs `work`, then gives this process's peak resident set size so far, in MiB:
/// the figure of the `spawnrss` scenario.
pub async fn peak_rss_mib_after(work: impl Future) -> f64 {
    work.await;
    peak_rss() / (1024.0 * 1024.0)
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
