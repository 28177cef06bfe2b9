//! The facts format: JSON Lines, versioned (`docs/facts.md`).
//!
//! `sparkcheck facts PATH...` writes it; a `.jsonl` file in it is an input kind, so facts
//! round-trip, and external importers (plugins) speak it. The first line is a header
//! `{"fact":"header","format":"sparkcheck-facts","version":2}`; every other line is one
//! fact with a `fact` field naming its relation. Auth codes appear masked only.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use sparkcheck_facts::{
    time, Facts, FileFormat, InputKind, ItemType, OptionalField, Rejection, RowRef, SourceFile, Sym,
};

use crate::record::{build_row, RecentSyms, RowSink, Values};

/// The version written in the header line. Version 2 lets a code fact name no `creator`
/// (a creator-side record has none); version 1 files are still read, and a code fact
/// without a `creator` in them is rejected as it always was.
pub const VERSION: u32 = 2;
/// The versions read.
pub const READ_VERSIONS: [u32; 2] = [1, 2];
/// The `format` of the header line.
pub const FORMAT: &str = "sparkcheck-facts";

/// One line of the format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "fact", rename_all = "snake_case", deny_unknown_fields)]
pub enum FactLine {
    /// The first line.
    Header {
        /// Always `sparkcheck-facts`.
        format: String,
        /// The format version.
        version: u32,
    },
    /// `ad(advertiser, post, identity_type, handle)`.
    Ad {
        advertiser_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        post_id: String,
        identity_type: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        handle: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        identity_label: String,
        ad_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        ad_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
    },
    /// `share(handle, advertiser, ad_delivery, status, valid_until, role)`.
    Share {
        bc_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        bc_name: String,
        handle: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        advertiser_id: String,
        ad_delivery: bool,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        permissions: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        valid_until: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        role: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
    },
    /// `code(post, creator, advertiser, status, start, end)`; `code` is masked.
    Code {
        code: String,
        post_id: String,
        /// The creator's handle; absent when the source names none (version 2).
        #[serde(default, skip_serializing_if = "String::is_empty")]
        creator: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        advertiser_id: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end: Option<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        post_status: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        item_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
    },
    /// `link(handle, status, connected_at)`.
    Link {
        handle: String,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        connected_at: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
    },
    /// `account_name(advertiser, name)`.
    Account {
        advertiser_id: String,
        account_name: String,
    },
    /// `identity(advertiser, handle, identity_type, available_status)`.
    Identity {
        advertiser_id: String,
        handle: String,
        identity_type: String,
        available_status: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        bc_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<Source>,
    },
}

/// Where a fact came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The file.
    pub path: String,
    /// The line where its row starts.
    pub line: u64,
}

/// Writes every fact of `facts` as JSON Lines.
pub fn write(facts: &Facts, out: &mut dyn Write) -> io::Result<()> {
    let line = |out: &mut dyn Write, fact: &FactLine| -> io::Result<()> {
        serde_json::to_writer(&mut *out, fact)?;
        out.write_all(b"\n")
    };
    line(
        out,
        &FactLine::Header {
            format: FORMAT.into(),
            version: VERSION,
        },
    )?;
    let text = |span| facts.text.get(span).to_string();
    let sym = |s: Sym| facts.sym(s).to_string();
    let source = |at: RowRef| {
        Some(Source {
            path: facts.path(at).to_string(),
            line: u64::from(at.line),
        })
    };
    let instant = |t: Option<i64>| t.map(time::format_instant);
    let mut names: Vec<(&str, &str)> = facts
        .account_names
        .iter()
        .map(|(&a, &n)| (facts.sym(a), facts.text.get(n)))
        .collect();
    names.sort();
    for (advertiser_id, account_name) in names {
        line(
            out,
            &FactLine::Account {
                advertiser_id: advertiser_id.into(),
                account_name: account_name.into(),
            },
        )?;
    }
    for ad in &facts.ads {
        line(
            out,
            &FactLine::Ad {
                advertiser_id: sym(ad.advertiser),
                post_id: sym(ad.post),
                identity_type: ad.identity.api_name().into(),
                handle: sym(ad.handle),
                identity_label: text(ad.identity_label),
                ad_id: text(ad.ad_id),
                ad_name: text(ad.ad_name),
                source: source(ad.at),
            },
        )?;
    }
    for share in &facts.shares {
        line(
            out,
            &FactLine::Share {
                bc_id: text(share.bc_id),
                bc_name: text(share.bc_name),
                handle: sym(share.handle),
                advertiser_id: sym(share.advertiser),
                ad_delivery: share.ad_delivery,
                permissions: text(share.permissions),
                status: share.status.name().into(),
                valid_until: instant(share.valid_until),
                role: share.role.name().into(),
                source: source(share.at),
            },
        )?;
    }
    for code in &facts.codes {
        line(
            out,
            &FactLine::Code {
                code: text(code.masked_code),
                post_id: sym(code.post),
                creator: sym(code.creator),
                advertiser_id: sym(code.advertiser),
                status: code.status.name().into(),
                start: instant(code.start),
                end: instant(code.end),
                post_status: text(code.post_status),
                item_type: match code.item_type {
                    ItemType::Unknown => String::new(),
                    ItemType::Video => "VIDEO".into(),
                    ItemType::Carousel => "CAROUSEL".into(),
                },
                source: source(code.at),
            },
        )?;
    }
    for identity in &facts.identities {
        line(
            out,
            &FactLine::Identity {
                advertiser_id: sym(identity.advertiser),
                handle: sym(identity.handle),
                identity_type: identity.kind.api_name().into(),
                available_status: text(identity.available_status),
                bc_id: text(identity.bc_id),
                source: source(identity.at),
            },
        )?;
    }
    for link in &facts.links {
        line(
            out,
            &FactLine::Link {
                handle: sym(link.handle),
                status: link.status.name().into(),
                connected_at: instant(link.connected_at),
                source: source(link.at),
            },
        )?;
    }
    Ok(())
}

/// The JSON Schema of one line of the format.
pub fn schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(FactLine)).expect("a schema serialises");
    schema["title"] = serde_json::json!(format!("{FORMAT} version {VERSION}: one line"));
    schema
}

/// Whether `text` starts like a facts file: its first line is a header or a fact.
pub fn looks_like_facts(text: &[u8]) -> bool {
    let first = text
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace));
    first.is_some_and(|line| {
        serde_json::from_slice::<serde_json::Value>(line)
            .is_ok_and(|v| v.get("fact").is_some_and(|f| f.is_string()))
    })
}

/// Reads a facts file (or a plugin's output) into `facts`: each line is one fact or one
/// rejection naming the line. `origin` names the producer in rejections (a plugin's name).
pub fn import(display: &str, text: &str, facts: &mut Facts, origin: Option<&str>) {
    let format = if origin.is_some() {
        FileFormat::Plugin
    } else {
        FileFormat::Facts
    };
    let mut source = SourceFile::new(display, format, Vec::new());
    source.notes = origin
        .map(|o| vec![format!("facts from importer `{o}`")])
        .unwrap_or_default();
    // Facts name every optional field explicitly, so every check has its data.
    source.fields = OptionalField::ALL.to_vec();
    let file = facts.add_file(source);
    let mut recent = RecentSyms::default();
    let (mut rows, mut imported) = (0u64, 0u64);
    let mut rejections = Vec::new();
    // A file without a header (a plugin's output) is read as the current version.
    let mut file_version = VERSION;
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_number = index as u64 + 1;
        let parsed: Result<FactLine, String> = serde_json::from_str(line).map_err(|e| {
            let what = e.to_string();
            format!(
                "expected one fact as a JSON object, {}",
                sparkcheck_facts::quote(what.split(" at line").next().unwrap_or_default())
            )
        });
        if let Ok(FactLine::Header { version, .. }) = &parsed {
            if READ_VERSIONS.contains(version) {
                file_version = *version;
            } else {
                rejections.push(Rejection {
                    file,
                    line: line_number,
                    column: None,
                    reason: format!(
                        "expected facts version 1 or {VERSION}, found {version}; hint: \
                         write the file with this sparkcheck's `sparkcheck facts`"
                    ),
                });
            }
            continue;
        }
        let parsed = parsed.and_then(|fact| match &fact {
            FactLine::Code { creator, .. } if file_version == 1 && creator.trim().is_empty() => {
                Err(
                    "`creator`: expected the creator's handle, found an empty value \
                     (facts version 1 requires it); hint: a code with no creator needs \
                     the version 2 header"
                        .to_string(),
                )
            }
            _ => Ok(fact),
        });
        rows += 1;
        // Evidence cites the row the fact came from when the fact names this same file
        // (a plugin reporting lines of the file it read), else the line of the fact.
        let cited = match &parsed {
            Ok(fact) => fact_source(fact)
                .filter(|s| s.path == display)
                .map_or(line_number, |s| s.line),
            Err(_) => line_number,
        };
        let at = RowRef {
            file,
            line: u32::try_from(cited).unwrap_or(u32::MAX),
        };
        match parsed.and_then(|fact| add_fact(fact, at, facts, &mut recent)) {
            Ok(kind) => {
                imported += 1;
                if let Some(kind) = kind {
                    let kinds = &mut facts.files[file as usize].kinds;
                    if !kinds.contains(&kind) {
                        kinds.push(kind);
                        kinds.sort();
                    }
                }
            }
            Err(reason) => rejections.push(Rejection {
                file,
                line: line_number,
                column: None,
                reason: match origin {
                    Some(plugin) => {
                        format!("importer `{plugin}`, output line {line_number}: {reason}")
                    }
                    None => reason,
                },
            }),
        }
    }
    let source = &mut facts.files[file as usize];
    source.rows = rows;
    source.imported = imported;
    source.rejected = rejections.len() as u64;
    facts.rejections.extend(rejections);
}

/// Where a fact says it came from.
fn fact_source(fact: &FactLine) -> Option<&Source> {
    match fact {
        FactLine::Ad { source, .. }
        | FactLine::Share { source, .. }
        | FactLine::Code { source, .. }
        | FactLine::Link { source, .. }
        | FactLine::Identity { source, .. } => source.as_ref(),
        FactLine::Header { .. } | FactLine::Account { .. } => None,
    }
}

// ---- reading: every fact goes through its kind's row builder -----------------------

/// Checks one fact and adds it through its kind's row builder (the same checks as every
/// other format); nothing is added when it is rejected. Returns the kind it stands for.
pub fn add_fact(
    fact: FactLine,
    at: RowRef,
    facts: &mut Facts,
    recent: &mut RecentSyms,
) -> Result<Option<InputKind>, String> {
    let (kind, values) = match &fact {
        FactLine::Header { .. } => return Ok(None),
        FactLine::Account {
            advertiser_id,
            account_name,
        } => {
            if advertiser_id.trim().is_empty() {
                return Err("`advertiser_id`: expected an ID, found an empty value".into());
            }
            crate::values::check_id(advertiser_id.trim())
                .map_err(|m| format!("`advertiser_id`: {m}"))?;
            let advertiser = facts.syms.intern(advertiser_id.trim());
            facts.remember_account_name(advertiser, account_name.trim());
            return Ok(Some(InputKind::Ads));
        }
        FactLine::Ad {
            advertiser_id,
            post_id,
            identity_type,
            handle,
            identity_label,
            ad_id,
            ad_name,
            ..
        } => {
            use crate::kinds::ads::field::*;
            let mut v = Values::default();
            v.set(ACCOUNT_ID, advertiser_id);
            v.set(POST_ID, post_id);
            v.set(IDENTITY_TYPE, identity_type);
            // Tables hold a TikTok account's handle and a custom identity's name in one
            // column; the facts format keeps them apart.
            v.set(
                IDENTITY,
                if handle.is_empty() {
                    identity_label
                } else {
                    handle
                },
            );
            v.set(AD_ID, ad_id);
            v.set(AD_NAME, ad_name);
            (InputKind::Ads, v)
        }
        FactLine::Share {
            bc_id,
            bc_name,
            handle,
            advertiser_id,
            ad_delivery,
            permissions,
            status,
            valid_until,
            role,
            ..
        } => {
            use crate::kinds::bc::field::*;
            let mut v = Values::default();
            v.set(BC_ID, bc_id);
            v.set(BC_NAME, bc_name);
            v.set(TIKTOK_ACCOUNT, handle);
            v.set(AD_ACCOUNT_ID, advertiser_id);
            v.set(AD_DELIVERY, if *ad_delivery { "true" } else { "false" });
            v.set(PERMISSIONS, permissions);
            v.set(STATUS, status);
            v.set(VALID_UNTIL, valid_until.as_deref().unwrap_or(""));
            v.set(ROLE, role);
            (InputKind::Bc, v)
        }
        FactLine::Code {
            code,
            post_id,
            creator,
            advertiser_id,
            status,
            start,
            end,
            post_status,
            item_type,
            ..
        } => {
            use crate::kinds::codes::field::*;
            let mut v = Values::default();
            v.set(AUTH_CODE, code);
            v.set(POST_ID, post_id);
            v.set(TIKTOK_ACCOUNT, creator);
            v.set(AD_ACCOUNT_ID, advertiser_id);
            v.set(STATUS, status);
            v.set(START, start.as_deref().unwrap_or(""));
            v.set(END, end.as_deref().unwrap_or(""));
            v.set(POST_STATUS, post_status);
            v.set(ITEM_TYPE, item_type);
            (InputKind::Codes, v)
        }
        FactLine::Identity {
            advertiser_id,
            handle,
            identity_type,
            available_status,
            bc_id,
            ..
        } => {
            use crate::kinds::identities::field::*;
            let mut v = Values::default();
            v.set(ACCOUNT_ID, advertiser_id);
            v.set(HANDLE, handle);
            v.set(IDENTITY_TYPE, identity_type);
            v.set(AVAILABLE_STATUS, available_status);
            v.set(BC_ID, bc_id);
            (InputKind::Identities, v)
        }
        FactLine::Link {
            handle,
            status,
            connected_at,
            ..
        } => {
            use crate::kinds::links::field::*;
            let mut v = Values::default();
            v.set(TIKTOK_ACCOUNT, handle);
            v.set(STATUS, status);
            v.set(CONNECTED_AT, connected_at.as_deref().unwrap_or(""));
            (InputKind::Links, v)
        }
    };
    let builder = crate::registry::kind(kind);
    let mut sink = RowSink { facts, at, recent };
    build_row(builder, &values, &mut sink).map_err(|error| match error.field {
        Some(field) => format!("`{}`: {}", builder.fields()[field].key, error.message),
        None => error.message,
    })?;
    Ok(Some(kind))
}
