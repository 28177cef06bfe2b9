//! Worklists: each distinct fix action, its owner role and the findings it clears. One
//! Business Center share can fix many posts, so it appears once, with its count; actions
//! are ordered by how many findings they clear. The action text is the catalogue's.

use std::collections::HashMap;

use sparkcheck_policies::Cause;

use crate::report::actions::{ActionOut, FindingKey};
use crate::report::FindingOut;

/// What to do to clear `finding` (its owner role is the finding's).
pub(super) fn action_of(f: &FindingOut) -> String {
    match Cause::from_code(&f.cause) {
        Some(cause) => cause.action(
            f.handle.as_deref(),
            &f.advertiser_id,
            &f.post_id,
            &f.ad_ids.join(", "),
        ),
        // Findings are built from the catalogue, so every cause is in it.
        None => unreachable!("finding of unknown cause `{}`", f.cause),
    }
}

/// The distinct actions clearing `findings`, whose action texts are `texts` (see
/// [`action_of`]), most findings cleared first (ties: by owner role, then action text).
/// Each action lists its findings in report order.
pub fn actions(findings: &[FindingOut], texts: Vec<String>) -> Vec<ActionOut> {
    // Grouped by hashing, not by comparing long texts that share most of their
    // beginnings in an ordered map: the final sort fixes the order. The texts hold input
    // values, so the hasher is std's keyed one (no crafted collisions).
    let mut groups: HashMap<(&str, &str), usize> = HashMap::new();
    let mut actions: Vec<ActionOut> = Vec::new();
    for (finding, action) in findings.iter().zip(&texts) {
        let at = *groups
            .entry((action.as_str(), finding.owner_role.as_str()))
            .or_insert_with(|| {
                actions.push(ActionOut {
                    action: action.clone(),
                    owner_role: finding.owner_role.clone(),
                    clears: 0,
                    findings: Vec::new(),
                });
                actions.len() - 1
            });
        let entry = &mut actions[at];
        entry.clears += 1;
        entry.findings.push(FindingKey {
            advertiser_id: finding.advertiser_id.clone(),
            post_id: finding.post_id.clone(),
            cause: finding.cause.clone(),
        });
    }
    actions.sort_unstable_by(|a, b| {
        b.clears
            .cmp(&a.clears)
            .then_with(|| (&a.owner_role, &a.action).cmp(&(&b.owner_role, &b.action)))
    });
    actions
}
