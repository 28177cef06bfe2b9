//! CLI habits (issue 15): `--strict`, `--exit-zero`, `--statistics`, the stderr summary
//! line, and a config found in a parent folder with paths relative to itself.

use crate::util::{run, run_in, AS_OF};

#[test]
fn strict_fails_a_run_with_checks_not_run_or_rejected_rows() {
    // Ads alone: every BC, code and link check is not run; the findings are clean of errors.
    let folder = "tests/fixtures/clean/ads.csv";
    let lenient = run(&["audit", folder, "--as-of", AS_OF, "-q"]);
    assert_eq!(lenient.status.code(), Some(0));
    let strict = run(&["audit", folder, "--as-of", AS_OF, "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stderr.contains("error: --strict: "), "{stderr}");
    assert!(stderr.contains("checks not run"), "{stderr}");
    let complete = run(&[
        "audit",
        "tests/fixtures/clean",
        "--as-of",
        AS_OF,
        "--strict",
    ]);
    assert_eq!(
        complete.status.code(),
        Some(0),
        "every input given: strict passes"
    );
}

#[test]
fn exit_zero_and_statistics() {
    let failing = run(&["audit", "samples", "--as-of", AS_OF, "--exit-zero"]);
    assert_eq!(failing.status.code(), Some(0));
    let broken = run(&["audit", "no/such/dir", "--exit-zero"]);
    assert_eq!(broken.status.code(), Some(2), "a failed run is still 2");
    let stats = run(&["audit", "samples", "--as-of", AS_OF, "--statistics"]);
    assert_eq!(stats.status.code(), Some(1));
    let text = String::from_utf8(stats.stdout).unwrap();
    let counts: Vec<usize> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.len() >= 15, "{text}");
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most first: {text}"
    );
}

#[test]
fn reports_to_files_leave_one_summary_line_on_stderr_unless_quiet() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-summary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("r.json").to_string_lossy().into_owned();
    let output = run(&["audit", "samples", "--as-of", AS_OF, "-o", &json]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("sparkcheck: "), "{stderr}");
    assert!(
        stderr.contains(" posts broken, ") || stderr.contains(" of "),
        "{stderr}"
    );
    assert!(
        stderr.trim_end().ends_with(&format!("wrote {json}")),
        "{stderr}"
    );
    let quiet = run(&["audit", "samples", "--as-of", AS_OF, "-o", &json, "-q"]);
    assert!(quiet.stderr.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_config_in_a_parent_folder_is_found_and_resolves_its_own_paths() {
    let root = std::env::temp_dir().join(format!("sparkcheck-parent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let repo = root.join("repo");
    let sub = repo.join("exports/today");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(
        repo.join("sparkcheck.toml"),
        "[severity]\nCODE_MISSING = \"warning\"\n",
    )
    .unwrap();
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/CODE_MISSING");
    for file in std::fs::read_dir(&cases).unwrap() {
        let path = file.unwrap().path();
        std::fs::copy(&path, sub.join(path.file_name().unwrap())).unwrap();
    }
    let output = run_in(
        &sub,
        &["audit", ".", "--as-of", AS_OF, "--format", "json"],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "the parent's override applies"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["config"]["path"], "../../sparkcheck.toml");
    assert_eq!(report["config"]["discovered"], true);
    assert_eq!(report["findings"][0]["severity"], "warning");
    // The search stops at the repository's top: a config above it is not used.
    std::fs::rename(repo.join("sparkcheck.toml"), root.join("sparkcheck.toml")).unwrap();
    let outside = run_in(
        &sub,
        &["audit", ".", "--as-of", AS_OF, "--format", "json"],
        &[],
    );
    let report: serde_json::Value = serde_json::from_slice(&outside.stdout).unwrap();
    assert!(report["config"].is_null());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn init_writes_a_starter_that_audits_as_is_and_completions_print() {
    let dir = std::env::temp_dir().join(format!("sparkcheck-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert_eq!(run_in(&dir, &["init"], &[]).status.code(), Some(0));
    let config = sparkcheck::config::parse(
        &dir.join("sparkcheck.toml"),
        &std::fs::read_to_string(dir.join("sparkcheck.toml")).unwrap(),
    )
    .expect("the starter parses");
    assert!(config.suppress.is_empty() && config.importers.is_empty());
    let again = run_in(&dir, &["init"], &[]);
    assert_eq!(again.status.code(), Some(2), "never over an existing file");
    let cases = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean");
    let audited = run_in(
        &dir,
        &["audit", &cases.to_string_lossy(), "--as-of", AS_OF],
        &[],
    );
    assert_eq!(audited.status.code(), Some(0));
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        assert_eq!(script.status.code(), Some(0));
        assert!(
            String::from_utf8_lossy(&script.stdout).contains("audit"),
            "{shell}"
        );
    }
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    assert!(help.contains("sparkcheck audit samples/"), "{help}");
    std::fs::remove_dir_all(&dir).unwrap();
}
