//! Portfolio workflows (issue 5): baseline diff, worklists by role, summaries,
//! the expiry forecast and suppressions.

use crate::util::{run, AS_OF};

const WORKFLOWS: &str = "tests/fixtures/workflows";

fn json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let output = run(args);
    let text = String::from_utf8(output.stdout).unwrap();
    let value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), value, text)
}

fn day1_baseline() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("sparkcheck-day1-{}.json", std::process::id()));
    let output = run(&[
        "audit",
        "tests/fixtures/workflows/day1",
        "--as-of",
        AS_OF,
        "-o",
        &path.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    path
}

#[test]
fn a_baseline_marks_new_and_persisting_and_lists_the_resolved() {
    let baseline = day1_baseline();
    let baseline_arg = baseline.to_string_lossy();
    let args = [
        "audit",
        "tests/fixtures/workflows/day2",
        "--as-of",
        "2026-11-21",
        "--format",
        "json",
        "--baseline",
        &baseline_arg,
    ];
    let (code, report, text) = json(&args);
    assert_eq!(code, 1);
    let status: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["cause"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        status,
        [
            ("CUSTOM_IDENTITY".into(), "persisting".into()),
            ("CODE_REVOKED".into(), "new".into())
        ]
    );
    assert_eq!(report["resolved"][0]["cause"], "CODE_EXPIRED");
    assert_eq!(report["summary"]["new"], 1);
    assert_eq!(report["summary"]["resolved"], 1);
    insta::assert_snapshot!("workflow_baseline_day2", text);

    // --fail-on new: the persisting error alone would not fail the run.
    let mut fail_on_new = args.to_vec();
    fail_on_new.extend(["--fail-on", "new"]);
    assert_eq!(run(&fail_on_new).status.code(), Some(1));
    let (_, same_day, _) = json(&[
        "audit",
        "tests/fixtures/workflows/day1",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--baseline",
        &baseline_arg,
        "--fail-on",
        "new",
    ]);
    assert_eq!(
        same_day["summary"]["new"], 0,
        "a rerun of the same inputs has nothing new"
    );
    let rerun = run(&[
        "audit",
        "tests/fixtures/workflows/day1",
        "--as-of",
        AS_OF,
        "--baseline",
        &baseline_arg,
        "--fail-on",
        "new",
    ]);
    assert_eq!(rerun.status.code(), Some(0));
    std::fs::remove_file(&baseline).unwrap();
}

#[test]
fn baseline_and_fail_on_new_errors_are_clear() {
    let no_baseline = run(&["audit", "samples", "--fail-on", "new"]);
    assert_eq!(no_baseline.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_baseline.stderr).contains("add --baseline"));
    let not_json = run(&["audit", "samples", "--baseline", "samples/README.md"]);
    assert_eq!(not_json.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&not_json.stderr);
    assert!(
        stderr.starts_with("error: `samples/README.md`:1:1: expected a sparkcheck JSON report"),
        "{stderr}"
    );
}

#[test]
fn one_bc_share_is_one_action_clearing_several_findings() {
    let (_, report, _) = json(&[
        "audit",
        "tests/fixtures/workflows/one-share-many-posts",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    let first = &report["actions"][0];
    assert_eq!(
        first["action"],
        "share @river.chef to ad account 7600000000000000002 with ad delivery"
    );
    assert_eq!(first["owner_role"], "Org Admin");
    assert_eq!(first["clears"], 3);
    assert_eq!(report["actions"].as_array().unwrap().len(), 1);
    let text = String::from_utf8(
        run(&[
            "audit",
            "tests/fixtures/workflows/one-share-many-posts",
            "--as-of",
            AS_OF,
            "--by",
            "role",
        ])
        .stdout,
    )
    .unwrap();
    insta::assert_snapshot!("workflow_by_role", text);
}

#[test]
fn the_summary_counts_per_client_and_ad_account() {
    let (_, report, _) = json(&["audit", "samples", "--as-of", AS_OF, "--format", "json"]);
    let clients = report["summary"]["by_client"].as_array().unwrap();
    let acme_us = clients
        .iter()
        .find(|c| c["client"] == "Acme Shoes US")
        .unwrap();
    assert_eq!(
        (
            acme_us["pairs"].as_u64(),
            acme_us["previewable"].as_u64(),
            acme_us["broken"].as_u64()
        ),
        (Some(6), Some(2), Some(4))
    );
    let total: u64 = clients.iter().map(|c| c["pairs"].as_u64().unwrap()).sum();
    assert_eq!(total, report["summary"]["pairs_audited"].as_u64().unwrap());
    let accounts = report["summary"]["by_account"].as_array().unwrap();
    assert_eq!(accounts.len(), 4);
}

#[test]
fn suppressions_used_unused_and_past_until() {
    let config = format!("{WORKFLOWS}/suppressions.toml");
    let (code, report, text) = json(&[
        "audit",
        "tests/fixtures/workflows/day2",
        "--as-of",
        "2026-11-21",
        "--format",
        "json",
        "--config",
        &config,
    ]);
    assert_eq!(report["suppressed"][0]["cause"], "CUSTOM_IDENTITY");
    assert_eq!(
        report["suppressed"][0]["suppressed_by"],
        "[[suppress]] #1 (CUSTOM_IDENTITY)"
    );
    assert_eq!(report["summary"]["suppressed"], 1);
    let unused: Vec<&str> = report["unused_suppressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["why"].as_str().unwrap())
        .collect();
    assert_eq!(
        unused,
        [
            "matched no finding",
            "past its `until` (2026-11-01T00:00:00Z)"
        ]
    );
    // CODE_REVOKED is a warning by the config's override, and fail-on = "warning" counts it.
    assert_eq!(report["findings"][0]["severity"], "warning");
    assert_eq!(code, 1);
    // The command line wins over the file.
    let lenient = run(&[
        "audit",
        "tests/fixtures/workflows/day2",
        "--as-of",
        "2026-11-21",
        "--config",
        &config,
        "--fail-on",
        "error",
    ]);
    assert_eq!(lenient.status.code(), Some(0));
    insta::assert_snapshot!("workflow_suppressions", text);
}

#[test]
fn a_malformed_config_is_exit_2_with_file_line_and_expectation() {
    let path = std::env::temp_dir().join(format!("sparkcheck-bad-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[[suppress]]\ncause = \"CODE_MISSING\"\nreason = \"x\"\nuntil = \"someday\"\n",
    )
    .unwrap();
    let output = run(&["audit", "samples", "--config", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(":4:9: `until`: expected a time"),
        "{stderr}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn the_expiry_forecast_lists_pairs_by_the_date_they_lose_their_preview() {
    let (code, forecast, _) = json(&[
        "expiring", "samples", "--within", "30d", "--as-of", AS_OF, "--format", "json",
    ]);
    assert_eq!(code, 0);
    let expiring = forecast["expiring"].as_array().unwrap();
    assert_eq!(
        expiring.len(),
        1,
        "only maya.moves' post 4 ends within 30 days"
    );
    assert_eq!(expiring[0]["handle"], "@maya.moves");
    assert_eq!(expiring[0]["post_id"], "7301000000000000004");
    assert_eq!(expiring[0]["loses_preview_at"], "2026-11-23T22:00:00Z");
    let (_, longer, _) = json(&[
        "expiring", "samples", "--within", "120d", "--as-of", AS_OF, "--format", "json",
    ]);
    let dates: Vec<&str> = longer["expiring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["loses_preview_at"].as_str().unwrap())
        .collect();
    assert!(
        dates.len() > 5 && dates.windows(2).all(|w| w[0] <= w[1]),
        "soonest first: {dates:?}"
    );
    let csv_output = run(&[
        "expiring", "samples", "--within", "120d", "--as-of", AS_OF, "--format", "csv",
    ]);
    let csv_text = String::from_utf8(csv_output.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    assert_eq!(&reader.headers().unwrap()[1], "handle (without @)");
    let handles: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    assert!(handles.contains(&"maya.moves".to_string()), "{handles:?}");
    assert!(
        handles.iter().all(|h| !h.starts_with(['\'', '@'])),
        "handles read as handles, as in the audit's CSV: {handles:?}"
    );
    for format in ["text", "csv"] {
        let output = run(&[
            "expiring", "samples", "--within", "120d", "--as-of", AS_OF, "--format", format,
        ]);
        insta::assert_snapshot!(
            format!("expiring_{format}"),
            String::from_utf8(output.stdout).unwrap()
        );
    }
}

/// `--history`: each run lands in the database; findings carry since when they are broken,
/// and `--baseline history` compares with the last run recorded.
#[test]
fn history_records_runs_gives_first_seen_and_serves_as_baseline() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-history-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("history.db").to_string_lossy().into_owned();
    let (code, _, _) = json(&[
        "audit",
        "tests/fixtures/workflows/day1",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--history",
        &db,
    ]);
    assert_eq!(code, 1);
    let (_, day2, _) = json(&[
        "audit",
        "tests/fixtures/workflows/day2",
        "--as-of",
        "2026-11-21",
        "--format",
        "json",
        "--history",
        &db,
        "--baseline",
        "history",
    ]);
    let seen: Vec<(String, String, String)> = day2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("cause"), s("status"), s("first_seen"))
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "CUSTOM_IDENTITY".into(),
                "persisting".into(),
                "2026-11-20T00:00:00Z".into()
            ),
            (
                "CODE_REVOKED".into(),
                "new".into(),
                "2026-11-21T00:00:00Z".into()
            ),
        ]
    );
    assert_eq!(day2["resolved"][0]["cause"], "CODE_EXPIRED");
    // The report carries the last runs' counts, oldest first, ending with this one.
    assert_eq!(
        day2["trend"],
        serde_json::json!([
            {"as_of": "2026-11-20T00:00:00Z", "broken_posts": 2, "findings": 2, "errors": 2, "warnings": 0},
            {"as_of": "2026-11-21T00:00:00Z", "broken_posts": 2, "findings": 2, "errors": 2, "warnings": 0},
        ])
    );
    let (_, without, _) = json(&[
        "audit",
        "tests/fixtures/workflows/day2",
        "--as-of",
        "2026-11-21",
        "--format",
        "json",
    ]);
    assert!(without.get("trend").is_none(), "no trend without a history");
    // With a history, each input carries a hash of its bytes, and the run keeps it.
    for (report, with) in [(&day2, true), (&without, false)] {
        for input in report["inputs"].as_array().unwrap() {
            let bytes = std::fs::read(input["path"].as_str().unwrap()).unwrap();
            let expected = format!("blake3:{}", blake3::hash(&bytes).to_hex());
            if with {
                assert_eq!(input["content_hash"], expected.as_str(), "{input}");
            } else {
                assert!(input.get("content_hash").is_none(), "{input}");
            }
        }
    }
    let history = sparkcheck_history::History::open_existing(&db).unwrap();
    let (newest, _) = history.newest_run().unwrap().unwrap();
    let recorded = history.export_run(newest).unwrap();
    assert!(!recorded.inputs.is_empty());
    for input in &recorded.inputs {
        let hash = input
            .content_hash
            .as_deref()
            .expect("the run keeps each input's hash");
        assert!(hash.starts_with("blake3:") && hash.len() == 71, "{hash}");
    }
    drop(history);
    let runs = run(&["history", &db, "runs", "--format", "json"]);
    assert_eq!(runs.status.code(), Some(0));
    let runs: serde_json::Value = serde_json::from_slice(&runs.stdout).unwrap();
    assert_eq!(
        runs.as_array().map_or(0, Vec::len) + runs["runs"].as_array().map_or(0, Vec::len),
        2,
        "{runs}"
    );
    let no_history = run(&["audit", "samples", "--baseline", "history"]);
    assert_eq!(no_history.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}
