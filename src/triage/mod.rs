//! Triage: what the user says about findings, applied to typed keys. Severity overrides
//! and suppressions come from the configuration, the baseline from an earlier report.
//! Nothing here knows how a report is printed.

pub mod baseline;

use std::collections::BTreeMap;

use sparkcheck_policies::{Cause, Severity};

pub use baseline::{Baseline, BaselineFinding};

/// A finding's stable key: (ad account, post, cause). Reruns and reordered inputs keep it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    /// The ad account.
    pub advertiser_id: String,
    /// The post.
    pub post_id: String,
    /// The cause code (a code may be retired: baselines keep what they had).
    pub cause: String,
}

/// What shapes a report beyond the evaluation.
#[derive(Debug, Default)]
pub struct Triage {
    /// Per-cause severity overrides.
    pub severity: BTreeMap<Cause, Severity>,
    /// Suppressions, in file order.
    pub suppress: Vec<Suppression>,
    /// The previous report's findings.
    pub baseline: Option<Baseline>,
}

impl Triage {
    /// The severity of `cause` after any override.
    pub fn severity(&self, cause: Cause) -> Severity {
        self.severity
            .get(&cause)
            .copied()
            .unwrap_or(cause.info().severity)
    }

    /// The first suppression that applies at `as_of` to the finding, by its index.
    pub fn suppression(
        &self,
        advertiser_id: &str,
        post_id: &str,
        cause: Cause,
        handles: &[&str],
        as_of: i64,
    ) -> Option<usize> {
        self.suppress
            .iter()
            .position(|s| s.matches(advertiser_id, post_id, cause, handles, as_of))
    }
}

/// One `[[suppress]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// Its position among the entries (0-based), to name it in messages.
    pub index: usize,
    /// The cause it matches.
    pub cause: Cause,
    /// Optional narrowing.
    pub advertiser_id: Option<String>,
    /// Optional narrowing.
    pub post_id: Option<String>,
    /// Optional narrowing, compared without `@`, case-insensitively.
    pub handle: Option<String>,
    /// Why it is suppressed (required).
    pub reason: String,
    /// After this instant (unix seconds) it no longer applies.
    pub until: Option<i64>,
}

impl Suppression {
    /// Whether it applies at `as_of` to a finding of `cause` for these handles (bare,
    /// normalised: no `@`, lower case).
    pub fn matches(
        &self,
        advertiser_id: &str,
        post_id: &str,
        cause: Cause,
        handles: &[&str],
        as_of: i64,
    ) -> bool {
        if self.until.is_some_and(|until| until < as_of) || cause != self.cause {
            return false;
        }
        self.advertiser_id
            .as_deref()
            .is_none_or(|a| a == advertiser_id)
            && self.post_id.as_deref().is_none_or(|p| p == post_id)
            && self
                .handle
                .as_deref()
                .is_none_or(|wanted| handles.contains(&wanted))
    }

    /// How the entry reads in messages: `[[suppress]] #2 (CODE_EXPIRING_SOON)`.
    pub fn label(&self) -> String {
        format!("[[suppress]] #{} ({})", self.index + 1, self.cause.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suppressions_match_on_typed_keys_and_any_handle() {
        let suppression = Suppression {
            index: 0,
            cause: Cause::CodeExpiringSoon,
            advertiser_id: Some("7100".into()),
            post_id: None,
            handle: Some("maya".into()),
            reason: "renewal booked".into(),
            until: Some(100),
        };
        let matches = |cause, handles: &[&str], as_of| {
            suppression.matches("7100", "7301", cause, handles, as_of)
        };
        assert!(matches(Cause::CodeExpiringSoon, &["lee", "maya"], 50));
        assert!(!matches(Cause::CodeExpired, &["maya"], 50));
        assert!(!matches(Cause::CodeExpiringSoon, &["maya, lee"], 50));
        assert!(
            !matches(Cause::CodeExpiringSoon, &["maya"], 101),
            "past until"
        );
        assert!(!suppression.matches("7199", "7301", Cause::CodeExpiringSoon, &["maya"], 50));
    }
}
