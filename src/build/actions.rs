//! Worklists: each distinct fix action, its owner role and the findings it clears. One
//! Business Center share can fix many posts, so it appears once, with its count; actions
//! are ordered by how many findings they clear. The action text is the catalogue's.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use hashbrown::HashTable;

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

/// How actions are grouped: by a keyed hash of (action text, owner role), computed where
/// each text is made (on every core), so grouping hashes nothing again. The hash is std's
/// keyed SipHash (the texts hold input values: no crafted collisions); hashing 90k long
/// texts once more on one thread, and again at every growth of the map, was most of the
/// worklists' time.
#[derive(Clone, Default)]
pub(super) struct Grouping {
    state: RandomState,
}

impl Grouping {
    /// The grouping hash of an action.
    pub(super) fn hash(&self, action: &str, owner_role: &str) -> u64 {
        self.state.hash_one((action, owner_role))
    }
}

/// The distinct actions clearing `findings`, whose action texts (see [`action_of`]),
/// their [`Grouping`] hashes and the findings' keys are `keys`, most findings cleared
/// first (ties: by owner role, then action text). Each action lists its findings in
/// report order.
pub fn actions(findings: &[FindingOut], keys: Vec<(String, u64, FindingKey)>) -> Vec<ActionOut> {
    let mut actions: Vec<ActionOut> = Vec::new();
    // Each action's grouping hash, by its index in `actions`.
    let mut hashes: Vec<u64> = Vec::new();
    // The actions by grouping hash; an action's text is the first finding's, moved in.
    let mut groups: HashTable<u32> = HashTable::with_capacity(findings.len());
    for (finding, (action, hash, key)) in findings.iter().zip(keys) {
        let owner_role = &finding.owner_role;
        let found = groups.find(hash, |&at| {
            let known = &actions[at as usize];
            hashes[at as usize] == hash && known.action == action && known.owner_role == *owner_role
        });
        match found {
            Some(&at) => {
                let known = &mut actions[at as usize];
                known.clears += 1;
                known.findings.push(key);
            }
            None => {
                let at = actions.len() as u32;
                actions.push(ActionOut {
                    action,
                    owner_role: owner_role.clone(),
                    clears: 1,
                    findings: vec![key],
                });
                hashes.push(hash);
                groups.insert_unique(hash, at, |&at| hashes[at as usize]);
            }
        }
    }
    actions.sort_unstable_by(|a, b| {
        b.clears
            .cmp(&a.clears)
            .then_with(|| (&a.owner_role, &a.action).cmp(&(&b.owner_role, &b.action)))
    });
    actions
}
