//! A portfolio in shapes the samples do not use: alias headers, BOM + CRLF + `;`, tab in a
//! `.txt`, every time format, an extra column, and one spreadsheet-mangled ID.

use crate::util::{assert_rows_accounted, audit_json, triples};

fn triple(a: &str, p: &str, c: &str) -> (String, String, String) {
    (a.to_string(), p.to_string(), c.to_string())
}

#[test]
fn unseen_portfolio_gets_exactly_the_right_findings() {
    let (code, report, _) = audit_json(&["tests/fixtures/unseen"]);
    assert_eq!(code, 1);
    let (x, y) = ("7400000000000000001", "7400000000000000002");
    let expected = vec![
        triple(x, "7302000000000000002", "CODE_EXPIRED"),
        triple(x, "7302000000000000003", "CUSTOM_IDENTITY"),
        triple(y, "7302000000000000001", "CODE_NOT_APPLIED"),
        triple(y, "7302000000000000001", "HANDLE_NOT_SHARED"),
        triple(y, "7302000000000000004", "CODE_EXPIRING_SOON"),
        triple(y, "7302000000000000004", "HANDLE_NOT_IN_BC"),
    ];
    assert_eq!(triples(&report), expected);
    assert_rows_accounted(&report);
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["line"], 7);
    let reason = rejected[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("`7302000000000000099.0`") && reason.contains("decimal"),
        "{reason}"
    );
    assert_eq!(
        report["coverage"]["NOT_LINKED"],
        "not checked: no links input given"
    );
    assert_eq!(report["summary"]["pairs_audited"], 5);
}
