//! `sparkcheck trust [FILE] [--list | --revoke]`: the command over the trust store.

use std::path::PathBuf;

use crate::cli::TrustArgs;
use crate::trust::{content_hash, list, quote_path, revoke, trust};
use crate::ExitStatus;

/// `sparkcheck trust [FILE] [--list | --revoke]`.
pub fn run(args: &TrustArgs) -> ExitStatus {
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::config::DEFAULT_FILE));
    let result = if args.list {
        list().map(|entries| {
            let mut text = String::new();
            for entry in entries {
                let state = match std::fs::read(&entry.path) {
                    Ok(bytes) if content_hash(&bytes) == entry.hash => "trusted",
                    Ok(_) => "changed since trusted (not trusted)",
                    Err(_) => "missing",
                };
                text.push_str(&format!(
                    "{}  {}  {state}\n",
                    entry.hash,
                    crate::output::escape(&entry.path)
                ));
            }
            crate::output::print(&text);
        })
    } else if args.revoke {
        revoke(&path).map(|was| {
            let shown = quote_path(&path);
            crate::output::print(&if was {
                format!("revoked `{shown}`: its importers run only with --config again\n")
            } else {
                format!("`{shown}` was not trusted\n")
            });
        })
    } else {
        trust(&path).map(|entry| {
            crate::output::print(&format!(
                "trusted `{}` (sha256 {}): its importers run when sparkcheck finds it; \
                 editing it revokes the trust\n",
                crate::output::escape(&entry.path),
                entry.hash
            ));
        })
    };
    match result {
        Ok(()) => ExitStatus::Success,
        Err(message) => {
            crate::say!("error: {message}");
            ExitStatus::Error
        }
    }
}
