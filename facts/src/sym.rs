use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use crate::probe::{ProbeTable, Slot};

/// An interned string: ad account id, post id or normalised handle.
///
/// `Sym::NONE` (0) is the empty string, used for "no value" (an unapplied code's ad account,
/// a custom identity's handle, an ad without a post).
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string: the absence of a value.
    pub const NONE: Sym = Sym(0);

    /// Whether this is [`Sym::NONE`].
    pub fn is_none(self) -> bool {
        self == Sym::NONE
    }
}

/// Maps strings to dense [`Sym`] ids and back.
///
/// The strings live end to end in one buffer: interning a new string allocates nothing of
/// its own, and each lookup hashes once. Table entries hold what a lookup compares: a
/// plain decimal ID of up to 19 digits (ad accounts, posts) by its value and length, a
/// text of up to [`INLINE`] bytes (handles) whole, and only a longer text by its place in
/// the buffer. So finding a symbol reads one table entry and nothing else (the buffer
/// was a second cache miss per handle on a million-row export), and growing the table
/// rehashes without reading the buffer. The few ad accounts of a portfolio, looked up on
/// every row, are also remembered in a small direct-mapped cache in front of the table.
/// The table's slot for a text is known from its hash ([`crate::probe`]), so a row's
/// builder asks for it early ([`Interner::prefetch`]).
#[derive(Debug)]
pub struct Interner {
    table: ProbeTable<Entry>,
    text: String,
    /// `(start, end)` of each symbol's text in `text`.
    spans: Vec<(u32, u32)>,
    /// Recently found numbers: `(value, digits, id)`, by hash; `digits` 0 for none.
    hot: Box<[(u64, u32, u32)]>,
    /// Numbers given their symbols in bulk (the post IDs, [`Interner::push_settled`]),
    /// kept out of the table: `(text order, digits, id)`, sorted, searched after the
    /// table. Inserting 350k IDs in random places cost a cache miss each.
    settled: Vec<(u64, u8, u32)>,
}

/// Slots of [`Interner::hot`]: far more than the ad accounts of a portfolio, small enough
/// (16 KiB) to stay in the first-level cache.
const HOT_SLOTS: usize = 1024;

/// The longest text a table entry holds itself.
const INLINE: usize = 24;

impl Default for Interner {
    fn default() -> Self {
        let mut interner = Interner {
            table: ProbeTable::default(),
            text: String::new(),
            spans: Vec::new(),
            hot: vec![(0, 0, 0); HOT_SLOTS].into_boxed_slice(),
            settled: Vec::new(),
        };
        interner.intern("");
        interner
    }
}

/// A table entry (32 bytes, half a cache line): the symbol and its key.
#[derive(Copy, Clone, Debug)]
struct Entry {
    id: u32,
    /// A number's digit count (1 to 19), or 0 for text.
    digits: u8,
    /// Sixteen bits of the key's hash: most entries that are not the key are told apart
    /// by this alone.
    tag: u16,
    /// An inline text's length, or [`SPILLED`] for a text kept only in the buffer.
    len: u8,
    /// A number's value (first 8 bytes, little-endian), an inline text's bytes, or a
    /// spilled text's `start << 32 | end` (first 8 bytes).
    data: [u8; INLINE],
}

/// [`Entry::len`] of a text longer than [`INLINE`].
const SPILLED: u8 = u8::MAX;

/// What a string is keyed by.
#[derive(Copy, Clone)]
enum Key<'a> {
    /// 1 to 19 ASCII digits: the value and the digit count (`"07"` is not `"7"`).
    Number(u64, u32),
    Text(&'a str),
}

impl<'a> Key<'a> {
    fn of(text: &'a str) -> Key<'a> {
        match decimal_id(text) {
            Some((value, digits)) => Key::Number(value, u32::from(digits)),
            None => Key::Text(text),
        }
    }

    fn hash(self) -> u64 {
        match self {
            Key::Number(value, digits) => number_hash(value, digits),
            Key::Text(text) => hash(text),
        }
    }
}

/// A text of 1 to 19 ASCII digits as its value and digit count (`"07"` is not `"7"`).
pub(crate) fn decimal_id(text: &str) -> Option<(u64, u8)> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 19 {
        return None;
    }
    let mut value = 0u64;
    for &b in bytes {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        // 19 digits are below 10^19 < 2^64: no overflow.
        value = value * 10 + u64::from(digit);
    }
    Some((value, bytes.len() as u8))
}

/// A decimal ID's digits left-aligned in 19 places: with the digit count as tie-break
/// (`"1"` before `"10"`), the order of the IDs' text.
pub(crate) fn text_order(value: u64, digits: u8) -> u64 {
    value * 10u64.pow(19 - u32::from(digits))
}

/// The symbol of `key` among the settled numbers, if it is one.
fn settled_number(settled: &[(u64, u8, u32)], key: Key<'_>) -> Option<Sym> {
    let Key::Number(value, digits) = key else {
        return None;
    };
    let digits = digits as u8;
    let order = (text_order(value, digits), digits);
    settled
        .binary_search_by(|&(k, d, _)| (k, d).cmp(&order))
        .ok()
        .map(|at| Sym(settled[at].2))
}

/// The interner's hash function, seeded at random once per process (every interner of a
/// run must hash alike: the import threads' tables are merged).
///
/// With a fixed function (FxHash, until 2026-12-07) a client's folder could hold IDs or
/// handles crafted offline to share one slot, and every lookup then walked all of them:
/// 60,000 such post IDs in an 8.6 MB file took 8.2 s to read, and the time grows with the
/// square of their number. A seed drawn at random for the run leaves nothing to craft
/// against. Reports do not depend on it: symbols are numbered in the order they are
/// first met, and nothing iterates the table.
fn hasher() -> foldhash::fast::FoldHasher<'static> {
    static STATE: OnceLock<foldhash::fast::RandomState> = OnceLock::new();
    STATE
        .get_or_init(foldhash::fast::RandomState::default)
        .build_hasher()
}

fn number_hash(value: u64, digits: u32) -> u64 {
    let mut hasher = hasher();
    hasher.write_u64(value);
    hasher.write_u32(digits);
    hasher.finish()
}

/// The [`Interner::order_keys`] entry of a text that is no ID: above every real key,
/// whose nibbles are at most 10 (`0xA`).
pub const NOT_AN_ID: u128 = u128::MAX;

/// See [`Interner::order_keys`].
fn digit_order_key(text: &str) -> Option<u128> {
    if text.len() > 32 {
        return None;
    }
    let mut key = 0u128;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        key |= u128::from(digit + 1) << (124 - 4 * i);
    }
    Some(key)
}

fn hash(text: &str) -> u64 {
    let mut hasher = hasher();
    hasher.write(text.as_bytes());
    hasher.finish()
}

impl Entry {
    fn span(self) -> (usize, usize) {
        let packed = self.word();
        ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize)
    }

    /// The first 8 bytes of `data`: a number's value or a spilled text's span.
    fn word(self) -> u64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.data[..8]);
        u64::from_le_bytes(word)
    }

    /// The entry's text when the entry holds it.
    fn inline(&self) -> Option<&[u8]> {
        (self.digits == 0 && self.len != SPILLED).then(|| &self.data[..usize::from(self.len)])
    }

    /// Whether this entry is `key`, reading `all` (the interner's text) only for a text
    /// longer than [`INLINE`].
    fn is(&self, key: Key<'_>, tag: u16, all: &str) -> bool {
        if self.tag != tag {
            return false;
        }
        match key {
            Key::Number(value, digits) => u32::from(self.digits) == digits && self.word() == value,
            Key::Text(text) if text.len() <= INLINE => {
                self.digits == 0
                    && usize::from(self.len) == text.len()
                    && &self.data[..text.len()] == text.as_bytes()
            }
            Key::Text(text) => {
                if self.digits != 0 || self.len != SPILLED {
                    return false;
                }
                let (start, end) = self.span();
                &all[start..end] == text
            }
        }
    }

    /// The hash of the string this entry holds.
    fn rehash(&self, all: &str) -> u64 {
        if self.digits > 0 {
            return number_hash(self.word(), u32::from(self.digits));
        }
        match self.inline() {
            // Inline text is always a whole string: valid UTF-8.
            Some(bytes) => hash(std::str::from_utf8(bytes).unwrap_or_default()),
            None => {
                let (start, end) = self.span();
                hash(&all[start..end])
            }
        }
    }

    fn new(key: Key<'_>, hash: u64, id: u32, start: u32, end: u32) -> Entry {
        let mut data = [0u8; INLINE];
        let (digits, len) = match key {
            Key::Number(value, digits) => {
                data[..8].copy_from_slice(&value.to_le_bytes());
                (digits as u8, 0)
            }
            Key::Text(text) if text.len() <= INLINE => {
                data[..text.len()].copy_from_slice(text.as_bytes());
                (0, text.len() as u8)
            }
            Key::Text(_) => {
                let packed = u64::from(start) << 32 | u64::from(end);
                data[..8].copy_from_slice(&packed.to_le_bytes());
                (0, SPILLED)
            }
        };
        Entry {
            id,
            digits,
            tag: tag_of(hash),
            len,
            data,
        }
    }
}

impl Slot for Entry {
    const FREE: Entry = Entry {
        id: u32::MAX,
        digits: 0,
        tag: 0,
        len: 0,
        data: [0; INLINE],
    };

    fn is_free(&self) -> bool {
        self.id == u32::MAX
    }
}

/// The id of a new symbol, given how many there are (`u32::MAX` marks a free slot).
fn new_id(symbols: usize) -> u32 {
    u32::try_from(symbols)
        .ok()
        .filter(|&id| id != u32::MAX)
        .expect("fewer than 4 billion symbols")
}

/// The bits of a hash an entry keeps ([`Entry::tag`]): the top ones (the table's slot
/// comes from the bottom ones).
fn tag_of(hash: u64) -> u16 {
    (hash >> 48) as u16
}

impl Interner {
    /// The id of `text`, allocating one the first time it is seen.
    pub fn intern(&mut self, text: &str) -> Sym {
        let key = Key::of(text);
        let hash = key.hash();
        if let Key::Number(value, digits) = key {
            let slot = &mut self.hot[(hash >> 54) as usize % HOT_SLOTS];
            if slot.0 == value && slot.1 == digits {
                return Sym(slot.2);
            }
            let sym = self.intern_keyed(text, key, hash);
            self.hot[(hash >> 54) as usize % HOT_SLOTS] = (value, digits, sym.0);
            return sym;
        }
        self.intern_keyed(text, key, hash)
    }

    fn intern_keyed(&mut self, text: &str, key: Key<'_>, hash: u64) -> Sym {
        let tag = tag_of(hash);
        let found = self
            .table
            .find(hash, |entry| entry.is(key, tag, &self.text));
        if let Some(entry) = found {
            return Sym(entry.id);
        }
        if let Some(sym) = settled_number(&self.settled, key) {
            return sym;
        }
        let Interner {
            table,
            text: all,
            spans,
            ..
        } = self;
        let id = new_id(spans.len());
        let start = u32::try_from(all.len()).expect("symbol text under 4 GiB");
        all.push_str(text);
        let end = u32::try_from(all.len()).expect("symbol text under 4 GiB");
        spans.push((start, end));
        let all = &*all;
        table.insert_unique(hash, Entry::new(key, hash, id, start, end), |entry| {
            entry.rehash(all)
        });
        Sym(id)
    }

    /// Asks for the table slot a lookup of `text` reads first to be brought into cache:
    /// a row's builder calls this as soon as it has the row's handle, so the slot (a miss
    /// to main memory when rows come in random order) arrives while it checks the rest.
    pub fn prefetch(&self, text: &str) {
        self.table.prefetch(Key::of(text).hash());
    }

    /// The id of `text` if it was ever interned.
    pub fn get(&self, text: &str) -> Option<Sym> {
        self.get_in_table(text)
            .or_else(|| settled_number(&self.settled, Key::of(text)))
    }

    /// The symbol of `text` if the hash table holds it (not looking among the settled
    /// numbers).
    pub(crate) fn get_in_table(&self, text: &str) -> Option<Sym> {
        let key = Key::of(text);
        let hash = key.hash();
        let tag = tag_of(hash);
        self.table
            .find(hash, |entry| entry.is(key, tag, &self.text))
            .map(|entry| Sym(entry.id))
    }

    /// How many numbers are settled (more than none after an earlier settling of the
    /// same facts: a caller importing file after file into them).
    pub(crate) fn settled_count(&self) -> usize {
        self.settled.len()
    }

    /// The symbol of `text` in the hash table or among the first `count` settled numbers
    /// (those of earlier settlings, which are sorted).
    pub(crate) fn get_settled_before(&self, text: &str, count: usize) -> Option<Sym> {
        self.get_in_table(text)
            .or_else(|| settled_number(&self.settled[..count], Key::of(text)))
    }

    /// A new symbol for the decimal `text` (`value` of `digits` digits), which must not
    /// be interned yet, kept out of the hash table: [`Facts::settle_ids`](crate::Facts::settle_ids)
    /// gives hundreds of thousands of post IDs their symbols this way, in the texts' byte
    /// order ([`text_order`]), then calls [`Interner::finish_settling`].
    pub(crate) fn push_settled(&mut self, text: &str, value: u64, digits: u8) -> Sym {
        let order = (text_order(value, digits), digits);
        let id = new_id(self.spans.len());
        let start = u32::try_from(self.text.len()).expect("symbol text under 4 GiB");
        self.text.push_str(text);
        let end = u32::try_from(self.text.len()).expect("symbol text under 4 GiB");
        self.spans.push((start, end));
        self.settled.push((order.0, order.1, id));
        Sym(id)
    }

    /// Keeps the settled numbers sorted after a settling: one settling pushes them in
    /// order, a second one (more files imported into the same facts) may not.
    pub(crate) fn finish_settling(&mut self) {
        if !self.settled.is_sorted() {
            self.settled.sort_unstable();
        }
    }

    /// The text of `sym`.
    pub fn resolve(&self, sym: Sym) -> &str {
        let (start, end) = self.spans[sym.0 as usize];
        &self.text[start as usize..end as usize]
    }

    /// Hints that the place of `sym`'s text will be read soon (see [`crate::prefetch`]).
    pub fn prefetch_span(&self, sym: Sym) {
        if let Some(span) = self.spans.get(sym.0 as usize) {
            crate::prefetch::prefetch(span);
        }
    }

    /// Hints that the text of `sym` will be read soon; its place should be in cache
    /// already ([`Interner::prefetch_span`]).
    pub fn prefetch_text(&self, sym: Sym) {
        if let Some(&(start, _)) = self.spans.get(sym.0 as usize) {
            if let Some(byte) = self.text.as_bytes().get(start as usize) {
                crate::prefetch::prefetch(byte);
            }
        }
    }

    /// For every symbol, by id, a key whose order is the byte order of its text, when the
    /// text is at most 32 ASCII digits (every ad account and post ID), else [`NOT_AN_ID`]:
    /// each digit as `digit + 1` in four bits from the top, so a shorter text that is a
    /// prefix of a longer one, padded with zeros, sorts first. Sorting a few hundred
    /// thousand IDs on these integers reads no text and compares no bytes; reading the
    /// texts in id order reads them front to back (in random order each missed the cache
    /// twice).
    pub fn order_keys(&self) -> Vec<u128> {
        self.spans
            .iter()
            .map(|&(start, end)| {
                digit_order_key(&self.text[start as usize..end as usize]).unwrap_or(NOT_AN_ID)
            })
            .collect()
    }

    /// Masks every code of `secrets` inside the symbols' text, in place (a handle column
    /// may hold a pasted code); whether anything was masked. The table is rebuilt after a
    /// change, so lookups find the masked text.
    pub fn scrub(&mut self, secrets: &crate::Secrets) -> bool {
        let ranges = self
            .spans
            .iter()
            .map(|&(start, end)| (start as usize, end as usize));
        if !secrets.scrub_within(&mut self.text, ranges) {
            return false;
        }
        self.table.clear();
        self.hot.fill((0, 0, 0));
        let Interner {
            table, text, spans, ..
        } = self;
        let all = &*text;
        for (id, &(start, end)) in spans.iter().enumerate() {
            let key = Key::of(&all[start as usize..end as usize]);
            let hash = key.hash();
            table.insert_unique(hash, Entry::new(key, hash, id as u32, start, end), |e| {
                e.rehash(all)
            });
        }
        true
    }

    /// How many distinct strings are interned (the empty string included).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Always false: the empty string is interned at creation.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_is_stable_and_reversible() {
        let mut interner = Interner::default();
        let a = interner.intern("7301");
        let b = interner.intern("creator");
        assert_eq!(interner.intern("7301"), a);
        assert_ne!(a, b);
        assert_eq!(interner.resolve(b), "creator");
        assert_eq!(interner.intern(""), Sym::NONE);
        assert_eq!(interner.get("missing"), None);
        assert_eq!(interner.get("creator"), Some(b));
    }

    /// Post IDs crafted so that FxHash (the interner's hash until 2026-12-07) gives them
    /// all one slot: `value · K² ≡ C + d − 19·K (mod 2⁶⁴)` puts `C + d` in the hash, whose
    /// rotation leaves the same low bits for every small `d`. With FxHash the table held
    /// them as one run of 20,000 slots that every lookup walked; seeded, they spread.
    #[test]
    fn ids_crafted_to_collide_under_a_fixed_hash_do_not_form_one_run() {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let k_inverse = (0..6).fold(K, |x, _| {
            x.wrapping_mul(2u64.wrapping_sub(K.wrapping_mul(x)))
        });
        assert_eq!(K.wrapping_mul(k_inverse), 1);
        let base = 0x1234_5678_9abc_def0u64 & !((1u64 << 38) - 1);
        let crafted: Vec<u64> = (0u64..)
            .map(|d| {
                base.wrapping_add(d)
                    .wrapping_sub(19u64.wrapping_mul(K))
                    .wrapping_mul(k_inverse)
                    .wrapping_mul(k_inverse)
            })
            .filter(|value| (10u64.pow(18)..10u64.pow(19)).contains(value))
            .take(20_000)
            .collect();
        let fx_home = |value: u64| {
            let hash = value.wrapping_mul(K).wrapping_add(19).wrapping_mul(K);
            hash.rotate_left(26) & ((1 << 20) - 1)
        };
        assert!(crafted.iter().all(|&v| fx_home(v) == fx_home(crafted[0])));
        let mut interner = Interner::default();
        for value in &crafted {
            interner.intern(&value.to_string());
        }
        assert_eq!(interner.len(), crafted.len() + 1);
        let longest = interner.table.longest_run();
        assert!(longest < 2_000, "a run of {longest} slots");
    }

    #[test]
    fn numbers_and_text_never_collide() {
        let mut interner = Interner::default();
        let texts = [
            "7",
            "07",
            "007",
            "7301000000000000015",
            "9999999999999999999",
            "18446744073709551615",
            "99999999999999999999",
            "12a",
            "-7",
            "+7",
            "7 ",
            "٣",
            "@7",
        ];
        let syms: Vec<Sym> = texts.iter().map(|t| interner.intern(t)).collect();
        let distinct: std::collections::BTreeSet<Sym> = syms.iter().copied().collect();
        assert_eq!(distinct.len(), texts.len());
        for (text, sym) in texts.iter().zip(&syms) {
            assert_eq!(interner.resolve(*sym), *text);
            assert_eq!(interner.intern(text), *sym);
            assert_eq!(interner.get(text), Some(*sym));
        }
        assert_eq!(interner.get("0007"), None);
    }

    #[test]
    fn order_keys_sort_like_the_text() {
        let mut interner = Interner::default();
        let texts = [
            "",
            "0",
            "00",
            "007",
            "07",
            "1",
            "10",
            "100",
            "19",
            "2",
            "7301000000000000015",
            "7301000000000000015000",
            "9",
            "99999999999999999999999999999999",
        ];
        let syms: Vec<Sym> = texts.iter().map(|t| interner.intern(t)).collect();
        let long = interner.intern("999999999999999999999999999999999");
        let handle = interner.intern("creator.1");
        let keys = interner.order_keys();
        let key = |s: Sym| keys[s.0 as usize];
        assert!(syms.iter().all(|&s| key(s) != NOT_AN_ID));
        let mut by_key = syms.clone();
        by_key.sort_by_key(|&s| key(s));
        let mut by_text = syms.clone();
        by_text.sort_by(|a, b| interner.resolve(*a).cmp(interner.resolve(*b)));
        assert_eq!(by_key, by_text);
        assert_eq!(key(long), NOT_AN_ID);
        assert_eq!(key(handle), NOT_AN_ID);
    }

    #[test]
    fn an_entry_is_half_a_cache_line() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }

    #[test]
    fn inline_and_spilled_texts_and_numbers_are_found_after_growth_and_scrub() {
        let mut interner = Interner::default();
        // Lengths around the inline limit, numbers around the 19-digit limit, UTF-8.
        let texts: Vec<String> = (0..3_000)
            .map(|i| match i % 6 {
                0 => "h".repeat(i % 40 + 1),
                1 => format!("{}{i}", "é".repeat(i % 15)),
                2 => format!("{i:0width$}", width = i % 22 + 1),
                3 => format!("creator.{i:06}"),
                4 => format!("{}", u64::MAX - i as u64),
                _ => format!("x{}", "y".repeat(INLINE - 1 + i % 3)),
            })
            .collect();
        let syms: Vec<Sym> = texts.iter().map(|t| interner.intern(t)).collect();
        for (text, sym) in texts.iter().zip(&syms) {
            assert_eq!(interner.resolve(*sym), text);
            assert_eq!(interner.intern(text), *sym, "{text}");
            assert_eq!(interner.get(text), Some(*sym), "{text}");
        }
        let distinct: std::collections::BTreeSet<&String> = texts.iter().collect();
        assert_eq!(interner.len(), distinct.len() + 1);
        assert_eq!(interner.get(&"h".repeat(41)), None);
        assert_eq!(interner.get(&format!("x{}", "y".repeat(INLINE + 3))), None);
    }

    #[test]
    fn settled_numbers_are_found_like_interned_ones() {
        let mut interner = Interner::default();
        let handle = interner.intern("creator");
        // In text order, as settling gives them.
        let numbers = [
            ("007", 7, 3),
            ("07", 7, 2),
            ("1", 1, 1),
            ("10", 10, 2),
            ("7", 7, 1),
        ];
        let syms: Vec<Sym> = numbers
            .iter()
            .map(|&(text, value, digits)| interner.push_settled(text, value, digits))
            .collect();
        for (&(text, ..), &sym) in numbers.iter().zip(&syms) {
            assert_eq!(interner.resolve(sym), text);
            assert_eq!(interner.get(text), Some(sym), "{text}");
            assert_eq!(interner.intern(text), sym, "{text}");
        }
        assert_eq!(interner.get("0007"), None);
        assert_eq!(interner.get("70"), None);
        let new = interner.intern("70");
        assert!(!syms.contains(&new) && new != handle);
        assert_eq!(interner.intern("70"), new);
        assert_eq!(interner.len(), 1 + 1 + numbers.len() + 1);
        // A scrub rebuilds the table with every symbol; all are still found.
        let mut secrets = crate::Secrets::default();
        secrets.add("#SparkCodeAbcdEFGH1234");
        secrets.seal();
        interner.intern("see #SparkCodeAbcdEFGH1234");
        assert!(interner.scrub(&secrets));
        for (&(text, ..), &sym) in numbers.iter().zip(&syms) {
            assert_eq!(interner.get(text), Some(sym), "{text}");
        }
    }

    #[test]
    fn many_symbols_survive_table_growth() {
        let mut interner = Interner::default();
        let name = |i: usize| {
            if i.is_multiple_of(2) {
                format!("post-{i}")
            } else {
                format!("{}", 7_301_000_000_000_000_000u64 + i as u64)
            }
        };
        let syms: Vec<Sym> = (0..10_000).map(|i| interner.intern(&name(i))).collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(interner.resolve(*sym), name(i));
            assert_eq!(interner.intern(&name(i)), *sym);
        }
        assert_eq!(interner.len(), 10_001);
    }
}
