//! Ads grouped for the rules: a million ad rows collapse to one fact per
//! (ad account, post, identity type, handle), and each group keeps its rows as evidence.

use sparkcheck_facts::threads::spawn;
use sparkcheck_facts::{Facts, IdentityKind, Sym};

/// Spark ads sorted by (ad account, post, identity type, handle), with the group boundaries.
#[derive(Debug, Default)]
pub struct AdIndex {
    /// Indexes into `facts.ads`, sorted by group key; ads without a post are left out.
    order: Vec<u32>,
    /// The (ad account, post) of each entry of `order`, for binary searches in cache.
    pairs: Vec<(Sym, Sym)>,
    /// `order[start..end]` of each group.
    groups: Vec<(u32, u32)>,
    /// Each group's key, so that sharding and the rules' inputs need not look the ads up
    /// again (a random read of the ads table per group, when rows come in random order).
    keys: Vec<GroupKey>,
}

/// The sort key of an ad: what the rules see of it (ad account, post, identity, handle).
pub type GroupKey = (Sym, Sym, IdentityKind, Sym);

fn key(facts: &Facts, index: u32) -> GroupKey {
    let ad = &facts.ads[index as usize];
    (ad.advertiser, ad.post, ad.identity, ad.handle)
}

impl AdIndex {
    /// Groups the Spark ads of `facts`, gathering and sorting on up to two threads.
    pub fn build(facts: &Facts, threads: usize) -> AdIndex {
        // Sorting (key, index) values rather than indexes keeps the sort in cache.
        let keyed = sort(facts, threads);
        // The groups, and the pairs and order, are two passes over the sorted ads.
        let split = |keyed: &[(GroupKey, u32)]| {
            let pairs = keyed.iter().map(|&((a, p, _, _), _)| (a, p)).collect();
            let order = keyed.iter().map(|&(_, i)| i).collect();
            (pairs, order)
        };
        let ((groups, keys), (pairs, order)) = if threads > 1 && keyed.len() >= 1 << 16 {
            std::thread::scope(|scope| {
                let grouped = spawn(scope, || group(&keyed));
                let split = split(&keyed);
                (grouped.join(), split)
            })
        } else {
            (group(&keyed), split(&keyed))
        };
        AdIndex {
            order,
            pairs,
            groups,
            keys,
        }
    }

    /// Each group's id and key.
    pub fn groups(&self) -> impl Iterator<Item = (u32, GroupKey)> + '_ {
        (0u32..).zip(self.keys.iter().copied())
    }

    /// The key of group `id`.
    pub fn key(&self, id: u32) -> GroupKey {
        self.keys[id as usize]
    }

    /// The ads of group `id`.
    pub fn group(&self, id: u32) -> &[u32] {
        let (start, end) = self.groups[id as usize];
        &self.order[start as usize..end as usize]
    }

    /// The Spark ads of an (ad account, post) pair.
    pub fn pair(&self, advertiser: Sym, post: Sym) -> &[u32] {
        let start = self
            .pairs
            .partition_point(|&pair| pair < (advertiser, post));
        let end = self
            .pairs
            .partition_point(|&pair| pair <= (advertiser, post));
        &self.order[start..end]
    }

    /// How many groups there are.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// How many Spark ads there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// The Spark ads' (key, index), sorted; each half of the table gathered and sorted on its
/// own thread when there are enough.
fn sort(facts: &Facts, threads: usize) -> Vec<(GroupKey, u32)> {
    sparkcheck_facts::collect_sorted(facts.ads.len(), threads, |rows| {
        let mut keyed = Vec::with_capacity(rows.len());
        keyed.extend(
            (rows.start as u32..rows.end as u32)
                .filter(|&i| !facts.ads[i as usize].post.is_none())
                .map(|i| (key(facts, i), i)),
        );
        keyed
    })
}

/// Each group's range of `keyed` and its key.
fn group(keyed: &[(GroupKey, u32)]) -> (Vec<(u32, u32)>, Vec<GroupKey>) {
    let mut groups = Vec::new();
    let mut keys = Vec::new();
    let mut start = 0;
    for end in 1..=keyed.len() {
        if end == keyed.len() || keyed[end].0 != keyed[start].0 {
            groups.push((start as u32, end as u32));
            keys.push(keyed[start].0);
            start = end;
        }
    }
    (groups, keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_threads_give_the_one_thread_index() {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        // Few distinct keys, so groups cross the halves' boundary; some ads without a post.
        let mut facts = Facts::default();
        for line in 0..(3 << 16) + 17 {
            let identity = if next() % 2 == 0 {
                IdentityKind::TtUser
            } else {
                IdentityKind::Custom
            };
            let post = match next() % 10 {
                0 => Sym::NONE,
                _ => Sym(next() % 500 + 1),
            };
            facts.ads.push(sparkcheck_facts::AdRow {
                at: sparkcheck_facts::RowRef { file: 0, line },
                advertiser: Sym(next() % 50 + 1),
                post,
                identity,
                handle: Sym(next() % 9 + 1),
                identity_label: Default::default(),
                ad_id: Default::default(),
                ad_name: Default::default(),
            });
        }
        let one = AdIndex::build(&facts, 1);
        let two = AdIndex::build(&facts, 2);
        assert_eq!(one.order, two.order);
        assert_eq!(one.pairs, two.pairs);
        assert_eq!(one.groups, two.groups);
        assert_eq!(one.keys, two.keys);
        // The definition: every ad with a post, by (key, row), grouped by key.
        let mut expected: Vec<u32> = (0..facts.ads.len() as u32)
            .filter(|&i| !facts.ads[i as usize].post.is_none())
            .collect();
        expected.sort_by_key(|&i| (key(&facts, i), i));
        assert_eq!(one.order, expected);
        for (id, group_key) in one.groups() {
            let ads = one.group(id);
            assert!(!ads.is_empty());
            assert!(ads.iter().all(|&i| key(&facts, i) == group_key));
        }
        assert_eq!(
            one.groups().count(),
            expected
                .chunk_by(|&a, &b| key(&facts, a) == key(&facts, b))
                .count()
        );
    }
}
