//! `--output` never destroys anything (issue 13 §2): refusals, special files, links, modes,
//! signals and several outputs as one transaction.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{run, AS_OF};

/// A fresh folder holding a copy of the `clean` fixture in `inputs/` and an empty `out/`.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("sparkcheck-output-")
        .tempdir()
        .unwrap();
    let inputs = dir.path().join("inputs");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&inputs).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/clean").unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), inputs.join(entry.file_name())).unwrap();
    }
    (dir, inputs, out)
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn audit(args: &[&str]) -> Output {
    let mut all = vec!["audit", "--as-of", AS_OF];
    all.extend_from_slice(args);
    run(&all)
}

/// Exit 2, nothing on stdout, one error line containing every `needles`.
fn assert_refused(output: &Output, needles: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
}

/// The names in `dir` that look like temporary files.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let (_dir, inputs, _) = workspace();
    let ads = inputs.join("ads.csv");
    let before = std::fs::read(&ads).unwrap();
    let output = audit(&[
        &text(&ads),
        &text(&inputs.join("codes.csv")),
        "-o",
        &text(&ads),
    ]);
    assert_refused(&output, &["ads.csv", "is one of the inputs"]);
    assert_eq!(std::fs::read(&ads).unwrap(), before);
    // Through another spelling of the same file.
    let other = format!("{}/../inputs/./ads.csv", inputs.display());
    let output = audit(&[&text(&inputs), "-o", &other, "--format", "csv"]);
    assert_refused(&output, &["is inside", "a folder being read"]);
    assert_eq!(std::fs::read(&ads).unwrap(), before);
}

#[test]
fn an_output_that_is_the_config_is_refused_and_the_config_kept() {
    let (dir, inputs, _) = workspace();
    let config = dir.path().join("sparkcheck.toml");
    std::fs::write(&config, "fail-on = \"warning\"\n").unwrap();
    let output = audit(&[
        &text(&inputs),
        "--config",
        &text(&config),
        "--format",
        "json",
        "-o",
        &text(&config),
    ]);
    assert_refused(&output, &["sparkcheck.toml", "is the configuration"]);
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "fail-on = \"warning\"\n"
    );
}

#[test]
fn an_output_the_next_run_would_read_back_is_refused() {
    let (_dir, inputs, _) = workspace();
    for name in ["report.json", "sub/report.csv", "findings.XLSX"] {
        if name.contains('/') {
            std::fs::create_dir_all(inputs.join("sub")).unwrap();
        }
        let target = inputs.join(name);
        let output = audit(&[&text(&inputs), "-o", &text(&target)]);
        assert_refused(&output, &["a folder being read", "read the report back"]);
        assert!(!target.exists(), "{name} was written");
    }
    // Names the walk skips are fine: not an input extension, or hidden.
    for name in ["report.html", ".report.json"] {
        let target = inputs.join(name);
        let output = audit(&[&text(&inputs), "-o", &text(&target)]);
        assert_eq!(output.status.code(), Some(0), "{name}: {output:?}");
        assert!(target.is_file(), "{name}");
    }
}

#[test]
fn the_same_output_twice_is_refused() {
    let (_dir, inputs, out) = workspace();
    let report = text(&out.join("report.json"));
    let output = audit(&[&text(&inputs), "-o", &report, "-o", &report]);
    assert_refused(&output, &["named twice"]);
    assert!(!out.join("report.json").exists());
}

#[cfg(unix)]
#[test]
fn a_fifo_output_is_refused_at_once_and_stays_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let (_dir, inputs, out) = workspace();
    let fifo = out.join("report.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // Without a reader, opening the FIFO for writing would block forever.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sparkcheck"))
        .args([
            "audit",
            &text(&inputs),
            "--as-of",
            AS_OF,
            "-o",
            &text(&fifo),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("sparkcheck hung on a FIFO output");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert_refused(&output, &["report.json", "is a FIFO"]);
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
    assert!(temporaries(&out).is_empty());
}

#[cfg(unix)]
#[test]
fn a_device_or_a_folder_output_is_refused() {
    let (_dir, inputs, out) = workspace();
    let output = audit(&[&text(&inputs), "-o", "/dev/null", "--format", "json"]);
    assert_refused(&output, &["/dev/null", "is a device"]);
    let output = audit(&[&text(&inputs), "-o", &text(&out), "--format", "json"]);
    assert_refused(&output, &["is a folder"]);
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_stays_a_link_and_its_target_gets_the_report() {
    let (dir, inputs, out) = workspace();
    let real = dir.path().join("elsewhere");
    std::fs::create_dir_all(&real).unwrap();
    let target = real.join("real.json");
    std::fs::write(&target, "old").unwrap();
    let link = out.join("report.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let output = audit(&[&text(&inputs), "-o", &text(&link)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), target);
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert!(temporaries(&out).is_empty() && temporaries(&real).is_empty());
    // A dangling link is refused, not replaced by a file.
    std::fs::remove_file(&target).unwrap();
    let output = audit(&[&text(&inputs), "-o", &text(&link)]);
    assert_refused(&output, &["symbolic link to a missing file"]);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn a_rewritten_report_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, inputs, out) = workspace();
    let report = out.join("report.json");
    std::fs::write(&report, "old").unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).unwrap();
    let output = audit(&[&text(&inputs), "-o", &text(&report)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_ne!(std::fs::read_to_string(&report).unwrap(), "old");
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o600);
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).unwrap();
    let output = audit(&[&text(&inputs), "-o", &text(&report)]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);
}

/// A report past the file size limit (`ulimit -f`) is a write error, not a kill by
/// `SIGXFSZ`: one error line, exit 2, the old report kept and no temporary file left.
#[cfg(unix)]
#[test]
fn a_report_past_the_file_size_limit_is_an_error_and_replaces_nothing() {
    let (_dir, inputs, out) = workspace();
    let report = out.join("report.json");
    std::fs::write(&report, "old").unwrap();
    // `ulimit -f 1`: 1,024 bytes, less than any JSON report.
    let script = format!("ulimit -f 1 && exec \"$0\" audit --as-of {AS_OF} \"$1\" -o \"$2\"",);
    let output = std::process::Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_sparkcheck")])
        .args([&inputs, &report])
        .output()
        .expect("sh runs");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot write the report to"), "{stderr}");
    assert!(stderr.contains("no report was replaced"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "old");
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
}

#[test]
fn when_one_output_cannot_be_written_none_is_replaced() {
    let (_dir, inputs, out) = workspace();
    let first = out.join("first.json");
    std::fs::write(&first, "old first").unwrap();
    let second = out.join("missing").join("second.html");
    let output = audit(&[&text(&inputs), "-o", &text(&first), "-o", &text(&second)]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("second.html"), "{stderr}");
    assert!(stderr.contains("no report was replaced"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&first).unwrap(), "old first");
    assert!(!second.exists());
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
}

#[cfg(unix)]
#[test]
fn sigterm_during_the_write_keeps_the_old_reports_and_leaves_no_temporary_file() {
    let dir = tempfile::Builder::new()
        .prefix("sparkcheck-sigterm-")
        .tempdir()
        .unwrap();
    let inputs = dir.path().join("inputs");
    bench::generate::generate(&inputs, 40_000, 7).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let names = ["report.json", "report.html", "report.xlsx", "report.csv"];
    for name in names {
        std::fs::write(out.join(name), format!("old {name}")).unwrap();
    }
    let as_of = bench::generate::AS_OF.to_string();
    let mut args = vec!["audit".to_string(), text(&inputs), "--as-of".into(), as_of];
    for name in names {
        args.push("-o".into());
        args.push(text(&out.join(name)));
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sparkcheck"))
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until a temporary file exists: the run is writing its reports.
    let started = std::time::Instant::now();
    while temporaries(&out).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before a temporary file was seen"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(300));
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    for name in names {
        assert_eq!(
            std::fs::read_to_string(out.join(name)).unwrap(),
            format!("old {name}"),
            "{name} was replaced by a killed run"
        );
    }
    assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
}
