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
