//! Expands the command line's paths into the list of files to read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::InputError;

/// Extensions of files read from inside a folder. A file named on the command line is
/// read whatever its name.
pub const INPUT_EXTENSIONS: [&str; 6] = ["csv", "tsv", "txt", "json", "jsonl", "xlsx"];

/// A file to import.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InputFile {
    /// Where to read it.
    pub path: PathBuf,
    /// How reports name it: the path as typed, or the folder as typed joined with the rest.
    pub display: String,
    /// For a file found in a folder walk, that folder (canonical): the file opened must
    /// still be inside it, or a link swapped in after the walk could point elsewhere.
    pub inside: Option<PathBuf>,
}

/// The files to read, the ones passed over, and the paths that do not exist.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to import, sorted by display path, each once.
    pub files: Vec<InputFile>,
    /// (display path, reason) of files under a folder that are plainly not inputs.
    pub skipped: Vec<(String, String)>,
    /// Paths that cannot be read.
    pub errors: Vec<InputError>,
}

/// Walks `paths`: files as given, folders recursively in byte order of their names.
/// The result does not depend on the order of `paths`: files are sorted and deduplicated.
pub fn walk<P: AsRef<Path>>(paths: &[P]) -> Walk {
    let mut walk = Walk::default();
    for path in paths {
        let path = path.as_ref();
        let display = path.to_string_lossy().into_owned();
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                let root = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                walk_dir(path, &display, &root, &mut walk);
            }
            Ok(meta) if meta.is_file() => walk.files.push(InputFile {
                path: path.to_path_buf(),
                display,
                inside: None,
            }),
            Ok(meta) => walk.errors.push(InputError {
                path: display,
                message: format!(
                    "{}, not a regular file; hint: name the export file itself",
                    special_kind(&meta)
                ),
            }),
            Err(e) => walk.errors.push(InputError {
                path: display,
                message: format!("cannot read this path: {e}"),
            }),
        }
    }
    dedup_files(&mut walk.files);
    walk.skipped.sort();
    walk.skipped.dedup();
    walk.errors.sort_by(|a, b| a.path.cmp(&b.path));
    walk
}

/// What a path that is neither a regular file nor a folder is, for a message.
pub(crate) fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Walks `dir`, below the named folder `root` (canonical): links are followed only to
/// files inside it, so a link planted in a client's folder cannot make sparkcheck read
/// (and quote in rejections) a file elsewhere on the machine.
fn walk_dir(dir: &Path, display: &str, root: &Path, walk: &mut Walk) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            walk.errors.push(InputError {
                path: display.to_string(),
                message: format!("cannot list this folder: {e}"),
            });
            return;
        }
    };
    let mut names: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let name = name.to_string_lossy();
        let child = join_display(display, &name);
        if name.starts_with('.') {
            walk.skipped.push((child, "hidden".to_string()));
            continue;
        }
        let Ok(link_meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let meta = if link_meta.file_type().is_symlink() {
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {
                    walk.skipped
                        .push((child, "symbolic link to a folder".to_string()));
                    continue;
                }
                Ok(meta) => {
                    let inside =
                        std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(root));
                    if !inside {
                        walk.skipped.push((
                            child,
                            "symbolic link to a file outside the folder; hint: name the file itself to read it".to_string(),
                        ));
                        continue;
                    }
                    meta
                }
                Err(_) => {
                    walk.skipped
                        .push((child, "broken symbolic link".to_string()));
                    continue;
                }
            }
        } else {
            link_meta
        };
        if meta.is_dir() && is_test_case(&path) {
            walk.skipped.push((
                child,
                "a `sparkcheck test` case folder, not an input".to_string(),
            ));
        } else if meta.is_dir() {
            walk_dir(&path, &child, root, walk);
        } else if !meta.is_file() {
            walk.skipped.push((
                child,
                format!("{}, not a regular file", special_kind(&meta)),
            ));
        } else if has_input_extension(&name) {
            walk.files.push(InputFile {
                path,
                display: child,
                inside: Some(root.to_path_buf()),
            });
        } else {
            walk.skipped
                .push((child, "not an input file extension".to_string()));
        }
    }
}

/// A `sparkcheck test` case (it holds `expected.json` or `case.toml`): its inputs belong
/// to the case, not to a portfolio that happens to contain it.
fn is_test_case(dir: &Path) -> bool {
    dir.join("expected.json").is_file() || dir.join("case.toml").is_file()
}

fn join_display(dir: &str, name: &str) -> String {
    if dir.ends_with('/') || dir.ends_with(std::path::MAIN_SEPARATOR) {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn has_input_extension(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        INPUT_EXTENSIONS
            .iter()
            .any(|known| ext.eq_ignore_ascii_case(known))
    })
}

/// Sorts by display path and keeps each real file once, even when named twice
/// (`samples/` and `samples/ads.csv`).
fn dedup_files(files: &mut Vec<InputFile>) {
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let mut seen = BTreeSet::new();
    files.retain(|file| {
        let key = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        seen.insert(key)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_extensions_are_case_insensitive() {
        assert!(has_input_extension("ads.CSV"));
        assert!(has_input_extension("codes.tsv"));
        assert!(!has_input_extension("README.md"));
        assert!(!has_input_extension("csv"));
    }

    #[test]
    fn display_paths_join_cleanly() {
        assert_eq!(join_display("samples", "a.csv"), "samples/a.csv");
        assert_eq!(join_display("samples/", "a.csv"), "samples/a.csv");
    }
}
