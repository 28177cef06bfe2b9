//! The trust store: which configurations may run their `[[importer]]` commands although
//! sparkcheck found them itself (issue 13 §1), as direnv and mise do.
//!
//! `sparkcheck trust [FILE]` records the file's canonical path and the SHA-256 of its
//! content in `$SPARKCHECK_STATE_DIR/trusted`, else `$XDG_STATE_HOME/sparkcheck/trusted`,
//! else `$HOME/.local/state/sparkcheck/trusted`: one JSON object a line,
//! `{"path": "...", "hash": "..."}`, written atomically. Editing the file revokes the trust:
//! its hash no longer matches. A path that is not UTF-8 cannot be trusted (it can still be
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

/// Whether the configuration at `path`, whose content is `content` (the bytes the caller
/// read and will use), was trusted with exactly this content.
pub fn is_trusted(path: &Path, content: &[u8]) -> bool {
    let Some(canonical) = canonical_text(path) else {
        return false;
    };
    let Some(store) = store_file() else {
        return false;
    };
    let hash = content_hash(content);
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

/// Trusts `path` with its current content; returns its entry.
pub fn trust(path: &Path) -> Result<Entry, String> {
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
        hash: content_hash(&content),
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
