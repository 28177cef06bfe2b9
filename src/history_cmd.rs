//! `sparkcheck history FILE <runs|trend|changes|open>`: the questions asked of the audit
//! history that `audit --history FILE` records, as aligned text, JSON or CSV.
//!
//! Everything here renders what [`sparkcheck_history`] answers; the store itself lives there.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;
use sparkcheck_facts::time;
use sparkcheck_history::{
    Change, FindingRecord, FixStats, GroupBy, History, OpenReport, RunChanges, RunSummary,
    TrendPoint,
};

use crate::ExitStatus;

const AFTER_HELP: &str = "\
Examples:
  sparkcheck history audits.db runs
  sparkcheck history audits.db trend --by owner --since 2026-11-01
  sparkcheck history audits.db changes --since 2026-11-18 -o changes.csv
  sparkcheck history audits.db open --by owner --format json";

/// `sparkcheck history`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct HistoryArgs {
    /// The history database (`audit --history FILE` writes it).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The question: the runs with counts; broken posts and findings per run; what broke and
    /// what was fixed in each run; what is open now, since when, and days to fix.
    #[arg(value_enum)]
    pub question: Question,

    /// `trend`: one series per cause, owner role or client; `open`: `owner` lists the open
    /// findings by owner role.
    #[arg(long, value_enum)]
    pub by: Option<By>,

    /// `runs`, `trend`, `changes`: only runs with an as-of at or after this instant.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub since: Option<i64>,

    /// Output format [default: text, or the one the --output extension names: .json .csv].
    #[arg(long, value_enum)]
    pub format: Option<HistoryFormat>,

    /// Write to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The question asked.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Question {
    /// The runs, with counts.
    Runs,
    /// Broken posts and findings per run (per group with --by).
    Trend,
    /// Per run, the findings that appeared and the ones that were fixed.
    Changes,
    /// The findings open now, oldest first, and days to fix per cause and owner role.
    Open,
}

/// `--by`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// By cause code.
    Cause,
    /// By owner role.
    Owner,
    /// By client (account name, else the ad account).
    Client,
}

/// `sparkcheck history --format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// Aligned tables for a terminal.
    Text,
    /// The answer as JSON.
    Json,
    /// One row per run, point, change or open finding (UTF-8 with BOM).
    Csv,
}

/// The JSON answers' schema version.
const SCHEMA_VERSION: u32 = 1;

/// An answer, ready to render.
enum Answer {
    Runs(Vec<RunSummary>),
    Trend(Option<GroupBy>, Vec<TrendPoint>),
    Changes(Vec<RunChanges>),
    Open(bool, OpenReport),
}

/// Answers the question.
pub fn run(args: &HistoryArgs) -> ExitStatus {
    let answer = match check(args).and_then(|()| answer(args)) {
        Ok(answer) => answer,
        Err(message) => {
            crate::say!("error: {message}");
            return ExitStatus::Error;
        }
    };
    let format = args.format.unwrap_or_else(|| {
        let extension = args
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("json") => HistoryFormat::Json,
            Some("csv") => HistoryFormat::Csv,
            _ => HistoryFormat::Text,
        }
    });
    let render = |out: &mut dyn Write| match format {
        HistoryFormat::Text => write_text(&answer, out),
        HistoryFormat::Json => write_json(&answer, out),
        HistoryFormat::Csv => write_csv(&answer, out),
    };
    let written = match &args.output {
        Some(path) => crate::output::write_atomically(path, render),
        None => crate::output::write_stdout(render),
    };
    match written {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            crate::say!("error: cannot write the answer: {e}");
            ExitStatus::Error
        }
        _ => ExitStatus::Success,
    }
}

/// Flags that do not apply to the question.
fn check(args: &HistoryArgs) -> Result<(), String> {
    match (args.question, args.by) {
        (Question::Runs | Question::Changes, Some(_)) => {
            return Err(format!(
                "`--by` does not apply to `{}`; hint: `trend` takes `--by cause|owner|client`, `open` takes `--by owner`",
                question_name(args.question)
            ))
        }
        (Question::Open, Some(by)) if by != By::Owner => {
            return Err(format!(
                "`open` cannot group `--by {}`; hint: `open --by owner`, or `trend --by {}`",
                by_name(by),
                by_name(by)
            ))
        }
        _ => {}
    }
    if args.question == Question::Open && args.since.is_some() {
        return Err(
            "`--since` does not apply to `open` (it lists what is open now); hint: `changes --since T`"
                .into(),
        );
    }
    Ok(())
}

fn question_name(question: Question) -> &'static str {
    match question {
        Question::Runs => "runs",
        Question::Trend => "trend",
        Question::Changes => "changes",
        Question::Open => "open",
    }
}

fn by_name(by: By) -> &'static str {
    match by {
        By::Cause => "cause",
        By::Owner => "owner",
        By::Client => "client",
    }
}

fn answer(args: &HistoryArgs) -> Result<Answer, String> {
    let history = History::open_existing(&args.file).map_err(|e| e.to_string())?;
    let since = args.since;
    let answer = match args.question {
        Question::Runs => Answer::Runs(
            history
                .runs()
                .map_err(|e| e.to_string())?
                .into_iter()
                .filter(|r| since.is_none_or(|s| r.as_of >= s))
                .collect(),
        ),
        Question::Trend => {
            let by = args.by.map(|by| match by {
                By::Cause => GroupBy::Cause,
                By::Owner => GroupBy::Owner,
                By::Client => GroupBy::Client,
            });
            Answer::Trend(by, history.trend(by, since).map_err(|e| e.to_string())?)
        }
        Question::Changes => Answer::Changes(history.changes(since).map_err(|e| e.to_string())?),
        Question::Open => {
            let by_owner = args.by == Some(By::Owner);
            Answer::Open(
                by_owner,
                history.open_findings(by_owner).map_err(|e| e.to_string())?,
            )
        }
    };
    Ok(answer)
}

// ---- text -------------------------------------------------------------------------------

/// An instant for people: the date alone at midnight UTC, else RFC 3339.
fn when(secs: i64) -> String {
    let text = time::format_instant(secs);
    match text.strip_suffix("T00:00:00Z") {
        Some(date) => date.to_string(),
        None => text,
    }
}

fn days(value: f64) -> String {
    format!("{value:.1}")
}

fn optional(value: Option<u64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// Writes rows as columns, each as wide as its widest cell; `numeric` columns align right.
fn table(
    out: &mut dyn Write,
    indent: &str,
    headers: &[&str],
    numeric: &[bool],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut text = String::from(indent);
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.chars().count());
            if numeric[i] {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    line(out, &headers)?;
    for row in rows {
        line(out, row)?;
    }
    Ok(())
}

fn finding_cells(f: &FindingRecord) -> Vec<String> {
    vec![
        f.advertiser_id.clone(),
        f.post_id.clone(),
        f.cause.clone(),
        f.severity.clone(),
        f.owner_role.clone(),
        f.handle.clone().unwrap_or_else(|| "-".into()),
        f.client.clone().unwrap_or_else(|| "-".into()),
    ]
}

const FINDING_HEADERS: [&str; 7] = [
    "ad account",
    "post",
    "cause",
    "severity",
    "owner",
    "handle",
    "client",
];

fn write_text(answer: &Answer, out: &mut dyn Write) -> io::Result<()> {
    match answer {
        Answer::Runs(runs) => {
            if runs.is_empty() {
                return writeln!(out, "no runs recorded");
            }
            writeln!(
                out,
                "{} runs, {} to {}\n",
                runs.len(),
                when(runs[0].as_of),
                when(runs[runs.len() - 1].as_of)
            )?;
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|r| {
                    vec![
                        when(r.as_of),
                        r.pairs_audited.to_string(),
                        r.broken_posts.to_string(),
                        r.findings.to_string(),
                        r.errors.to_string(),
                        r.warnings.to_string(),
                        optional(r.new),
                        optional(r.fixed),
                        r.inputs.to_string(),
                        r.policy.clone(),
                        r.sparkcheck_version.clone(),
                    ]
                })
                .collect();
            table(
                out,
                "",
                &[
                    "as of", "posts", "broken", "findings", "errors", "warnings", "new", "fixed",
                    "inputs", "policy", "version",
                ],
                &[
                    false, true, true, true, true, true, true, true, true, false, false,
                ],
                &rows,
            )
        }
        Answer::Trend(by, points) => {
            if points.is_empty() {
                return writeln!(out, "no runs recorded in that period");
            }
            let group_header = match by {
                None => None,
                Some(GroupBy::Cause) => Some("cause"),
                Some(GroupBy::Owner) => Some("owner"),
                Some(GroupBy::Client) => Some("client"),
            };
            let mut headers = vec!["as of"];
            headers.extend(group_header);
            headers.extend(["broken posts", "findings", "errors", "warnings"]);
            let mut numeric = vec![false];
            numeric.extend(group_header.map(|_| false));
            numeric.extend([true; 4]);
            let rows: Vec<Vec<String>> = points
                .iter()
                .map(|p| {
                    let mut row = vec![when(p.as_of)];
                    row.extend(p.group.clone());
                    row.extend([
                        p.broken_posts.to_string(),
                        p.findings.to_string(),
                        p.errors.to_string(),
                        p.warnings.to_string(),
                    ]);
                    row
                })
                .collect();
            table(out, "", &headers, &numeric, &rows)
        }
        Answer::Changes(changes) => {
            if changes.is_empty() {
                return writeln!(out, "no changes: fewer than two runs in that period");
            }
            for (i, c) in changes.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "{} (against {}): {} broke, {} fixed",
                    when(c.as_of),
                    when(c.previous_as_of),
                    c.broken.len(),
                    c.fixed.len()
                )?;
                if c.broken.is_empty() && c.fixed.is_empty() {
                    continue;
                }
                let row = |kind: &str, change: &Change| {
                    let mut row = vec![kind.to_string()];
                    row.extend(finding_cells(&change.finding));
                    row.push(when(change.first_seen));
                    row.push(change.days_to_fix.map_or_else(|| "-".into(), days));
                    row
                };
                let rows: Vec<Vec<String>> = c
                    .broken
                    .iter()
                    .map(|b| row("broke", b))
                    .chain(c.fixed.iter().map(|f| row("fixed", f)))
                    .collect();
                let mut headers = vec![""];
                headers.extend(FINDING_HEADERS);
                headers.extend(["first seen", "days to fix"]);
                let mut numeric = vec![false; 9];
                numeric.push(true);
                table(out, "  ", &headers, &numeric, &rows)?;
            }
            Ok(())
        }
        Answer::Open(by_owner, open) => {
            let Some(as_of) = open.as_of else {
                return writeln!(out, "no runs recorded");
            };
            writeln!(
                out,
                "{} findings open in the run of {}, oldest first{}",
                open.findings.len(),
                when(as_of),
                if *by_owner { ", by owner role" } else { "" }
            )?;
            let mut headers = vec!["since", "days"];
            headers.extend(FINDING_HEADERS);
            let mut numeric = vec![false, true];
            numeric.extend([false; 7]);
            let row = |o: &sparkcheck_history::OpenFinding| {
                let mut row = vec![when(o.since), days(o.days_open)];
                row.extend(finding_cells(&o.finding));
                row
            };
            if *by_owner {
                for same in open
                    .findings
                    .chunk_by(|a, b| a.finding.owner_role == b.finding.owner_role)
                {
                    writeln!(out, "\n{} ({})", same[0].finding.owner_role, same.len())?;
                    let rows: Vec<Vec<String>> = same.iter().map(row).collect();
                    table(out, "  ", &headers, &numeric, &rows)?;
                }
            } else if !open.findings.is_empty() {
                writeln!(out)?;
                let rows: Vec<Vec<String>> = open.findings.iter().map(row).collect();
                table(out, "", &headers, &numeric, &rows)?;
            }
            writeln!(out, "\ndays to fix, over the findings fixed so far")?;
            if open.fix_by_cause.is_empty() {
                return writeln!(out, "  none fixed yet");
            }
            let stats = |out: &mut dyn Write, header: &str, stats: &[FixStats]| {
                let rows: Vec<Vec<String>> = stats
                    .iter()
                    .map(|s| {
                        vec![
                            s.group.clone(),
                            s.resolved.to_string(),
                            days(s.median_days),
                            days(s.p90_days),
                        ]
                    })
                    .collect();
                table(
                    out,
                    "  ",
                    &[header, "fixed", "median", "p90"],
                    &[false, true, true, true],
                    &rows,
                )
            };
            stats(out, "cause", &open.fix_by_cause)?;
            writeln!(out)?;
            stats(out, "owner", &open.fix_by_owner)
        }
    }
}

// ---- JSON -------------------------------------------------------------------------------

fn write_json(answer: &Answer, out: &mut dyn Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Runs<'a> {
        schema_version: u32,
        runs: &'a [RunSummary],
    }
    #[derive(Serialize)]
    struct Trend<'a> {
        schema_version: u32,
        by: Option<GroupBy>,
        trend: &'a [TrendPoint],
    }
    #[derive(Serialize)]
    struct Changes<'a> {
        schema_version: u32,
        changes: &'a [RunChanges],
    }
    #[derive(Serialize)]
    struct Open<'a> {
        schema_version: u32,
        by_owner: bool,
        #[serde(flatten)]
        open: &'a OpenReport,
    }
    let schema_version = SCHEMA_VERSION;
    match answer {
        Answer::Runs(runs) => serde_json::to_writer_pretty(
            &mut *out,
            &Runs {
                schema_version,
                runs,
            },
        ),
        Answer::Trend(by, trend) => serde_json::to_writer_pretty(
            &mut *out,
            &Trend {
                schema_version,
                by: *by,
                trend,
            },
        ),
        Answer::Changes(changes) => serde_json::to_writer_pretty(
            &mut *out,
            &Changes {
                schema_version,
                changes,
            },
        ),
        Answer::Open(by_owner, open) => serde_json::to_writer_pretty(
            &mut *out,
            &Open {
                schema_version,
                by_owner: *by_owner,
                open,
            },
        ),
    }?;
    out.write_all(b"\n")
}

// ---- CSV --------------------------------------------------------------------------------

fn write_csv(answer: &Answer, out: &mut dyn Write) -> io::Result<()> {
    use crate::report::csv::{without_at, write_record, HANDLE_COLUMN};
    use crate::report::escape::spreadsheet_cell as cell;
    let mut out = io::BufWriter::new(out);
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut write = |cells: Vec<String>| -> io::Result<()> {
        write_record(&mut out, cells.iter().map(|c| cell(c)))
    };
    let finding = |f: &FindingRecord| -> Vec<String> {
        vec![
            f.advertiser_id.clone(),
            f.client.clone().unwrap_or_default(),
            f.post_id.clone(),
            // Without the `@`, as in the audit's CSV: a cell starting with `@` is a formula.
            without_at(f.handle.as_deref().unwrap_or_default()),
            f.cause.clone(),
            f.severity.clone(),
            f.owner_role.clone(),
        ]
    };
    const FINDING: [&str; 7] = [
        "advertiser_id",
        "account_name",
        "post_id",
        HANDLE_COLUMN,
        "cause",
        "severity",
        "owner_role",
    ];
    let header = |first: &[&str], last: &[&str], with_finding: bool| -> Vec<String> {
        first
            .iter()
            .chain(if with_finding { &FINDING[..] } else { &[] })
            .chain(last)
            .map(|h| h.to_string())
            .collect()
    };
    match answer {
        Answer::Runs(runs) => {
            write(header(
                &[
                    "as_of",
                    "started_at",
                    "policy",
                    "sparkcheck_version",
                    "config_hash",
                    "inputs",
                    "pairs_audited",
                    "broken_posts",
                    "findings",
                    "errors",
                    "warnings",
                    "new",
                    "fixed",
                ],
                &[],
                false,
            ))?;
            for r in runs {
                write(vec![
                    time::format_instant(r.as_of),
                    time::format_instant(r.started_at),
                    r.policy.clone(),
                    r.sparkcheck_version.clone(),
                    r.config_hash.clone().unwrap_or_default(),
                    r.inputs.to_string(),
                    r.pairs_audited.to_string(),
                    r.broken_posts.to_string(),
                    r.findings.to_string(),
                    r.errors.to_string(),
                    r.warnings.to_string(),
                    r.new.map(|n| n.to_string()).unwrap_or_default(),
                    r.fixed.map(|n| n.to_string()).unwrap_or_default(),
                ])?;
            }
        }
        Answer::Trend(_, points) => {
            write(header(
                &[
                    "as_of",
                    "group",
                    "broken_posts",
                    "findings",
                    "errors",
                    "warnings",
                ],
                &[],
                false,
            ))?;
            for p in points {
                write(vec![
                    time::format_instant(p.as_of),
                    p.group.clone().unwrap_or_default(),
                    p.broken_posts.to_string(),
                    p.findings.to_string(),
                    p.errors.to_string(),
                    p.warnings.to_string(),
                ])?;
            }
        }
        Answer::Changes(changes) => {
            write(header(
                &["as_of", "previous_as_of", "change"],
                &["first_seen", "days_to_fix"],
                true,
            ))?;
            for c in changes {
                for (kind, list) in [("broke", &c.broken), ("fixed", &c.fixed)] {
                    for change in list {
                        let mut row = vec![
                            time::format_instant(c.as_of),
                            time::format_instant(c.previous_as_of),
                            kind.to_string(),
                        ];
                        row.extend(finding(&change.finding));
                        row.push(time::format_instant(change.first_seen));
                        row.push(change.days_to_fix.map(days).unwrap_or_default());
                        write(row)?;
                    }
                }
            }
        }
        Answer::Open(_, open) => {
            write(header(&["since", "days_open"], &[], true))?;
            for o in &open.findings {
                let mut row = vec![time::format_instant(o.since), days(o.days_open)];
                row.extend(finding(&o.finding));
                write(row)?;
            }
        }
    }
    out.flush()
}

// ---- for `audit --history` (not wired yet) ------------------------------------------

/// The record of an audit, for [`History::record`]: `started_at` is the wall clock when the
/// run began, `config_hash` a hash of the configuration file when one was read. Suppressed
/// findings are not recorded (they are not in `report.findings`).
pub fn run_record(
    report: &crate::report::Report,
    started_at: i64,
    config_hash: Option<String>,
) -> Result<sparkcheck_history::RunRecord, String> {
    let as_of = time::parse_instant(&report.as_of)
        .map_err(|e| format!("the report's as-of `{}`: {e}", report.as_of))?;
    Ok(sparkcheck_history::RunRecord {
        as_of,
        started_at,
        policy: report.policy.clone(),
        sparkcheck_version: env!("CARGO_PKG_VERSION").to_string(),
        config_hash,
        pairs_audited: report.summary.pairs_audited as u64,
        inputs: report
            .inputs
            .iter()
            .map(|i| sparkcheck_history::InputRecord {
                path: i.path.clone(),
                kind: i.kind.clone(),
                rows: i.rows,
                imported: i.imported,
                rejected: i.rejected,
                content_hash: i.content_hash.clone(),
            })
            .collect(),
        coverage: report.coverage.clone(),
        findings: report
            .findings
            .iter()
            .map(|f| FindingRecord {
                advertiser_id: f.advertiser_id.clone(),
                post_id: f.post_id.clone(),
                cause: f.cause.clone(),
                severity: f.severity.name().to_string(),
                owner_role: f.owner_role.clone(),
                handle: f.handle.clone(),
                client: f.account_name.clone(),
            })
            .collect(),
    })
}

/// A run of the history as a `--baseline` (for `--baseline history`: pass
/// [`History::last_run_findings`] read before recording the new run).
pub fn baseline_of(run: &sparkcheck_history::RunFindings) -> crate::triage::Baseline {
    let findings = run
        .findings
        .iter()
        .map(|s| {
            let f = &s.finding;
            (
                crate::triage::FindingKey {
                    advertiser_id: f.advertiser_id.clone(),
                    post_id: f.post_id.clone(),
                    cause: f.cause.clone(),
                },
                crate::triage::BaselineFinding {
                    advertiser_id: f.advertiser_id.clone(),
                    post_id: f.post_id.clone(),
                    cause: f.cause.clone(),
                    handle: f.handle.clone(),
                    severity: if f.severity == "warning" {
                        crate::report::Severity::Warning
                    } else {
                        crate::report::Severity::Error
                    },
                    owner_role: f.owner_role.clone(),
                },
            )
        })
        .collect();
    crate::triage::Baseline { findings }
}

fn parse_instant(text: &str) -> Result<i64, String> {
    time::parse_instant(text).map_err(|e| e.to_string())
}

/// `--baseline history`: the last run recorded in `file`, or none in an empty history.
pub fn last_run_baseline(
    file: &std::path::Path,
) -> Result<Option<crate::triage::Baseline>, String> {
    let history = sparkcheck_history::History::open(file).map_err(|e| e.to_string())?;
    let last = history.last_run_findings().map_err(|e| e.to_string())?;
    Ok(last.as_ref().map(baseline_of))
}

/// Opens the history and starts recording a run of `as_of` on its own thread, so the reads
/// the append needs overlap the audit (see `History::start_recording`).
pub fn start_recording(
    file: &std::path::Path,
    as_of: i64,
) -> Result<sparkcheck_history::Recording, String> {
    let history = sparkcheck_history::History::open(file).map_err(|e| e.to_string())?;
    Ok(history.start_recording(as_of))
}

/// Records the audit's report through a started recording; gives every finding its
/// `first_seen` and the report its `trend`.
pub fn finish_recording(
    recording: sparkcheck_history::Recording,
    report: &mut crate::report::Report,
    started_at: i64,
) -> Result<(), String> {
    let hash = report.config.as_ref().map(|c| c.hash.clone());
    let record = run_record(report, started_at, hash)?;
    // Each finding's streak start, from the recording transaction itself: right for a
    // backfilled run (older than the newest) too. `run_record` keeps the report's order.
    let (history, id, first_seen) = recording.finish(record).map_err(|e| e.to_string())?;
    // A run's findings share a handful of first-seen instants (one per earlier run at
    // most): each is formatted once.
    let mut formatted: std::collections::HashMap<i64, String> = Default::default();
    for (finding, since) in report.findings.iter_mut().zip(first_seen) {
        let text = formatted
            .entry(since)
            .or_insert_with(|| time::format_instant(since));
        finding.first_seen = Some(text.clone());
    }
    report.trend = Some(trend_until(&history, id)?);
    Ok(())
}

/// The counts of the runs up to and including `run` (in run order: a backfilled run's
/// trend ends with it, not with a newer run), the last [`TREND_RUNS`] of them.
///
/// [`TREND_RUNS`]: crate::report::TREND_RUNS
fn trend_until(
    history: &sparkcheck_history::History,
    run: sparkcheck_history::RunId,
) -> Result<Vec<crate::report::TrendRunOut>, String> {
    let points = history.trend(None, None).map_err(|e| e.to_string())?;
    let end = points
        .iter()
        .position(|p| p.run == run)
        .map_or(points.len(), |at| at + 1);
    let start = end.saturating_sub(crate::report::TREND_RUNS);
    Ok(points[start..end]
        .iter()
        .map(|p| crate::report::TrendRunOut {
            as_of: time::format_instant(p.as_of),
            broken_posts: p.broken_posts,
            findings: p.findings,
            errors: p.errors,
            warnings: p.warnings,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sparkcheck_history::{InputRecord, RunRecord};

    /// `first_seen` (RFC 3339) by finding key, from [`History::first_seen`] read after recording.
    fn first_seen_by_key(
        seen: &[sparkcheck_history::SeenFinding],
    ) -> std::collections::BTreeMap<(String, String, String), String> {
        seen.iter()
            .map(|s| {
                let f = &s.finding;
                (
                    (f.advertiser_id.clone(), f.post_id.clone(), f.cause.clone()),
                    time::format_instant(s.first_seen),
                )
            })
            .collect()
    }

    const DAY1: i64 = 1_794_787_200; // 2026-11-16

    fn finding(post: &str, cause: &str, severity: &str, owner: &str) -> FindingRecord {
        FindingRecord {
            advertiser_id: "7300000000000000001".into(),
            post_id: post.into(),
            cause: cause.into(),
            severity: severity.into(),
            owner_role: owner.into(),
            handle: Some("@maya.moves".into()),
            client: Some("=Acme".into()),
        }
    }

    /// Day 1: A B; day 2: A C; day 3: A. A = p1 CODE_EXPIRED (Creator), B = p2
    /// NOT_SHARED_TO_BC (Org Admin), C = p2 CODE_EXPIRING_SOON warning (Creator).
    fn database(dir: &std::path::Path) -> PathBuf {
        let path = dir.join("history.db");
        let mut history = History::open(&path).unwrap();
        let a = finding("p1", "CODE_EXPIRED", "error", "Creator");
        let b = finding("p2", "NOT_SHARED_TO_BC", "error", "Org Admin");
        let c = finding("p2", "CODE_EXPIRING_SOON", "warning", "Creator");
        for (n, findings) in [vec![a.clone(), b], vec![a.clone(), c], vec![a]]
            .into_iter()
            .enumerate()
        {
            let as_of = DAY1 + n as i64 * 86_400;
            history
                .record(&RunRecord {
                    as_of,
                    started_at: as_of + 60,
                    policy: "preview".into(),
                    sparkcheck_version: "0.1.0".into(),
                    config_hash: None,
                    pairs_audited: 4,
                    inputs: vec![InputRecord {
                        path: "ads.csv".into(),
                        kind: "ads".into(),
                        rows: 4,
                        imported: 4,
                        rejected: 0,
                        content_hash: None,
                    }],
                    coverage: Default::default(),
                    findings,
                })
                .unwrap();
        }
        path
    }

    #[test]
    fn a_report_trend_holds_the_last_runs_up_to_its_own() {
        let dir = temp("trend-until");
        let path = dir.join("history.db");
        let mut history = History::open(&path).unwrap();
        let mut ids = Vec::new();
        for n in 0..35i64 {
            let as_of = DAY1 + n * 86_400;
            // Run n has n % 3 broken posts.
            let findings = (0..n % 3)
                .map(|p| finding(&format!("p{p}"), "CODE_EXPIRED", "error", "Creator"))
                .collect();
            ids.push(
                history
                    .record(&RunRecord {
                        as_of,
                        started_at: as_of,
                        policy: "preview".into(),
                        sparkcheck_version: "0.1.0".into(),
                        config_hash: None,
                        pairs_audited: 4,
                        inputs: Vec::new(),
                        coverage: Default::default(),
                        findings,
                    })
                    .unwrap(),
            );
        }
        let trend = trend_until(&history, ids[34]).unwrap();
        assert_eq!(trend.len(), crate::report::TREND_RUNS);
        assert_eq!(trend[0].as_of, time::format_instant(DAY1 + 5 * 86_400));
        assert_eq!(trend[29].as_of, time::format_instant(DAY1 + 34 * 86_400));
        let broken: Vec<u64> = trend.iter().map(|t| t.broken_posts).collect();
        let expected: Vec<u64> = (5..35).map(|n| n % 3).collect();
        assert_eq!(broken, expected);
        assert_eq!(trend[29].findings, 1);
        // An older run's trend ends with it.
        let early = trend_until(&history, ids[2]).unwrap();
        assert_eq!(early.len(), 3);
        assert_eq!(early[2].broken_posts, 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "sparkcheck-history-cmd-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn args(file: PathBuf, question: Question) -> HistoryArgs {
        HistoryArgs {
            file,
            question,
            by: None,
            since: None,
            format: None,
            output: None,
        }
    }

    fn render(args: &HistoryArgs, format: HistoryFormat) -> String {
        check(args).unwrap();
        let answer = answer(args).unwrap();
        let mut out = Vec::new();
        match format {
            HistoryFormat::Text => write_text(&answer, &mut out),
            HistoryFormat::Json => write_json(&answer, &mut out),
            HistoryFormat::Csv => write_csv(&answer, &mut out),
        }
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_question_as_aligned_text() {
        let dir = temp("text");
        let db = database(&dir);
        assert_eq!(
            render(&args(db.clone(), Question::Runs), HistoryFormat::Text),
            "\
3 runs, 2026-11-16 to 2026-11-18

as of       posts  broken  findings  errors  warnings  new  fixed  inputs  policy   version
2026-11-16      4       2         2       2         0    -      -       1  preview  0.1.0
2026-11-17      4       1         2       1         1    1      1       1  preview  0.1.0
2026-11-18      4       1         1       1         0    0      1       1  preview  0.1.0
"
        );
        let mut trend = args(db.clone(), Question::Trend);
        trend.by = Some(By::Owner);
        trend.since = Some(DAY1 + 86_400);
        assert_eq!(
            render(&trend, HistoryFormat::Text),
            "\
as of       owner    broken posts  findings  errors  warnings
2026-11-17  Creator             1         2       1         1
2026-11-18  Creator             1         1       1         0
"
        );
        assert_eq!(
            render(&args(db.clone(), Question::Changes), HistoryFormat::Text),
            "\
2026-11-17 (against 2026-11-16): 1 broke, 1 fixed
         ad account           post  cause               severity  owner      handle       client  first seen  days to fix
  broke  7300000000000000001  p2    CODE_EXPIRING_SOON  warning   Creator    @maya.moves  =Acme   2026-11-17            -
  fixed  7300000000000000001  p2    NOT_SHARED_TO_BC    error     Org Admin  @maya.moves  =Acme   2026-11-16          1.0

2026-11-18 (against 2026-11-17): 0 broke, 1 fixed
         ad account           post  cause               severity  owner    handle       client  first seen  days to fix
  fixed  7300000000000000001  p2    CODE_EXPIRING_SOON  warning   Creator  @maya.moves  =Acme   2026-11-17          1.0
"
        );
        let mut open = args(db, Question::Open);
        open.by = Some(By::Owner);
        assert_eq!(
            render(&open, HistoryFormat::Text),
            "\
1 findings open in the run of 2026-11-18, oldest first, by owner role

Creator (1)
  since       days  ad account           post  cause         severity  owner    handle       client
  2026-11-16   2.0  7300000000000000001  p1    CODE_EXPIRED  error     Creator  @maya.moves  =Acme

days to fix, over the findings fixed so far
  cause               fixed  median  p90
  CODE_EXPIRING_SOON      1     1.0  1.0
  NOT_SHARED_TO_BC        1     1.0  1.0

  owner      fixed  median  p90
  Creator        1     1.0  1.0
  Org Admin      1     1.0  1.0
"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn json_and_csv() {
        let dir = temp("json-csv");
        let db = database(&dir);
        let json: serde_json::Value = serde_json::from_str(&render(
            &args(db.clone(), Question::Open),
            HistoryFormat::Json,
        ))
        .unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["by_owner"], false);
        assert_eq!(json["as_of"], "2026-11-18T00:00:00Z");
        assert_eq!(json["findings"][0]["since"], "2026-11-16T00:00:00Z");
        assert_eq!(json["findings"][0]["days_open"], 2.0);
        assert_eq!(json["fix_by_owner"][1]["group"], "Org Admin");

        let csv = render(&args(db.clone(), Question::Changes), HistoryFormat::Csv);
        assert_eq!(
            csv,
            "\u{feff}as_of,previous_as_of,change,advertiser_id,account_name,post_id,handle (without @),cause,severity,owner_role,first_seen,days_to_fix\r\n\
2026-11-17T00:00:00Z,2026-11-16T00:00:00Z,broke,7300000000000000001,'=Acme,p2,maya.moves,CODE_EXPIRING_SOON,warning,Creator,2026-11-17T00:00:00Z,\r\n\
2026-11-17T00:00:00Z,2026-11-16T00:00:00Z,fixed,7300000000000000001,'=Acme,p2,maya.moves,NOT_SHARED_TO_BC,error,Org Admin,2026-11-16T00:00:00Z,1.0\r\n\
2026-11-18T00:00:00Z,2026-11-17T00:00:00Z,fixed,7300000000000000001,'=Acme,p2,maya.moves,CODE_EXPIRING_SOON,warning,Creator,2026-11-17T00:00:00Z,1.0\r\n"
        );
        // End to end: the format follows the output file's extension.
        let mut trend = args(db, Question::Trend);
        trend.output = Some(dir.join("trend.csv"));
        assert_eq!(run(&trend), ExitStatus::Success);
        let written = std::fs::read_to_string(dir.join("trend.csv")).unwrap();
        assert_eq!(
            written.lines().collect::<Vec<_>>(),
            [
                "\u{feff}as_of,group,broken_posts,findings,errors,warnings",
                "2026-11-16T00:00:00Z,,2,2,2,0",
                "2026-11-17T00:00:00Z,,1,2,1,1",
                "2026-11-18T00:00:00Z,,1,1,1,0",
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn flags_that_do_not_apply_and_missing_files_are_errors() {
        let dir = temp("errors");
        let mut a = args(dir.join("history.db"), Question::Open);
        a.by = Some(By::Client);
        assert_eq!(
            check(&a).unwrap_err(),
            "`open` cannot group `--by client`; hint: `open --by owner`, or `trend --by client`"
        );
        a.by = None;
        a.since = Some(DAY1);
        assert!(check(&a)
            .unwrap_err()
            .starts_with("`--since` does not apply to `open`"));
        let mut a = args(dir.join("history.db"), Question::Runs);
        a.by = Some(By::Cause);
        assert!(check(&a)
            .unwrap_err()
            .starts_with("`--by` does not apply to `runs`"));
        a.by = None;
        assert_eq!(
            answer(&a).err().unwrap(),
            format!(
                "no history database at `{0}`; hint: `sparkcheck audit ... --history {0}` creates it",
                dir.join("history.db").display()
            )
        );
        assert_eq!(run(&a), ExitStatus::Error);
        assert!(!dir.join("history.db").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_report_round_trips_through_the_history() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/cases/expiring-code/expected.json"
        ))
        .unwrap();
        let report: crate::report::Report = serde_json::from_str(&text).unwrap();
        assert!(!report.findings.is_empty());
        let record = run_record(&report, 1_800_000_000, Some("abc".into())).unwrap();
        assert_eq!(record.as_of, time::parse_instant(&report.as_of).unwrap());
        assert_eq!(record.findings.len(), report.findings.len());
        assert_eq!(record.inputs.len(), report.inputs.len());

        let dir = temp("report");
        let mut history = History::open(dir.join("history.db")).unwrap();
        assert!(history.last_run_findings().unwrap().is_none());
        history.record(&record).unwrap();
        let keys = |r: &crate::report::Report| -> Vec<(String, String, String)> {
            r.findings
                .iter()
                .map(|f| (f.advertiser_id.clone(), f.post_id.clone(), f.cause.clone()))
                .collect()
        };
        let baseline = baseline_of(&history.last_run_findings().unwrap().unwrap());
        assert_eq!(
            baseline
                .findings
                .keys()
                .map(|k| (k.advertiser_id.clone(), k.post_id.clone(), k.cause.clone()))
                .collect::<Vec<_>>(),
            keys(&report)
        );
        let seen = first_seen_by_key(&history.first_seen().unwrap());
        assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), keys(&report));
        assert!(seen
            .values()
            .all(|v| *v == time::format_instant(record.as_of)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
