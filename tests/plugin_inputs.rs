//! Plugin inputs (issue 6): the facts format round-trips, external importers run end to
//! end, and their failures are clear.

use std::collections::BTreeSet;

use crate::util::{audit_json, run, triples, AS_OF};

fn temp(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sparkcheck-plugins-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn facts_round_trip_through_json_lines() {
    let dir = temp("roundtrip");
    let facts = dir.join("samples.jsonl");
    let output = run(&["facts", "samples", "-o", &facts.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0));
    let text = std::fs::read_to_string(&facts).unwrap();
    assert!(text.starts_with(r#"{"fact":"header","format":"sparkcheck-facts","version":2}"#));
    assert!(
        !text.contains("#SpkA7mAyAtr4iLhOoK01xQ9z"),
        "codes are masked in facts"
    );
    let (_, direct, _) = audit_json(&["samples"]);
    let (code, again, _) = audit_json(&[&facts.to_string_lossy()]);
    assert_eq!(code, 1);
    let keys = |r: &serde_json::Value| triples(r).into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        keys(&again),
        keys(&direct),
        "the same findings from the facts"
    );
    assert_eq!(again["coverage"], direct["coverage"]);
    assert_eq!(again["inputs"][0]["kind"], "facts");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_schema_describes_every_fact() {
    let output = run(&["facts", "--schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = schema.to_string();
    for fact in ["header", "ad", "share", "code", "link", "account"] {
        assert!(
            text.contains(&format!("\"{fact}\"")),
            "{fact} missing from the schema"
        );
    }
}

#[test]
fn a_bad_facts_line_is_a_rejection_not_a_failure() {
    let dir = temp("badline");
    let file = dir.join("facts.jsonl");
    std::fs::write(
        &file,
        "{\"fact\":\"header\",\"format\":\"sparkcheck-facts\",\"version\":1}\n\
         {\"fact\":\"link\",\"handle\":\"@maya\",\"status\":\"connected\"}\n\
         {\"fact\":\"link\",\"handle\":\"@lee\"\n\
         {\"fact\":\"ad\",\"advertiser_id\":\"7.1E+18\",\"identity_type\":\"TT_USER\",\"ad_id\":\"1\"}\n",
    )
    .unwrap();
    let (_, report, _) = audit_json(&[&file.to_string_lossy()]);
    assert_eq!(report["inputs"][0]["rows"], 3);
    assert_eq!(report["inputs"][0]["rejected"], 2);
    let reasons: Vec<String> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(
        reasons[0].starts_with("expected one fact as a JSON object"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("scientific notation"), "{reasons:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_example_plugin_runs_end_to_end() {
    let args = [
        "audit",
        "samples/lumen-skincare",
        "samples/business-center",
        "samples/codes",
        "samples/plugins",
        "--config",
        "samples/plugins/sparkcheck.toml",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ];
    let output = run(&args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let roster = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "samples/plugins/motion_team.roster")
        .unwrap();
    assert_eq!(
        (roster["rows"].as_u64(), roster["rejected"].as_u64()),
        (Some(11), Some(1))
    );
    assert_eq!(report["coverage"]["NOT_LINKED"], "checked");
    let not_linked: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["cause"] == "NOT_LINKED")
        .collect();
    assert_eq!(
        not_linked.len(),
        3,
        "skin.by.sam is disconnected; derma.dev's line is rejected, so unknown"
    );
    let evidence = &not_linked
        .iter()
        .find(|f| f["handle"] == "@skin.by.sam")
        .unwrap()["evidence"][0];
    assert_eq!(evidence["path"], "samples/plugins/motion_team.roster");
    assert_eq!(
        evidence["line"], 11,
        "the plugin's own source line is cited"
    );
    let rejected = &report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "samples/plugins/motion_team.roster")
        .unwrap()["reason"];
    assert!(
        rejected
            .as_str()
            .unwrap()
            .starts_with("importer `motion-roster`, output line 12:"),
        "{rejected}"
    );
}

fn config_with(dir: &std::path::Path, importer: &str) -> String {
    let path = dir.join("sparkcheck.toml");
    std::fs::write(
        &path,
        format!("[[importer]]\nname = \"broken\"\nfiles = \"*.roster\"\n{importer}"),
    )
    .unwrap();
    std::fs::copy(
        "samples/plugins/motion_team.roster",
        dir.join("team.roster"),
    )
    .unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn plugin_failures_are_exit_2_with_name_and_stderr() {
    let cases = [
        ("missing", "command = [\"no-such-sparkcheck-plugin\"]\n", "importer `broken`: cannot run `no-such-sparkcheck-plugin`"),
        ("failing", "command = [\"sh\", \"-c\", \"echo first >&2; echo the sheet is locked >&2; exit 3\"]\n", "importer `broken` failed (exit status: 3); its stderr ends: first | the sheet is locked"),
        ("slow", "command = [\"sh\", \"-c\", \"sleep 5\"]\ntimeout = \"1s\"\n", "importer `broken` timed out after 1s"),
    ];
    for (name, importer, expected) in cases {
        let dir = temp(name);
        let config = config_with(&dir, importer);
        let output = run(&["audit", &dir.to_string_lossy(), "--config", &config]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(output.stdout.is_empty(), "{name}: no report");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn xlsx_sheets_are_read_like_csv_and_numeric_ids_are_caught() {
    use rust_xlsxwriter::{ExcelDateTime, Workbook};
    let dir = temp("xlsx");
    let path = dir.join("Ads Manager download.xlsx");
    let mut workbook = Workbook::new();
    let ads = workbook.add_worksheet().set_name("Ads").unwrap();
    for (col, title) in [
        "Account ID",
        "Ad ID",
        "Identity Type",
        "Identity",
        "Post ID",
    ]
    .iter()
    .enumerate()
    {
        ads.write_string(0, col as u16, *title).unwrap();
    }
    ads.write_string(1, 0, "7100000000000000001").unwrap();
    ads.write_number(1, 1, 42.0).unwrap();
    ads.write_string(1, 2, "Authorized post").unwrap();
    ads.write_string(1, 3, "@maya.moves").unwrap();
    ads.write_string(1, 4, "7301000000000000001").unwrap();
    // A post ID typed into Excel as a number: its last digits are gone.
    ads.write_string(2, 0, "7100000000000000001").unwrap();
    ads.write_string(2, 1, "43").unwrap();
    ads.write_string(2, 2, "Authorized post").unwrap();
    ads.write_string(2, 3, "@maya.moves").unwrap();
    ads.write_number(2, 4, 7_301_000_000_000_000_002.0).unwrap();
    let notes = workbook.add_worksheet().set_name("Notes").unwrap();
    notes.write_string(0, 0, "Reminder").unwrap();
    let codes = workbook.add_worksheet().set_name("Codes").unwrap();
    for (col, title) in [
        "Auth Code",
        "Post ID",
        "TikTok Account",
        "Ad Account ID",
        "Status",
        "End Time",
    ]
    .iter()
    .enumerate()
    {
        codes.write_string(0, col as u16, *title).unwrap();
    }
    for (col, value) in [
        "#XlsxSecretCode0001Ab",
        "7301000000000000001",
        "maya.moves",
        "7100000000000000001",
        "IN_USE",
    ]
    .iter()
    .enumerate()
    {
        codes.write_string(1, col as u16, *value).unwrap();
    }
    let end = ExcelDateTime::from_ymd(2026, 11, 22).unwrap();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    codes
        .write_datetime_with_format(1, 5, &end, &date_format)
        .unwrap();
    workbook.save(&path).unwrap();

    let (_, report, json) = audit_json(&[&path.to_string_lossy()]);
    let inputs: Vec<String> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .rsplit('#')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(inputs, ["Ads", "Codes"], "the Notes sheet is no input");
    let rejected = &report["rejected"][0];
    assert_eq!(rejected["line"], 3);
    assert!(
        rejected["reason"]
            .as_str()
            .unwrap()
            .contains("scientific notation"),
        "{rejected}"
    );
    let causes: Vec<(String, String, String)> = triples(&report);
    assert_eq!(
        causes[0].2, "CODE_EXPIRING_SOON",
        "the Excel date ends 2026-11-22: {causes:?}"
    );
    assert!(!json.contains("#XlsxSecretCode0001Ab"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tiktok_api_responses_are_read_by_shape() {
    let dir = temp("api");
    let record = r##"{"item_info":{"auth_code":"#ApiSecretCode000000Zz","item_id":"7305000000000000001","item_type":"CAROUSEL","status":"HESITATE_RECOMMEND"},"user_info":{"tiktok_name":"maya.moves"},"auth_info":{"ad_auth_status":"AUTHORIZED","auth_start_time":"2026-10-01 00:00:00","auth_end_time":"2027-01-01 00:00:00"}}"##;
    // The envelope, with the ad account in the file name.
    std::fs::write(
        dir.join("tt_video_info_7100000000000000001.json"),
        format!(r#"{{"code":0,"message":"OK","request_id":"r1","data":{{"list":[{record}],"page_info":{{"page":1}}}}}}"#),
    )
    .unwrap();
    // The file name's ad account counts only when another input names it (issue 14).
    std::fs::write(
        dir.join("accounts.jsonl"),
        "{\"fact\":\"header\",\"format\":\"sparkcheck-facts\",\"version\":2}\n\
         {\"fact\":\"account\",\"advertiser_id\":\"7100000000000000001\",\"account_name\":\"Acme\"}\n",
    )
    .unwrap();
    // JSON Lines from a connector: one record names its ad account, one cannot.
    let with_field = record.replacen('{', r#"{"advertiser_id":"7100000000000000002","#, 1);
    std::fs::write(
        dir.join("connector.jsonl"),
        format!("{with_field}\n{record}\n"),
    )
    .unwrap();
    let (_, report, json) = audit_json(&[&dir.to_string_lossy()]);
    let keys: BTreeSet<(String, String, String)> = triples(&report).into_iter().collect();
    assert!(
        keys.contains(&(
            "7100000000000000001".into(),
            "7305000000000000001".into(),
            "NO_PREVIEW_FORMAT".into()
        )),
        "{keys:?}"
    );
    assert!(
        keys.contains(&(
            "7100000000000000002".into(),
            "7305000000000000001".into(),
            "NO_PREVIEW_FORMAT".into()
        )),
        "{keys:?}"
    );
    let rejected = &report["rejected"][0];
    assert_eq!(
        rejected["path"].as_str().unwrap().rsplit('/').next(),
        Some("connector.jsonl")
    );
    assert_eq!(rejected["line"], 2);
    assert!(
        rejected["reason"]
            .as_str()
            .unwrap()
            .contains("the record has no ad account: no `advertiser_id` on it, none beside `data`"),
        "{rejected}"
    );
    assert!(!json.contains("#ApiSecretCode000000Zz"));

    std::fs::write(
        dir.join("error.json"),
        r#"{"code":40105,"message":"Access token is incorrect","request_id":"r2","data":{}}"#,
    )
    .unwrap();
    let output = run(&["audit", &dir.join("error.json").to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("an API error (code 40105"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bc_asset_responses_are_shares() {
    let dir = temp("bcassets");
    std::fs::copy("tests/fixtures/clean/ads.csv", dir.join("ads.csv")).unwrap();
    std::fs::copy("tests/fixtures/clean/codes.csv", dir.join("codes.csv")).unwrap();
    std::fs::write(
        dir.join("bc_assets.json"),
        r#"{"code":0,"message":"OK","request_id":"r","data":{"list":[
            {"bc_id":"7000000000000000001","asset_type":"TT_ACCOUNT","asset_name":"@creator.one","advertiser_id":"7100000000000000001","permissions":["POST"],"relation_status":"BOUND","advertiser_role":"ADMIN"}
        ]}}"#,
    )
    .unwrap();
    let (_, report, _) = audit_json(&[&dir.to_string_lossy()]);
    let causes: Vec<String> = triples(&report).into_iter().map(|t| t.2).collect();
    assert_eq!(causes, ["NO_AD_DELIVERY"], "a share without ad delivery");
    let assets = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("bc_assets.json"))
        .unwrap();
    assert_eq!(assets["kind"], "bc");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every command reads inputs through the one pipeline, so every command runs the
/// configuration's plugins: a plugin whose program is missing fails each of them the same way.
#[test]
fn every_command_honours_the_configurations_plugins() {
    let dir = temp("every-command");
    let config = dir.join("sparkcheck.toml");
    std::fs::write(
        &config,
        "[[importer]]\nname = \"roster\"\ncommand = [\"/no/such/program\"]\nfiles = \"*.roster\"\n",
    )
    .unwrap();
    let config = config.to_string_lossy().into_owned();
    for args in [
        vec!["audit", "samples/plugins", "--config", &config],
        vec!["expiring", "samples/plugins", "--config", &config],
        vec!["facts", "samples/plugins", "--config", &config],
    ] {
        let output = run(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("importer `roster`: cannot run `/no/such/program`"),
            "{args:?}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn facts_of_api_shapes_round_trip_with_creator_less_codes() {
    let dir = temp("roundtrip-api");
    for folder in ["09-creator-side-no-handle", "14-unseen-portfolio"] {
        let path = format!("tests/fixtures/api-shapes/{folder}");
        let facts = dir.join(format!("{folder}.jsonl"));
        let output = run(&["facts", &path, "-o", &facts.to_string_lossy()]);
        assert_eq!(output.status.code(), Some(0), "{folder}");
        let text = std::fs::read_to_string(&facts).unwrap();
        assert!(text.starts_with(r#"{"fact":"header","format":"sparkcheck-facts","version":2}"#));
        let (_, direct, _) = audit_json(&[&path]);
        let (_, again, _) = audit_json(&[&facts.to_string_lossy()]);
        let keys = |r: &serde_json::Value| {
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["advertiser_id"].to_string(),
                        f["post_id"].to_string(),
                        f["cause"].to_string(),
                        f["handle"].to_string(),
                    )
                })
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(keys(&again), keys(&direct), "{folder}");
        assert_eq!(again["coverage"], direct["coverage"], "{folder}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
