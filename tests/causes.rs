//! One fixture folder per cause under `tests/cases/<CAUSE>/`, each audited and snapshotted.

use std::collections::BTreeSet;

use sparkcheck_policies::{Cause, Severity};

use crate::util::{assert_rows_accounted, audit_json, triples};

const CASES: &str = "tests/cases";

#[test]
fn every_cause_in_the_catalogue_has_a_fixture_folder() {
    let folders: BTreeSet<String> = std::fs::read_dir(CASES)
        .expect("tests/cases exists")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let codes: BTreeSet<String> = Cause::ALL.iter().map(|c| c.code().to_string()).collect();
    let missing: Vec<_> = codes.difference(&folders).collect();
    assert!(
        missing.is_empty(),
        "causes without a fixture in {CASES}/: {missing:?}"
    );
    let unknown: Vec<_> = folders.difference(&codes).collect();
    assert!(
        unknown.is_empty(),
        "fixture folders that name no cause: {unknown:?}"
    );
}

#[test]
fn each_fixture_yields_exactly_its_cause() {
    for cause in Cause::ALL {
        let folder = format!("{CASES}/{}", cause.code());
        let (code, report, json) = audit_json(&[&folder]);
        let causes: BTreeSet<String> = triples(&report).into_iter().map(|(_, _, c)| c).collect();
        assert_eq!(
            causes,
            BTreeSet::from([cause.code().to_string()]),
            "{folder}"
        );
        let expected_exit = match cause.severity() {
            Severity::Error => 1,
            Severity::Warning => 0,
        };
        assert_eq!(code, expected_exit, "{folder}");
        assert_rows_accounted(&report);
        assert_eq!(report["rejected"].as_array().unwrap().len(), 0, "{folder}");
        let finding = &report["findings"][0];
        assert!(
            !finding["evidence"].as_array().unwrap().is_empty(),
            "{folder}: no evidence"
        );
        assert_eq!(finding["owner_role"], cause.owner().name(), "{folder}");
        insta::assert_snapshot!(format!("case_{}", cause.code()), json);
    }
}
