//! Bounded time and memory (issue 13 §1, §4): plugins cannot outlive their timeout or
//! flood memory, only regular files are read, and every input has a size cap.

use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{run, AS_OF};

fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sparkcheck-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `sparkcheck ARGS` in the workspace root, killed after `limit` (a hang fails the
/// test instead of stalling the suite), with the address space capped at `memory` bytes.
pub fn run_bounded(args: &[&str], limit: Duration, memory: Option<u64>) -> (Output, Duration) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sparkcheck"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(bytes) = memory {
        // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: bytes,
                    rlim_max: bytes,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let started = Instant::now();
    let child = command.spawn().expect("the sparkcheck binary runs");
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        while started.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(20));
            // The parent's wait below ends the loop by having reaped it.
            if std::fs::metadata(format!("/proc/{pid}")).is_err() {
                return false;
            }
        }
        // SAFETY: signals our own child.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        true
    });
    let output = child.wait_with_output().unwrap();
    let elapsed = started.elapsed();
    let killed = watchdog.join().unwrap();
    assert!(!killed, "sparkcheck {args:?} hung: killed after {limit:?}");
    (output, elapsed)
}

fn plugin_config(dir: &std::path::Path, importer: &str) -> String {
    let path = dir.join("sparkcheck.toml");
    std::fs::write(
        &path,
        format!("[[importer]]\nname = \"stray\"\nfiles = \"*.roster\"\n{importer}"),
    )
    .unwrap();
    std::fs::write(dir.join("team.roster"), "@maya connected\n").unwrap();
    path.to_string_lossy().into_owned()
}

/// Whether process `pid` is gone (or a zombie nobody reaped).
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn a_plugin_hanging_with_a_child_holding_its_pipe_is_killed_at_the_timeout() {
    let dir = temp("hang");
    let pids = dir.join("pids");
    let script = format!(
        "command = [\"sh\", \"-c\", \"sleep 60 & echo $! > {}; sleep 60\"]\ntimeout = \"1s\"\n",
        pids.display()
    );
    let config = plugin_config(&dir, &script);
    let (output, elapsed) = run_bounded(
        &["audit", &dir.to_string_lossy(), "--config", &config],
        Duration::from_secs(20),
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("importer `stray` timed out after 1s"),
        "{stderr}"
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "ended near the timeout: {elapsed:?}"
    );
    let child: u32 = std::fs::read_to_string(&pids)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(gone(child), "the plugin's child {child} was killed with it");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plugin_that_exits_leaving_a_child_on_its_pipe_does_not_hold_the_run() {
    let dir = temp("exit");
    let pids = dir.join("pids");
    let script = format!(
        "command = [\"sh\", \"-c\", \"sleep 60 & echo $! > {}; exit 0\"]\ntimeout = \"30s\"\n",
        pids.display()
    );
    let config = plugin_config(&dir, &script);
    let (output, elapsed) = run_bounded(
        &[
            "audit",
            &dir.to_string_lossy(),
            "--config",
            &config,
            "--as-of",
            AS_OF,
        ],
        Duration::from_secs(20),
        None,
    );
    assert!(
        elapsed < Duration::from_secs(5),
        "not held by the child: {elapsed:?}"
    );
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let child: u32 = std::fs::read_to_string(&pids)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        gone(child),
        "the plugin's child {child} was killed when it exited"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plugin_printing_past_max_output_is_stopped_with_a_clear_error() {
    let dir = temp("flood");
    let config = plugin_config(
        &dir,
        "command = [\"sh\", \"-c\", \"echo 'password=#PluginSecretCode42xyzAB' >&2; yes '{}'\"]\nmax-output = \"1MB\"\n",
    );
    let (output, elapsed) = run_bounded(
        &["audit", &dir.to_string_lossy(), "--config", &config],
        Duration::from_secs(20),
        Some(2 << 30),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(
            "importer `stray`: its output passed the limit of 1 MB; hint: raise `max-output`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("its stderr ends: ****"), "{stderr}");
    assert!(
        !stderr.contains("PluginSecretCode42xyzAB"),
        "masked: {stderr}"
    );
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn max_output_must_be_a_size() {
    let dir = temp("badsize");
    let config = plugin_config(&dir, "command = [\"true\"]\nmax-output = \"lots\"\n");
    let output = run(&["audit", &dir.to_string_lossy(), "--config", &config]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("`max-output`: expected a size such as `10MB`"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

const ADS_HEADER: &str = "Account ID,Ad ID,Ad Name,Identity Type,Identity,Post ID\n";

fn ads_row(post: u32, name: &str) -> String {
    format!("7100000000000000001,18000000000000{post:05},{name},Authorized post,@maya.moves,73010000000{post:08}\n")
}

fn mkfifo(path: &std::path::Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// `sparkcheck audit FOLDER --as-of AS_OF --format json`.
fn audit_json(folder: &std::path::Path) -> Output {
    run(&[
        "audit",
        &folder.to_string_lossy(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ])
}

fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "a JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn a_fifo_or_a_device_named_on_the_command_line_is_an_error_at_once() {
    let dir = temp("fifo-named");
    let fifo = dir.join("ads.csv");
    mkfifo(&fifo);
    for path in [fifo.to_string_lossy().into_owned(), "/dev/zero".to_string()] {
        let (output, elapsed) = run_bounded(
            &["audit", &path, "--as-of", AS_OF],
            Duration::from_secs(20),
            Some(2 << 30),
        );
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
        assert!(stderr.contains(&format!("`{path}`")), "{stderr}");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fifo_in_a_folder_is_skipped_and_listed_not_opened() {
    let dir = temp("fifo-walk");
    std::fs::write(
        dir.join("ads.csv"),
        format!("{ADS_HEADER}{}", ads_row(1, "Launch")),
    )
    .unwrap();
    mkfifo(&dir.join("codes.csv"));
    let (output, elapsed) = run_bounded(
        &[
            "audit",
            &dir.to_string_lossy(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        Duration::from_secs(20),
        None,
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let report = json_report(&output);
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"].as_str().unwrap().ends_with("/codes.csv")
                && s["reason"].as_str().unwrap().contains("FIFO")),
        "{skipped:?}"
    );
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_link_in_a_folder_to_a_file_elsewhere_is_not_followed() {
    let dir = temp("link-out");
    let outside = temp("link-out-target");
    let secret = outside.join("secret.csv");
    std::fs::write(&secret, "root:x:0:0:TOPSECRETVALUE,,,\n").unwrap();
    let folder = dir.join("client");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("ads.csv"),
        format!("{ADS_HEADER}{}", ads_row(1, "Launch")),
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, folder.join("codes.csv")).unwrap();
    // A link to a file inside the folder is read as usual.
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::os::unix::fs::symlink("../ads.csv", folder.join("sub/ads-again.csv")).unwrap();
    let output = audit_json(&folder);
    let report = json_report(&output);
    let all = String::from_utf8_lossy(&[output.stdout.clone(), output.stderr.clone()].concat())
        .into_owned();
    assert!(!all.contains("TOPSECRETVALUE"), "{all}");
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["path"].as_str().unwrap().ends_with("/codes.csv")
                && s["reason"].as_str().unwrap().contains("outside the folder")),
        "{skipped:?}"
    );
    // Named on the command line, the user has chosen it: it is read.
    let output = run(&[
        "audit",
        &folder.join("codes.csv").to_string_lossy(),
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(output.status.code(), Some(2), "not an export, but read");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&outside).unwrap();
}

fn config_with(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("limits.toml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_file_over_max_input_size_is_an_error_naming_it() {
    let dir = temp("max-input");
    let folder = dir.join("in");
    std::fs::create_dir_all(&folder).unwrap();
    let rows: String = (0..40).map(|i| ads_row(i, "Launch")).collect();
    std::fs::write(folder.join("ads.csv"), format!("{ADS_HEADER}{rows}")).unwrap();
    let config = config_with(&dir, "max-input-size = \"2kB\"\n");
    let output = run(&[
        "audit",
        &folder.to_string_lossy(),
        "--config",
        &config,
        "--as-of",
        AS_OF,
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/in/ads.csv`: the file is"), "{stderr}");
    assert!(stderr.contains("more than the limit of 2 kB"), "{stderr}");
    assert!(stderr.contains("`max-input-size`"), "{stderr}");
    let config = config_with(&dir, "max-input-size = \"lots\"\n");
    let output = run(&["audit", &folder.to_string_lossy(), "--config", &config]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains(":1:18: `max-input-size`: expected a size"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_field_over_max_field_size_rejects_its_row_with_the_line() {
    let dir = temp("max-field");
    let folder = dir.join("in");
    std::fs::create_dir_all(&folder).unwrap();
    let long = "x".repeat(2 << 20);
    std::fs::write(
        folder.join("ads.csv"),
        format!("{ADS_HEADER}{}{}", ads_row(1, "Launch"), ads_row(2, &long)),
    )
    .unwrap();
    let output = audit_json(&folder);
    let report = json_report(&output);
    let rejected = report["rejected"].as_array().expect("rejected rows listed");
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0]["line"], 3);
    let reason = rejected[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("at most 1 MiB, found one of 2097152 bytes"),
        "{reason}"
    );
    assert!(reason.len() < 300, "the value is not quoted whole");
    // The cap is the config's to set.
    let config = config_with(&dir, "max-field-size = \"4MiB\"\n");
    let output = run(&[
        "audit",
        &folder.to_string_lossy(),
        "--config",
        &config,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(
        json_report(&output)["rejected"].as_array().unwrap().len(),
        0
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_100_mb_field_is_rejected_within_a_1_gib_address_space() {
    let dir = temp("huge-field");
    let huge = "y".repeat(100 << 20);
    std::fs::write(
        dir.join("ads.csv"),
        format!("{ADS_HEADER}{}{}", ads_row(1, "Launch"), ads_row(2, &huge)),
    )
    .unwrap();
    drop(huge);
    let (output, _) = run_bounded(
        &[
            "audit",
            &dir.to_string_lossy(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        Duration::from_secs(120),
        Some(1 << 30),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json_report(&output);
    assert_eq!(report["rejected"][0]["line"], 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_workbook_claiming_17_billion_cells_is_read_in_bounded_memory() {
    let dir = temp("xlsx-bomb");
    let path = dir.join("ads.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, name) in ADS_HEADER.trim().split(',').enumerate() {
        sheet.write_string(0, col as u16, name).unwrap();
    }
    for (col, value) in ads_row(1, "Launch").trim().split(',').enumerate() {
        sheet.write_string(1, col as u16, value).unwrap();
    }
    // The last cell Excel has: the sheet now declares `A1:XFD1048576`.
    sheet.write_string(1_048_575, 16_383, "far").unwrap();
    workbook.save(&path).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 10_000, "a small file: {size} bytes");
    let (output, elapsed) = run_bounded(
        &[
            "audit",
            &path.to_string_lossy(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        Duration::from_secs(60),
        Some(1 << 30),
    );
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = json_report(&output);
    let input = &report["inputs"][0];
    assert_eq!(input["imported"], 1, "{input}");
    // The far cell is a row of its own, beyond the header's columns: rejected, not lost.
    assert_eq!(input["rows"], 2, "{input}");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
