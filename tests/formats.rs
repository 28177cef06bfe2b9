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

#[test]
fn html_and_junit_keep_input_as_text() {
    let html = render(HOSTILE, "html");
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
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

#[test]
fn html_loads_in_headless_chromium_without_script_errors() {
    let Some(chromium) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!("skipped: no chromium on this machine (.ci/run installs Debian's chromium)");
        return;
    };
    let dir = temp_dir("chromium");
    for (name, input) in [("samples.html", "samples"), ("hostile.html", HOSTILE)] {
        let page = dir.join(name);
        std::fs::write(&page, render(input, "html")).unwrap();
        let profile = dir.join(format!("profile-{name}"));
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
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&output.stdout);
        assert!(
            dom.contains(r#"data-ready="1""#),
            "{name}: the page script ran to the end"
        );
        assert!(
            !dom.contains("<img"),
            "{name}: no element came from input text"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
