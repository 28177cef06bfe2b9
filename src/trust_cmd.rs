//! `sparkcheck trust [FILE] [--list | --revoke]`: the command over the trust store.

use std::path::PathBuf;

use crate::cli::TrustArgs;
use crate::trust::{list, quote_path, revoke, still_holds, trust};
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
                let state = match still_holds(&entry, &local_files_of) {
                    Some(true) => "trusted",
                    Some(false) => "changed since trusted (not trusted)",
                    None => "missing",
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
        trust(&path, &local_files_of).map(|entry| {
            crate::output::print(&format!(
                "trusted `{}` (sha256 {}): its importers run when sparkcheck finds it; \
                 editing it or a plugin file it names revokes the trust\n",
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

/// The files the configuration `content` at `path` names relative to itself; none when
/// it does not parse (it cannot run anything then).
fn local_files_of(path: &std::path::Path, content: &[u8]) -> Vec<PathBuf> {
    std::str::from_utf8(content)
        .ok()
        .and_then(|text| crate::config::parse(path, text).ok())
        .map(|config| config.local_files)
        .unwrap_or_default()
}
