//! The Summary sheet: the run, the config used and what it changes, totals, every check
//! not run and why, findings per cause (with its title), per owner role, per client and
//! per ad account, the inputs and skipped files, and with `--history` since when findings
//! are open and the last runs' counts.

use super::sheet::{self, Row, Style};
use crate::report::{ConfigOut, Report};

/// Column widths in characters.
const WIDTHS: [u32; 6] = [34, 40, 14, 14, 14, 14];

/// A cell of the summary: text, an ID (Text-formatted), or a count.
enum Cell<'a> {
    Text(&'a str),
    Id(&'a str),
    Count(u64),
}

/// The sheet's rows as they are written, top to bottom.
struct Summary {
    rows: Vec<u8>,
    /// The next row, from 0.
    row: u32,
    /// The widest line's cells.
    columns: usize,
}

impl Summary {
    fn line(&mut self, cells: &[Cell<'_>]) {
        let mut row = Row::start(&mut self.rows, self.row + 1);
        for (col, cell) in cells.iter().enumerate() {
            match cell {
                Cell::Text(value) => row.text(col, Style::NONE, value),
                Cell::Id(value) => row.text_or_blank(col, Style::ID_PLAIN, value),
                Cell::Count(n) => row.number(col, *n),
            }
        }
        row.end();
        self.columns = self.columns.max(cells.len());
        self.row += 1;
    }

    /// A line of one formatted text.
    fn styled(&mut self, style: Style, text: &str) {
        let mut row = Row::start(&mut self.rows, self.row + 1);
        row.text(0, style, text);
        row.end();
        self.row += 1;
    }

    /// A blank row, then the section's title, then its column headers.
    fn section(&mut self, title: &str, headers: &[&str]) {
        self.row += 1;
        self.styled(Style::SECTION, title);
        if headers.is_empty() {
            return;
        }
        let mut row = Row::start(&mut self.rows, self.row + 1);
        for (col, header) in headers.iter().enumerate() {
            row.text(col, Style::HEADER, header);
        }
        row.end();
        self.columns = self.columns.max(headers.len());
        self.row += 1;
    }
}

/// The sheet's XML; its number of rows.
pub fn write(report: &Report, xml: &mut Vec<u8>) -> usize {
    let mut s = Summary {
        rows: Vec::with_capacity(64 * 1024),
        row: 0,
        columns: 1,
    };
    s.styled(Style::TITLE, "Spark Ads preview audit");
    run(&mut s, report);
    totals(&mut s, report);
    checks_not_run(&mut s, report);
    by_cause_and_owner(&mut s, report);
    by_client_and_account(&mut s, report);
    inputs(&mut s, report);
    history(&mut s, report);
    sheet::summary_start(xml, &WIDTHS, s.columns, s.row as usize);
    xml.extend_from_slice(&s.rows);
    sheet::summary_end(xml);
    s.row as usize
}

/// The as-of, the policy, the window and the config.
fn run(s: &mut Summary, report: &Report) {
    s.line(&[Cell::Text("as of"), Cell::Text(&report.as_of)]);
    s.line(&[Cell::Text("policy"), Cell::Text(&report.policy)]);
    s.line(&[
        Cell::Text("expiry window"),
        Cell::Text(&report.expiry_window),
    ]);
    let config = ConfigOut::describe(report.config.as_ref(), report.summary.suppressed);
    s.line(&[Cell::Text("config"), Cell::Text(&config)]);
    if let Some(used) = &report.config {
        s.line(&[Cell::Text("config file"), Cell::Text(&used.path)]);
        s.line(&[Cell::Text("config sha256"), Cell::Text(&used.hash)]);
        for (cause, severity) in &used.severity {
            let label = format!("severity of {cause}");
            s.line(&[Cell::Text(&label), Cell::Text(severity.name())]);
        }
    }
}

fn totals(s: &mut Summary, report: &Report) {
    let sum = &report.summary;
    s.section("Totals", &[]);
    let not_run = report.coverage.values().filter(|c| *c != "checked").count() as u64;
    let mut totals: Vec<(&str, u64)> = vec![
        ("posts audited", sum.pairs_audited as u64),
        ("previewable", sum.pairs_previewable as u64),
        ("broken", sum.pairs_broken as u64),
        ("posts not fully checked", sum.pairs_unchecked as u64),
        ("findings", sum.findings as u64),
        ("errors", sum.errors as u64),
        ("warnings", sum.warnings as u64),
        ("suppressed", sum.suppressed as u64),
        ("checks not run", not_run),
        ("spark ads audited", sum.spark_ads as u64),
        ("other ads (no post, not audited)", sum.non_spark_ads as u64),
        ("rows read", sum.rows),
        ("rows rejected", sum.rows_rejected),
    ];
    if let Some(new) = sum.new {
        totals.push(("new since the baseline", new as u64));
    }
    if let Some(resolved) = sum.resolved {
        totals.push(("resolved since the baseline", resolved as u64));
    }
    for (label, n) in totals {
        s.line(&[Cell::Text(label), Cell::Count(n)]);
    }
    if sum.rows_rejected > 0 {
        s.line(&[
            Cell::Text("rejected rows"),
            Cell::Text("each one is on the Rejected rows sheet"),
        ]);
    }
}

fn checks_not_run(s: &mut Summary, report: &Report) {
    s.section("Checks not run", &["cause", "title", "why"]);
    let mut any = false;
    for (cause, coverage) in &report.coverage {
        if coverage == "checked" {
            continue;
        }
        let why = coverage.strip_prefix("not checked: ").unwrap_or(coverage);
        s.line(&[
            Cell::Text(cause),
            Cell::Text(report.cause_title(cause)),
            Cell::Text(why),
        ]);
        any = true;
    }
    if !any {
        s.line(&[Cell::Text("every check ran")]);
    }
}

fn by_cause_and_owner(s: &mut Summary, report: &Report) {
    let sum = &report.summary;
    s.section("Findings by cause", &["cause", "title", "findings"]);
    let mut causes: Vec<(&String, &usize)> = sum.by_cause.iter().collect();
    causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (cause, n) in causes {
        s.line(&[
            Cell::Text(cause),
            Cell::Text(report.cause_title(cause)),
            Cell::Count(*n as u64),
        ]);
    }

    s.section("Findings by owner role", &["owner role", "findings"]);
    let mut owners: Vec<(&String, &usize)> = sum.by_owner.iter().collect();
    owners.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (owner, n) in owners {
        s.line(&[Cell::Text(owner), Cell::Count(*n as u64)]);
    }
}

fn by_client_and_account(s: &mut Summary, report: &Report) {
    let sum = &report.summary;
    s.section(
        "By client",
        &[
            "client",
            "ad accounts",
            "posts",
            "previewable",
            "broken",
            "findings",
        ],
    );
    for client in &sum.by_client {
        let accounts = client.ad_accounts.join(", ");
        s.line(&[
            Cell::Text(&client.client),
            Cell::Id(&accounts),
            Cell::Count(client.pairs as u64),
            Cell::Count(client.previewable as u64),
            Cell::Count(client.broken as u64),
            Cell::Count(client.by_cause.values().sum::<usize>() as u64),
        ]);
    }

    s.section(
        "By ad account",
        &[
            "ad account",
            "account name",
            "posts",
            "previewable",
            "broken",
            "findings",
        ],
    );
    for account in &sum.by_account {
        s.line(&[
            Cell::Id(&account.advertiser_id),
            Cell::Text(account.account_name.as_deref().unwrap_or("")),
            Cell::Count(account.pairs as u64),
            Cell::Count(account.previewable as u64),
            Cell::Count(account.broken as u64),
            Cell::Count(account.by_cause.values().sum::<usize>() as u64),
        ]);
    }
}

fn inputs(s: &mut Summary, report: &Report) {
    s.section(
        "Inputs",
        &["path", "kind", "rows", "imported", "rejected", "format"],
    );
    for input in &report.inputs {
        s.line(&[
            Cell::Text(&input.path),
            Cell::Text(&input.kind),
            Cell::Count(input.rows),
            Cell::Count(input.imported),
            Cell::Count(input.rejected),
            Cell::Text(&input.format),
        ]);
    }
    for skipped in &report.skipped {
        let why = format!("skipped: {}", skipped.reason);
        s.line(&[Cell::Text(&skipped.path), Cell::Text(&why)]);
    }
}

/// With `--history`: since when the findings are open, and the last runs' counts.
fn history(s: &mut Summary, report: &Report) {
    let seen: Vec<&str> = report
        .findings
        .iter()
        .filter_map(|f| f.first_seen.as_deref())
        .collect();
    if seen.is_empty() && report.trend.is_none() {
        return;
    }
    s.section("History", &[]);
    if let Some(oldest) = seen.iter().min() {
        s.line(&[
            Cell::Text("oldest open finding first seen"),
            Cell::Text(oldest),
        ]);
        let today = seen.iter().filter(|at| **at == report.as_of).count() as u64;
        s.line(&[
            Cell::Text("findings first seen in this run"),
            Cell::Count(today),
        ]);
        s.line(&[
            Cell::Text("findings open since an earlier run"),
            Cell::Count(seen.len() as u64 - today),
        ]);
    }
    if let Some(trend) = &report.trend {
        s.section(
            "Last runs",
            &["as of", "broken posts", "findings", "errors", "warnings"],
        );
        for run in trend {
            s.line(&[
                Cell::Text(&run.as_of),
                Cell::Count(run.broken_posts),
                Cell::Count(run.findings),
                Cell::Count(run.errors),
                Cell::Count(run.warnings),
            ]);
        }
    }
}
