//! `sparkcheck test DIR`: policy changes tested like code. Each case folder holds input
//! files, `expected.json` (the report the case must give) and optionally `case.toml`
//! (`as-of`, `policy`, `config`). The whole expected report is compared (findings,
//! coverage, rejected rows, summary counts, inputs): a case that differs anywhere is shown
//! as a readable diff and the exit is 1; `--update` rewrites the expected files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sparkcheck_policies::Policy;

use crate::cli::TestArgs;
use crate::pipeline::{self, Observer, Plan, RunError};
use crate::ExitStatus;

/// The file holding a case's expected report.
pub const EXPECTED: &str = "expected.json";
/// The file holding a case's settings.
pub const CASE: &str = "case.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CaseSettings {
    as_of: Option<String>,
    policy: Option<String>,
    config: Option<PathBuf>,
}

/// Whether `dir` is a test case folder.
pub fn is_case(dir: &Path) -> bool {
    dir.join(EXPECTED).is_file() || dir.join(CASE).is_file()
}

/// Runs every case under `args.dir`.
pub fn run(args: &TestArgs) -> ExitStatus {
    let cases = match cases(&args.dir) {
        Ok(cases) if !cases.is_empty() => cases,
        Ok(_) => {
            crate::say!("error: `{}`: no test case folder found; hint: a case folder holds input files and `{EXPECTED}` or `{CASE}`",
                args.dir.display()
            );
            return ExitStatus::Error;
        }
        Err(e) => {
            crate::say!("error: `{}`: {e}", args.dir.display());
            return ExitStatus::Error;
        }
    };
    let (mut passed, mut differed, mut updated) = (0, 0, 0);
    for case in &cases {
        match run_case(case) {
            Err(message) => {
                crate::say!("error: {message}");
                return ExitStatus::Error;
            }
            Ok((actual, expected)) => {
                let diff = expected.as_ref().map_or_else(
                    || {
                        vec![format!(
                            "  no `{EXPECTED}` yet (run with --update to write it)"
                        )]
                    },
                    |expected| diff(expected, &actual),
                );
                if diff.is_empty() {
                    passed += 1;
                    crate::output::print(&format!("ok       {}\n", case.display()));
                    continue;
                }
                if args.update {
                    let text =
                        serde_json::to_string_pretty(&actual).expect("a report serialises") + "\n";
                    if let Err(e) = crate::output::write_atomically(&case.join(EXPECTED), |out| {
                        out.write_all(text.as_bytes())
                    }) {
                        crate::say!(
                            "error: `{}`: cannot write: {e}",
                            case.join(EXPECTED).display()
                        );
                        return ExitStatus::Error;
                    }
                    updated += 1;
                    crate::output::print(&format!("updated  {}\n", case.display()));
                } else {
                    differed += 1;
                    crate::output::print(&format!("DIFFERS  {}\n", case.display()));
                }
                crate::output::print(&(diff.join("\n") + "\n"));
            }
        }
    }
    crate::output::print(&format!(
        "\n{passed} passed, {differed} failed, {updated} updated\n"
    ));
    if differed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// `dir` itself when it is a case, else its case subfolders, sorted.
fn cases(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if is_case(dir) {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir() && is_case(p))
        .collect();
    cases.sort();
    Ok(cases)
}

/// Audits one case: (the report now, the expected report if any), paths relative to it.
fn run_case(case: &Path) -> Result<(Value, Option<Value>), String> {
    let shown = case.display();
    let settings_text = std::fs::read_to_string(case.join(CASE)).unwrap_or_default();
    let settings: CaseSettings = toml::from_str(&settings_text).map_err(|e| {
        format!(
            "`{}`: {}",
            case.join(CASE).display(),
            e.message().replace('\n', "; ")
        )
    })?;
    let as_of = settings.as_of.ok_or_else(|| {
        format!(
            "`{shown}`: expected `as-of` in `{CASE}` (a case must not depend on the day it runs)"
        )
    })?;
    let as_of = sparkcheck_facts::time::parse_instant(&as_of)
        .map_err(|e| format!("`{}`: `as-of`: {e}", case.join(CASE).display()))?;
    let policy_name = settings.policy.unwrap_or_else(|| "preview".to_string());
    let policy = Policy::from_name(&policy_name).ok_or_else(|| {
        format!(
            "`{}`: `policy`: expected `preview` or `delivery`, found `{policy_name}`",
            case.join(CASE).display()
        )
    })?;
    let config = match &settings.config {
        Some(path) => crate::config::load(Some(&case.join(path))).map_err(|e| e.to_string())?,
        None => crate::config::Config::default(),
    };
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(case)
        .map_err(|e| format!("`{shown}`: {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && p.file_name().is_some_and(|n| n != EXPECTED) && has_input_extension(p)
        })
        .collect();
    inputs.sort();
    let mut plan = Plan::new(inputs, as_of);
    plan.config = config;
    plan.policy = policy;
    plan.threads = 1;
    plan.relative_to = Some(case.to_path_buf());
    let run = Observer::quiet(|observer| pipeline::run(plan, observer)).map_err(|e| match e {
        RunError::Inputs(errors) => errors.first().map_or_else(String::new, ToString::to_string),
        RunError::NoInputs => format!("`{shown}`: the case holds no input file"),
        RunError::Config(message) => message,
    })?;
    let report = run.report;
    let actual = serde_json::to_value(&report).expect("a report serialises");
    let expected = match std::fs::read_to_string(case.join(EXPECTED)) {
        Ok(text) => Some(serde_json::from_str(&text).map_err(|e| {
            format!(
                "`{}`:{}:{}: expected a JSON report, {e}",
                case.join(EXPECTED).display(),
                e.line(),
                e.column()
            )
        })?),
        Err(_) => None,
    };
    Ok((actual, expected))
}

fn has_input_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["csv", "tsv", "txt", "json", "jsonl", "xlsx"].contains(&e.to_ascii_lowercase().as_str())
    })
}

/// The readable differences between two reports: findings by key, then coverage and
/// rejections.
fn diff(expected: &Value, actual: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let by_key = |report: &Value| -> BTreeMap<(String, String, String), Value> {
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| {
                let field = |name: &str| f[name].as_str().unwrap_or_default().to_string();
                (
                    (field("advertiser_id"), field("post_id"), field("cause")),
                    f.clone(),
                )
            })
            .collect()
    };
    let (before, after) = (by_key(expected), by_key(actual));
    for (key, finding) in &before {
        let (advertiser, post, cause) = key;
        match after.get(key) {
            None => lines.push(format!(
                "  - {cause} ad account {advertiser} post {post} (expected, no longer found)"
            )),
            Some(now) => {
                for field in [
                    "severity",
                    "handle",
                    "owner_role",
                    "ad_ids",
                    "symptom",
                    "fix",
                    "evidence",
                    "status",
                ] {
                    if finding[field] != now[field] {
                        lines.push(format!(
                            "  ~ {cause} ad account {advertiser} post {post}: {field} {} → {}",
                            short(&finding[field]),
                            short(&now[field])
                        ));
                    }
                }
            }
        }
    }
    for (advertiser, post, cause) in after.keys().filter(|k| !before.contains_key(*k)) {
        lines.push(format!(
            "  + {cause} ad account {advertiser} post {post} (found, not expected)"
        ));
    }
    if let (Some(before), Some(after)) = (
        expected["coverage"].as_object(),
        actual["coverage"].as_object(),
    ) {
        let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for key in keys {
            let (was, now) = (
                before.get(key).unwrap_or(&Value::Null),
                after.get(key).unwrap_or(&Value::Null),
            );
            if was != now {
                lines.push(format!(
                    "  ~ coverage {key}: {} → {}",
                    short(was),
                    short(now)
                ));
            }
        }
    }
    // Every other part of the report, field by field.
    let mut rest = Vec::new();
    for (key, value) in actual.as_object().into_iter().flatten() {
        if !matches!(key.as_str(), "findings" | "coverage") {
            diff_values(key, &expected[key.as_str()], value, &mut rest);
        }
    }
    for (key, value) in expected.as_object().into_iter().flatten() {
        if actual.get(key).is_none() {
            diff_values(key, value, &Value::Null, &mut rest);
        }
    }
    lines.extend(rest);
    lines
}

/// The differences between two values under `path`, one line per leaf (lists whose
/// lengths differ are shown whole).
fn diff_values(path: &str, expected: &Value, actual: &Value, lines: &mut Vec<String>) {
    if expected == actual {
        return;
    }
    match (expected, actual) {
        (Value::Object(was), Value::Object(now)) => {
            let keys: std::collections::BTreeSet<&String> = was.keys().chain(now.keys()).collect();
            for key in keys {
                let (a, b) = (
                    was.get(key).unwrap_or(&Value::Null),
                    now.get(key).unwrap_or(&Value::Null),
                );
                diff_values(&format!("{path}.{key}"), a, b, lines);
            }
        }
        (Value::Array(was), Value::Array(now)) if was.len() == now.len() => {
            for (i, (a, b)) in was.iter().zip(now).enumerate() {
                diff_values(&format!("{path}[{i}]"), a, b, lines);
            }
        }
        _ => lines.push(format!(
            "  ~ {path}: {} → {}",
            short(expected),
            short(actual)
        )),
    }
}

/// A JSON value in one line of at most 120 characters.
fn short(value: &Value) -> String {
    let text = if value.is_null() {
        "none".to_string()
    } else {
        value.to_string()
    };
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(119).collect::<String>())
    } else {
        text
    }
}
