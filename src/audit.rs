//! `sparkcheck audit`: import, evaluate, report, and choose the exit status.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::{AuditArgs, ColorChoice, FailOn, Format};
use crate::pipeline::{self, Observer, Plan};
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

/// Settles targets, configuration and baseline into a pipeline plan; every problem is a
/// one-line error.
/// What the command line and the configuration settle before any input is read.
struct Settled {
    targets: Vec<Target>,
    plan: Plan,
    fail_on: FailOn,
    strict: bool,
    history: Option<PathBuf>,
}

fn plan(args: &AuditArgs) -> Result<Settled, String> {
    let targets = targets(args)?;
    let config = crate::config::load(args.config.as_deref()).map_err(|e| e.to_string())?;
    config.check_trust()?;
    let history = args.history.clone().or_else(|| config.history.clone());
    if args.history.is_none() {
        config.check_history_place()?;
    }
    // The history database is written like a report: never over an input or the config,
    // nor where the next run would read it back.
    let outputs: Vec<PathBuf> = args.output.iter().chain(&history).cloned().collect();
    crate::output::check_outputs(&args.paths, config.path.as_deref(), &outputs)?;
    let baseline = match args.baseline.as_deref() {
        Some(path) if path == std::path::Path::new("history") => {
            let Some(file) = &history else {
                return Err(
                    "`--baseline history` compares with the audit history; hint: add \
                            --history FILE (or `history = \"…\"` in sparkcheck.toml)"
                        .to_string(),
                );
            };
            crate::history_cmd::last_run_baseline(file)?
        }
        Some(path) => Some(crate::triage::baseline::load(path)?),
        None => None,
    };
    let fail_on = args.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    if fail_on == FailOn::New && baseline.is_none() && args.baseline.is_none() {
        return Err(
            "`--fail-on new` compares with a baseline; hint: add --baseline PREVIOUS.json"
                .to_string(),
        );
    }
    let strict = args.strict || config.strict;
    let mut plan = Plan::new(args.paths.clone(), args.as_of.unwrap_or_else(now));
    plan.config = config;
    plan.policy = args.policy.policy();
    plan.expiry_window = args.expiry_window;
    plan.baseline = baseline;
    if let Some(threads) = args.threads {
        plan.threads = usize::from(threads);
    }
    Ok(Settled {
        targets,
        plan,
        fail_on,
        strict,
        history,
    })
}

/// Runs an audit; errors go to stderr, reports to stdout or the `--output` files.
pub fn run(args: &AuditArgs) -> ExitStatus {
    let Settled {
        targets,
        plan,
        fail_on,
        strict,
        history,
    } = match plan(args) {
        Ok(settled) => settled,
        Err(message) => {
            crate::say!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let targets = &targets;
    // The history keeps which version of each export a run read.
    sparkcheck_importers::set_hash_inputs(history.is_some());
    let mut timings = Timings::start();
    let started_at = now();
    // The history's reads run beside the audit, on a thread of their own.
    let recording = match &history {
        Some(file) => match crate::history_cmd::start_recording(file, plan.as_of) {
            Ok(recording) => Some(recording),
            Err(message) => {
                crate::say!("error: {message}");
                return ExitStatus::Error;
            }
        },
        None => None,
    };
    let progress = Progress::new(!args.quiet && io::stderr().is_terminal());
    progress.phase(Phase::Reading);
    let advance = |done, total| progress.advance(done, total);
    let mut lap = |phase: &'static str| {
        if phase == "read" {
            progress.phase(Phase::Evaluating);
        }
        timings.lap(phase);
    };
    let mut observer = Observer {
        lap: &mut lap,
        progress: &advance,
    };
    let evaluated = match pipeline::evaluate(plan, &mut observer) {
        Ok(evaluated) => evaluated,
        Err(error) => {
            progress.finish();
            error.print();
            return ExitStatus::Error;
        }
    };
    progress.phase(Phase::Reporting);
    progress.tick();
    let mut failed = false;
    // Every report is rendered before any is replaced: one failure replaces none.
    let mut transaction = crate::output::Transaction::new();
    let streamed = streamed_target(targets, history.is_some());
    let mut run = match streamed {
        Some(target) => {
            let (run, staged) =
                build_into_staged_json(evaluated, target, &mut observer, &mut transaction);
            if let Err(error) = staged {
                progress.finish();
                say_cannot_write(target, &error);
                failed = true;
            }
            run
        }
        None => evaluated.build(&mut observer, None),
    };
    if targets.iter().any(|t| t.format == Format::Junit) {
        run.report.pairs = run.audited_pairs();
    }
    if let Some(recording) = recording {
        if let Err(message) =
            crate::history_cmd::finish_recording(recording, &mut run.report, started_at)
        {
            progress.finish();
            crate::say!("error: {message}");
            return ExitStatus::Error;
        }
        timings.lap("history");
    }
    let report = &run.report;
    if targets.iter().any(|t| t.path.is_none()) {
        // The report and the bar would share the terminal.
        progress.finish();
    }
    for target in targets {
        if streamed.is_some_and(|streamed| std::ptr::eq(streamed, target)) {
            continue;
        }
        if let Err(error) = emit(args, target, report, &mut transaction) {
            if target.path.is_none() && error.kind() == io::ErrorKind::BrokenPipe {
                continue;
            }
            progress.finish();
            say_cannot_write(target, &error);
            failed = true;
        }
    }
    if failed {
        if targets.iter().any(|t| t.path.is_some()) {
            crate::say!("error: no report was replaced");
        }
    } else if let Err(error) = transaction.commit() {
        crate::say!("error: cannot replace the reports: {error}");
        failed = true;
    }
    timings.lap("write");
    progress.finish();
    if args.timings {
        crate::say!("{}", timings.to_json());
    }
    let status = if failed {
        ExitStatus::Error
    } else {
        final_status(args, report, targets, fail_on, strict)
    };
    // A one-shot command: the process ends next, and the OS takes back its memory far
    // faster than freeing a million rows and every report string one by one would (about
    // 0.1 s at 1M ads, docs/performance.md).
    std::mem::forget(run);
    status
}

/// The one target whose JSON report is written while the findings are built: a JSON
/// file, the run's only report, with no history (which changes the findings afterwards).
fn streamed_target(targets: &[Target], history: bool) -> Option<&Target> {
    match targets {
        [target] if target.format == Format::Json && target.path.is_some() && !history => {
            Some(target)
        }
        _ => None,
    }
}

/// Builds the report while `target`'s JSON is staged (see [`report::json::Stream`]). When
/// the report cannot be staged, it is still built, and the error returned beside it.
fn build_into_staged_json(
    evaluated: pipeline::Evaluated,
    target: &Target,
    observer: &mut Observer<'_>,
    transaction: &mut crate::output::Transaction,
) -> (pipeline::Run, io::Result<()>) {
    let path = target.path.as_ref().expect("a streamed target is a file");
    let mut evaluated = Some(evaluated);
    let mut built = None;
    let staged = transaction.stage(path, |out| {
        let evaluated = evaluated.take().expect("the report is rendered once");
        let mut stream = report::json::Stream::new(out);
        let run = evaluated.build(observer, Some(&mut stream));
        let written = stream.finish(&run.report, report::parallel::threads());
        built = Some(run);
        written
    });
    let run = match (built, evaluated) {
        (Some(run), _) => run,
        (None, Some(evaluated)) => evaluated.build(observer, None),
        (None, None) => unreachable!("the report is built when it is rendered"),
    };
    (run, staged)
}

/// Says that the report for `target` could not be written.
fn say_cannot_write(target: &Target, error: &io::Error) {
    let place = target
        .path
        .as_ref()
        .map_or("standard output".to_string(), |p| {
            format!("`{}`", p.display())
        });
    crate::say!("error: cannot write the report to {place}: {error}");
}

/// The exit status of a run whose reports were written, with its last lines on stderr.
fn final_status(
    args: &AuditArgs,
    report: &Report,
    targets: &[Target],
    fail_on: FailOn,
    strict: bool,
) -> ExitStatus {
    let mut status = exit_status(report, fail_on);
    if strict {
        if let Some(why) = strict_failure(report) {
            crate::say!("error: {why}; hint: supply the missing inputs, or drop --strict");
            status = ExitStatus::Failure;
        }
    }
    if !args.quiet && targets.iter().all(|t| t.path.is_some()) {
        crate::say!("{}", summary_line(report, targets));
    }
    if args.exit_zero && status == ExitStatus::Failure {
        return ExitStatus::Success;
    }
    status
}

/// One line for cron logs when the reports went to files:
/// `sparkcheck: 14 of 18 posts broken, 18 errors, 2 warnings; wrote report.json, report.xlsx`.
fn summary_line(report: &Report, targets: &[Target]) -> String {
    let s = &report.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let written: Vec<String> = targets
        .iter()
        .filter_map(|t| t.path.as_ref())
        .map(|p| crate::output::shown(p))
        .collect();
    format!(
        "sparkcheck: {} of {} broken, {}, {}; wrote {}",
        s.pairs_broken,
        plural(s.pairs_audited, "post", "posts"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        written.join(", ")
    )
}

/// `--statistics`: findings per cause, most first (ruff's layout).
fn write_statistics(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: Vec<(&String, &usize)> = report.summary.by_cause.iter().collect();
    counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (cause, count) in counts {
        let severity = report
            .findings
            .iter()
            .find(|f| &f.cause == cause)
            .map_or("", |f| f.severity.name());
        writeln!(out, "{count:>6}  {cause:<22} {severity}")?;
    }
    Ok(())
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

fn emit(
    args: &AuditArgs,
    target: &Target,
    report: &Report,
    transaction: &mut crate::output::Transaction,
) -> io::Result<()> {
    let to_terminal = target.path.is_none() && io::stdout().is_terminal();
    let color = use_color(args.color, to_terminal, std::env::var_os("NO_COLOR"));
    let render = |out: &mut dyn Write| match target.format {
        _ if args.statistics && target.path.is_none() => write_statistics(report, out),
        Format::Json => report::json::write(report, out),
        Format::Text => report::text::write(report, out, color, grouping(args.by)),
        Format::Csv => report::csv::write(report, out),
        Format::Markdown => report::markdown::write(report, out),
        Format::Html => report::html::write(report, out),
        Format::Junit => report::junit::write(report, out),
        Format::Github => report::github::write(report, out),
        Format::Xlsx => report::xlsx::write(report, out),
    };
    match &target.path {
        Some(path) => transaction.stage(path, render),
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
/// An explicit `--color` wins; `auto` colours a terminal unless `NO_COLOR` is set non-empty.
fn use_color(choice: ColorChoice, to_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && no_color.is_none_or(|v| v.is_empty()),
    }
}

/// Why `--strict` fails the run, if it does: a check not run or a rejected row.
fn strict_failure(report: &Report) -> Option<String> {
    let not_checked = report.coverage.values().filter(|c| *c != "checked").count();
    let rejected = report.rejected.len();
    let unchecked = report.unchecked.len();
    if not_checked + rejected + unchecked == 0 {
        return None;
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    Some(format!(
        "--strict: {}, {} and {} not fully checked",
        plural(not_checked, "check not run", "checks not run"),
        plural(rejected, "rejected row", "rejected rows"),
        plural(unchecked, "post", "posts"),
    ))
}

fn exit_status(report: &Report, fail_on: FailOn) -> ExitStatus {
    let failing = match fail_on {
        FailOn::Error => report.summary.errors,
        FailOn::Warning => report.summary.errors + report.summary.warnings,
        FailOn::New => report
            .findings
            .iter()
            .filter(|f| f.severity.is_error() && f.is_new())
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
    fn an_explicit_choice_wins_over_no_color() {
        assert!(use_color(ColorChoice::Always, true, Some("1".into())));
        assert!(!use_color(ColorChoice::Auto, true, Some("1".into())));
        assert!(use_color(ColorChoice::Always, false, None));
        assert!(use_color(ColorChoice::Auto, true, Some("".into())));
        assert!(!use_color(ColorChoice::Auto, false, None));
        assert!(!use_color(ColorChoice::Never, true, None));
    }
}
