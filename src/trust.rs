//! The trust store: which configurations may run their `[[importer]]` commands although
//! sparkcheck found them itself (issue 13 §1), as direnv and mise do.
//!
//! `sparkcheck trust [FILE]` records the file's canonical path and the SHA-256 of its
//! content in `$SPARKCHECK_STATE_DIR/trusted`, else `$XDG_STATE_HOME/sparkcheck/trusted`,
//! else `$HOME/.local/state/sparkcheck/trusted`: one JSON object a line,
//! `{"path": "...", "hash": "..."}`, written atomically. Editing the file revokes the trust:
//! its hash no longer matches. The hash covers the files its importers name relative to
//! it (`./plugin.py`) too (see [`fingerprint`]), so editing a plugin revokes it as well. A path that is not UTF-8 cannot be trusted (it can still be
//! named with `--config`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// One trusted configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its canonical path.
    pub path: String,
    /// The SHA-256 of its content when it was trusted, in lowercase hex.
    pub hash: String,
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

/// What trust is given to: the configuration's content and, when its importers run files
/// named relative to it (`command = ["python3", "./plugin.py"]`), each such file's path and
/// content, so editing the plugin revokes the trust as editing the configuration does.
/// Without such files it is the SHA-256 of the content alone.
pub fn fingerprint(content: &[u8], local_files: &[PathBuf]) -> String {
    if local_files.is_empty() {
        return content_hash(content);
    }
    // Canonical, so the fingerprint is the same from whichever folder the run starts.
    let mut files: Vec<PathBuf> = local_files
        .iter()
        .map(|file| std::fs::canonicalize(file).unwrap_or_else(|_| file.clone()))
        .collect();
    files.sort();
    files.dedup();
    let mut hasher = Sha256::new();
    hasher.update(content);
    for file in files {
        hasher.update(b"\0file\0");
        hasher.update(file.as_os_str().as_encoded_bytes());
        match std::fs::read(&file) {
            Ok(bytes) => {
                hasher.update(b"\0content\0");
                hasher.update(&bytes);
            }
            Err(_) => hasher.update(b"\0unreadable\0"),
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether the configuration at `path`, whose content is `content` (the bytes the caller
/// read and will use) and whose importers run `local_files`, was trusted with exactly
/// this content and these files.
pub fn is_trusted(path: &Path, content: &[u8], local_files: &[PathBuf]) -> bool {
    let Some(canonical) = canonical_text(path) else {
        return false;
    };
    let Some(store) = store_file() else {
        return false;
    };
    let hash = fingerprint(content, local_files);
    read_store(&store)
        .unwrap_or_default()
        .iter()
        .any(|e| e.path == canonical && e.hash == hash)
}

/// The folder of sparkcheck's state: `$SPARKCHECK_STATE_DIR`, else
/// `$XDG_STATE_HOME/sparkcheck`, else `$HOME/.local/state/sparkcheck` (relative values are
/// ignored, as the XDG specification says).
pub fn state_dir() -> Option<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    absolute("SPARKCHECK_STATE_DIR")
        .or_else(|| absolute("XDG_STATE_HOME").map(|p| p.join("sparkcheck")))
        .or_else(|| absolute("HOME").map(|p| p.join(".local/state/sparkcheck")))
}

fn store_file() -> Option<PathBuf> {
    state_dir().map(|dir| dir.join("trusted"))
}

fn canonical_text(path: &Path) -> Option<String> {
    path.canonicalize()
        .ok()?
        .into_os_string()
        .into_string()
        .ok()
}

/// The store's entries; a missing store is empty, unreadable lines are dropped.
fn read_store(store: &Path) -> Result<Vec<Entry>, String> {
    match std::fs::read_to_string(store) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(format!(
            "cannot read the trust store `{}`: {e}",
            quote_path(store)
        )),
    }
}

fn write_store(store: &Path, entries: &[Entry]) -> Result<(), String> {
    let dir = store.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(|e| {
        format!(
            "cannot create the state folder `{}`: {e}; hint: set SPARKCHECK_STATE_DIR or \
             XDG_STATE_HOME to a writable folder",
            quote_path(dir)
        )
    })?;
    crate::output::write_atomically(store, |out| {
        for entry in entries {
            serde_json::to_writer(&mut *out, entry)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
    .map_err(|e| format!("cannot write the trust store `{}`: {e}", quote_path(store)))
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

pub fn quote_path(path: &Path) -> String {
    crate::output::shown(path)
}

/// The files a configuration's importers name relative to it, given its path and text
/// (the caller parses it: this module does not know the configuration's syntax).
pub type LocalFiles<'a> = &'a dyn Fn(&Path, &[u8]) -> Vec<PathBuf>;

/// Whether `entry` still holds: the file at its path has the content (and local files)
/// it was trusted with.
pub fn still_holds(entry: &Entry, local_files: LocalFiles<'_>) -> Option<bool> {
    let path = Path::new(&entry.path);
    let bytes = std::fs::read(path).ok()?;
    Some(fingerprint(&bytes, &local_files(path, &bytes)) == entry.hash)
}

/// Trusts `path` with its current content (and the local files it names); returns its
/// entry.
pub fn trust(path: &Path, local_files: LocalFiles<'_>) -> Result<Entry, String> {
    let shown = quote_path(path);
    let content = std::fs::read(path).map_err(|e| {
        format!("cannot read `{shown}`: {e}; hint: name an existing sparkcheck.toml")
    })?;
    let canonical = canonical_text(path).ok_or_else(|| {
        format!("cannot trust `{shown}`: its full path is not UTF-8; hint: pass it with --config")
    })?;
    let store = store_file().ok_or_else(no_state_dir)?;
    let mut entries = read_store(&store)?;
    entries.retain(|e| e.path != canonical);
    let entry = Entry {
        path: canonical,
        hash: fingerprint(&content, &local_files(path, &content)),
    };
    entries.push(entry.clone());
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    write_store(&store, &entries)?;
    Ok(entry)
}

/// Forgets `path`; returns whether it was trusted.
pub fn revoke(path: &Path) -> Result<bool, String> {
    // A file already deleted can be revoked by the path it had.
    let canonical = canonical_text(path)
        .or_else(|| {
            std::path::absolute(path)
                .ok()
                .and_then(|p| p.into_os_string().into_string().ok())
        })
        .unwrap_or_default();
    let store = store_file().ok_or_else(no_state_dir)?;
    let mut entries = read_store(&store)?;
    let before = entries.len();
    entries.retain(|e| e.path != canonical);
    if entries.len() == before {
        return Ok(false);
    }
    write_store(&store, &entries)?;
    Ok(true)
}

/// Every trusted configuration.
pub fn list() -> Result<Vec<Entry>, String> {
    let store = store_file().ok_or_else(no_state_dir)?;
    read_store(&store)
}

fn no_state_dir() -> String {
    "cannot find a state folder: neither SPARKCHECK_STATE_DIR, XDG_STATE_HOME nor HOME is \
     set to an absolute path; hint: set one of them"
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_in_hex() {
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
