//! Builders shared by the history tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::Value;
use sparkcheck_history::{FindingRecord, GroupBy, History, InputRecord, RunRecord};

/// 2026-11-16T00:00:00Z.
pub const DAY1: i64 = 1_794_787_200;
pub const DAY: i64 = 86_400;

/// The as-of of day `n` (1-based).
pub fn day(n: i64) -> i64 {
    DAY1 + (n - 1) * DAY
}

pub fn finding(
    advertiser: &str,
    post: &str,
    cause: &str,
    severity: &str,
    owner: &str,
    handle: Option<&str>,
    client: Option<&str>,
) -> FindingRecord {
    FindingRecord {
        advertiser_id: advertiser.into(),
        post_id: post.into(),
        cause: cause.into(),
        severity: severity.into(),
        owner_role: owner.into(),
        handle: handle.map(Into::into),
        client: client.map(Into::into),
    }
}

pub fn run(as_of: i64, findings: Vec<FindingRecord>) -> RunRecord {
    RunRecord {
        as_of,
        started_at: as_of + 3600,
        policy: "preview".into(),
        sparkcheck_version: "0.1.0".into(),
        config_hash: Some("c0ffee".into()),
        pairs_audited: 10,
        inputs: vec![InputRecord {
            path: format!("exports/{as_of}/ads.csv"),
            kind: "ads".into(),
            rows: 12,
            imported: 11,
            rejected: 1,
            content_hash: Some(format!("h{as_of}")),
        }],
        coverage: BTreeMap::from([
            ("CODE_EXPIRED".to_string(), "checked".to_string()),
            (
                "NOT_SHARED_TO_BC".into(),
                "not checked: no bc export".into(),
            ),
        ]),
        findings,
    }
}

/// The six findings of the five-day story (see `five_days`).
pub fn a() -> FindingRecord {
    finding(
        "100",
        "p1",
        "CODE_EXPIRED",
        "error",
        "Creator",
        Some("@maya"),
        Some("Acme"),
    )
}
pub fn b() -> FindingRecord {
    finding(
        "100",
        "p2",
        "NOT_SHARED_TO_BC",
        "error",
        "Org Admin",
        Some("@leo"),
        Some("Acme"),
    )
}
pub fn c() -> FindingRecord {
    finding(
        "200",
        "p3",
        "CODE_EXPIRING_SOON",
        "warning",
        "Creator",
        None,
        None,
    )
}
pub fn d() -> FindingRecord {
    finding("200", "p3", "CODE_EXPIRED", "error", "Creator", None, None)
}
pub fn e() -> FindingRecord {
    finding(
        "100",
        "p2",
        "CODE_REVOKED",
        "error",
        "Creator",
        Some("@leo"),
        Some("Acme"),
    )
}
pub fn f() -> FindingRecord {
    finding(
        "300",
        "p4",
        "NOT_SHARED_TO_BC",
        "error",
        "Org Admin",
        Some("@kai"),
        Some("Beta"),
    )
}

/// Day 1: A B E; day 2: A B C; day 3: A C E F; day 4: A D E; day 5: A D.
pub fn five_days() -> Vec<RunRecord> {
    vec![
        run(day(1), vec![a(), b(), e()]),
        run(day(2), vec![c(), a(), b()]),
        run(day(3), vec![a(), c(), e(), f()]),
        run(day(4), vec![a(), d(), e()]),
        run(day(5), vec![d(), a()]),
    ]
}

/// Every answer the history gives, as JSON with run ids left out (they are recording order,
/// which the answers must not depend on).
pub fn answers(history: &History) -> Value {
    let mut runs = Vec::new();
    for summary in history.runs().unwrap() {
        let mut export = history.export_run(summary.run).unwrap();
        export.findings.sort();
        runs.push(serde_json::json!({
            "summary": summary,
            "findings": history.run_findings(summary.run).unwrap(),
            "export": export,
        }));
    }
    let mut all = serde_json::json!({
        "runs": runs,
        "trend": history.trend(None, None).unwrap(),
        "trend_cause": history.trend(Some(GroupBy::Cause), None).unwrap(),
        "trend_owner": history.trend(Some(GroupBy::Owner), None).unwrap(),
        "trend_client": history.trend(Some(GroupBy::Client), None).unwrap(),
        "changes": history.changes(None).unwrap(),
        "open": history.open_findings(false).unwrap(),
        "open_by_owner": history.open_findings(true).unwrap(),
        "first_seen": history.first_seen().unwrap(),
        "last": history.last_run_findings().unwrap(),
    });
    strip_run_ids(&mut all);
    all
}

fn strip_run_ids(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("run");
            map.remove("previous_run");
            map.values_mut().for_each(strip_run_ids);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_run_ids),
        _ => {}
    }
}

/// A fresh database file in a temporary folder that is removed on drop.
pub struct TempDb {
    pub dir: std::path::PathBuf,
    pub path: std::path::PathBuf,
}

impl TempDb {
    pub fn new(name: &str) -> TempDb {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "sparkcheck-history-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("history.db");
        TempDb { dir, path }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
