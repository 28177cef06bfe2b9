//! A deterministic agency portfolio in the spec's formats, with known injected defects.
//!
//! Shape (per 1M ads): 200 ad accounts of 5,000 ads, 100 creators each (50 ads per creator),
//! posts of 3 ads; about 14% of (ad account, post) pairs broken across all 15 causes (or the
//! share asked for with [`Shape::broken`]); some posts with several codes. The rows are
//! generated first, then optionally shuffled, then written in one of the layouts: 100k-row
//! chunks in rotating export styles (alias headers, `;`, other time formats), one file per kind
//! in alias styles, or the four canonical files the DuckDB reference reads. The generator also
//! returns what it injected, so a test can check sparkcheck's findings against an oracle that
//! never ran the rules; row order and layout never change the findings, only the bytes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::rng::Rng;

/// The instant the generated portfolio is meant to be audited at: 2026-11-20T00:00:00Z.
pub const AS_OF: i64 = 1_795_132_800;
const DAY: i64 = 86_400;

/// Rows per file chunk.
const CHUNK: usize = 100_000;

/// The canonical file names, with the spec's primary header names, that the DuckDB reference
/// (`duckdb_preview.py`) reads.
pub const CANONICAL_FILES: [&str; 4] = [
    "ads.csv",
    "bc_assets.csv",
    "spark_codes.csv",
    "motion_connections.csv",
];

/// What the generator put in, counted per cause, for an oracle.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Ad rows written (Spark and ordinary).
    pub ads: usize,
    /// (ad account, post) pairs.
    pub pairs: usize,
    /// Pairs with at least one finding.
    pub broken_pairs: usize,
    /// Findings per cause code.
    pub by_cause: BTreeMap<&'static str, usize>,
    /// Bytes written.
    pub bytes: u64,
}

/// The order rows are written in.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// By ad account, creator and post, as generated (the best case for caches).
    #[default]
    Sorted,
    /// Every kind's rows in a random order (deterministic per seed).
    Shuffled,
}

/// How rows are cut into files.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// 100k-row chunks, the chunks in rotating export styles.
    #[default]
    Chunked,
    /// One file per kind (in alias styles, or the canonical files with [`Shape::canonical`]).
    Single,
}

/// Everything that decides a generated portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// About this many ad rows.
    pub ads: usize,
    /// The seed: the same shape and seed give the same bytes.
    pub seed: u64,
    /// Row order.
    pub order: Order,
    /// File layout.
    pub layout: Layout,
    /// The share of (ad account, post) pairs with at least one defect, in `0..=1`; `None`:
    /// the generator's historical rates (about 14.4%).
    pub broken: Option<f64>,
    /// The four canonical files (`ads.csv`, `bc_assets.csv`, `spark_codes.csv`,
    /// `motion_connections.csv`): primary header names, `,`, LF line ends, one time format
    /// (`YYYY-MM-DD HH:MM:SS`). Requires [`Layout::Single`].
    pub canonical: bool,
}

impl Shape {
    /// The historical shape: sorted, chunked, mixed styles, historical defect rates.
    pub fn new(ads: usize, seed: u64) -> Self {
        Shape {
            ads,
            seed,
            order: Order::Sorted,
            layout: Layout::Chunked,
            broken: None,
            canonical: false,
        }
    }

    /// The same rows as the four canonical files, in the same order: what DuckDB reads for a
    /// shape it cannot read itself. Its findings are the same as this shape's.
    pub fn canonical_twin(&self) -> Shape {
        Shape {
            layout: Layout::Single,
            canonical: true,
            ..self.clone()
        }
    }
}

/// Per-creator and per-post defect probabilities.
#[derive(Copy, Clone, Debug)]
struct Rates {
    bc: f64,
    unlinked: f64,
    post: f64,
}

impl Rates {
    const HISTORICAL: Rates = Rates {
        bc: 0.05,
        unlinked: 0.01,
        post: 0.09,
    };

    /// Rates whose combined share of broken pairs is `broken`, in the historical proportions:
    /// a pair is fine when its creator's BC share, its link and its post are all fine, so
    /// `(1 - bc)(1 - unlinked)(1 - post) = 1 - broken`, each factor keeping its historical
    /// share of the logarithm.
    fn for_share(broken: Option<f64>) -> Rates {
        let Some(broken) = broken else {
            return Rates::HISTORICAL;
        };
        let h = Rates::HISTORICAL;
        let logs = [
            (1.0 - h.bc).ln(),
            (1.0 - h.unlinked).ln(),
            (1.0 - h.post).ln(),
        ];
        let total: f64 = logs.iter().sum();
        let fine = 1.0 - broken;
        let rate = |log: f64| 1.0 - fine.powf(log / total);
        Rates {
            bc: rate(logs[0]),
            unlinked: rate(logs[1]),
            post: rate(logs[2]),
        }
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum BcDefect {
    None,
    NotInBc,
    NotShared,
    NoDelivery,
    Inactive,
    Analyst,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum PostDefect {
    None,
    CodeMissing,
    CodeNotApplied,
    CodeExpired,
    CodeRevoked,
    ExpiringSoon,
    CustomIdentity,
    WrongIdentity,
    Unavailable,
    Carousel,
}

const POST_DEFECTS: [PostDefect; 9] = [
    PostDefect::CodeMissing,
    PostDefect::CodeNotApplied,
    PostDefect::CodeExpired,
    PostDefect::CodeRevoked,
    PostDefect::ExpiringSoon,
    PostDefect::CustomIdentity,
    PostDefect::WrongIdentity,
    PostDefect::Unavailable,
    PostDefect::Carousel,
];

const BC_DEFECTS: [BcDefect; 5] = [
    BcDefect::NotInBc,
    BcDefect::NotShared,
    BcDefect::NoDelivery,
    BcDefect::Inactive,
    BcDefect::Analyst,
];

/// One ad row, before it is given a style.
struct AdRow {
    account: u32,
    number: u32,
    /// 0 for an ordinary ad (no post).
    post: u64,
    identity: AdIdentity,
}

#[derive(Copy, Clone)]
enum AdIdentity {
    /// A TikTok-account identity: the creator's number and which of the three labels.
    Handle(u32, u8),
    /// A custom identity on a Spark ad.
    Custom,
    /// An ordinary, non-Spark ad.
    Ordinary,
}

struct CodeRow {
    code: (u64, u32),
    post: u64,
    creator: u32,
    /// 0: generated but not applied.
    adv: u64,
    status: &'static str,
    start: i64,
    end: i64,
    post_status: &'static str,
    item: &'static str,
}

struct BcRow {
    creator: u32,
    target: u64,
    permissions: &'static str,
    status: &'static str,
    until: Option<i64>,
    role: &'static str,
}

struct LinkRow {
    creator: u32,
    status: &'static str,
}

#[derive(Default)]
struct Rows {
    ads: Vec<AdRow>,
    codes: Vec<CodeRow>,
    bc: Vec<BcRow>,
    links: Vec<LinkRow>,
}

/// Where one kind's rows go: the file names and the style of each file.
#[derive(Copy, Clone)]
struct Sink {
    /// `{stem}_{chunk:03}.csv` when chunked, else the file name itself.
    stem: &'static str,
    chunked: bool,
    /// Styles rotated over the chunks, or the one style of the single file.
    styles: usize,
    style: usize,
    line_end: &'static str,
}

/// Writes one kind's rows as a [`Sink`] says; returns the bytes written.
struct KindWriter<'a> {
    dir: &'a Path,
    sink: Sink,
    rows: usize,
    file: Option<BufWriter<File>>,
    paths: Vec<PathBuf>,
}

impl<'a> KindWriter<'a> {
    fn new(dir: &'a Path, sink: Sink) -> Self {
        KindWriter {
            dir,
            sink,
            rows: 0,
            file: None,
            paths: Vec::new(),
        }
    }

    fn open(&mut self, name: String, header: &str) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.flush()?;
        }
        let path = self.dir.join(name);
        let mut file = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        file.write_all(header.as_bytes())?;
        file.write_all(self.sink.line_end.as_bytes())?;
        self.paths.push(path);
        self.file = Some(file);
        Ok(())
    }

    /// The style of the next row and a writer positioned for it.
    fn row(
        &mut self,
        header: impl Fn(usize) -> &'static str,
    ) -> io::Result<(usize, &mut BufWriter<File>)> {
        let style = if self.sink.chunked {
            let chunk = self.rows / CHUNK;
            let style = chunk % self.sink.styles;
            if self.rows.is_multiple_of(CHUNK) {
                self.open(format!("{}_{chunk:03}.csv", self.sink.stem), header(style))?;
            }
            style
        } else {
            if self.file.is_none() {
                self.open(self.sink.stem.to_string(), header(self.sink.style))?;
            }
            self.sink.style
        };
        self.rows += 1;
        Ok((style, self.file.as_mut().expect("a file is open")))
    }

    /// Flushes; a single file is written even without rows (the reference reads it).
    fn finish(mut self, header: impl Fn(usize) -> &'static str) -> io::Result<u64> {
        if !self.sink.chunked && self.file.is_none() {
            self.open(self.sink.stem.to_string(), header(self.sink.style))?;
        }
        if let Some(mut file) = self.file.take() {
            file.flush()?;
        }
        let mut total = 0;
        for path in &self.paths {
            total += std::fs::metadata(path)?.len();
        }
        Ok(total)
    }
}

fn account_id(account: usize) -> u64 {
    7_100_000_000_000_000_000 + account as u64
}

fn post_id(post: usize) -> u64 {
    7_301_000_000_000_000_000 + post as u64
}

fn handle(creator: u32) -> String {
    format!("creator.{creator:06}")
}

fn code_bits(rng: &mut Rng) -> (u64, u32) {
    let high = rng.next_u64();
    (high, rng.next_u64() as u32)
}

/// A time in the chunk's style: the four formats of the spec.
fn time_text(secs: i64, style: usize) -> String {
    match style {
        0 => format_datetime(secs, ' ', ""),
        1 => format_datetime(secs, 'T', "Z"),
        2 => secs.to_string(),
        _ => (secs * 1000).to_string(),
    }
}

/// `YYYY-MM-DD HH:MM:SS` or RFC 3339, through sparkcheck's own formatter.
fn format_datetime(secs: i64, separator: char, suffix: &str) -> String {
    let rfc3339 = sparkcheck_facts::time::format_instant(secs);
    format!("{}{separator}{}{suffix}", &rfc3339[..10], &rfc3339[11..19])
}

fn ads_header(style: usize) -> &'static str {
    match style {
        3 => "advertiser_id;Account Name;Campaign Name;Ad Group Name;Ad Name;ad_id;Ad Status;identity_type;display_name;identity_id;tiktok_item_id",
        _ => "Account ID,Account Name,Campaign Name,Ad Group Name,Ad Name,Ad ID,Ad Status,Identity Type,Identity,Identity ID,Post ID",
    }
}

fn codes_header(style: usize) -> &'static str {
    match style {
        0 | 2 => "Auth Code,Post ID,TikTok Account,Ad Account ID,Status,Start Time,End Time,Post Status,Item Type",
        _ => "auth_code,item_id,tiktok_name,advertiser_id,auth_code_status,auth_code_start_time,auth_code_end_time,Post Status,item_type",
    }
}

fn bc_header(style: usize) -> &'static str {
    match style {
        1 => "bc_id,BC Name,TikTok Account,Ad Account ID,Permissions,Status,Valid Until,advertiser_role",
        _ => "BC ID,BC Name,TikTok Account,Ad Account ID,Permissions,Status,Valid Until,Ad Account Role",
    }
}

fn links_header(_style: usize) -> &'static str {
    "TikTok Account,Status,Connected At"
}

/// Writes the historical portfolio (sorted, chunked, mixed styles) of about `ads` ads into
/// `dir` and returns what was injected.
pub fn generate(dir: &Path, ads: usize, seed: u64) -> io::Result<Expected> {
    generate_shape(dir, &Shape::new(ads, seed))
}

/// Writes a portfolio of the given shape into `dir` and returns what was injected.
pub fn generate_shape(dir: &Path, shape: &Shape) -> io::Result<Expected> {
    if shape.canonical && shape.layout == Layout::Chunked {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "canonical files are one file per kind: use `--layout single` with `--canonical`",
        ));
    }
    if let Some(broken) = shape.broken {
        if !(0.0..=1.0).contains(&broken) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the broken share must be a fraction between 0 and 1, got `{broken}`"),
            ));
        }
    }
    std::fs::create_dir_all(dir)?;
    let (mut rows, mut expected) = rows(shape);
    if shape.order == Order::Shuffled {
        // A stream of its own, so that shuffled and sorted portfolios hold the same rows.
        let mut rng = Rng::new(shape.seed ^ 0x5348_5546_464C_4544);
        shuffle(&mut rows.ads, &mut rng);
        shuffle(&mut rows.codes, &mut rng);
        shuffle(&mut rows.bc, &mut rng);
        shuffle(&mut rows.links, &mut rng);
    }
    expected.bytes = write(dir, shape, &rows)?;
    Ok(expected)
}

/// Fisher-Yates.
fn shuffle<T>(rows: &mut [T], rng: &mut Rng) {
    for i in (1..rows.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        rows.swap(i, j);
    }
}

/// Every row of the portfolio, in generation order, and what it injects.
fn rows(shape: &Shape) -> (Rows, Expected) {
    let ads = shape.ads;
    let rates = Rates::for_share(shape.broken);
    let mut rng = Rng::new(shape.seed);
    let accounts = (ads / 5000).max(1);
    let creators_per_account = 100;
    let mut expected = Expected::default();
    let mut rows = Rows::default();
    let count = |expected: &mut Expected, cause: &'static str| {
        *expected.by_cause.entry(cause).or_insert(0) += 1;
    };

    let mut ad_number = 0usize;
    let mut post_number = 0usize;
    let total_creators = accounts * creators_per_account;
    'accounts: for account in 0..accounts {
        let adv = account_id(account);
        for local in 0..creators_per_account {
            let creator = (account * creators_per_account + local) as u32;
            let bc_defect = if rng.chance(rates.bc) {
                BC_DEFECTS[rng.below(5) as usize]
            } else {
                BcDefect::None
            };
            let linked = !rng.chance(rates.unlinked);
            link(&mut rows, creator, linked, &mut rng);
            shares(&mut rows, creator, adv, bc_defect, accounts, &mut rng);
            let posts = 17;
            for nth in 0..posts {
                if ad_number >= ads {
                    break 'accounts;
                }
                let post = post_id(post_number);
                post_number += 1;
                let ads_here = if nth == posts - 1 { 2 } else { 3 };
                let defect = if rng.chance(rates.post) {
                    POST_DEFECTS[rng.below(9) as usize]
                } else {
                    PostDefect::None
                };
                expected.pairs += 1;
                let bc_cause = match bc_defect {
                    BcDefect::None => None,
                    BcDefect::NotInBc => Some("HANDLE_NOT_IN_BC"),
                    BcDefect::NotShared => Some("HANDLE_NOT_SHARED"),
                    BcDefect::NoDelivery => Some("NO_AD_DELIVERY"),
                    BcDefect::Inactive => Some("SHARE_INACTIVE"),
                    BcDefect::Analyst => Some("ANALYST_ONLY"),
                };
                if let Some(cause) = bc_cause {
                    count(&mut expected, cause);
                }
                if !linked {
                    count(&mut expected, "NOT_LINKED");
                }
                if let Some(cause) = post_cause(defect) {
                    count(&mut expected, cause);
                }
                if bc_cause.is_some() || !linked || defect != PostDefect::None {
                    expected.broken_pairs += 1;
                }
                let other = ((creator as usize + 1 + rng.below(total_creators as u64 - 1) as usize)
                    % total_creators) as u32;
                for slot in 0..ads_here {
                    let identity = match defect {
                        PostDefect::CustomIdentity if slot == 0 => AdIdentity::Custom,
                        PostDefect::WrongIdentity if slot == 0 => {
                            AdIdentity::Handle(other, rng.below(3) as u8)
                        }
                        _ => AdIdentity::Handle(creator, rng.below(3) as u8),
                    };
                    rows.ads.push(AdRow {
                        account: account as u32,
                        number: ad_number as u32,
                        post,
                        identity,
                    });
                    ad_number += 1;
                }
                // About 2% of ad rows are ordinary, non-Spark ads.
                if rng.chance(0.06) {
                    rows.ads.push(AdRow {
                        account: account as u32,
                        number: ad_number as u32,
                        post: 0,
                        identity: AdIdentity::Ordinary,
                    });
                    ad_number += 1;
                }
                codes(&mut rows, post, creator, adv, defect, &mut rng);
            }
        }
    }
    expected.ads = ad_number;
    (rows, expected)
}

fn post_cause(defect: PostDefect) -> Option<&'static str> {
    Some(match defect {
        PostDefect::None => return None,
        PostDefect::CodeMissing => "CODE_MISSING",
        PostDefect::CodeNotApplied => "CODE_NOT_APPLIED",
        PostDefect::CodeExpired => "CODE_EXPIRED",
        PostDefect::CodeRevoked => "CODE_REVOKED",
        PostDefect::ExpiringSoon => "CODE_EXPIRING_SOON",
        PostDefect::CustomIdentity => "CUSTOM_IDENTITY",
        PostDefect::WrongIdentity => "WRONG_IDENTITY",
        PostDefect::Unavailable => "POST_UNAVAILABLE",
        PostDefect::Carousel => "NO_PREVIEW_FORMAT",
    })
}

fn codes(rows: &mut Rows, post: u64, creator: u32, adv: u64, defect: PostDefect, rng: &mut Rng) {
    if defect == PostDefect::CodeMissing {
        return;
    }
    let start = AS_OF - (10 + rng.below(60) as i64) * DAY;
    let long_end = AS_OF + (30 + rng.below(300) as i64) * DAY;
    let (applied, status, end) = match defect {
        PostDefect::CodeNotApplied => (false, "NOT_USED", long_end),
        PostDefect::CodeExpired if rng.chance(0.5) => (true, "EXPIRED", AS_OF - DAY),
        PostDefect::CodeExpired => (true, "IN_USE", AS_OF - (1 + rng.below(20) as i64) * DAY),
        PostDefect::CodeRevoked => (
            true,
            if rng.chance(0.5) {
                "DELETED"
            } else {
                "REVOKED"
            },
            long_end,
        ),
        PostDefect::ExpiringSoon => (true, "IN_USE", AS_OF + (1 + rng.below(5) as i64) * DAY),
        _ => (
            true,
            if rng.chance(0.5) {
                "IN_USE"
            } else {
                "AUTHORIZED"
            },
            long_end,
        ),
    };
    let post_status = match defect {
        PostDefect::Unavailable => {
            ["USER_DELETE", "ONLY_AUTHOR_SEE", "REVIEW_PENDING"][rng.below(3) as usize]
        }
        _ => "HESITATE_RECOMMEND",
    };
    let item = if defect == PostDefect::Carousel {
        "CAROUSEL"
    } else {
        "VIDEO"
    };
    let row = |rng: &mut Rng, adv: u64, status: &'static str, end: i64| CodeRow {
        code: code_bits(rng),
        post,
        creator,
        adv,
        status,
        start,
        end,
        post_status,
        item,
    };
    let main = row(rng, if applied { adv } else { 0 }, status, end);
    rows.codes.push(main);
    // Several codes for one post: an old expired one, or a spare never applied. Neither
    // changes the outcome while the main code is valid.
    if defect == PostDefect::None && rng.chance(0.05) {
        let (adv, status, end) = if rng.chance(0.5) {
            (adv, "EXPIRED", AS_OF - 40 * DAY)
        } else {
            (0, "NOT_USED", long_end)
        };
        let spare = row(rng, adv, status, end);
        rows.codes.push(spare);
    }
}

fn link(rows: &mut Rows, creator: u32, linked: bool, rng: &mut Rng) {
    let status = if linked {
        "connected"
    } else if rng.chance(0.5) {
        "disconnected"
    } else {
        "expired"
    };
    rows.links.push(LinkRow { creator, status });
}

fn shares(
    rows: &mut Rows,
    creator: u32,
    adv: u64,
    defect: BcDefect,
    accounts: usize,
    rng: &mut Rng,
) {
    if defect == BcDefect::NotInBc {
        return;
    }
    let mut row = |target: u64,
                   permissions: &'static str,
                   status: &'static str,
                   until: Option<i64>,
                   role: &'static str| {
        rows.bc.push(BcRow {
            creator,
            target,
            permissions,
            status,
            until,
            role,
        });
    };
    match defect {
        BcDefect::None | BcDefect::NotInBc | BcDefect::NotShared => {}
        BcDefect::NoDelivery => row(adv, "Existing posts", "BOUND", None, "ADMIN"),
        BcDefect::Inactive if rng.chance(0.5) => {
            let status = ["REVOKED", "PENDING", "UNBOUND", "REJECTED"][rng.below(4) as usize];
            row(adv, "Ad Delivery", status, None, "ADMIN")
        }
        // 2026-11-01 00:00:00, before as-of.
        BcDefect::Inactive => row(
            adv,
            "Ad Delivery",
            "BOUND",
            Some(AS_OF - 19 * DAY),
            "OPERATOR",
        ),
        BcDefect::Analyst => row(adv, "Ad Delivery", "BOUND", None, "ANALYST"),
    }
    if defect == BcDefect::None {
        let role = if rng.chance(0.5) { "ADMIN" } else { "OPERATOR" };
        row(adv, "Ad Delivery;Existing posts", "BOUND", None, role);
    }
    // The agency also shares its talent to other clients' ad accounts (no ads use them here).
    for _ in 0..14 {
        let other = account_id(rng.below(accounts as u64) as usize);
        if other != adv {
            row(other, "Ad Delivery", "BOUND", None, "OPERATOR");
        }
    }
}

/// Where each kind goes for a shape: (ads, codes, bc, links).
fn sinks(shape: &Shape) -> [Sink; 4] {
    let sink = |stem, chunked, styles, style, line_end| Sink {
        stem,
        chunked,
        styles,
        style,
        line_end,
    };
    if shape.canonical {
        let [ads, bc, codes, links] = CANONICAL_FILES;
        [
            sink(ads, false, 1, 0, "\n"),
            sink(codes, false, 1, 0, "\n"),
            sink(bc, false, 1, 0, "\n"),
            sink(links, false, 1, 0, "\n"),
        ]
    } else if shape.layout == Layout::Single {
        // One file per kind, each in an alias style: `;` and API enums for ads, alias headers
        // and RFC 3339 for codes, alias headers for BC assets.
        [
            sink("ads_all.csv", false, 1, 3, "\r\n"),
            sink("codes_all.csv", false, 1, 1, "\r\n"),
            sink("bc_all.csv", false, 1, 1, "\r\n"),
            sink("links.csv", false, 1, 0, "\n"),
        ]
    } else {
        [
            sink("ads", true, 4, 0, "\r\n"),
            sink("codes", true, 4, 0, "\r\n"),
            sink("bc", true, 3, 0, "\r\n"),
            sink("links.csv", false, 1, 0, "\n"),
        ]
    }
}

/// Writes every row in its file's style; returns the bytes written.
fn write(dir: &Path, shape: &Shape, rows: &Rows) -> io::Result<u64> {
    let [ads_sink, codes_sink, bc_sink, links_sink] = sinks(shape);
    let canonical = shape.canonical;
    let mut bytes = 0;

    let end = ads_sink.line_end;
    let mut out = KindWriter::new(dir, ads_sink);
    for ad in &rows.ads {
        let (style, file) = out.row(ads_header)?;
        write_ad(file, style, ad, end)?;
    }
    bytes += out.finish(ads_header)?;

    let end = codes_sink.line_end;
    let mut out = KindWriter::new(dir, codes_sink);
    for code in &rows.codes {
        let (style, file) = out.row(codes_header)?;
        let adv = if code.adv == 0 {
            String::new()
        } else {
            code.adv.to_string()
        };
        write!(
            file,
            "#Spk{:016x}{:08x},{},{},{adv},{},{},{},{},{}{end}",
            code.code.0,
            code.code.1,
            code.post,
            handle(code.creator),
            code.status,
            time_text(code.start, style),
            time_text(code.end, style),
            code.post_status,
            code.item,
        )?;
    }
    bytes += out.finish(codes_header)?;

    let end = bc_sink.line_end;
    let mut out = KindWriter::new(dir, bc_sink);
    for share in &rows.bc {
        let (_, file) = out.row(bc_header)?;
        let until = share
            .until
            .map_or(String::new(), |t| format_datetime(t, ' ', ""));
        write!(
            file,
            "7000000000000000001,Agency BC,@{},{},{},{},{until},{}{end}",
            handle(share.creator),
            share.target,
            share.permissions,
            share.status,
            share.role,
        )?;
    }
    bytes += out.finish(bc_header)?;

    let end = links_sink.line_end;
    let connected = if canonical {
        "2026-08-01 00:00:00"
    } else {
        "2026-08-01"
    };
    let mut out = KindWriter::new(dir, links_sink);
    for link in &rows.links {
        let (_, file) = out.row(links_header)?;
        write!(
            file,
            "@{},{},{connected}{end}",
            handle(link.creator),
            link.status
        )?;
    }
    bytes += out.finish(links_header)?;
    Ok(bytes)
}

fn write_ad(file: &mut impl Write, style: usize, ad: &AdRow, end: &str) -> io::Result<()> {
    let d = if style == 3 { ';' } else { ',' };
    let account = ad.account;
    let number = ad.number;
    let id = 1_800_000_000_000_000_000u64 + u64::from(number);
    let custom = if style == 3 {
        "CUSTOMIZED_USER"
    } else {
        "Custom Identity"
    };
    let (kind, name) = match ad.identity {
        AdIdentity::Ordinary => {
            return write!(
                file,
                "{adv}{d}Client {account}{d}Brand always-on{d}Broad{d}Banner {number}{d}{id}{d}ENABLE{d}{custom}{d}Client {account}{d}{d}{end}",
                adv = account_id(account as usize),
            );
        }
        AdIdentity::Custom => (custom, format!("Client {account} Official")),
        AdIdentity::Handle(creator, label) => {
            let kind = match (style, label) {
                (3, 0) => "AUTH_CODE",
                (3, 1) => "TT_USER",
                (3, _) => "BC_AUTH_TT",
                (_, 0) => "Authorized post",
                (_, 1) => "TikTok account",
                _ => "Business Center authorized TikTok account",
            };
            let h = handle(creator);
            let shown = if number.is_multiple_of(2) {
                format!("@{h}")
            } else {
                h
            };
            (kind, shown)
        }
    };
    write!(
        file,
        "{adv}{d}Client {account}{d}Campaign {c}{d}Ad group {g}{d}Spark ad {number}{d}{id}{d}ENABLE{d}{kind}{d}{name}{d}{iid}{d}{post}{end}",
        adv = account_id(account as usize),
        c = number / 500 % 20,
        g = number / 50 % 10,
        iid = 6_900_000_000_000_000_000u64 + u64::from(number / 50),
        post = ad.post,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_times_match_the_documented_as_of() {
        assert_eq!(format_datetime(AS_OF, 'T', "Z"), "2026-11-20T00:00:00Z");
        assert_eq!(
            format_datetime(AS_OF - 19 * DAY, ' ', ""),
            "2026-11-01 00:00:00"
        );
    }

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("bench-generate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// Every file of a folder: name and text.
    fn files(dir: &Path) -> BTreeMap<String, String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect()
    }

    fn shape(order: Order, layout: Layout, canonical: bool) -> Shape {
        Shape {
            order,
            layout,
            canonical,
            broken: Some(0.25),
            ..Shape::new(20_000, 3)
        }
    }

    #[test]
    fn order_and_layout_change_the_bytes_never_what_is_injected() {
        let base_dir = temp("base");
        let base =
            generate_shape(&base_dir, &shape(Order::Sorted, Layout::Chunked, false)).unwrap();
        assert_eq!(base.by_cause.len(), 15, "every cause is injected");
        for (i, variant) in [
            shape(Order::Shuffled, Layout::Chunked, false),
            shape(Order::Sorted, Layout::Single, false),
            shape(Order::Shuffled, Layout::Single, false),
            shape(Order::Sorted, Layout::Single, true),
            shape(Order::Shuffled, Layout::Single, true),
        ]
        .iter()
        .enumerate()
        {
            let dir = temp(&format!("variant{i}"));
            let expected = generate_shape(&dir, variant).unwrap();
            assert_eq!(
                (expected.ads, expected.pairs, expected.broken_pairs),
                (base.ads, base.pairs, base.broken_pairs),
                "{variant:?}"
            );
            assert_eq!(expected.by_cause, base.by_cause, "{variant:?}");
            let on_disk: u64 = files(&dir).values().map(|t| t.len() as u64).sum();
            assert_eq!(expected.bytes, on_disk);
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::remove_dir_all(&base_dir).unwrap();
    }

    #[test]
    fn shuffling_reorders_the_same_rows_deterministically() {
        let (sorted, shuffled, again) = (temp("sorted"), temp("shuffled"), temp("again"));
        generate_shape(&sorted, &shape(Order::Sorted, Layout::Single, true)).unwrap();
        generate_shape(&shuffled, &shape(Order::Shuffled, Layout::Single, true)).unwrap();
        generate_shape(&again, &shape(Order::Shuffled, Layout::Single, true)).unwrap();
        let (sorted_files, shuffled_files) = (files(&sorted), files(&shuffled));
        assert_eq!(
            files(&again),
            shuffled_files,
            "the same seed gives the same bytes"
        );
        for (name, text) in &sorted_files {
            let other = &shuffled_files[name];
            assert_eq!(text.lines().next(), other.lines().next(), "{name}: header");
            if text.lines().count() > 10 {
                assert_ne!(text, other, "{name} is reordered");
            }
            let mut a: Vec<&str> = text.lines().collect();
            let mut b: Vec<&str> = other.lines().collect();
            a.sort_unstable();
            b.sort_unstable();
            assert!(a == b, "{name} holds the same rows");
        }
        for dir in [sorted, shuffled, again] {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn canonical_files_have_the_primary_headers_and_one_time_format() {
        let dir = temp("canonical");
        generate_shape(&dir, &shape(Order::Shuffled, Layout::Single, true)).unwrap();
        let files = files(&dir);
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        let mut canonical = CANONICAL_FILES.to_vec();
        canonical.sort_unstable();
        assert_eq!(names, canonical);
        let header = |name: &str| files[name].lines().next().unwrap().to_string();
        assert_eq!(header("ads.csv"), "Account ID,Account Name,Campaign Name,Ad Group Name,Ad Name,Ad ID,Ad Status,Identity Type,Identity,Identity ID,Post ID");
        assert_eq!(header("spark_codes.csv"), "Auth Code,Post ID,TikTok Account,Ad Account ID,Status,Start Time,End Time,Post Status,Item Type");
        assert_eq!(header("bc_assets.csv"), "BC ID,BC Name,TikTok Account,Ad Account ID,Permissions,Status,Valid Until,Ad Account Role");
        assert_eq!(
            header("motion_connections.csv"),
            "TikTok Account,Status,Connected At"
        );
        let is_datetime = |t: &str| {
            t.len() == 19
                && t.as_bytes()[10] == b' '
                && t.bytes().all(|b| b.is_ascii_digit() || b" :-".contains(&b))
        };
        for (name, column) in [
            ("spark_codes.csv", 5),
            ("spark_codes.csv", 6),
            ("bc_assets.csv", 6),
            ("motion_connections.csv", 2),
        ] {
            for line in files[name].lines().skip(1) {
                assert!(
                    !line.contains('\r') && !line.contains('\t'),
                    "{name}: {line}"
                );
                let field = line.split(',').nth(column).unwrap();
                assert!(field.is_empty() || is_datetime(field), "{name}: {line}");
            }
        }
        assert!(files["ads.csv"].lines().all(|l| !l.contains(';')));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_broken_share_is_what_was_asked() {
        for broken in [0.12, 0.25] {
            let dir = temp("share");
            let expected = generate_shape(
                &dir,
                &Shape {
                    broken: Some(broken),
                    ..Shape::new(60_000, 7)
                },
            )
            .unwrap();
            let share = expected.broken_pairs as f64 / expected.pairs as f64;
            assert!((share - broken).abs() < 0.03, "{broken}: {share}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn impossible_shapes_are_refused() {
        let dir = temp("refused");
        let chunked = Shape {
            canonical: true,
            ..Shape::new(100, 1)
        };
        let error = generate_shape(&dir, &chunked).unwrap_err();
        assert!(error.to_string().contains("`--layout single`"), "{error}");
        let too_broken = Shape {
            broken: Some(1.5),
            ..Shape::new(100, 1)
        };
        let error = generate_shape(&dir, &too_broken).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the broken share must be a fraction between 0 and 1, got `1.5`"
        );
        assert!(!dir.exists(), "nothing is written for a refused shape");
    }

    #[test]
    fn rates_for_a_share_combine_to_that_share() {
        for broken in [0.0, 0.12, 0.25, 0.5, 1.0] {
            let r = Rates::for_share(Some(broken));
            let fine = (1.0 - r.bc) * (1.0 - r.unlinked) * (1.0 - r.post);
            assert!((fine - (1.0 - broken)).abs() < 1e-12, "{broken}: {r:?}");
        }
        let historical = Rates::for_share(None);
        assert_eq!(historical.post, 0.09);
    }
}
