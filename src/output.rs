//! Writing reports: to standard output, or atomically to files, without ever destroying
//! anything (issue 13 §2).
//!
//! - [`check_outputs`] refuses, before anything is read, an output that is one of the
//!   inputs, the configuration, a file inside a folder being read that the next run would
//!   read back, a folder, or a device, FIFO or socket (refused, never written through: a
//!   FIFO with no reader would hang the run, and a device written as root is a disaster).
//! - An output that is a symbolic link is written through: the link stays, its target gets
//!   the report.
//! - Each report is rendered into a temporary file created exclusively (`O_EXCL`, random
//!   name, `tempfile`) in the target's folder, then renamed over the target. A rewritten
//!   report keeps its mode (and, when permitted, owner and group).
//! - Several outputs are one [`Transaction`]: all are rendered first, then all renamed; if
//!   one fails, none is replaced and every temporary file is removed.
//! - SIGINT and SIGTERM remove the live temporary files and exit 130 and 143: a killed run
//!   leaves the previous reports intact and no temporary file behind.
//!
//! No fsync: the guarantee is about runs that fail or are killed, not about power loss.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

/// The extensions a folder walk reads (`sparkcheck_importers::walk`).
const INPUT_EXTENSIONS: [&str; 6] = ["csv", "tsv", "txt", "json", "jsonl", "xlsx"];

/// Refuses outputs that would destroy or pollute something; `inputs` as given on the
/// command line, `config` the configuration in use (named or discovered), `outputs` the
/// `--output` files. The error is one line (without `error: `) naming the path, why, and
/// a hint.
pub fn check_outputs(
    inputs: &[PathBuf],
    config: Option<&Path>,
    outputs: &[PathBuf],
) -> Result<(), String> {
    let inputs: Vec<(PathBuf, bool)> = inputs
        .iter()
        .filter_map(|input| {
            let canonical = input.canonicalize().ok()?;
            let is_dir = canonical.is_dir();
            Some((canonical, is_dir))
        })
        .collect();
    let config = config.and_then(|c| c.canonicalize().ok());
    let mut seen: Vec<PathBuf> = Vec::new();
    for output in outputs {
        let name = shown(output);
        let Some(resolved) = resolve(output)? else {
            // Its folder does not exist: nothing there can be destroyed, and the write
            // fails with its own message.
            continue;
        };
        if seen.contains(&resolved) {
            return Err(format!(
                "`{name}` is named twice as an output; hint: give each report its own file"
            ));
        }
        if config.as_ref() == Some(&resolved) {
            return Err(format!(
                "`{name}` is the configuration; writing the report there would destroy it; \
                 hint: write the report to another file"
            ));
        }
        for (input, is_dir) in &inputs {
            if !is_dir && *input == resolved {
                return Err(format!(
                    "`{name}` is one of the inputs; writing the report there would destroy \
                     it; hint: write the report to another file"
                ));
            }
            if *is_dir && read_back(input, &resolved) {
                return Err(format!(
                    "`{name}` is inside `{}`, a folder being read: the next run would read \
                     the report back as an input; hint: write it outside the folder, or \
                     give it a name starting with `.`",
                    shown(input)
                ));
            }
        }
        seen.push(resolved);
    }
    Ok(())
}

/// The canonical path `output` names (its symlinks followed), or `None` when its folder
/// does not exist; an error when it is something a report must not replace.
fn resolve(output: &Path) -> Result<Option<PathBuf>, String> {
    let shown = shown(output);
    match std::fs::symlink_metadata(output) {
        Ok(_) => {
            let meta = std::fs::metadata(output).map_err(|_| {
                format!(
                    "`{shown}` is a symbolic link to a missing file; hint: remove the link \
                     or write the report to another file"
                )
            })?;
            refuse_special(&shown, &meta.file_type())?;
            let canonical = output
                .canonicalize()
                .map_err(|e| format!("`{shown}`: cannot resolve this output: {e}"))?;
            Ok(Some(canonical))
        }
        Err(_) => {
            let Some(name) = output.file_name() else {
                return Err(format!(
                    "`{shown}` does not name a file; hint: give the report a file name"
                ));
            };
            Ok(folder_of(output)
                .canonicalize()
                .ok()
                .map(|folder| folder.join(name)))
        }
    }
}

/// Only a regular file (directly or through a link) may be replaced by a report.
fn refuse_special(shown: &str, kind: &std::fs::FileType) -> Result<(), String> {
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a folder"
    } else {
        special_kind(kind)
    };
    Err(format!(
        "`{shown}` is {what}, not a regular file; sparkcheck writes reports only to regular \
         files; hint: omit --output to write to standard output and redirect it"
    ))
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// Whether a folder walk of `dir` would read `file`: it lies below `dir`, no component
/// below `dir` is hidden, and its extension is an input's.
fn read_back(dir: &Path, file: &Path) -> bool {
    let Ok(below) = file.strip_prefix(dir) else {
        return false;
    };
    let hidden = below
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let input_like = name.as_deref().is_some_and(|name| {
        name.rsplit_once('.').is_some_and(|(_, ext)| {
            INPUT_EXTENSIONS
                .iter()
                .any(|known| ext.eq_ignore_ascii_case(known))
        })
    });
    !hidden && input_like
}

/// A path as a message shows it: whole (a hint must name it exactly), on one line, inert
/// on a terminal (control characters and bidirectional overrides escaped).
pub fn shown(path: &Path) -> String {
    escape(&path.to_string_lossy())
}

/// `text` with control characters and bidirectional overrides escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || sparkcheck_facts::is_bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The temporary files alive now, for the signal handler to remove.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// On SIGINT or SIGTERM: remove every live temporary file, then exit 130 or 143. The
/// handler thread takes the registry's lock, so a rename phase in progress completes first
/// (the transaction is either wholly done or not at all).
fn install_signal_handler() {
    HANDLER.call_once(|| {
        use signal_hook::consts::{SIGINT, SIGTERM};
        // The signals are taken over only by a thread that acts on them: where no thread
        // can be started, they keep their default action (the run ends, the old report
        // stays) instead of being caught and ignored.
        let (ready, registered) = std::sync::mpsc::channel();
        let started = std::thread::Builder::new()
            .name("sparkcheck-signals".into())
            .spawn(move || {
                let signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]);
                let _ = ready.send(());
                let Ok(mut signals) = signals else {
                    return;
                };
                if let Some(signal) = signals.forever().next() {
                    let live = live();
                    for path in live.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    std::process::exit(128 + signal);
                }
            });
        if started.is_ok() {
            // Registered before any temporary file is created.
            let _ = registered.recv();
        }
    });
}

/// One report rendered into its temporary file, waiting for its rename.
struct Staged {
    temporary: Option<tempfile::TempPath>,
    target: PathBuf,
}

/// Several reports that are replaced together or not at all.
#[derive(Default)]
pub struct Transaction {
    staged: Vec<Staged>,
}

impl Transaction {
    /// An empty transaction.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renders one report into a temporary file beside `path` (its link target when `path`
    /// is a symbolic link). On error nothing of this report is left.
    pub fn stage(
        &mut self,
        path: &Path,
        render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        install_signal_handler();
        // A link is written through: the rename replaces its target, not the link.
        let target = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => path.canonicalize()?,
            _ => path.to_path_buf(),
        };
        let existing = match std::fs::metadata(&target) {
            Ok(meta) if !meta.is_file() => {
                return Err(io::Error::other(
                    "it is not a regular file; hint: omit --output to write to standard output",
                ))
            }
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let name = target
            .file_name()
            .map_or_else(|| "report".into(), |n| n.to_string_lossy().into_owned());
        let mut builder = tempfile::Builder::new();
        let prefix = format!(".{name}.");
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A new report gets the mode `File::create` would give it (0666 less the umask).
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let file = {
            // Created and registered under the lock: a signal never misses it.
            let mut live = live();
            let folder = folder_of(&target);
            let file = builder.tempfile_in(folder).map_err(|e| {
                // tempfile's message names its random file; name the folder instead.
                let message = e.to_string();
                let reason = message.split(" at path ").next().unwrap_or_default();
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create a file in `{}`: {reason}; hint: check that the folder \
                         exists and is writable",
                        shown(folder)
                    ),
                )
            })?;
            live.push(file.path().to_path_buf());
            file
        };
        let (file, temporary) = file.into_parts();
        let staged = Staged {
            temporary: Some(temporary),
            target,
        };
        // From here on, dropping `staged` removes and unregisters the temporary file.
        if let Some(meta) = &existing {
            keep_mode_and_owner(&file, meta);
        }
        let mut out = BufWriter::with_capacity(
            256 * 1024,
            crate::writeback::EarlyWriteback::new(
                file,
                existing.is_some().then_some(&*staged.target),
            ),
        );
        render(&mut out)?;
        out.into_inner().map_err(io::IntoInnerError::into_error)?;
        self.staged.push(staged);
        Ok(())
    }

    /// Renames every staged report over its target.
    pub fn commit(mut self) -> io::Result<()> {
        let mut live = live();
        for staged in &mut self.staged {
            if let Some(temporary) = staged.temporary.take() {
                let path = temporary.to_path_buf();
                let renamed = temporary.persist(&staged.target);
                live.retain(|p| *p != path);
                if let Err(e) = renamed {
                    // `e.path` drops here, removing the temporary file.
                    return Err(e.error);
                }
            }
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temporary) = self.temporary.take() {
            let path = temporary.to_path_buf();
            let mut live = live();
            drop(temporary);
            live.retain(|p| *p != path);
        }
    }
}

/// A rewritten report keeps the mode of the one it replaces, and its owner and group where
/// the process may set them (root rewriting a user's report).
fn keep_mode_and_owner(file: &std::fs::File, meta: &std::fs::Metadata) {
    let _ = file.set_permissions(meta.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(mine) = file.metadata() {
            if mine.uid() != meta.uid() || mine.gid() != meta.gid() {
                let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
                // chown may clear set-id bits: set the mode again.
                let _ = file.set_permissions(meta.permissions());
            }
        }
    }
}

/// Streams one report into `path` as a one-report [`Transaction`]: a failed or killed run
/// never leaves a half-written report (an earlier one survives) nor a temporary file.
pub fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut transaction = Transaction::new();
    transaction.stage(path, render)?;
    transaction.commit()
}

/// Streams a report to standard output.
pub fn write_stdout(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut stdout = BufWriter::with_capacity(256 * 1024, io::stdout().lock());
    render(&mut stdout)?;
    stdout.flush()
}

/// Prints `text` to standard output; a closed pipe (`| head`) ends the output quietly
/// instead of panicking as `print!` does.
pub fn print(text: &str) {
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_visible_input_files_below_the_folder_are_read_back() {
        let dir = Path::new("/data/exports");
        assert!(read_back(dir, Path::new("/data/exports/report.json")));
        assert!(read_back(dir, Path::new("/data/exports/sub/report.CSV")));
        assert!(!read_back(dir, Path::new("/data/exports/report.html")));
        assert!(!read_back(dir, Path::new("/data/exports/.report.json")));
        assert!(!read_back(dir, Path::new("/data/exports/.out/report.json")));
        assert!(!read_back(dir, Path::new("/data/exportsx/report.json")));
    }

    fn temporaries(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().ends_with(".tmp")
            })
            .count()
    }

    #[test]
    fn a_failed_rendering_replaces_no_report_of_the_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.json");
        let second = dir.path().join("second.csv");
        std::fs::write(&first, "old first").unwrap();
        std::fs::write(&second, "old second").unwrap();
        let mut transaction = Transaction::new();
        transaction
            .stage(&first, |out| out.write_all(b"new first"))
            .unwrap();
        let failed = transaction.stage(&second, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("the renderer failed"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "the renderer failed");
        assert_eq!(temporaries(dir.path()), 1, "the first one waits, staged");
        drop(transaction);
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "old first");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "old second");
        assert_eq!(temporaries(dir.path()), 0);
        assert!(live().is_empty(), "nothing left for the signal handler");

        let mut transaction = Transaction::new();
        transaction
            .stage(&first, |out| out.write_all(b"new first"))
            .unwrap();
        transaction
            .stage(&second, |out| out.write_all(b"new second"))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "old first");
        transaction.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "new first");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "new second");
        assert_eq!(temporaries(dir.path()), 0);
    }
}
