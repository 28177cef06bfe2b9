//! The XLSX workbook read back as a spreadsheet program reads it (issue 15): the Summary
//! sheet first, the Rejected rows sheet, ID cells in the Text number format, and values
//! longer than a cell holds cut with a marker instead of failing the run.

use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader, Xlsx};

use crate::util::{audit_json, run, AS_OF};

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("sparkcheck-workbook-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `sparkcheck audit ARGS -o DIR/report.xlsx`: the workbook's path.
fn workbook(dir: &Path, args: &[&str], exit: i32) -> PathBuf {
    let path = dir.join("report.xlsx");
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    let target = path.to_string_lossy().into_owned();
    all.extend(["-o", target.as_str()]);
    let output = run(&all);
    assert_eq!(
        output.status.code(),
        Some(exit),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    path
}

fn sheet(path: &Path, name: &str) -> Range<Data> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    book.worksheet_range(name).unwrap()
}

/// The rows of a sheet as text cells (numbers as their digits).
fn rows(range: &Range<Data>) -> Vec<Vec<String>> {
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// The rows of the Summary section titled `title`, after its header, up to the blank row.
fn section(summary: &[Vec<String>], title: &str, header: bool) -> Vec<Vec<String>> {
    let at = summary
        .iter()
        .position(|r| r[0] == title)
        .unwrap_or_else(|| panic!("a `{title}` section in {summary:?}"));
    summary[at + 1 + usize::from(header)..]
        .iter()
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| {
            let mut r = r.clone();
            while r.last().is_some_and(String::is_empty) {
                r.pop();
            }
            r
        })
        .collect()
}

fn value<'a>(rows: &'a [Vec<String>], label: &str) -> &'a str {
    &rows
        .iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("a `{label}` row in {rows:?}"))[1]
}

#[test]
fn xlsx_summary_comes_first_with_every_count_of_the_report() {
    let dir = temp_dir("summary");
    let inputs = ["samples", "tests/fixtures/hostile"];
    let path = workbook(&dir, &[inputs[0], inputs[1], "--as-of", AS_OF], 1);
    let (_, report, _) = audit_json(&inputs);
    let book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
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
    let summary = rows(&sheet(&path, "Summary"));
    assert_eq!(summary[0][0], "Spark Ads preview audit");
    let s = &report["summary"];
    let totals = section(&summary, "Totals", false);
    for (label, key) in [
        ("posts audited", "pairs_audited"),
        ("previewable", "pairs_previewable"),
        ("broken", "pairs_broken"),
        ("posts not fully checked", "pairs_unchecked"),
        ("findings", "findings"),
        ("errors", "errors"),
        ("warnings", "warnings"),
        ("rows read", "rows"),
        ("rows rejected", "rows_rejected"),
    ] {
        assert_eq!(value(&totals, label), s[key].to_string(), "{label}");
    }
    assert_eq!(value(&summary, "config"), "config: none");
    // Per cause: the code, its catalogue title, the count; most first.
    let causes = section(&summary, "Findings by cause", true);
    assert_eq!(causes.len(), s["by_cause"].as_object().unwrap().len());
    for row in &causes {
        assert_eq!(row[2], s["by_cause"][&row[0]].to_string(), "{row:?}");
    }
    assert!(causes.contains(&vec![
        "CODE_EXPIRED".to_string(),
        "Code expired".to_string(),
        s["by_cause"]["CODE_EXPIRED"].to_string()
    ]));
    let counts: Vec<u64> = causes.iter().map(|r| r[2].parse().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first");
    let owners = section(&summary, "Findings by owner role", true);
    for row in &owners {
        assert_eq!(row[1], s["by_owner"][&row[0]].to_string());
    }
    assert_eq!(owners.len(), s["by_owner"].as_object().unwrap().len());
    let clients = section(&summary, "By client", true);
    assert_eq!(clients.len(), s["by_client"].as_array().unwrap().len());
    for (row, client) in clients.iter().zip(s["by_client"].as_array().unwrap()) {
        assert_eq!(row[0], client["client"].as_str().unwrap());
        assert_eq!(row[2], client["pairs"].to_string());
        assert_eq!(row[4], client["broken"].to_string());
    }
    assert!(
        clients.iter().any(|r| r[0].starts_with("=HYPERLINK")),
        "a hostile client name is text"
    );
    let accounts = section(&summary, "By ad account", true);
    for (row, account) in accounts.iter().zip(s["by_account"].as_array().unwrap()) {
        assert_eq!(row[0], account["advertiser_id"].as_str().unwrap());
        assert_eq!(row[3], account["previewable"].to_string());
    }
    assert_eq!(
        section(&summary, "Checks not run", true),
        [["every check ran"]]
    );
    // Rejected rows: one per rejected row of the report, with its column.
    let rejected = rows(&sheet(&path, "Rejected rows"));
    assert_eq!(rejected[0], ["path", "line", "column", "reason"]);
    let expected: Vec<Vec<String>> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            vec![
                r["path"].as_str().unwrap().to_string(),
                r["line"].to_string(),
                r["column"].as_str().unwrap_or("").to_string(),
                r["reason"].as_str().unwrap().to_string(),
            ]
        })
        .collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(rejected[1..], expected[..]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn xlsx_lists_the_config_every_check_not_run_and_an_empty_rejected_sheet() {
    let dir = temp_dir("coverage");
    let ads = "tests/cases/CUSTOM_IDENTITY/ads.csv";
    let config = "tests/fixtures/workflows/suppressions.toml";
    let path = workbook(&dir, &[ads, "--as-of", AS_OF, "--config", config], 1);
    let (_, report, _) = audit_json(&[ads, "--config", config]);
    let summary = rows(&sheet(&path, "Summary"));
    assert!(value(&summary, "config").starts_with("config: "));
    assert!(value(&summary, "config").contains("suppressions.toml"));
    assert!(value(&summary, "config file").ends_with("suppressions.toml"));
    assert_eq!(value(&summary, "severity of CODE_REVOKED"), "warning");
    assert_eq!(
        value(&summary, "config sha256"),
        report["config"]["hash"].as_str().unwrap()
    );
    let not_run: Vec<Vec<String>> = report["coverage"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(cause, coverage)| {
            let why = coverage.as_str().unwrap().strip_prefix("not checked: ")?;
            Some(vec![cause.clone(), why.to_string()])
        })
        .collect();
    assert!(not_run.len() > 5, "{not_run:?}");
    let listed: Vec<Vec<String>> = section(&summary, "Checks not run", true)
        .into_iter()
        .map(|r| {
            assert!(!r[1].is_empty(), "each cause has its title: {r:?}");
            vec![r[0].clone(), r[2].clone()]
        })
        .collect();
    assert_eq!(listed, not_run);
    let totals = section(&summary, "Totals", false);
    assert_eq!(value(&totals, "checks not run"), not_run.len().to_string());
    let rejected = rows(&sheet(&path, "Rejected rows"));
    assert_eq!(rejected, [["path", "line", "column", "reason"]]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn xlsx_summary_shows_the_history() {
    let dir = temp_dir("history");
    let db = dir.join("history.db").to_string_lossy().into_owned();
    let day1 = [
        "tests/fixtures/workflows/day1",
        "--as-of",
        AS_OF,
        "--history",
        &db,
    ];
    let path = workbook(&dir, &day1, 1);
    let summary = rows(&sheet(&path, "Summary"));
    assert_eq!(value(&summary, "config"), "config: none");
    assert_eq!(section(&summary, "Last runs", true).len(), 1);
    let day2 = [
        "tests/fixtures/workflows/day2",
        "--as-of",
        "2026-11-21",
        "--history",
        &db,
    ];
    let path = workbook(&dir, &day2, 1);
    let summary = rows(&sheet(&path, "Summary"));
    let history = section(&summary, "History", false);
    // Day 2: CUSTOM_IDENTITY persists from day 1, CODE_REVOKED is new.
    assert_eq!(
        value(&history, "oldest open finding first seen"),
        "2026-11-20T00:00:00Z"
    );
    assert_eq!(value(&history, "findings first seen in this run"), "1");
    assert_eq!(value(&history, "findings open since an earlier run"), "1");
    let runs = section(&summary, "Last runs", true);
    assert_eq!(
        runs,
        [
            ["2026-11-20T00:00:00Z", "2", "2", "2", "0"],
            ["2026-11-21T00:00:00Z", "2", "2", "2", "0"]
        ]
    );
    let findings = rows(&sheet(&path, "Findings"));
    let first_seen = findings[0].iter().position(|c| c == "first_seen").unwrap();
    assert!(findings[1..].iter().all(|r| !r[first_seen].is_empty()));
    // Without a history, no history section.
    let plain = workbook(
        &dir,
        &["tests/fixtures/workflows/day2", "--as-of", AS_OF],
        1,
    );
    let summary = rows(&sheet(&plain, "Summary"));
    assert!(!summary
        .iter()
        .any(|r| r[0] == "History" || r[0] == "Last runs"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The style index of each cell of a sheet's XML, by its `A1`-style reference. A cell
/// without a reference (`r`) is in the column after the previous cell of its row, as
/// spreadsheet programs read it.
fn cell_styles(xml: &str) -> Vec<(String, usize)> {
    let mut cells = Vec::new();
    let mut row = 0;
    let mut next_column = 0;
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        let end = at + rest[at..].find('>').unwrap();
        let tag = &rest[at..=end];
        rest = &rest[end + 1..];
        if tag.starts_with("<row ") {
            row = attribute(tag, "r").unwrap().parse().unwrap();
            next_column = 0;
        } else if tag.starts_with("<c ") || tag == "<c>" {
            let column = attribute(tag, "r").map_or(next_column, |r| {
                r.bytes()
                    .take_while(u8::is_ascii_uppercase)
                    .fold(0, |n, b| n * 26 + usize::from(b - b'A') + 1)
                    - 1
            });
            let style = attribute(tag, "s").map_or(0, |s| s.parse().unwrap());
            cells.push((format!("{}{row}", column_letters(column)), style));
            next_column = column + 1;
        }
    }
    cells
}

/// The value of attribute `name` in an XML start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[start..start + tag[start..].find('"')?])
}

/// `A` for column 0, `Z` for 25, `AA` for 26.
fn column_letters(column: usize) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

/// The style of each column's `<col>` (what its empty cells take), by column letters.
fn column_styles(xml: &str) -> Vec<(String, usize)> {
    xml.split("<col ")
        .skip(1)
        .flat_map(|col| {
            let tag = format!(" {}", &col[..col.find('>').unwrap()]);
            let number = |name| attribute(&tag, name).unwrap().parse::<usize>().unwrap();
            let style = attribute(&tag, "style").map_or(0, |s| s.parse().unwrap());
            (number("min")..=number("max")).map(move |n| (column_letters(n - 1), style))
        })
        .collect()
}

/// For each cell format (`cellXfs` index), whether its number format is Text (`@`).
fn text_formats(styles: &str) -> Vec<bool> {
    let text_ids: Vec<String> = styles
        .split("<numFmt ")
        .skip(1)
        .filter(|f| f.contains(r#"formatCode="@""#))
        .map(|f| {
            let id = f.split("numFmtId=\"").nth(1).unwrap();
            id[..id.find('"').unwrap()].to_string()
        })
        .chain(["49".to_string()]) // Excel's built-in Text format
        .collect();
    let xfs = styles.split("<cellXfs").nth(1).unwrap();
    let xfs = &xfs[..xfs.find("</cellXfs>").unwrap()];
    xfs.split("<xf ")
        .skip(1)
        .map(|xf| {
            let id = xf.split("numFmtId=\"").nth(1).unwrap();
            text_ids.contains(&id[..id.find('"').unwrap()].to_string())
        })
        .collect()
}

#[test]
fn xlsx_id_cells_have_the_text_number_format() {
    let dir = temp_dir("text-format");
    let path = workbook(&dir, &["samples", "--as-of", AS_OF], 1);
    let text = text_formats(&crate::formats::unzip_entry(&path, "xl/styles.xml"));
    // Sheet 2 is Findings: advertiser_id (A), post_id (C), handle (D), ad_ids (E).
    let findings_xml = crate::formats::unzip_entry(&path, "xl/worksheets/sheet2.xml");
    // The empty cells below the data take their column's format: IDs typed there stay text.
    for (column, style) in column_styles(&findings_xml) {
        let is_id = ["A", "C", "D", "E"].contains(&column.as_str());
        assert_eq!(text[style], is_id, "column {column}");
    }
    let findings = cell_styles(&findings_xml);
    let mut checked = 0;
    for (reference, style) in &findings {
        let column: String = reference
            .chars()
            .take_while(char::is_ascii_uppercase)
            .collect();
        if reference.ends_with(|c: char| c.is_ascii_digit()) && &reference[column.len()..] != "1" {
            let is_id = ["A", "C", "D", "E"].contains(&column.as_str());
            assert_eq!(text[*style], is_id, "{reference}");
            checked += usize::from(is_id);
        }
    }
    assert!(checked > 40, "{checked} ID cells checked");
    // Sheet 3 is the Org Admin worklist: advertiser_id, post_id, handle.
    let worklist_xml = crate::formats::unzip_entry(&path, "xl/worksheets/sheet3.xml");
    for (column, style) in column_styles(&worklist_xml) {
        assert_eq!(
            text[style],
            ["A", "B", "C"].contains(&column.as_str()),
            "{column}"
        );
    }
    let worklist = cell_styles(&worklist_xml);
    let mut checked = 0;
    for (reference, style) in worklist.iter().filter(|(r, _)| !r[1..].eq("1")) {
        let is_id = reference.starts_with(['A', 'B', 'C']);
        assert_eq!(text[*style], is_id, "{reference}");
        checked += usize::from(is_id);
    }
    assert!(checked > 10, "{checked} ID cells checked on the worklist");
    // The summary's ad accounts are Text cells too.
    let summary = rows(&sheet(&path, "Summary"));
    let at = summary
        .iter()
        .position(|r| r[0] == "By ad account")
        .unwrap()
        + 2;
    let summary_xml = crate::formats::unzip_entry(&path, "xl/worksheets/sheet1.xml");
    let styles = cell_styles(&summary_xml);
    let reference = format!("A{}", at + 1);
    let (_, style) = styles.iter().find(|(r, _)| *r == reference).unwrap();
    assert!(text[*style], "{reference} holds {}", summary[at][0]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn xlsx_cuts_a_value_longer_than_a_cell_with_a_marker() {
    let dir = temp_dir("long-cell");
    let case = dir.join("case");
    std::fs::create_dir_all(&case).unwrap();
    let source = Path::new("tests/cases/CUSTOM_IDENTITY");
    for entry in std::fs::read_dir(source).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), case.join(entry.file_name())).unwrap();
    }
    let long_name = "N".repeat(40_000);
    let ads = std::fs::read_to_string(case.join("ads.csv")).unwrap();
    std::fs::write(
        case.join("ads.csv"),
        ads.replace("Creator hook", &long_name),
    )
    .unwrap();
    let path = workbook(&dir, &[&case.to_string_lossy(), "--as-of", AS_OF], 1);
    let findings = rows(&sheet(&path, "Findings"));
    let evidence = findings[0].iter().position(|c| c == "evidence").unwrap();
    let cell = &findings[1][evidence];
    assert!(cell.encode_utf16().count() <= 32_767, "{}", cell.len());
    assert!(cell.contains(&"N".repeat(30_000)), "the start is kept");
    let marker = cell.rsplit("… [cut: ").next().unwrap();
    let cut: usize = marker
        .strip_suffix(" characters]")
        .unwrap_or_else(|| panic!("a cut marker ends the cell: …{marker}"))
        .parse()
        .unwrap();
    // The JSON keeps the whole value: what was cut is exactly what the cell lacks.
    let (_, report, _) = audit_json(&[&case.to_string_lossy()]);
    let full: String = report["findings"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{}: {}",
                e["path"].as_str().unwrap(),
                e["line"],
                e["says"].as_str().unwrap()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(full.contains(&long_name));
    let kept = cell.chars().count() - format!("… [cut: {cut} characters]").chars().count();
    assert_eq!(kept + cut, full.chars().count());
    libreoffice_reads(&path, &dir, &long_name[..30_000]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// With LibreOffice installed: it converts the workbook's Findings sheet to CSV and the cut
/// cell is there.
fn libreoffice_reads(path: &Path, dir: &Path, expected: &str) {
    let Some(soffice) = ["/usr/bin/soffice", "/usr/bin/libreoffice"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        eprintln!(
            "skipped the LibreOffice check: no soffice (apt-get install libreoffice-calc-nogui)"
        );
        return;
    };
    let output = std::process::Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to"])
        // Comma, double quote, UTF-8; sheet 2 (Findings).
        .arg("csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2")
        .arg("--outdir")
        .arg(dir)
        .arg(path)
        .output()
        .unwrap();
    // LibreOffice names a single sheet's CSV after the sheet.
    let csv_path = dir.join("report-Findings.csv");
    assert!(
        csv_path.exists(),
        "LibreOffice converted the workbook: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "advertiser_id");
    let record = reader.records().next().unwrap().unwrap();
    assert_eq!(&record[0], "7100000000000000001", "the ID keeps its digits");
    assert!(record[10].contains(expected) && record[10].contains("… [cut: "));
}

/// The same audit gives the same workbook, byte for byte, whenever it runs (its creation
/// date is the as-of) and whichever of its two writing threads finishes first.
#[test]
fn xlsx_bytes_depend_only_on_the_audit() {
    let dir = temp_dir("same-bytes");
    let first = std::fs::read(workbook(&dir, &["samples", "--as-of", AS_OF], 1)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = std::fs::read(workbook(&dir, &["samples", "--as-of", AS_OF], 1)).unwrap();
    assert!(first == second, "two runs wrote different workbooks");
    let core = crate::formats::unzip_entry(&dir.join("report.xlsx"), "docProps/core.xml");
    assert!(core.contains("2026-11-20T00:00:00Z"), "{core}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Names holding what a cell must keep as inert text: a bidirectional override, terminal
/// escapes and other control characters, a formula, Excel's own `_xHHHH_` escape syntax,
/// characters XML 1.0 cannot hold, markup, carriage returns, edge spaces.
#[test]
fn xlsx_hostile_text_stays_inert_text_in_valid_xml() {
    let dir = temp_dir("hostile-text");
    let inputs = dir.join("inputs");
    std::fs::create_dir_all(&inputs).unwrap();
    let name = "\u{202e}evil\u{1b}[2J =1+1 _x0041_ \u{fffe}\u{ffff} ]]> &amp; <b>x</b> \u{85} \u{7}bell 😀";
    let ad = "line one\r\nline two\rCR only\ttab _x005F_ end ";
    let file = inputs.join("ads _x0041_ \u{202e}.csv");
    let mut csv = csv::Writer::from_path(&file).unwrap();
    csv.write_record([
        "Account ID",
        "Account Name",
        "Ad Name",
        "Ad ID",
        "Identity Type",
        "Identity",
        "Post ID",
    ])
    .unwrap();
    csv.write_record([
        "7500000000000000009",
        name,
        ad,
        "1900000000000000009",
        "Custom Identity",
        "@evil.x",
        "7303000000000000009",
    ])
    .unwrap();
    csv.write_record([
        "bad\u{1b}id",
        name,
        ad,
        "1900000000000000011",
        "Custom Identity",
        "@evil.x",
        "7303000000000000011",
    ])
    .unwrap();
    csv.flush().unwrap();
    let inputs = inputs.to_string_lossy().into_owned();
    let path = workbook(&dir, &[&inputs, "--as-of", AS_OF], 1);
    let inert = |text: &str| sparkcheck::report::escape::inert_cell(text).into_owned();

    let findings = rows(&sheet(&path, "Findings"));
    let column = |title: &str| findings[0].iter().position(|c| c == title).unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(findings[1][column("account_name")], inert(name));
    let evidence = &findings[1][column("evidence")];
    assert!(
        evidence.starts_with(&inert(&file.to_string_lossy())),
        "{evidence:?}"
    );
    assert!(
        evidence.contains(ad.trim_end()),
        "the carriage returns are kept: {evidence:?}"
    );
    let summary = rows(&sheet(&path, "Summary"));
    let accounts = section(&summary, "By ad account", true);
    assert_eq!(accounts[0][1], inert(name));
    let rejected = rows(&sheet(&path, "Rejected rows"));
    assert_eq!(rejected[1][0], inert(&file.to_string_lossy()));

    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.cells().all(|(_, _, f)| f.is_empty()),
            "no formula in {name}"
        );
    }
    // Every part holds only what XML 1.0 allows, and xmllint (when installed) finds each
    // well-formed.
    let archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let parts: Vec<String> = archive
        .file_names()
        .map(|name| name.unwrap().into_owned())
        .collect();
    let xmllint = Path::new("/usr/bin/xmllint").exists();
    if !xmllint {
        eprintln!("skipped the xmllint check: no xmllint (apt-get install libxml2-utils)");
    }
    for part in parts {
        let xml = crate::formats::unzip_entry(&path, &part);
        let bad = xml.chars().find(
            |c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'),
        );
        assert_eq!(bad, None, "{part}");
        if xmllint {
            let file = dir.join("part.xml");
            std::fs::write(&file, &xml).unwrap();
            let check = std::process::Command::new("/usr/bin/xmllint")
                .arg("--noout")
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "{part}: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
