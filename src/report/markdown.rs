//! GitHub-flavoured Markdown for tickets and PR comments: the summary (counts, checks not
//! run, rejected rows) first, by cause and owner, then one section per ad account; evidence
//! and fixes folded in `<details>`. Every value from an input is escaped, so an ad name can
//! neither break a table nor inject markup, become a link or `@mention` anyone; handles
//! and cause codes are code spans, rendered verbatim.

use std::io::{self, Write};

use super::escape::{markdown as md, markdown_code as code, markdown_prose as prose};
use super::{ConfigOut, FindingOut, Report};

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
        "{}\n",
        md(&ConfigOut::describe(
            report.config.as_ref(),
            report.summary.suppressed
        ))
    )?;
    writeln!(
        out,
        "**{}** ({}, {}): {} of {} previewable, {} broken.\n",
        plural(summary.findings, "finding", "findings"),
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
        summary.pairs_previewable,
        plural(summary.pairs_audited, "post", "posts"),
        summary.pairs_broken
    )?;
    write_missing_evidence(report, out)?;
    write_clients(report, out)?;
    write_new_first(report, out)?;
    write_summary_tables(report, out)?;
    // Every account's section as one list of pieces, rendered on every core.
    let mut pieces = Vec::with_capacity(2 * report.findings.len() + 3);
    for findings in report
        .findings
        .chunk_by(|a, b| a.advertiser_id == b.advertiser_id)
    {
        pieces.push(Piece::Heading(&findings[0]));
        pieces.extend(findings.iter().map(Piece::Row));
        pieces.push(Piece::DetailsStart);
        pieces.extend(findings.iter().map(Piece::Details));
        pieces.push(Piece::DetailsEnd);
    }
    super::parallel::write_items(&pieces, out, super::parallel::threads(), |piece, out| {
        // Writing into a buffer cannot fail.
        let _ = write_piece(piece, out);
    })?;
    write_footer(report, out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the audit could not look at, before any finding: checks not run, rejected rows.
fn write_missing_evidence(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let not_checked: Vec<String> = report
        .coverage
        .iter()
        .filter(|(_, c)| c.as_str() != "checked")
        .map(|(cause, c)| {
            let why = c.trim_start_matches("not checked: ");
            format!("{} ({})", code(cause, false), prose(why, false))
        })
        .collect();
    if !not_checked.is_empty() {
        writeln!(out, "**Not checked:** {}.\n", not_checked.join(", "))?;
    }
    if !report.unchecked.is_empty() {
        writeln!(
            out,
            "**{}** could not be checked in full; listed at the end.\n",
            plural(report.unchecked.len(), "post", "posts")
        )?;
    }
    if !report.rejected.is_empty() {
        writeln!(
            out,
            "**{}** could not be used; listed at the end.\n",
            plural(report.rejected.len(), "rejected row", "rejected rows")
        )?;
    }
    Ok(())
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
            "- **new** {} ({}, {}): ad account {}, post {}",
            code(&f.cause, false),
            f.severity,
            f.owner_role,
            md(&f.advertiser_id),
            md(&f.post_id)
        )?;
    }
    for r in resolved {
        writeln!(
            out,
            "- resolved {}: ad account {}, post {}",
            code(&r.cause, false),
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
        writeln!(
            out,
            "| {} | {} | {} | {count} |",
            code(cause, true),
            md(severity),
            md(owner)
        )?;
    }
    writeln!(out, "\n| owner | findings |\n|---|---:|")?;
    for (owner, count) in &report.summary.by_owner {
        writeln!(out, "| {} | {count} |", md(owner))?;
    }
    writeln!(out)
}

/// A piece of an ad account's section: its heading and table head, a finding's table
/// row, the fixes' opening, a finding's fix and evidence, the fixes' end.
enum Piece<'a> {
    Heading(&'a FindingOut),
    Row(&'a FindingOut),
    DetailsStart,
    Details(&'a FindingOut),
    DetailsEnd,
}

fn write_piece(piece: &Piece<'_>, out: &mut dyn Write) -> io::Result<()> {
    match piece {
        Piece::Heading(first) => {
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
            )
        }
        Piece::Row(f) => {
            let new = if f.is_new() { "**new** " } else { "" };
            writeln!(
                out,
                "| {} | {} | {new}{} | {} | {} | {} | {} |",
                md(&f.post_id),
                handles(f.handle.as_deref()),
                code(&f.cause, true),
                f.severity,
                f.owner_role,
                prose(&f.symptom, true),
                md(&f.ad_ids.join(", "))
            )
        }
        Piece::DetailsStart => writeln!(out, "\n<details><summary>Fixes and evidence</summary>\n"),
        Piece::Details(f) => write_details(f, out),
        Piece::DetailsEnd => writeln!(out, "</details>\n"),
    }
}

/// A finding's fix steps and evidence, under its post and cause.
fn write_details(f: &FindingOut, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "#### Post {}: {} ({})\n",
        md(&f.post_id),
        code(&f.cause, false),
        f.owner_role
    )?;
    if let Some(since) = &f.first_seen {
        writeln!(out, "Broken since {}.\n", md(since))?;
    }
    for (i, step) in f.fix.iter().enumerate() {
        writeln!(out, "{}. {}", i + 1, prose(step, false))?;
    }
    writeln!(out)?;
    for e in &f.evidence {
        writeln!(
            out,
            "- {}:{}: {}",
            md(&e.path),
            e.line,
            prose(&e.says, false)
        )?;
    }
    writeln!(out)
}

fn write_footer(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !report.unchecked.is_empty() {
        let posts = plural(report.unchecked.len(), "post", "posts");
        writeln!(
            out,
            "<details><summary>{posts} not checked in full</summary>\n"
        )?;
        for u in &report.unchecked {
            let checks: Vec<String> = u.checks.iter().map(|c| code(c, false)).collect();
            writeln!(
                out,
                "- ad account {}, post {}: {} not checked: {}",
                md(&u.advertiser_id),
                md(&u.post_id),
                checks.join(", "),
                prose(&u.reason, false)
            )?;
        }
        writeln!(out, "\n</details>\n")?;
    }
    if !report.rejected.is_empty() {
        let rows = plural(report.rejected.len(), "rejected row", "rejected rows");
        writeln!(out, "<details><summary>{rows}</summary>\n")?;
        for row in &report.rejected {
            writeln!(
                out,
                "- {}:{}: {}",
                md(&row.path),
                row.line,
                prose(&row.reason, false)
            )?;
        }
        writeln!(out, "\n</details>\n")?;
    }
    let files: Vec<String> = report
        .inputs
        .iter()
        .map(|i| {
            format!(
                "{} ({}, {})",
                md(&i.path),
                md(&i.kind),
                plural(i.rows as usize, "row", "rows")
            )
        })
        .collect();
    writeln!(out, "Inputs: {}.", files.join(", "))
}

/// Each handle of a finding as a code span, so none can `@mention` a GitHub user.
fn handles(handle: Option<&str>) -> String {
    handle
        .unwrap_or("")
        .split(", ")
        .filter(|h| !h.is_empty())
        .map(|h| code(h, true))
        .collect::<Vec<_>>()
        .join(", ")
}
