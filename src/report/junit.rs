//! JUnit XML for CI, valid against Jenkins xunit's `junit-10.xsd`.
//!
//! Suites, in order:
//! - `inputs`: one passing case per file read, and one failing case per rejected row, so a
//!   broken export can never look like a clean run;
//! - `coverage`: one case per cause code, skipped (with the reason) when the inputs did not
//!   allow the check;
//! - one suite per ad account (`ad account ID`, its name in a property): one case per
//!   audited post, `classname` the ad account and `name` `post ID`, nothing that changes
//!   when the post is fixed, so CI history follows a post across runs.
//!
//! A post with error findings fails with a single `<failure>` whose `type` lists every
//! error cause (Jenkins' JUnit plugin and GitLab read only the first `<failure>` of a case)
//! and whose text holds each cause's fix and evidence; warnings go to its `<system-out>`.
//! Every attribute and text is escaped for XML 1.0, characters it does not allow replaced.

use std::io::{self, Write};

use super::escape::{xml_attr as attr, xml_into, xml_text as text, XmlInto};
use super::{numbered_into, FindingOut, PairOut, RejectedOut, Report, UncheckedOut};

/// One `<testcase>`.
struct Case {
    classname: String,
    name: String,
    /// `(type, message, text)`.
    failure: Option<(String, String, String)>,
    /// The reason it was not run.
    skipped: Option<String>,
    output: Option<String>,
}

impl Case {
    fn new(classname: &str, name: String) -> Case {
        Case {
            classname: classname.to_string(),
            name,
            failure: None,
            skipped: None,
            output: None,
        }
    }
}

/// Writes the report as JUnit XML. Needs `report.pairs` (passing pairs are test cases too).
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let fixed: Vec<Suite<'_>> = vec![
        ("inputs".to_string(), Vec::new(), input_cases(report)),
        ("coverage".to_string(), Vec::new(), coverage_cases(report)),
    ];
    let findings = by_pair(&report.findings, |f| (&*f.advertiser_id, &*f.post_id));
    let unchecked = by_pair(&report.unchecked, |u| (&*u.advertiser_id, &*u.post_id));
    let accounts = account_suites(report, &findings, &unchecked);
    let count = |cases: &[Case], f: fn(&Case) -> bool| cases.iter().filter(|c| f(c)).count();
    let failed = |c: &Case| c.failure.is_some();
    let skipped = |c: &Case| c.failure.is_none() && c.skipped.is_some();
    let tests = fixed.iter().map(|s| s.2.len()).sum::<usize>()
        + accounts.iter().map(|a| a.posts.len()).sum::<usize>();
    let failures = fixed.iter().map(|s| count(&s.2, failed)).sum::<usize>()
        + accounts.iter().map(AccountSuite::failures).sum::<usize>();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="{}" tests="{tests}" failures="{failures}" errors="0">"#,
        attr(&format!(
            "sparkcheck {} as of {}",
            report.policy, report.as_of
        )),
    )?;
    for (name, properties, cases) in &fixed {
        let counts = (cases.len(), count(cases, failed), count(cases, skipped));
        write_suite_start(out, name, counts, properties)?;
        for case in cases {
            write_case(out, case)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    // Every account's suite start, posts and end as one list, rendered on every core.
    let mut items = Vec::with_capacity(tests + 2 * accounts.len());
    for account in &accounts {
        items.push(Item::SuiteStart(account));
        items.extend(account.posts.iter().map(|post| Item::Post(account, post)));
        items.push(Item::SuiteEnd);
    }
    super::parallel::write_items(&items, out, super::parallel::threads(), |item, out| {
        // Writing into a buffer cannot fail.
        let _ = write_item(item, out);
    })?;
    writeln!(out, "</testsuites>")
}

/// A piece of the account suites, in the order they are written.
enum Item<'s, 'a> {
    SuiteStart(&'s AccountSuite<'a>),
    Post(&'s AccountSuite<'a>, &'s PostCase<'a>),
    SuiteEnd,
}

fn write_item(item: &Item<'_, '_>, out: &mut Vec<u8>) -> io::Result<()> {
    match item {
        Item::SuiteStart(account) => {
            let name = format!("ad account {}", account.advertiser);
            let counts = (account.posts.len(), account.failures(), account.skipped());
            write_suite_start(out, &name, counts, &account.properties)
        }
        // A passing post, the common case, is written without building a case, from
        // pieces: its start with the suite's classname, escaped once, then its post.
        Item::Post(account, post) if post.findings.is_empty() && post.unchecked.is_none() => {
            out.write_all(account.passing_start.as_bytes())?;
            out.write_all(attr(&post.pair.post_id).as_bytes())?;
            out.write_all(b"\"/>\n")
        }
        Item::Post(_, post) => {
            write_post(out, post.pair, post.findings, post.unchecked);
            Ok(())
        }
        Item::SuiteEnd => writeln!(out, "  </testsuite>"),
    }
}

/// `<testsuite ...>` with its `(tests, failures, skipped)` and properties.
fn write_suite_start(
    out: &mut dyn Write,
    name: &str,
    (tests, failures, skipped): (usize, usize, usize),
    properties: &[(&str, String)],
) -> io::Result<()> {
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}">"#,
        attr(name),
    )?;
    if !properties.is_empty() {
        writeln!(out, "    <properties>")?;
        for (key, value) in properties {
            writeln!(
                out,
                r#"      <property name="{}" value="{}"/>"#,
                attr(key),
                attr(value)
            )?;
        }
        writeln!(out, "    </properties>")?;
    }
    Ok(())
}

fn write_case(out: &mut dyn Write, case: &Case) -> io::Result<()> {
    write!(
        out,
        r#"    <testcase classname="{}" name="{}""#,
        attr(&case.classname),
        attr(&case.name)
    )?;
    if case.failure.is_none() && case.skipped.is_none() && case.output.is_none() {
        return writeln!(out, "/>");
    }
    writeln!(out, ">")?;
    if let Some((kind, message, body)) = &case.failure {
        writeln!(
            out,
            r#"      <failure type="{}" message="{}">{}</failure>"#,
            attr(kind),
            attr(message),
            text(body)
        )?;
    } else if let Some(reason) = &case.skipped {
        writeln!(out, r#"      <skipped message="{}"/>"#, attr(reason))?;
    }
    if let Some(output) = &case.output {
        writeln!(out, "      <system-out>{}</system-out>", text(output))?;
    }
    writeln!(out, "    </testcase>")
}

/// A passing case per file read, a failing one per rejected row.
fn input_cases(report: &Report) -> Vec<Case> {
    let mut cases = Vec::new();
    for input in &report.inputs {
        let mut case = Case::new("inputs", input.path.clone());
        let rows = |n: u64| if n == 1 { "row" } else { "rows" };
        let mut output = format!(
            "{} input, {} data {}: {} imported, {} rejected",
            input.kind,
            input.rows,
            rows(input.rows),
            input.imported,
            input.rejected
        );
        for note in &input.notes {
            output.push_str(&format!("\nnote: {note}"));
        }
        case.output = Some(output);
        cases.push(case);
        cases.extend(
            report
                .rejected
                .iter()
                .filter(|r| r.path == input.path)
                .map(rejected_case),
        );
    }
    // Rows of a file not listed among the inputs (never expected) still fail.
    cases.extend(
        report
            .rejected
            .iter()
            .filter(|r| !report.inputs.iter().any(|i| i.path == r.path))
            .map(rejected_case),
    );
    cases
}

fn rejected_case(row: &RejectedOut) -> Case {
    let mut case = Case::new("inputs", format!("{} line {}", row.path, row.line));
    case.failure = Some((
        "REJECTED_ROW".to_string(),
        row.reason.clone(),
        format!("{}:{}: {}", row.path, row.line, row.reason),
    ));
    case
}

/// A case per cause code: skipped with the reason when the check did not run.
fn coverage_cases(report: &Report) -> Vec<Case> {
    report
        .coverage
        .iter()
        .map(|(cause, coverage)| {
            let mut case = Case::new("coverage", cause.clone());
            if let Some(why) = coverage.strip_prefix("not checked: ") {
                case.skipped = Some(format!("not checked: {why}"));
            } else if coverage != "checked" {
                case.skipped = Some(coverage.clone());
            }
            case
        })
        .collect()
}

type Suite<'a> = (String, Vec<(&'a str, String)>, Vec<Case>);

/// One ad account's suite: a case per audited post, built only when written (a
/// portfolio has hundreds of thousands of posts, nearly all passing).
struct AccountSuite<'a> {
    advertiser: &'a str,
    properties: Vec<(&'a str, String)>,
    /// A passing post's `<testcase` up to its post ID, the classname escaped once.
    passing_start: String,
    posts: Vec<PostCase<'a>>,
}

/// An audited post with its findings and the checks that could not run for it.
struct PostCase<'a> {
    pair: &'a PairOut,
    /// Its findings.
    findings: &'a [&'a FindingOut],
    unchecked: Option<&'a UncheckedOut>,
}

impl AccountSuite<'_> {
    fn failures(&self) -> usize {
        self.posts.iter().filter(|p| p.fails()).count()
    }

    fn skipped(&self) -> usize {
        self.posts
            .iter()
            .filter(|p| !p.fails() && p.unchecked.is_some())
            .count()
    }
}

impl PostCase<'_> {
    /// Whether the case fails: some finding of the post is an error (see [`write_post`]).
    fn fails(&self) -> bool {
        self.findings.iter().any(|f| f.severity.is_error())
    }
}

/// `items` by (ad account, post) text, in a stable order. The report's findings and
/// unchecked posts come so already, but for ad accounts masked alike (two IDs that equal
/// auth codes show the same text): then they are sorted here.
fn by_pair<'a, T>(items: &'a [T], key: impl Fn(&'a T) -> (&'a str, &'a str)) -> Vec<&'a T> {
    let mut sorted: Vec<&T> = items.iter().collect();
    if !sorted.is_sorted_by(|a, b| key(a) <= key(b)) {
        sorted.sort_by(|a, b| key(a).cmp(&key(b)));
    }
    sorted
}

/// A suite per ad account, a case per audited post. `report.pairs` is sorted by text, so
/// each account's posts are one run of it; `findings` and `unchecked` are sorted the same
/// way ([`by_pair`]), so each post's are found by walking them beside the pairs (no
/// hashing of 333k text pairs).
fn account_suites<'a>(
    report: &'a Report,
    findings: &'a [&'a FindingOut],
    unchecked: &'a [&'a UncheckedOut],
) -> Vec<AccountSuite<'a>> {
    let mut findings = Walk::new(findings, |f| (&*f.advertiser_id, &*f.post_id));
    let mut unchecked = Walk::new(unchecked, |u| (&*u.advertiser_id, &*u.post_id));
    report
        .pairs
        .chunk_by(|a, b| a.advertiser_id == b.advertiser_id)
        .map(|pairs| {
            let advertiser = &*pairs[0].advertiser_id;
            AccountSuite {
                advertiser,
                passing_start: format!(
                    r#"    <testcase classname="{}" name="post "#,
                    attr(advertiser)
                ),
                properties: match &pairs[0].account_name {
                    Some(name) => vec![("account_name", name.to_string())],
                    None => Vec::new(),
                },
                posts: pairs
                    .iter()
                    .map(|pair| {
                        let key = (&*pair.advertiser_id, pair.post_id.as_str());
                        PostCase {
                            pair,
                            findings: findings.run(key),
                            unchecked: unchecked.run(key).first().copied(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A list sorted by a key, read forward: the run of items with each key asked for, keys
/// asked for in order (a key asked twice gets its run twice).
struct Walk<'a, T, K> {
    items: &'a [&'a T],
    key: K,
    at: usize,
}

impl<'a, T, K: Fn(&'a T) -> (&'a str, &'a str)> Walk<'a, T, K> {
    fn new(items: &'a [&'a T], key: K) -> Self {
        Walk { items, key, at: 0 }
    }

    /// The items whose key is `wanted`.
    fn run(&mut self, wanted: (&str, &str)) -> &'a [&'a T] {
        let items = self.items;
        while self.at < items.len() && (self.key)(items[self.at]) < wanted {
            self.at += 1;
        }
        let end = self.at
            + items[self.at..]
                .iter()
                .take_while(|item| (self.key)(item) == wanted)
                .count();
        &items[self.at..end]
    }
}

/// A post with findings, or with checks that could not run, written straight into the
/// round's buffer, every text escaped as it is written (a 25%-broken portfolio at 1M ads
/// has 90k such posts): an error finding fails it, and its fix and evidence are the
/// failure's text; warnings, and the checks that could not run, are its output; with no
/// error, checks that could not run skip it.
fn write_post(
    out: &mut Vec<u8>,
    pair: &PairOut,
    findings: &[&FindingOut],
    unchecked: Option<&UncheckedOut>,
) {
    use std::fmt::Write as _;
    let errors = || findings.iter().copied().filter(|f| f.severity.is_error());
    let warnings = || findings.iter().copied().filter(|f| !f.severity.is_error());
    let failing = errors().next().is_some();
    let warned = warnings().next().is_some();
    out.extend_from_slice(b"    <testcase classname=\"");
    xml_into(out, &pair.advertiser_id, true);
    out.extend_from_slice(b"\" name=\"post ");
    xml_into(out, &pair.post_id, true);
    if !failing && !warned && unchecked.is_none() {
        out.extend_from_slice(b"\"/>\n");
        return;
    }
    out.extend_from_slice(b"\">\n");
    // Formatting into an escaping writer cannot fail.
    if failing {
        out.extend_from_slice(b"      <failure type=\"");
        for (i, f) in errors().enumerate() {
            out.extend_from_slice(if i == 0 { b"" } else { b", " });
            xml_into(out, &f.cause, true);
        }
        out.extend_from_slice(b"\" message=\"");
        for (i, f) in errors().enumerate() {
            out.extend_from_slice(if i == 0 { b"" } else { b"; " });
            let mut message = XmlInto {
                out,
                attribute: true,
            };
            let _ = write!(message, "{}: {}", f.cause, f.symptom.trim_end_matches('.'));
        }
        out.extend_from_slice(b"\">");
        details(
            &mut XmlInto {
                out,
                attribute: false,
            },
            errors(),
        );
        out.extend_from_slice(b"</failure>\n");
    } else if let Some(unchecked) = unchecked {
        out.extend_from_slice(b"      <skipped message=\"");
        not_checked(
            &mut XmlInto {
                out,
                attribute: true,
            },
            unchecked,
        );
        out.extend_from_slice(b"\"/>\n");
    }
    let unchecked_output = unchecked.filter(|_| failing);
    if warned || unchecked_output.is_some() {
        out.extend_from_slice(b"      <system-out>");
        let mut text = XmlInto {
            out,
            attribute: false,
        };
        if warned {
            details(&mut text, warnings());
        }
        if let Some(unchecked) = unchecked_output {
            if warned {
                let _ = text.write_str("\n\n");
            }
            not_checked(&mut text, unchecked);
        }
        out.extend_from_slice(b"</system-out>\n");
    }
    out.extend_from_slice(b"    </testcase>\n");
}

/// Why a post's checks did not run.
fn not_checked(out: &mut impl std::fmt::Write, unchecked: &UncheckedOut) {
    let _ = out.write_str("not checked: ");
    for (i, check) in unchecked.checks.iter().enumerate() {
        let _ = out.write_str(if i == 0 { "" } else { ", " });
        let _ = out.write_str(check);
    }
    let _ = write!(out, ": {}", unchecked.reason);
}

/// Each finding's cause, fix and evidence.
fn details<'f>(out: &mut impl std::fmt::Write, findings: impl Iterator<Item = &'f FindingOut>) {
    for (i, f) in findings.enumerate() {
        if i > 0 {
            let _ = out.write_str("\n\n");
        }
        let _ = writeln!(
            out,
            "{} ({} · {}): {}",
            f.cause, f.severity, f.owner_role, f.symptom
        );
        if let Some(handle) = &f.handle {
            let _ = writeln!(out, "creator: {handle}");
        }
        let _ = out.write_str("fix:\n");
        let _ = numbered_into(out, &f.fix);
        let _ = out.write_str("\nevidence:");
        for e in &f.evidence {
            let _ = write!(out, "\n  {}:{}: {}", e.path, e.line, e.says);
        }
        if f.evidence.is_empty() {
            let _ = out.write_char('\n');
        }
    }
}
