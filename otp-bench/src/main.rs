//! The otp benchmark suite: each scenario run by otp, by the floor (plain tokio
//! tasks over plain flume channels), by ractor, kameo and actix, and by Erlang/OTP
//! when `erl` is on the PATH.
//!
//! `cargo run --release -p otp-bench` runs everything and prints markdown tables of
//! medians and of ratios to otp. Options: `--quick` (small sizes), `--runs N`
//! (default 3), `--scenario NAME`, `--contender NAME`, `--dist` (only the
//! distribution rows, see `dist.rs`). Each run is a fresh process
//! (this binary with `--single SCENARIO CONTENDER SIZE`), so that memory figures
//! belong to one run alone.

mod actix_impl;
mod dist;
mod erlang;
mod floor;
mod kameo_impl;
mod measure;
mod otp;
mod ractor_impl;
mod scenario;

use std::collections::BTreeMap;
use std::process::Command;

use measure::Measure;
use scenario::{CONTENDERS, SCENARIOS, Scenario};

struct Options {
    quick: bool,
    runs: usize,
    scenario: Option<String>,
    contender: Option<String>,
    /// Only the distribution table.
    dist: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--single") => {
            single(&args[2], &args[3], args[4].parse().expect("a size"));
            return;
        }
        Some("--dist-serve") => {
            dist::serve(&args[2], args[3].parse().expect("a port"));
            return;
        }
        Some("--dist-client") => {
            let port = args[4].parse().expect("a port");
            dist::client(&args[2], &args[3], port, args[5].parse().expect("a size"));
            return;
        }
        _ => {}
    }
    let mut options = Options {
        quick: false,
        runs: 3,
        scenario: None,
        contender: None,
        dist: false,
    };
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--runs" => options.runs = rest.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--scenario" => options.scenario = rest.next().cloned(),
            "--contender" => options.contender = rest.next().cloned(),
            "--dist" => options.dist = true,
            other => panic!("unknown option {other}; see the module docs"),
        }
    }
    if !options.dist {
        run_all(&options);
    }
    // The distribution rows need no contender but otp and Erlang: they run in
    // a full run or with `--dist`.
    if options.dist || (options.scenario.is_none() && options.contender.is_none()) {
        dist::run_all(options.quick, options.runs);
    }
}

/// One run of one scenario by one contender, in this process; prints the figure
/// (and, for scenarios that ask for it, this process's peak RSS in MiB on a second
/// line).
fn single(scenario: &str, contender: &str, size: u64) {
    let scenario = SCENARIOS
        .iter()
        .find(|s| s.name == scenario)
        .expect("a known scenario");
    let measure = match contender {
        "otp" => otp::run(scenario.name, size),
        "floor" => floor::run(scenario.name, size),
        "ractor" => ractor_impl::run(scenario.name, size),
        "kameo" => kameo_impl::run(scenario.name, size),
        "actix" => actix_impl::run(scenario.name, size),
        other => panic!("unknown contender {other}"),
    };
    match measure {
        Some(value) => {
            println!("{value}");
            if scenario.peak_rss {
                println!("{}", measure::peak_rss_mib());
            }
        }
        None => println!("n/a"),
    }
}

/// One row of the tables: a scenario's figure, or its peak RSS.
struct Row<'a> {
    scenario: &'a Scenario,
    /// 0: the scenario's own figure; 1: its peak RSS.
    metric: usize,
}

impl Row<'_> {
    fn title(&self) -> String {
        match self.metric {
            0 => self.scenario.title.to_string(),
            _ => format!("{}: peak RSS", self.scenario.title),
        }
    }

    fn unit(&self) -> &str {
        match self.metric {
            0 => self.scenario.unit,
            _ => "MiB",
        }
    }

    fn higher_is_better(&self) -> bool {
        self.metric == 0 && self.scenario.higher_is_better
    }
}

fn run_all(options: &Options) {
    let exe = std::env::current_exe().expect("the benchmark binary");
    let erl = erlang::available();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("# otp benchmarks\n");
    println!(
        "{}; commit {}; {} cores; {} runs per cell, medians; sizes {}; Erlang/OTP: {}\n",
        measure::now_utc(),
        measure::commit(),
        cores,
        options.runs,
        if options.quick { "quick" } else { "full" },
        match &erl {
            Some(version) => format!("OTP {version}"),
            None => "not found (`erl` is not on the PATH; install erlang-nox)".to_string(),
        }
    );
    let scenarios: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|s| options.scenario.as_deref().is_none_or(|n| n == s.name))
        .collect();
    let contenders: Vec<&str> = CONTENDERS
        .iter()
        .copied()
        .filter(|c| options.contender.as_deref().is_none_or(|n| n == *c))
        .collect();
    let mut rows = Vec::new();
    let mut table: BTreeMap<(usize, &str), Option<f64>> = BTreeMap::new();
    let started = std::time::Instant::now();
    for scenario in &scenarios {
        let size = if options.quick {
            scenario.quick
        } else {
            scenario.full
        };
        let metrics = if scenario.peak_rss { 2 } else { 1 };
        let first_row = rows.len();
        for metric in 0..metrics {
            rows.push(Row { scenario, metric });
        }
        for contender in &contenders {
            // Each run's figures, one list per metric.
            let mut values = vec![Vec::new(); metrics];
            for _ in 0..options.runs {
                let figures = if *contender == "erlang" {
                    erl.as_ref()
                        .and_then(|_| erlang::run(scenario.name, size))
                        .unwrap_or_default()
                } else {
                    single_in_fresh_process(&exe, scenario.name, contender, size)
                };
                if figures.len() < metrics {
                    break;
                }
                for (list, figure) in values.iter_mut().zip(figures) {
                    list.push(figure);
                }
            }
            for (metric, list) in values.iter_mut().enumerate() {
                let median = measure::median(list);
                eprintln!(
                    "[{:>4}s] {:>12} {:>8}{}: {:?}",
                    started.elapsed().as_secs(),
                    scenario.name,
                    contender,
                    if metric == 0 { "" } else { " peak RSS" },
                    median
                );
                table.insert((first_row + metric, contender), median);
            }
        }
    }
    print_tables(&rows, &contenders, &table);
}

/// Runs one cell in a fresh process (this binary with `--single`), so that memory
/// figures belong to that run alone; its figures, none if it failed or has none.
fn single_in_fresh_process(
    exe: &std::path::Path,
    scenario: &str,
    contender: &str,
    size: u64,
) -> Vec<f64> {
    let output = Command::new(exe)
        .args(["--single", scenario, contender, &size.to_string()])
        .output()
        .expect("a benchmark run");
    if !output.status.success() {
        eprintln!(
            "{} / {} failed: {}",
            scenario,
            contender,
            String::from_utf8_lossy(&output.stderr)
        );
        return Vec::new();
    }
    measure::figures(&String::from_utf8_lossy(&output.stdout))
}

fn print_tables(rows: &[Row], contenders: &[&str], table: &BTreeMap<(usize, &str), Option<f64>>) {
    print_medians(rows, contenders, table);
    if contenders.contains(&"otp") {
        print_ratios(rows, contenders, table);
    }
    print_backlog_cost(rows, contenders, table);
}

/// How much slower a selective receive is past the backlog than on an empty
/// mailbox, per contender (issue 9 point 5: at most 2x).
fn print_backlog_cost(
    rows: &[Row],
    contenders: &[&str],
    table: &BTreeMap<(usize, &str), Option<f64>>,
) {
    let row = |name: &str| {
        rows.iter()
            .position(|r| r.scenario.name == name && r.metric == 0)
    };
    let (Some(backlog), Some(empty)) = (row("selective"), row("selective0")) else {
        return;
    };
    println!("\n## Selective receive: the backlog's cost\n");
    println!("The rate on an empty mailbox divided by the rate past the backlog (1: the");
    println!("backlog costs nothing).\n");
    println!("| contender | empty / past backlog |");
    println!("|---|---:|");
    for c in contenders {
        let past = table.get(&(backlog, *c)).copied().flatten();
        let alone = table.get(&(empty, *c)).copied().flatten();
        if let (Some(past), Some(alone)) = (past, alone) {
            println!("| {c} | {:.2}x |", alone / past);
        }
    }
}

fn print_medians(rows: &[Row], contenders: &[&str], table: &BTreeMap<(usize, &str), Option<f64>>) {
    println!("## Medians\n");
    print!("| scenario | unit |");
    for c in contenders {
        print!(" {c} |");
    }
    println!();
    print!("|---|---|");
    for _ in contenders {
        print!("---:|");
    }
    println!();
    for (index, row) in rows.iter().enumerate() {
        print!("| {} | {} |", row.title(), row.unit());
        for c in contenders {
            match table.get(&(index, *c)).copied().flatten() {
                Some(v) => print!(" {} |", Measure::show(v)),
                None => print!(" n/a |"),
            }
        }
        println!();
    }
}

fn print_ratios(rows: &[Row], contenders: &[&str], table: &BTreeMap<(usize, &str), Option<f64>>) {
    println!("\n## Ratios to otp\n");
    println!("otp's figure divided by the contender's for rates (above 1: otp is faster), the");
    println!("contender's divided by otp's for memory (above 1: otp uses less).\n");
    print!("| scenario |");
    for c in contenders.iter().filter(|c| **c != "otp") {
        print!(" otp vs {c} |");
    }
    println!();
    print!("|---|");
    for _ in contenders.iter().filter(|c| **c != "otp") {
        print!("---:|");
    }
    println!();
    for (index, row) in rows.iter().enumerate() {
        print!("| {} |", row.title());
        let otp = table.get(&(index, "otp")).copied().flatten();
        for c in contenders.iter().filter(|c| **c != "otp") {
            let other = table.get(&(index, *c)).copied().flatten();
            match (otp, other) {
                (Some(o), Some(x)) if x > 0.0 && o > 0.0 => {
                    let ratio = if row.higher_is_better() { o / x } else { x / o };
                    print!(" {ratio:.2}x |");
                }
                _ => print!(" n/a |"),
            }
        }
        println!();
    }
}
