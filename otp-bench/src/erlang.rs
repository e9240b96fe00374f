//! The Erlang/OTP column: `erlang/bench.erl`, compiled with `erlc` and run with
//! `erl -noshell`, when Erlang is installed.

use std::path::PathBuf;
use std::process::Command;

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

fn compiled() -> Option<PathBuf> {
    let dir = std::env::temp_dir().join("otp-bench-erlang");
    std::fs::create_dir_all(&dir).ok()?;
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("erlang/bench.erl");
    let status = Command::new("erlc")
        .arg("-o")
        .arg(&dir)
        .arg(&source)
        // Compiler messages go to stderr: stdout carries only the tables.
        .stdout(std::io::stderr())
        .status()
        .ok()?;
    status.success().then_some(dir)
}

/// One run of `scenario` at `size` in a fresh `erl`; its figure.
pub fn run(scenario: &str, size: u64) -> Option<f64> {
    let dir = compiled()?;
    let output = Command::new("erl")
        .arg("-noshell")
        .arg("-pa")
        .arg(&dir)
        .args(["-eval", &format!("bench:main({scenario}, {size}), halt().")])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim().lines().last()?.trim().parse().ok()
}
