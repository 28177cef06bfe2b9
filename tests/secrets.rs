//! Auth codes are bearer secrets: no output of any kind may hold one whole (issue 8).
//! Every code in every fixture is searched for in every output of every fixture.

use std::path::{Path, PathBuf};

use crate::util::{run, AS_OF};

/// Every report format the CLI writes to standard output (xlsx is read back separately).
pub const FORMATS: [&str; 6] = ["text", "json", "csv", "markdown", "html", "junit"];

/// Folders holding inputs: the samples and every test fixture.
fn input_folders() -> Vec<PathBuf> {
    let mut folders = vec![PathBuf::from("samples")];
    for parent in ["tests/cases", "tests/fixtures"] {
        for entry in std::fs::read_dir(parent).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            }
        }
    }
    folders.sort();
    folders
}

/// The auth codes in a folder's code files: the first column of files whose header starts
/// with `Auth Code` or `auth_code`, and first cells that start with `#` (headerless files).
fn codes_in(folder: &Path, codes: &mut Vec<String>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            codes_in(&path, codes);
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // Codes inside saved API responses: every `"auth_code": "..."` value.
        for part in text.split("\"auth_code\"").skip(1) {
            if let Some(code) = part.split('"').nth(1) {
                codes.push(code.to_string());
            }
        }
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("").to_ascii_lowercase();
        let first_cell = |l: &str| l.split([',', ';', '\t']).next().unwrap_or("").to_string();
        if header.starts_with("auth code") || header.starts_with("auth_code") {
            codes.extend(lines.map(first_cell));
        } else {
            codes.extend(text.lines().map(first_cell).filter(|c| c.starts_with('#')));
        }
    }
}

#[test]
fn no_output_holds_an_auth_code() {
    let folders = input_folders();
    let mut codes = Vec::new();
    for folder in &folders {
        codes_in(folder, &mut codes);
    }
    codes.retain(|c| c.len() > 8);
    assert!(
        codes.len() >= 20,
        "the fixtures hold codes to look for ({})",
        codes.len()
    );
    let mut outputs = 0;
    for folder in &folders {
        let folder = folder.to_string_lossy();
        for format in FORMATS {
            let output = run(&["audit", &folder, "--as-of", AS_OF, "--format", format]);
            assert!(
                matches!(output.status.code(), Some(0..=2)),
                "{folder}: no crash"
            );
            let all = [output.stdout, output.stderr].concat();
            let all = String::from_utf8_lossy(&all);
            for code in &codes {
                assert!(
                    !all.contains(code.as_str()),
                    "{code} in the {format} output of {folder}"
                );
            }
            outputs += 1;
        }
    }
    assert!(outputs > 100);
}

#[test]
fn no_workbook_cell_holds_an_auth_code() {
    use calamine::Reader;
    let mut codes = Vec::new();
    codes_in(Path::new("samples"), &mut codes);
    let dir = std::env::temp_dir().join(format!("sparkcheck-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("samples.xlsx");
    run(&[
        "audit",
        "samples",
        "--as-of",
        AS_OF,
        "-o",
        &path.to_string_lossy(),
    ]);
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let mut cells = 0;
    for sheet in workbook.sheet_names() {
        for cell in workbook.worksheet_range(&sheet).unwrap().cells() {
            let text = cell.2.to_string();
            for code in &codes {
                assert!(!text.contains(code.as_str()), "{code} in sheet {sheet}");
            }
            cells += 1;
        }
    }
    assert!(cells > 100);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Codes of unusual shapes: lower case and digits, `_`, `+/=`, 40+ characters.
const ODD_CODES: [&str; 4] = [
    "qz8f3k2m9x7c4v1b6n5h0j2l",
    "Spark_Code_With_Underscores_0042",
    "aGVsbG8+d29ybGQ/Zm9v=YmFyYmF6cXV4==",
    "x1y2z3w4v5u6t7s8r9q0p1o2n3m4l5k6j7i8h9g0f1e2d3",
];

/// A portfolio where each odd code is also pasted where no mask looks: ad and account
/// names, a BC name, a permission list, a link status, a file name.
fn pasted_codes_portfolio(dir: &Path) {
    let [a, b, c, d] = ODD_CODES;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join(format!("ads_{a}.csv")),
        format!(
            "Account ID,Account name,Ad Name,Ad ID,Identity Type,Identity,Post ID\n\
             7100000000000000001,Acme {b},Launch {a} v2,1800000000000000101,Authorized post,@maya.moves,7301000000000000001\n\
             7100000000000000001,Acme {b},Promo,1800000000000000102,Authorized post,@{d},7301000000000000002\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("bc.csv"),
        format!(
            "BC ID,BC Name,TikTok Account,Ad Account ID,Permissions,Status,Valid Until,Ad Account Role\n\
             7000000000000000001,Agency {c},@maya.moves,7100000000000000001,Existing posts; {d},BOUND,,ADMIN\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("codes.csv"),
        format!(
            "Auth Code,Post ID,Creator,Ad Account ID,Status,End Time\n\
             {a},7301000000000000001,@maya.moves,7100000000000000001,AUTHORIZED,2027-01-01\n\
             {b},7301000000000000002,@maya.moves,,NOT_USED,2027-01-01\n\
             {c},7301000000000000003,@maya.moves,7100000000000000001,EXPIRED,2026-01-01\n\
             {d},7301000000000000004,@maya.moves,7100000000000000001,{c},2027-01-01\n"
        ),
    )
    .unwrap();
}

fn assert_no_odd_code(what: &str, text: &str) {
    for code in ODD_CODES {
        assert!(
            !text.to_lowercase().contains(&code.to_lowercase()),
            "{code} in {what}:\n{text}"
        );
        // The code is still findable by its tail, so people can tell which one it was.
    }
}

#[test]
fn a_code_pasted_into_any_other_text_is_masked_in_every_output() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-pasted-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    pasted_codes_portfolio(&dir.join("in"));
    let input = dir.join("in");
    let input = input.to_string_lossy();
    let mut seen_masked = 0;
    for format in FORMATS.iter().chain(&["github", "md"]) {
        let output = run(&["audit", &input, "--as-of", AS_OF, "--format", format]);
        assert_eq!(output.status.code(), Some(1), "{format}: findings");
        let all = String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned();
        assert_no_odd_code(&format!("the {format} report"), &all);
        seen_masked += usize::from(all.contains("****"));
    }
    assert!(seen_masked >= 6, "masked values are shown, not dropped");
    for args in [
        vec!["facts", &*input],
        vec!["expiring", &*input, "--as-of", AS_OF, "--within", "400d"],
        vec![
            "expiring", &*input, "--as-of", AS_OF, "--within", "400d", "--format", "csv",
        ],
    ] {
        let output = run(&args);
        let all = String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{args:?}: {all}"
        );
        assert_no_odd_code(&format!("{args:?}"), &all);
    }
    // A file the walk cannot use: its name holds a code and the error quotes it.
    std::fs::write(
        input.to_string() + "/" + ODD_CODES[1] + ".csv",
        "not,a,known\nheader,at,all\n",
    )
    .unwrap();
    let output = run(&["audit", &input, "--as-of", AS_OF]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        stderr.contains("0042.csv"),
        "the file is still named: {stderr}"
    );
    assert_no_odd_code("the error naming a file", &stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plugin_that_prints_a_code_on_stderr_has_it_masked() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-pluginleak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    pasted_codes_portfolio(&dir.join("in"));
    std::fs::write(dir.join("in/roster.roster"), "x\n").unwrap();
    let config = dir.join("sparkcheck.toml");
    std::fs::write(
        &config,
        format!(
            "[[importer]]\nname = \"leaky\"\nfiles = \"*.roster\"\n\
             command = [\"sh\", \"-c\", \"echo 'failed for {}' >&2; exit 3\"]\n",
            ODD_CODES[0]
        ),
    )
    .unwrap();
    let output = run(&[
        "audit",
        &dir.join("in").to_string_lossy(),
        "--config",
        &config.to_string_lossy(),
        "--as-of",
        AS_OF,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("failed for"),
        "the plugin's words are quoted: {stderr}"
    );
    assert_no_odd_code("the plugin's stderr", &stderr);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Found by an outside review: a code with non-ASCII letters in another case (a handle is
/// lower-cased by Unicode's rules), a code starting with `@` shown as a handle, and the
/// code of an API record that is rejected were each printed whole.
#[test]
fn codes_in_unicode_case_as_handles_and_in_rejected_api_records_are_masked() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-oddcase-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("codes.csv"),
        "Auth Code,Post ID,TikTok Account,Ad Account ID,Status\n\
         ÄbcDéfgh12345678,7301000000000000201,@u1,7100000000000000001,AUTHORIZED\n\
         @mayacode12345678,7301000000000000202,@u1,7100000000000000001,AUTHORIZED\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ads.csv"),
        "Account ID,Ad ID,Identity Type,Identity,Post ID,Ad Name\n\
         7100000000000000001,1800000000000000200,Authorized post,ÄbcDéfgh12345678,7301000000000000200,name äbcdéfgh12345678x\n\
         7100000000000000001,1800000000000000202,Authorized post,@x,7301000000000000200,name ÄBCDÉFGH12345678x\n\
         7100000000000000001,1800000000000000203,Authorized post,@@mayacode12345678,7301000000000000203,UP\n\
         7100000000000000001,1800000000000000209,Authorized post,@x,7301000000000000203,name ApiCodeZz9876543210x\n",
    )
    .unwrap();
    // No ad account in the record and none in the file name: rejected, its code kept secret.
    std::fs::write(
        dir.join("tt_video_list.json"),
        r#"{"code":0,"message":"OK","data":{"list":[{"item_info":{"auth_code":"ApiCodeZz9876543210","item_id":"7301000000000000205","item_type":"VIDEO","status":"HESITATE_RECOMMEND"},"user_info":{"tiktok_name":"apiuser","identity_type":"AUTH_CODE"},"auth_info":{"ad_auth_status":"AUTHORIZED","auth_end_time":"2026-11-25 00:00:00"}}]}}"#,
    )
    .unwrap();
    let input = dir.to_string_lossy().into_owned();
    for format in FORMATS.iter().chain(&["github"]) {
        let output = run(&["audit", &input, "--as-of", AS_OF, "--format", format]);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{format}: {output:?}"
        );
        let all = String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).to_lowercase();
        for leaked in ["bcdéfgh1234", "mayacode1234", "apicodezz98765"] {
            assert!(
                !all.contains(leaked),
                "{leaked} in the {format} output:\n{all}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Found by an outside review: a code in a codes row with the wrong number of fields (the
/// row is rejected before it becomes a fact) was printed whole where an ad name quoted it.
#[test]
fn a_code_in_a_row_rejected_for_its_field_count_is_still_masked() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-shortrow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let code = "#SpkZZZZyyyyXXXXwwwwVVVV02";
    std::fs::write(
        dir.join("codes.csv"),
        format!(
            "auth_code,item_id,tiktok_name,advertiser_id,ad_auth_status,auth_start_time,auth_end_time\n\
             {code},\"multi\nline\",x\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("ads.csv"),
        format!(
            "Account ID,Account name,Ad Name,Ad ID,Identity Type,Identity,Post ID\n\
             7100000000000000001,Acme,Ad with {code} inside,1800000000000000101,Authorized post,@maya.moves,7301000000000000001\n"
        ),
    )
    .unwrap();
    let input = dir.to_string_lossy();
    for format in FORMATS {
        let output = run(&["audit", &input, "--as-of", AS_OF, "--format", format]);
        let all = String::from_utf8_lossy(&[output.stdout, output.stderr].concat()).into_owned();
        assert_eq!(output.status.code(), Some(1), "{format}: {all}");
        assert!(
            !all.contains(&code[1..]),
            "the code in the {format} report:\n{all}"
        );
        if format == "json" {
            assert!(
                all.contains("****VV02 inside\\\""),
                "masked, its tail shown: {all}"
            );
            assert!(
                all.contains("expected 7 fields"),
                "the row is rejected: {all}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Two ad accounts whose IDs are also codes are masked alike (`********`): the report
/// shows them as one account whose counts are the sum of both, never a count that
/// underflows (found by an outside differential test: a summary keyed by symbol, then by
/// text, kept one account's pairs and lost the other's).
#[test]
fn ad_accounts_masked_alike_add_up_as_one() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("ads.csv"),
        "Account ID,Account Name,Ad ID,Identity Type,Identity,Post ID\n\
         11111111,First Co,1,Authorized post,@maya,7302\n\
         22222222,Second Co,2,Authorized post,@maya,7301\n",
    )
    .unwrap();
    std::fs::write(
        folder.path().join("codes.csv"),
        "Auth Code,Post ID,TikTok Account,Ad Account ID,Status\n\
         11111111,7302,@maya,,NOT_USED\n\
         22222222,7301,@maya,,NOT_USED\n",
    )
    .unwrap();
    let path = folder.path().to_str().unwrap();
    let (_, report, _) = crate::util::audit_json(&[path]);
    let accounts = report["summary"]["by_account"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    let account = &accounts[0];
    assert_eq!(account["advertiser_id"], "********");
    assert_eq!(account["account_name"], "First Co");
    assert_eq!(account["pairs"], 2);
    assert_eq!(account["broken"], 2);
    assert_eq!(account["previewable"], 0);
    let output = run(&["audit", path, "--as-of", AS_OF, "--format", "junit"]);
    let junit = String::from_utf8(output.stdout).unwrap();
    let suite = r#"<testsuite name="ad account ********" tests="2" failures="2""#;
    assert_eq!(junit.matches(suite).count(), 1, "{junit}");
}
