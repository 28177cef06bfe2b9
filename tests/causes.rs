//! One fixture folder per cause under `tests/cases/<CAUSE>/`, each audited and snapshotted.

use std::collections::BTreeSet;

use sparkcheck_policies::{Cause, Policy, Severity};

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

/// What a per-cause snapshot shows: each finding's key, owner, ads and evidence. Catalogue
/// text (symptom, fix) and the whole-report sections (coverage, inputs, summary) stay out,
/// so a new cause or a reworded fix changes the snapshots it should, not every one; the
/// samples keep a whole-report snapshot.
fn findings_view(report: &serde_json::Value) -> String {
    let findings: Vec<serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let evidence: Vec<String> = f["evidence"]
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
                .collect();
            serde_json::json!({
                "cause": f["cause"],
                "advertiser_id": f["advertiser_id"],
                "post_id": f["post_id"],
                "handle": f["handle"],
                "severity": f["severity"],
                "owner_role": f["owner_role"],
                "ad_ids": f["ad_ids"],
                "evidence": evidence,
            })
        })
        .collect();
    serde_json::to_string_pretty(&findings).unwrap()
}

/// The first policy that can report `cause`: its fixture is built for that policy.
fn home_policy(cause: Cause) -> Policy {
    Policy::ALL
        .into_iter()
        .find(|p| p.causes().contains(&cause))
        .expect("every cause belongs to a policy")
}

#[test]
fn each_fixture_yields_exactly_its_cause() {
    for cause in Cause::ALL {
        let folder = format!("{CASES}/{}", cause.code());
        let policy = home_policy(cause);
        let (code, report, _) = audit_json(&[&folder, "--policy", policy.name()]);
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
        if policy == Policy::Preview {
            insta::assert_snapshot!(format!("case_{}", cause.code()), findings_view(&report));
        }
    }
}

/// Every fixture under every policy: a rule change shows its whole effect in review.
#[test]
fn every_fixture_under_every_policy() {
    let mut folders: Vec<String> = std::fs::read_dir(CASES)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    folders.extend([
        "tests/fixtures/clean".to_string(),
        "tests/fixtures/unseen".to_string(),
    ]);
    folders.sort();
    for folder in &folders {
        for policy in Policy::ALL {
            let name = folder.rsplit('/').next().unwrap();
            let cause = Cause::from_code(name);
            if policy == Policy::Preview && cause.is_some_and(|c| home_policy(c) == Policy::Preview)
            {
                continue; // snapshotted above as case_<CAUSE>
            }
            let (_, report, _) = audit_json(&[folder, "--policy", policy.name()]);
            assert_rows_accounted(&report);
            insta::assert_snapshot!(
                format!("policy_{}_{name}", policy.name()),
                findings_view(&report)
            );
        }
    }
}
