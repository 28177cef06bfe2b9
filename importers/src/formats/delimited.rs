//! Delimited text (`,`, `;` or tab with a header row): sniff the delimiter, detect the
//! kind from the header, then one fact or one rejection per row.

use sparkcheck_facts::threads::{spawn, Spawned};
use sparkcheck_facts::{Facts, FileFormat, Rejection, RowRef, SourceFile};

use crate::decode::Decoded;
use crate::formats::records::{Fields, Record, Records};
use crate::record::{build_row, Kind, RecentSyms, RowSink};
use crate::registry::{detect, Detection};
use crate::table::{normalize_header, ColumnMap, FieldSource};

/// Imports one decoded delimited file; `Err` is the one-line reason it cannot be used.
///
/// `advance` is told of bytes consumed now and then; the caller reports the rest when the
/// file is done.
pub fn import(
    display: &str,
    decoded: &Decoded<'_>,
    facts: &mut Facts,
    advance: &dyn Fn(u64),
) -> Result<(), String> {
    import_in_pieces(display, decoded, facts, advance, pieces_for).map(|_| ())
}

/// [`import`], with the rows (of so many bytes) cut into `pieces(bytes)` pieces; gives
/// how many pieces were kept (1 when the file was read in one).
fn import_in_pieces(
    display: &str,
    decoded: &Decoded<'_>,
    facts: &mut Facts,
    advance: &dyn Fn(u64),
    pieces: impl FnOnce(usize) -> usize,
) -> Result<usize, String> {
    let whole: &str = &decoded.text;
    let text = whole.as_bytes();
    let first = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err("the file is empty; expected a header row naming the columns".to_string());
    };
    if matches!(text[first], b'{' | b'[') {
        return Err("this looks like JSON, which sparkcheck does not read yet; \
                    hint: export the data as CSV"
            .to_string());
    }
    let delimiter = sniff_delimiter(text, display);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text);
    let raw_headers = reader
        .byte_headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .clone();
    let shown: Vec<String> = raw_headers
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    let headers: Vec<String> = shown.iter().map(|h| normalize_header(h)).collect();

    let (importer, map) = match detect(&headers) {
        Detection::Matched(importer, map) => (importer, map),
        Detection::Unrecognised { nearest, missing } => {
            return Err(unrecognised(
                &shown,
                nearest.kind().name(),
                &missing,
                delimiter,
            ))
        }
    };
    let mut notes: Vec<String> = decoded.note.iter().cloned().collect();
    if delimiter != b',' {
        notes.push(format!("delimiter `{}`", describe_delimiter(delimiter)));
    }
    let mut source = SourceFile::new(display, FileFormat::Delimited, vec![importer.kind()]);
    source.notes = notes;
    source.fields = map.optional_present(importer.fields());
    let file = facts.add_file(source);

    let body = Body {
        text: whole,
        delimiter,
        fields: headers.len(),
        table: Table {
            kind: importer,
            map: &map,
            shown: &shown,
            file,
        },
    };
    let header_end = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
    let pieces = pieces(text.len().saturating_sub(header_end));
    let (counts, kept) = body.read(header_end.min(text.len()), facts, advance, pieces);
    let source = &mut facts.files[file as usize];
    source.rows = counts.rows;
    source.imported = counts.imported;
    source.rejected = counts.rejected;
    Ok(kept)
}

/// The fewest bytes worth a piece of their own: below this a thread costs more than it saves.
const MIN_PIECE: usize = 16 << 20;

static PARSE_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// How many threads may parse one large delimited file (default 1). The import's threads
/// take whole files; a file much larger than the others (one 170 MB ads export beside
/// smaller ones) would leave the other threads idle at its end, so it is parsed in pieces.
pub(crate) fn set_parse_threads(threads: usize) {
    PARSE_THREADS.store(threads.max(1), std::sync::atomic::Ordering::Relaxed);
}

fn pieces_for(body: usize) -> usize {
    let threads = PARSE_THREADS.load(std::sync::atomic::Ordering::Relaxed);
    (body / MIN_PIECE).clamp(1, threads)
}

/// A file's rows after its header, and what reading them needs.
struct Body<'t> {
    text: &'t str,
    delimiter: u8,
    /// Fields in the header: a row with another count is rejected.
    fields: usize,
    table: Table<'t>,
}

/// What a file's rows came to.
#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
struct Counts {
    rows: u64,
    imported: u64,
    rejected: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.rows += other.rows;
        self.imported += other.imported;
        self.rejected += other.rejected;
    }
}

/// Where reading a run of rows stopped.
#[derive(Debug, PartialEq, Eq)]
enum Stop {
    /// At the end of the text.
    End,
    /// At the cut: the next record starts exactly there (read, not yet imported).
    AtCut,
    /// A record ran across the cut (a quoted line break): the cut is no record boundary,
    /// and the reader went on past it to the end.
    PastCut,
}

impl Body<'_> {
    /// Imports every row, in `pieces` pieces on as many threads when that is worth it.
    ///
    /// Pieces are cut just after a line break, then checked: a piece is only kept when
    /// the reader of the piece before it, reading on from its own start, finds a record
    /// starting exactly at the cut. A quoted value with line breaks across a cut leaves
    /// the rest of the file to the first reader alone, so the facts, counts, rejections
    /// and line numbers are those of one sequential read, always.
    fn read(
        &self,
        start: usize,
        facts: &mut Facts,
        advance: &dyn Fn(u64),
        pieces: usize,
    ) -> (Counts, usize) {
        let cuts = cut_points(self.text.as_bytes(), start, pieces);
        // The first reader reads on from `start` to the end when no piece can be kept.
        let mut first = Rows::new(self, start, self.table.file);
        if cuts.is_empty() {
            first.run(facts, None, advance);
            return (first.finish(facts), 1);
        }
        let cancelled = std::sync::atomic::AtomicBool::new(false);
        let outcome = std::thread::scope(|scope| {
            let handles: Vec<_> = cuts
                .iter()
                .enumerate()
                .map(|(i, &from)| {
                    let until = cuts.get(i + 1).copied();
                    let cancelled = &cancelled;
                    spawn(scope, move || self.read_piece(from, until, cancelled))
                })
                .collect();
            let stop = first.run(facts, Some(cuts[0]), advance);
            if stop != Stop::AtCut {
                cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let pieces: Vec<Option<(Facts, Counts)>> =
                handles.into_iter().map(Spawned::join).collect();
            (stop, pieces)
        });
        match outcome {
            (Stop::AtCut, pieces) if pieces.iter().all(Option::is_some) => {
                let mut counts = first.finish(facts);
                let kept = 1 + pieces.len();
                for (piece, piece_counts) in pieces.into_iter().flatten() {
                    facts.absorb_continuation(piece, self.table.file);
                    counts += piece_counts;
                }
                (counts, kept)
            }
            // The first reader went past its cut, or a piece could not be kept: the first
            // reader goes on alone (from where it is: it holds every row before).
            (Stop::AtCut, _) => {
                first.run(facts, None, advance);
                (first.finish(facts), 1)
            }
            (_, _) => (first.finish(facts), 1),
        }
    }

    /// Reads the piece from `from` to `until` (or the end) into facts of its own; `None`
    /// when it must not be kept (it ran past `until` or was cancelled).
    fn read_piece(
        &self,
        from: usize,
        until: Option<usize>,
        cancelled: &std::sync::atomic::AtomicBool,
    ) -> Option<(Facts, Counts)> {
        let mut facts = Facts::default();
        facts.reserve_for_input(until.unwrap_or(self.text.len()) - from);
        // The piece's facts have this one file: absorbed, its rows become the file's.
        facts.add_file(sparkcheck_facts::SourceFile::new(
            "",
            FileFormat::Delimited,
            vec![self.table.kind.kind()],
        ));
        let mut rows = Rows::new(self, from, 0);
        rows.cancelled = Some(cancelled);
        let expected = if until.is_some() {
            Stop::AtCut
        } else {
            Stop::End
        };
        match rows.run(&mut facts, until, &|_| {}) {
            stop if stop == expected && !rows.was_cancelled() => {
                let counts = rows.finish(&mut facts);
                Some((facts, counts))
            }
            _ => None,
        }
    }
}

/// Up to `pieces - 1` cut points in `text[start..]`, each just after a `\n` and past any
/// further line ends (where a record would start), in increasing order.
fn cut_points(text: &[u8], start: usize, pieces: usize) -> Vec<usize> {
    let body = text.len().saturating_sub(start);
    let mut cuts: Vec<usize> = Vec::new();
    for i in 1..pieces {
        let aim = start + body / pieces * i;
        let Some(newline) = memchr::memchr(b'\n', &text[aim..]) else {
            break;
        };
        let mut cut = aim + newline + 1;
        while cut < text.len() && matches!(text[cut], b'\r' | b'\n') {
            cut += 1;
        }
        if cut < text.len() && cuts.last().is_none_or(|&last| cut > last) {
            cuts.push(cut);
        }
    }
    cuts
}

/// A reader over rows of one file, importing them as it goes.
struct Rows<'b, 't> {
    body: &'b Body<'t>,
    records: Records<'t>,
    /// The file's index in the facts being filled.
    file: u32,
    record: Record,
    /// The record in `record` was read but not yet imported (it starts at a cut).
    pending: bool,
    recent: RecentSyms,
    counts: Counts,
    rejections: Vec<Rejection>,
    reported: u64,
    cancelled: Option<&'b std::sync::atomic::AtomicBool>,
}

impl<'b, 't> Rows<'b, 't> {
    /// Rows of `body` from byte `from` (the start of a line) on.
    fn new(body: &'b Body<'t>, from: usize, file: u32) -> Self {
        Rows {
            body,
            records: Records::new(body.text, from, body.delimiter),
            file,
            record: Record::default(),
            pending: false,
            recent: RecentSyms::default(),
            counts: Counts::default(),
            rejections: Vec::new(),
            reported: from as u64,
            cancelled: None,
        }
    }

    fn was_cancelled(&self) -> bool {
        self.cancelled
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Imports rows until the end, or until the next record would start at or after
    /// `cut` (see [`Stop`]).
    fn run(&mut self, facts: &mut Facts, mut cut: Option<usize>, advance: &dyn Fn(u64)) -> Stop {
        let mut stop = Stop::End;
        loop {
            if !std::mem::take(&mut self.pending) && !self.records.read(&mut self.record) {
                break;
            }
            let starts = self.record.start;
            let byte = starts as u64;
            if let Some(at) = cut {
                if starts == at {
                    self.pending = true;
                    return Stop::AtCut;
                }
                if starts > at {
                    (cut, stop) = (None, Stop::PastCut);
                }
            }
            self.counts.rows += 1;
            if self.counts.rows.is_multiple_of(16_384) {
                if self.was_cancelled() {
                    return stop;
                }
                advance(byte - self.reported);
                self.reported = byte;
            }
            self.import(facts);
        }
        stop
    }

    fn import(&mut self, facts: &mut Facts) {
        let line = self.record.line;
        let table = Table {
            file: self.file,
            ..self.body.table
        };
        let fields = Fields {
            text: self.body.text,
            record: &self.record,
        };
        if self.record.len() != self.body.fields {
            // The row becomes no fact, but a code in it is still a secret wherever else it
            // turns up (an ad name quoting it): remembered as a well-formed row's would be.
            let values = table.map.values(&fields);
            for &field in table.kind.secret_fields() {
                facts.secrets.add(values.text(field));
            }
            self.rejections.push(Rejection {
                file: self.file,
                line,
                column: None,
                reason: field_count_reason(
                    self.record.len(),
                    self.body.fields,
                    self.body.delimiter,
                ),
            });
            return;
        }
        match import_record(&table, line, &fields, facts, &mut self.recent) {
            Ok(()) => self.counts.imported += 1,
            Err(rejection) => self.rejections.push(rejection),
        }
    }

    /// Moves the rejections into `facts` and gives the counts.
    fn finish(&mut self, facts: &mut Facts) -> Counts {
        self.counts.rejected = self.rejections.len() as u64;
        facts.rejections.append(&mut self.rejections);
        self.counts
    }
}

/// What one table's rows are read with.
#[derive(Clone, Copy)]
pub(crate) struct Table<'t> {
    /// The kind its header chose.
    pub kind: &'static dyn Kind,
    /// Where the kind's fields are.
    pub map: &'t ColumnMap,
    /// The header cells as written, for messages.
    pub shown: &'t [String],
    /// The source file's index.
    pub file: u32,
}

/// Turns one record into facts, or into its rejection naming the column at fault.
pub(crate) fn import_record(
    table: &Table<'_>,
    line: u64,
    record: &impl FieldSource,
    facts: &mut Facts,
    recent: &mut RecentSyms,
) -> Result<(), Rejection> {
    let values = table.map.values(record);
    let at = RowRef {
        file: table.file,
        line: u32::try_from(line).unwrap_or(u32::MAX),
    };
    let mut sink = RowSink { facts, at, recent };
    build_row(table.kind, &values, &mut sink).map_err(|error| {
        let column = error.field.and_then(|c| table.map.position(c));
        let column_header = column.map(|position| &table.shown[position]);
        Rejection {
            file: table.file,
            line,
            reason: match (column, column_header) {
                (Some(position), Some(header)) => {
                    format!("column {} (`{header}`): {}", position + 1, error.message)
                }
                _ => error.message,
            },
            column: column_header.cloned(),
        }
    })
}

/// Picks `,`, `;` or tab: whichever occurs most often, outside quotes, in the header line.
/// `.tsv` files default to tab on a tie.
fn sniff_delimiter(text: &[u8], display: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &byte in text {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let tsv = display.to_ascii_lowercase().ends_with(".tsv");
    let candidates = if tsv {
        [(counts[2], b'\t'), (counts[0], b','), (counts[1], b';')]
    } else {
        [(counts[0], b','), (counts[1], b';'), (counts[2], b'\t')]
    };
    // max_by_key keeps the last maximum: iterate in reverse so the first preference wins ties.
    candidates
        .iter()
        .rev()
        .max_by_key(|(count, _)| *count)
        .map_or(b',', |&(_, delimiter)| delimiter)
}

/// A header cell as an error may show it. A file without a header row starts with data,
/// and its first cell may be an auth code: long cells with digits show their last four
/// characters only, as codes do everywhere.
fn shown_header(cell: &str) -> String {
    let looks_like_data = cell.chars().count() > 12 && cell.chars().any(|c| c.is_ascii_digit());
    if looks_like_data {
        sparkcheck_facts::quote(&crate::values::mask_code(cell))
    } else {
        sparkcheck_facts::quote(cell)
    }
}

fn describe_delimiter(delimiter: u8) -> &'static str {
    match delimiter {
        b'\t' => "tab",
        b';' => ";",
        _ => ",",
    }
}

fn field_count_reason(found: usize, expected: usize, delimiter: u8) -> String {
    let plural = if found == 1 { "field" } else { "fields" };
    let hint = if found > expected {
        format!(
            "a value containing `{}` or a line break must be quoted",
            describe_delimiter(delimiter)
        )
    } else {
        "the row ends early: a field is missing, or a quoted value runs on".to_string()
    };
    format!("expected {expected} fields as in the header, found {found} {plural}; hint: {hint}")
}

fn unrecognised(
    shown: &[String],
    nearest: &str,
    missing: &[&crate::record::Field],
    delimiter: u8,
) -> String {
    let found: Vec<String> = shown
        .iter()
        .take(20)
        .map(|h| format!("`{}`", shown_header(h)))
        .collect();
    let missing: Vec<String> = missing.iter().map(|c| c.describe()).collect();
    let data_like = shown
        .iter()
        .filter(|h| h.chars().any(|c| c.is_ascii_digit() || c == '@'))
        .count();
    let hint = if data_like * 2 > shown.len() {
        "the first row looks like data: is the header row missing?"
    } else {
        "`sparkcheck audit --help` lists every kind's columns"
    };
    format!(
        "the header matches no input kind (read with delimiter `{}`); found {}; \
         the nearest kind is `{nearest}`, which also needs {}; hint: {hint}",
        describe_delimiter(delimiter),
        found.join(", "),
        missing.join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Imports `text` as `name` with its rows in `pieces` pieces.
    fn import_pieces(name: &str, text: &str, pieces: usize) -> (Result<usize, String>, Facts) {
        let decoded = Decoded {
            text: std::borrow::Cow::Borrowed(text),
            note: None,
        };
        let mut facts = Facts::default();
        let result = import_in_pieces(name, &decoded, &mut facts, &|_| {}, |_| pieces);
        facts.settle_ids(1);
        (result, facts)
    }

    /// Everything a policy or report reads from the facts, with symbols and spans resolved.
    fn observable(facts: &Facts) -> String {
        let mut out = format!("{:?}\n{:?}\n", facts.files, facts.rejections);
        for ad in &facts.ads {
            out += &format!(
                "ad {:?} {} {} {} {} {} {}\n",
                ad.at,
                facts.syms.resolve(ad.advertiser),
                facts.syms.resolve(ad.post),
                facts.syms.resolve(ad.handle),
                facts.text.get(ad.ad_id),
                facts.text.get(ad.ad_name),
                facts.text.get(ad.identity_label),
            );
        }
        for code in &facts.codes {
            out += &format!(
                "code {:?} {} {} {}\n",
                code.at,
                facts.syms.resolve(code.post),
                facts.syms.resolve(code.creator),
                facts.text.get(code.masked_code),
            );
        }
        let mut names: Vec<String> = facts
            .account_names
            .iter()
            .map(|(a, n)| format!("{} {}", facts.syms.resolve(*a), facts.text.get(*n)))
            .collect();
        names.sort();
        out + &names.join("\n")
    }

    const ADS_HEADER: &str = "Account ID,Account Name,Ad Name,Ad ID,Identity Type,Identity,Post ID";

    /// An ads export of `rows` rows: every `quoted`th ad name (none for 0) a quoted value
    /// with line breaks (and `""`), every eleventh row short, line ends as `eol`.
    fn ads_export(rows: usize, eol: &str, quoted: usize) -> String {
        let mut text = format!("{ADS_HEADER}{eol}");
        for i in 0..rows {
            let name = if quoted > 0 && i % quoted == 3 {
                format!("\"Spark{eol}ad {i}, \"\"q\"\"{eol}{eol}end\"")
            } else {
                format!("Spark ad {i}")
            };
            if i % 11 == 5 {
                text += &format!("71000000000000001{:02},Client {}{eol}", i % 50, i % 9);
                continue;
            }
            text += &format!(
                "71000000000000001{:02},Client {},{name},18000000000{i:08},TikTok account,@c.{},73010000000{i:08}{eol}",
                i % 50,
                i % 9,
                i % 13,
            );
            if i % 17 == 0 {
                text += eol; // a blank line
            }
        }
        text
    }

    #[test]
    fn a_file_read_in_pieces_gives_the_facts_of_one_read() {
        let mut kept_pieces = 0;
        for eol in ["\n", "\r\n", "\r"] {
            for quoted in [0, 7, 40] {
                for rows in [0, 1, 2, 5, 40, 333] {
                    let text = ads_export(rows, eol, quoted);
                    let (result, whole) = import_pieces("ads.csv", &text, 1);
                    assert_eq!(result, Ok(1));
                    assert_eq!(whole.files[0].rows, rows as u64);
                    let expected = observable(&whole);
                    for pieces in 2..=9 {
                        let (result, facts) = import_pieces("ads.csv", &text, pieces);
                        let kept = result.unwrap();
                        kept_pieces += kept - 1;
                        if quoted == 0 && eol != "\r" && rows >= 40 {
                            assert_eq!(kept, pieces, "plain rows are cut where asked");
                        }
                        assert_eq!(
                            observable(&facts),
                            expected,
                            "{rows} rows, {pieces} pieces, line end {eol:?}, quoted {quoted}"
                        );
                    }
                }
            }
        }
        // Quoted line breaks cost some cuts, not all.
        assert!(kept_pieces > 200, "{kept_pieces}");
    }

    #[test]
    fn every_cut_inside_a_quoted_value_falls_back_to_one_read() {
        // One quoted value holds most of the file, so every cut lands inside it.
        let mut text = format!("{ADS_HEADER}\n");
        text += "7100000000000000100,Client,\"";
        for i in 0..200 {
            text += &format!("line {i}\n7100000000000000100,Client,x,1,TikTok account,@c,1\n");
        }
        text += "\",18000000000000001,TikTok account,@c.1,7301000000000000001\n";
        text += "7100000000000000101,Client,ok,18000000000000002,TikTok account,@c.2,7301000000000000002\n";
        let (result, whole) = import_pieces("ads.csv", &text, 1);
        result.unwrap();
        assert_eq!(whole.files[0].rows, 2);
        for pieces in 2..=6 {
            let (result, facts) = import_pieces("ads.csv", &text, pieces);
            assert_eq!(result, Ok(1), "read in one");
            assert_eq!(observable(&facts), observable(&whole), "{pieces} pieces");
        }
    }

    proptest::proptest! {
        /// Any mix of rows, quotes, line ends and stray bytes: every piece count reads
        /// what one read does (or fails with its error).
        #[test]
        fn pieces_never_change_what_is_read(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![
                        proptest::string::string_regex("[0-9]{1,19}").unwrap(),
                        proptest::string::string_regex("[a-z@., ]{0,8}").unwrap(),
                        proptest::string::string_regex("\"[a-z\r\n\",]{0,12}\"?").unwrap(),
                        proptest::string::string_regex("[\r\n\",;\t]{1,3}").unwrap(),
                    ],
                    1..9,
                ),
                0..60,
            ),
            eol in proptest::prop_oneof![
                proptest::strategy::Just("\n"),
                proptest::strategy::Just("\r\n"),
                proptest::strategy::Just("\r"),
            ],
            pieces in 2usize..7,
        ) {
            let mut text = format!("{ADS_HEADER}{eol}");
            for row in &rows {
                text += &row.join(",");
                text += eol;
            }
            let (whole_result, whole) = import_pieces("ads.csv", &text, 1);
            let (result, facts) = import_pieces("ads.csv", &text, pieces);
            proptest::prop_assert_eq!(result.is_ok(), whole_result.is_ok());
            proptest::prop_assert_eq!(result.err(), whole_result.err());
            proptest::prop_assert_eq!(observable(&facts), observable(&whole));
        }
    }

    #[test]
    fn delimiter_is_sniffed_from_the_header_line() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5", "x.csv"), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n", "x.csv"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc\r\n", "x.txt"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a,b\";c\n", "x.csv"), b';');
        assert_eq!(sniff_delimiter(b"single\n", "x.tsv"), b'\t');
        assert_eq!(sniff_delimiter(b"single\n", "x.csv"), b',');
    }
}
