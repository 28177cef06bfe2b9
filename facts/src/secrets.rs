//! The auth codes read in this run, and scrubbing them out of any text.
//!
//! Masking a code's own column is not enough: people paste codes into ad names, account
//! names, file names and notes. Every code a codes input holds is remembered here (as a
//! hash of its lower-cased bytes, never the code itself), and text on its way out is
//! scanned for any of them, whatever their shape, in any letter case (handles are
//! lower-cased when read).
//!
//! Scanning is by window: for each distinct code length, every window of that many bytes
//! inside a run without white space is hashed and looked up. Names are short words, so
//! most text has no window at all and the scan costs one pass over the bytes.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hasher};
use std::sync::RwLock;

use rustc_hash::{FxBuildHasher, FxHashMap};

/// Codes shorter than this are not scrubbed inside other text: a real auth code is far
/// longer, and a short one would mask ordinary words.
pub const MIN_SCRUBBED_LEN: usize = 8;

/// A set of codes, by byte length.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    /// Hashes of the codes of each length: pushed while reading (cheap in the row loop),
    /// sorted and deduplicated once by [`Secrets::seal`], then searched by bisection.
    by_len: FxHashMap<usize, Vec<u64>>,
    /// Whether every list is sorted and deduplicated.
    sealed: bool,
    /// Distinct lengths, longest first, so a longer code is masked before a shorter one
    /// that it contains.
    lengths: Vec<usize>,
}

/// A hash of `bytes` ignoring ASCII case, byte by byte. Hashing eight bytes at a time
/// was faster, but each word then entered the hash linearly, so one word of a text could
/// be solved for (in seconds) to collide with a code, and the text was masked as if it
/// were one. Neither form resists a determined search; a collision only masks too much.
fn window_hash(bytes: &[u8]) -> u64 {
    let mut hasher = FxBuildHasher.build_hasher();
    for &b in bytes {
        hasher.write_u8(b.to_ascii_lowercase());
    }
    hasher.finish()
}

impl Secrets {
    /// Remembers `code` (trimmed); codes shorter than [`MIN_SCRUBBED_LEN`] bytes or
    /// holding white space cannot be found inside text and are left out.
    ///
    /// The forms a code takes when other text holds it are remembered too: lower and upper
    /// case by Unicode's rules (a handle is lower-cased that way; ASCII case is ignored by
    /// the comparison already), and without leading `@`s (a handle's form, printed with
    /// one `@` again).
    pub fn add(&mut self, code: &str) {
        let code = code.trim();
        self.add_one(code);
        let bare = code.trim_start_matches('@');
        if bare.len() != code.len() {
            self.add_one(bare);
        }
        // A code pasted without its leading `#` (TikTok shows it with one) is the same code.
        let unhashed = code.trim_start_matches('#');
        if unhashed.len() != code.len() {
            self.add_one(unhashed);
        }
        if !code.is_ascii() {
            // Each form in Unicode's lower and upper case: a handle column lower-cases
            // a code pasted without its `#` too.
            for form in [code, bare, unhashed] {
                self.add_one(&form.to_lowercase());
                self.add_one(&form.to_uppercase());
            }
        }
    }

    fn add_one(&mut self, code: &str) {
        if code.len() < MIN_SCRUBBED_LEN
            || code.starts_with("****")
            || code.bytes().any(|b| b.is_ascii_whitespace())
        {
            return;
        }
        let len = code.len();
        self.by_len
            .entry(len)
            .or_default()
            .push(window_hash(code.as_bytes()));
        self.sealed = false;
        if !self.lengths.contains(&len) {
            self.lengths.push(len);
            self.lengths.sort_unstable_by(|a, b| b.cmp(a));
        }
    }

    /// Adds every code of `other`.
    pub fn extend(&mut self, other: Secrets) {
        for (len, hashes) in other.by_len {
            // Moved when this set has no code of that length: a codes file read on
            // another thread brings hundreds of thousands, and copying them wrote into
            // fresh pages on the one thread that then merges.
            crate::merge::append_moving(self.by_len.entry(len).or_default(), hashes);
            if !self.lengths.contains(&len) {
                self.lengths.push(len);
            }
        }
        self.sealed = false;
        self.lengths.sort_unstable_by(|a, b| b.cmp(a));
    }

    /// Sorts and deduplicates the codes, for fast lookups; adding more unseals.
    pub fn seal(&mut self) {
        if !self.sealed {
            for hashes in self.by_len.values_mut() {
                hashes.sort_unstable();
                hashes.dedup();
            }
            self.sealed = true;
        }
    }

    fn contains(&self, len: usize, hash: u64) -> bool {
        let hashes = &self.by_len[&len];
        if self.sealed {
            hashes.binary_search(&hash).is_ok()
        } else {
            hashes.contains(&hash)
        }
    }

    /// Whether no code is known.
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    /// How many codes are known (distinct once sealed).
    pub fn len(&self) -> usize {
        self.by_len.values().map(Vec::len).sum()
    }

    /// Byte ranges of `text` that hold a known code, in order and not overlapping.
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        self.find_into(text, 0, &mut found);
        found.sort_unstable();
        found
    }

    /// The shortest code's length in bytes: text shorter than it holds none.
    pub fn shortest(&self) -> usize {
        self.lengths.last().copied().unwrap_or(usize::MAX)
    }

    /// Appends the ranges of `text` that hold a known code, shifted by `base`.
    fn find_into(&self, text: &str, base: usize, found: &mut Vec<(usize, usize)>) {
        let shortest = self.shortest();
        if text.len() < shortest {
            return;
        }
        let bytes = text.as_bytes();
        let mut start = 0;
        while start < bytes.len() {
            // One run of bytes without white space at a time: codes hold none.
            if bytes[start].is_ascii_whitespace() {
                start += 1;
                continue;
            }
            let end = bytes[start..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |n| start + n);
            if end - start >= shortest {
                let first_new = found.len();
                self.find_in_run(text, start, end, found);
                for range in &mut found[first_new..] {
                    range.0 += base;
                    range.1 += base;
                }
            }
            start = end;
        }
    }

    fn find_in_run(&self, text: &str, start: usize, end: usize, found: &mut Vec<(usize, usize)>) {
        let bytes = text.as_bytes();
        let first_new = found.len();
        for &len in &self.lengths {
            if end - start < len {
                continue;
            }
            let mut at = start;
            while at + len <= end {
                let overlaps = found[first_new..]
                    .iter()
                    .any(|&(s, e)| at < e && s < at + len);
                if !overlaps
                    && text.is_char_boundary(at)
                    && text.is_char_boundary(at + len)
                    && self.contains(len, window_hash(&bytes[at..at + len]))
                {
                    found.push((at, at + len));
                    at += len;
                } else {
                    at += 1;
                }
            }
        }
    }

    /// `text` with every known code masked in place of its characters: stars, then the
    /// code's last four characters (see [`crate::code_tail`]), so the text keeps its
    /// length and shows where a code was.
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let found = self.find(text);
        if found.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_string();
        mask_ranges(&mut out, &found);
        Cow::Owned(out)
    }

    /// Masks every known code inside `text[range]` of `buffer` without moving any byte
    /// (so spans into the buffer stay valid); whether anything was masked.
    pub fn scrub_within(
        &self,
        buffer: &mut String,
        ranges: impl IntoIterator<Item = (usize, usize)>,
    ) -> bool {
        let ranges = ranges.into_iter().map(|(start, end)| (0, start, end));
        self.scrub_within_each(&mut [buffer], ranges)
    }

    /// [`Secrets::scrub_within`] over several buffers: each range is
    /// `(buffer, start, end)`.
    pub fn scrub_within_each(
        &self,
        buffers: &mut [&mut String],
        ranges: impl IntoIterator<Item = (usize, usize, usize)>,
    ) -> bool {
        if self.is_empty() {
            return false;
        }
        let mut found: Vec<Vec<(usize, usize)>> = vec![Vec::new(); buffers.len()];
        let shortest = self.shortest();
        for (buffer, start, end) in ranges {
            if end - start >= shortest {
                self.find_into(&buffers[buffer][start..end], start, &mut found[buffer]);
            }
        }
        let mut masked = false;
        for (buffer, found) in buffers.iter_mut().zip(&mut found) {
            if found.is_empty() {
                continue;
            }
            found.sort_unstable();
            found.dedup();
            mask_ranges(buffer, found);
            masked = true;
        }
        masked
    }

    /// Masks every known code in `text` in place; whether anything was masked.
    pub fn scrub_string(&self, text: &mut String) -> bool {
        let len = text.len();
        self.scrub_within(text, [(0, len)])
    }
}

/// Overwrites each range but its last four characters with `*`. Ranges are sorted, on
/// character boundaries and hold whole characters, so the result is still UTF-8.
fn mask_ranges(text: &mut String, ranges: &[(usize, usize)]) {
    let mut bytes = std::mem::take(text).into_bytes();
    let mut last_end = 0;
    for &(start, end) in ranges {
        if start < last_end {
            continue;
        }
        let code = std::str::from_utf8(&bytes[start..end]).expect("whole characters");
        let keep = crate::code_tail(code).len();
        bytes[start..end - keep].fill(b'*');
        last_end = end;
    }
    *text = String::from_utf8(bytes).expect("stars replace whole characters");
}

static RUN_SECRETS: RwLock<Option<Secrets>> = RwLock::new(None);

/// Adds `secrets` to the codes of this run, which [`scrub_message`] masks in every
/// message the process prints.
pub fn publish(secrets: &Secrets) {
    if secrets.is_empty() {
        return;
    }
    let mut run = RUN_SECRETS.write().unwrap_or_else(|e| e.into_inner());
    let run = run.get_or_insert_with(Secrets::default);
    run.extend(secrets.clone());
    run.seal();
}

/// `message` with every code published in this run masked, for the process's last
/// boundary (standard error, terminal output).
pub fn scrub_message(message: &str) -> Cow<'_, str> {
    let run = RUN_SECRETS.read().unwrap_or_else(|e| e.into_inner());
    match run.as_ref() {
        Some(secrets) => Cow::Owned(secrets.scrub(message).into_owned()),
        None => Cow::Borrowed(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(codes: &[&str]) -> Secrets {
        let mut secrets = Secrets::default();
        for code in codes {
            secrets.add(code);
        }
        secrets
    }

    #[test]
    fn a_code_pasted_without_its_hash_is_masked_too() {
        let mut secrets = Secrets::default();
        secrets.add("#SpkA7mAyAtr4iLhOoK01xQ9z");
        secrets.seal();
        let scrubbed = secrets.scrub("Dani SpkA7mAyAtr4iLhOoK01xQ9z and #SpkA7mAyAtr4iLhOoK01xQ9z");
        assert!(!scrubbed.contains("SpkA7mAyAtr4iLhOoK01"), "{scrubbed}");
    }

    #[test]
    fn codes_of_any_shape_are_masked_inside_text() {
        let codes = [
            "abcdefgh12345678",
            "ABC_def+ghi/jkl=mno_0123456789_zzzzzzzzzzzzzzzz",
            "#Zm9vYmFyYmF6cXV4",
        ];
        let secrets = secrets(&codes);
        for code in codes {
            let text = format!("Promo {code} launch/{code}.csv");
            let scrubbed = secrets.scrub(&text);
            assert!(!scrubbed.contains(code), "{scrubbed}");
            assert_eq!(scrubbed.len(), text.len());
            assert!(scrubbed.contains(crate::code_tail(code)), "{scrubbed}");
            assert!(scrubbed.starts_with("Promo ****"), "{scrubbed}");
        }
    }

    #[test]
    fn case_changes_do_not_hide_a_code() {
        let secrets = secrets(&["AbCdEfGh12345678XyZ"]);
        let scrubbed = secrets.scrub("@abcdefgh12345678xyz");
        assert_eq!(scrubbed, "@***************8xyz");
    }

    #[test]
    fn unicode_case_and_a_handles_at_do_not_hide_a_code() {
        let secrets = secrets(&["ÄbcDéfgh12345678", "@mayacode12345678"]);
        for text in [
            "äbcdéfgh12345678x",
            "ÄBCDÉFGH12345678x",
            "@mayacode12345678",
            "MAYACODE12345678",
        ] {
            let scrubbed = secrets.scrub(text);
            assert!(scrubbed.contains("****"), "{text} -> {scrubbed}");
            assert!(!scrubbed.to_lowercase().contains("fgh1234"), "{scrubbed}");
            assert!(!scrubbed.to_lowercase().contains("mayacode"), "{scrubbed}");
        }
    }

    /// A code with non-ASCII letters pasted without its `#` into a handle column comes
    /// back lower-cased by Unicode's rules (found from outside: it was shown whole).
    #[test]
    fn a_unicode_code_without_its_hash_is_masked_in_either_case() {
        let secrets = secrets(&["#SpkÉtéßÜmlaut0123"]);
        for text in ["@spkétéßümlaut0123", "SPKÉTÉSSÜMLAUT0123"] {
            let scrubbed = secrets.scrub(text);
            assert!(scrubbed.contains("****"), "{text} -> {scrubbed}");
            assert!(!scrubbed.to_lowercase().contains("mlaut0"), "{scrubbed}");
        }
    }

    #[test]
    fn short_codes_and_other_text_are_left_alone() {
        let secrets = secrets(&["abc12", "ZZZZZZZZZZZZZZZZZZZZ"]);
        assert_eq!(secrets.len(), 1);
        assert!(matches!(
            secrets.scrub("abc12 Summer sale 2026"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_longer_code_wins_over_a_shorter_one_inside_it() {
        let secrets = secrets(&["shortcode123", "xx_shortcode123_yy_longer"]);
        let scrubbed = secrets.scrub("name xx_shortcode123_yy_longer end shortcode123");
        assert_eq!(scrubbed, "name *********************nger end ********e123");
    }

    #[test]
    fn scrubbing_within_ranges_keeps_every_other_byte_in_place() {
        let secrets = secrets(&["Ünïcødé-Çödé-0001"]);
        let mut buffer = "ad one|Ünïcødé-Çödé-0001|ad two".to_string();
        let len = buffer.len();
        assert!(secrets.scrub_within(&mut buffer, [(7, len - 7)]));
        assert_eq!(buffer.len(), len);
        assert!(buffer.starts_with("ad one|*"));
        assert!(buffer.ends_with("0001|ad two"));
        assert!(!buffer.contains("Ünïcødé"));
    }
}
