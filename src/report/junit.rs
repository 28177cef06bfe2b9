//! JUnit XML for CI: one test case per audited pair, grouped in a suite per ad account;
//! a pair with error findings fails with their causes and fixes, warnings go to its output.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::escape::html as xml;
use super::{numbered, FindingOut, PairOut, Report};

/// Writes the report as JUnit XML. Needs `report.pairs` (passing pairs are test cases too).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut by_pair: BTreeMap<(&str, &str), Vec<&FindingOut>> = BTreeMap::new();
    for finding in &report.findings {
        by_pair
            .entry((&finding.advertiser_id, &finding.post_id))
            .or_default()
            .push(finding);
    }
    let mut suites: BTreeMap<&str, Vec<&PairOut>> = BTreeMap::new();
    for pair in &report.pairs {
        suites.entry(&pair.advertiser_id).or_default().push(pair);
    }
    let failed = |pair: &PairOut| {
        by_pair
            .get(&(pair.advertiser_id.as_str(), pair.post_id.as_str()))
            .is_some_and(|findings| findings.iter().any(|f| f.severity.is_error()))
    };
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="sparkcheck {} as of {}" tests="{}" failures="{}">"#,
        xml(&report.policy),
        xml(&report.as_of),
        report.pairs.len(),
        report.pairs.iter().filter(|p| failed(p)).count()
    )?;
    for (advertiser, pairs) in &suites {
        let name = match &pairs[0].account_name {
            Some(account) => format!("ad account {advertiser} ({account})"),
            None => format!("ad account {advertiser}"),
        };
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}">"#,
            xml(&name),
            pairs.len(),
            pairs.iter().filter(|p| failed(p)).count()
        )?;
        for pair in pairs {
            let findings = by_pair
                .get(&(pair.advertiser_id.as_str(), pair.post_id.as_str()))
                .map_or(&[][..], Vec::as_slice);
            write_case(out, pair, findings)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn write_case(out: &mut dyn Write, pair: &PairOut, findings: &[&FindingOut]) -> io::Result<()> {
    let handle = findings.iter().find_map(|f| f.handle.as_deref());
    let name = match handle {
        Some(handle) => format!("post {} by {handle}", pair.post_id),
        None => format!("post {}", pair.post_id),
    };
    write!(
        out,
        r#"    <testcase classname="{}" name="{}""#,
        xml(&pair.advertiser_id),
        xml(&name)
    )?;
    if findings.is_empty() {
        return writeln!(out, "/>");
    }
    writeln!(out, ">")?;
    let errors: Vec<&&FindingOut> = findings.iter().filter(|f| f.severity.is_error()).collect();
    if !errors.is_empty() {
        let causes: Vec<&str> = errors.iter().map(|f| f.cause.as_str()).collect();
        let message = format!("{}: {}", causes.join(", "), errors[0].symptom);
        writeln!(
            out,
            r#"      <failure type="{}" message="{}">{}</failure>"#,
            xml(causes[0]),
            xml(&message),
            xml(&details(&errors))
        )?;
    }
    let warnings: Vec<&&FindingOut> = findings.iter().filter(|f| !f.severity.is_error()).collect();
    if !warnings.is_empty() {
        writeln!(
            out,
            "      <system-out>{}</system-out>",
            xml(&details(&warnings))
        )?;
    }
    writeln!(out, "    </testcase>")
}

fn details(findings: &[&&FindingOut]) -> String {
    findings
        .iter()
        .map(|f| {
            let evidence: Vec<String> = f
                .evidence
                .iter()
                .map(|e| format!("  {}:{}: {}", e.path, e.line, e.says))
                .collect();
            format!(
                "{} ({} · {}): {}\nfix:\n{}\nevidence:\n{}",
                f.cause,
                f.severity,
                f.owner_role,
                f.symptom,
                numbered(&f.fix),
                evidence.join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}
