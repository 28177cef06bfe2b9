//! `sparkcheck.toml`: suppressions with a reason, defaults for flags, severity overrides.
//!
//! ```toml
//! expiry-window = "14d"          # default for --expiry-window
//! fail-on = "warning"            # default for --fail-on (error, warning or new)
//!
//! [severity]                     # per-cause severity overrides
//! NO_PREVIEW_FORMAT = "error"
//!
//! [[suppress]]                   # a known finding to leave out of the exit status
//! cause = "CODE_EXPIRING_SOON"   # required
//! advertiser_id = "7100000000000000001"   # optional: advertiser_id, post_id, handle
//! reason = "renewal booked with the creator"   # required
//! until = "2026-12-31"           # optional: stops applying after this time
//! ```
//!
//! Command-line flags win over the file. A malformed file is exit 2 with its path, line and
//! column and what was expected.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sparkcheck_importers::PluginSpec;
use sparkcheck_policies::{Cause, Severity};

use crate::triage::Suppression;

/// The file looked for in the current folder when `--config` is not given.
pub const DEFAULT_FILE: &str = "sparkcheck.toml";

/// A validated configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where it was read from, for messages.
    pub path: Option<PathBuf>,
    /// `expiry-window` in seconds.
    pub expiry_window: Option<i64>,
    /// `fail-on`.
    pub fail_on: Option<crate::cli::FailOn>,
    /// `[severity]` overrides.
    pub severity: BTreeMap<Cause, Severity>,
    /// `[[suppress]]` entries, in file order.
    pub suppress: Vec<Suppression>,
    /// `[[importer]]` entries: external commands that turn files into facts.
    pub importers: Vec<PluginSpec>,
    /// Found by sparkcheck itself (not named with `--config`).
    pub discovered: bool,
    /// Named with `--config`, or trusted with `sparkcheck trust` for its current content:
    /// only then are its `[[importer]]` commands run.
    pub trusted: bool,
    /// The SHA-256 of its content (hex), for reports.
    pub hash: Option<String>,
    /// `strict`: any check not run or any rejected row fails the run.
    pub strict: bool,
    /// `history`: the audit history file, relative to the configuration's folder.
    pub history: Option<PathBuf>,
    /// `max-input-size` and `max-field-size`: how much one input may hold.
    pub limits: sparkcheck_importers::limits::Limits,
    /// The files `[[importer]]` commands name relative to the configuration (`./x.py`),
    /// resolved: trusting the configuration trusts their content too.
    pub local_files: Vec<PathBuf>,
}

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// Line and column (1-based), when known.
    pub at: Option<(usize, usize)>,
    /// What was expected and found.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(
                f,
                "`{}`:{line}:{column}: {}",
                self.path.display(),
                self.message
            ),
            None => write!(f, "`{}`: {}", self.path.display(), self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    expiry_window: Option<toml::Spanned<String>>,
    fail_on: Option<toml::Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    suppress: Vec<toml::Spanned<RawSuppression>>,
    #[serde(default)]
    importer: Vec<toml::Spanned<RawImporter>>,
    #[serde(default)]
    strict: bool,
    history: Option<String>,
    max_input_size: Option<toml::Spanned<String>>,
    max_field_size: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImporter {
    name: String,
    command: Vec<String>,
    files: Option<String>,
    header: Option<String>,
    timeout: Option<toml::Spanned<String>>,
    #[serde(rename = "max-output")]
    max_output: Option<toml::Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    cause: toml::Spanned<String>,
    advertiser_id: Option<String>,
    post_id: Option<String>,
    handle: Option<String>,
    reason: Option<String>,
    until: Option<toml::Spanned<String>>,
}

/// `sparkcheck.toml` in the current folder or the nearest parent that has one, as ruff
/// finds its configuration; the search stops at the filesystem root and at a folder that
/// holds `.git` (the top of a repository), after looking there.
pub fn discover() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    for (depth, dir) in cwd.ancestors().enumerate() {
        let candidate = dir.join(DEFAULT_FILE);
        if candidate.is_file() {
            // Shown as typed relative paths are shown: `sparkcheck.toml`, `../sparkcheck.toml`.
            let relative: PathBuf = std::iter::repeat_n("..", depth).collect();
            return Some(relative.join(DEFAULT_FILE));
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads `--config FILE`, or the `sparkcheck.toml` [`discover`] finds.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match discover() {
            Some(path) => path,
            None => return Ok(Config::default()),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
        path: path.clone(),
        at: None,
        message: format!("cannot read the configuration: {e}"),
    })?;
    let mut config = parse(&path, &text)?;
    // The bytes hashed are the bytes parsed: no window to swap the file in between.
    config.discovered = explicit.is_none();
    config.trusted =
        explicit.is_some() || crate::trust::is_trusted(&path, text.as_bytes(), &config.local_files);
    config.hash = Some(crate::trust::content_hash(text.as_bytes()));
    Ok(config)
}

impl Config {
    /// A discovered, untrusted config may set `history` only inside its own folder: it is
    /// data, and choosing where on the machine sparkcheck writes is not.
    pub fn check_history_place(&self) -> Result<(), String> {
        let (Some(path), Some(history)) = (&self.path, &self.history) else {
            return Ok(());
        };
        if self.trusted {
            return Ok(());
        }
        let canonical_folder = |p: &Path| {
            let folder = p
                .parent()
                .filter(|f| !f.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            folder.canonicalize().ok()
        };
        let inside = match (canonical_folder(path), canonical_folder(history)) {
            (Some(config_dir), Some(history_dir)) => history_dir.starts_with(&config_dir),
            // A history folder that does not exist yet: judged by its text.
            (Some(_), None) => path
                .parent()
                .and_then(|folder| history.strip_prefix(folder).ok())
                .is_some_and(|rest| {
                    !rest
                        .components()
                        .any(|c| !matches!(c, std::path::Component::Normal(_)))
                }),
            _ => false,
        };
        if inside {
            return Ok(());
        }
        let shown = crate::output::shown(path);
        Err(format!(
            "`{shown}` sets `history` to `{}`, outside its own folder, but sparkcheck found \
             this config itself and writes outside its folder only for a config named or \
             trusted; hint: pass `--config {shown}`, `--history FILE`, or run `sparkcheck \
             trust {shown}`",
            crate::output::shown(history)
        ))
    }

    /// A discovered config that is not trusted is data: its suppressions, defaults and
    /// severities apply, but if it declares `[[importer]]` commands the run must stop
    /// (exit 2) with this one-line message rather than run them.
    pub fn check_trust(&self) -> Result<(), String> {
        let (Some(path), Some(importer)) = (&self.path, self.importers.first()) else {
            return Ok(());
        };
        if self.trusted {
            return Ok(());
        }
        let shown = crate::output::shown(path);
        Err(format!(
            "`{shown}` declares importer `{}` (runs `{}`), but sparkcheck found this config \
             itself and does not run commands from it; hint: pass `--config {shown}`, or run \
             `sparkcheck trust {shown}`",
            sparkcheck_facts::quote(&importer.name),
            sparkcheck_facts::quote(&importer.command[0]),
        ))
    }
}

/// Parses and validates a configuration's text.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
        path: path.to_path_buf(),
        at: span.map(|s| line_column(text, s.start)),
        message,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end_matches('\n').replace('\n', "; ");
        error(e.span(), message)
    })?;
    let mut config = Config {
        path: Some(path.to_path_buf()),
        strict: raw.strict,
        history: raw
            .history
            .as_ref()
            .map(|h| path.parent().unwrap_or(Path::new("")).join(h)),
        ..Config::default()
    };
    for (key, value, limit) in [
        (
            "max-input-size",
            &raw.max_input_size,
            &mut config.limits.max_file,
        ),
        (
            "max-field-size",
            &raw.max_field_size,
            &mut config.limits.max_field,
        ),
    ] {
        if let Some(value) = value {
            *limit = sparkcheck_importers::limits::parse_size(value.get_ref())
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| {
                    error(
                        Some(value.span()),
                        format!(
                            "`{key}`: expected a size such as `512MiB` or `8GiB`, found `{}`",
                            sparkcheck_facts::quote(value.get_ref())
                        ),
                    )
                })?;
        }
    }
    if let Some(window) = raw.expiry_window {
        let seconds = sparkcheck_facts::time::parse_duration(window.get_ref())
            .map_err(|m| error(Some(window.span()), format!("`expiry-window`: {m}")))?;
        config.expiry_window = Some(seconds);
    }
    if let Some(fail_on) = raw.fail_on {
        let value = <crate::cli::FailOn as clap::ValueEnum>::from_str(fail_on.get_ref(), true)
            .map_err(|_| {
                error(
                    Some(fail_on.span()),
                    format!(
                        "`fail-on`: expected `error`, `warning` or `new`, found `{}`",
                        fail_on.get_ref()
                    ),
                )
            })?;
        config.fail_on = Some(value);
    }
    for (code, severity) in raw.severity {
        let cause = Cause::from_code(&code).ok_or_else(|| {
            error(
                Some(severity.span()),
                format!(
                    "`[severity]`: `{code}` is not a cause; hint: `sparkcheck explain` lists them"
                ),
            )
        })?;
        let value = match severity.get_ref().to_ascii_lowercase().as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            other => {
                return Err(error(
                    Some(severity.span()),
                    format!("`[severity]`: expected `error` or `warning`, found `{other}`"),
                ))
            }
        };
        config.severity.insert(cause, value);
    }
    for (index, entry) in raw.suppress.into_iter().enumerate() {
        let span = entry.span();
        let raw = entry.into_inner();
        let cause = Cause::from_code(raw.cause.get_ref()).ok_or_else(|| {
            error(
                Some(raw.cause.span()),
                format!(
                    "`[[suppress]]`: `{}` is not a cause; hint: `sparkcheck explain` lists them",
                    raw.cause.get_ref()
                ),
            )
        })?;
        let reason = raw.reason.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
            error(
                Some(span.clone()),
                "`[[suppress]]`: expected a `reason`, found none".to_string(),
            )
        })?;
        let until = match raw.until {
            Some(until) => Some(
                sparkcheck_facts::time::parse_instant(until.get_ref())
                    .map_err(|e| error(Some(until.span()), format!("`until`: {e}")))?,
            ),
            None => None,
        };
        config.suppress.push(Suppression {
            index,
            cause,
            advertiser_id: raw.advertiser_id,
            post_id: raw.post_id,
            handle: raw
                .handle
                .map(|h| h.trim().trim_start_matches('@').to_lowercase()),
            reason,
            until,
        });
    }
    for entry in raw.importer {
        let span = entry.span();
        let raw = entry.into_inner();
        if raw.name.trim().is_empty() || raw.command.is_empty() || raw.command[0].trim().is_empty()
        {
            return Err(error(
                Some(span),
                "`[[importer]]`: expected a `name` and a non-empty `command` list".to_string(),
            ));
        }
        if raw.files.is_none() && raw.header.is_none() {
            return Err(error(
                Some(span),
                format!("`[[importer]]` `{}`: expected `files` (a pattern) or `header` (a column name) to choose its files", raw.name),
            ));
        }
        let timeout = match raw.timeout {
            Some(t) => sparkcheck_facts::time::parse_duration(t.get_ref())
                .map_err(|m| error(Some(t.span()), format!("`timeout`: {m}")))?,
            None => 60,
        };
        let max_output = match raw.max_output {
            Some(m) => sparkcheck_importers::limits::parse_size(m.get_ref())
                .map_err(|e| error(Some(m.span()), format!("`max-output`: {e}")))?,
            None => sparkcheck_importers::formats::plugin::DEFAULT_MAX_OUTPUT,
        };
        // `./x` and `../x` in a command are relative to the configuration's own folder, so
        // the config works from any folder it is used from.
        let folder = path.parent().unwrap_or(Path::new(""));
        let command = raw
            .command
            .into_iter()
            .map(|part| {
                if part.starts_with("./") || part.starts_with("../") {
                    let local = folder.join(&part);
                    config.local_files.push(local.clone());
                    local.to_string_lossy().into_owned()
                } else {
                    part
                }
            })
            .collect();
        config.importers.push(PluginSpec {
            name: raw.name,
            command,
            files: raw.files,
            header: raw.header,
            timeout: u64::try_from(timeout.max(1)).unwrap_or(60),
            max_output,
        });
    }
    Ok(config)
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The starter configuration `sparkcheck init` writes: every setting commented, nothing
/// that changes a result until the user uncomments it.
pub const STARTER: &str = r#"# sparkcheck.toml: read from the folder sparkcheck runs in or the nearest parent
# (up to the top of the repository). Flags on the command line win over this file.

# expiry-window = "7d"      # CODE_EXPIRING_SOON fires for codes ending within this window
# fail-on = "error"         # what makes the exit status 1: error, warning or new (with --baseline)
# strict = false            # true: a check not run or a rejected row fails the run too
# history = "audits.db"     # record every audit here (relative to this file)

# [severity]                # per-cause severity overrides (`sparkcheck explain` lists causes)
# NO_PREVIEW_FORMAT = "error"

# [[suppress]]              # a known finding to leave out of the exit status, with why
# cause = "CODE_EXPIRING_SOON"
# handle = "@maya.moves"    # optional: advertiser_id, post_id, handle narrow it
# reason = "renewal booked for Monday"
# until = "2026-12-31"      # optional: it stops applying after this time

# [[importer]]              # an external command that turns files into facts; it runs only
# name = "roster"           # when this file is named with --config or `sparkcheck trust`ed
# command = ["python3", "./roster_to_facts.py"]   # no shell; ./ is this file's folder
# files = "*.roster"
# timeout = "60s"
"#;

/// `sparkcheck init [FILE]`: writes [`STARTER`], never over an existing file.
pub fn init(file: &Path) -> crate::ExitStatus {
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, STARTER.as_bytes()));
    match created {
        Ok(()) => {
            crate::say!(
                "wrote `{}`; edit it, then run `sparkcheck audit`",
                file.display()
            );
            crate::ExitStatus::Success
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            crate::say!(
                "error: `{}` exists already; hint: edit it, or name another file",
                crate::output::shown(file)
            );
            crate::ExitStatus::Error
        }
        Err(e) => {
            crate::say!("error: cannot write `{}`: {e}", crate::output::shown(file));
            crate::ExitStatus::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, ConfigError> {
        parse(Path::new("sparkcheck.toml"), text)
    }

    #[test]
    fn a_full_configuration_is_read() {
        let config = parse_text(
            "expiry-window = \"14d\"\nfail-on = \"warning\"\n[severity]\nNO_PREVIEW_FORMAT = \"error\"\n\
             [[suppress]]\ncause = \"code_expiring_soon\"\nhandle = \"@Maya\"\nreason = \"renewal booked\"\nuntil = \"2026-12-31\"\n",
        )
        .unwrap();
        assert_eq!(config.expiry_window, Some(14 * 86_400));
        assert_eq!(config.severity[&Cause::NoPreviewFormat], Severity::Error);
        assert_eq!(config.suppress[0].handle.as_deref(), Some("maya"));
        assert_eq!(config.suppress[0].cause, Cause::CodeExpiringSoon);
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let cases = [
            (
                "fail-on = \"sometimes\"\n",
                (1, 11),
                "expected `error`, `warning` or `new`",
            ),
            (
                "\n[[suppress]]\ncause = \"NOPE\"\nreason = \"x\"\n",
                (3, 9),
                "`NOPE` is not a cause",
            ),
            (
                "[[suppress]]\ncause = \"CODE_MISSING\"\n",
                (1, 1),
                "expected a `reason`",
            ),
            ("expiry-window = \"soon\"\n", (1, 17), "expected a duration"),
            ("colour = \"red\"\n", (1, 1), "unknown field `colour`"),
            (
                "[severity]\nCODE_MISSING = \"fatal\"\n",
                (2, 16),
                "expected `error` or `warning`",
            ),
            (
                "expiry-window = \n",
                (1, 17),
                "string values must be quoted",
            ),
        ];
        for (text, at, expected) in cases {
            let error = parse_text(text).unwrap_err();
            assert_eq!(error.at, Some(at), "{text:?}: {error}");
            assert!(error.message.contains(expected), "{text:?}: {error}");
            assert!(!error.to_string().contains('\n'), "one line: {error}");
        }
    }
}
