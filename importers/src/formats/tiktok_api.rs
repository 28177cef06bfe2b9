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
    Facts, FileFormat, InputKind, OptionalField, PendingRow, Rejection, RowRef, SourceFile, Sym,
};
use std::collections::HashSet;

use crate::formats::facts::{add_fact, FactLine};
use crate::record::RecentSyms;

/// Whether `text` looks like a JSON document or JSON Lines of objects.
pub fn looks_like_json(text: &[u8]) -> bool {
    matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// One record of a response file, with what its envelope said beside `data`.
struct Record {
    /// Its line (JSON Lines) or number in the file.
    line: u64,
    /// The record, unwrapped from any connector wrapper; `Err` when the wrapper holds
    /// no record sparkcheck can read.
    value: Result<Value, String>,
    /// The envelope's top-level fields connectors add beside `data` (`advertiser_id`,
    /// `bc_id`), as an object.
    top: Option<Value>,
}

/// The records of a file, and how many connector protocol lines (Singer `SCHEMA` and
/// `STATE`, Airbyte `STATE` and `LOG`, ...) it had besides: those are not rows.
#[derive(Default)]
struct Records {
    records: Vec<Record>,
    protocol_lines: u64,
}

/// Connector message types that carry no record (Singer SPEC.md; the Airbyte protocol's
/// `AirbyteMessage.type`).
const PROTOCOL_TYPES: [&str; 10] = [
    "SCHEMA",
    "STATE",
    "ACTIVATE_VERSION",
    "LOG",
    "SPEC",
    "CONNECTION_STATUS",
    "CATALOG",
    "TRACE",
    "CONTROL",
    "BATCH",
];

/// The records of a response file: one JSON document (an envelope, a bare list, one
/// record) or JSON Lines of them. Each record is unwrapped after either parse, since a
/// one-line JSON Lines file is also one document.
fn records(text: &str) -> Result<Records, String> {
    let mut out = Records::default();
    match serde_json::from_str::<Value>(text) {
        Ok(document) => {
            let mut number = 0;
            expand(
                document,
                None,
                &mut |value, top| {
                    number += 1;
                    out.records.push(Record {
                        line: number,
                        value,
                        top,
                    });
                },
                &mut out.protocol_lines,
            )?;
        }
        // Not one document: JSON Lines, one record (or envelope) per line.
        Err(_) => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let value: Value = serde_json::from_str(line)
                    .map_err(|e| format!("line {}: expected a JSON object per line, {e}", i + 1))?;
                let mut found = Vec::new();
                expand(
                    value,
                    None,
                    &mut |value, top| found.push((value, top)),
                    &mut out.protocol_lines,
                )?;
                for (value, top) in found {
                    out.records.push(Record {
                        line: i as u64 + 1,
                        value,
                        top,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Calls `emit` with each record `value` holds: the items of an envelope's `data` (under
/// `list`, `identity_list` or `video_details`, or `video_detail` or `data` itself when it
/// is one object), the items of a bare list, or `value` itself; connector wrappers
/// (Airbyte's `_airbyte_data`, Airbyte and Singer `RECORD` messages) are taken off first.
fn expand(
    value: Value,
    top: Option<Value>,
    emit: &mut dyn FnMut(Result<Value, String>, Option<Value>),
    protocol_lines: &mut u64,
) -> Result<(), String> {
    let value = match unwrap_connector(value) {
        Unwrapped::Record(value) => value,
        Unwrapped::Protocol => {
            *protocol_lines += 1;
            return Ok(());
        }
        Unwrapped::Broken(reason) => {
            emit(Err(reason), top);
            return Ok(());
        }
    };
    match value {
        Value::Array(items) => {
            for item in items {
                expand(item, top.clone(), emit, protocol_lines)?;
            }
        }
        Value::Object(mut object) if object.contains_key("data") => {
            if let Some(code) = object
                .get("code")
                .and_then(Value::as_i64)
                .filter(|&c| c != 0)
            {
                let message = object.get("message").and_then(Value::as_str).unwrap_or("");
                return Err(format!(
                    "the saved response is an API error (code {code}: `{}`); hint: save a \
                     successful response",
                    sparkcheck_facts::quote(message)
                ));
            }
            // What the connector added beside `data` (`advertiser_id`, `bc_id`), over what
            // an outer envelope said.
            let mut fields = match top {
                Some(Value::Object(fields)) => fields,
                _ => serde_json::Map::new(),
            };
            for key in ["advertiser_id", "bc_id"] {
                if let Some(value) = object.get(key).filter(|v| !v.is_null()) {
                    fields.insert(key.to_string(), value.clone());
                }
            }
            let top = Some(Value::Object(fields));
            match object.remove("data").unwrap_or(Value::Null) {
                Value::Object(mut data) => {
                    let list = ["list", "identity_list", "video_details"]
                        .iter()
                        .find(|key| data.get(**key).is_some_and(Value::is_array))
                        .and_then(|key| data.remove(*key));
                    match list {
                        Some(Value::Array(items)) => {
                            for item in items {
                                emit_one(item, top.clone(), emit, protocol_lines);
                            }
                        }
                        _ => match data.remove("video_detail") {
                            Some(detail @ Value::Object(_)) => {
                                emit_one(detail, top, emit, protocol_lines);
                            }
                            _ => emit(Ok(Value::Object(data)), top),
                        },
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        emit_one(item, top.clone(), emit, protocol_lines);
                    }
                }
                _ => {}
            }
        }
        other => emit(Ok(other), top),
    }
    Ok(())
}

/// One item of a `data` list: unwrapped, never an envelope again.
fn emit_one(
    item: Value,
    top: Option<Value>,
    emit: &mut dyn FnMut(Result<Value, String>, Option<Value>),
    protocol_lines: &mut u64,
) {
    match unwrap_connector(item) {
        Unwrapped::Record(value) => emit(Ok(value), top),
        Unwrapped::Protocol => *protocol_lines += 1,
        Unwrapped::Broken(reason) => emit(Err(reason), top),
    }
}

enum Unwrapped {
    Record(Value),
    Protocol,
    Broken(String),
}

/// Takes a connector's wrapper off a record: Airbyte raw records (`_airbyte_data`, an
/// object or a JSON string), Airbyte protocol `RECORD` messages (`record.data`) and Singer
/// `RECORD` messages (`record`); other protocol messages are no records.
fn unwrap_connector(value: Value) -> Unwrapped {
    let Value::Object(mut object) = value else {
        return Unwrapped::Record(value);
    };
    if let Some(data) = object.remove("_airbyte_data") {
        return match data {
            Value::String(text) => match serde_json::from_str::<Value>(&text) {
                Ok(inner @ Value::Object(_)) => unwrap_connector(inner),
                _ => Unwrapped::Broken(
                    "`_airbyte_data` holds text that is not a JSON object; hint: export the \
                     raw records again"
                        .to_string(),
                ),
            },
            inner @ Value::Object(_) => unwrap_connector(inner),
            _ => Unwrapped::Broken(
                "`_airbyte_data` holds no record (expected a JSON object)".to_string(),
            ),
        };
    }
    let message_type = object
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_string);
    match message_type.as_deref() {
        Some("RECORD") if object.get("record").is_some_and(Value::is_object) => {
            let Some(Value::Object(mut record)) = object.remove("record") else {
                unreachable!("checked to be an object")
            };
            // Airbyte: `{"type":"RECORD","record":{"stream","data","emitted_at"}}`;
            // Singer: `{"type":"RECORD","stream","record":{...}}`.
            if record.contains_key("stream") && record.get("data").is_some_and(Value::is_object) {
                unwrap_connector(record.remove("data").unwrap_or(Value::Null))
            } else {
                unwrap_connector(Value::Object(record))
            }
        }
        Some(kind) if PROTOCOL_TYPES.contains(&kind) => Unwrapped::Protocol,
        _ => Unwrapped::Record(Value::Object(object)),
    }
}

/// Every run of digits in a file's name, in order.
fn digit_runs(display: &str) -> Vec<String> {
    let name = display.rsplit(['/', '\\']).next().unwrap_or(display);
    name.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(str::to_string)
        .collect()
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

/// Where a record's ad account comes from.
enum Advertiser {
    /// The record's own `advertiser_id`, or the envelope's beside `data`.
    Given(String),
    /// Neither: the file name may hold it (resolved once every input is read).
    FromName,
}

/// The ad account of a record that needs one: its own `advertiser_id` (a string or a
/// number), else the envelope's; one that is present must be an ID, never passed over.
fn advertiser_of(record: &Value, top: Option<&Value>) -> Result<Advertiser, String> {
    let given = |value: &Value, which: &str| match value {
        Value::String(s) if s.trim().is_empty() => Err(format!(
            "{which} `advertiser_id` is empty; hint: give the ad account ID, or leave the \
             field out to take it from the file name"
        )),
        Value::String(s) => Ok(Some(s.trim().to_string())),
        Value::Number(n) => Ok(Some(n.to_string())),
        Value::Null => Ok(None),
        other => Err(format!(
            "{which} `advertiser_id` is `{}`: expected the ad account ID as a string or a \
             number",
            sparkcheck_facts::quote(&other.to_string())
        )),
    };
    if let Some(value) = record.get("advertiser_id") {
        if let Some(id) = given(value, "the record's")? {
            return Ok(Advertiser::Given(id));
        }
    }
    if let Some(value) = top {
        if let Some(id) = given(value, "the top-level")? {
            return Ok(Advertiser::Given(id));
        }
    }
    Ok(Advertiser::FromName)
}

/// The rejection of a record whose ad account is nowhere: says which of the three to supply.
pub(crate) fn missing_advertiser(candidates: &[String]) -> String {
    let found = if candidates.is_empty() {
        "the file name holds no digits".to_string()
    } else {
        let runs: Vec<String> = candidates
            .iter()
            .map(|c| format!("`{}`", sparkcheck_facts::quote(c)))
            .collect();
        format!(
            "the digits in the file name ({}) are no ad account named by the other inputs",
            runs.join(", ")
        )
    };
    format!(
        "the record has no ad account: no `advertiser_id` on it, none beside `data`, and \
         {found}; hint: add an `advertiser_id` to each record (connectors can) or beside \
         `data`, or name the file after an ad account of this run, as in \
         `tt_video_list_7100000000000000001.json`"
    )
}

/// A Business Center asset record of a TikTok account (`asset_type` `TT_ACCOUNT`).
fn is_bc_asset(record: &Value) -> bool {
    record
        .get("asset_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("TT_ACCOUNT"))
}

/// The record shapes sparkcheck reads.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Shape {
    /// `/tt_video/list/`, `/tt_video/info/`: the advertiser side of a code.
    TtVideo,
    /// `/business/post/authorize/status/`: the creator side, no handle, no ad account.
    CreatorSide,
    /// `/identity/get/`.
    Identity,
    /// `/identity/video/info/`: a post's status, without a code.
    VideoInfo,
    /// A Business Center TikTok-account record that names its ad account (the project's
    /// own flattened shape).
    BcAsset,
    /// `/bc/asset/get/` with `asset_type` `TT_ACCOUNT`, as the API gives it: no ad account,
    /// joined with the two below.
    BcTtAccount,
    /// `/bc/asset/admin/get/` with `asset_type` `ADVERTISER`: an ad account's role and
    /// relation status in the BC.
    BcAdvertiser,
    /// `/bc/asset/advertiser/assigned/`: an ad account a TikTok account is assigned to.
    BcAssigned,
}

fn shape(record: &Value) -> Option<Shape> {
    if record.get("item_info").is_some() {
        Some(Shape::TtVideo)
    } else if record.get("auth_code_status").is_some() {
        Some(Shape::CreatorSide)
    } else if record.get("identity_type").is_some()
        && (record.get("identity_id").is_some() || record.get("available_status").is_some())
    {
        Some(Shape::Identity)
    } else if is_bc_asset(record) {
        if record.get("asset_id").is_some() && record.get("advertiser_id").is_none() {
            Some(Shape::BcTtAccount)
        } else {
            Some(Shape::BcAsset)
        }
    } else if record
        .get("asset_type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("ADVERTISER"))
    {
        Some(Shape::BcAdvertiser)
    } else if record.get("advertiser_id").is_some()
        && record.get("advertiser_name").is_some()
        && record.get("asset_type").is_none()
    {
        Some(Shape::BcAssigned)
    } else if record.get("item_id").is_some() && record.get("status").is_some() {
        Some(Shape::VideoInfo)
    } else {
        None
    }
}

impl Shape {
    fn kind(self) -> InputKind {
        match self {
            Shape::TtVideo | Shape::CreatorSide | Shape::VideoInfo => InputKind::Codes,
            Shape::Identity => InputKind::Identities,
            Shape::BcAsset | Shape::BcTtAccount | Shape::BcAdvertiser | Shape::BcAssigned => {
                InputKind::Bc
            }
        }
    }

    /// Whether its facts need an ad account the API gives only as a request parameter.
    fn needs_advertiser(self) -> bool {
        matches!(self, Shape::TtVideo | Shape::Identity)
    }
}

/// A record as a fact (its ad account still empty when it needs one), or why it is none.
fn fact_of(record: &Value, shape: Shape) -> Result<FactLine, String> {
    match shape {
        Shape::TtVideo => {
            let item = &record["item_info"];
            let user = record.get("user_info").cloned().unwrap_or(Value::Null);
            // bububa models `auth_info` inside `item_info` too; live responses put it at
            // the top.
            let auth = record
                .get("auth_info")
                .or_else(|| item.get("auth_info"))
                .cloned()
                .unwrap_or(Value::Null);
            Ok(FactLine::Code {
                code: text(item, "auth_code"),
                post_id: text(item, "item_id"),
                creator: text(&user, "tiktok_name"),
                advertiser_id: String::new(),
                status: text(&auth, "ad_auth_status"),
                start: time_field(&auth, "auth_start_time"),
                end: time_field(&auth, "auth_end_time"),
                post_status: text(item, "status"),
                item_type: text(item, "item_type"),
                source: None,
            })
        }
        Shape::CreatorSide => {
            // The API names no creator; a connector may add one.
            let creator = ["tiktok_name", "user_name"]
                .iter()
                .map(|k| text(record, k))
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            Ok(FactLine::Code {
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
            })
        }
        Shape::Identity => {
            let identity_type = text(record, "identity_type");
            if crate::values::lookup(&identity_type, &[("CUSTOMIZED_USER", ())]).is_some() {
                return Err(format!(
                    "the identity `{}` is a custom identity (`CUSTOMIZED_USER`), which has no \
                     TikTok account; identity checks concern `TT_USER`, `BC_AUTH_TT` and \
                     `AUTH_CODE` identities",
                    sparkcheck_facts::quote(&text(record, "display_name"))
                ));
            }
            let handle = text(record, "user_name");
            if handle.trim().is_empty() {
                return Err(format!(
                    "the `{}` identity `{}` has no `user_name` (its TikTok handle); hint: \
                     save `/identity/get/` as the API returns it",
                    sparkcheck_facts::quote(&identity_type),
                    sparkcheck_facts::quote(&text(record, "identity_id"))
                ));
            }
            Ok(FactLine::Identity {
                advertiser_id: String::new(),
                handle,
                identity_type,
                available_status: text(record, "available_status"),
                bc_id: text(record, "identity_authorized_bc_id"),
                source: None,
            })
        }
        Shape::VideoInfo => Err(format!(
            "a post seen through `/identity/video/info/` (post {}, status `{}`) holds no \
             code, and sparkcheck reads a post's status from its code records; hint: save \
             `/tt_video/list/` for the ad account",
            sparkcheck_facts::quote(&text(record, "item_id")),
            sparkcheck_facts::quote(&text(record, "status"))
        )),
        Shape::BcTtAccount | Shape::BcAdvertiser | Shape::BcAssigned => {
            unreachable!("joined, not mapped one by one")
        }
        Shape::BcAsset => {
            let handle = ["tt_asset_handle", "asset_name", "user_name"]
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
            Ok(FactLine::Share {
                bc_id: text(record, "bc_id"),
                bc_name: text(record, "bc_name"),
                handle,
                // Assigned to no ad account when the record names none (the account is in
                // the BC).
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
            })
        }
    }
}

/// A Business Center record that is one part of the join (`/bc/asset/get/` TikTok
/// accounts, `/bc/asset/admin/get/` ad accounts, `/bc/asset/advertiser/assigned/`), as the
/// JSON kept until every input is read; `None` for any other shape. Its `bc_id` is the
/// record's, else the one beside `data`, else empty (then the file name's, if a known BC).
fn bc_part(record: &Value, shape: Shape, top: Option<&Value>) -> Result<Option<Value>, String> {
    let bc = [Some(record), top]
        .into_iter()
        .flatten()
        .map(|v| text(v, "bc_id"))
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default();
    let asset_id = text(record, "asset_id");
    let part = match shape {
        Shape::BcTtAccount => {
            let handle = ["tt_asset_handle", "asset_name", "user_name"]
                .iter()
                .map(|k| text(record, k))
                .find(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    format!(
                        "the `TT_ACCOUNT` asset `{}` has no `asset_name` (its TikTok handle)",
                        sparkcheck_facts::quote(&asset_id)
                    )
                })?;
            let roles: Vec<String> = match record.get("tt_account_roles") {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            serde_json::json!({"bc_part": "tt_account", "bc_id": bc, "asset_id": asset_id,
                               "handle": handle, "roles": roles.join(";")})
        }
        Shape::BcAdvertiser => {
            if asset_id.trim().is_empty() {
                return Err(
                    "an `ADVERTISER` asset of `/bc/asset/admin/get/` needs its `asset_id` \
                     (the ad account ID)"
                        .to_string(),
                );
            }
            serde_json::json!({"bc_part": "advertiser", "bc_id": bc, "advertiser_id": asset_id,
                               "role": text(record, "advertiser_role"),
                               "status": text(record, "relation_status"),
                               "name": text(record, "asset_name")})
        }
        Shape::BcAssigned => {
            if asset_id.trim().is_empty() {
                return Err(
                    "an `/bc/asset/advertiser/assigned/` record needs the `asset_id` (the \
                     TikTok account) it was requested for; hint: have the connector add the \
                     request's `asset_id` to each record"
                        .to_string(),
                );
            }
            serde_json::json!({"bc_part": "assigned", "bc_id": bc, "asset_id": asset_id,
                               "advertiser_id": text(record, "advertiser_id")})
        }
        _ => return Ok(None),
    };
    Ok(Some(part))
}

/// Joins the Business Center parts into shares (`docs/facts.md`): one per (TikTok
/// account, ad account it is assigned to), with ad delivery since assigning is what lets
/// the ad account deliver with it, and the ad account's relation status and role; a
/// TikTok account assigned nowhere is in the BC and shared to no ad account.
fn join_bc(facts: &mut Facts, parts: Vec<(PendingRow, Value)>, recent: &mut RecentSyms) {
    // BCs the inputs name outright: BC exports, and parts whose record or envelope names one.
    let mut known: HashSet<String> = facts
        .shares
        .iter()
        .map(|share| facts.text.get(share.bc_id).to_string())
        .collect();
    known.extend(
        parts
            .iter()
            .map(|(_, part)| text(part, "bc_id"))
            .filter(|bc| !bc.is_empty()),
    );
    type Outcome = Result<(), String>;
    let mut outcomes: Vec<(RowRef, Outcome)> = Vec::new();
    let mut resolved: Vec<(RowRef, String, Value)> = Vec::new();
    for (row, part) in parts {
        let bc = text(&part, "bc_id");
        if !bc.is_empty() {
            resolved.push((row.at, bc, part));
            continue;
        }
        let mut matches: Vec<&String> = row
            .candidates
            .iter()
            .filter(|c| known.contains(*c))
            .collect();
        matches.sort_unstable();
        matches.dedup();
        match matches.as_slice() {
            [bc] => {
                facts.note_row(row.at, "BC from the file name");
                resolved.push((row.at, (*bc).clone(), part));
            }
            _ => outcomes.push((
                row.at,
                Err(format!(
                    "the record has no BC: no `bc_id` on it, none beside `data`, and {}; \
                     hint: add a `bc_id` to each record or beside `data`, or name the file \
                     after the BC, as in `bc_asset_get_6987301245519863809.json`",
                    if row.candidates.is_empty() {
                        "the file name holds no digits".to_string()
                    } else {
                        "no digits in the file name are a BC named by the other inputs".to_string()
                    }
                )),
            )),
        }
    }
    let part_of = |kind: &'static str| {
        resolved
            .iter()
            .filter(move |(_, _, part)| part["bc_part"] == kind)
            .map(|(at, bc, part)| (*at, bc.clone(), part))
    };
    let accounts: Vec<(RowRef, String, &Value)> = part_of("tt_account").collect();
    let advertisers: Vec<(RowRef, String, &Value)> = part_of("advertiser").collect();
    let assigned: Vec<(RowRef, String, &Value)> = part_of("assigned").collect();
    let mut shares: Vec<(RowRef, FactLine)> = Vec::new();
    let share = |bc: &str, account: &Value, advertiser: &str| {
        let admin = advertisers
            .iter()
            .find(|(_, b, a)| b == bc && text(a, "advertiser_id") == advertiser);
        FactLine::Share {
            bc_id: bc.to_string(),
            bc_name: String::new(),
            handle: text(account, "handle"),
            advertiser_id: advertiser.to_string(),
            ad_delivery: !advertiser.is_empty(),
            permissions: text(account, "roles"),
            status: admin.map(|(_, _, a)| text(a, "status")).unwrap_or_default(),
            valid_until: None,
            role: admin.map(|(_, _, a)| text(a, "role")).unwrap_or_default(),
            source: None,
        }
    };
    for (at, bc, account) in &accounts {
        let asset = text(account, "asset_id");
        let assigned_anywhere = assigned
            .iter()
            .any(|(_, b, a)| b == bc && text(a, "asset_id") == asset);
        if !assigned_anywhere {
            shares.push((*at, share(bc, account, "")));
        }
        outcomes.push((*at, Ok(())));
    }
    for (at, bc, link) in &assigned {
        let asset = text(link, "asset_id");
        match accounts
            .iter()
            .find(|(_, b, a)| b == bc && text(a, "asset_id") == asset)
        {
            Some((_, _, account)) => {
                shares.push((*at, share(bc, account, &text(link, "advertiser_id"))));
            }
            None => outcomes.push((
                *at,
                Err(format!(
                    "the TikTok account `{}` is in no `/bc/asset/get/` `TT_ACCOUNT` record of \
                     BC {bc}, so its handle is unknown; hint: save `/bc/asset/get/` for the BC",
                    sparkcheck_facts::quote(&asset)
                )),
            )),
        }
    }
    let names: Vec<(String, String)> = advertisers
        .iter()
        .map(|(at, _, a)| {
            outcomes.push((*at, Ok(())));
            (text(a, "advertiser_id"), text(a, "name"))
        })
        .collect();
    for (advertiser, name) in names {
        if crate::values::check_id(&advertiser).is_ok() {
            let sym = facts.syms.intern(&advertiser);
            facts.remember_account_name(sym, &name);
        }
    }
    for (at, fact) in shares {
        let outcome = add_fact(fact, at, facts, recent).map(|_| ());
        outcomes.push((at, outcome));
    }
    // One count per record: a record that made several shares, or none, counts once,
    // rejected if any of its shares was.
    outcomes.sort_by_key(|(at, outcome)| (*at, outcome.is_ok()));
    outcomes.dedup_by_key(|(at, _)| *at);
    for (at, outcome) in outcomes {
        count(facts, at, outcome);
    }
}

/// Counts a waiting record as imported or rejected in its file.
fn count(facts: &mut Facts, at: RowRef, outcome: Result<(), String>) {
    let source = &mut facts.files[at.file as usize];
    match outcome {
        Ok(()) => source.imported += 1,
        Err(reason) => {
            source.rejected += 1;
            facts.rejections.push(Rejection {
                file: at.file,
                line: u64::from(at.line),
                column: None,
                reason,
            });
        }
    }
}

fn set_advertiser(fact: &mut FactLine, id: &str) {
    match fact {
        FactLine::Code { advertiser_id, .. } | FactLine::Identity { advertiser_id, .. } => {
            *advertiser_id = id.to_string();
        }
        _ => {}
    }
}

/// Imports a saved API response; `Err` when it is no response sparkcheck reads.
pub fn import(display: &str, body: &str, facts: &mut Facts) -> Result<(), String> {
    let Records {
        records,
        protocol_lines,
    } = records(body)?;
    let shapes: Vec<Option<Shape>> = records
        .iter()
        .map(|r| r.value.as_ref().ok().and_then(shape))
        .collect();
    let recognised = shapes.iter().any(Option::is_some)
        || records.iter().any(|r| r.value.is_err())
        || (records.is_empty() && protocol_lines > 0);
    if !recognised {
        return Err(
            "this JSON is neither sparkcheck facts nor a TikTok API response sparkcheck reads \
             (`/tt_video/list/`, `/tt_video/info/`, `/business/post/authorize/status/`, \
             `/identity/get/`, `/bc/asset/get/` TikTok accounts), bare or in an Airbyte or \
             Singer wrapper; hint: `sparkcheck facts --schema` describes the facts format"
                .to_string(),
        );
    }
    let mut kinds: Vec<InputKind> = shapes.iter().flatten().map(|s| s.kind()).collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        kinds.push(InputKind::Codes);
    }
    let candidates = digit_runs(display);
    let mut source = SourceFile::new(display, FileFormat::TikTokApi, kinds);
    source.notes = vec![
        "a TikTok API response; lines are record numbers unless the file is JSON Lines".to_string(),
    ];
    if protocol_lines > 0 {
        source.notes.push(format!(
            "{protocol_lines} connector protocol line(s) (`SCHEMA`, `STATE`, ...) hold no record \
             and are not rows"
        ));
    }
    source.fields = OptionalField::ALL.to_vec();
    let file = facts.add_file(source);
    let mut recent = RecentSyms::default();
    let (mut imported, mut rejections) = (0u64, Vec::new());
    let rows = records.len() as u64;
    for (record, shape) in records.into_iter().zip(shapes) {
        let at = RowRef {
            file,
            line: u32::try_from(record.line).unwrap_or(u32::MAX),
        };
        let (line, top) = (record.line, record.top);
        // A record's code is a secret even when the record is rejected or waits.
        if let Ok(value) = &record.value {
            remember_codes(value, &mut facts.secrets);
        }
        let outcome = record.value.and_then(|value| {
            let shape = shape.ok_or_else(|| {
                "expected a `/tt_video/` record (`item_info`, `user_info`, `auth_info`), a \
                 `/business/post/authorize/status/` record (`auth_code_status`), an \
                 `/identity/get/` record (`identity_type`) or a `/bc/asset/get/` TikTok \
                 account (`asset_type` `TT_ACCOUNT`)"
                    .to_string()
            })?;
            if let Some(part) = bc_part(&value, shape, top.as_ref())? {
                facts.pending.push(PendingRow {
                    at,
                    candidates: candidates.clone(),
                    fact: part.to_string(),
                });
                return Ok(false);
            }
            let mut fact = fact_of(&value, shape)?;
            if shape.needs_advertiser() {
                match advertiser_of(&value, top.as_ref().and_then(|t| t.get("advertiser_id")))? {
                    Advertiser::Given(id) => set_advertiser(&mut fact, &id),
                    Advertiser::FromName => {
                        facts.pending.push(PendingRow {
                            at,
                            candidates: candidates.clone(),
                            fact: serde_json::to_string(&fact).expect("a fact serialises"),
                        });
                        return Ok(false);
                    }
                }
            }
            add_fact(fact, at, facts, &mut recent).map(|_| true)
        });
        match outcome {
            Ok(true) => imported += 1,
            Ok(false) => {}
            Err(reason) => rejections.push(Rejection {
                file,
                line,
                column: None,
                reason,
            }),
        }
    }
    let source = &mut facts.files[file as usize];
    source.rows = rows;
    source.imported = imported;
    source.rejected = rejections.len() as u64;
    facts.rejections.extend(rejections);
    Ok(())
}

/// Gives the records waiting for an ad account ([`Facts::pending`]) the one their file
/// name holds, now that every input is read: a run of digits in the name that is an ad
/// account the other inputs name (never one itself taken from a file name, so timestamps
/// cannot vouch for each other). A record with none, or with several, is rejected.
pub fn resolve_pending(facts: &mut Facts) {
    if facts.pending.is_empty() {
        return;
    }
    let mut known: HashSet<Sym> = HashSet::new();
    known.extend(facts.ads.iter().map(|ad| ad.advertiser));
    known.extend(facts.codes.iter().map(|code| code.advertiser));
    known.extend(facts.identities.iter().map(|identity| identity.advertiser));
    known.extend(facts.shares.iter().map(|share| share.advertiser));
    known.extend(facts.account_names.keys().copied());
    known.remove(&Sym::NONE);
    let mut recent = RecentSyms::default();
    let (mut parts, mut pending) = (Vec::new(), Vec::new());
    for row in std::mem::take(&mut facts.pending) {
        match serde_json::from_str::<Value>(&row.fact) {
            Ok(part) if part.get("bc_part").is_some() => parts.push((row, part)),
            _ => pending.push(row),
        }
    }
    for row in pending {
        let mut matches: Vec<&str> = row
            .candidates
            .iter()
            .map(String::as_str)
            .filter(|c| facts.syms.get(c).is_some_and(|s| known.contains(&s)))
            .collect();
        matches.sort_unstable();
        matches.dedup();
        let outcome = match matches.as_slice() {
            [id] => serde_json::from_str::<FactLine>(&row.fact)
                .map_err(|e| e.to_string())
                .and_then(|mut fact| {
                    set_advertiser(&mut fact, id);
                    add_fact(fact, row.at, facts, &mut recent)
                }),
            [] => Err(missing_advertiser(&row.candidates)),
            several => {
                let ids: Vec<String> = several.iter().map(|id| format!("`{id}`")).collect();
                Err(format!(
                    "the file name holds several ad accounts of this run ({}); hint: add an \
                     `advertiser_id` to each record or beside `data`",
                    ids.join(", ")
                ))
            }
        };
        if outcome.is_ok() {
            facts.note_row(row.at, "ad account from the file name");
        }
        count(facts, row.at, outcome.map(|_| ()));
    }
    if !parts.is_empty() {
        join_bc(facts, parts, &mut recent);
    }
}

/// Remembers every `auth_code` string of a record, at any depth, as a secret.
fn remember_codes(value: &Value, secrets: &mut sparkcheck_facts::Secrets) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(code) if key.eq_ignore_ascii_case("auth_code") => {
                        secrets.add(code)
                    }
                    other => remember_codes(other, secrets),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| remember_codes(item, secrets)),
        _ => {}
    }
}
