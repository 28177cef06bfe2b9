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
    /// row, sorting on up to `threads` threads. Called once the whole input is read,
    /// before anything reads the rows.
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
        let mut symbols = vec![Sym::NONE; values.len()];
        let mut text = String::with_capacity(20);
        // Settled before (files imported one by one into the same facts): an ID may be
        // in the settled list already, so look there too (in its sorted part: this
        // settling's numbers are appended, and each comes once).
        let settled_before = self.syms.settled_count();
        let mut last: Option<(u64, u8, Sym)> = None;
        for &(key, count, occurrence) in &order {
            let sym = match last {
                Some((k, c, sym)) if k == key && c == count => sym,
                _ => {
                    let index = occurrence as usize;
                    let (value, count) = (values[index], digits[index]);
                    decimal(value, count, &mut text);
                    // Rarely interned already (an ad account with the same ID); else a
                    // symbol in the table's number list, in text order (each text comes
                    // once, so that list need not be searched).
                    let known = if settled_before > 0 {
                        self.syms.get_settled_before(&text, settled_before)
                    } else {
                        self.syms.get_in_table(&text)
                    };
                    match known {
                        Some(sym) => sym,
                        None => self.syms.push_settled(&text, value, count),
                    }
                }
            };
            last = Some((key, count, sym));
            symbols[occurrence as usize] = sym;
        }
        drop(order);
        self.syms.finish_settling();
        let settle = |sym: &mut Sym| {
            if sym.is_deferred() {
                *sym = symbols[(sym.0 & !DEFERRED) as usize];
            }
        };
        for ad in &mut self.ads {
            settle(&mut ad.post);
        }
        for code in &mut self.codes {
            settle(&mut code.post);
        }
    }
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
