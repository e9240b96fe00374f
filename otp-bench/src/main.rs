//! The otp benchmark suite: each scenario run by otp, by the floor (plain tokio
//! tasks over plain flume channels), by ractor, kameo and actix, and by Erlang/OTP
//! when `erl` is on the PATH.
//!
//! `cargo run --release -p otp-bench` runs everything and prints markdown tables of
//! medians and of ratios to otp. Options: `--quick` (small sizes), `--runs N`
//! (default 3), `--scenario NAME`, `--contender NAME`. Each run is a fresh process
//! (this binary with `--single SCENARIO CONTENDER SIZE`), so that memory figures
//! belong to one run alone.

mod actix_impl;
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
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--single") {
        single(&args[2], &args[3], args[4].parse().expect("a size"));
        return;
    }
    let mut options = Options {
        quick: false,
        runs: 3,
        scenario: None,
        contender: None,
    };
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--runs" => options.runs = rest.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--scenario" => options.scenario = rest.next().cloned(),
            "--contender" => options.contender = rest.next().cloned(),
            other => panic!("unknown option {other}; see the module docs"),
        }
    }
    run_all(&options);
}

/// One run of one scenario by one contender, in this process; prints the figure.
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
        Some(value) => println!("{value}"),
        None => println!("n/a"),
    }
}

fn run_all(options: &Options) {
    let exe = std::env::current_exe().expect("the benchmark binary");
    let erl = erlang::available();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("# otp benchmarks\n");
    println!(
        "{} cores; {} runs per cell, medians; sizes {}; Erlang/OTP: {}\n",
        cores,
        options.runs,
        if options.quick { "quick" } else { "full" },
        match &erl {
            Some(version) => format!("OTP {version}"),
            None => "not found (`erl` is not on the PATH; install erlang-nox)".to_string(),
        }
    );
    let mut table: BTreeMap<(usize, &str), Option<f64>> = BTreeMap::new();
    let scenarios: Vec<(usize, &Scenario)> = SCENARIOS
        .iter()
        .enumerate()
        .filter(|(_, s)| options.scenario.as_deref().is_none_or(|n| n == s.name))
        .collect();
    let contenders: Vec<&str> = CONTENDERS
        .iter()
        .copied()
        .filter(|c| options.contender.as_deref().is_none_or(|n| n == *c))
        .collect();
    for (index, scenario) in &scenarios {
        let size = if options.quick {
            scenario.quick
        } else {
            scenario.full
        };
        for contender in &contenders {
            let mut values = Vec::new();
            for _ in 0..options.runs {
                let value = if *contender == "erlang" {
                    erl.as_ref().and_then(|_| erlang::run(scenario.name, size))
                } else {
                    let output = Command::new(&exe)
                        .args(["--single", scenario.name, contender, &size.to_string()])
                        .output()
                        .expect("a benchmark run");
                    if !output.status.success() {
                        eprintln!(
                            "{} / {} failed: {}",
                            scenario.name,
                            contender,
                            String::from_utf8_lossy(&output.stderr)
                        );
                    }
                    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
                };
                match value {
                    Some(v) => values.push(v),
                    None => break,
                }
            }
            let median = measure::median(&mut values);
            eprintln!("{:>12} {:>8}: {:?}", scenario.name, contender, median);
            table.insert((*index, contender), median);
        }
    }
    print_tables(&scenarios, &contenders, &table);
}

fn print_tables(
    scenarios: &[(usize, &Scenario)],
    contenders: &[&str],
    table: &BTreeMap<(usize, &str), Option<f64>>,
) {
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
    for (index, scenario) in scenarios {
        print!("| {} | {} |", scenario.title, scenario.unit);
        for c in contenders {
            match table.get(&(*index, *c)).copied().flatten() {
                Some(v) => print!(" {} |", Measure::show(v)),
                None => print!(" n/a |"),
            }
        }
        println!();
    }
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
    for (index, scenario) in scenarios {
        print!("| {} |", scenario.title);
        let otp = table.get(&(*index, "otp")).copied().flatten();
        for c in contenders.iter().filter(|c| **c != "otp") {
            let other = table.get(&(*index, *c)).copied().flatten();
            match (otp, other) {
                (Some(o), Some(x)) if x > 0.0 && o > 0.0 => {
                    let ratio = if scenario.higher_is_better {
                        o / x
                    } else {
                        x / o
                    };
                    print!(" {ratio:.2}x |");
                }
                _ => print!(" n/a |"),
            }
        }
        println!();
    }
}
