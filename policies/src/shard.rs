//! Splitting one evaluation into many small ones that give the same answer.
//!
//! crepe's cost per tuple grows with relation size (hash tables fall out of cache): at 20k
//! ads a run costs 0.5 µs per ad, at 1M ads over 2 µs. The rules only ever join on a post,
//! a handle or an (ad account, post) pair, so the facts can be cut into shards such that
//! every rule instance sees all it needs in one shard:
//!
//! - every fact keyed by a post (its ads, codes and flags) goes to the post's shard, so
//!   every pair, creator, code check and identity check is decided in one place;
//! - every fact keyed by a handle (BC rows, links) is copied into each shard holding a post
//!   that handle is related to (as a code's creator or an ad's identity), so `in_bc`,
//!   `shared_to`, `share_ok` and `connected` are complete wherever they are read.
//!
//! A post goes to the shard of its first related handle, so most handles' rows land in one
//! shard only. Findings, pairs and creators of different shards never overlap; the test
//! `sharding_changes_nothing` holds the sharded run to the single-shard one.

use sparkcheck_facts::{Facts, Sym};

use crate::AdIndex;

/// The input rows of one shard, as indexes into the facts' tables and the ad index.
#[derive(Debug, Default, Clone)]
pub struct Shard {
    /// [`AdIndex`] group ids.
    pub groups: Vec<u32>,
    /// `facts.codes` indexes.
    pub codes: Vec<u32>,
    /// `facts.shares` indexes.
    pub shares: Vec<u32>,
    /// `facts.links` indexes.
    pub links: Vec<u32>,
    /// `facts.identities` indexes.
    pub identities: Vec<u32>,
}

/// Posts (codes plus ad groups) per shard: small enough for crepe's tables to stay in cache.
pub const POSTS_PER_SHARD: usize = 4_000;

/// How many shards suit `facts`.
pub fn shard_count(facts: &Facts, ads: &AdIndex) -> usize {
    ((facts.codes.len() + ads.group_count()) / POSTS_PER_SHARD).clamp(1, 4096)
}

/// Cuts the facts into `count` shards (one shard holds everything).
pub fn plan(facts: &Facts, ads: &AdIndex, count: usize) -> Vec<Shard> {
    if count <= 1 {
        return vec![Shard {
            groups: (0..ads.group_count() as u32).collect(),
            codes: (0..facts.codes.len() as u32).collect(),
            shares: (0..facts.shares.len() as u32).collect(),
            links: (0..facts.links.len() as u32).collect(),
            identities: (0..facts.identities.len() as u32).collect(),
        }];
    }
    let n = count as u32;
    let post_shard = assign_posts(facts, ads, n);
    let shard_of = |post: Sym| post_shard[post.0 as usize];
    // Posts spread about evenly: each shard's lists are sized for its share and a margin,
    // so a hundred lists do not grow by doubling on the plan's single thread.
    let share = |rows: usize| rows / count + rows / count / 4 + 16;
    let mut shards: Vec<Shard> = (0..count)
        .map(|_| Shard {
            groups: Vec::with_capacity(share(ads.group_count())),
            codes: Vec::with_capacity(share(facts.codes.len())),
            ..Shard::default()
        })
        .collect();
    let mut needs = HandleNeeds::new(facts.syms.len(), n);
    for (row, code) in (0u32..).zip(&facts.codes) {
        let shard = shard_of(code.post);
        shards[shard as usize].codes.push(row);
        needs.add(code.creator, shard);
    }
    for (group, (_, post, _, handle)) in ads.groups() {
        let shard = shard_of(post);
        shards[shard as usize].groups.push(group);
        if !handle.is_none() {
            needs.add(handle, shard);
        }
    }
    let needs = needs.finish();
    for (row, share) in (0u32..).zip(&facts.shares) {
        for shard in needs.shards(share.handle) {
            shards[shard].shares.push(row);
        }
    }
    for (row, link) in (0u32..).zip(&facts.links) {
        for shard in needs.shards(link.handle) {
            shards[shard].links.push(row);
        }
    }
    for (row, identity) in (0u32..).zip(&facts.identities) {
        for shard in needs.shards(identity.handle) {
            shards[shard].identities.push(row);
        }
    }
    shards
}

/// Which shards need each handle's rows. A post goes to its first handle's home shard
/// (the handle's id modulo the count), so nearly every need is a handle's home shard: one
/// flag per symbol records those, and only the rest are kept as (handle, shard) pairs.
/// (A million pairs sorted and deduplicated cost more than the rest of the plan.)
struct HandleNeeds {
    count: u32,
    at_home: Vec<bool>,
    elsewhere: Vec<(Sym, u32)>,
}

impl HandleNeeds {
    fn new(symbols: usize, count: u32) -> HandleNeeds {
        HandleNeeds {
            count,
            at_home: vec![false; symbols],
            elsewhere: Vec::new(),
        }
    }

    fn add(&mut self, handle: Sym, shard: u32) {
        if handle.0 % self.count == shard {
            self.at_home[handle.0 as usize] = true;
        } else {
            self.elsewhere.push((handle, shard));
        }
    }

    fn finish(mut self) -> HandleNeeds {
        self.elsewhere.sort_unstable();
        self.elsewhere.dedup();
        self
    }

    /// The shards needing `handle`, each once.
    fn shards(&self, handle: Sym) -> impl Iterator<Item = usize> + '_ {
        let home = self
            .at_home
            .get(handle.0 as usize)
            .copied()
            .unwrap_or(false)
            .then_some((handle.0 % self.count) as usize);
        let start = self.elsewhere.partition_point(|&(h, _)| h < handle);
        let end = self.elsewhere.partition_point(|&(h, _)| h <= handle);
        home.into_iter().chain(
            self.elsewhere[start..end]
                .iter()
                .map(|&(_, shard)| shard as usize),
        )
    }
}

/// Each post's shard, indexed by its symbol id: the shard of its first related handle, or
/// of the post itself when no handle relates to it.
fn assign_posts(facts: &Facts, ads: &AdIndex, n: u32) -> Vec<u32> {
    const UNSET: u32 = u32::MAX;
    let mut post_shard = vec![UNSET; facts.syms.len()];
    let mut assign = |post: Sym, key: Sym| {
        let slot = &mut post_shard[post.0 as usize];
        if *slot == UNSET {
            *slot = key.0 % n;
        }
    };
    for code in &facts.codes {
        assign(code.post, code.creator);
    }
    for (_, (_, post, _, handle)) in ads.groups() {
        assign(post, if handle.is_none() { post } else { handle });
    }
    post_shard
}
