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

/// One growing buffer for display-only text (ad ids and names, BC names, masked codes).
///
/// Appending is a copy, with no hashing and no allocation per string, which keeps the
/// importers' row loop cheap for the million-row ad exports.
#[derive(Debug, Default)]
pub struct TextArena {
    buffer: String,
}

impl TextArena {
    /// Stores `text` and returns where it is.
    pub fn push(&mut self, text: &str) -> Span {
        if text.is_empty() {
            return Span::EMPTY;
        }
        let start = u32::try_from(self.buffer.len()).expect("display text under 4 GiB");
        self.buffer.push_str(text);
        Span {
            start,
            len: u32::try_from(text.len()).expect("display text under 4 GiB"),
        }
    }

    /// Stores `prefix` followed by `text` as one span, without a temporary string.
    pub fn push_concat(&mut self, prefix: &str, text: &str) -> Span {
        let start = self.buffer.len();
        self.buffer.push_str(prefix);
        self.buffer.push_str(text);
        Span {
            start: u32::try_from(start).expect("display text under 4 GiB"),
            len: u32::try_from(prefix.len() + text.len()).expect("display text under 4 GiB"),
        }
    }

    /// Appends another arena's text and returns the offset its spans move by.
    pub fn append(&mut self, other: &TextArena) -> u32 {
        let offset = u32::try_from(self.buffer.len()).expect("display text under 4 GiB");
        self.buffer.push_str(&other.buffer);
        offset
    }

    /// Makes room for `additional` more bytes.
    pub fn reserve(&mut self, additional: usize) {
        self.buffer.reserve(additional);
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
        let ranges = spans
            .into_iter()
            .filter(|span| span.len >= shortest)
            .map(|span| span.range());
        secrets.scrub_within(&mut self.buffer, ranges)
    }

    /// The text of `span`.
    pub fn get(&self, span: Span) -> &str {
        let start = span.start as usize;
        &self.buffer[start..start + span.len as usize]
    }
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
}
