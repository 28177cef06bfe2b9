//! The terminal report: the summary first (counts by cause and owner, every check not
//! run, rejected rows), then the findings grouped by ad account and post (or by owner
//! role), then the rows and files behind the summary; colour only when asked for.

use std::io::{self, Write};

use std::borrow::Cow;

use super::{ConfigOut, FindingOut, Report};

/// Input text as a terminal may show it: control characters (line breaks that would
/// break the layout, escape sequences that would drive the terminal) and bidirectional
/// overrides (which would reorder the line) printed escaped.
fn clean(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() || sparkcheck_facts::is_bidi_control(c);
    if text.chars().any(unsafe_char) {
        Cow::Owned(
            text.chars()
                .flat_map(|c| {
                    let escaped: Vec<char> = if unsafe_char(c) {
                        c.escape_default().collect()
                    } else {
                        vec![c]
                    };
                    escaped
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// ANSI styles, or nothing.
#[derive(Copy, Clone)]
struct Style {
    color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
    fn severity(self, severity: &str) -> String {
        let code = if severity == "error" { "1;31" } else { "1;33" };
        self.paint(code, &format!("{severity:<7}"))
    }
    fn cause(self, cause: &str) -> String {
        self.paint("36", cause)
    }
}

/// How findings are grouped.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// By ad account, then post.
    Account,
    /// By owner role, as fix actions.
    Role,
}

/// Writes the text report.
pub fn write(
    report: &Report,
    out: &mut dyn Write,
    color: bool,
    grouping: Grouping,
) -> io::Result<()> {
    let style = Style { color };
    writeln!(
        out,
        "{} policy {} as of {} (expiry window {})",
        style.bold("sparkcheck"),
        report.policy,
        report.as_of,
        report.expiry_window
    )?;
    writeln!(
        out,
        "{}",
        clean(&ConfigOut::describe(
            report.config.as_ref(),
            report.summary.suppressed
        ))
    )?;
    write_summary(out, report, style)?;
    write_portfolio(report, out, style)?;
    write_new_first(report, out, style)?;
    match grouping {
        Grouping::Account => write_by_account(report, out, style)?,
        Grouping::Role => write_by_role(report, out, style)?,
    }
    write_footer(out, report, style)
}

/// `1 post`, `2 posts`.
fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `usize` counts as `u64` for [`plural`].
fn count(n: usize) -> u64 {
    n as u64
}

/// Clients and their ad accounts: posts audited, previewable, broken.
fn write_portfolio(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    if report.summary.by_client.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.bold(&format!(
            "{:<32} {:>8} {:>12} {:>8}",
            "client", "posts", "previewable", "broken"
        ))
    )?;
    for client in &report.summary.by_client {
        let name: String = clean(&client.client).chars().take(32).collect();
        writeln!(
            out,
            "{name:<32} {:>8} {:>12} {:>8}",
            client.pairs, client.previewable, client.broken
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "{:<32} {:>8} {:>12} {:>8}",
        "all", s.pairs_audited, s.pairs_previewable, s.pairs_broken
    )
}

/// With a baseline: the new findings first, in one line each.
fn write_new_first(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let Some(resolved) = &report.resolved else {
        return Ok(());
    };
    let new: Vec<&FindingOut> = report.findings.iter().filter(|f| f.is_new()).collect();
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.bold(&format!(
            "since the baseline: {} new, {} resolved",
            new.len(),
            resolved.len()
        ))
    )?;
    for f in &new {
        writeln!(
            out,
            "  new      {} {} [{}] ad account {} post {}",
            style.severity(f.severity.name()),
            style.cause(&f.cause),
            f.owner_role,
            clean(&f.advertiser_id),
            clean(&f.post_id)
        )?;
    }
    for r in resolved {
        writeln!(
            out,
            "  resolved {} ad account {} post {}",
            style.cause(&r.cause),
            clean(&r.advertiser_id),
            clean(&r.post_id)
        )?;
    }
    Ok(())
}

/// Each owner role's actions, those clearing most findings first.
fn write_by_role(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let mut roles: Vec<(&str, usize)> = Vec::new();
    for action in &report.actions {
        match roles
            .iter_mut()
            .find(|(role, _)| *role == action.owner_role)
        {
            Some((_, n)) => *n += action.clears,
            None => roles.push((&action.owner_role, action.clears)),
        }
    }
    roles.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (role, n) in roles {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.bold(&format!(
                "{role}: {}",
                plural(count(n), "finding", "findings")
            ))
        )?;
        for action in report.actions.iter().filter(|a| a.owner_role == role) {
            let findings = if action.clears == 1 {
                "finding"
            } else {
                "findings"
            };
            writeln!(
                out,
                "  {:>4} {findings:<8} {}",
                action.clears,
                clean(&action.action)
            )?;
            for key in &action.findings {
                writeln!(
                    out,
                    "            {} ad account {} post {}",
                    style.cause(&key.cause),
                    clean(&key.advertiser_id),
                    clean(&key.post_id)
                )?;
            }
        }
    }
    Ok(())
}

fn write_by_account(report: &Report, out: &mut dyn Write, style: Style) -> io::Result<()> {
    let mut current_account: Option<&str> = None;
    let mut current_post: Option<&str> = None;
    for finding in &report.findings {
        if current_account != Some(&finding.advertiser_id) {
            writeln!(out)?;
            let name = finding
                .account_name
                .as_deref()
                .map(|n| format!(" ({})", clean(n)))
                .unwrap_or_default();
            writeln!(
                out,
                "{}",
                style.bold(&format!(
                    "ad account {}{name}",
                    clean(&finding.advertiser_id)
                ))
            )?;
            current_account = Some(&finding.advertiser_id);
            current_post = None;
        }
        if current_post != Some(&finding.post_id) {
            write_post_heading(out, finding, style)?;
            current_post = Some(&finding.post_id);
        }
        write_finding(out, finding, style)?;
    }
    Ok(())
}

fn write_post_heading(out: &mut dyn Write, finding: &FindingOut, style: Style) -> io::Result<()> {
    let handle = clean(finding.handle.as_deref().unwrap_or("creator unknown"));
    writeln!(
        out,
        "  {}",
        style.bold(&format!("post {} by {handle}", clean(&finding.post_id)))
    )
}

fn write_finding(out: &mut dyn Write, finding: &FindingOut, style: Style) -> io::Result<()> {
    let status = if finding.is_new() { "new " } else { "" };
    writeln!(
        out,
        "    {status}{} {} [{}] {}",
        style.severity(finding.severity.name()),
        style.cause(&finding.cause),
        finding.owner_role,
        finding.symptom
    )?;
    const INDENT: &str = "            ";
    if let Some(since) = &finding.first_seen {
        writeln!(
            out,
            "{INDENT}{} {}",
            style.dim("broken since:"),
            clean(since)
        )?;
    }
    if !finding.ad_ids.is_empty() {
        writeln!(
            out,
            "{INDENT}{} {}",
            style.dim("ads:"),
            clean(&finding.ad_ids.join(", "))
        )?;
    }
    for evidence in &finding.evidence {
        writeln!(
            out,
            "{INDENT}{} {}:{}: {}",
            style.dim("evidence:"),
            clean(&evidence.path),
            evidence.line,
            clean(&evidence.says)
        )?;
    }
    for (number, step) in finding.fix.iter().enumerate() {
        let label = if number == 0 { "fix:" } else { "    " };
        writeln!(
            out,
            "{INDENT}{} {}. {}",
            style.dim(label),
            number + 1,
            clean(step)
        )?;
    }
    Ok(())
}

/// Counts, coverage and what could not be read, before any finding.
fn write_summary(out: &mut dyn Write, report: &Report, style: Style) -> io::Result<()> {
    let summary = &report.summary;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.bold(&format!(
            "{} ({}, {}); {} of {} {}, {} broken",
            plural(count(summary.findings), "finding", "findings"),
            plural(count(summary.errors), "error", "errors"),
            plural(count(summary.warnings), "warning", "warnings"),
            summary.pairs_previewable,
            plural(count(summary.pairs_audited), "post", "posts"),
            if report.policy == "delivery" {
                "can deliver"
            } else {
                "previewable"
            },
            summary.pairs_broken
        ))
    )?;
    let counts = |map: &std::collections::BTreeMap<String, usize>| {
        map.iter()
            .map(|(key, n)| format!("{key} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !summary.by_cause.is_empty() {
        writeln!(out, "by cause: {}", counts(&summary.by_cause))?;
    }
    if !summary.by_owner.is_empty() {
        writeln!(out, "by owner: {}", counts(&summary.by_owner))?;
    }
    let not_checked: Vec<(&String, &str)> = report
        .coverage
        .iter()
        .filter(|(_, c)| c.as_str() != "checked")
        .map(|(cause, c)| (cause, c.trim_start_matches("not checked: ")))
        .collect();
    if not_checked.is_empty() {
        writeln!(out, "checks: all {} run", report.coverage.len())?;
    } else {
        writeln!(
            out,
            "checks: {} of {} not run",
            not_checked.len(),
            report.coverage.len()
        )?;
        for (cause, why) in not_checked {
            writeln!(out, "  {} {cause} ({why})", style.dim("not checked:"))?;
        }
    }
    if !report.unchecked.is_empty() {
        writeln!(
            out,
            "{} some checks could not run (listed at the end)",
            plural(count(report.unchecked.len()), "post:", "posts:")
        )?;
    }
    let files = count(report.inputs.len());
    writeln!(
        out,
        "read {}: {}, {}; {}, {} not audited",
        plural(files, "file", "files"),
        plural(summary.rows, "row", "rows"),
        plural(summary.rows_rejected, "rejected row", "rejected rows"),
        plural(count(summary.spark_ads), "Spark ad", "Spark ads"),
        plural(count(summary.non_spark_ads), "other ad", "other ads"),
    )?;
    if summary.suppressed > 0 {
        writeln!(
            out,
            "suppressed by the configuration: {}",
            plural(count(summary.suppressed), "finding", "findings")
        )?;
    }
    for unused in &report.unused_suppressions {
        writeln!(
            out,
            "{} {} ({}): {}",
            style.paint("1;33", "warning: unused suppression"),
            unused.suppression,
            clean(&unused.reason),
            unused.why
        )?;
    }
    Ok(())
}

/// The rows and files behind the summary's counts.
fn write_footer(out: &mut dyn Write, report: &Report, style: Style) -> io::Result<()> {
    if report.unchecked.is_empty()
        && report.rejected.is_empty()
        && report.inputs.iter().all(|i| i.notes.is_empty())
        && report.skipped.is_empty()
    {
        return Ok(());
    }
    writeln!(out)?;
    for unchecked in &report.unchecked {
        writeln!(
            out,
            "{} ad account {} post {}: {}",
            style.dim("not checked:"),
            clean(&unchecked.advertiser_id),
            clean(&unchecked.post_id),
            unchecked.reason
        )?;
    }
    if !report.rejected.is_empty() {
        let rows = plural(
            count(report.rejected.len()),
            "rejected row",
            "rejected rows",
        );
        writeln!(out, "{}", style.bold(&format!("{rows}:")))?;
        for row in &report.rejected {
            writeln!(
                out,
                "  {}:{}: {}",
                clean(&row.path),
                row.line,
                clean(&row.reason)
            )?;
        }
    }
    for input in &report.inputs {
        for note in &input.notes {
            writeln!(
                out,
                "{} {}: {}",
                style.dim("note:"),
                clean(&input.path),
                clean(note)
            )?;
        }
    }
    for skipped in &report.skipped {
        writeln!(
            out,
            "{} {} ({})",
            style.dim("skipped:"),
            clean(&skipped.path),
            skipped.reason
        )?;
    }
    Ok(())
}
