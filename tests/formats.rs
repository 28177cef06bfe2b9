//! Every report format (issue 4): a snapshot of each on the samples, and the hostile
//! fixture shown to be neutralised in each: cells are data, pages are text.

use std::path::PathBuf;

use calamine::{Reader, Xlsx};

use crate::util::{run, AS_OF};

const HOSTILE: &str = "tests/fixtures/hostile";

/// `sparkcheck audit PATH --format FORMAT` on stdout.
fn render(path: &str, format: &str) -> String {
    let output = run(&["audit", path, "--as-of", AS_OF, "--format", format]);
    assert_eq!(output.status.code(), Some(1), "{format}");
    String::from_utf8(output.stdout).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sparkcheck-formats-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn samples_in_every_text_format() {
    for format in ["csv", "markdown", "html", "junit"] {
        insta::assert_snapshot!(format!("samples_{format}"), render("samples", format));
    }
}

#[test]
fn several_outputs_in_one_run_by_extension() {
    let dir = temp_dir("many");
    let names = [
        "r.json", "r.csv", "r.xlsx", "r.md", "r.html", "r.xml", "r.txt",
    ];
    let mut args = vec!["audit", "samples", "--as-of", AS_OF];
    let paths: Vec<String> = names
        .iter()
        .map(|n| dir.join(n).to_string_lossy().into_owned())
        .collect();
    for path in &paths {
        args.extend(["-o", path.as_str()]);
    }
    let output = run(&args);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    assert_eq!(read("r.json"), render("samples", "json").into_bytes());
    assert_eq!(read("r.csv"), render("samples", "csv").into_bytes());
    assert_eq!(read("r.md"), render("samples", "markdown").into_bytes());
    assert_eq!(read("r.txt"), render("samples", "text").into_bytes());
    assert!(read("r.xml").starts_with(b"<?xml"));
    assert!(read("r.xlsx").starts_with(b"PK"));
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, names.len(), "no temporary file left behind");
    let bad = run(&["audit", "samples", "-o", "report.pdf"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot tell the format of `report.pdf`"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn csv_cells_cannot_run_as_formulas() {
    let csv_text = render(HOSTILE, "csv");
    assert!(csv_text.starts_with('\u{feff}'), "UTF-8 BOM for Excel");
    let mut reader = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "advertiser_id");
    let mut cells = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(record.len(), headers.len());
        for cell in &record {
            let first = cell.trim_start_matches(' ').chars().next();
            assert!(
                !matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')),
                "{cell:?}"
            );
            cells += 1;
        }
    }
    assert!(cells > 20);
    assert!(
        csv_text.contains("'-2+3 Evil Client"),
        "account name neutralised"
    );
    assert!(
        csv_text.contains("\"'=HYPERLINK("),
        "a formula as account name neutralised"
    );
    // IDs are digits (issue 14): a formula or command as an ID is a rejected row, so it
    // reaches no finding.
    assert!(!csv_text.contains("+cmd|"), "a hostile ad ID is rejected");
}

#[test]
fn markdown_cannot_break_tables_or_inject_html() {
    let md = render(HOSTILE, "markdown");
    for raw in ["<img", "<script", "</script>"] {
        assert!(!md.contains(raw), "{raw} in Markdown");
    }
    for line in md.lines().filter(|l| l.starts_with("| 7303")) {
        let unescaped_pipes = line
            .match_indices('|')
            .filter(|(i, _)| !line[..*i].ends_with('\\'))
            .count();
        assert_eq!(unescaped_pipes, 8, "a row keeps its 7 cells: {line}");
    }
}

/// A post with an error, a warning and checks that could not run fails with the error's
/// text, and has the warning and the checks in its output; with warnings only it is
/// skipped for the checks. Names with markup stay text.
#[test]
fn junit_keeps_every_part_of_a_post_whose_checks_could_not_run() {
    for name in ["warning", "all-warnings"] {
        let config = format!("tests/fixtures/unchecked/{name}.toml");
        let output = run(&[
            "audit",
            "tests/fixtures/unchecked",
            "--as-of",
            AS_OF,
            "--config",
            &config,
            "--format",
            "junit",
        ]);
        let xml = String::from_utf8(output.stdout).unwrap();
        let suite = &xml[xml
            .find("<testsuite name=\"ad account")
            .expect("a suite per account")..];
        insta::assert_snapshot!(format!("junit_unchecked_{name}"), suite);
    }
}

#[test]
fn html_and_junit_keep_input_as_text() {
    let html = render(HOSTILE, "html");
    assert_only_the_pages_scripts(&html);
    assert!(!html.contains("<img"));
    // Findings are data: their texts are JSON strings, with every `<`, `>` and `&` escaped.
    let block = data_block(&html);
    assert!(!block.contains(['<', '>', '&']), "{block}");
    assert!(block.contains(r"\u003cimg src=x onerror=alert(1)\u003e"));
    assert!(block.contains(r"\u003cscript\u003ealert(2)\u003c/script\u003e"));
    let strings = page_data(&html)["strings"].to_string();
    assert!(strings.contains("<img src=x onerror=alert(1)>"));
    assert!(
        html.contains("default-src 'none'"),
        "no network: the policy forbids it"
    );
    let xml = render(HOSTILE, "junit");
    assert!(!xml.contains("<img") && !xml.contains("<script"));
    assert!(xml.contains("&lt;script&gt;alert(3)&lt;/script&gt;"));
}

#[test]
fn xlsx_has_text_ids_a_frozen_filtered_header_and_role_worklists() {
    let dir = temp_dir("xlsx");
    let path = dir.join("report.xlsx");
    let output = run(&[
        "audit",
        HOSTILE,
        "samples",
        "--as-of",
        AS_OF,
        "-o",
        &path.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let mut workbook: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Summary",
            "Findings",
            "Org Admin",
            "Creator",
            "Advertiser",
            "Media Buyer",
            "Rejected rows"
        ]
    );
    let findings = workbook.worksheet_range("Findings").unwrap();
    let header: Vec<String> = findings
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "advertiser_id");
    let mut long_ids = 0;
    for row in findings.rows().skip(1) {
        for id in [&row[0], &row[2]] {
            let calamine::Data::String(id) = id else {
                panic!("an ID cell is not text: {id:?}");
            };
            long_ids += usize::from(id.len() == 19 && id.bytes().all(|b| b.is_ascii_digit()));
        }
    }
    assert!(long_ids > 20, "19-digit IDs keep every digit");
    let hostile = findings
        .rows()
        .flat_map(|r| r.iter())
        .any(|c| c.to_string().starts_with("=HYPERLINK"));
    assert!(hostile, "the hostile name is kept as text");
    for sheet in workbook.sheet_names() {
        let formulas = workbook.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.cells().all(|(_, _, f)| f.is_empty()),
            "no formula in {sheet}"
        );
    }
    let org_admin = workbook.worksheet_range("Org Admin").unwrap();
    // Worklists carry the key columns, the fix and the row on Findings, not every cell.
    let role_column = org_admin
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| *c == "owner_role")
        .expect("an owner_role column");
    assert!(
        org_admin.rows().count() > 1,
        "the Org Admin worklist has rows"
    );
    assert!(org_admin
        .rows()
        .skip(1)
        .all(|r| r[role_column] == "Org Admin"));
    // The frozen pane and the autofilter live in the sheet's XML.
    let sheet_xml = unzip_entry(&path, "xl/worksheets/sheet2.xml");
    assert!(sheet_xml.contains(r#"state="frozen""#), "frozen header");
    assert!(sheet_xml.contains("<autoFilter"), "autofilter");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// One file of a zip archive as text, through calamine's own zip reader.
pub fn unzip_entry(path: &std::path::Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}

/// The page's one script, and its findings as a JSON block (which no browser runs).
fn assert_only_the_pages_scripts(page: &str) {
    assert_eq!(page.matches("<script").count(), 2, "only the page's own");
    assert_eq!(page.matches("<script>").count(), 1);
    assert_eq!(
        page.matches(r#"<script type="application/json" id="findings-data">"#)
            .count(),
        1
    );
}

/// The text of the page's findings block.
fn data_block(page: &str) -> &str {
    let open = r#"<script type="application/json" id="findings-data">"#;
    let start = page.find(open).expect("a findings block") + open.len();
    &page[start..start + page[start..].find("</script>").unwrap()]
}

/// The page's findings block, parsed.
fn page_data(page: &str) -> serde_json::Value {
    serde_json::from_str(data_block(page)).expect("the findings block is JSON")
}

/// Debian's chromium, when installed.
fn chromium() -> Option<&'static str> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    if found.is_none() {
        eprintln!("skipped: no chromium on this machine (.ci/run installs Debian's chromium)");
    }
    found
}

/// The DOM of `page` once its script ran, opened at `#fragment` in headless chromium.
fn chromium_dom(
    chromium: &str,
    dir: &std::path::Path,
    page: &std::path::Path,
    fragment: &str,
) -> String {
    let profile = dir.join(format!("profile-{}", std::process::id()));
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}#{fragment}", page.display()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn html_loads_in_headless_chromium_without_script_errors() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = temp_dir("chromium");
    for (name, input) in [("samples.html", "samples"), ("hostile.html", HOSTILE)] {
        let page = dir.join(name);
        std::fs::write(&page, render(input, "html")).unwrap();
        let dom = chromium_dom(chromium, &dir, &page, "");
        assert!(
            dom.contains(r#"data-ready="1""#),
            "{name}: the page script ran to the end"
        );
        assert!(
            !dom.contains("<img"),
            "{name}: no element came from input text"
        );
        assert_only_the_pages_scripts(&dom);
    }
    let dom = chromium_dom(chromium, &dir, &dir.join("hostile.html"), "");
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the hostile ad's row is drawn, as text"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The element `<svg id="ID"` … `</svg>` of a page.
fn svg<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<svg id=\"{id}\""))
        .unwrap_or_else(|| panic!("a chart `{id}`"));
    let end = start + page[start..].find("</svg>").unwrap();
    &page[start..end]
}

/// Each bar of a chart: (its key, its value).
fn bars(chart: &str) -> Vec<(String, u64)> {
    chart
        .split("<g data-key=\"")
        .skip(1)
        .map(|g| {
            let key = g[..g.find('"').unwrap()].to_string();
            (key, attribute(g, "data-value").parse().unwrap())
        })
        .collect()
}

/// Each account of the accounts chart: (ad account, previewable, broken, hidden).
fn account_bars(chart: &str) -> Vec<(String, u64, u64, u64)> {
    chart
        .split("<g data-account=\"")
        .skip(1)
        .map(|g| {
            let account = g[..g.find('"').unwrap()].to_string();
            let part = |name: &str| -> u64 {
                let at = g.find(&format!("data-part=\"{name}\"")).unwrap();
                attribute(&g[at..], "data-value").parse().unwrap()
            };
            (account, part("previewable"), part("broken"), part("hidden"))
        })
        .collect()
}

fn attribute<'a>(text: &'a str, name: &str) -> &'a str {
    let at = text.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    &text[at..at + text[at..].find('"').unwrap()]
}

/// Issue 15: the charts follow the filters. Unfiltered, the script draws what the page was
/// written with; filtered (through the `#client=…&owner=…&cause=…` link), each chart counts
/// the rows shown, and no input text becomes an element on the way.
#[test]
fn html_charts_follow_the_filters_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = temp_dir("chromium-filters");
    let html = render("samples", "html");
    let page = dir.join("samples.html");
    std::fs::write(&page, &html).unwrap();
    let (_, report, _) = crate::util::audit_json(&["samples"]);
    let findings = report["findings"].as_array().unwrap();

    let dom = chromium_dom(chromium, &dir, &page, "");
    assert!(dom.contains(r#"data-ready="1""#));
    for id in ["chart-causes", "chart-owners"] {
        assert_eq!(bars(svg(&dom, id)), bars(svg(&html, id)), "{id}");
    }
    assert_eq!(
        account_bars(svg(&dom, "chart-accounts")),
        account_bars(svg(&html, "chart-accounts"))
    );
    let by_cause = bars(svg(&html, "chart-causes"));
    assert_eq!(
        by_cause.len(),
        report["summary"]["by_cause"].as_object().unwrap().len()
    );
    for (cause, n) in &by_cause {
        assert_eq!(report["summary"]["by_cause"][cause], *n);
    }

    // One cause: its bar alone, the owners of its findings, and per account the posts it breaks.
    let dom = chromium_dom(chromium, &dir, &page, "cause=CODE_EXPIRED");
    let expired: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["cause"] == "CODE_EXPIRED")
        .collect();
    assert_eq!(
        bars(svg(&dom, "chart-causes")),
        [("CODE_EXPIRED".to_string(), expired.len() as u64)]
    );
    assert_eq!(
        bars(svg(&dom, "chart-owners")),
        [("Creator".to_string(), expired.len() as u64)]
    );
    let accounts = account_bars(svg(&dom, "chart-accounts"));
    assert_eq!(
        accounts.len(),
        report["summary"]["by_account"].as_array().unwrap().len()
    );
    for (account, summary) in accounts
        .iter()
        .zip(report["summary"]["by_account"].as_array().unwrap())
    {
        let shown = expired
            .iter()
            .filter(|f| f["advertiser_id"] == account.0.as_str())
            .count() as u64;
        assert_eq!(account.1, summary["previewable"].as_u64().unwrap());
        assert_eq!(account.2, shown, "{account:?}");
        assert_eq!(account.2 + account.3, summary["broken"].as_u64().unwrap());
    }
    assert!(dom.contains("(the findings the filters show)"));

    // A client and an owner: only that client's accounts; counts from its rows.
    let dom = chromium_dom(
        chromium,
        &dir,
        &page,
        "client=Acme%20Shoes%20US&owner=Creator",
    );
    let shown: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["account_name"] == "Acme Shoes US" && f["owner_role"] == "Creator")
        .collect();
    let total: u64 = bars(svg(&dom, "chart-causes")).iter().map(|b| b.1).sum();
    assert_eq!(total, shown.len() as u64);
    assert!(dom.contains(&format!("<span id=\"shown\">{}</span>", shown.len())));
    let accounts = account_bars(svg(&dom, "chart-accounts"));
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].0, "7100000000000000001");

    // Hostile values through the link and the filters stay text.
    let hostile = dir.join("hostile.html");
    std::fs::write(&hostile, render(HOSTILE, "html")).unwrap();
    let client = "%3DHYPERLINK(%22http%3A%2F%2Fevil.example%22%2C%22x%22)";
    let dom = chromium_dom(
        chromium,
        &dir,
        &hostile,
        &format!("client={client}&cause=%3Cimg%20src%3Dx%3E"),
    );
    assert!(dom.contains(r#"data-ready="1""#));
    let accounts = account_bars(svg(&dom, "chart-accounts"));
    assert_eq!(accounts.len(), 1, "the hostile client is selected");
    assert_eq!(accounts[0].0, "7500000000000000002");
    assert!(!dom.contains("<img"), "no element came from input text");
    assert_only_the_pages_scripts(&dom);
    assert!(
        dom.contains(r#"<td>=HYPERLINK("http://evil.example","x")<br>"#),
        "the hostile client's rows are drawn, as text"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn html_script_never_writes_markup() {
    let html = render("samples", "html");
    let script = &html[html.find("<script>").unwrap()..];
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
    ] {
        assert!(!script.contains(sink), "the page script uses {sink}");
    }
    assert!(script.contains("textContent"));
}

/// Issue 17: with `--history`, a "broken since" column and the trend of the last runs.
#[test]
fn html_shows_broken_since_and_the_trend_with_a_history() {
    let dir = temp_dir("html-history");
    let db = dir.join("history.db").to_string_lossy().into_owned();
    let page = dir.join("report.html");
    let page_arg = page.to_string_lossy().into_owned();
    for (day, as_of) in [
        ("day1", AS_OF),
        ("day2", "2026-11-21"),
        ("day2", "2026-11-23"),
    ] {
        let folder = format!("tests/fixtures/workflows/{day}");
        let output = run(&[
            "audit",
            &folder,
            "--as-of",
            as_of,
            "--history",
            &db,
            "-o",
            &page_arg,
        ]);
        assert_eq!(output.status.code(), Some(1));
    }
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<th>broken since</th>"));
    // CUSTOM_IDENTITY since day 1, CODE_REVOKED since the first day2 run: each row ends
    // with its "broken since" text and the instant it counts from.
    let data = page_data(&html);
    let text = |i: &serde_json::Value| data["strings"][i.as_u64().unwrap() as usize].clone();
    let since: Vec<(serde_json::Value, serde_json::Value, serde_json::Value)> = data["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (text(&row[4]), row[11].clone(), row[12].clone()))
        .collect();
    assert_eq!(
        since,
        [
            (
                "CUSTOM_IDENTITY".into(),
                "2026-11-20 (3 days)".into(),
                "2026-11-20T00:00:00Z".into()
            ),
            (
                "CODE_REVOKED".into(),
                "2026-11-21 (2 days)".into(),
                "2026-11-21T00:00:00Z".into()
            ),
        ]
    );
    if let Some(chromium) = chromium() {
        let dom = chromium_dom(chromium, &dir, &page, "");
        assert!(dom.contains(
            r#"<td class="since" title="2026-11-20T00:00:00Z">2026-11-20 (3 days)</td>"#
        ));
        assert!(dom.contains(
            r#"<td class="since" title="2026-11-21T00:00:00Z">2026-11-21 (2 days)</td>"#
        ));
    }
    let trend = svg(&html, "chart-trend");
    let points: Vec<(&str, u64)> = trend
        .split("<circle ")
        .skip(1)
        .map(|c| {
            (
                attribute(c, "data-as-of"),
                attribute(c, "data-broken").parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("2026-11-20T00:00:00Z", 2),
            ("2026-11-21T00:00:00Z", 2),
            ("2026-11-23T00:00:00Z", 2)
        ]
    );
    assert!(html.contains("Broken posts over the last 3 runs"));
    // Without a history: neither.
    let plain = render("tests/fixtures/workflows/day2", "html");
    assert!(!plain.contains("broken since") && !plain.contains("chart-trend"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 16: the page holds its findings once, as data, and draws table rows only for
/// those the filters show, 200 at a time, so a portfolio's page opens quickly whatever
/// its size.
#[test]
fn html_draws_only_a_page_of_the_rows_the_filters_show() {
    let dir = temp_dir("html-pages");
    let portfolio = dir.join("portfolio");
    bench::generate::generate(&portfolio, 20_000, 11).expect("the portfolio is written");
    let portfolio = portfolio.to_string_lossy().into_owned();
    let as_of = bench::generate::AS_OF.to_string();
    let page = dir.join("report.html");
    let output = run(&[
        "audit",
        &portfolio,
        "--as-of",
        &as_of,
        "-o",
        &page.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("<tbody></tbody>"),
        "no row is written as markup"
    );
    let data = page_data(&html);
    let rows = data["rows"].as_array().unwrap();
    assert!(rows.len() > 400, "{} findings", rows.len());
    let Some(chromium) = chromium() else {
        return;
    };
    let drawn = |dom: &str| dom.matches("<tr data-client=").count();
    let dom = chromium_dom(chromium, &dir, &page, "");
    assert!(dom.contains(r#"data-ready="1""#));
    assert_eq!(drawn(&dom), 200);
    assert!(dom.contains(&format!("<span id=\"shown\">{}</span>", rows.len())));
    assert!(dom.contains(&format!("listing 200 of {}", rows.len())));
    assert!(dom.contains(r#"<button id="more" type="button">show 200 more</button>"#));
    // A filter draws its own findings, from the first.
    let owner_of =
        |row: &serde_json::Value| data["strings"][row[6].as_u64().unwrap() as usize].clone();
    let advertisers = rows.iter().filter(|r| owner_of(r) == "Advertiser").count();
    assert!((1..200).contains(&advertisers), "{advertisers}");
    let dom = chromium_dom(chromium, &dir, &page, "owner=Advertiser");
    assert_eq!(drawn(&dom), advertisers);
    assert_eq!(
        dom.matches(r#"data-owner="Advertiser""#).count(),
        advertisers
    );
    assert!(dom.contains(r#"<button id="more" type="button" hidden="">"#));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A client named with a line break (CR, CR LF) or with characters outside the BMP is
/// still filtered and labelled as the page was written: the filter's option and the
/// page's data hold the same text, and chart labels are shortened by characters.
#[test]
fn html_filters_and_labels_keep_unusual_client_names() {
    let Some(chromium) = chromium() else {
        return;
    };
    let dir = temp_dir("html-names");
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let emoji = "😀".repeat(20) + " emoji client";
    std::fs::write(
        inputs.join("ads.csv"),
        format!(
            "Account ID,Account Name,Campaign Name,Ad Name,Ad ID,Identity Type,Identity,Post ID\n\
             7500000000000000001,\"CR\rClient\",c1,a,1900000000000000001,Custom Identity,x,7303000000000000001\n\
             7500000000000000002,\"CRLF\r\nClient\",c1,a,1900000000000000002,Custom Identity,x,7303000000000000002\n\
             7500000000000000003,\"{emoji}\",c1,a,1900000000000000003,Custom Identity,x,7303000000000000003\n"
        ),
    )
    .unwrap();
    let page = dir.join("report.html");
    let output = run(&[
        "audit",
        &inputs.to_string_lossy(),
        "--as-of",
        AS_OF,
        "-o",
        &page.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let html = std::fs::read_to_string(&page).unwrap();
    for client in ["CR%0DClient", "CRLF%0D%0AClient"] {
        let dom = chromium_dom(chromium, &dir, &page, &format!("client={client}"));
        assert!(
            dom.contains(r#"<span id="shown">1</span>"#),
            "{client}: one finding shown"
        );
    }
    let dom = chromium_dom(chromium, &dir, &page, "");
    let label = |page: &str| {
        let chart = svg(page, "chart-accounts");
        let at = chart.find("data-account=\"7500000000000000003\"").unwrap();
        let text = &chart[at..];
        let start = text.find("<text").unwrap();
        let start = start + text[start..].find('>').unwrap() + 1;
        text[start..start + text[start..].find('<').unwrap()].to_string()
    };
    assert_eq!(
        label(&dom),
        label(&html),
        "the script shortens as the page did"
    );
    assert_eq!(label(&html), emoji, "33 characters fit a label whole");
    std::fs::remove_dir_all(&dir).unwrap();
}
