//! A progress bar on stderr for long runs at a terminal, and nothing anywhere else.
//!
//! The bar starts hidden and appears only once a run has taken a second, so quick audits
//! never flash one; it is never drawn off a terminal (pipes, CI logs) or with `--quiet`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_secs(1);

/// What the run is doing.
#[derive(Copy, Clone, Debug)]
pub enum Phase {
    /// Reading input bytes.
    Reading,
    /// Evaluating policy shards.
    Evaluating,
    /// Building and writing the report.
    Reporting,
}

/// The run's progress bar (maybe never shown).
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
    length: AtomicU64,
}

impl Progress {
    /// A bar that may show on stderr when `enabled` (a terminal, not `--quiet`).
    pub fn new(enabled: bool) -> Self {
        let bar =
            enabled.then(|| ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden()));
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            length: AtomicU64::new(0),
        }
    }

    /// Moves to a phase with its own unit of work.
    pub fn phase(&self, phase: Phase) {
        if let Some(bar) = &self.bar {
            let (name, template) = match phase {
                Phase::Reading => (
                    "reading",
                    "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {elapsed}",
                ),
                Phase::Evaluating => (
                    "evaluating",
                    "{msg:>10} [{bar:30}] {pos}/{len} shards {elapsed}",
                ),
                Phase::Reporting => ("reporting", "{msg:>10} {spinner} {elapsed}"),
            };
            let style = ProgressStyle::with_template(template).expect("a valid template");
            bar.set_style(style.progress_chars("=> "));
            bar.set_message(name);
            bar.set_position(0);
            bar.set_length(0);
            self.length.store(0, Ordering::Relaxed);
            self.show_if_slow(bar);
        }
    }

    /// Records `done` more units out of `total`.
    pub fn advance(&self, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            if self.length.swap(total, Ordering::Relaxed) != total {
                bar.set_length(total);
            }
            bar.inc(done);
            self.show_if_slow(bar);
        }
    }

    fn show_if_slow(&self, bar: &ProgressBar) {
        if !self.shown.load(Ordering::Relaxed) && self.started.elapsed() >= DELAY {
            self.shown.store(true, Ordering::Relaxed);
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Moves a spinner along.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// Removes the bar before the report or any error is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
