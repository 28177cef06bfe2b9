//! The terminal report: grouped by ad account, then post; colour only when asked for.

use std::io::{self, Write};

use std::borrow::Cow;

use super::{FindingOut, Report};

/// Input text as a terminal may show it: control characters (line breaks that would
/// break the layout, escape sequences that would drive the terminal) printed escaped.
fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .flat_map(|c| {
                    let escaped: Vec<char> = if c.is_control() {
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

/// Writes the text report.
pub fn write(report: &Report, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let style = Style { color };
    writeln!(
        out,
        "{} policy {} as of {} (expiry window {})",
        style.bold("sparkcheck"),
        report.policy,
        report.as_of,
        report.expiry_window
    )?;
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
    write_footer(out, report, style)
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
    writeln!(
        out,
        "    {} {} [{}] {}",
        style.severity(&finding.severity),
        style.cause(&finding.cause),
        finding.owner_role,
        finding.symptom
    )?;
    const INDENT: &str = "            ";
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

fn write_footer(out: &mut dyn Write, report: &Report, style: Style) -> io::Result<()> {
    let summary = &report.summary;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.bold(&format!(
            "{} findings ({} errors, {} warnings); {} of {} pairs previewable, {} broken",
            summary.findings,
            summary.errors,
            summary.warnings,
            summary.pairs_previewable,
            summary.pairs_audited,
            summary.pairs_broken
        ))
    )?;
    if !summary.by_owner.is_empty() {
        let owners: Vec<String> = summary
            .by_owner
            .iter()
            .map(|(role, n)| format!("{role} {n}"))
            .collect();
        writeln!(out, "by owner: {}", owners.join(", "))?;
    }
    for (cause, coverage) in &report.coverage {
        if coverage != "checked" {
            writeln!(
                out,
                "{} {cause} ({})",
                style.dim("not checked:"),
                coverage.trim_start_matches("not checked: ")
            )?;
        }
    }
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
        let n = report.rejected.len();
        let rows = if n == 1 { "row" } else { "rows" };
        writeln!(out, "{}", style.bold(&format!("{n} rejected {rows}:")))?;
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
    let files = report.inputs.len();
    writeln!(
        out,
        "read {files} {}: {} rows, {} rejected; {} Spark ads, {} other ads not audited",
        if files == 1 { "file" } else { "files" },
        summary.rows,
        summary.rows_rejected,
        summary.spark_ads,
        summary.non_spark_ads
    )?;
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
