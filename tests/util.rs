//! Running the built binary from the workspace root, as a user would.

use std::path::Path;
use std::process::{Command, Output};

/// The instant every test audits at, so results never drift with the calendar.
pub const AS_OF: &str = "2026-11-20";

/// Runs `sparkcheck ARGS` in the workspace root with a clean environment.
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// Like [`run`], with extra environment variables.
pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sparkcheck"));
    command
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the sparkcheck binary runs")
}

/// `sparkcheck audit PATHS --as-of AS_OF --format json`: (exit code, parsed report, raw).
pub fn audit_json(paths: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["audit"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--as-of", AS_OF, "--format", "json"]);
    let output = run(&args);
    let stdout = String::from_utf8(output.stdout).expect("the report is UTF-8");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is a JSON report ({e}); stderr: {stderr}"));
    (output.status.code().expect("exited"), report, stdout)
}

/// The (advertiser_id, post_id, cause) triples of a report, in report order.
pub fn triples(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            let field = |name: &str| f[name].as_str().expect("a string").to_string();
            (field("advertiser_id"), field("post_id"), field("cause"))
        })
        .collect()
}

/// Every input's row accounting holds: `rows == imported + rejected`.
pub fn assert_rows_accounted(report: &serde_json::Value) {
    for input in report["inputs"].as_array().expect("inputs is an array") {
        let n = |name: &str| input[name].as_u64().expect("a count");
        assert_eq!(n("rows"), n("imported") + n("rejected"), "{input}");
    }
}

/// Like [`run_with_env`], run from the folder `cwd` (where a `sparkcheck.toml` may be found).
pub fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sparkcheck"));
    command
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the sparkcheck binary runs")
}
