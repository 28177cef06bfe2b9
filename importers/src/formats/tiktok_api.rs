//! Saved TikTok Marketing API responses, as the API returns them (the `code`, `message`,
//! `request_id`, `data.list` envelope), as bare lists, or as JSON Lines the way data
//! connectors export them. Read:
//! - `/tt_video/list/` and `/tt_video/info/` records (`item_info`, `user_info`,
//!   `auth_info`): the advertiser side of codes;
//! - `/business/post/authorize/status` records (`auth_code`, `auth_code_status`, ...): the
//!   creator side, not applied;
//! - `/identity/get/` records (`identity_type`, `user_name`, `available_status`): identities;
//! - Business Center asset records with `asset_type` `TT_ACCOUNT` (`asset_name`, `bc_id`,
//!   the `advertiser_id` it is assigned to, `permissions`, `relation_status`,
//!   `advertiser_role`): BC shares, one per record.
//!
//! The API takes the ad account as a request parameter, so a record may lack it: it is
//! taken from an `advertiser_id` field a connector added, else from an ad account ID in the
//! file name (`tt_video_list_7100000000000000001.json`), else the record is rejected with
//! a message saying how to supply it. Records are cited by their number in the file (their
//! line in JSON Lines).

use serde_json::Value;
use sparkcheck_facts::{
    Facts, FileFormat, InputKind, OptionalField, Rejection, RowRef, SourceFile,
};

use crate::formats::facts::{add_fact, FactLine};
use crate::record::RecentSyms;

/// Whether `text` looks like a JSON document or JSON Lines of objects.
pub fn looks_like_json(text: &[u8]) -> bool {
    matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// The records of a response file, each with the line (JSON Lines) or number it has.
fn records(text: &str) -> Result<Vec<(u64, Value)>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(document) => {
            let list = match document {
                Value::Array(items) => items,
                Value::Object(ref object) if object.contains_key("data") => {
                    if let Some(code) = object
                        .get("code")
                        .and_then(Value::as_i64)
                        .filter(|&c| c != 0)
                    {
                        let message = object.get("message").and_then(Value::as_str).unwrap_or("");
                        return Err(format!(
                            "the saved response is an API error (code {code}: {}); hint: save a successful response",
                            sparkcheck_facts::quote(message)
                        ));
                    }
                    match &object["data"] {
                        Value::Object(data) if data.get("list").is_some_and(Value::is_array) => {
                            data["list"].as_array().cloned().unwrap_or_default()
                        }
                        data @ Value::Object(_) => vec![data.clone()],
                        Value::Array(items) => items.clone(),
                        _ => Vec::new(),
                    }
                }
                object @ Value::Object(_) => vec![object],
                _ => Vec::new(),
            };
            Ok((1..).zip(list).collect())
        }
        // Not one document: JSON Lines, one record per line.
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, line)| {
                serde_json::from_str(line)
                    .map(|v| (i as u64 + 1, v))
                    .map_err(|e| format!("line {}: expected a JSON object per line, {e}", i + 1))
            })
            .collect(),
    }
}

/// An ad account ID in a file name: the first run of 15 or more digits.
fn advertiser_from_name(display: &str) -> Option<String> {
    let name = display.rsplit('/').next().unwrap_or(display);
    name.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() >= 15)
        .map(str::to_string)
}

fn text(value: &Value, key: &str) -> String {
    match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn time_field(value: &Value, key: &str) -> Option<String> {
    let t = text(value, key);
    (!t.is_empty()).then_some(t)
}

/// A Business Center asset record of a TikTok account (`asset_type` `TT_ACCOUNT`).
fn is_bc_asset(record: &Value) -> bool {
    record
        .get("asset_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("TT_ACCOUNT"))
}

/// A record as a code fact, or why it is none.
fn code_fact(record: &Value, advertiser: Option<&str>) -> Result<FactLine, String> {
    let missing_advertiser = || {
        "the record has no `advertiser_id`; hint: add an `advertiser_id` field to each record \
         (connectors can), or put the ad account ID in the file name, as in \
         `tt_video_list_7100000000000000001.json`"
            .to_string()
    };
    if let Some(item) = record.get("item_info") {
        let user = record.get("user_info").cloned().unwrap_or(Value::Null);
        let auth = record.get("auth_info").cloned().unwrap_or(Value::Null);
        let advertiser = advertiser
            .map(str::to_string)
            .ok_or_else(missing_advertiser)?;
        return Ok(FactLine::Code {
            code: text(item, "auth_code"),
            post_id: text(item, "item_id"),
            creator: text(&user, "tiktok_name"),
            advertiser_id: advertiser,
            status: text(&auth, "ad_auth_status"),
            start: time_field(&auth, "auth_start_time"),
            end: time_field(&auth, "auth_end_time"),
            post_status: text(item, "status"),
            item_type: text(item, "item_type"),
            source: None,
        });
    }
    if is_bc_asset(record) {
        let handle = ["asset_name", "user_name", "display_name"]
            .iter()
            .map(|k| text(record, k))
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        let permissions: Vec<String> = match record
            .get("permissions")
            .or_else(|| record.get("asset_permissions"))
        {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        let status = text(record, "relation_status");
        return Ok(FactLine::Share {
            bc_id: text(record, "bc_id"),
            bc_name: text(record, "bc_name"),
            handle,
            // Assigned to no ad account when the record names none (the account is in the BC).
            advertiser_id: text(record, "advertiser_id"),
            ad_delivery: permissions
                .iter()
                .any(|p| crate::kinds::bc::has_ad_delivery(p)),
            permissions: permissions.join(";"),
            status: if status.is_empty() {
                "BOUND".to_string()
            } else {
                status
            },
            valid_until: None,
            role: text(record, "advertiser_role"),
            source: None,
        });
    }
    if record.get("available_status").is_some() && record.get("identity_type").is_some() {
        let advertiser = advertiser
            .map(str::to_string)
            .ok_or_else(missing_advertiser)?;
        let handle = ["user_name", "display_name"]
            .iter()
            .map(|k| text(record, k))
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        return Ok(FactLine::Identity {
            advertiser_id: advertiser,
            handle,
            identity_type: text(record, "identity_type"),
            available_status: text(record, "available_status"),
            bc_id: text(record, "identity_authorized_bc_id"),
            source: None,
        });
    }
    if record.get("auth_code_status").is_some() {
        let creator = ["tiktok_name", "display_name", "user_name"]
            .iter()
            .map(|k| text(record, k))
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        if text(record, "item_id").is_empty() || creator.is_empty() {
            return Err(
                "a creator-side authorization status needs the `item_id` and the creator's \
                        `tiktok_name` it was requested for; hint: have the connector add them"
                    .to_string(),
            );
        }
        return Ok(FactLine::Code {
            code: text(record, "auth_code"),
            post_id: text(record, "item_id"),
            creator,
            // Creator side: the code is not applied to any ad account by this record.
            advertiser_id: String::new(),
            status: text(record, "auth_code_status"),
            start: time_field(record, "auth_code_start_time"),
            end: time_field(record, "auth_code_end_time"),
            post_status: String::new(),
            item_type: String::new(),
            source: None,
        });
    }
    Err(
        "expected a `/tt_video/` record (`item_info`, `user_info`, `auth_info`) or a \
         `/business/post/authorize/status` record (`auth_code_status`)"
            .to_string(),
    )
}

/// Imports a saved API response; `Err` when it is no response sparkcheck reads.
pub fn import(display: &str, body: &str, facts: &mut Facts) -> Result<(), String> {
    let records = records(body)?;
    let is_identity =
        |r: &Value| r.get("available_status").is_some() && r.get("identity_type").is_some();
    let recognised = records.iter().any(|(_, r)| {
        r.get("item_info").is_some()
            || r.get("auth_code_status").is_some()
            || is_identity(r)
            || is_bc_asset(r)
    });
    let kind = if records.iter().all(|(_, r)| is_identity(r)) {
        InputKind::Identities
    } else if records.iter().all(|(_, r)| is_bc_asset(r)) {
        InputKind::Bc
    } else {
        InputKind::Codes
    };
    if !recognised {
        return Err(
            "this JSON is neither sparkcheck facts nor a TikTok API response sparkcheck reads \
                    (`/tt_video/list/`, `/tt_video/info/`, `/business/post/authorize/status`, `/identity/get/`, BC TikTok-account assets); \
                    hint: `sparkcheck facts --schema` describes the facts format"
                .to_string(),
        );
    }
    let from_name = advertiser_from_name(display);
    let mut source = SourceFile::new(display, FileFormat::TikTokApi, vec![kind]);
    source.notes = vec![
        "a TikTok API response; lines are record numbers unless the file is JSON Lines".to_string(),
    ];
    source.fields = OptionalField::ALL.to_vec();
    let file = facts.add_file(source);
    let mut recent = RecentSyms::default();
    let (mut imported, mut rejections) = (0u64, Vec::new());
    for (line, record) in &records {
        let advertiser = record
            .get("advertiser_id")
            .map(|_| text(record, "advertiser_id"))
            .or_else(|| from_name.clone());
        let at = RowRef {
            file,
            line: u32::try_from(*line).unwrap_or(u32::MAX),
        };
        match code_fact(record, advertiser.as_deref())
            .and_then(|fact| add_fact(fact, at, facts, &mut recent))
        {
            Ok(_) => imported += 1,
            Err(reason) => rejections.push(Rejection {
                file,
                line: *line,
                column: None,
                reason,
            }),
        }
    }
    let source = &mut facts.files[file as usize];
    source.rows = records.len() as u64;
    source.imported = imported;
    source.rejected = rejections.len() as u64;
    facts.rejections.extend(rejections);
    Ok(())
}
