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
}

/// The sort key of an ad: what the rules see of it.
type GroupKey = (Sym, Sym, IdentityKind, Sym);

fn key(facts: &Facts, index: u32) -> GroupKey {
    let ad = &facts.ads[index as usize];
    (ad.advertiser, ad.post, ad.identity, ad.handle)
}

impl AdIndex {
    /// Groups the Spark ads of `facts`.
    pub fn build(facts: &Facts) -> AdIndex {
        // Sorting (key, index) values rather than indexes keeps the sort in cache.
        let mut keyed: Vec<(GroupKey, u32)> = (0..facts.ads.len() as u32)
            .filter(|&i| !facts.ads[i as usize].post.is_none())
            .map(|i| (key(facts, i), i))
            .collect();
        keyed.sort_unstable();
        let mut groups = Vec::new();
        let mut start = 0;
        for end in 1..=keyed.len() {
            if end == keyed.len() || keyed[end].0 != keyed[start].0 {
                groups.push((start as u32, end as u32));
                start = end;
            }
        }
        let pairs = keyed.iter().map(|&((a, p, _, _), _)| (a, p)).collect();
        let order = keyed.into_iter().map(|(_, i)| i).collect();
        AdIndex {
            order,
            pairs,
            groups,
        }
    }

    /// Each group's id, first ad and size.
    pub fn groups(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.groups
            .iter()
            .enumerate()
            .map(|(id, &(start, _))| (id as u32, self.order[start as usize]))
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
