//! A deterministic agency portfolio in the spec's formats, with known injected defects.
//!
//! Shape (per 1M ads): 200 ad accounts of 5,000 ads, 100 creators each (50 ads per creator),
//! posts of 3 ads; about 15% of (ad account, post) pairs broken across all 15 causes; some
//! posts with several codes; files split in chunks, some with alias headers, `;`, and
//! other time formats. The generator also returns what it injected, so a test can check
//! sparkcheck's findings against an oracle that never ran the rules.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::rng::Rng;

/// The instant the generated portfolio is meant to be audited at: 2026-11-20T00:00:00Z.
pub const AS_OF: i64 = 1_795_132_800;
const DAY: i64 = 86_400;

/// Rows per file chunk.
const CHUNK: usize = 100_000;

/// What the generator put in, counted per cause, for an oracle.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Ad rows written (Spark and ordinary).
    pub ads: usize,
    /// (ad account, post) pairs.
    pub pairs: usize,
    /// Findings per cause code.
    pub by_cause: BTreeMap<&'static str, usize>,
    /// Bytes written.
    pub bytes: u64,
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

/// A CSV file split into chunks of [`CHUNK`] rows, each chunk in one of several styles.
struct ChunkedWriter<'a> {
    dir: &'a Path,
    kind: &'static str,
    rows: usize,
    file: Option<BufWriter<File>>,
    styles: usize,
}

impl<'a> ChunkedWriter<'a> {
    fn new(dir: &'a Path, kind: &'static str, styles: usize) -> Self {
        ChunkedWriter {
            dir,
            kind,
            rows: 0,
            file: None,
            styles,
        }
    }

    /// The style of the current chunk and a writer positioned for the next row.
    fn row(
        &mut self,
        header: impl Fn(usize) -> String,
    ) -> io::Result<(usize, &mut BufWriter<File>)> {
        let chunk = self.rows / CHUNK;
        let style = chunk % self.styles;
        if self.rows.is_multiple_of(CHUNK) {
            if let Some(mut file) = self.file.take() {
                file.flush()?;
            }
            let path = self.dir.join(format!("{}_{chunk:03}.csv", self.kind));
            let mut file = BufWriter::with_capacity(1 << 20, File::create(path)?);
            file.write_all(header(style).as_bytes())?;
            file.write_all(b"\r\n")?;
            self.file = Some(file);
        }
        self.rows += 1;
        Ok((style, self.file.as_mut().expect("a chunk is open")))
    }

    fn finish(mut self) -> io::Result<u64> {
        if let Some(mut file) = self.file.take() {
            file.flush()?;
        }
        let mut total = 0;
        for entry in std::fs::read_dir(self.dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(self.kind) {
                total += entry.metadata()?.len();
            }
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

fn handle(creator: usize) -> String {
    format!("creator.{creator:06}")
}

fn code_text(rng: &mut Rng) -> String {
    format!("#Spk{:016x}{:08x}", rng.next_u64(), rng.next_u64() as u32)
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

/// Writes a portfolio of about `ads` ads into `dir` and returns what was injected.
pub fn generate(dir: &Path, ads: usize, seed: u64) -> io::Result<Expected> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng::new(seed);
    let accounts = (ads / 5000).max(1);
    let creators_per_account = 100;
    let mut expected = Expected::default();
    let count = |expected: &mut Expected, cause: &'static str, n: usize| {
        *expected.by_cause.entry(cause).or_insert(0) += n;
    };

    let mut ads_out = ChunkedWriter::new(dir, "ads", 4);
    let mut codes_out = ChunkedWriter::new(dir, "codes", 4);
    let mut bc_out = ChunkedWriter::new(dir, "bc", 3);
    let mut links = BufWriter::new(File::create(dir.join("links.csv"))?);
    writeln!(links, "TikTok Account,Status,Connected At")?;

    let ads_header = |style: usize| {
        match style {
        3 => "advertiser_id;Account Name;Campaign Name;Ad Group Name;Ad Name;ad_id;Ad Status;identity_type;display_name;identity_id;tiktok_item_id".to_string(),
        _ => "Account ID,Account Name,Campaign Name,Ad Group Name,Ad Name,Ad ID,Ad Status,Identity Type,Identity,Identity ID,Post ID".to_string(),
    }
    };
    let codes_header = |style: usize| {
        match style {
        0 | 2 => "Auth Code,Post ID,TikTok Account,Ad Account ID,Status,Start Time,End Time,Post Status,Item Type".to_string(),
        _ => "auth_code,item_id,tiktok_name,advertiser_id,auth_code_status,auth_code_start_time,auth_code_end_time,Post Status,item_type".to_string(),
    }
    };
    let bc_header = |style: usize| {
        match style {
        1 => "bc_id,BC Name,TikTok Account,Ad Account ID,Permissions,Status,Valid Until,advertiser_role".to_string(),
        _ => "BC ID,BC Name,TikTok Account,Ad Account ID,Permissions,Status,Valid Until,Ad Account Role".to_string(),
    }
    };

    let mut ad_number = 0usize;
    let mut post_number = 0usize;
    let total_creators = accounts * creators_per_account;
    'accounts: for account in 0..accounts {
        let adv = account_id(account);
        for local in 0..creators_per_account {
            let creator = account * creators_per_account + local;
            let me = handle(creator);
            let bc_defect = if rng.chance(0.05) {
                BC_DEFECTS[rng.below(5) as usize]
            } else {
                BcDefect::None
            };
            let linked = !rng.chance(0.01);
            write_link(&mut links, &me, linked, &mut rng)?;
            write_shares(
                &mut bc_out,
                &bc_header,
                &me,
                adv,
                bc_defect,
                accounts,
                &mut rng,
            )?;
            let posts = 17;
            for nth in 0..posts {
                if ad_number >= ads {
                    break 'accounts;
                }
                let post = post_id(post_number);
                post_number += 1;
                let ads_here = if nth == posts - 1 { 2 } else { 3 };
                let defect = if rng.chance(0.09) {
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
                    count(&mut expected, cause, 1);
                }
                if !linked {
                    count(&mut expected, "NOT_LINKED", 1);
                }
                if let Some(cause) = post_cause(defect) {
                    count(&mut expected, cause, 1);
                }
                let other = handle(
                    (creator + 1 + rng.below(total_creators as u64 - 1) as usize) % total_creators,
                );
                for slot in 0..ads_here {
                    let identity = match defect {
                        PostDefect::CustomIdentity if slot == 0 => Identity::Custom,
                        PostDefect::WrongIdentity if slot == 0 => Identity::Other(&other),
                        _ => Identity::Creator(&me),
                    };
                    write_ad(
                        &mut ads_out,
                        &ads_header,
                        adv,
                        account,
                        ad_number,
                        post,
                        identity,
                        &mut rng,
                    )?;
                    ad_number += 1;
                }
                // About 2% of ad rows are ordinary, non-Spark ads.
                if rng.chance(0.06) {
                    write_ordinary_ad(&mut ads_out, &ads_header, adv, account, ad_number)?;
                    ad_number += 1;
                }
                write_codes(
                    &mut codes_out,
                    &codes_header,
                    post,
                    &me,
                    adv,
                    defect,
                    &mut rng,
                )?;
            }
        }
    }
    expected.ads = ad_number;
    links.flush()?;
    expected.bytes = ads_out.finish()?
        + codes_out.finish()?
        + bc_out.finish()?
        + std::fs::metadata(dir.join("links.csv"))?.len();
    Ok(expected)
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

enum Identity<'h> {
    Creator(&'h str),
    Other(&'h str),
    Custom,
}

#[allow(clippy::too_many_arguments)]
fn write_ad(
    out: &mut ChunkedWriter<'_>,
    header: &impl Fn(usize) -> String,
    adv: u64,
    account: usize,
    ad_number: usize,
    post: u64,
    identity: Identity<'_>,
    rng: &mut Rng,
) -> io::Result<()> {
    let (style, file) = out.row(header)?;
    let d = if style == 3 { ';' } else { ',' };
    let (kind, name) = match identity {
        Identity::Custom => (
            if style == 3 {
                "CUSTOMIZED_USER"
            } else {
                "Custom Identity"
            },
            format!("Client {account} Official"),
        ),
        Identity::Creator(h) | Identity::Other(h) => {
            let kind = match (style, rng.below(3)) {
                (3, 0) => "AUTH_CODE",
                (3, 1) => "TT_USER",
                (3, _) => "BC_AUTH_TT",
                (_, 0) => "Authorized post",
                (_, 1) => "TikTok account",
                _ => "Business Center authorized TikTok account",
            };
            let shown = if ad_number.is_multiple_of(2) {
                format!("@{h}")
            } else {
                h.to_string()
            };
            (kind, shown)
        }
    };
    writeln!(
        file,
        "{adv}{d}Client {account}{d}Campaign {c}{d}Ad group {g}{d}Spark ad {ad_number}{d}{id}{d}ENABLE{d}{kind}{d}{name}{d}{iid}{d}{post}\r",
        c = ad_number / 500 % 20,
        g = ad_number / 50 % 10,
        id = 1_800_000_000_000_000_000u64 + ad_number as u64,
        iid = 6_900_000_000_000_000_000u64 + (ad_number / 50) as u64,
    )
}

fn write_ordinary_ad(
    out: &mut ChunkedWriter<'_>,
    header: &impl Fn(usize) -> String,
    adv: u64,
    account: usize,
    ad_number: usize,
) -> io::Result<()> {
    let (style, file) = out.row(header)?;
    let d = if style == 3 { ';' } else { ',' };
    let kind = if style == 3 {
        "CUSTOMIZED_USER"
    } else {
        "Custom Identity"
    };
    writeln!(
        file,
        "{adv}{d}Client {account}{d}Brand always-on{d}Broad{d}Banner {ad_number}{d}{id}{d}ENABLE{d}{kind}{d}Client {account}{d}{d}\r",
        id = 1_800_000_000_000_000_000u64 + ad_number as u64,
    )
}

fn write_codes(
    out: &mut ChunkedWriter<'_>,
    header: &impl Fn(usize) -> String,
    post: u64,
    creator: &str,
    adv: u64,
    defect: PostDefect,
    rng: &mut Rng,
) -> io::Result<()> {
    if defect == PostDefect::CodeMissing {
        return Ok(());
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
    let adv_text = if applied {
        adv.to_string()
    } else {
        String::new()
    };
    write_code_row(
        out,
        header,
        rng,
        post,
        creator,
        &adv_text,
        status,
        start,
        end,
        post_status,
        item,
    )?;
    // Several codes for one post: an old expired one, or a spare never applied. Neither
    // changes the outcome while the main code is valid.
    if defect == PostDefect::None && rng.chance(0.05) {
        let (adv_text, status, end) = if rng.chance(0.5) {
            (adv.to_string(), "EXPIRED", AS_OF - 40 * DAY)
        } else {
            (String::new(), "NOT_USED", long_end)
        };
        write_code_row(
            out,
            header,
            rng,
            post,
            creator,
            &adv_text,
            status,
            start,
            end,
            post_status,
            item,
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_code_row(
    out: &mut ChunkedWriter<'_>,
    header: &impl Fn(usize) -> String,
    rng: &mut Rng,
    post: u64,
    creator: &str,
    adv: &str,
    status: &str,
    start: i64,
    end: i64,
    post_status: &str,
    item: &str,
) -> io::Result<()> {
    let code = code_text(rng);
    let (style, file) = out.row(header)?;
    writeln!(
        file,
        "{code},{post},{creator},{adv},{status},{},{},{post_status},{item}\r",
        time_text(start, style),
        time_text(end, style)
    )
}

fn write_link(out: &mut impl Write, handle: &str, linked: bool, rng: &mut Rng) -> io::Result<()> {
    let status = if linked {
        "connected"
    } else if rng.chance(0.5) {
        "disconnected"
    } else {
        "expired"
    };
    writeln!(out, "@{handle},{status},2026-08-01")
}

#[allow(clippy::too_many_arguments)]
fn write_shares(
    out: &mut ChunkedWriter<'_>,
    header: &impl Fn(usize) -> String,
    handle: &str,
    adv: u64,
    defect: BcDefect,
    accounts: usize,
    rng: &mut Rng,
) -> io::Result<()> {
    if defect == BcDefect::NotInBc {
        return Ok(());
    }
    let row = |out: &mut ChunkedWriter<'_>,
               target: u64,
               permissions: &str,
               status: &str,
               until: &str,
               role: &str|
     -> io::Result<()> {
        let (_, file) = out.row(header)?;
        writeln!(file, "7000000000000000001,Agency BC,@{handle},{target},{permissions},{status},{until},{role}\r")
    };
    match defect {
        BcDefect::None | BcDefect::NotInBc | BcDefect::NotShared => {}
        BcDefect::NoDelivery => row(out, adv, "Existing posts", "BOUND", "", "ADMIN")?,
        BcDefect::Inactive if rng.chance(0.5) => {
            let status = ["REVOKED", "PENDING", "UNBOUND", "REJECTED"][rng.below(4) as usize];
            row(out, adv, "Ad Delivery", status, "", "ADMIN")?
        }
        BcDefect::Inactive => row(
            out,
            adv,
            "Ad Delivery",
            "BOUND",
            "2026-11-01 00:00:00",
            "OPERATOR",
        )?,
        BcDefect::Analyst => row(out, adv, "Ad Delivery", "BOUND", "", "ANALYST")?,
    }
    if defect == BcDefect::None {
        row(
            out,
            adv,
            "Ad Delivery;Existing posts",
            "BOUND",
            "",
            if rng.chance(0.5) { "ADMIN" } else { "OPERATOR" },
        )?;
    }
    // The agency also shares its talent to other clients' ad accounts (no ads use them here).
    for _ in 0..14 {
        let other = account_id(rng.below(accounts as u64) as usize);
        if other != adv {
            row(out, other, "Ad Delivery", "BOUND", "", "OPERATOR")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_times_match_the_documented_as_of() {
        assert_eq!(format_datetime(AS_OF, 'T', "Z"), "2026-11-20T00:00:00Z");
    }
}
