//! `bench history`: thirty nightly audits of one portfolio, each paired with the same audit
//! appending to a history database, then every `sparkcheck history` question timed.
//!
//! The nights advance the as-of by a day each, so codes run out and expiry warnings
//! appear over the month as they would; the inputs stay the same files.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use bench::generate::{generate_shape, Layout, Order, Shape, AS_OF};

const DAY: i64 = 86_400;

/// What to run.
pub struct HistoryBench {
    pub ads: usize,
    pub nights: usize,
    pub data: PathBuf,
    pub binary: PathBuf,
    pub seed: u64,
    /// Share of broken (ad account, post) pairs.
    pub broken: f64,
}

fn audit(
    binary: &Path,
    dir: &Path,
    as_of: i64,
    report: &Path,
    history: Option<&Path>,
) -> io::Result<f64> {
    let mut command = Command::new(binary);
    command
        .arg("audit")
        .arg(dir)
        .args([
            "--as-of",
            &as_of.to_string(),
            "--format",
            "json",
            "--quiet",
            "--output",
        ])
        .arg(report);
    if let Some(db) = history {
        command.arg("--history").arg(db);
    }
    let started = Instant::now();
    let output = command.output()?;
    let wall = started.elapsed().as_secs_f64();
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(io::Error::other(format!(
            "sparkcheck failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(wall)
}

fn question(binary: &Path, db: &Path, args: &[&str]) -> io::Result<(f64, usize)> {
    let started = Instant::now();
    let output = Command::new(binary)
        .arg("history")
        .arg(db)
        .args(args)
        .args(["--format", "json"])
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "history {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok((wall, output.stdout.len()))
}

fn file_size(path: &Path) -> u64 {
    let mut total = std::fs::metadata(path).map_or(0, |m| m.len());
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        total += std::fs::metadata(PathBuf::from(side)).map_or(0, |m| m.len());
    }
    total
}

/// Runs the scenario and prints a Markdown summary.
pub fn run(bench: &HistoryBench) -> io::Result<bool> {
    let name = format!(
        "history-{}-{}-{}",
        bench.ads,
        bench.seed,
        (bench.broken * 100.0).round()
    );
    let dir = bench.data.join(&name);
    if !dir.join("ads.csv").exists() {
        std::fs::create_dir_all(&dir)?;
        let shape = Shape {
            ads: bench.ads,
            seed: bench.seed,
            order: Order::Sorted,
            layout: Layout::Single,
            broken: Some(bench.broken),
            canonical: true,
        };
        generate_shape(&dir, &shape)?;
    }
    let db = bench.data.join(format!("{name}.sqlite"));
    for stale in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", db.display()));
    }
    let report = bench.data.join("history-report.json");
    let (mut plain, mut recorded, mut findings) = (Vec::new(), Vec::new(), Vec::new());
    for night in 0..bench.nights {
        let as_of = AS_OF + night as i64 * DAY;
        // Alternate which of the pair runs first, so neither always has the warm cache.
        let (a, b) = if night % 2 == 0 {
            let a = audit(&bench.binary, &dir, as_of, &report, None)?;
            (a, audit(&bench.binary, &dir, as_of, &report, Some(&db))?)
        } else {
            let b = audit(&bench.binary, &dir, as_of, &report, Some(&db))?;
            (audit(&bench.binary, &dir, as_of, &report, None)?, b)
        };
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&report)?).map_err(io::Error::other)?;
        findings.push(json["findings"].as_array().map_or(0, Vec::len));
        eprintln!(
            "night {:>2}: audit {a:.3} s, with history {b:.3} s, {} findings",
            night + 1,
            findings[night]
        );
        plain.push(a);
        recorded.push(b);
    }
    let overhead: Vec<f64> = recorded.iter().zip(&plain).map(|(r, p)| r - p).collect();
    let median_plain = crate::median(plain.iter().copied());
    let median_overhead = crate::median(overhead.iter().copied());
    println!(
        "| {} ads, {} nights | median audit | median audit + history | median append | append / audit | database |",
        bench.ads, bench.nights
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| {} findings per night (median) | {median_plain:.3} s | {:.3} s | {median_overhead:.3} s | {:.1}% | {:.1} MB |",
        crate::median(findings.iter().map(|&n| n as f64)) as u64,
        crate::median(recorded.iter().copied()),
        100.0 * median_overhead / median_plain,
        file_size(&db) as f64 / 1e6
    );
    println!();
    println!("| question | median of 3 | answer |");
    println!("|---|---|---|");
    for args in [
        vec!["runs"],
        vec!["trend"],
        vec!["trend", "--by", "cause"],
        vec!["trend", "--by", "owner"],
        vec!["trend", "--by", "client"],
        vec!["changes"],
        vec!["open"],
        vec!["open", "--by", "owner"],
    ] {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..3 {
            let (wall, size) = question(&bench.binary, &db, &args)?;
            times.push(wall);
            bytes = size;
        }
        println!(
            "| `history {}` | {:.3} s | {:.1} kB of JSON |",
            args.join(" "),
            crate::median(times.into_iter()),
            bytes as f64 / 1e3
        );
    }
    Ok(true)
}
