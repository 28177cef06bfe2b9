//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  sparkcheck audit samples/ --as-of 2026-11-20
  sparkcheck audit ads.csv bc.csv codes.csv --format json --output report.json
  sparkcheck audit exports/ --fail-on warning --expiry-window 14d
  sparkcheck audit exports/ -o report.html -o worklists.xlsx -o findings.csv -o junit.xml

Input kinds are recognised from their header row (any column order, any case, extra
columns ignored; `,` `;` or tab; UTF-8 with or without BOM; also .xlsx sheets):
  ads         Account ID, Ad ID, Identity Type, Identity, Post ID
  bc          BC ID, TikTok Account, Ad Account ID, Permissions [Status, Valid Until, Ad Account Role]
  codes       Auth Code, Post ID, TikTok Account, Ad Account ID, Status [End Time, Post Status, Item Type]
  links       TikTok Account, Status [Connected At]
  identities  Advertiser ID, Identity Type, TikTok Account, Available Status [Identity Authorized BC ID]
Saved TikTok API responses (.json/.jsonl) are read by shape, sparkcheck facts (JSON Lines)
by their header line, and `[[importer]]` plugins from the configuration take the files they
claim.

Exit status: 0 no finding at or above --fail-on, 1 at least one, 2 the run could not complete.";

/// Explains why TikTok Spark Ads posts cannot be previewed, who must fix each one, and how.
#[derive(Debug, Parser)]
#[command(
    name = "sparkcheck",
    version,
    about,
    propagate_version = true,
    after_help = "Examples:\n  sparkcheck audit samples/ --as-of 2026-11-20        # audit a folder of exports\n  \
sparkcheck audit exports/ -o report.html -o report.xlsx --history audits.db\n  \
sparkcheck explain CODE_EXPIRED                       # what a cause means and how to fix it\n  \
sparkcheck init                                       # write a starter sparkcheck.toml\n\n\
Exit status: 0 nothing failing, 1 findings at or above --fail-on, 2 the run could not complete."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit Spark Ads exports and explain every post that cannot preview.
    #[command(after_help = AFTER_HELP)]
    Audit(AuditArgs),
    /// Explain a cause: what it means, why it happens, who fixes it and how.
    #[command(
        after_help = "Examples:\n  sparkcheck explain CODE_EXPIRED\n  sparkcheck explain --all --markdown > docs/causes.md"
    )]
    Explain {
        /// The cause code, such as `CODE_EXPIRED` (any case).
        cause: Option<String>,
        /// Every cause.
        #[arg(long)]
        all: bool,
        /// As Markdown (the form of docs/causes.md).
        #[arg(long)]
        markdown: bool,
    },
    /// List the policies and the causes each can report.
    Policies,
    /// Print the facts read from the inputs as JSON Lines (the format plugins write).
    #[command(
        after_help = "Examples:\n  sparkcheck facts samples/ > portfolio.jsonl\n  sparkcheck audit portfolio.jsonl --as-of 2026-11-20   # facts round-trip\n  sparkcheck facts --schema"
    )]
    Facts(FactsArgs),
    /// Run test cases: audit each case folder and compare with its expected report.
    Test(TestArgs),
    /// List the applied codes that stop working within a window, so creators renew in time.
    #[command(
        after_help = "Example:\n  sparkcheck expiring samples/ --within 30d --as-of 2026-11-20"
    )]
    Expiring(ExpiringArgs),
    /// Trust a sparkcheck.toml so its `[[importer]]` commands run when sparkcheck finds it
    /// (its path and content hash are recorded; editing the file revokes the trust).
    #[command(
        after_help = "sparkcheck runs the commands of a configuration only when it is named with\n\
--config FILE or trusted here: a sparkcheck.toml found in a folder is data.\n\n\
Examples:\n  sparkcheck trust                      # ./sparkcheck.toml\n  \
sparkcheck trust clients/acme/sparkcheck.toml\n  sparkcheck trust --list\n  \
sparkcheck trust --revoke sparkcheck.toml"
    )]
    Trust(TrustArgs),
    /// Ask the audit history (`audit --history FILE`): runs, trends, changes, what is open.
    History(crate::history_cmd::HistoryArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  sparkcheck completions bash > ~/.local/share/bash-completion/completions/sparkcheck\n  \
sparkcheck completions zsh > ~/.zfunc/_sparkcheck\n  sparkcheck completions fish > ~/.config/fish/completions/sparkcheck.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Write a commented starter sparkcheck.toml that audits as it is.
    #[command(after_help = "Example:\n  sparkcheck init && sparkcheck audit . --as-of 2026-11-20")]
    Init {
        /// Where to write it.
        #[arg(default_value = "sparkcheck.toml")]
        file: PathBuf,
    },
}

/// `sparkcheck trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The configuration [default: ./sparkcheck.toml].
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// List the trusted configurations and whether each is still trusted.
    #[arg(long, conflicts_with_all = ["file", "revoke"])]
    pub list: bool,
    /// Forget FILE instead of trusting it.
    #[arg(long)]
    pub revoke: bool,
}

/// `sparkcheck facts`.
#[derive(Debug, Args)]
pub struct FactsArgs {
    /// Input files and folders.
    #[arg(value_name = "PATH", required_unless_present = "schema")]
    pub paths: Vec<PathBuf>,
    /// Print the JSON Schema of one line instead.
    #[arg(long)]
    pub schema: bool,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The configuration (for its `[[importer]]` plugins) [default: ./sparkcheck.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `sparkcheck test`.
#[derive(Debug, Args)]
#[command(
    after_help = "A case is a folder with input files, `expected.json` (the report it must\n\
give) and optionally `case.toml`:\n  as-of = \"2026-11-20\"      # required unless given here\n  \
policy = \"preview\"        # or delivery\n  config = \"sparkcheck.toml\"  # relative to the case\n\n\
Example:\n  sparkcheck test samples/cases          # exit 1 and a diff when a case differs\n  \
sparkcheck test samples/cases --update # write what the rules now say"
)]
pub struct TestArgs {
    /// The folder holding the case folders (or one case folder).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Rewrite each case's expected.json with the current result.
    #[arg(long)]
    pub update: bool,
}

/// `sparkcheck expiring`.
#[derive(Debug, Args)]
pub struct ExpiringArgs {
    /// Input files and folders (folders are read recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How far ahead to look, for example `30d` or `2w`.
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_duration)]
    pub within: i64,

    /// Evaluate as of this instant instead of now.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub as_of: Option<i64>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ExpiringFormat::Text)]
    pub format: ExpiringFormat,

    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The configuration (for its `[[importer]]` plugins) [default: ./sparkcheck.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `sparkcheck expiring --format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExpiringFormat {
    /// By date, for a terminal.
    Text,
    /// One row per post and ad account.
    Csv,
    /// The forecast as JSON.
    Json,
}

/// `sparkcheck audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Input files and folders (folders are read recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Evaluate as of this instant (UTC unless an offset is given) instead of now,
    /// for example `2026-11-20`, `2026-11-20 09:30` or `2026-11-20T09:30:00+01:00`.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub as_of: Option<i64>,

    /// Warn about codes that end within this window, for example `7d`, `36h` or `2w`
    /// [default: the config's `expiry-window`, else 7d].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub expiry_window: Option<i64>,

    /// What makes the exit status 1: error findings, warnings too, or only error findings
    /// that are new against --baseline [default: the config's `fail-on`, else error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// An earlier JSON report, or `history` for the last run in --history: findings are
    /// marked new or persisting, and the ones gone are listed as resolved.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,

    /// Append this run to an audit history (a SQLite file, created when missing), and give
    /// every finding `first_seen`; `--baseline history` then compares with its last run
    /// [default: the config's `history`].
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// The configuration (suppressions, defaults, severity overrides) [default:
    /// ./sparkcheck.toml when it exists].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// How the text report groups findings.
    #[arg(long, value_enum, default_value_t = GroupBy::Account)]
    pub by: GroupBy,

    /// Report format [default: text on standard output; for --output files, the format
    /// their extension names: .json .csv .xlsx .md .html .xml (JUnit) .txt].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of standard output; repeat for several reports in
    /// one run (each written atomically).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Vec<PathBuf>,

    /// The policy to evaluate.
    #[arg(long, value_enum, default_value_t = Policy::Preview)]
    pub policy: Policy,

    /// When to colour the text report: `auto` colours on a terminal unless NO_COLOR is
    /// set; `always` and `never` win over NO_COLOR (no-color.org).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Threads evaluating the policy (default: one per core); the report is the same
    /// whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,

    /// Fail (exit 1) when any check could not run or any row was rejected, so CI is never
    /// green on missing evidence [default: the config's `strict`, else off].
    #[arg(long)]
    pub strict: bool,

    /// Exit 0 even when findings would fail the run (as ruff's `--exit-zero`); a run that
    /// cannot complete still exits 2.
    #[arg(long)]
    pub exit_zero: bool,

    /// Print the number of findings per cause, most first, instead of the report.
    #[arg(long)]
    pub statistics: bool,

    /// Errors only: no progress bar, no notes, no summary line on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print each phase's time and the peak memory to stderr as one JSON line.
    #[arg(long)]
    pub timings: bool,
}

/// `--fail-on`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Error findings fail the run.
    Error,
    /// Warnings fail it too.
    Warning,
    /// Only error findings that are new against --baseline fail it.
    New,
}

/// `--by`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// By ad account, then post.
    Account,
    /// By owner role: each role's fix actions, the ones that clear most findings first.
    Role,
}

/// `--format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by ad account, then post, for a terminal.
    Text,
    /// The canonical, versioned report.
    Json,
    /// One row per finding, for spreadsheets (UTF-8 with BOM, formulas neutralised).
    Csv,
    /// An Excel workbook: IDs as text, frozen header, a worklist sheet per owner role.
    Xlsx,
    /// GitHub-flavoured Markdown, for tickets and PR comments (also `md`).
    #[value(alias = "md")]
    Markdown,
    /// One self-contained HTML page with charts and filters.
    Html,
    /// JUnit XML, one test case per audited post, for CI.
    Junit,
    /// GitHub Actions workflow commands: an annotation per finding on its evidence row.
    Github,
}

impl Format {
    /// The format an output file's extension names.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "txt" | "text" => Format::Text,
            "json" => Format::Json,
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "xml" => Format::Junit,
            _ => return None,
        })
    }
}

/// `--policy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Policy {
    /// Why posts do not preview (the troubleshooting guide's checklist).
    Preview,
    /// Whether each ad can run as a Spark Ad at all, by its identity type.
    Delivery,
}

impl Policy {
    /// The policy in the engine.
    pub fn policy(self) -> sparkcheck_policies::Policy {
        match self {
            Policy::Preview => sparkcheck_policies::Policy::Preview,
            Policy::Delivery => sparkcheck_policies::Policy::Delivery,
        }
    }
}

/// `--color`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal when NO_COLOR is not set.
    Auto,
    /// Always colour (wins over NO_COLOR, which only changes the `auto` default).
    Always,
    /// Never colour.
    Never,
}

fn parse_instant(text: &str) -> Result<i64, String> {
    sparkcheck_facts::time::parse_instant(text).map_err(|e| e.to_string())
}

fn parse_duration(text: &str) -> Result<i64, String> {
    sparkcheck_facts::time::parse_duration(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
