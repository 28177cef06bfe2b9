//! GitHub Actions workflow commands: one annotation per finding, on the first evidence row
//! that points into an input file, so a pull request that changes a committed export shows
//! the broken rows inline (`::error file=PATH,line=N,title=CAUSE::message`; warnings as
//! `::warning`). Rejected rows are errors on their row; checks that could not run, and
//! posts some checks could not run for, are notices; the last line is a plain summary.
//!
//! Paths are the report's, as given on the command line: run the audit from the
//! repository root with relative paths so GitHub can place the annotations.

use std::io::{self, Write};

use super::escape::{workflow_message as message, workflow_property as property};
use super::{numbered, FindingOut, Report};

/// Writes the report as GitHub Actions workflow commands.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let threads = super::parallel::threads();
    super::parallel::write_items(&report.findings, out, threads, |finding, out| {
        let level = if finding.severity.is_error() {
            "error"
        } else {
            "warning"
        };
        let mut properties = location(report, finding);
        properties.push(format!("title={}", property(&finding.cause)));
        // Writing into a buffer cannot fail.
        let _ = writeln!(
            out,
            "::{level} {}::{}",
            properties.join(","),
            message(&finding_message(finding))
        );
    })?;
    for row in &report.rejected {
        let mut properties = vec![format!("file={}", property(&row.path))];
        if !is_api_response(&row.path) {
            properties.push(format!("line={}", row.line));
        }
        properties.push("title=rejected row".to_string());
        writeln!(
            out,
            "::error {}::{}",
            properties.join(","),
            message(&format!(
                "{}:{}: {} (the row was not audited)",
                row.path, row.line, row.reason
            ))
        )?;
    }
    for (cause, coverage) in &report.coverage {
        if let Some(why) = coverage.strip_prefix("not checked: ") {
            writeln!(
                out,
                "::notice title={}::{}",
                property(&format!("{cause} not checked")),
                message(&format!("{cause} was not checked: {why}"))
            )?;
        }
    }
    for u in &report.unchecked {
        writeln!(
            out,
            "::notice title={}::{}",
            property(&format!("post {} not checked in full", u.post_id)),
            message(&format!(
                "ad account {}, post {}: {} not checked: {}",
                u.advertiser_id,
                u.post_id,
                u.checks.join(", "),
                u.reason
            ))
        )?;
    }
    let s = &report.summary;
    writeln!(
        out,
        "sparkcheck: {} of {} broken; {} ({}, {}); {}",
        s.pairs_broken,
        plural(s.pairs_audited, "post", "posts"),
        plural(s.findings, "finding", "findings"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(report.rejected.len(), "rejected row", "rejected rows")
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `file=` and `line=` of the finding's first evidence row in an input file, if any.
fn location(report: &Report, finding: &FindingOut) -> Vec<String> {
    let Some(evidence) = finding
        .evidence
        .iter()
        .find(|e| e.line > 0 && report.inputs.iter().any(|i| i.path == e.path))
    else {
        return Vec::new();
    };
    let mut properties = vec![format!("file={}", property(&evidence.path))];
    if !is_api_response(&evidence.path) {
        properties.push(format!("line={}", evidence.line));
    }
    properties
}

/// A saved API response (`.json`, not JSON Lines), whose "lines" are record numbers.
fn is_api_response(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".json")
}

fn finding_message(f: &FindingOut) -> String {
    let account = match &f.account_name {
        Some(name) => format!("ad account {} ({name})", f.advertiser_id),
        None => format!("ad account {}", f.advertiser_id),
    };
    let by = f
        .handle
        .as_deref()
        .map(|h| format!(" by {h}"))
        .unwrap_or_default();
    let evidence: Vec<String> = f
        .evidence
        .iter()
        .map(|e| format!("{}:{}: {}", e.path, e.line, e.says))
        .collect();
    format!(
        "{} ({} · {}): {}\n{account}, post {}{by}\nfix:\n{}\nevidence:\n{}",
        f.cause,
        f.severity,
        f.owner_role,
        f.symptom,
        f.post_id,
        numbered(&f.fix),
        evidence.join("\n")
    )
}
