//! The workbook as readers see it: cut cells, the same bytes on any thread count, every
//! cell read back as written.

use super::*;

#[test]
fn a_bidirectional_override_cannot_reorder_a_cell() {
    assert_eq!(fit("Promo \u{202e}gnp.exe"), "Promo \u{FFFD}gnp.exe");
    assert!(matches!(fit("plain"), Cow::Borrowed("plain")));
    let long = format!("\u{2066}{}", "x".repeat(40_000));
    let cut = fit(&long);
    assert!(cut.starts_with('\u{FFFD}') && cut.ends_with(" characters]"));
}

#[test]
fn a_value_too_long_for_a_cell_is_cut_with_a_visible_marker() {
    assert_eq!(fit("short"), "short");
    let exact = "x".repeat(MAX_CELL);
    assert!(matches!(fit(&exact), Cow::Borrowed(_)));
    let long = "é".repeat(40_000);
    let cut = fit(&long);
    assert!(cut.encode_utf16().count() <= MAX_CELL);
    let kept = cut.chars().take_while(|c| *c == 'é').count();
    assert!(cut.ends_with(&format!("… [cut: {} characters]", 40_000 - kept)));
    // Characters outside the BMP take two UTF-16 units, as Excel counts them.
    let emoji = "😀".repeat(20_000);
    let cut = fit(&emoji);
    assert!(cut.encode_utf16().count() <= MAX_CELL);
    assert!(cut.contains("… [cut: "));
}

mod read_back {
    use std::io::{Cursor, Read};

    use calamine::{Data, Reader, Xlsx};

    use super::super::tables::ROLES;
    use super::super::*;
    use crate::report::{
        finding_row, numbered, EvidenceOut, FindingOut, RejectedOut, Severity, FINDING_COLUMNS,
    };

    /// Texts a cell must hold as they are: formulas, bidirectional overrides, control
    /// characters, Excel's own escape syntax, characters XML 1.0 cannot hold, markup.
    const HOSTILE: [&str; 9] = [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "Promo \u{202e}gnp.exe",
        "tab\tline\nCR\r\nend\rmore",
        "_x0041_ and _x005F_ and _x12_",
        "\u{1b}[2J\u{7}\u{85} bell",
        "\u{fffe}\u{ffff} noncharacters",
        " padded ",
        "<b>&amp;</b> ]]> \"quoted\" 😀",
        "@SUM(1+1)",
    ];

    /// The causes of the synthetic report: the four owner roles, and one no worklist has.
    const CAUSES: [(&str, &str, Severity, &str); 5] = [
        (
            "CODE_EXPIRED",
            "Creator",
            Severity::Error,
            "The code expired.",
        ),
        ("NOT_LINKED", "Org Admin", Severity::Error, "Not connected."),
        (
            "CUSTOM_IDENTITY",
            "Media Buyer",
            Severity::Error,
            "Custom identity.",
        ),
        (
            "CODE_NOT_APPLIED",
            "Advertiser",
            Severity::Error,
            "Not applied.",
        ),
        ("ODD_CAUSE", "Someone Else", Severity::Warning, "Odd."),
    ];

    // `.into()` on every text: the wire types' string fields may become shared strings.
    #[allow(clippy::useless_conversion)]
    fn finding(n: usize) -> FindingOut {
        let (cause, owner, severity, symptom) = CAUSES[n % CAUSES.len()];
        let hostile = HOSTILE[n % HOSTILE.len()];
        let says = if n == 234 {
            "N".repeat(40_000)
        } else {
            format!("code ****{n:04}: {hostile}")
        };
        FindingOut {
            advertiser_id: format!("71000000000000{:05}", n / 40).into(),
            account_name: (!n.is_multiple_of(7))
                .then(|| format!("Client {} {}", n / 40, HOSTILE[n / 40 % HOSTILE.len()]).into()),
            post_id: format!("73010000000{n:08}").into(),
            handle: (!n.is_multiple_of(11)).then(|| format!("@creator.{}", n % 300).into()),
            ad_ids: (0..1 + n % 3)
                .map(|k| format!("18000000000{:08}", n * 3 + k).into())
                .collect(),
            cause: cause.into(),
            severity,
            status: None,
            first_seen: (n.is_multiple_of(5)).then(|| "2026-11-19T00:00:00Z".into()),
            symptom: symptom.into(),
            owner_role: owner.into(),
            fix: vec![
                format!("Ask @creator.{} for a code: {hostile}", n % 300).into(),
                "Apply it → done".into(),
            ],
            evidence: vec![EvidenceOut {
                path: "exports/spark_codes.csv".into(),
                line: n as u64 + 2,
                says: says.into(),
            }],
        }
    }

    #[allow(clippy::useless_conversion)]
    fn rejected(n: usize) -> RejectedOut {
        RejectedOut {
            path: format!("exports/ads {}.csv", HOSTILE[n % HOSTILE.len()]).into(),
            line: n as u64 + 2,
            column: (!n.is_multiple_of(3)).then(|| "Ad ID".into()),
            reason: format!(
                "expected digits, found `{}`",
                HOSTILE[(n + 1) % HOSTILE.len()]
            )
            .into(),
        }
    }

    /// A report of `findings` synthetic findings and `rejected` rejected rows.
    fn report(findings: usize, rejected: usize) -> Report {
        let counts = |n: usize| serde_json::json!({"pairs": n, "previewable": 0, "broken": n, "by_cause": {}});
        let skeleton = serde_json::json!({
            "schema_version": 1,
            "as_of": "2026-11-20T00:00:00Z",
            "policy": "preview",
            "expiry_window": "7d",
            "inputs": [],
            "coverage": {"CODE_EXPIRED": "checked", "NOT_LINKED": "not checked: no links input given"},
            "findings": [],
            "actions": [],
            "rejected": [],
            "summary": {
                "pairs_audited": findings, "pairs_previewable": 0, "pairs_broken": findings,
                "pairs_unchecked": 0, "findings": findings, "errors": findings, "warnings": 0,
                "by_cause": {}, "by_owner": {}, "spark_ads": findings, "non_spark_ads": 0,
                "rows": findings, "rows_rejected": rejected,
                "by_account": [dict_merge(counts(findings), "advertiser_id", HOSTILE[1])],
                "by_client": [dict_merge(counts(findings), "client", HOSTILE[0])],
                "suppressed": 0
            }
        });
        let mut report: Report = serde_json::from_value(skeleton).expect("the skeleton parses");
        report.findings = (0..findings).map(finding).collect();
        report.rejected = (0..rejected).map(self::rejected).collect();
        report
    }

    /// `object` with `key` set to `value`.
    fn dict_merge(mut object: serde_json::Value, key: &str, value: &str) -> serde_json::Value {
        object[key] = value.into();
        if key == "client" {
            object["ad_accounts"] = serde_json::json!(["7100000000000000001"]);
        }
        object
    }

    /// The workbook written on `threads` threads.
    fn bytes(report: &Report, threads: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        write_with_threads(report, &mut bytes, threads).unwrap();
        bytes
    }

    /// The archive's entries, each read whole (the zip reader checks each CRC-32).
    fn entries(bytes: &[u8]) -> Vec<(String, String)> {
        let mut archive = ::zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        (0..archive.len())
            .map(|i| {
                let mut entry = archive.by_index(i).expect("an entry");
                let mut text = String::new();
                entry
                    .read_to_string(&mut text)
                    .expect("an entry read back whole");
                (entry.name().expect("an entry name").to_string(), text)
            })
            .collect()
    }

    #[test]
    fn the_same_bytes_on_any_thread_count_and_every_part_reads_back_whole() {
        let report = report(3_000, 200);
        let one = bytes(&report, 1);
        for threads in [2, 3, 8] {
            assert!(bytes(&report, threads) == one, "{threads} threads");
        }
        let entries = entries(&one);
        let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "docProps/app.xml",
                "docProps/core.xml",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
                "xl/theme/theme1.xml",
                "xl/sharedStrings.xml",
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml",
                "xl/worksheets/sheet3.xml",
                "xl/worksheets/sheet4.xml",
                "xl/worksheets/sheet5.xml",
                "xl/worksheets/sheet6.xml",
                "xl/worksheets/sheet7.xml",
            ]
        );
        for (name, xml) in &entries {
            // Only characters XML 1.0 allows, and no raw carriage return (a parser would
            // read it as a line feed).
            let bad = xml.chars().find(
                |c| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'),
            );
            assert_eq!(bad, None, "{name}");
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "a formula in {name}"
            );
        }
        let findings = &entries[10].1;
        assert!(findings.ends_with("</worksheet>") && findings.matches("<sheetData>").count() == 1);
    }

    /// A cell as calamine reads it, as text (numbers as their digits).
    fn text(cell: &Data) -> String {
        match cell {
            Data::Empty => String::new(),
            Data::String(text) => text.clone(),
            Data::Float(n) => n.to_string(),
            Data::Int(n) => n.to_string(),
            other => panic!("an unexpected cell {other:?}"),
        }
    }

    #[test]
    fn every_cell_reads_back_as_the_report_holds_it() {
        let report = report(1_000, 130);
        let bytes = bytes(&report, 2);
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let findings = book.worksheet_range("Findings").unwrap();
        let rows: Vec<&[Data]> = findings.rows().collect();
        assert_eq!(rows.len(), report.findings.len() + 1);
        assert_eq!(
            rows[0].iter().map(text).collect::<Vec<_>>(),
            FINDING_COLUMNS
        );
        for (finding, row) in report.findings.iter().zip(&rows[1..]) {
            let expected: Vec<String> = finding_row(finding)
                .iter()
                .map(|cell| fit(cell).into_owned())
                .collect();
            assert_eq!(row.iter().map(text).collect::<Vec<_>>(), expected);
            for id in [0, 2] {
                assert!(matches!(row[id], Data::String(_)), "{:?}", row[id]);
            }
        }
        let long = rows[235][10].to_string();
        assert!(long.starts_with("exports/spark_codes.csv:236: NNN") && long.contains("… [cut: "));
        for (role, name) in ROLES.iter().enumerate() {
            let sheet = book.worksheet_range(name).unwrap();
            let rows: Vec<&[Data]> = sheet.rows().collect();
            let owned: Vec<(usize, &FindingOut)> = report
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| *f.owner_role == *ROLES[role])
                .collect();
            assert_eq!(rows.len(), owned.len() + 1, "{name}");
            for ((index, finding), row) in owned.iter().zip(&rows[1..]) {
                let expected = [
                    fit(&finding.advertiser_id).into_owned(),
                    fit(&finding.post_id).into_owned(),
                    fit(finding.handle.as_deref().unwrap_or("")).into_owned(),
                    fit(&finding.cause).into_owned(),
                    finding.severity.name().to_string(),
                    fit(&finding.owner_role).into_owned(),
                    fit(&numbered(&finding.fix)).into_owned(),
                    (index + 2).to_string(),
                ];
                assert_eq!(row.iter().map(text).collect::<Vec<_>>(), expected, "{name}");
                assert!(matches!(row[7], Data::Float(_) | Data::Int(_)), "a number");
            }
        }
        let rejected = book.worksheet_range("Rejected rows").unwrap();
        let rows: Vec<Vec<String>> = rejected
            .rows()
            .map(|r| r.iter().map(text).collect())
            .collect();
        assert_eq!(rows.len(), report.rejected.len() + 1);
        for (row, r) in rows[1..].iter().zip(&report.rejected) {
            let expected = [
                fit(&r.path).into_owned(),
                r.line.to_string(),
                fit(r.column.as_deref().unwrap_or("")).into_owned(),
                fit(&r.reason).into_owned(),
            ];
            assert_eq!(row[..], expected);
        }
        for sheet in book.sheet_names() {
            let formulas = book.worksheet_formula(&sheet).unwrap();
            assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "{sheet}");
        }
    }

    #[test]
    fn an_empty_report_has_every_sheet_with_its_header() {
        let bytes = bytes(&report(0, 0), 2);
        let names: Vec<String> = entries(&bytes).into_iter().map(|(n, _)| n).collect();
        assert!(
            !names.contains(&"xl/sharedStrings.xml".to_string()),
            "no empty table"
        );
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names().len(), 7);
        for sheet in &book.sheet_names()[1..] {
            assert_eq!(
                book.worksheet_range(sheet).unwrap().rows().count(),
                1,
                "{sheet}"
            );
        }
    }

    /// Every row's XML within the bound pieces are cut by, and pieces of escape-heavy
    /// rows cut by bytes (an outside review's 32,000 carriage returns per handle took
    /// 700 MB in pieces cut by count).
    #[test]
    fn pieces_stay_within_their_byte_bound() {
        let mut report = report(300, 40);
        for finding in report.findings.iter_mut().step_by(7) {
            finding.handle = Some(format!("@a{}b", "\r".repeat(3_000)));
            finding.fix.push(format!("& {}", "<&>\u{1}".repeat(500)));
        }
        let prepared = Prepared::new(&report.findings, 1);
        let workbook = Workbook::plan(&report, &prepared).unwrap();
        let mut tables = vec![Table::Findings, Table::Rejected];
        tables.extend((0..ROLES.len()).map(Table::Worklist));
        for table in tables {
            let rows = table.rows(&report, &prepared);
            for row in 0..rows {
                let mut xml = Vec::new();
                workbook.render_rows(table, row..row + 1, &mut xml);
                if row == 0 || row + 1 == rows {
                    // The sheet's start or end comes with the first or last row.
                    continue;
                }
                let bound = workbook.row_bound(table, row);
                assert!(
                    xml.len() <= bound,
                    "{} row {row}: {} > {bound}",
                    table.name(),
                    xml.len()
                );
            }
        }
        let mut findings_pieces = 0;
        for piece in &workbook.pieces {
            if let Content::Rows(table, rows) = &piece.content {
                let bound: usize = rows.clone().map(|r| workbook.row_bound(*table, r)).sum();
                assert!(rows.len() == 1 || bound <= PIECE_BYTES, "{rows:?}");
                findings_pieces += usize::from(matches!(table, Table::Findings));
            }
        }
        // 300 findings would be 4 pieces of 97 by count alone.
        assert!(findings_pieces > 4, "{findings_pieces}");
        let one = bytes(&report, 1);
        assert!(bytes(&report, 3) == one);
        assert_eq!(entries(&one).len(), 16);
    }
}
