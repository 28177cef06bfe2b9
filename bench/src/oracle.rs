//! The DuckDB reference (`duckdb_preview.py` in the shared anchors folder) as a yardstick and
//! as an oracle: its `(advertiser_id, post_id, cause)` set must equal sparkcheck's.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::generate::AS_OF;

/// One finding as both sides name it: (advertiser_id, post_id, cause).
pub type Finding = (String, String, String);

/// The reference's runner, relative to the anchors folder.
pub const RUNNER: &str = "duckdb_preview.py";

/// The anchors folder for a repository root: `shared/anchors` in the first ancestor of the
/// root that has one (`../shared/anchors` for the main checkout, `../../shared/anchors` for a
/// worktree one level deeper), or `None`.
pub fn find_anchors(repo_root: &Path) -> Option<PathBuf> {
    repo_root
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared").join("anchors"))
        .find(|dir| dir.join(RUNNER).is_file())
}

/// `None` when `python3 -c 'import duckdb'` works, else why not.
pub fn duckdb_missing() -> Option<String> {
    match Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
    {
        Ok(output) if output.status.success() => None,
        Ok(output) if String::from_utf8_lossy(&output.stderr).contains("No module named") => {
            Some("duckdb is not installed (pip install duckdb)".to_string())
        }
        Ok(output) => Some(format!(
            "`python3 -c 'import duckdb'` failed (exit {}): {}",
            output
                .status
                .code()
                .map_or("by signal".to_string(), |c| c.to_string()),
            last_line(&output.stderr)
        )),
        Err(e) => Some(format!("python3 cannot be run ({e}); duckdb needs it")),
    }
}

/// The generator's as-of instant as the reference's `--as-of` takes it: `2026-11-20 00:00:00`.
pub fn as_of_text() -> String {
    let rfc3339 = sparkcheck_facts::time::format_instant(AS_OF);
    format!("{} {}", &rfc3339[..10], &rfc3339[11..19])
}

/// Runs `python3 ANCHORS/duckdb_preview.py DIR OUT --as-of AS_OF`.
pub fn run_duckdb(anchors: &Path, dir: &Path, out: &Path) -> io::Result<()> {
    let output = Command::new("python3")
        .arg(anchors.join(RUNNER))
        .arg(dir)
        .arg(out)
        .args(["--as-of", &as_of_text()])
        .output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "the duckdb reference failed on `{}`: {}",
            dir.display(),
            last_line(&output.stderr)
        )))
    }
}

/// The last non-empty line of a program's stderr (a Python traceback ends with the
/// exception), or a word that there was none.
fn last_line(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map_or("nothing on stderr".to_string(), |l| {
            format!("last on stderr `{}`", l.trim())
        })
}

/// The findings in the reference's output CSV (`advertiser_id,post_id,cause`).
pub fn duckdb_findings(path: &Path) -> io::Result<BTreeSet<Finding>> {
    let mut reader = csv::Reader::from_path(path).map_err(io::Error::other)?;
    let mut findings = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(io::Error::other)?;
        let field = |i: usize| record.get(i).unwrap_or_default().to_string();
        findings.insert((field(0), field(1), field(2)));
    }
    Ok(findings)
}

#[derive(Deserialize)]
struct Report {
    findings: Vec<ReportFinding>,
}

#[derive(Deserialize)]
struct ReportFinding {
    advertiser_id: String,
    post_id: String,
    cause: String,
}

/// The findings of a sparkcheck JSON report (`--format json`).
pub fn report_findings(json: &str) -> io::Result<BTreeSet<Finding>> {
    let report: Report = serde_json::from_str(json).map_err(io::Error::other)?;
    Ok(report
        .findings
        .into_iter()
        .map(|f| (f.advertiser_id, f.post_id, f.cause))
        .collect())
}

/// Findings per cause.
pub fn by_cause(findings: &BTreeSet<Finding>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (_, _, cause) in findings {
        *counts.entry(cause.clone()).or_insert(0) += 1;
    }
    counts
}

/// The first `limit` findings in one set and not the other, in sorted order, each as
/// `only sparkcheck: ADV POST CAUSE` or `only duckdb: ...`; empty when the sets are equal.
pub fn differences(
    sparkcheck: &BTreeSet<Finding>,
    duckdb: &BTreeSet<Finding>,
    limit: usize,
) -> Vec<String> {
    let mut lines: Vec<(&Finding, &str)> = sparkcheck
        .difference(duckdb)
        .map(|f| (f, "sparkcheck"))
        .chain(duckdb.difference(sparkcheck).map(|f| (f, "duckdb")))
        .collect();
    lines.sort();
    lines
        .into_iter()
        .take(limit)
        .map(|((adv, post, cause), side)| format!("only {side}: {adv} {post} {cause}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[(&str, &str, &str)]) -> BTreeSet<Finding> {
        items
            .iter()
            .map(|(a, p, c)| (a.to_string(), p.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn differences_name_each_side_in_sorted_order() {
        let ours = set(&[("1", "10", "CODE_MISSING"), ("1", "11", "NOT_LINKED")]);
        let theirs = set(&[("1", "10", "CODE_MISSING"), ("1", "09", "WRONG_IDENTITY")]);
        assert_eq!(
            differences(&ours, &theirs, 10),
            [
                "only duckdb: 1 09 WRONG_IDENTITY",
                "only sparkcheck: 1 11 NOT_LINKED"
            ]
        );
        assert_eq!(differences(&ours, &theirs, 1).len(), 1);
        assert!(differences(&ours, &ours.clone(), 10).is_empty());
    }

    #[test]
    fn report_findings_read_the_triples_and_ignore_the_rest() {
        let json = r#"{"schema_version": 1, "findings": [
            {"advertiser_id": "7", "post_id": "73", "cause": "CODE_EXPIRED", "fix": ["a"]}]}"#;
        assert_eq!(
            report_findings(json).unwrap(),
            set(&[("7", "73", "CODE_EXPIRED")])
        );
        assert!(report_findings("{}").is_err());
    }

    #[test]
    fn anchors_are_found_in_an_ancestor_never_in_the_root_itself() {
        let base = std::env::temp_dir().join(format!("bench-anchors-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let anchors = base.join("shared").join("anchors");
        std::fs::create_dir_all(&anchors).unwrap();
        std::fs::write(anchors.join(RUNNER), "").unwrap();
        let worktree = base.join("wt").join("bench");
        std::fs::create_dir_all(&worktree).unwrap();
        assert_eq!(find_anchors(&worktree), Some(anchors.clone()));
        assert_eq!(find_anchors(&base.join("main")), Some(anchors));
        assert_eq!(find_anchors(&base), None);
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn the_reference_audits_at_the_generators_instant() {
        assert_eq!(as_of_text(), "2026-11-20 00:00:00");
    }
}
