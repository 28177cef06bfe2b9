//! `sparkcheck audit`: import, evaluate, report, and choose the exit status.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use sparkcheck_policies::Settings;

use crate::cli::{AuditArgs, ColorChoice, FailOn, Format};
use crate::progress::{Phase, Progress};
use crate::report::{self, Report};
use crate::ExitStatus;

/// Where one report goes, and in which format.
#[derive(Clone, Debug)]
struct Target {
    /// `None`: standard output.
    path: Option<PathBuf>,
    format: Format,
}

/// The report targets: stdout in `--format` (text by default) when no `--output` is given,
/// else each output file in `--format` or the format its extension names.
fn targets(args: &AuditArgs) -> Result<Vec<Target>, String> {
    if args.output.is_empty() {
        let format = args.format.unwrap_or(Format::Text);
        return Ok(vec![Target { path: None, format }]);
    }
    args.output
        .iter()
        .map(|path| {
            let format = args
                .format
                .or_else(|| Format::from_extension(path))
                .ok_or_else(|| {
                    format!(
                        "cannot tell the format of `{}` from its extension; hint: name it .json, \
                     .csv, .xlsx, .md, .html, .xml (JUnit) or .txt, or pass --format",
                        path.display()
                    )
                })?;
            Ok(Target {
                path: Some(path.clone()),
                format,
            })
        })
        .collect()
}

/// What the command line and the configuration settle before any input is read.
struct Plan {
    targets: Vec<Target>,
    plugins: Vec<crate::config::PluginSpec>,
    expiry_window: i64,
    fail_on: FailOn,
    options: report::BuildOptions,
}

/// Settles targets, configuration and baseline; every problem is a one-line error.
fn plan(args: &AuditArgs) -> Result<Plan, String> {
    let targets = targets(args)?;
    let config = crate::config::load(args.config.as_deref()).map_err(|e| e.to_string())?;
    let baseline = args
        .baseline
        .as_deref()
        .map(crate::baseline::load)
        .transpose()?;
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    if fail_on == FailOn::New && baseline.is_none() {
        return Err(
            "`--fail-on new` compares with a baseline; hint: add --baseline PREVIOUS.json"
                .to_string(),
        );
    }
    Ok(Plan {
        targets,
        plugins: config.importers,
        expiry_window: args
            .expiry_window
            .or(config.expiry_window)
            .unwrap_or(7 * 86_400),
        fail_on,
        options: report::BuildOptions {
            severity: config.severity,
            suppress: config.suppress,
            baseline,
        },
    })
}

/// Runs an audit; errors go to stderr, reports to stdout or the `--output` files.
pub fn run(args: &AuditArgs) -> ExitStatus {
    let plan = match plan(args) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let targets = &plan.targets;
    let mut timings = Timings::start();
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let progress = Progress::new(!args.quiet && io::stderr().is_terminal());
    progress.phase(Phase::Reading);
    let imported = crate::plugins::import(&args.paths, &plan.plugins, threads, &|done, total| {
        progress.advance(done, total)
    });
    timings.lap("read");
    if !imported.errors.is_empty() {
        progress.finish();
        for error in &imported.errors {
            eprintln!("error: {error}");
        }
        let n = imported.errors.len();
        eprintln!(
            "error: {n} input {} could not be used; no report was written",
            if n == 1 { "file" } else { "files" }
        );
        return ExitStatus::Error;
    }
    if imported.facts.files.is_empty() {
        progress.finish();
        eprintln!("error: no input files found under the paths given; hint: name the export files or their folder");
        return ExitStatus::Error;
    }
    let settings = Settings {
        as_of: args.as_of.unwrap_or_else(now),
        expiry_window: plan.expiry_window,
        threads,
    };
    progress.phase(Phase::Evaluating);
    let evaluation = args.policy.policy().evaluate_timed(
        &imported.facts,
        &settings,
        &mut |phase| timings.lap(phase),
        &|done, total| progress.advance(done, total),
    );
    progress.phase(Phase::Reporting);
    progress.tick();
    let mut report = report::build(
        &imported,
        &evaluation,
        &settings,
        args.policy.policy(),
        &plan.options,
    );
    if targets.iter().any(|t| t.format == Format::Junit) {
        report.pairs = report::audited_pairs(&imported, &evaluation);
    }
    timings.lap("report");
    if targets.iter().any(|t| t.path.is_none()) {
        // The report and the bar would share the terminal.
        progress.finish();
    }
    let mut failed = false;
    for target in targets {
        if let Err(error) = emit(args, target, &report) {
            if target.path.is_none() && error.kind() == io::ErrorKind::BrokenPipe {
                continue;
            }
            let place = target
                .path
                .as_ref()
                .map_or("standard output".to_string(), |p| {
                    format!("`{}`", p.display())
                });
            progress.finish();
            eprintln!("error: cannot write the report to {place}: {error}");
            failed = true;
        }
    }
    timings.lap("write");
    progress.finish();
    if args.timings {
        eprintln!("{}", timings.to_json());
    }
    if failed {
        return ExitStatus::Error;
    }
    exit_status(&report, plan.fail_on)
}

/// Wall time per phase, for `--timings` and the benchmark.
struct Timings {
    started: std::time::Instant,
    last: std::time::Instant,
    phases: Vec<(&'static str, f64)>,
}

impl Timings {
    fn start() -> Self {
        let now = std::time::Instant::now();
        Timings {
            started: now,
            last: now,
            phases: Vec::new(),
        }
    }

    fn lap(&mut self, phase: &'static str) {
        let now = std::time::Instant::now();
        self.phases.push((phase, (now - self.last).as_secs_f64()));
        self.last = now;
    }

    fn to_json(&self) -> String {
        let mut fields = serde_json::Map::new();
        for (phase, seconds) in &self.phases {
            fields.insert(format!("{phase}_s"), serde_json::json!(seconds));
        }
        let total = self.started.elapsed().as_secs_f64();
        fields.insert("total_s".into(), serde_json::json!(total));
        fields.insert("peak_rss_kb".into(), serde_json::json!(peak_rss_kb()));
        serde_json::json!({ "timings": fields }).to_string()
    }
}

/// The process's peak resident memory (Linux `VmHWM`), 0 where unknown.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// The current time in unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn emit(args: &AuditArgs, target: &Target, report: &Report) -> io::Result<()> {
    let to_terminal = target.path.is_none() && io::stdout().is_terminal();
    let color = use_color(args.color, to_terminal, std::env::var_os("NO_COLOR"));
    let render = |out: &mut dyn Write| match target.format {
        Format::Json => report::json::write(report, out),
        Format::Text => report::text::write(report, out, color, grouping(args.by)),
        Format::Csv => report::csv::write(report, out),
        Format::Markdown => report::markdown::write(report, out),
        Format::Html => report::html::write(report, out),
        Format::Junit => report::junit::write(report, out),
        Format::Github => report::github::write(report, out),
        Format::Xlsx => out.write_all(&report::xlsx::to_bytes(report)?),
    };
    match &target.path {
        Some(path) => crate::output::write_atomically(path, render),
        None => crate::output::write_stdout(render),
    }
}

fn grouping(by: crate::cli::GroupBy) -> report::text::Grouping {
    match by {
        crate::cli::GroupBy::Account => report::text::Grouping::Account,
        crate::cli::GroupBy::Role => report::text::Grouping::Role,
    }
}

/// Colour only on a terminal (or when forced), and never when `NO_COLOR` is set non-empty.
fn use_color(choice: ColorChoice, to_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal,
    }
}

fn exit_status(report: &Report, fail_on: FailOn) -> ExitStatus {
    let failing = match fail_on {
        FailOn::Error => report.summary.errors,
        FailOn::Warning => report.summary.errors + report.summary.warnings,
        FailOn::New => report
            .findings
            .iter()
            .filter(|f| f.severity == "error" && f.status.as_deref() == Some("new"))
            .count(),
    };
    if failing > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_over_everything() {
        assert!(!use_color(ColorChoice::Always, true, Some("1".into())));
        assert!(use_color(ColorChoice::Always, false, None));
        assert!(use_color(ColorChoice::Auto, true, Some("".into())));
        assert!(!use_color(ColorChoice::Auto, false, None));
        assert!(!use_color(ColorChoice::Never, true, None));
    }
}
