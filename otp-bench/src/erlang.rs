//! The Erlang/OTP column: `erlang/bench.erl`, compiled with `erlc` and run with
//! `erl -noshell`, when Erlang is installed.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The OTP release, if `erl` is on the PATH.
pub fn available() -> Option<String> {
    let output = Command::new("erl")
        .args([
            "-noshell",
            "-eval",
            "io:format(\"~s\", [erlang:system_info(otp_release)]), halt().",
        ])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The directory of the compiled modules, compiled once per run of the suite.
pub fn compiled() -> Option<PathBuf> {
    static COMPILED: OnceLock<Option<PathBuf>> = OnceLock::new();
    COMPILED.get_or_init(compile).clone()
}

fn compile() -> Option<PathBuf> {
    let dir = std::env::temp_dir().join("otp-bench-erlang");
    std::fs::create_dir_all(&dir).ok()?;
    let sources = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("erlang");
    let status = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(sources.join("bench.erl"))
        .arg(sources.join("bench_dist.erl"))
        // Compiler messages go to stderr: stdout carries only the tables.
        .stdout(std::io::stderr())
        .status()
        .ok()?;
    status.success().then_some(dir)
}

/// One run of `scenario` at `size` in a fresh `erl`; its figures (see
/// `measure::figures`), none if it failed.
pub fn run(scenario: &str, size: u64) -> Option<Vec<f64>> {
    let dir = compiled()?;
    let mut erl = Command::new("erl");
    erl.arg("-noshell");
    if scenario == "tree1m" {
        // Room for the 1.1M-process spawn tree: the default limit is 262,144
        // processes. Only here, since the larger table adds about 20 MiB of RSS.
        erl.args(["+P", "2000000"]);
    }
    let output = erl
        .arg("-pa")
        .arg(&dir)
        .args(["-eval", &format!("bench:main({scenario}, {size}), halt().")])
        .output()
        .ok()?;
    let figures = crate::measure::figures(&String::from_utf8_lossy(&output.stdout));
    (!figures.is_empty()).then_some(figures)
}
