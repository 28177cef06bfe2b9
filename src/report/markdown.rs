//! GitHub-flavoured Markdown for tickets and PR comments: a summary by cause and owner,
//! then one section per ad account; evidence and fixes folded in `<details>`. Every value
//! from an input is escaped, so an ad name can neither break a table nor inject markup.

use std::io::{self, Write};

use super::escape::markdown as md;
use super::{FindingOut, Report};

/// Writes the report as Markdown.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let summary = &report.summary;
    writeln!(
        out,
        "# sparkcheck: `{}` policy as of {}\n",
        report.policy, report.as_of
    )?;
    writeln!(
        out,
        "**{} findings** ({} errors, {} warnings): {} of {} posts previewable, {} broken.\n",
        summary.findings,
        summary.errors,
        summary.warnings,
        summary.pairs_previewable,
        summary.pairs_audited,
        summary.pairs_broken
    )?;
    write_clients(report, out)?;
    write_new_first(report, out)?;
    write_summary_tables(report, out)?;
    let mut start = 0;
    while start < report.findings.len() {
        let account = &report.findings[start].advertiser_id;
        let end = start
            + report.findings[start..]
                .iter()
                .take_while(|f| &f.advertiser_id == account)
                .count();
        write_account(&report.findings[start..end], out)?;
        start = end;
    }
    write_footer(report, out)
}

fn write_clients(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.summary.by_client.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "| client | ad accounts | posts | previewable | broken |\n|---|---|---:|---:|---:|"
    )?;
    for c in &report.summary.by_client {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md(&c.client),
            md(&c.ad_accounts.join(", ")),
            c.pairs,
            c.previewable,
            c.broken
        )?;
    }
    writeln!(out)
}

/// With a baseline: what is new and what is resolved, before anything else.
fn write_new_first(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(resolved) = &report.resolved else {
        return Ok(());
    };
    let new: Vec<&FindingOut> = report.findings.iter().filter(|f| f.is_new()).collect();
    writeln!(
        out,
        "### Since the baseline: {} new, {} resolved\n",
        new.len(),
        resolved.len()
    )?;
    for f in new {
        writeln!(
            out,
            "- **new** `{}` ({}, {}): ad account {}, post {}",
            f.cause,
            f.severity,
            f.owner_role,
            md(&f.advertiser_id),
            md(&f.post_id)
        )?;
    }
    for r in resolved {
        writeln!(
            out,
            "- resolved `{}`: ad account {}, post {}",
            md(&r.cause),
            md(&r.advertiser_id),
            md(&r.post_id)
        )?;
    }
    writeln!(out)
}

fn write_summary_tables(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.findings.is_empty() {
        return writeln!(out, "Every audited post can preview.\n");
    }
    writeln!(
        out,
        "| cause | severity | owner | findings |\n|---|---|---|---:|"
    )?;
    for (cause, count) in &report.summary.by_cause {
        let example = report.findings.iter().find(|f| &f.cause == cause);
        let (severity, owner) =
            example.map_or(("", ""), |f| (f.severity.name(), f.owner_role.as_str()));
        writeln!(out, "| `{cause}` | {severity} | {owner} | {count} |")?;
    }
    writeln!(out, "\n| owner | findings |\n|---|---:|")?;
    for (owner, count) in &report.summary.by_owner {
        writeln!(out, "| {owner} | {count} |")?;
    }
    writeln!(out)
}

fn write_account(findings: &[FindingOut], out: &mut dyn Write) -> io::Result<()> {
    let first = &findings[0];
    match &first.account_name {
        Some(name) => writeln!(
            out,
            "## Ad account {} ({})\n",
            md(&first.advertiser_id),
            md(name)
        )?,
        None => writeln!(out, "## Ad account {}\n", md(&first.advertiser_id))?,
    }
    writeln!(
        out,
        "| post | handle | cause | severity | owner | what people see | ads |\n|---|---|---|---|---|---|---|"
    )?;
    for f in findings {
        let new = if f.is_new() { "**new** " } else { "" };
        writeln!(
            out,
            "| {} | {} | {new}`{}` | {} | {} | {} | {} |",
            md(&f.post_id),
            md(f.handle.as_deref().unwrap_or("")),
            f.cause,
            f.severity,
            f.owner_role,
            md(&f.symptom),
            md(&f.ad_ids.join(", "))
        )?;
    }
    writeln!(out, "\n<details><summary>Fixes and evidence</summary>\n")?;
    for f in findings {
        writeln!(
            out,
            "#### Post {}: `{}` ({})\n",
            md(&f.post_id),
            f.cause,
            f.owner_role
        )?;
        for (i, step) in f.fix.iter().enumerate() {
            writeln!(out, "{}. {}", i + 1, md(step))?;
        }
        writeln!(out)?;
        for e in &f.evidence {
            writeln!(out, "- {}:{}: {}", md(&e.path), e.line, md(&e.says))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "</details>\n")
}

fn write_footer(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let not_checked: Vec<String> = report
        .coverage
        .iter()
        .filter(|(_, c)| c.as_str() != "checked")
        .map(|(cause, c)| format!("`{cause}` ({})", md(c.trim_start_matches("not checked: "))))
        .collect();
    if !not_checked.is_empty() {
        writeln!(out, "**Not checked:** {}.\n", not_checked.join(", "))?;
    }
    if !report.rejected.is_empty() {
        let n = report.rejected.len();
        let rows = if n == 1 { "row" } else { "rows" };
        writeln!(out, "<details><summary>{n} rejected {rows}</summary>\n")?;
        for row in &report.rejected {
            writeln!(out, "- {}:{}: {}", md(&row.path), row.line, md(&row.reason))?;
        }
        writeln!(out, "\n</details>\n")?;
    }
    let files: Vec<String> = report
        .inputs
        .iter()
        .map(|i| format!("{} ({}, {} rows)", md(&i.path), i.kind, i.rows))
        .collect();
    writeln!(out, "Inputs: {}.", files.join(", "))
}
