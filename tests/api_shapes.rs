//! Saved TikTok API responses as connectors and `curl -o` save them (issue 14): each folder
//! of `tests/fixtures/api-shapes/` is audited and must give exactly the (ad account, post,
//! cause) triples and the rejections its `README.md` expects.

use crate::util::{assert_rows_accounted, audit_json, triples};

const A: &str = "7118420653917286401";
const B: &str = "7204519836470215682";
const C: &str = "7209934471205583875";
const P1: &str = "7351824690137552384";
const P2: &str = "7352910473628190721";
const P3: &str = "7349105823746619905";
const P4: &str = "7353378102947716610";
const P5: &str = "7350016634982231043";
const P6: &str = "7354482915573360644";
const P7: &str = "7357002418836655110";
const P8: &str = "7356643019285574657";

/// Audits one folder and checks its exit code, findings and rejections (file name, line,
/// a part of the reason).
fn check(
    folder: &str,
    exit: i32,
    findings: &[(&str, &str, &str)],
    rejected: &[(&str, u64, &str)],
) -> serde_json::Value {
    let path = format!("tests/fixtures/api-shapes/{folder}");
    let (code, report, _) = audit_json(&[&path]);
    let found = triples(&report);
    let expected: Vec<(String, String, String)> = findings
        .iter()
        .map(|(a, p, c)| (a.to_string(), p.to_string(), c.to_string()))
        .collect();
    assert_eq!(found, expected, "{folder}: findings");
    let rejections: Vec<(String, u64, String)> = report["rejected"]
        .as_array()
        .expect("rejected is an array")
        .iter()
        .map(|r| {
            let path = r["path"].as_str().expect("a path");
            (
                path.rsplit('/').next().unwrap_or(path).to_string(),
                r["line"].as_u64().expect("a line"),
                r["reason"].as_str().expect("a reason").to_string(),
            )
        })
        .collect();
    assert_eq!(
        rejections.len(),
        rejected.len(),
        "{folder}: rejections {rejections:#?}"
    );
    for ((file, line, reason), (want_file, want_line, want_reason)) in
        rejections.iter().zip(rejected)
    {
        assert_eq!((file.as_str(), *line), (*want_file, *want_line), "{folder}");
        assert!(reason.contains(want_reason), "{folder}: {reason}");
    }
    assert_eq!(code, exit, "{folder}: exit code");
    assert_rows_accounted(&report);
    insta::assert_snapshot!(format!("api_shapes_{folder}"), digest(&report));
    report
}

/// What a folder's snapshot holds: the inputs' row counts, every finding with its handle
/// and evidence, and every rejection; not the printers' layout, which other tests cover.
fn digest(report: &serde_json::Value) -> String {
    let mut out = String::new();
    let short = |path: &str| {
        path.trim_start_matches("tests/fixtures/api-shapes/")
            .to_string()
    };
    for input in report["inputs"].as_array().unwrap() {
        out.push_str(&format!(
            "input {} ({}): rows {}, imported {}, rejected {}\n",
            short(input["path"].as_str().unwrap()),
            input["kind"],
            input["rows"],
            input["imported"],
            input["rejected"]
        ));
    }
    for finding in report["findings"].as_array().unwrap() {
        out.push_str(&format!(
            "finding {} {} {} {} (owner {})\n",
            finding["advertiser_id"].as_str().unwrap(),
            finding["post_id"].as_str().unwrap(),
            finding["cause"].as_str().unwrap(),
            finding["handle"].as_str().unwrap_or("-"),
            finding["owner_role"].as_str().unwrap_or("-"),
        ));
        for evidence in finding["evidence"].as_array().unwrap() {
            out.push_str(&format!(
                "  {}:{}: {}\n",
                short(evidence["path"].as_str().unwrap()),
                evidence["line"],
                evidence["says"].as_str().unwrap()
            ));
        }
    }
    for rejected in report["rejected"].as_array().unwrap() {
        out.push_str(&format!(
            "rejected {}:{}: {}\n",
            short(rejected["path"].as_str().unwrap()),
            rejected["line"],
            rejected["reason"].as_str().unwrap()
        ));
    }
    out
}

/// Every `says` of the findings of (ad account, post, cause).
fn says(report: &serde_json::Value, advertiser: &str, post: &str, cause: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["advertiser_id"] == advertiser && f["post_id"] == post && f["cause"] == cause)
        .flat_map(|f| f["evidence"].as_array().unwrap().iter())
        .map(|e| e["says"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn envelope_with_the_ad_account_in_the_file_name() {
    let report = check(
        "01-envelope-curl",
        1,
        &[(A, P3, "CODE_EXPIRING_SOON"), (A, P2, "CODE_EXPIRED")],
        &[],
    );
    let evidence = says(&report, A, P2, "CODE_EXPIRED");
    assert!(
        evidence
            .iter()
            .any(|s| s.ends_with("(ad account from the file name)")),
        "{evidence:?}"
    );
}

#[test]
fn bare_list_and_json_lines() {
    check("02-bare-list", 0, &[(A, P4, "NO_PREVIEW_FORMAT")], &[]);
    check("03-json-lines", 1, &[(B, P6, "WRONG_IDENTITY")], &[]);
}

#[test]
fn connector_wrappers_are_taken_off() {
    check("04-airbyte-raw", 1, &[(A, P2, "IDENTITY_UNAVAILABLE")], &[]);
    let report = check("05-singer-records", 1, &[(A, P8, "CODE_EXPIRED")], &[]);
    let singer = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .ends_with("tap_spark_posts.jsonl")
        })
        .expect("the Singer file is an input");
    assert_eq!(
        singer["rows"], 2,
        "SCHEMA and STATE lines are no rows: {singer}"
    );
}

#[test]
fn top_level_advertiser_beside_data() {
    let report = check(
        "06-top-level-advertiser",
        1,
        &[(B, P7, "POST_UNAVAILABLE")],
        &[],
    );
    let evidence = says(&report, B, P7, "POST_UNAVAILABLE");
    assert!(
        evidence.iter().all(|s| !s.contains("file name")),
        "{evidence:?}"
    );
}

#[test]
fn file_name_digits_count_only_when_a_known_ad_account() {
    let why = "are no ad account named by the other inputs";
    check(
        "07-file-name-vs-timestamp",
        1,
        &[(A, P3, "CODE_MISSING"), (A, P1, "CODE_MISSING")],
        &[
            ("tt_video_list-20261120T090512.jsonl", 1, why),
            ("tt_video_list_20261120090512345.json", 1, why),
        ],
    );
}

#[test]
fn pages_saved_as_several_files() {
    check("08-two-pages", 1, &[(A, P4, "CODE_EXPIRED")], &[]);
}

#[test]
fn creator_side_codes_without_a_handle() {
    let report = check(
        "09-creator-side-no-handle",
        1,
        &[
            (A, P3, "CODE_NOT_APPLIED"),
            (A, P3, "CUSTOM_IDENTITY"),
            (A, P1, "CODE_NOT_APPLIED"),
            (A, P2, "CODE_NOT_APPLIED"),
        ],
        &[],
    );
    let finding = |post: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["post_id"] == post && f["cause"] == "CODE_NOT_APPLIED")
            .unwrap()
            .clone()
    };
    assert_eq!(finding(P1)["handle"], "@maya.moves");
    assert_eq!(finding(P1)["owner_role"], "Advertiser");
    assert_eq!(finding(P2)["handle"], "@chef.tomas");
    assert!(finding(P3)["handle"].is_null(), "{}", finding(P3));
    let evidence = says(&report, A, P1, "CODE_NOT_APPLIED");
    assert!(
        evidence
            .iter()
            .any(|s| s.contains("no creator on the code")),
        "{evidence:?}"
    );
    let coverage = report["coverage"].to_string();
    assert!(coverage.contains("not checked"), "{coverage}");
}

#[test]
fn identity_get_under_either_list_key() {
    check(
        "11-identity-get-list-keys",
        1,
        &[
            (A, P2, "IDENTITY_UNAVAILABLE"),
            (B, P6, "IDENTITY_UNAVAILABLE"),
        ],
        &[(
            "identity_get_7118420653917286401.json",
            3,
            "custom identity (`CUSTOMIZED_USER`)",
        )],
    );
}

#[test]
fn post_status_spellings() {
    check(
        "12-post-status-spellings",
        1,
        &[
            (A, P3, "POST_UNAVAILABLE"),
            (A, P2, "POST_UNAVAILABLE"),
            (B, P5, "CODE_MISSING"),
        ],
        &[
            (
                "identity_video_info_7118420653917286401.json",
                1,
                "`/identity/video/info/`",
            ),
            ("tt_video_list.jsonl", 5, "`ITEM_STATUS_PRIVATE_REVIEW`"),
        ],
    );
}

#[test]
fn ids_must_be_digits_in_every_kind() {
    check(
        "13-ids-not-digits",
        1,
        &[(A, P4, "CODE_MISSING"), (A, P4, "HANDLE_NOT_IN_BC")],
        &[
            ("ads.csv", 3, "expected an ID of digits, found `=HYPERLINK("),
            ("bc.csv", 3, "found `BC-6987301245519863809`"),
            (
                "tt_video_list_7118420653917286401.jsonl",
                2,
                "`advertiser_id`: expected an ID of digits, found `=HYPERLINK(",
            ),
            (
                "tt_video_list_7118420653917286401.jsonl",
                3,
                "found `ADV-7118420653917286401`",
            ),
        ],
    );
}

#[test]
fn bc_assets_from_three_endpoints_are_joined_into_shares() {
    let report = check(
        "10-bc-assets-join",
        1,
        &[
            (A, P3, "HANDLE_NOT_SHARED"),
            (A, P6, "HANDLE_NOT_IN_BC"),
            (B, P5, "ANALYST_ONLY"),
            (C, P2, "SHARE_INACTIVE"),
        ],
        &[(
            "bc_asset_advertiser_assigned.jsonl",
            4,
            "needs the `asset_id` (the TikTok account)",
        )],
    );
    let evidence = says(&report, C, P2, "SHARE_INACTIVE");
    assert!(
        evidence.iter().any(|s| s.contains("status PENDING")),
        "{evidence:?}"
    );
}

#[test]
fn unseen_portfolio_of_every_shape() {
    const D: &str = "7226604518893301762";
    const P9: &str = "7358214407736021006";
    const P10: &str = "7359907731264480263";
    const P12: &str = "7360155820937742351";
    const P13: &str = "7361023398475566082";
    check(
        "14-unseen-portfolio",
        1,
        &[
            (A, P3, "HANDLE_NOT_SHARED"),
            (A, P3, "NOT_LINKED"),
            (A, P1, "CUSTOM_IDENTITY"),
            (A, P2, "CODE_EXPIRED"),
            (A, P4, "CODE_MISSING"),
            (A, P4, "HANDLE_NOT_IN_BC"),
            (A, P8, "CODE_EXPIRING_SOON"),
            (B, P5, "IDENTITY_UNAVAILABLE"),
            (B, P6, "WRONG_IDENTITY"),
            (B, P7, "IDENTITY_UNAVAILABLE"),
            (B, P7, "POST_UNAVAILABLE"),
            (B, P9, "CODE_NOT_APPLIED"),
            (B, P9, "HANDLE_NOT_IN_BC"),
            (B, P9, "NOT_LINKED"),
            (C, P2, "SHARE_INACTIVE"),
            (C, P10, "NO_PREVIEW_FORMAT"),
            (C, P10, "SHARE_INACTIVE"),
            (D, P12, "ANALYST_ONLY"),
            (D, P13, "CODE_MISSING"),
            (D, P13, "HANDLE_NOT_SHARED"),
        ],
        &[
            (
                "bc_asset_advertiser_assigned.jsonl",
                6,
                "needs the `asset_id`",
            ),
            ("Ads Export 2026-11-19.csv", 8, "found `=HYPERLINK("),
            (
                "singer-tt_video_list-20261120T090512.jsonl",
                3,
                "are no ad account named by the other inputs",
            ),
        ],
    );
}
