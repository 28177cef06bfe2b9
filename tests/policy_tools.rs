//! Policies as snapshot-tested code (issue 7): `explain`, `policies`, `docs/causes.md`,
//! and `sparkcheck test` on case folders.

use crate::util::run;

#[test]
fn docs_causes_md_is_generated_from_the_catalogue() {
    let generated = sparkcheck::explain::markdown();
    let on_disk = std::fs::read_to_string("docs/causes.md").unwrap_or_default();
    assert!(
        generated == on_disk,
        "docs/causes.md is stale; regenerate it: cargo run -q -- explain --all --markdown > docs/causes.md"
    );
}

#[test]
fn explain_prints_every_section_and_rejects_unknown_causes() {
    let output = run(&["explain", "code_expired"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    for section in [
        "CODE_EXPIRED (error, owner: Creator)",
        "What it means",
        "What people see",
        "Why it happens",
        "How to fix",
        "Example",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    let unknown = run(&["explain", "NOPE"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("`NOPE` is not a cause"));
}

#[test]
fn policies_lists_both_with_their_causes() {
    let text = String::from_utf8(run(&["policies"]).stdout).unwrap();
    insta::assert_snapshot!("policies", text);
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn sparkcheck_test_passes_the_shipped_cases() {
    let output = run(&["test", "samples/cases"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.ends_with("2 passed, 0 failed, 0 updated\n"), "{text}");
}

#[test]
fn sparkcheck_test_shows_a_readable_diff_and_update_rewrites() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-cases-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let case = dir.join("expiring-code");
    copy_dir(std::path::Path::new("samples/cases/expiring-code"), &case);
    // The agency changes its mind: a 2-day window, so the code is no longer "soon".
    let toml = std::fs::read_to_string(case.join("case.toml")).unwrap();
    std::fs::write(case.join("case.toml"), toml).unwrap();
    std::fs::write(case.join("sparkcheck.toml"), "expiry-window = \"2d\"\n").unwrap();
    let with_config =
        std::fs::read_to_string(case.join("case.toml")).unwrap() + "config = \"sparkcheck.toml\"\n";
    std::fs::write(case.join("case.toml"), with_config).unwrap();
    let dir_arg = dir.to_string_lossy();
    let output = run(&["test", &dir_arg]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("DIFFERS"), "{text}");
    assert!(
        text.contains("  - CODE_EXPIRING_SOON ad account 7100000000000000001 post 7301000000000000004 (expected, no longer found)"),
        "{text}"
    );
    let updated = run(&["test", &dir_arg, "--update"]);
    assert_eq!(updated.status.code(), Some(0));
    assert!(String::from_utf8(updated.stdout)
        .unwrap()
        .contains("updated"));
    assert_eq!(
        run(&["test", &dir_arg]).status.code(),
        Some(0),
        "the update is what the rules now say"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_case_without_as_of_is_an_error() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-case-noasof-{}", std::process::id()));
    copy_dir(std::path::Path::new("samples/cases/expiring-code"), &dir);
    std::fs::write(dir.join("case.toml"), "policy = \"preview\"\n").unwrap();
    let output = run(&["test", &dir.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected `as-of`"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sparkcheck_test_compares_the_whole_report_not_only_findings() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-case-whole-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(std::path::Path::new("samples/cases/expiring-code"), &dir);
    let expected = dir.join("expected.json");
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&expected).unwrap()).unwrap();
    let audited = report["summary"]["pairs_audited"].as_u64().unwrap();
    report["summary"]["pairs_audited"] = (audited + 1).into();
    std::fs::write(&expected, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    let output = run(&["test", &dir.to_string_lossy()]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "  ~ summary.pairs_audited: {} → {audited}",
            audited + 1
        )),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
