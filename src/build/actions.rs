//! Worklists: each distinct fix action, its owner role and the findings it clears. One
//! Business Center share can fix many posts, so it appears once, with its count; actions
//! are ordered by how many findings they clear. The action text is the catalogue's.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

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

/// An action as a map key: equal by text and owner, hashed by its precomputed hash.
struct Key<'a> {
    hash: u64,
    action: &'a str,
    owner_role: &'a str,
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && self.action == other.action
            && self.owner_role == other.owner_role
    }
}

impl Eq for Key<'_> {}

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Passes a [`Key`]'s precomputed hash through.
#[derive(Default)]
struct Precomputed(u64);

impl Hasher for Precomputed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is ever called (by `Key`); fold anything else in all the same.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// The distinct actions clearing `findings`, whose action texts (see [`action_of`]),
/// their [`Grouping`] hashes and the findings' keys are `keys`, most findings cleared
/// first (ties: by owner role, then action text). Each action lists its findings in
/// report order.
pub fn actions(findings: &[FindingOut], keys: Vec<(String, u64, FindingKey)>) -> Vec<ActionOut> {
    let mut actions: Vec<ActionOut> = Vec::new();
    // Each finding's action, found by text; then the keys (made on every core with the
    // findings) moved into their actions' lists.
    let mut action_of: Vec<u32> = Vec::with_capacity(keys.len());
    {
        let mut groups: HashMap<Key<'_>, u32, BuildHasherDefault<Precomputed>> =
            HashMap::with_capacity_and_hasher(findings.len(), BuildHasherDefault::default());
        for (finding, (action, hash, _)) in findings.iter().zip(&keys) {
            let key = Key {
                hash: *hash,
                action,
                owner_role: &finding.owner_role,
            };
            let at = *groups.entry(key).or_insert_with(|| {
                actions.push(ActionOut {
                    action: action.clone(),
                    owner_role: finding.owner_role.clone(),
                    clears: 0,
                    findings: Vec::new(),
                });
                (actions.len() - 1) as u32
            });
            action_of.push(at);
        }
    }
    for ((_, _, key), at) in keys.into_iter().zip(action_of) {
        let action = &mut actions[at as usize];
        action.clears += 1;
        action.findings.push(key);
    }
    actions.sort_unstable_by(|a, b| {
        b.clears
            .cmp(&a.clears)
            .then_with(|| (&a.owner_role, &a.action).cmp(&(&b.owner_role, &b.action)))
    });
    actions
}
