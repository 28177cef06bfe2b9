//! Policies: facts → findings.
//!
//! A policy is a crepe Datalog program over the input relations of
//! [`sparkcheck_facts::Facts`]. crepe keeps no provenance, so every derived finding tuple
//! carries the id of an input row (or row group) that proves it; [`Evaluation`] turns
//! those into per-finding evidence lists after the run. The [`catalogue`] holds what each
//! cause means and how to fix it.

mod ad_index;
pub mod catalogue;
mod coverage;
pub mod delivery;
pub mod engine;
#[cfg(test)]
mod fork_of_crepe;
pub mod preview;
pub mod shard;

pub use ad_index::AdIndex;
pub use catalogue::{Cause, CauseInfo, OwnerRole, Severity};
pub use coverage::{coverage, Coverage};

use sparkcheck_facts::Sym;

/// A policy: a question the rules answer about every audited pair.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    /// Why a Spark post does not preview in the preview tool (the default).
    Preview,
    /// Whether each ad can run as a Spark Ad at all, by its identity type.
    Delivery,
}

impl Policy {
    /// Every policy.
    pub const ALL: [Policy; 2] = [Policy::Preview, Policy::Delivery];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Preview => "preview",
            Policy::Delivery => "delivery",
        }
    }

    /// The question it answers.
    pub fn question(self) -> &'static str {
        match self {
            Policy::Preview => "Why does this Spark post not preview in the preview tool?",
            Policy::Delivery => "Can this ad run as a Spark Ad at all, given its identity type?",
        }
    }

    /// The causes it can report, in catalogue order.
    pub fn causes(self) -> &'static [Cause] {
        match self {
            Policy::Preview => &[
                Cause::HandleNotInBc,
                Cause::HandleNotShared,
                Cause::NoAdDelivery,
                Cause::ShareInactive,
                Cause::AnalystOnly,
                Cause::CodeMissing,
                Cause::CodeNotApplied,
                Cause::CodeExpired,
                Cause::CodeRevoked,
                Cause::CodeExpiringSoon,
                Cause::CustomIdentity,
                Cause::WrongIdentity,
                Cause::NotLinked,
                Cause::PostUnavailable,
                Cause::NoPreviewFormat,
                Cause::IdentityUnavailable,
            ],
            Policy::Delivery => &[
                Cause::HandleNotInBc,
                Cause::HandleNotShared,
                Cause::NoAdDelivery,
                Cause::ShareInactive,
                Cause::AnalystOnly,
                Cause::CodeMissing,
                Cause::CodeNotApplied,
                Cause::CodeExpired,
                Cause::CodeRevoked,
                Cause::CodeExpiringSoon,
                Cause::CustomIdentity,
                Cause::WrongIdentity,
                Cause::PostUnavailable,
                Cause::TtAccountNotLinked,
                Cause::IdentityUnavailable,
            ],
        }
    }

    /// The policy whose name is `name`.
    pub fn from_name(name: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Evaluates the policy, with phase laps and shard progress.
    pub fn evaluate_timed(
        self,
        facts: &sparkcheck_facts::Facts,
        settings: &Settings,
        lap: &mut dyn FnMut(&'static str),
        progress: sparkcheck_facts::Progress<'_>,
    ) -> Evaluation {
        engine::evaluate(self.run_shard(), facts, settings, None, lap, progress)
    }

    /// Evaluates the policy in exactly `shards` shards, for tests that compare shardings.
    pub fn evaluate_sharded(
        self,
        facts: &sparkcheck_facts::Facts,
        settings: &Settings,
        shards: usize,
    ) -> Evaluation {
        engine::evaluate(
            self.run_shard(),
            facts,
            settings,
            Some(shards),
            &mut |_| {},
            &sparkcheck_facts::no_progress,
        )
    }

    fn run_shard(self) -> engine::RunShard {
        match self {
            Policy::Preview => preview::run_shard,
            Policy::Delivery => delivery::run_shard,
        }
    }

    /// Evaluates the policy.
    pub fn evaluate(self, facts: &sparkcheck_facts::Facts, settings: &Settings) -> Evaluation {
        self.evaluate_timed(facts, settings, &mut |_| {}, &sparkcheck_facts::no_progress)
    }
}

/// What an evaluation is relative to.
#[derive(Copy, Clone, Debug)]
pub struct Settings {
    /// The instant the policy is evaluated at, unix seconds.
    pub as_of: i64,
    /// How long before a code's end `CODE_EXPIRING_SOON` fires, in seconds.
    pub expiry_window: i64,
    /// Threads evaluating shards (at least 1); the result does not depend on it.
    pub threads: usize,
}

/// An input row that proves (part of) a finding: an index into a [`sparkcheck_facts::Facts`] table.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Evidence {
    /// `facts.ads[i]`.
    Ad(u32),
    /// `facts.shares[i]`.
    Share(u32),
    /// `facts.codes[i]`.
    Code(u32),
    /// `facts.links[i]`.
    Link(u32),
    /// `facts.identities[i]`.
    Identity(u32),
}

/// One (ad account, post, cause) that is wrong.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Finding {
    /// The ad account.
    pub advertiser: Sym,
    /// The post.
    pub post: Sym,
    /// What is wrong.
    pub cause: Cause,
    /// The handles the finding concerns (the post's creator(s)), sorted, maybe none.
    pub handles: Vec<Sym>,
    /// The ads concerned (indexes into `facts.ads`), sorted by file and line.
    pub ads: Vec<u32>,
    /// The rows that prove it, sorted by file and line, each once.
    pub evidence: Vec<Evidence>,
}

/// The outcome of a policy run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Findings sorted by (advertiser_id, post_id, cause code) as text.
    pub findings: Vec<Finding>,
    /// Every audited (ad account, post) pair, sorted by symbol id (they are counted, not
    /// printed).
    pub pairs: Vec<(Sym, Sym)>,
    /// Pairs whose post has no known creator: their BC and link checks could not run.
    pub unchecked: Vec<(Sym, Sym)>,
    /// Spark ads audited and ordinary (non-Spark) ads counted but not audited.
    pub spark_ads: usize,
    /// Ads without a post.
    pub non_spark_ads: usize,
}
