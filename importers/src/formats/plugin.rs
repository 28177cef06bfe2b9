//! External-command importers (`[[importer]]` in `sparkcheck.toml`): an agency feeds data
//! from a source sparkcheck never saw, without forking it.
//!
//! A plugin takes the files its `files` pattern or `header` cell selects. sparkcheck runs
//! its `command` (an argument list, never a shell) with the file's path appended, reads
//! facts as JSON Lines from its stdout (`docs/facts.md`) and treats each line like a row: a
//! bad line is a rejection naming the plugin and its output line. A missing program, a
//! non-zero exit or a timeout fails the run (exit 2) with the plugin's name and the tail of
//! its stderr.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sparkcheck_facts::Progress;

use crate::{walk, Imported, InputError};

/// One `[[importer]]`: an external command that reads a file and prints facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginSpec {
    /// Its name in messages.
    pub name: String,
    /// The program and its arguments; the file's path is appended. Never run by a shell.
    pub command: Vec<String>,
    /// A file-name pattern (`*` and `?`) of the files it takes.
    pub files: Option<String>,
    /// A header cell that marks its files (in their first line).
    pub header: Option<String>,
    /// How long it may run per file, in seconds.
    pub timeout: u64,
    /// The most bytes it may print on stdout per file (`max-output`).
    pub max_output: u64,
}

/// Imports `paths`: the files a plugin claims through it, every other file by format.
pub fn import<P: AsRef<Path>>(
    paths: &[P],
    plugins: &[PluginSpec],
    threads: usize,
    progress: Progress<'_>,
) -> Imported {
    if plugins.is_empty() {
        return crate::import_builtin(paths, threads, progress);
    }
    let walked = walk(paths);
    let mut builtin = Vec::new();
    let mut for_plugins: Vec<(PathBuf, String, &PluginSpec)> = Vec::new();
    for file in &walked.files {
        match choose(plugins, &file.path) {
            Some(plugin) => for_plugins.push((file.path.clone(), file.display.clone(), plugin)),
            None => builtin.push(file.path.clone()),
        }
    }
    // A folder walk skips names without an input extension; a plugin's pattern claims them.
    let mut skipped = Vec::new();
    for (display, reason) in walked.skipped {
        let path = PathBuf::from(&display);
        match plugins
            .iter()
            .find(|p| p.files.as_deref().is_some_and(|g| name_matches(g, &path)))
        {
            Some(plugin) if path.is_file() => for_plugins.push((path, display, plugin)),
            _ => skipped.push((display, reason)),
        }
    }
    let mut imported = crate::import_builtin(&builtin, threads, progress);
    imported.errors.extend(walked.errors);
    imported.skipped.extend(skipped);
    imported.skipped.sort();
    for_plugins.sort_by(|a, b| a.1.cmp(&b.1));
    for (path, display, plugin) in for_plugins {
        match run_plugin(plugin, &path) {
            Ok(stdout) => crate::formats::facts::import(
                &display,
                &stdout,
                &mut imported.facts,
                Some(&plugin.name),
            ),
            Err(message) => imported.errors.push(InputError {
                path: display,
                message,
            }),
        }
    }
    imported
}

/// The plugin that takes `path`: by file-name pattern first, then by a header cell.
fn choose<'p>(plugins: &'p [PluginSpec], path: &Path) -> Option<&'p PluginSpec> {
    if let Some(plugin) = plugins
        .iter()
        .find(|p| p.files.as_deref().is_some_and(|g| name_matches(g, path)))
    {
        return Some(plugin);
    }
    let wanted: Vec<&PluginSpec> = plugins.iter().filter(|p| p.header.is_some()).collect();
    if wanted.is_empty() {
        return None;
    }
    let mut first_line = String::new();
    let file = std::fs::File::open(path).ok()?;
    let _ = std::io::BufRead::read_line(
        &mut std::io::BufReader::new(file.take(64 * 1024)),
        &mut first_line,
    );
    let cells: Vec<String> = first_line
        .trim_start_matches('\u{feff}')
        .split([',', ';', '\t'])
        .map(|c| c.trim().trim_matches('"').to_lowercase())
        .collect();
    wanted.into_iter().find(|p| {
        p.header
            .as_deref()
            .is_some_and(|h| cells.contains(&h.trim().to_lowercase()))
    })
}

/// Whether the file name of `path` matches `pattern` (`*` any run, `?` one character).
fn name_matches(pattern: &str, path: &Path) -> bool {
    let name: Vec<char> = path
        .file_name()
        .map(|n| n.to_string_lossy().chars().collect())
        .unwrap_or_default();
    let pattern: Vec<char> = pattern.chars().collect();
    // Classic wildcard matching with backtracking to the last star.
    let (mut p, mut n, mut star, mut mark) = (0, 0, None, 0);
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p].eq_ignore_ascii_case(&name[n])) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = n;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            n = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The default cap on a plugin's stdout: 1 GiB.
pub const DEFAULT_MAX_OUTPUT: u64 = 1 << 30;

/// How much of a plugin's stderr is kept: its last 64 KiB.
const STDERR_KEPT: usize = 64 * 1024;

/// What the pipe readers tell the runner.
enum Piped {
    /// Stdout reached its end.
    Out(Vec<u8>),
    /// Stdout passed `max_output` bytes.
    OutTooLong,
    /// Stderr reached its end; its last bytes.
    Err(Vec<u8>),
}

/// Runs one plugin on one file and returns its stdout.
///
/// The plugin runs in a process group of its own; when it exits, fails, outlives its
/// `timeout` or writes more than `max_output` bytes, the whole group is killed, so a
/// child left holding the pipes cannot stretch the run past the deadline.
fn run_plugin(plugin: &PluginSpec, path: &Path) -> Result<String, String> {
    use std::os::unix::process::CommandExt;
    let name = &plugin.name;
    let mut child = Command::new(&plugin.command[0])
        .args(&plugin.command[1..])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("importer `{name}`: cannot run `{}`: {e}; hint: check `command` in the configuration", sparkcheck_facts::quote(&plugin.command[0])))?;
    let group = child.id();
    // Read both pipes on their own threads, so a chatty plugin cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let (send, events) = std::sync::mpsc::channel();
    let max_output = plugin.max_output;
    let send_out = send.clone();
    let no_thread = |e: std::io::Error, child: &mut std::process::Child| {
        kill_group(group);
        let _ = child.wait();
        format!("importer `{name}`: cannot start a thread to read its output: {e}")
    };
    let reading_out = std::thread::Builder::new().spawn(move || {
        let mut bytes = Vec::new();
        let limited = (&mut stdout).take(max_output.saturating_add(1));
        let _ = std::io::BufReader::new(limited).read_to_end(&mut bytes);
        let event = if bytes.len() as u64 > max_output {
            Piped::OutTooLong
        } else {
            Piped::Out(bytes)
        };
        let _ = send_out.send(event);
    });
    if let Err(e) = reading_out {
        return Err(no_thread(e, &mut child));
    }
    let reading_err = std::thread::Builder::new().spawn(move || {
        let mut kept = Vec::new();
        let mut chunk = vec![0u8; 8192];
        loop {
            match stderr.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    kept.extend_from_slice(&chunk[..n]);
                    if kept.len() > 2 * STDERR_KEPT {
                        kept.drain(..kept.len() - STDERR_KEPT);
                    }
                }
            }
        }
        let _ = send.send(Piped::Err(kept));
    });
    if let Err(e) = reading_err {
        return Err(no_thread(e, &mut child));
    }
    let deadline = Instant::now() + Duration::from_secs(plugin.timeout);
    let (mut out, mut err, mut status) = (None, None, None);
    let mut too_long = false;
    let outcome = loop {
        if status.is_none() {
            match child.try_wait() {
                Ok(Some(exit)) => {
                    // Its children go with it: nothing of the plugin outlives the plugin.
                    kill_group(group);
                    status = Some(exit);
                }
                Ok(None) => {}
                Err(e) => {
                    kill_group(group);
                    let _ = child.wait();
                    break Err(format!("importer `{name}`: cannot wait for it: {e}"));
                }
            }
        }
        if too_long {
            kill_group(group);
            let _ = child.wait();
            break Err(format!(
                "importer `{name}`: its output passed the limit of {}; hint: raise `max-output` in its `[[importer]]`, or check that it prints facts as JSON Lines",
                crate::limits::format_size(plugin.max_output)
            ));
        }
        if status.is_some() && out.is_some() && err.is_some() {
            break Ok(());
        }
        if Instant::now() >= deadline {
            kill_group(group);
            let _ = child.wait();
            break Err(format!(
                "importer `{name}` timed out after {}",
                sparkcheck_facts::time::format_duration(plugin.timeout as i64)
            ));
        }
        match events.recv_timeout(Duration::from_millis(5)) {
            Ok(Piped::Out(bytes)) => out = Some(bytes),
            Ok(Piped::OutTooLong) => too_long = true,
            Ok(Piped::Err(bytes)) => err = Some(bytes),
            Err(_) => {}
        }
    };
    // After a kill the stderr reader ends at once, unless a stray process that left the
    // group keeps the pipe open: that one is not waited for long.
    let grace = Instant::now() + Duration::from_millis(200);
    while err.is_none() && Instant::now() < grace {
        if let Ok(Piped::Err(bytes)) = events.recv_timeout(Duration::from_millis(10)) {
            err = Some(bytes);
        }
    }
    let tail = err.as_deref().map(stderr_tail).unwrap_or_default();
    outcome.map_err(|why| format!("{why}{tail}"))?;
    let (Some(status), Some(out)) = (status, out) else {
        unreachable!("the loop ends with both");
    };
    if !status.success() {
        return Err(format!("importer `{name}` failed ({status}){tail}"));
    }
    String::from_utf8(out).map_err(|_| {
        format!("importer `{name}`: its output is not UTF-8; expected facts as JSON Lines")
    })
}

/// Kills every process of the group `group` (a plugin and whatever it started).
fn kill_group(group: u32) {
    if let Ok(group) = i32::try_from(group) {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

/// The last lines of a plugin's stderr, in one line, codes masked.
fn stderr_tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
    let shown: String = sparkcheck_facts::quote(&tail);
    format!("; its stderr ends: {shown}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_patterns() {
        let m = |p: &str, n: &str| name_matches(p, Path::new(n));
        assert!(m("*.roster", "dir/motion.roster"));
        assert!(m("motion_*.ROSTER", "motion_export.roster"));
        assert!(m("a?c", "abc"));
        assert!(!m("*.roster", "motion.csv"));
        assert!(m("*", "anything"));
        assert!(!m("a*b*c", "abxd"));
    }
}
