//! `bench gen DIR --ads N --seed S`: write a portfolio.
//! `bench run`: time the CSV floor and `sparkcheck audit` end to end, paired, at several sizes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use bench::generate::{generate, Expected, AS_OF};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "sparkcheck's portfolio generator and benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a deterministic portfolio of all four input kinds into DIR.
    Gen {
        dir: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        ads: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// Time the floor and sparkcheck on generated portfolios; prints a Markdown table.
    Run {
        /// Portfolio sizes in ads.
        #[arg(long, value_delimiter = ',', default_value = "100000,1000000,5000000")]
        sizes: Vec<usize>,
        /// Paired runs per size (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Where portfolios are generated (kept between runs).
        #[arg(long, default_value = "target/bench-data")]
        data: PathBuf,
        /// The sparkcheck binary to time.
        #[arg(long, default_value = "target/release/sparkcheck")]
        binary: PathBuf,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

fn main() -> std::io::Result<()> {
    match Cli::parse().command {
        Cmd::Gen { dir, ads, seed } => {
            let expected = generate(&dir, ads, seed)?;
            print_expected(&expected);
            Ok(())
        }
        Cmd::Run {
            sizes,
            runs,
            data,
            binary,
            seed,
        } => run(&sizes, runs, &data, &binary, seed),
    }
}

fn print_expected(expected: &Expected) {
    println!(
        "{} ads, {} pairs, {} MB; injected findings: {:?}",
        expected.ads,
        expected.pairs,
        expected.bytes / 1_000_000,
        expected.by_cause
    );
}

struct Sample {
    floor: f64,
    wall: f64,
    rss_mb: f64,
    phases: serde_json::Value,
}

fn run(sizes: &[usize], runs: usize, data: &Path, binary: &Path, seed: u64) -> std::io::Result<()> {
    println!("| ads | MB | floor (s) | sparkcheck (s) | ratio | peak RSS (MB) | µs/ad | phases (× floor) |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut per_ad_1m = None;
    for &size in sizes {
        let dir = data.join(format!("ads-{size}-seed-{seed}"));
        if !dir.join(".complete").exists() {
            eprintln!("generating {size} ads into {}", dir.display());
            let expected = generate(&dir, size, seed)?;
            std::fs::write(dir.join(".complete"), format!("{expected:?}"))?;
        }
        let bytes: u64 = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "csv"))
            .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
            .sum();
        let mut samples = Vec::new();
        for run in 0..runs {
            let sample = measure(&dir, binary)?;
            eprintln!(
                "  {size} ads run {}: floor {:.3}s, sparkcheck {:.3}s ({:.2}×), {:.0} MB",
                run + 1,
                sample.floor,
                sample.wall,
                sample.wall / sample.floor,
                sample.rss_mb
            );
            samples.push(sample);
        }
        let floor = median(samples.iter().map(|s| s.floor).collect());
        let wall = median(samples.iter().map(|s| s.wall).collect());
        let ratio = median(samples.iter().map(|s| s.wall / s.floor).collect());
        let rss = samples.iter().map(|s| s.rss_mb).fold(0.0, f64::max);
        let per_ad = wall / size as f64 * 1e6;
        if size == 1_000_000 {
            per_ad_1m = Some(per_ad);
        }
        let phases = phase_ratios(&samples, floor);
        println!(
            "| {size} | {} | {floor:.3} | {wall:.3} | {ratio:.2} | {rss:.0} | {per_ad:.2} | {phases} |",
            bytes / 1_000_000
        );
        if size == 5_000_000 {
            if let Some(base) = per_ad_1m {
                println!("\ntime per ad at 5M / at 1M: {:.2}", per_ad / base);
            }
        }
    }
    Ok(())
}

fn measure(dir: &Path, binary: &Path) -> std::io::Result<Sample> {
    let started = Instant::now();
    bench::read_floor(dir)?;
    let floor = started.elapsed().as_secs_f64();
    let report = std::env::temp_dir().join(format!("sparkcheck-bench-{}.json", std::process::id()));
    let as_of = AS_OF.to_string();
    let started = Instant::now();
    let output = Command::new(binary)
        .args([
            "audit",
            &dir.to_string_lossy(),
            "--as-of",
            &as_of,
            "--format",
            "json",
            "--quiet",
            "--timings",
        ])
        .arg("--output")
        .arg(&report)
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(std::io::Error::other(format!(
            "sparkcheck failed: {stderr}"
        )));
    }
    let timings_line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"timings\""))
        .unwrap_or("{}");
    let timings: serde_json::Value = serde_json::from_str(timings_line).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    Ok(Sample {
        floor,
        wall,
        rss_mb: timings["timings"]["peak_rss_kb"].as_f64().unwrap_or(0.0) / 1024.0,
        phases: timings["timings"].clone(),
    })
}

fn phase_ratios(samples: &[Sample], floor: f64) -> String {
    let names = ["read", "group", "evaluate", "merge", "report"];
    names
        .iter()
        .map(|name| {
            let key = format!("{name}_s");
            let seconds = median(
                samples
                    .iter()
                    .map(|s| s.phases[&key].as_f64().unwrap_or(0.0))
                    .collect(),
            );
            format!("{name} {:.2}", seconds / floor)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
