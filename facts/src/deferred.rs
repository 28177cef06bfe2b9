//! Post IDs whose symbols are given after the read, by sorting rather than hashing.
//!
//! A portfolio has hundreds of thousands of posts, and exports list them in any order:
//! interning each post ID as its row is read probed a table far larger than the cache,
//! a miss or two per row (a third of the read's time on a shuffled 1M-ad portfolio). So
//! a row's plain decimal post ID is kept as a number with a placeholder symbol (its
//! occurrence's index, [`Sym::is_deferred`]), and [`Facts::settle_ids`] gives every
//! distinct ID its symbol once the whole input is read: the occurrences are sorted by
//! the ID's text order, each distinct ID is interned once, and the rows' placeholders
//! are replaced in one pass. The symbols of these IDs follow their text order, and the
//! facts are the same as if each ID had been interned when read.

use crate::threads::{spawn, Spawned};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::sym::text_order;
use crate::{Facts, Sym};

/// The bit that marks a placeholder symbol; the rest is an occurrence index.
const DEFERRED: u32 = 1 << 31;

impl Sym {
    /// Whether this is a placeholder for a post ID not yet given its symbol (only
    /// between reading a row and [`Facts::settle_ids`]).
    pub fn is_deferred(self) -> bool {
        self.0 & DEFERRED != 0
    }
}

/// The post IDs read but not yet interned, one entry per occurrence.
#[derive(Debug, Default)]
pub struct DeferredIds {
    /// Each occurrence's ID as a number.
    values: Vec<u64>,
    /// Each occurrence's digit count (1 to 19): `"07"` is not `"7"`.
    digits: Vec<u8>,
}

impl DeferredIds {
    /// How many occurrences wait for their symbol.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Makes room for `additional` more occurrences.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.values.reserve(additional);
        self.digits.reserve(additional);
    }

    /// The placeholder for `text` when it is 1 to 19 ASCII digits and room is left.
    fn defer(&mut self, text: &str) -> Option<Sym> {
        if self.values.len() >= DEFERRED as usize {
            return None;
        }
        let (value, digits) = crate::sym::decimal_id(text)?;
        let index = self.values.len() as u32;
        self.values.push(value);
        self.digits.push(digits);
        Some(Sym(DEFERRED | index))
    }

    /// Appends `other`'s occurrences; its placeholders are shifted by the returned offset.
    pub(crate) fn append(&mut self, other: &mut DeferredIds) -> u32 {
        let offset = self.values.len() as u32;
        self.values.append(&mut other.values);
        self.digits.append(&mut other.digits);
        offset
    }
}

/// A placeholder of a [`DeferredIds`] appended at `offset` to another.
pub(crate) fn shifted(sym: Sym, offset: u32) -> Sym {
    Sym(sym.0 + offset)
}

/// The ID `value` of `digits` digits as text, with its leading zeros.
fn decimal(value: u64, digits: u8, out: &mut String) {
    let mut buffer = [b'0'; 20];
    let mut rest = value;
    for slot in buffer[..usize::from(digits)].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.clear();
    // Digits only: always UTF-8.
    out.push_str(std::str::from_utf8(&buffer[..usize::from(digits)]).unwrap_or_default());
}

impl Facts {
    /// The symbol of a post ID: a placeholder until [`Facts::settle_ids`] for a plain
    /// decimal ID, else interned now.
    pub fn post_sym(&mut self, text: &str) -> Sym {
        match self.deferred.defer(text) {
            Some(sym) => sym,
            None => self.syms.intern(text),
        }
    }

    /// Gives every deferred post ID its symbol and replaces the placeholders in every
    /// row, on up to `threads` threads. Called once the whole input is read, before
    /// anything reads the rows.
    ///
    /// The occurrences are sorted by ID, and the sorted list cut into one range per
    /// thread between two IDs. Each thread looks its range's distinct IDs up (an ad
    /// account may have the same text); one thread gives the new ones their symbols, in
    /// order; then each thread writes its range's symbols into the occurrences' slots and
    /// settles its share of the rows. At 1M ads, one thread spent 0.11 s on the 1.3M
    /// occurrences' scattered writes and the 333k look-ups.
    pub fn settle_ids(&mut self, threads: usize) {
        if self.deferred.is_empty() {
            return;
        }
        let DeferredIds { values, digits } = std::mem::take(&mut self.deferred);
        let order: Vec<(u64, u8, u32)> = values
            .iter()
            .zip(&digits)
            .enumerate()
            .map(|(i, (&value, &digits))| (text_order(value, digits), digits, i as u32))
            .collect();
        let order = crate::sort_on_threads(order, threads);
        let ranges = ranges_between_ids(&order, threads);
        // Settled before (files imported one by one into the same facts): an ID may be
        // in the settled list already, so look there too (in its sorted part: this
        // settling's numbers are appended, and each comes once).
        let settled_before = self.syms.settled_count();
        let syms = &self.syms;
        let known: Vec<Vec<(u64, u8, Option<Sym>)>> = on_threads(&ranges, |range| {
            let mut text = String::with_capacity(20);
            distinct_ids(&order[range.clone()])
                .map(|(value, count)| {
                    decimal(value, count, &mut text);
                    let sym = if settled_before > 0 {
                        syms.get_settled_before(&text, settled_before)
                    } else {
                        syms.get_in_table(&text)
                    };
                    (value, count, sym)
                })
                .collect()
        });
        // Rarely interned already; else a symbol in the table's number list, in text
        // order (each text comes once, so that list need not be searched).
        let mut text = String::with_capacity(20);
        let given: Vec<Vec<Sym>> = known
            .into_iter()
            .map(|ids| {
                ids.into_iter()
                    .map(|(value, count, sym)| {
                        sym.unwrap_or_else(|| {
                            decimal(value, count, &mut text);
                            self.syms.push_settled(&text, value, count)
                        })
                    })
                    .collect()
            })
            .collect();
        self.syms.finish_settling();
        // Every occurrence's slot is written by the one thread whose range holds it.
        let symbols: Vec<AtomicU32> = (0..values.len()).map(|_| AtomicU32::new(0)).collect();
        let work: Vec<(std::ops::Range<usize>, &[Sym])> = ranges
            .iter()
            .cloned()
            .zip(given.iter().map(Vec::as_slice))
            .collect();
        on_threads(&work, |(range, given)| {
            let range = &order[range.clone()];
            let mut next = given.iter();
            let mut sym = Sym::NONE;
            let mut last = None;
            for &(key, count, occurrence) in range {
                if last != Some((key, count)) {
                    sym = *next.next().expect("one symbol per distinct ID");
                    last = Some((key, count));
                }
                symbols[occurrence as usize].store(sym.0, Ordering::Relaxed);
            }
        });
        drop(order);
        let settle = |sym: &mut Sym| {
            if sym.is_deferred() {
                *sym = Sym(symbols[(sym.0 & !DEFERRED) as usize].load(Ordering::Relaxed));
            }
        };
        let rows = self.ads.len() + self.codes.len();
        let parts = if rows < 1 << 16 {
            1
        } else {
            threads.clamp(1, 8)
        };
        let ads_per_part = self.ads.len().div_ceil(parts).max(1);
        let codes_per_part = self.codes.len().div_ceil(parts).max(1);
        std::thread::scope(|scope| {
            let ads = self.ads.chunks_mut(ads_per_part);
            let codes = self.codes.chunks_mut(codes_per_part);
            let settle = &settle;
            let mut ads = ads.map(Some).chain(std::iter::repeat_with(|| None));
            let mut codes = codes.map(Some).chain(std::iter::repeat_with(|| None));
            for _ in 1..parts {
                let (ads, codes) = (ads.next().flatten(), codes.next().flatten());
                spawn(scope, move || settle_rows(ads, codes, settle));
            }
            settle_rows(ads.next().flatten(), codes.next().flatten(), settle);
        });
    }
}

/// Settles the post of every row in `ads` and `codes`.
fn settle_rows(
    ads: Option<&mut [crate::AdRow]>,
    codes: Option<&mut [crate::CodeRow]>,
    settle: &(impl Fn(&mut Sym) + Sync),
) {
    for ad in ads.into_iter().flatten() {
        settle(&mut ad.post);
    }
    for code in codes.into_iter().flatten() {
        settle(&mut code.post);
    }
}

/// The distinct IDs of sorted occurrences, in order, as (value, digit count).
fn distinct_ids(order: &[(u64, u8, u32)]) -> impl Iterator<Item = (u64, u8)> + '_ {
    order
        .chunk_by(|&a, &b| same_id(a, b))
        .map(|run| (value_of(run[0].0, run[0].1), run[0].1))
}

/// The ID whose [`text_order`] is `key`, of `digits` digits.
fn value_of(key: u64, digits: u8) -> u64 {
    key / 10u64.pow(19 - u32::from(digits))
}

/// `order` cut into up to `threads` consecutive ranges of about equal length, each
/// starting at a new ID (an ID's occurrences are never split between two ranges).
fn ranges_between_ids(order: &[(u64, u8, u32)], threads: usize) -> Vec<std::ops::Range<usize>> {
    const SMALL: usize = 1 << 16;
    let parts = if order.len() < SMALL {
        1
    } else {
        threads.clamp(1, 8)
    };
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    for part in 1..parts {
        let mut cut = (order.len() * part / parts).max(start);
        while cut > start && cut < order.len() && same_id(order[cut - 1], order[cut]) {
            cut += 1;
        }
        if cut > start && cut < order.len() {
            ranges.push(start..cut);
            start = cut;
        }
    }
    ranges.push(start..order.len());
    ranges
}

fn same_id(a: (u64, u8, u32), b: (u64, u8, u32)) -> bool {
    (a.0, a.1) == (b.0, b.1)
}

/// `f` of every item, in order, each on a thread of its own but the last (on this one).
fn on_threads<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let Some((last, rest)) = items.split_last() else {
        return Vec::new();
    };
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = rest
            .iter()
            .map(|item| spawn(scope, move || f(item)))
            .collect();
        let last = f(last);
        let mut out: Vec<U> = handles.into_iter().map(Spawned::join).collect();
        out.push(last);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AdRow, CodeRow, CodeStatus, IdentityKind, ItemType, RowRef, Span};

    fn ad(facts: &mut Facts, post: &str) {
        let post = facts.post_sym(post);
        facts.ads.push(AdRow {
            at: RowRef { file: 0, line: 2 },
            advertiser: Sym::NONE,
            post,
            identity: IdentityKind::TtUser,
            handle: Sym::NONE,
            identity_label: Span::EMPTY,
            ad_id: Span::EMPTY,
            ad_name: Span::EMPTY,
        });
    }

    fn code(facts: &mut Facts, post: &str) {
        let post = facts.post_sym(post);
        facts.codes.push(CodeRow {
            at: RowRef { file: 0, line: 3 },
            post,
            creator: Sym::NONE,
            advertiser: Sym::NONE,
            status: CodeStatus::Authorized,
            start: None,
            end: None,
            masked_code: Span::EMPTY,
            post_status: Span::EMPTY,
            post_unavailable: false,
            item_type: ItemType::Video,
        });
    }

    const POSTS: [&str; 12] = [
        "7301000000000000015",
        "7",
        "07",
        "007",
        "70",
        "9999999999999999999",
        "0",
        "10",
        "1",
        "18446744073709551615",
        "post-7",
        "7301000000000000015",
    ];

    #[test]
    fn settled_posts_are_the_symbols_interning_gives() {
        let mut facts = Facts::default();
        let handle = facts.syms.intern("creator");
        for (i, post) in POSTS.iter().enumerate() {
            if i % 2 == 0 {
                ad(&mut facts, post);
            } else {
                code(&mut facts, post);
            }
        }
        // The same text interned elsewhere (an ad account named like a post) is one symbol.
        let advertiser = facts.syms.intern("70");
        assert!(facts.ads.iter().any(|ad| ad.post.is_deferred()));
        facts.settle_ids(2);
        let posts: Vec<Sym> = (0..POSTS.len())
            .map(|i| {
                if i % 2 == 0 {
                    facts.ads[i / 2].post
                } else {
                    facts.codes[i / 2].post
                }
            })
            .collect();
        for (post, sym) in POSTS.iter().zip(&posts) {
            assert!(!sym.is_deferred());
            assert_eq!(facts.sym(*sym), *post);
            assert_eq!(facts.syms.get(post), Some(*sym));
        }
        assert_eq!(posts[0], posts[11]);
        assert_eq!(facts.syms.get("70"), Some(advertiser));
        assert_eq!(facts.sym(handle), "creator");
        let distinct: std::collections::BTreeSet<Sym> = posts.iter().copied().collect();
        assert_eq!(distinct.len(), POSTS.len() - 1);
    }

    #[test]
    fn deferred_symbols_follow_the_ids_text_order() {
        let mut facts = Facts::default();
        for post in POSTS {
            ad(&mut facts, post);
        }
        facts.settle_ids(2);
        let mut deferred: Vec<Sym> = facts
            .ads
            .iter()
            .map(|ad| ad.post)
            .filter(|&post| facts.sym(post).bytes().all(|b| b.is_ascii_digit()))
            .filter(|&post| facts.sym(post).len() <= 19)
            .collect();
        deferred.sort();
        deferred.dedup();
        let texts: Vec<&str> = deferred.iter().map(|&s| facts.sym(s)).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
    }

    #[test]
    fn settling_again_after_more_rows_keeps_one_symbol_per_id() {
        let mut facts = Facts::default();
        for post in ["7301", "9", "7305"] {
            ad(&mut facts, post);
        }
        facts.settle_ids(1);
        // A second file into the same facts: IDs before, between and equal to the first's.
        for post in ["1", "7303", "7301", "9", "80"] {
            code(&mut facts, post);
        }
        facts.settle_ids(1);
        let ads: Vec<Sym> = facts.ads.iter().map(|ad| ad.post).collect();
        let codes: Vec<Sym> = facts.codes.iter().map(|code| code.post).collect();
        assert_eq!(codes[2], ads[0], "7301 is one symbol");
        assert_eq!(codes[3], ads[1], "9 is one symbol");
        for (sym, text) in codes.iter().zip(["1", "7303", "7301", "9", "80"]) {
            assert_eq!(facts.sym(*sym), text);
            assert_eq!(facts.syms.get(text), Some(*sym), "{text}");
            assert_eq!(facts.syms.intern(text), *sym, "{text}");
        }
        for (sym, text) in ads.iter().zip(["7301", "9", "7305"]) {
            assert_eq!(facts.syms.get(text), Some(*sym), "{text}");
        }
    }

    #[test]
    fn any_thread_count_settles_alike_and_never_splits_an_id() {
        // Few distinct IDs with long runs of repeats, so the ranges' cuts fall inside
        // runs and must move to the next ID; ads and codes both hold them.
        let posts: Vec<String> = (0..150_000u64)
            .map(|i| format!("{}", 7_301_000 + (i * 7_919) % 1_013))
            .collect();
        let settled = |threads: usize| {
            let mut facts = Facts::default();
            // An ad account with one of the posts' texts: that ID keeps its symbol.
            let advertiser = facts.syms.intern("7301005");
            for (i, post) in posts.iter().enumerate() {
                if i % 3 == 0 {
                    code(&mut facts, post);
                } else {
                    ad(&mut facts, post);
                }
            }
            facts.settle_ids(threads);
            assert_eq!(facts.syms.get("7301005"), Some(advertiser));
            let symbols: Vec<Sym> = facts
                .ads
                .iter()
                .map(|ad| ad.post)
                .chain(facts.codes.iter().map(|code| code.post))
                .collect();
            let texts: Vec<String> = symbols.iter().map(|&s| facts.sym(s).to_string()).collect();
            (symbols, texts)
        };
        let (one, texts) = settled(1);
        let mut expected: Vec<&String> = posts
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 3 != 0)
            .map(|(_, p)| p)
            .collect();
        expected.extend(posts.iter().step_by(3));
        assert!(texts.iter().zip(&expected).all(|(a, b)| a == *b));
        for threads in [2, 3, 7, 8, 64] {
            assert_eq!(settled(threads).0, one, "{threads} threads");
        }
        for (range, order) in [(1usize, 100usize), (3, 70_000), (8, 200_000)] {
            let order: Vec<(u64, u8, u32)> = (0..order as u32)
                .map(|i| (u64::from(i / 997), 7, i))
                .collect();
            let ranges = ranges_between_ids(&order, range);
            assert_eq!(ranges.first().map(|r| r.start), Some(0));
            assert_eq!(ranges.last().map(|r| r.end), Some(order.len()));
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert!(!same_id(order[pair[1].start - 1], order[pair[1].start]));
            }
        }
    }

    #[test]
    fn a_large_input_sorts_on_two_threads_alike() {
        let mut facts = Facts::default();
        let mut expected = Vec::new();
        for i in 0..100_000u64 {
            // A scattered order, with repeats and several lengths.
            let post = format!("{}", (i * 7_919) % 65_537 * 1_000 + i % 3);
            expected.push(post.clone());
            ad(&mut facts, &post);
        }
        facts.settle_ids(2);
        for (ad, post) in facts.ads.iter().zip(&expected) {
            assert_eq!(facts.sym(ad.post), post);
        }
    }
}
