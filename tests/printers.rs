//! The reports in the programs people open them with (issue 15): Jenkins' xunit schema
//! through `xmllint`, GitHub's Markdown through `cmark-gfm`, GitHub Actions' workflow
//! commands, spreadsheets, and the terminal. A missing program skips its check with the
//! reason printed (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{audit_json, run, AS_OF};

const HOSTILE: &str = "tests/fixtures/hostile";
const SCHEMA: &str = "tests/fixtures/junit-10.xsd";

/// `sparkcheck audit PATHS --as-of AS_OF --format FORMAT` on stdout; findings expected.
fn render(paths: &[&str], format: &str) -> String {
    let mut args = vec!["audit"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--as-of", AS_OF, "--format", format]);
    let output = run(&args);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{format}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sparkcheck-printers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `name` when it runs from `PATH`, or `None` after printing why the test skips.
fn tool(name: &str, package: &str) -> Option<String> {
    let found = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty() || !o.stderr.is_empty());
    if found {
        Some(name.to_string())
    } else {
        let ci = if name == "soffice" {
            "too slow to install in CI; install it to run this check"
        } else {
            ".ci/run installs it"
        };
        eprintln!("skipped: {name} not installed (Debian `{package}`; {ci})");
        None
    }
}

/// An ads export whose values hold characters XML 1.0 forbids, even escaped.
fn control_characters_fixture(test: &str) -> PathBuf {
    let dir = temp_dir(&format!("controls-{test}"));
    let ads = "Account ID,Account Name,Campaign Name,Ad Name,Ad ID,Identity Type,Identity,Post ID\n\
        7500000000000000009,\"Bell\u{7}Client\u{1b}[31m\",c1,\"nul\u{1}vt\u{b}ff\u{c}\u{fffe}\u{ffff}\",1900000000000000009,Custom Identity,\"id\u{1f}x\",7303000000000000009\n";
    std::fs::write(dir.join("ads.csv"), ads).unwrap();
    dir
}

/// `xmllint --noout --schema junit-10.xsd FILE`: `Ok(())` or the complaint.
fn validate_junit(xmllint: &str, file: &Path) -> Result<(), String> {
    let output = Command::new(xmllint)
        .args(["--noout", "--schema", SCHEMA])
        .arg(file)
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn junit_is_valid_against_jenkins_xunit_schema() {
    let Some(xmllint) = tool("xmllint", "libxml2-utils") else {
        return;
    };
    let controls = control_characters_fixture("schema");
    let dir = temp_dir("junit");
    for (name, paths) in [
        ("samples", vec!["samples"]),
        ("hostile", vec![HOSTILE]),
        ("controls", vec![controls.to_str().unwrap()]),
        ("acme-only", vec!["samples/acme-shoes"]),
    ] {
        let file = dir.join(format!("{name}.xml"));
        std::fs::write(&file, render(&paths, "junit")).unwrap();
        if let Err(complaint) = validate_junit(&xmllint, &file) {
            panic!("{name}: junit-10.xsd rejects the report:\n{complaint}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&controls).unwrap();
}

#[test]
fn junit_replaces_characters_xml_does_not_allow() {
    let controls = control_characters_fixture("chars");
    let xml = render(&[controls.to_str().unwrap()], "junit");
    for c in xml.chars() {
        let allowed = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..);
        assert!(allowed, "{c:?} is not allowed in XML 1.0");
    }
    assert!(xml.contains("Bell\u{FFFD}Client\u{FFFD}[31m"), "{xml}");
    std::fs::remove_dir_all(&controls).unwrap();
}

/// The `(classname, name)` of every `<testcase>`.
fn case_names(xml: &str) -> Vec<(String, String)> {
    xml.lines()
        .filter_map(|line| line.trim_start().strip_prefix("<testcase "))
        .map(|rest| {
            let rest = format!(" {rest}");
            let attr = |key: &str| {
                let start = rest.find(&format!(" {key}=\"")).unwrap() + key.len() + 3;
                rest[start..start + rest[start..].find('"').unwrap()].to_string()
            };
            (attr("classname"), attr("name"))
        })
        .collect()
}

#[test]
fn junit_cases_are_named_by_ad_account_and_post_only() {
    let xml = render(&["samples"], "junit");
    let (_, report, _) = audit_json(&["samples"]);
    let names = case_names(&xml);
    let posts: Vec<&(String, String)> = names
        .iter()
        .filter(|(class, _)| class != "inputs" && class != "coverage")
        .collect();
    assert_eq!(
        posts.len(),
        report["summary"]["pairs_audited"].as_u64().unwrap() as usize
    );
    for (class, name) in &posts {
        assert!(
            class.len() == 19 && class.bytes().all(|b| b.is_ascii_digit()),
            "classname is the ad account: {class}"
        );
        let post = name.strip_prefix("post ").expect("named `post ID`");
        assert!(post.bytes().all(|b| b.is_ascii_digit()), "{name}");
    }
    assert!(!xml.contains("name=\"post 7301000000000000001 by"));
    // A post with two error causes fails once, its type listing both.
    assert!(
        xml.contains(
            r#"<failure type="CODE_NOT_APPLIED, NO_AD_DELIVERY" message="CODE_NOT_APPLIED: "#
        ),
        "{xml}"
    );
    assert_eq!(
        xml.matches("<failure ").count(),
        report["summary"]["pairs_broken"].as_u64().unwrap() as usize
            + report["rejected"].as_array().unwrap().len()
    );
    for suite in xml.lines().filter(|l| l.contains("<testsuite ")) {
        for required in ["name=", "tests=", "failures=", "errors="] {
            assert!(suite.contains(required), "{required} missing: {suite}");
        }
    }
}

#[test]
fn junit_shows_missing_evidence_as_skipped_and_rejected_rows_as_failures() {
    // Only the ads export: most checks cannot run.
    let xml = render(&["samples/acme-shoes"], "junit");
    let (_, report, _) = audit_json(&["samples/acme-shoes"]);
    let not_checked: Vec<(&String, &str)> = report["coverage"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(cause, c)| Some((cause, c.as_str()?.strip_prefix("not checked: ")?)))
        .collect();
    assert!(not_checked.len() > 10);
    for (cause, why) in &not_checked {
        let case = format!(
            "<testcase classname=\"coverage\" name=\"{cause}\">\n      <skipped message=\"not checked: {why}\"/>"
        );
        assert!(xml.contains(&case), "{case} missing");
    }
    assert!(xml.contains(&format!(
        r#"<testsuite name="coverage" tests="16" failures="0" errors="0" skipped="{}">"#,
        not_checked.len()
    )));
    // A post some checks could not run for says so, beside its failure.
    let xml = render(&[HOSTILE], "junit");
    assert!(xml.contains(
        "<system-out>not checked: HANDLE_NOT_IN_BC, HANDLE_NOT_SHARED, NO_AD_DELIVERY, SHARE_INACTIVE, ANALYST_ONLY, NOT_LINKED: no code and no TikTok-account identity names the post's creator</system-out>"
    ));
    // The samples hold one rejected row: a failure in the `inputs` suite.
    let xml = render(&["samples"], "junit");
    assert!(xml.contains(r#"<testsuite name="inputs" tests="11" failures="1" errors="0""#));
    assert!(xml.contains(
        r#"<testcase classname="inputs" name="samples/lumen-skincare/ads.tsv line 6">
      <failure type="REJECTED_ROW" message="column 8 (`TikTok Post ID`): expected an ID"#
    ));
}

/// One workflow command: (command, properties, message).
fn workflow_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (command, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (key, value) = p.split_once('=').expect("key=value");
            (key.to_string(), value.to_string())
        })
        .collect();
    (command.to_string(), properties, message.to_string())
}

#[test]
fn github_annotates_each_finding_on_its_evidence_row() {
    let (_, report, _) = audit_json(&["samples"]);
    let text = render(&["samples"], "github");
    let lines: Vec<&str> = text.lines().collect();
    let (commands, summary) = lines.split_at(lines.len() - 1);
    assert_eq!(
        summary[0],
        "sparkcheck: 14 of 18 posts broken; 20 findings (18 errors, 2 warnings); 1 rejected row"
    );
    let parsed: Vec<_> = commands.iter().map(|l| workflow_command(l)).collect();
    let count = |name: &str| parsed.iter().filter(|(c, _, _)| c == name).count();
    let summary = &report["summary"];
    let rejected = report["rejected"].as_array().unwrap().len();
    assert_eq!(
        count("error"),
        summary["errors"].as_u64().unwrap() as usize + rejected
    );
    assert_eq!(
        count("warning"),
        summary["warnings"].as_u64().unwrap() as usize
    );
    for (command, properties, message) in &parsed {
        let keys: Vec<&str> = properties.iter().map(|(k, _)| k.as_str()).collect();
        assert!(
            keys.iter().all(|k| ["file", "line", "title"].contains(k)),
            "{command} {keys:?}"
        );
        assert!(!message.contains('\n') && !message.contains('\r'));
        if let Some((_, file)) = properties.iter().find(|(k, _)| k == "file") {
            let content = std::fs::read_to_string(file).expect("file= names an input file");
            if let Some((_, line)) = properties.iter().find(|(k, _)| k == "line") {
                let line: usize = line.parse().unwrap();
                assert!(
                    line >= 2 && line <= content.lines().count(),
                    "{file}:{line}"
                );
            }
        }
    }
    assert!(text.contains(
        "::error file=samples/codes/spark_ads_posts.csv,line=3,title=CODE_EXPIRED::CODE_EXPIRED (error · Creator): A preview that worked before is gone.%0Aad account 7100000000000000001 (Acme Shoes US), post 7301000000000000002 by @runclub.lee%0Afix:%0A1. "
    ));
    assert!(text.contains(
        "::warning file=samples/codes/spark_ads_posts.csv,line=5,title=CODE_EXPIRING_SOON::"
    ));
    assert!(
        text.contains("::error file=samples/lumen-skincare/ads.tsv,line=6,title=rejected row::")
    );
    // A saved API response's "lines" are record numbers: the annotation names the file only.
    assert!(text.contains(
        "::error file=samples/api/identity_get_7300000000000000001.json,title=IDENTITY_UNAVAILABLE::"
    ));
}

#[test]
fn github_commands_escape_input_text() {
    let text = render(&[HOSTILE], "github");
    for line in text.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice ")
                || line.starts_with("sparkcheck: "),
            "an input value started a line of its own: {line:?}"
        );
    }
    assert!(
        text.contains("pipe | in name%0Aand a line break"),
        "line breaks percent-encoded"
    );
    // Only the ads and bc exports: the checks that need codes or links are notices.
    let (_, report, _) = audit_json(&[HOSTILE]);
    let not_checked = report["coverage"]
        .as_object()
        .unwrap()
        .values()
        .filter(|c| c.as_str().unwrap().starts_with("not checked: "))
        .count();
    assert!(not_checked > 0);
    let unchecked = report["unchecked"].as_array().unwrap().len();
    assert_eq!(
        text.matches("::notice title=").count(),
        not_checked + unchecked
    );
    assert!(text.contains("::notice title=post 7303000000000000001 not checked in full::"));
    assert!(text.contains("::notice title=CODE_EXPIRED not checked::CODE_EXPIRED was not checked: no codes input given"));
}

#[test]
fn format_md_is_markdown() {
    assert_eq!(render(&["samples"], "md"), render(&["samples"], "markdown"));
}

/// `cmark-gfm -e table -e autolink` on `markdown`: the HTML GitHub would render.
fn cmark_gfm(cmark: &str, markdown: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(cmark)
        .args(["-e", "table", "-e", "autolink"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(markdown.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

/// The text of `html` outside `<code>` elements, tags dropped.
fn text_outside_code(html: &str) -> String {
    let mut text = String::new();
    for (i, part) in html.split("<code>").enumerate() {
        let part = if i == 0 {
            part
        } else {
            part.split_once("</code>").map_or("", |(_, rest)| rest)
        };
        let mut in_tag = false;
        for c in part.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
    }
    text
}

/// Every table keeps one cell per header cell in each row.
fn assert_tables_intact(name: &str, html: &str) -> usize {
    let mut tables = 0;
    for table in html.split("<table>").skip(1) {
        let table = table.split("</table>").next().unwrap();
        let rows: Vec<&str> = table.split("<tr>").skip(1).collect();
        let header = rows[0].matches("<th").count();
        assert!(header >= 2, "{name}: a table header");
        for row in &rows[1..] {
            assert_eq!(row.matches("<td").count(), header, "{name}: {row}");
        }
        tables += 1;
    }
    tables
}

/// A day-1 JSON report of the workflows fixture, as a baseline.
fn baseline() -> PathBuf {
    let path = temp_dir("baseline").join("day1.json");
    let output = run(&[
        "audit",
        "tests/fixtures/workflows/day1",
        "--as-of",
        AS_OF,
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    path
}

#[test]
fn markdown_renders_on_github_without_links_mentions_or_stray_escapes() {
    let Some(cmark) = tool("cmark-gfm", "cmark-gfm") else {
        return;
    };
    let baseline = baseline();
    let with_baseline = {
        let output = run(&[
            "audit",
            "tests/fixtures/workflows/day2",
            "--as-of",
            "2026-11-21",
            "--format",
            "markdown",
            "--baseline",
            baseline.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(1));
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(
        with_baseline.contains("- resolved "),
        "resolved findings listed"
    );
    for (name, markdown) in [
        ("samples", render(&["samples"], "markdown")),
        ("hostile", render(&[HOSTILE], "markdown")),
        ("baseline", with_baseline),
    ] {
        let html = cmark_gfm(&cmark, &markdown);
        assert!(!html.contains("<a "), "{name}: a link:\n{html}");
        assert!(!html.contains('\\'), "{name}: a visible backslash:\n{html}");
        assert!(!html.contains('`'), "{name}: a stray backtick:\n{html}");
        for raw in ["<img", "<script"] {
            assert!(!html.contains(raw), "{name}: {raw}");
        }
        let text = text_outside_code(&html);
        let chars: Vec<char> = text.chars().collect();
        for (i, pair) in chars.windows(2).enumerate() {
            assert!(
                !(pair[0] == '@' && pair[1].is_ascii_alphanumeric()),
                "{name}: an @mention: {}",
                chars[i.saturating_sub(20)..(i + 20).min(chars.len())]
                    .iter()
                    .collect::<String>()
            );
        }
        assert!(assert_tables_intact(name, &html) >= 3, "{name}: tables");
    }
    // Handles read as handles: code spans in the tables, shown verbatim.
    let html = cmark_gfm(&cmark, &render(&["samples"], "markdown"));
    assert!(html.contains("<td><code>@maya.moves</code></td>"));
    assert!(html.contains("<td><code>CODE_EXPIRED</code></td>"));
    std::fs::remove_dir_all(baseline.parent().unwrap()).unwrap();
}

#[test]
fn markdown_summary_comes_first_with_what_was_not_checked() {
    let md = render(&["samples/acme-shoes"], "markdown");
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[2], "config: none");
    assert_eq!(
        lines[4],
        "**1 finding** (1 error, 0 warnings): 8 of 9 posts previewable, 1 broken."
    );
    assert!(lines[6].starts_with("**Not checked:** `ANALYST_ONLY` (no bc input given), "));
    let md = render(&[HOSTILE], "markdown");
    let unchecked = md.find("**3 posts** could not be checked in full").unwrap();
    assert!(unchecked < md.find("| client |").unwrap());
    assert!(md.contains("<details><summary>3 posts not checked in full</summary>"));
    let md = render(&["samples"], "markdown");
    let rejected = md.find("**1 rejected row** could not be used").unwrap();
    assert!(rejected < md.find("| client |").unwrap());
}

/// The CSV report's records, the BOM dropped.
fn csv_records(text: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let records = reader.records().map(Result::unwrap).collect();
    (headers, records)
}

/// The handles of the JSON report's findings without their `@`, in report order.
fn handles_without_at(paths: &[&str]) -> Vec<String> {
    let (_, report, _) = audit_json(paths);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["handle"].as_str().unwrap_or("").replace('@', ""))
        .collect()
}

#[test]
fn csv_handles_read_as_handles_and_other_at_values_stay_guarded() {
    let (headers, records) = csv_records(&render(&["samples"], "csv"));
    assert_eq!(&headers[3], "handle (without @)");
    let handles: Vec<String> = records.iter().map(|r| r[3].to_string()).collect();
    assert_eq!(handles, handles_without_at(&["samples"]));
    assert!(handles.contains(&"maya.moves".to_string()));
    assert!(handles.iter().all(|h| !h.starts_with(['\'', '@'])));
    // An account name starting with `@` is a formula to Excel: still guarded.
    let dir = temp_dir("at-values");
    std::fs::write(
        dir.join("ads.csv"),
        "Account ID,Account Name,Campaign Name,Ad Name,Ad ID,Identity Type,Identity,Post ID\n\
         7500000000000000007,@SUM(1+1),c1,-1+2,1900000000000000007,Custom Identity,Brand,7303000000000000007\n",
    )
    .unwrap();
    let (_, records) = csv_records(&render(&[dir.to_str().unwrap()], "csv"));
    assert!(!records.is_empty());
    for record in &records {
        assert_eq!(&record[1], "'@SUM(1+1)");
        assert!(record
            .iter()
            .all(|cell| !cell.starts_with(['@', '=', '+', '-'])));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_opens_in_libreoffice_with_handles_text_and_no_formulas() {
    use calamine::{Data, Reader, Xlsx};
    let Some(soffice) = tool("soffice", "libreoffice-calc") else {
        return;
    };
    let dir = temp_dir("libreoffice");
    let csv_path = dir.join("findings.csv");
    let csv_text = render(&[HOSTILE, "samples"], "csv");
    std::fs::write(&csv_path, &csv_text).unwrap();
    // The README's recipe: comma, double quote, UTF-8, the ID columns (1, 3, 5) as text.
    let output = Command::new(&soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args([
            "--headless",
            "--convert-to",
            "xlsx",
            "--infilter=CSV:44,34,76,1,1/2/3/2/5/2",
            "--outdir",
        ])
        .arg(&dir)
        .arg(&csv_path)
        .output()
        .unwrap();
    let xlsx = dir.join("findings.xlsx");
    assert!(
        xlsx.exists(),
        "soffice converted nothing: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut workbook: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][3], "handle (without @)");
    let (_, records) = csv_records(&csv_text);
    assert_eq!(rows.len(), records.len() + 1, "one row per finding");
    let handles: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(handles, handles_without_at(&[HOSTILE, "samples"]));
    for (row, record) in range.rows().skip(1).zip(&records) {
        for column in [0, 2] {
            match &row[column] {
                Data::String(id) => assert_eq!(id, &record[column]),
                other => panic!("an ID read as {other:?}"),
            }
        }
    }
    let cells: Vec<&String> = rows.iter().flatten().collect();
    assert!(cells.iter().any(|c| c.starts_with("'=HYPERLINK(")));
    assert!(cells.iter().any(|c| *c == "'-2+3 Evil Client"));
    let formulas = workbook.worksheet_formula(&sheet).unwrap();
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "no formula");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn text_report_starts_with_the_summary_in_correct_numbers() {
    let text = render(&["samples/acme-shoes"], "text");
    let details = text.find("\nad account ").expect("details");
    let summary = &text[..details];
    assert!(
        summary.contains("\n1 finding (1 error, 0 warnings); 8 of 9 posts previewable, 1 broken\n")
    );
    assert!(summary.contains("\nby cause: CUSTOM_IDENTITY 1\n"));
    assert!(summary.contains("\nby owner: Media Buyer 1\n"));
    assert!(summary.contains(
        "\nread 1 file: 12 rows, 0 rejected rows; 11 Spark ads, 1 other ad not audited\n"
    ));
    let (_, report, _) = audit_json(&["samples/acme-shoes"]);
    let coverage = report["coverage"].as_object().unwrap();
    let mut not_run = 0;
    for (cause, c) in coverage {
        if let Some(why) = c.as_str().unwrap().strip_prefix("not checked: ") {
            assert!(summary.contains(&format!("  not checked: {cause} ({why})\n")));
            not_run += 1;
        }
    }
    assert!(summary.contains(&format!(
        "\nchecks: {not_run} of {} not run\n",
        coverage.len()
    )));
    for wrong in [
        "1 findings",
        "1 errors",
        "1 posts",
        "1 files",
        "1 rejected rows",
        "1 other ads",
    ] {
        assert!(!text.contains(wrong), "{wrong}");
    }
    let text = render(&["samples"], "text");
    let details = text.find("\nad account ").expect("details");
    assert!(text[..details].contains("\nchecks: all 16 run\n"));
    assert!(text[..details].contains("read 10 files: 65 rows, 1 rejected row; "));
    assert!(text[details..].contains("\n1 rejected row:\n  samples/lumen-skincare/ads.tsv:6: "));
}

#[test]
fn github_commands_hold_no_auth_code_whole() {
    let text = render(&["samples"], "github");
    let mut codes = 0;
    for file in [
        "samples/codes/spark_ads_posts.csv",
        "samples/codes/creator_authorizations.csv",
    ] {
        let content = std::fs::read_to_string(file).unwrap();
        for line in content.lines().skip(1) {
            let code = line.split(',').next().unwrap();
            assert!(code.len() > 8);
            assert!(!text.contains(code), "{code} leaked");
            assert!(!text.contains(&code[1..]), "{code} leaked without its #");
            codes += 1;
        }
    }
    assert!(codes > 10);
    assert!(text.contains("code ****02pW for post 7301000000000000002"));
}
