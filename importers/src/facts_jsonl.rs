//! The facts format: JSON Lines, versioned (`docs/facts.md`).
//!
//! `sparkcheck facts PATH...` writes it; a `.jsonl` file in it is an input kind, so facts
//! round-trip, and external importers (plugins) speak it. The first line is a header
//! `{"fact":"header","format":"sparkcheck-facts","version":1}`; every other line is one
//! fact with a `fact` field naming its relation. Auth codes appear masked only.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use sparkcheck_facts::{
    time, AdAccountRole, AdRow, CodeRow, Facts, InputKind, ItemType, LinkRow, Rejection, RowRef,
    ShareRow, SourceFile, Sym,
};

/// The version written in the header line.
pub const VERSION: u32 = 1;
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
pub fn import(display: &str, kind: InputKind, text: &str, facts: &mut Facts, origin: Option<&str>) {
    let file = facts.add_file(SourceFile {
        path: display.to_string(),
        kind,
        rows: 0,
        imported: 0,
        rejected: 0,
        notes: origin
            .map(|o| vec![format!("facts from importer `{o}`")])
            .unwrap_or_default(),
        // Facts name every optional field explicitly, so every check has its data.
        columns: vec!["Ad Account Role", "End Time", "Post Status", "Item Type"],
        provides: Vec::new(),
    });
    let (mut rows, mut imported) = (0u64, 0u64);
    let mut rejections = Vec::new();
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
            if *version != VERSION {
                rejections.push(Rejection {
                    file,
                    line: line_number,
                    column: None,
                    reason: format!("expected facts version {VERSION}, found {version}"),
                });
            }
            continue;
        }
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
        let kind = parsed.as_ref().ok().and_then(fact_kind);
        match parsed.and_then(|fact| add_fact(fact, at, facts)) {
            Ok(()) => {
                imported += 1;
                if let Some(kind) = kind {
                    let provides = &mut facts.files[file as usize].provides;
                    if !provides.contains(&kind) {
                        provides.push(kind);
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

/// The input kind a fact stands for.
fn fact_kind(fact: &FactLine) -> Option<InputKind> {
    match fact {
        FactLine::Ad { .. } | FactLine::Account { .. } => Some(InputKind::Ads),
        FactLine::Share { .. } => Some(InputKind::Bc),
        FactLine::Code { .. } => Some(InputKind::Codes),
        FactLine::Link { .. } => Some(InputKind::Links),
        FactLine::Identity { .. } => Some(InputKind::Identities),
        FactLine::Header { .. } => None,
    }
}

fn id(value: &str, field: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("`{field}`: expected an ID, found an empty value"));
    }
    crate::values::check_id(value).map_err(|m| format!("`{field}`: {m}"))
}

fn choice<T: Copy>(value: &str, field: &str, choices: &[(&str, T)]) -> Result<T, String> {
    crate::values::lookup(value, choices).ok_or_else(|| {
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
        format!(
            "`{field}`: expected one of {}, found `{}`",
            names.join(", "),
            sparkcheck_facts::quote(value)
        )
    })
}

fn instant(value: &Option<String>, field: &str) -> Result<Option<i64>, String> {
    value
        .as_deref()
        .map(|t| time::parse_instant(t).map_err(|e| format!("`{field}`: {e}")))
        .transpose()
}

fn handle(value: &str, field: &str) -> Result<String, String> {
    let handle = crate::values::normalize_handle(value).into_owned();
    if handle.is_empty() {
        return Err(format!(
            "`{field}`: expected a TikTok handle, found an empty value"
        ));
    }
    Ok(handle)
}

// The same names the CSV importers accept (UI labels included).
use crate::ads::IDENTITY_TYPES;
use crate::bc::{ROLES, STATUSES as SHARE_STATUSES};
use crate::codes::{STATUSES as CODE_STATUSES, UNAVAILABLE_POST_STATUSES as UNAVAILABLE};
use crate::links::STATUSES as LINK_STATUSES;

/// Checks one fact and adds it; nothing is added when it is rejected.
pub fn add_fact(fact: FactLine, at: RowRef, facts: &mut Facts) -> Result<(), String> {
    match fact {
        FactLine::Header { .. } => Ok(()),
        FactLine::Account {
            advertiser_id,
            account_name,
        } => {
            id(&advertiser_id, "advertiser_id")?;
            let advertiser = facts.syms.intern(&advertiser_id);
            facts.remember_account_name(advertiser, &account_name);
            Ok(())
        }
        FactLine::Ad {
            advertiser_id,
            post_id,
            identity_type,
            handle: h,
            identity_label,
            ad_id,
            ad_name,
            ..
        } => {
            id(&advertiser_id, "advertiser_id")?;
            id(&ad_id, "ad_id")?;
            if !post_id.is_empty() {
                id(&post_id, "post_id")?;
            }
            let identity = choice(&identity_type, "identity_type", &IDENTITY_TYPES)?;
            let h = if identity.is_tiktok_account() && !post_id.is_empty() {
                handle(&h, "handle")?
            } else {
                String::new()
            };
            let ad = AdRow {
                at,
                advertiser: facts.syms.intern(&advertiser_id),
                post: facts.syms.intern(&post_id),
                identity,
                handle: facts.syms.intern(&h),
                identity_label: facts.text.push(&identity_label),
                ad_id: facts.text.push(&ad_id),
                ad_name: facts.text.push(&ad_name),
            };
            facts.ads.push(ad);
            Ok(())
        }
        FactLine::Share {
            bc_id,
            bc_name,
            handle: h,
            advertiser_id,
            ad_delivery,
            permissions,
            status,
            valid_until,
            role,
            ..
        } => {
            id(&bc_id, "bc_id")?;
            if !advertiser_id.is_empty() {
                id(&advertiser_id, "advertiser_id")?;
            }
            let h = handle(&h, "handle")?;
            let status = choice(&status, "status", &SHARE_STATUSES)?;
            let role = if role.trim().is_empty() {
                AdAccountRole::Unknown
            } else {
                choice(&role, "role", &ROLES)?
            };
            let valid_until = instant(&valid_until, "valid_until")?;
            let share = ShareRow {
                at,
                bc_id: facts.text.push(&bc_id),
                bc_name: facts.text.push(&bc_name),
                handle: facts.syms.intern(&h),
                advertiser: facts.syms.intern(&advertiser_id),
                ad_delivery,
                permissions: facts.text.push(&permissions),
                status,
                valid_until,
                role,
            };
            facts.shares.push(share);
            Ok(())
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
            if code.is_empty() {
                return Err(
                    "`code`: expected the code (or its masked form), found an empty value".into(),
                );
            }
            id(&post_id, "post_id")?;
            if !advertiser_id.is_empty() {
                id(&advertiser_id, "advertiser_id")?;
            }
            let creator = handle(&creator, "creator")?;
            let status = choice(&status, "status", &CODE_STATUSES)?;
            let (start, end) = (instant(&start, "start")?, instant(&end, "end")?);
            // A masked code stays masked; a whole code is masked here and never kept.
            let masked = if code.starts_with("****") {
                code.clone()
            } else {
                sparkcheck_facts::mask_code(&code)
            };
            let row = CodeRow {
                at,
                post: facts.syms.intern(&post_id),
                creator: facts.syms.intern(&creator),
                advertiser: facts.syms.intern(&advertiser_id),
                status,
                start,
                end,
                masked_code: facts.text.push(&masked),
                post_unavailable: crate::values::lookup(&post_status, &UNAVAILABLE).is_some(),
                post_status: facts.text.push(&post_status),
                item_type: match item_type.to_ascii_uppercase().as_str() {
                    "" => ItemType::Unknown,
                    "CAROUSEL" => ItemType::Carousel,
                    _ => ItemType::Video,
                },
            };
            facts.codes.push(row);
            Ok(())
        }
        FactLine::Identity {
            advertiser_id,
            handle: h,
            identity_type,
            available_status,
            bc_id,
            ..
        } => {
            id(&advertiser_id, "advertiser_id")?;
            let h = handle(&h, "handle")?;
            let kind = choice(&identity_type, "identity_type", &IDENTITY_TYPES)?;
            if available_status.trim().is_empty() {
                return Err("`available_status`: expected `AVAILABLE` or TikTok's reason, found an empty value".into());
            }
            let identity = sparkcheck_facts::IdentityRow {
                at,
                advertiser: facts.syms.intern(&advertiser_id),
                handle: facts.syms.intern(&h),
                kind,
                available: available_status.trim().eq_ignore_ascii_case("AVAILABLE"),
                available_status: facts.text.push(available_status.trim()),
                bc_id: facts.text.push(&bc_id),
            };
            facts.identities.push(identity);
            Ok(())
        }
        FactLine::Link {
            handle: h,
            status,
            connected_at,
            ..
        } => {
            let h = handle(&h, "handle")?;
            let status = choice(&status, "status", &LINK_STATUSES)?;
            let connected_at = instant(&connected_at, "connected_at")?;
            let link = LinkRow {
                at,
                handle: facts.syms.intern(&h),
                status,
                connected_at,
            };
            facts.links.push(link);
            Ok(())
        }
    }
}
