//! Splitting delimited text into records, straight from the text.
//!
//! The rules are the csv crate's (`csv_core`, with `"` quoting, `""` for a quote inside
//! quotes, and `\r`, `\n` or `\r\n` ending a record; empty lines are skipped), and a test
//! holds this reader to the csv crate's on every kind of line. Most lines hold no quote
//! at all: such a line is cut at its delimiters in place, without the csv crate's copy of
//! every byte into a record of its own and its state machine per byte (about 30% of the
//! read's samples; on the 175 MB ads export, 206 ms through the csv crate against 84 ms
//! cut in place). A line with a quote anywhere is read by `csv_core` from its start,
//! which also takes a quoted value over line breaks.
//!
//! Each record knows its line: `\r\n`, `\n` and a lone `\r` each end a line (the csv
//! crate's own count is one short after `\r\n`). Only the line ends between records and
//! inside quoted records are counted, so the text is not scanned a second time for them.

use std::ops::Range;

/// Where a record's fields are: ranges of the text itself, or (a record read by
/// `csv_core`) its fields' ends in the record's own text, its quotes removed. The buffers
/// are kept from record to record.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// Byte offset in the text where the record starts.
    pub start: usize,
    /// The 1-based line where the record starts.
    pub line: u64,
    /// Whether the fields are in `unquoted` (ends in `ends`) rather than in the text.
    quoted: bool,
    fields: Vec<Range<usize>>,
    ends: Vec<usize>,
    unquoted: String,
}

impl Record {
    /// How many fields the record has.
    pub fn len(&self) -> usize {
        if self.quoted {
            self.ends.len()
        } else {
            self.fields.len()
        }
    }

    /// Field `index` of the record read from `text`.
    pub fn get<'a>(&'a self, text: &'a str, index: usize) -> Option<&'a str> {
        if self.quoted {
            let end = *self.ends.get(index)?;
            let start = index.checked_sub(1).map_or(0, |before| self.ends[before]);
            self.unquoted.get(start..end)
        } else {
            text.get(self.fields.get(index)?.clone())
        }
    }
}

/// A record's fields with the text they are read from.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    pub text: &'a str,
    pub record: &'a Record,
}

impl crate::table::FieldSource for Fields<'_> {
    fn field(&self, index: usize) -> Option<&str> {
        self.record.get(self.text, index)
    }
}

/// Reads records from a position in a text onwards.
pub(crate) struct Records<'t> {
    text: &'t str,
    position: usize,
    /// Line ends before `position`.
    line_ends: u64,
    delimiter: u8,
    quoted: csv_core::Reader,
}

impl<'t> Records<'t> {
    /// Records of `text` from byte `from` on, which must be where a record may start (the
    /// start of a line).
    pub fn new(text: &'t str, from: usize, delimiter: u8) -> Self {
        Records {
            text,
            position: from,
            line_ends: line_ends(text.as_bytes(), 0..from),
            delimiter,
            quoted: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
        }
    }

    /// Reads the next record into `record`; false at the end of the text.
    pub fn read(&mut self, record: &mut Record) -> bool {
        let bytes = self.text.as_bytes();
        let start = self.position
            + bytes[self.position..]
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .unwrap_or(bytes.len() - self.position);
        if start == bytes.len() {
            self.position = start;
            return false;
        }
        self.line_ends += line_ends(bytes, self.position..start);
        record.start = start;
        record.line = self.line_ends + 1;
        record.fields.clear();
        let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |e| start + e);
        let line = &bytes[start..end];
        if memchr::memchr(b'"', line).is_some() {
            self.read_quoted(record);
            return true;
        }
        record.quoted = false;
        let mut field_start = start;
        for delimiter in memchr::memchr_iter(self.delimiter, line) {
            record.fields.push(field_start..start + delimiter);
            field_start = start + delimiter + 1;
        }
        record.fields.push(field_start..end);
        self.position = end;
        true
    }

    /// Reads the record at `record.start` with `csv_core`, into the record's own buffers.
    fn read_quoted(&mut self, record: &mut Record) {
        use csv_core::ReadRecordResult;
        let input = &self.text.as_bytes()[record.start..];
        // The reader starts each record afresh. `reset` would also have it strip a
        // byte-order mark as at the start of a file: a blank line read first (skipped)
        // ends that, so a U+FEFF starting a row stays in its value, as in one read.
        self.quoted.reset();
        let _ = self.quoted.read_record(b"\n", &mut [], &mut []);
        // The buffers keep the last quoted record's length: growing them to at least a
        // small size zeroes at most that much, whatever size an earlier record needed
        // (zeroing their whole capacity for every record made one 30 MB value followed
        // by quoted rows quadratic).
        let mut output = std::mem::take(&mut record.unquoted).into_bytes();
        let ends = &mut record.ends;
        output.resize(output.len().max(4096), 0);
        ends.resize(ends.len().max(64), 0);
        let (mut consumed, mut written, mut fields) = (0, 0, 0);
        let mut ended = false;
        loop {
            // The whole rest of the text is given: once it is read, an empty input says
            // that it has ended.
            let (result, read, wrote, found) = self.quoted.read_record(
                if ended { &[] } else { &input[consumed..] },
                &mut output[written..],
                &mut ends[fields..],
            );
            consumed += read;
            written += wrote;
            fields += found;
            match result {
                ReadRecordResult::InputEmpty => ended = consumed == input.len(),
                ReadRecordResult::OutputFull => output.resize(output.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        output.truncate(written);
        ends.truncate(fields);
        // Quotes removed from UTF-8 text leave UTF-8 text, so this conversion keeps the
        // buffer (no copy); the lossy branch only spares an `unsafe`.
        record.unquoted = String::from_utf8(output)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        record.quoted = true;
        self.position = record.start + consumed;
        self.line_ends += line_ends(self.text.as_bytes(), record.start..self.position);
    }
}

/// The line ends in `text[range]`: each `\n`, and each `\r` not followed by a `\n` (looked
/// for past the range's end, so a `\r\n` split by it counts once).
fn line_ends(text: &[u8], range: Range<usize>) -> u64 {
    let start = range.start;
    memchr::memchr2_iter(b'\n', b'\r', &text[range])
        .filter(|&i| text[start + i] == b'\n' || text.get(start + i + 1) != Some(&b'\n'))
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `text` (from `from`) as (start, fields), by this reader.
    fn ours(text: &str, from: usize, delimiter: u8) -> Vec<(usize, Vec<String>)> {
        let mut records = Records::new(text, from, delimiter);
        let mut record = Record::default();
        let mut all = Vec::new();
        while records.read(&mut record) {
            let fields = (0..record.len())
                .map(|i| record.get(text, i).unwrap().to_string())
                .collect();
            all.push((record.start, fields));
        }
        all
    }

    /// The same by the csv crate, with each record's start moved past line ends (the csv
    /// crate reports a record after `\r\n` as starting at the `\n`). The csv crate reads
    /// from a blank line before `from`: a reader in the middle of a file does not take a
    /// U+FEFF for a byte-order mark (the decoder strips the file's own).
    fn csv_crate(text: &str, from: usize, delimiter: u8) -> Vec<(usize, Vec<String>)> {
        let input = format!("\n{}", &text[from..]);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(input.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut all = Vec::new();
        while reader.read_record(&mut record).unwrap() {
            let mut start = record.position().unwrap().byte() as usize;
            while matches!(input.as_bytes().get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            let start = from + start - 1;
            all.push((start, record.iter().map(str::to_string).collect()));
        }
        all
    }

    #[test]
    fn lines_of_every_kind_read_as_the_csv_crate_reads_them() {
        let texts = [
            "",
            "\n\n\r\n",
            "a,b,c",
            "a,b,c\n",
            "a,b\r\nc,d\r\n",
            "a,b\rc,d\r",
            "a,,\n,\n,,,\n",
            "x\n\n\ny\n",
            "  spaced , cells \n",
            "\"quoted, comma\",b\n",
            "a,\"multi\nline\r\nvalue\",c\nnext,row\n",
            "a,\"say \"\"hi\"\"\",c\n",
            "a,b\"c,d\n",
            "\"unterminated,x\ny,z",
            "é,ü\n\"ö\",\"日本\"\n",
            "a,\"\",b\n\"\"\n",
            "last,line,\"quoted\"",
            "a\n\u{feff}\"x\",b\n\u{feff}c,\"d\"\n",
            "\u{feff}\"x\ny\",z\n",
        ];
        for text in texts {
            for delimiter in [b',', b';', b'\t'] {
                let text = text.replace(',', std::str::from_utf8(&[delimiter]).unwrap());
                assert_eq!(
                    ours(&text, 0, delimiter),
                    csv_crate(&text, 0, delimiter),
                    "{text:?}"
                );
            }
        }
    }

    /// The line of every record of `text` after its first (header) line.
    fn lines(text: &str) -> Vec<u64> {
        let from = text.find(['\r', '\n']).map_or(text.len(), |at| at + 1);
        let mut records = Records::new(text, from, b',');
        let mut record = Record::default();
        let mut lines = Vec::new();
        while records.read(&mut record) {
            lines.push(record.line);
        }
        lines
    }

    #[test]
    fn lines_are_right_for_every_line_end() {
        assert_eq!(lines("h,i\na,b\nc,d\n"), [2, 3]);
        assert_eq!(lines("h,i\r\na,b\r\nc,d\r\n"), [2, 3]);
        assert_eq!(lines("h,i\ra,b\rc,d"), [2, 3]);
        assert_eq!(lines("h,i\r\na,\"x\r\ny\"\r\nc,d\n\ne,f"), [2, 4, 6]);
        assert_eq!(lines("h\n\"a\rb\"\r\"c\r\n\nd\"\r\n\r\re"), [2, 4, 9]);
    }

    #[test]
    fn quoted_rows_after_a_huge_quoted_value_cost_what_they_hold() {
        // One 32 MB quoted value, then 20,000 short quoted rows: each of them used to
        // zero the buffers' whole capacity (32 MB), 640 GB of writes in all. This is a
        // guard against that complexity, not a speed target: the bound is ten times
        // what the reader needs in a debug build, and a tenth of what the bug took.
        let mut text = format!("\"{}\",x\n", "v".repeat(32 << 20));
        for i in 0..20_000 {
            text += &format!("\"a, {i}\",b\n");
        }
        let started = std::time::Instant::now();
        let records = ours(&text, 0, b',');
        assert_eq!(records.len(), 20_001);
        assert_eq!(records[20_000].1, ["a, 19999", "b"]);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn a_large_quoted_record_grows_the_buffers() {
        let value = "v".repeat(10_000);
        let fields: Vec<String> = (0..200).map(|i| format!("\"{value}{i}\"")).collect();
        let text = format!("{}\nplain,row\n", fields.join(","));
        assert_eq!(ours(&text, 0, b','), csv_crate(&text, 0, b','));
    }

    proptest! {
        #[test]
        fn any_text_reads_as_the_csv_crate_reads_it(
            cells in proptest::collection::vec("[a\"\r\n,; é\u{feff}]{0,6}", 0..40),
            from_line in 0usize..4,
        ) {
            let text: String = cells.concat();
            // Readers start where a record may start: the text's start or after a `\n`.
            let from = text
                .match_indices('\n')
                .nth(from_line)
                .map_or(0, |(at, _)| at + 1);
            prop_assert_eq!(ours(&text, from, b','), csv_crate(&text, from, b','));
            let mut records = Records::new(&text, from, b',');
            let mut record = Record::default();
            while records.read(&mut record) {
                // Every line end before the start, counted by splitting the text there.
                let before = text[..record.start].replace("\r\n", "\n");
                let expected = before.matches(['\r', '\n']).count() as u64 + 1;
                prop_assert_eq!(record.line, expected);
            }
        }
    }
}
