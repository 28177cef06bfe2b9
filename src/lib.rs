//! sparkcheck: explains why TikTok Spark Ads posts cannot be previewed, who must fix each
//! one, and how.
//!
//! Data flows one way: files → [`sparkcheck_importers`] → [`sparkcheck_facts::Facts`] →
//! [`sparkcheck_policies`] → findings → [`build`] (with [`triage`]) → [`report`]. The
//! [`pipeline`] runs it for every command; each command module is its arguments and a
//! printer; the binary only parses arguments and maps the outcome to an exit code.

pub mod audit;
pub mod build;
pub mod casetest;
pub mod cli;
pub mod config;
pub mod expiring;
pub mod explain;
pub mod facts_cmd;
pub mod history_cmd;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod terminal;
pub mod triage;
pub mod trust;
pub mod trust_cmd;
pub mod writeback;

/// How a run ended, as linters report it.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ExitStatus {
    /// No finding at or above `--fail-on`.
    Success,
    /// At least one finding at or above `--fail-on`.
    Failure,
    /// The run could not be completed.
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => std::process::ExitCode::from(0),
            ExitStatus::Failure => std::process::ExitCode::from(1),
            ExitStatus::Error => std::process::ExitCode::from(2),
        }
    }
}
