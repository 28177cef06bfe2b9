//! The one library pipeline: a [`Plan`] (inputs, configuration, policy, as-of) →
//! import → evaluate → build the report. Every command is its arguments, this, and a
//! printer, so plugins, defaults and file walking are decided here once.

use std::path::PathBuf;

use sparkcheck_facts::Progress;
use sparkcheck_importers::{Imported, InputError};
use sparkcheck_policies::{Evaluation, Policy, Settings};

use crate::config::Config;
use crate::report::json::Stream;
use crate::report::{ConfigOut, PairOut, Report};
use crate::triage::{Baseline, Triage};

/// The default `CODE_EXPIRING_SOON` window: 7 days.
pub const DEFAULT_EXPIRY_WINDOW: i64 = 7 * 86_400;

/// Everything a run depends on, settled before any input is read.
#[derive(Debug)]
pub struct Plan {
    /// Files and folders to read.
    pub inputs: Vec<PathBuf>,
    /// The configuration (plugins, suppressions, severities, defaults).
    pub config: Config,
    /// The policy to evaluate.
    pub policy: Policy,
    /// The evaluation instant, unix seconds.
    pub as_of: i64,
    /// `--expiry-window`, when given (else the configuration's, else 7 days).
    pub expiry_window: Option<i64>,
    /// Threads for import, evaluation and report building.
    pub threads: usize,
    /// An earlier report to compare with.
    pub baseline: Option<Baseline>,
    /// Show input paths relative to this folder (a test case's own folder).
    pub relative_to: Option<PathBuf>,
}

impl Plan {
    /// A plan over `inputs` with the defaults: no configuration, `preview`, one thread
    /// per core.
    pub fn new(inputs: Vec<PathBuf>, as_of: i64) -> Plan {
        Plan {
            inputs,
            config: Config::default(),
            policy: Policy::Preview,
            as_of,
            expiry_window: None,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            baseline: None,
            relative_to: None,
        }
    }

    /// The evaluation settings: flags win over the configuration, then the defaults.
    pub fn settings(&self) -> Settings {
        Settings {
            as_of: self.as_of,
            expiry_window: self
                .expiry_window
                .or(self.config.expiry_window)
                .unwrap_or(DEFAULT_EXPIRY_WINDOW),
            threads: self.threads.max(1),
        }
    }
}

/// What the run tells its caller as it goes: phase laps and progress.
pub struct Observer<'a> {
    /// Called at the end of each phase with its name.
    pub lap: &'a mut dyn FnMut(&'static str),
    /// Reading and evaluation progress.
    pub progress: Progress<'a>,
}

impl Observer<'_> {
    /// Runs `f` with an observer that shows nothing.
    pub fn quiet<T>(f: impl FnOnce(&mut Observer<'_>) -> T) -> T {
        let mut lap = |_: &'static str| {};
        let mut observer = Observer {
            lap: &mut lap,
            progress: &sparkcheck_facts::no_progress,
        };
        f(&mut observer)
    }
}

/// Why a run could not complete: every input that could not be used, or none found.
#[derive(Debug)]
pub enum RunError {
    /// Inputs that could not be used (each named).
    Inputs(Vec<InputError>),
    /// The paths hold no input file.
    NoInputs,
    /// The configuration may not be used as it is (an untrusted one declaring commands).
    Config(String),
}

/// A completed run.
#[derive(Debug)]
pub struct Run {
    /// The facts read.
    pub imported: Imported,
    /// The policy's evaluation.
    pub evaluation: Evaluation,
    /// The report.
    pub report: Report,
}

/// Reads the plan's inputs, with its configuration's plugins: only when the user named or
/// trusted that configuration (a folder never runs code on its own say-so).
pub fn import(plan: &Plan, observer: &mut Observer<'_>) -> Result<Imported, RunError> {
    plan.config.check_trust().map_err(RunError::Config)?;
    sparkcheck_importers::limits::set(plan.config.limits);
    let mut imported = sparkcheck_importers::import_paths(
        &plan.inputs,
        &plan.config.importers,
        plan.threads.max(1),
        observer.progress,
    );
    (observer.lap)("read");
    if !imported.errors.is_empty() {
        return Err(RunError::Inputs(std::mem::take(&mut imported.errors)));
    }
    if imported.facts.files.is_empty() {
        return Err(RunError::NoInputs);
    }
    if let Some(root) = &plan.relative_to {
        let prefix = format!("{}/", root.display());
        for file in &mut imported.facts.files {
            if let Some(relative) = file.path.strip_prefix(&prefix) {
                file.path = relative.to_string();
            }
        }
    }
    Ok(imported)
}

/// Imports, evaluates and builds the report.
pub fn run(plan: Plan, observer: &mut Observer<'_>) -> Result<Run, RunError> {
    Ok(evaluate(plan, observer)?.build(observer, None))
}

/// A run read and evaluated, its report not built yet.
#[derive(Debug)]
pub struct Evaluated {
    plan: Plan,
    imported: Imported,
    evaluation: Evaluation,
}

/// Imports and evaluates; [`Evaluated::build`] builds the report.
pub fn evaluate(plan: Plan, observer: &mut Observer<'_>) -> Result<Evaluated, RunError> {
    let imported = import(&plan, observer)?;
    let evaluation = plan.policy.evaluate_timed(
        &imported.facts,
        &plan.settings(),
        observer.lap,
        observer.progress,
    );
    Ok(Evaluated {
        plan,
        imported,
        evaluation,
    })
}

impl Evaluated {
    /// Builds the report; with a `stream`, writes the JSON report's findings as they are
    /// built when nothing changes them afterwards (the caller then finishes the stream).
    pub fn build(self, observer: &mut Observer<'_>, stream: Option<&mut Stream<'_>>) -> Run {
        let Evaluated {
            plan,
            imported,
            evaluation,
        } = self;
        let settings = plan.settings();
        let config = plan.config.path.as_ref().map(|path| ConfigOut {
            path: match &plan.relative_to {
                Some(root) => path
                    .strip_prefix(root)
                    .unwrap_or(path)
                    .display()
                    .to_string(),
                None => path.display().to_string(),
            },
            hash: plan.config.hash.clone().unwrap_or_default(),
            discovered: plan.config.discovered,
            severity: plan
                .config
                .severity
                .iter()
                .map(|(cause, severity)| {
                    let severity = match severity {
                        sparkcheck_policies::Severity::Error => crate::report::Severity::Error,
                        sparkcheck_policies::Severity::Warning => crate::report::Severity::Warning,
                    };
                    (cause.code().to_string(), severity)
                })
                .collect(),
        });
        let triage = Triage {
            severity: plan.config.severity,
            suppress: plan.config.suppress,
            baseline: plan.baseline,
        };
        let report = crate::build::build(
            &imported,
            &evaluation,
            &settings,
            plan.policy,
            &triage,
            config,
            stream,
        );
        (observer.lap)("report");
        Run {
            imported,
            evaluation,
            report,
        }
    }
}

impl Run {
    /// Every audited pair, sorted, for formats that list passing pairs too (JUnit).
    pub fn audited_pairs(&self) -> Vec<PairOut> {
        crate::build::audited_pairs(&self.imported, &self.evaluation)
    }
}

impl RunError {
    /// The error as the lines to print, each one message (see [`crate::terminal`]).
    pub fn lines(&self) -> Vec<String> {
        match self {
            RunError::Inputs(errors) => {
                let mut lines: Vec<String> = errors
                    .iter()
                    .map(|error| format!("error: {error}"))
                    .collect();
                let n = errors.len();
                lines.push(format!(
                    "error: {n} input {} could not be used; no report was written",
                    if n == 1 { "file" } else { "files" }
                ));
                lines
            }
            other => vec![other.to_string()],
        }
    }

    /// Prints every line of the error to standard error.
    pub fn print(&self) {
        for line in self.lines() {
            crate::terminal::say(&line);
        }
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Inputs(errors) => {
                for error in errors {
                    writeln!(f, "error: {error}")?;
                }
                let n = errors.len();
                write!(
                    f,
                    "error: {n} input {} could not be used; no report was written",
                    if n == 1 { "file" } else { "files" }
                )
            }
            RunError::Config(message) => write!(f, "error: {message}"),
            RunError::NoInputs => f.write_str(
                "error: no input files found under the paths given; hint: name the export files or their folder",
            ),
        }
    }
}
