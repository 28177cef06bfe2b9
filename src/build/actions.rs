//! Worklists: each distinct fix action, its owner role and the findings it clears. One
//! Business Center share can fix many posts, so it appears once, with its count; actions
//! are ordered by how many findings they clear. The action text is the catalogue's.

use std::collections::BTreeMap;

use sparkcheck_policies::Cause;

use crate::report::actions::{ActionOut, FindingKey};
use crate::report::FindingOut;

/// The action that clears `finding`, as (what to do, owner role).
fn action_of(f: &FindingOut) -> (String, &str) {
    let text = match Cause::from_code(&f.cause) {
        Some(cause) => cause.action(
            f.handle.as_deref(),
            &f.advertiser_id,
            &f.post_id,
            &f.ad_ids.join(", "),
        ),
        // Findings are built from the catalogue, so every cause is in it.
        None => unreachable!("finding of unknown cause `{}`", f.cause),
    };
    (text, &f.owner_role)
}

/// The distinct actions clearing `findings`, most findings cleared first.
pub fn actions(findings: &[FindingOut]) -> Vec<ActionOut> {
    let mut grouped: BTreeMap<(String, String), Vec<FindingKey>> = BTreeMap::new();
    for finding in findings {
        let (action, owner) = action_of(finding);
        grouped
            .entry((action, owner.to_string()))
            .or_default()
            .push(FindingKey {
                advertiser_id: finding.advertiser_id.clone(),
                post_id: finding.post_id.clone(),
                cause: finding.cause.clone(),
            });
    }
    let mut actions: Vec<ActionOut> = grouped
        .into_iter()
        .map(|((action, owner_role), findings)| ActionOut {
            action,
            owner_role,
            clears: findings.len(),
            findings,
        })
        .collect();
    actions.sort_by(|a, b| {
        b.clears
            .cmp(&a.clears)
            .then_with(|| (&a.owner_role, &a.action).cmp(&(&b.owner_role, &b.action)))
    });
    actions
}
