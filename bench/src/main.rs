//! `bench gen DIR`: write a portfolio of a given shape.
//! `bench run`: time the CSV floor, `sparkcheck audit` and the DuckDB reference, paired, on a
//! matrix of portfolio shapes, and hold sparkcheck's findings to DuckDB's and the generator's.
//! `bench history`: thirty nightly audits appended to a history database, and its questions.
#![allow(clippy::disallowed_macros)] // test and bench output is not the product's boundary

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use bench::generate::{generate_shape, Expected, Layout, Order, Shape, AS_OF};
use bench::oracle;
use clap::{Parser, Subcommand};

mod history_bench;

/// Bumped whenever the generator's output for a shape changes, so `bench run` regenerates.
const GENERATOR_VERSION: u32 = 2;

#[derive(Parser)]
#[command(about = "sparkcheck's portfolio generator and benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write a deterministic portfolio of all four input kinds into DIR (new or empty).
    Gen {
        dir: PathBuf,
        /// Ads to write (whole posts: a few more than asked for tiny counts).
        #[arg(long, default_value_t = 1_000_000, allow_negative_numbers = true)]
        ads: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Row order: as generated (by ad account, creator, post) or shuffled per file kind.
        #[arg(long, value_enum, default_value = "sorted")]
        order: Order,
        /// 100k-row chunks in rotating export styles, or one file per kind (default: single
        /// with `--canonical`, else chunked).
        #[arg(long, value_enum)]
        layout: Option<Layout>,
        /// Share of (ad account, post) pairs with at least one defect, e.g. 0.12 or 0.25
        /// (default: the historical rates, about 0.144).
        #[arg(long, allow_negative_numbers = true)]
        broken: Option<f64>,
        /// The four files the DuckDB reference reads (`ads.csv`, `bc_assets.csv`,
        /// `spark_codes.csv`, `motion_connections.csv`): primary headers, `,`, one time format.
        #[arg(long)]
        canonical: bool,
    },
    /// Audit one portfolio for N nights, each paired with the same audit appending to a
    /// history database; then time every `sparkcheck history` question on it.
    History {
        #[arg(long, default_value_t = 1_000_000)]
        ads: usize,
        #[arg(long, default_value_t = 30)]
        nights: usize,
        #[arg(long, default_value = "target/bench-data")]
        data: PathBuf,
        #[arg(long, default_value = "target/release/sparkcheck")]
        binary: PathBuf,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Share of broken (ad account, post) pairs: 0.25 gives about 100k findings at 1M.
        #[arg(long, default_value_t = 0.25)]
        broken: f64,
    },
    /// Time the floor, sparkcheck and DuckDB on a matrix of shapes; prints a Markdown table,
    /// then the oracle's verdict per shape (exit 1 on any difference).
    Run {
        /// Shapes to run: each item selects the shapes having all its `-`-separated words,
        /// e.g. `shuffled`, `1m-single`, `5m`, `1m-sorted-chunked-12` (default: all).
        #[arg(long, value_delimiter = ',')]
        shapes: Vec<String>,
        /// Paired runs per shape, at least 1 (medians are reported).
        #[arg(long, default_value_t = 5, allow_negative_numbers = true)]
        runs: usize,
        /// Ads in the matrix's shapes.
        #[arg(long, default_value_t = 1_000_000, allow_negative_numbers = true)]
        ads: usize,
        /// Ads in the one large shape (more than `--ads`).
        #[arg(long, default_value_t = 5_000_000, allow_negative_numbers = true)]
        large: usize,
        /// Measure every shape of the matrix at `--large` ads too, not only the hardest, and
        /// print each one's time per ad against its counterpart (7 more folders, 1.3 GB each
        /// at 5M).
        #[arg(long)]
        large_matrix: bool,
        /// Where portfolios are generated (kept between runs) and reports written.
        #[arg(long, default_value = "target/bench-data")]
        data: PathBuf,
        /// The sparkcheck binary to time.
        #[arg(long, default_value = "target/release/sparkcheck")]
        binary: PathBuf,
        /// The folder holding `duckdb_preview.py` (default: `$SPARKCHECK_ANCHORS`, else
        /// `shared/anchors` in an ancestor of the repository root, `../shared/anchors` for
        /// the main checkout).
        #[arg(long)]
        anchors: Option<PathBuf>,
        /// Measure sparkcheck alone (no DuckDB time, only the generator's oracle).
        #[arg(long)]
        no_duckdb: bool,
        /// List the shapes and exit.
        #[arg(long)]
        list: bool,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Cmd::Gen {
            dir,
            ads,
            seed,
            order,
            layout,
            broken,
            canonical,
        } => {
            let layout = layout.unwrap_or(if canonical {
                Layout::Single
            } else {
                Layout::Chunked
            });
            let shape = Shape {
                ads,
                seed,
                order,
                layout,
                broken,
                canonical,
            };
            some_ads(ads)
                .and_then(|()| empty_folder(&dir))
                .and_then(|()| generate_shape(&dir, &shape).map_err(|e| at(&dir, e)))
                .map(|expected| {
                    print_expected(&expected);
                    true
                })
        }
        Cmd::History {
            ads,
            nights,
            data,
            binary,
            seed,
            broken,
        } => history_bench::run(&history_bench::HistoryBench {
            ads,
            nights,
            data,
            binary,
            seed,
            broken,
        }),
        Cmd::Run {
            shapes,
            runs,
            ads,
            large,
            large_matrix,
            data,
            binary,
            anchors,
            no_duckdb,
            list,
            seed,
        } => {
            let config = RunConfig {
                runs,
                data,
                binary,
                anchors,
                no_duckdb,
                seed,
            };
            check_sizes(runs, ads, large)
                .and_then(|()| select(&matrix(ads, large, large_matrix, seed), &shapes))
                .and_then(|cases| {
                    if list {
                        for case in &cases {
                            println!("{}", case.name);
                        }
                        Ok(true)
                    } else {
                        run(&cases, &config)
                    }
                })
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

/// An I/O error with the path it happened at.
fn at(path: &Path, error: io::Error) -> io::Error {
    io::Error::new(error.kind(), format!("`{}`: {error}", path.display()))
}

/// `bench gen` writes into a new or empty folder only: files of an earlier portfolio left
/// beside the new one would be read with it and break its expected findings.
fn empty_folder(dir: &Path) -> io::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(entries) => match entries.into_iter().next() {
            None => Ok(()),
            Some(_) => Err(io::Error::other(format!(
                "`{}` is not empty; hint: bench gen writes into a new or empty folder",
                dir.display()
            ))),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) if dir.exists() && !dir.is_dir() => Err(io::Error::other(format!(
            "`{}` is a file, not a folder ({error})",
            dir.display()
        ))),
        Err(error) => Err(at(dir, error)),
    }
}

/// A portfolio of no ads has no ads or codes file to read or time.
fn some_ads(ads: usize) -> io::Result<()> {
    if ads == 0 {
        return Err(io::Error::other(
            "`--ads 0` writes no ads; hint: at least one ad",
        ));
    }
    Ok(())
}

/// At least one run, and a large size that differs from the matrix's (the same size
/// would measure one shape twice under one name).
fn check_sizes(runs: usize, ads: usize, large: usize) -> io::Result<()> {
    if runs == 0 {
        return Err(io::Error::other(
            "`--runs 0` measures nothing; hint: at least one run per shape",
        ));
    }
    some_ads(ads)?;
    if large <= ads {
        return Err(io::Error::other(format!(
            "`--large {large}` must be more than `--ads {ads}`: the large shapes are measured against the matrix's"
        )));
    }
    Ok(())
}

fn print_expected(expected: &Expected) {
    println!(
        "{} ads, {} pairs ({} broken, {:.1}%), {} MB; injected findings: {:?}",
        expected.ads,
        expected.pairs,
        expected.broken_pairs,
        100.0 * expected.broken_pairs as f64 / expected.pairs.max(1) as f64,
        expected.bytes / 1_000_000,
        expected.by_cause
    );
}

/// One shape of the matrix.
struct Case {
    name: String,
    shape: Shape,
}

/// `1m`, `5m`, `20k`, or the number itself.
fn size_label(ads: usize) -> String {
    if ads >= 1_000_000 && ads.is_multiple_of(1_000_000) {
        format!("{}m", ads / 1_000_000)
    } else if ads >= 1_000 && ads.is_multiple_of(1_000) {
        format!("{}k", ads / 1_000)
    } else {
        ads.to_string()
    }
}

/// Every order × layout × broken share at `ads` (the single-file layout in canonical files,
/// which DuckDB reads; the chunked layout in mixed styles, DuckDB reading its canonical
/// twin), and the hardest shape at `large` (or, with `large_matrix`, every shape at `large`).
fn matrix(ads: usize, large: usize, large_matrix: bool, seed: u64) -> Vec<Case> {
    let mut cases = Vec::new();
    let case = |ads: usize, order: Order, layout: Layout, broken: f64| {
        let shape = Shape {
            ads,
            seed,
            order,
            layout,
            broken: Some(broken),
            canonical: layout == Layout::Single,
        };
        let name = format!(
            "{}-{}-{}-{:.0}",
            size_label(ads),
            match order {
                Order::Sorted => "sorted",
                Order::Shuffled => "shuffled",
            },
            match layout {
                Layout::Chunked => "chunked",
                Layout::Single => "single",
            },
            broken * 100.0
        );
        Case { name, shape }
    };
    let every_shape_at = |ads: usize, cases: &mut Vec<Case>| {
        for order in [Order::Sorted, Order::Shuffled] {
            for layout in [Layout::Chunked, Layout::Single] {
                for broken in [0.12, 0.25] {
                    cases.push(case(ads, order, layout, broken));
                }
            }
        }
    };
    every_shape_at(ads, &mut cases);
    if large_matrix {
        every_shape_at(large, &mut cases);
    } else {
        cases.push(case(large, Order::Shuffled, Layout::Single, 0.25));
    }
    cases
}

/// The cases matching any filter item (all of the item's words among the name's words).
fn select(cases: &[Case], filters: &[String]) -> io::Result<Vec<Case>> {
    let chosen: Vec<Case> = cases
        .iter()
        .filter(|case| filters.is_empty() || filters.iter().any(|f| matches(&case.name, f)))
        .map(|case| Case {
            name: case.name.clone(),
            shape: case.shape.clone(),
        })
        .collect();
    let unmatched: Vec<&str> = filters
        .iter()
        .filter(|filter| !chosen.iter().any(|case| matches(&case.name, filter)))
        .map(String::as_str)
        .collect();
    if chosen.is_empty() || !unmatched.is_empty() {
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        return Err(io::Error::other(format!(
            "no shape matches `{}` in `--shapes`; the shapes are {}",
            if unmatched.is_empty() {
                filters.join(",")
            } else {
                unmatched.join(",")
            },
            names.join(", ")
        )));
    }
    Ok(chosen)
}

/// Whether every `-`-separated word of `filter` is a word of the shape's `name`.
fn matches(name: &str, filter: &str) -> bool {
    let words: Vec<&str> = name.split('-').collect();
    filter
        .split('-')
        .all(|w| words.iter().any(|n| n.eq_ignore_ascii_case(w)))
}

struct RunConfig {
    runs: usize,
    data: PathBuf,
    binary: PathBuf,
    anchors: Option<PathBuf>,
    no_duckdb: bool,
    seed: u64,
}

/// What a generated folder holds, as its marker file recorded it.
struct Portfolio {
    dir: PathBuf,
    /// Ads written (whole posts: a few more than asked for tiny counts).
    ads: u64,
    bytes: u64,
    pairs: usize,
    broken_pairs: usize,
    by_cause: BTreeMap<String, usize>,
}

/// The folder of a shape under `data`, generated unless its marker says it is complete.
fn prepare(data: &Path, shape: &Shape) -> io::Result<Portfolio> {
    let name = format!(
        "{}-{:?}-{:?}{}-b{}-seed{}",
        shape.ads,
        shape.order,
        shape.layout,
        if shape.canonical { "-canonical" } else { "" },
        shape
            .broken
            .map_or("default".to_string(), |b| b.to_string()),
        shape.seed
    )
    .to_lowercase();
    let dir = data.join(name);
    let marker = dir.join(".complete");
    let recorded = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .filter(|v| v["version"] == GENERATOR_VERSION)
        // A file deleted or changed since: generate again.
        .filter(|v| v["bytes"].as_u64() == csv_bytes(&dir));
    let recorded = match recorded {
        Some(recorded) => recorded,
        None => {
            eprintln!("generating {} into {}", shape.ads, dir.display());
            let _ = std::fs::remove_dir_all(&dir);
            let expected = generate_shape(&dir, shape).map_err(|e| at(&dir, e))?;
            sync_folder(&dir).map_err(|e| at(&dir, e))?;
            let recorded = serde_json::json!({
                "version": GENERATOR_VERSION,
                "shape": format!("{shape:?}"),
                "ads": expected.ads,
                "pairs": expected.pairs,
                "broken_pairs": expected.broken_pairs,
                "bytes": expected.bytes,
                "by_cause": expected.by_cause,
            });
            std::fs::write(&marker, recorded.to_string()).map_err(|e| at(&marker, e))?;
            recorded
        }
    };
    let number = |key: &str| recorded[key].as_u64().unwrap_or(0);
    let by_cause = recorded["by_cause"]
        .as_object()
        .map(|causes| {
            causes
                .iter()
                .map(|(cause, n)| (cause.clone(), n.as_u64().unwrap_or(0) as usize))
                .collect()
        })
        .unwrap_or_default();
    Ok(Portfolio {
        dir,
        ads: number("ads"),
        bytes: number("bytes"),
        pairs: number("pairs") as usize,
        broken_pairs: number("broken_pairs") as usize,
        by_cause,
    })
}

struct Sample {
    floor: f64,
    wall: f64,
    duckdb: Option<f64>,
    rss_mb: f64,
    phases: serde_json::Value,
}

const PHASES: [&str; 6] = ["read", "group", "evaluate", "merge", "report", "write"];

/// Runs every case; `Ok(false)` when an oracle found a difference.
fn run(cases: &[Case], config: &RunConfig) -> io::Result<bool> {
    if !config.binary.is_file() {
        return Err(io::Error::other(format!(
            "the sparkcheck binary `{}` {}; hint: build it with `cargo build --release`",
            config.binary.display(),
            if config.binary.exists() {
                "is not a file"
            } else {
                "does not exist"
            }
        )));
    }
    let anchors = if config.no_duckdb {
        None
    } else {
        if let Some(reason) = oracle::duckdb_missing() {
            return Err(io::Error::other(format!(
                "{reason}; `--no-duckdb` measures sparkcheck alone"
            )));
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("bench lives in the repository");
        let named = config
            .anchors
            .clone()
            .or_else(|| std::env::var_os("SPARKCHECK_ANCHORS").map(PathBuf::from));
        let anchors = match named {
            Some(dir) => dir,
            None => oracle::find_anchors(root).ok_or_else(|| {
                io::Error::other(format!(
                    "no `shared/anchors/{}` in any folder above `{}`; name it with `--anchors DIR`",
                    oracle::RUNNER,
                    root.display()
                ))
            })?,
        };
        if !anchors.join(oracle::RUNNER).is_file() {
            let what = if !anchors.exists() {
                "does not exist"
            } else if !anchors.is_dir() {
                "is not a folder"
            } else {
                "holds no such file"
            };
            return Err(io::Error::other(format!(
                "the anchors folder `{}` {what}; hint: `--anchors` names the folder holding `{}`",
                anchors.display(),
                oracle::RUNNER
            )));
        }
        Some(anchors)
    };
    let reports = config.data.join("reports");
    std::fs::create_dir_all(&reports).map_err(|e| at(&reports, e))?;
    eprintln!(
        "sparkcheck --as-of {AS_OF}, {}, seed {}, {} paired runs per shape",
        if anchors.is_some() {
            format!("duckdb --as-of '{}'", oracle::as_of_text())
        } else {
            "no duckdb".to_string()
        },
        config.seed,
        config.runs
    );

    let mut table = vec![
        "| shape | MB | pairs broken | findings | floor (s) | sparkcheck (s) | DuckDB (s) | sparkcheck / floor | sparkcheck / DuckDB | peak RSS (MB) | phases (s) |".to_string(),
        "|---|---|---|---|---|---|---|---|---|---|---|".to_string(),
    ];
    let mut verdicts = Vec::new();
    let mut per_ad: BTreeMap<String, f64> = BTreeMap::new();
    for case in cases {
        let portfolio = prepare(&config.data, &case.shape)?;
        // DuckDB reads the canonical files; for a chunked shape, the same rows in the same
        // order written as the canonical files (findings are the same).
        let twin = if case.shape.canonical {
            None
        } else {
            Some(prepare(&config.data, &case.shape.canonical_twin())?)
        };
        let duckdb_dir = twin.as_ref().map_or(&portfolio.dir, |t| &t.dir);
        let report = reports.join(format!("{}.json", case.name));
        let duckdb_out = reports.join(format!("{}.duckdb.csv", case.name));
        let mut samples = Vec::new();
        for rep in 0..config.runs {
            let started = Instant::now();
            bench::read_floor(&portfolio.dir)?;
            let floor = started.elapsed().as_secs_f64();
            settle_on_disk(&report)?;
            let (wall, timings) = sparkcheck(&config.binary, &portfolio.dir, &report)?;
            let duckdb = match &anchors {
                Some(anchors) => {
                    let started = Instant::now();
                    oracle::run_duckdb(anchors, duckdb_dir, &duckdb_out)?;
                    Some(started.elapsed().as_secs_f64())
                }
                None => None,
            };
            let sample = Sample {
                floor,
                wall,
                duckdb,
                rss_mb: timings["peak_rss_kb"].as_f64().unwrap_or(0.0) / 1024.0,
                phases: timings,
            };
            eprintln!(
                "  {} run {}: floor {:.3}s, sparkcheck {:.3}s ({:.2}×), duckdb {}, {:.0} MB",
                case.name,
                rep + 1,
                sample.floor,
                sample.wall,
                sample.wall / sample.floor,
                sample
                    .duckdb
                    .map_or("-".to_string(), |d| format!("{d:.3}s")),
                sample.rss_mb
            );
            samples.push(sample);
        }
        let found = oracle::report_findings(&std::fs::read_to_string(&report)?)?;
        let mut problems = Vec::new();
        let counted = oracle::by_cause(&found);
        if counted != portfolio.by_cause {
            problems.push(format!(
                "findings per cause {counted:?} differ from the generator's injected {:?}",
                portfolio.by_cause
            ));
        }
        if anchors.is_some() {
            let reference = oracle::duckdb_findings(&duckdb_out)?;
            let differences = oracle::differences(&found, &reference, 10);
            if !differences.is_empty() {
                problems.push(format!(
                    "sparkcheck {} findings, duckdb {}; first differences:\n    {}",
                    found.len(),
                    reference.len(),
                    differences.join("\n    ")
                ));
            }
        }
        let verdict = if problems.is_empty() {
            format!(
                "{}: oracle: equal ({} findings{})",
                case.name,
                found.len(),
                if anchors.is_some() {
                    ", duckdb and generator"
                } else {
                    ", generator only"
                }
            )
        } else {
            format!(
                "{}: oracle: DIFFERENT\n  {}",
                case.name,
                problems.join("\n  ")
            )
        };
        eprintln!("{verdict}");
        verdicts.push((problems.is_empty(), verdict));

        let floor = median(samples.iter().map(|s| s.floor));
        let wall = median(samples.iter().map(|s| s.wall));
        let ratio = median(samples.iter().map(|s| s.wall / s.floor));
        let (duckdb, versus) = if anchors.is_some() {
            (
                format!("{:.3}", median(samples.iter().filter_map(|s| s.duckdb))),
                format!(
                    "{:.2}",
                    median(samples.iter().filter_map(|s| s.duckdb.map(|d| s.wall / d)))
                ),
            )
        } else {
            ("-".to_string(), "-".to_string())
        };
        let rss = samples.iter().map(|s| s.rss_mb).fold(0.0, f64::max);
        let phases = PHASES
            .iter()
            .map(|phase| {
                let key = format!("{phase}_s");
                let seconds = median(
                    samples
                        .iter()
                        .map(|s| s.phases[&key].as_f64().unwrap_or(0.0)),
                );
                format!("{phase} {seconds:.2}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let row = format!(
            "| {} | {} | {:.1}% | {} | {floor:.3} | {wall:.3} | {duckdb} | {ratio:.2} | {versus} | {rss:.0} | {phases} |",
            case.name,
            portfolio.bytes / 1_000_000,
            100.0 * portfolio.broken_pairs as f64 / portfolio.pairs.max(1) as f64,
            found.len(),
        );
        eprintln!("{row}");
        table.push(row);
        per_ad.insert(case.name.clone(), wall / portfolio.ads.max(1) as f64);
    }
    println!();
    for row in &table {
        println!("{row}");
    }
    // Time per ad of the large shape against the same shape at the matrix's size.
    let mut scaling = Vec::new();
    for case in cases {
        let same = |c: &&Case| {
            c.shape.order == case.shape.order
                && c.shape.layout == case.shape.layout
                && c.shape.broken == case.shape.broken
                && c.shape.ads < case.shape.ads
        };
        if let Some(small) = cases.iter().find(same) {
            scaling.push(format!(
                "time per ad, {} / {}: {:.2}",
                case.name,
                small.name,
                per_ad[&case.name] / per_ad[&small.name]
            ));
        }
    }
    if !scaling.is_empty() {
        println!();
        for line in scaling {
            println!("{line}");
        }
    }
    println!();
    for (_, verdict) in &verdicts {
        println!("{verdict}");
    }
    Ok(verdicts.iter().all(|(equal, _)| *equal))
}

/// Waits until the previous run's report is on disk, outside the timing. The next run
/// replaces it, and the kernel frees a replaced file's pages only once those still being
/// written are written: back to back, a 5M-ad run waited about a second for the last
/// one's 790 MB (write 1.1 s to a new file, 2.1 s over the previous one). A nightly run
/// replaces a report that reached the disk long ago; that is what is measured, the
/// replacement itself included.
fn settle_on_disk(report: &Path) -> io::Result<()> {
    match std::fs::File::open(report) {
        Ok(file) => file.sync_all(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// The bytes of the CSV files in `dir` (what the generator wrote), `None` if unreadable.
fn csv_bytes(dir: &Path) -> Option<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            total += path.metadata().ok()?.len();
        }
    }
    Some(total)
}

/// Puts a freshly generated folder on disk before anything is timed: its gigabytes would
/// otherwise be written back during the first runs and slow them (a 5M shape generated just
/// before its runs made their median 20% slower).
fn sync_folder(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() {
            settle_on_disk(&path)?;
        }
    }
    std::fs::File::open(dir)?.sync_all()
}

/// `sparkcheck audit DIR --format json --output REPORT --timings`: wall seconds and the
/// `timings` object.
fn sparkcheck(binary: &Path, dir: &Path, report: &Path) -> io::Result<(f64, serde_json::Value)> {
    let as_of = AS_OF.to_string();
    let before = identity(report);
    let started = Instant::now();
    let output = Command::new(binary)
        .arg("audit")
        .arg(dir)
        .args([
            "--as-of",
            &as_of,
            "--format",
            "json",
            "--quiet",
            "--timings",
        ])
        .arg("--output")
        .arg(report)
        .output()?;
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = || {
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("{\"timings\""));
        last.map_or("nothing on stderr".to_string(), |l| {
            format!("last on stderr `{}`", l.trim())
        })
    };
    let failed = |what: &str| {
        io::Error::other(format!(
            "sparkcheck `{}` {what} on `{}` (exit {}; {})",
            binary.display(),
            dir.display(),
            output
                .status
                .code()
                .map_or("by signal".to_string(), |c| c.to_string()),
            said()
        ))
    };
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(failed("failed"));
    }
    // The report must be this run's: the findings are read back from it. sparkcheck
    // writes a new file and renames it over the old one, so its identity changes.
    let after = identity(report);
    if after.is_none() || after == before {
        return Err(failed(&format!(
            "wrote no report to `{}`",
            report.display()
        )));
    }
    let timings = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"timings\""))
        .and_then(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|v| v["timings"].clone())
        .filter(|t| t["peak_rss_kb"].is_number())
        .ok_or_else(|| failed("printed no timings"))?;
    Ok((wall, timings))
}

/// A file's device, inode and modification time, if it exists.
fn identity(path: &Path) -> Option<(u64, u64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino(), meta.mtime(), meta.mtime_nsec()))
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(filters: &[&str]) -> Vec<String> {
        let filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
        select(&matrix(1_000_000, 5_000_000, false, 7), &filters)
            .map(|cases| cases.into_iter().map(|c| c.name).collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_matrix_covers_every_axis_and_one_large_shape() {
        let all = names(&[]);
        assert_eq!(all.len(), 9);
        assert_eq!(names(&["1m"]).len(), 8);
        assert_eq!(names(&["5m"]), ["5m-shuffled-single-25"]);
        assert_eq!(
            names(&["1m-sorted-chunked-12", "5m"]),
            ["1m-sorted-chunked-12", "5m-shuffled-single-25"]
        );
        assert_eq!(
            names(&["1m-shuffled-single"]),
            ["1m-shuffled-single-12", "1m-shuffled-single-25"]
        );
        assert!(names(&["sideways"]).is_empty());
        for case in matrix(1_000_000, 5_000_000, false, 7) {
            assert_eq!(case.shape.canonical, case.shape.layout == Layout::Single);
        }
    }

    #[test]
    fn the_large_matrix_has_every_shape_at_both_sizes() {
        let cases = matrix(1_000_000, 5_000_000, true, 7);
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 16);
        for name in &names[..8] {
            let large = name.replacen("1m-", "5m-", 1);
            assert!(names[8..].contains(&large.as_str()), "{large} missing");
        }
        let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
        assert_eq!(unique.len(), 16);
    }

    #[test]
    fn a_shapes_item_that_matches_nothing_is_an_error_naming_it() {
        let filters = vec!["sideways".to_string(), "shuffled".to_string()];
        let error = select(&matrix(1_000_000, 5_000_000, false, 7), &filters)
            .err()
            .expect("an item matching nothing is refused");
        assert!(
            error
                .to_string()
                .starts_with("no shape matches `sideways` in"),
            "{error}"
        );
    }

    #[test]
    fn no_runs_and_a_large_size_not_above_the_matrix_are_refused() {
        assert!(check_sizes(1, 1_000_000, 5_000_000).is_ok());
        assert!(check_sizes(0, 1_000_000, 5_000_000).is_err());
        assert!(check_sizes(3, 0, 5_000_000).is_err());
        assert!(check_sizes(3, 20_000, 20_000).is_err());
        assert!(check_sizes(3, 20_000, 10_000).is_err());
    }

    #[test]
    fn gen_writes_only_into_a_new_or_empty_folder() {
        let root = std::env::temp_dir().join(format!("bench-empty-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        assert!(empty_folder(&root).is_ok(), "a new folder");
        std::fs::create_dir_all(&root).unwrap();
        assert!(empty_folder(&root).is_ok(), "an empty folder");
        std::fs::write(root.join("ads.csv"), "x").unwrap();
        let error = empty_folder(&root).unwrap_err().to_string();
        assert!(error.contains("is not empty"), "{error}");
        let error = empty_folder(&root.join("ads.csv")).unwrap_err().to_string();
        assert!(error.contains("is a file"), "{error}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn sizes_are_labelled_for_shape_names() {
        assert_eq!(size_label(1_000_000), "1m");
        assert_eq!(size_label(20_000), "20k");
        assert_eq!(size_label(1_500), "1500");
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median([3.0, 1.0, 2.0].into_iter()), 2.0);
        assert_eq!(median([4.0, 1.0, 2.0, 3.0].into_iter()), 2.5);
        assert_eq!(median(std::iter::empty()), 0.0);
    }
}
