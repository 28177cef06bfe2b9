/// A slice of a [`TextArena`]: display text that is printed but never compared.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The empty text.
    pub const EMPTY: Span = Span { start: 0, len: 0 };

    /// The same text after its arena was appended at `offset` of another.
    pub fn shifted(self, offset: u32) -> Span {
        if self.len == 0 {
            return self;
        }
        Span {
            start: self.start + offset,
            len: self.len,
        }
    }

    /// Whether the text is empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Its byte range in the arena.
    pub fn range(self) -> (usize, usize) {
        (self.start as usize, (self.start + self.len) as usize)
    }
}

/// Display-only text (ad ids and names, BC names, masked codes), in few large buffers.
///
/// Pushing is a copy, with no hashing and no allocation per string, which keeps the
/// importers' row loop cheap for the million-row ad exports. A [`Span`] is an offset in
/// the whole arena; the text is kept in chunks, each with the offset of its first byte,
/// and only the last chunk grows. Appending another arena (files and pieces of a file
/// imported on other threads) moves its chunks in: copying its text cost a fifth of
/// the appends' time at 1M ads, on one thread while the other waited.
#[derive(Debug, Default)]
pub struct TextArena {
    chunks: Vec<(u32, String)>,
}

impl TextArena {
    /// Stores `text` and returns where it is.
    pub fn push(&mut self, text: &str) -> Span {
        if text.is_empty() {
            return Span::EMPTY;
        }
        self.push_concat("", text)
    }

    /// Stores `prefix` followed by `text` as one span, without a temporary string.
    pub fn push_concat(&mut self, prefix: &str, text: &str) -> Span {
        let (first, buffer) = self.last_chunk();
        let start = u32::try_from(buffer.len())
            .ok()
            .and_then(|at| first.checked_add(at))
            .expect("display text under 4 GiB");
        buffer.push_str(prefix);
        buffer.push_str(text);
        Span {
            start,
            len: u32::try_from(prefix.len() + text.len()).expect("display text under 4 GiB"),
        }
    }

    /// The chunk that grows, with its first byte's offset (made if there is none).
    fn last_chunk(&mut self) -> (u32, &mut String) {
        if self.chunks.is_empty() {
            self.chunks.push((0, String::new()));
        }
        let (first, buffer) = self.chunks.last_mut().expect("a chunk was just made");
        (*first, buffer)
    }

    /// The arena's length in bytes.
    fn len(&self) -> usize {
        self.chunks
            .last()
            .map_or(0, |(first, buffer)| *first as usize + buffer.len())
    }

    /// Hints that the text of `span` will be read soon (see [`crate::prefetch`]).
    pub fn prefetch(&self, span: Span) {
        if span.len == 0 {
            return;
        }
        let (first, buffer) = match self.chunks.as_slice() {
            [only] => only,
            chunks => &chunks[chunk_of_in(chunks, span.start)],
        };
        if let Some(text) = buffer.as_bytes().get((span.start - first) as usize) {
            crate::prefetch::prefetch(text);
        }
    }

    /// Appends another arena's text, moving its chunks, and returns the offset its spans
    /// move by.
    pub fn append(&mut self, other: TextArena) -> u32 {
        let offset = u32::try_from(self.len()).expect("display text under 4 GiB");
        for (first, buffer) in other.chunks {
            if buffer.is_empty() {
                continue;
            }
            let first = offset
                .checked_add(first)
                .filter(|first| first.checked_add(buffer.len() as u32).is_some())
                .expect("display text under 4 GiB");
            self.chunks.push((first, buffer));
        }
        offset
    }

    /// Makes room for `additional` more bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.last_chunk().1.reserve(additional);
    }

    /// Masks every code of `secrets` inside the text of `spans`, in place: no byte moves,
    /// so every span stays valid. Whether anything was masked.
    pub fn scrub(
        &mut self,
        spans: impl IntoIterator<Item = Span>,
        secrets: &crate::Secrets,
    ) -> bool {
        // Most spans are short names and IDs: only those a code fits in are scanned.
        let shortest = secrets.shortest() as u32;
        let firsts: Vec<u32> = self.chunks.iter().map(|(first, _)| *first).collect();
        let ranges = spans
            .into_iter()
            .filter(|span| span.len >= shortest && span.len > 0)
            .map(|span| {
                let chunk = chunk_of(&firsts, span.start);
                let (start, end) = span.range();
                let first = firsts[chunk] as usize;
                (chunk, start - first, end - first)
            });
        let mut buffers: Vec<&mut String> =
            self.chunks.iter_mut().map(|(_, buffer)| buffer).collect();
        secrets.scrub_within_each(&mut buffers, ranges)
    }

    /// The text of `span`.
    pub fn get(&self, span: Span) -> &str {
        if span.len == 0 {
            return "";
        }
        let (first, buffer) = match self.chunks.as_slice() {
            [only] => only,
            chunks => &chunks[chunk_of_in(chunks, span.start)],
        };
        let start = (span.start - first) as usize;
        &buffer[start..start + span.len as usize]
    }
}

/// The index of the chunk holding offset `at`, given each chunk's first offset (sorted,
/// the first one 0).
fn chunk_of(firsts: &[u32], at: u32) -> usize {
    firsts
        .partition_point(|&first| first <= at)
        .saturating_sub(1)
}

fn chunk_of_in(chunks: &[(u32, String)], at: u32) -> usize {
    chunks
        .partition_point(|(first, _)| *first <= at)
        .saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_return_what_was_pushed() {
        let mut arena = TextArena::default();
        let a = arena.push("Summer sale");
        let empty = arena.push("");
        let b = arena.push("Ad ✓");
        assert_eq!(arena.get(a), "Summer sale");
        assert_eq!(arena.get(b), "Ad ✓");
        assert!(empty.is_empty());
        assert_eq!(arena.get(empty), "");
    }

    #[test]
    fn appended_arenas_keep_every_span_and_go_on_growing() {
        let mut arena = TextArena::default();
        let a = arena.push("first");
        let mut piece = TextArena::default();
        let b = piece.push("second ✓");
        let c = piece.push_concat("pre-", "thirdcode1");
        let mut nested = TextArena::default();
        let d = nested.push("fourth");
        let offset = piece.append(nested);
        let d = d.shifted(offset);
        let offset = arena.append(piece);
        let (b, c, d) = (b.shifted(offset), c.shifted(offset), d.shifted(offset));
        // An empty arena appended changes nothing; pushing goes on after the last chunk.
        arena.append(TextArena::default());
        let e = arena.push("fifthcode2");
        let texts = [
            (a, "first"),
            (b, "second ✓"),
            (c, "pre-thirdcode1"),
            (d, "fourth"),
            (e, "fifthcode2"),
        ];
        for (span, text) in texts {
            assert_eq!(arena.get(span), text);
        }
        assert_eq!(
            arena.len(),
            "firstsecond ✓pre-thirdcode1fourthfifthcode2".len()
        );
        // Masking finds a code in any chunk, and only inside spans.
        let mut secrets = crate::Secrets::default();
        secrets.add("thirdcode1");
        secrets.add("fifthcode2");
        secrets.seal();
        assert!(arena.scrub(texts.iter().map(|(span, _)| *span), &secrets));
        assert_eq!(arena.get(c), "pre-******ode1");
        assert_eq!(arena.get(e), "******ode2");
        assert_eq!(arena.get(d), "fourth");
    }
}
