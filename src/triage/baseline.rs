//! `--baseline`: the previous JSON report, to tell new findings from persisting ones and to
//! list the resolved. Findings are keyed by (advertiser_id, post_id, cause), so reruns and
//! reordered inputs do not churn.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::FindingKey;
use crate::report::Severity;

/// The findings of an earlier report, by key.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Each finding as it was, by its key.
    pub findings: BTreeMap<FindingKey, BaselineFinding>,
}

/// What the resolved list shows of an earlier finding.
#[derive(Clone, Debug, Deserialize)]
pub struct BaselineFinding {
    /// The ad account.
    pub advertiser_id: String,
    /// The post.
    pub post_id: String,
    /// The cause.
    pub cause: String,
    /// The handle, when it had one.
    #[serde(default)]
    pub handle: Option<String>,
    /// Severity then.
    #[serde(default = "error")]
    pub severity: Severity,
    /// Owner role then.
    #[serde(default)]
    pub owner_role: String,
}

fn error() -> Severity {
    Severity::Error
}

#[derive(Deserialize)]
struct BaselineReport {
    schema_version: u32,
    findings: Vec<BaselineFinding>,
}

/// Reads a report written by `--format json`; the error names the file and, for JSON
/// errors, the line and column.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("`{shown}`: cannot read the baseline: {e}"))?;
    let report: BaselineReport = serde_json::from_str(&text).map_err(|e| {
        format!(
            "`{shown}`:{}:{}: expected a sparkcheck JSON report (`--format json`), {}",
            e.line(),
            e.column(),
            e.to_string().split(" at line").next().unwrap_or_default()
        )
    })?;
    if report.schema_version != crate::report::SCHEMA_VERSION {
        return Err(format!(
            "`{shown}`: expected a report of schema_version {}, found {}; hint: rerun the audit that made it with this sparkcheck",
            crate::report::SCHEMA_VERSION,
            report.schema_version
        ));
    }
    let findings = report
        .findings
        .into_iter()
        .map(|f| {
            let key = FindingKey {
                advertiser_id: f.advertiser_id.clone(),
                post_id: f.post_id.clone(),
                cause: f.cause.clone(),
            };
            (key, f)
        })
        .collect();
    Ok(Baseline { findings })
}
