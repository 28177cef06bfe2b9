//! Ads grouped for the rules: a million ad rows collapse to one fact per
//! (ad account, post, identity type, handle), and each group keeps its rows as evidence.

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
    /// Groups the Spark ads of `facts`, sorting on up to two threads.
    pub fn build(facts: &Facts, threads: usize) -> AdIndex {
        // Sorting (key, index) values rather than indexes keeps the sort in cache.
        let keyed: Vec<(GroupKey, u32)> = (0..facts.ads.len() as u32)
            .filter(|&i| !facts.ads[i as usize].post.is_none())
            .map(|i| (key(facts, i), i))
            .collect();
        let keyed = sort(keyed, threads);
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
        let pairs = keyed.iter().map(|&((a, p, _, _), _)| (a, p)).collect();
        let order = keyed.into_iter().map(|(_, i)| i).collect();
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

/// `keyed` sorted, on two threads when there are enough.
fn sort(keyed: Vec<(GroupKey, u32)>, threads: usize) -> Vec<(GroupKey, u32)> {
    sparkcheck_facts::sort_on_threads(keyed, threads)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_thread_sort_gives_the_one_thread_order() {
        let mut state = 7u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let keyed: Vec<(GroupKey, u32)> = (0..(3 << 16) + 17)
            .map(|i| {
                let identity = if next() % 2 == 0 {
                    IdentityKind::TtUser
                } else {
                    IdentityKind::Custom
                };
                (
                    (
                        Sym(next() % 50),
                        Sym(next() % 500),
                        identity,
                        Sym(next() % 9),
                    ),
                    i,
                )
            })
            .collect();
        let mut expected = keyed.clone();
        expected.sort_unstable();
        assert_eq!(sort(keyed.clone(), 2), expected);
        assert_eq!(sort(keyed, 1), expected);
    }
}
