//! Importer behaviour seen from the facts: aliases, encodings, delimiters, times, IDs.

use sparkcheck_facts::{time, CodeStatus, Facts, IdentityKind, InputKind};
use sparkcheck_importers::{import_bytes, InputError};

fn import(name: &str, content: &[u8]) -> Result<Facts, InputError> {
    let mut facts = Facts::default();
    import_bytes(name, content, &mut facts)?;
    let file = &facts.files[0];
    assert_eq!(file.rows, file.imported + file.rejected, "row accounting");
    Ok(facts)
}

fn reasons(facts: &Facts) -> Vec<&str> {
    facts.rejections.iter().map(|r| r.reason.as_str()).collect()
}

#[test]
fn every_ads_alias_is_recognised() {
    let headers = [
        "Account ID,Ad ID,Identity Type,Identity,Post ID",
        "Advertiser ID,ad_id,identity_type,Identity Name,TikTok Post ID",
        "advertiser_id,AD ID,IDENTITY TYPE,TikTok Account,tiktok_item_id",
        "ADVERTISER-ID,Ad_Id,Identity_Type,display_name,Post Id",
    ];
    for header in headers {
        let content = format!("{header}\n7100,1800,Authorized post,@Maya,7301\n");
        let facts = import("ads.csv", content.as_bytes()).unwrap();
        assert_eq!(facts.files[0].kinds, [InputKind::Ads], "{header}");
        let ad = &facts.ads[0];
        assert_eq!(facts.sym(ad.advertiser), "7100", "{header}");
        assert_eq!(facts.sym(ad.post), "7301", "{header}");
        assert_eq!(facts.sym(ad.handle), "maya", "{header}");
        assert_eq!(ad.identity, IdentityKind::AuthCode, "{header}");
    }
}

#[test]
fn identity_types_accept_api_enums_and_ui_labels() {
    let cases = [
        ("CUSTOMIZED_USER", IdentityKind::Custom),
        ("Custom Identity", IdentityKind::Custom),
        ("AUTH_CODE", IdentityKind::AuthCode),
        ("Authorized post", IdentityKind::AuthCode),
        ("spark ads code", IdentityKind::AuthCode),
        ("TT_USER", IdentityKind::TtUser),
        ("TikTok account", IdentityKind::TtUser),
        ("BC_AUTH_TT", IdentityKind::BcAuthTt),
        (
            "Business Center authorized TikTok account",
            IdentityKind::BcAuthTt,
        ),
    ];
    for (label, kind) in cases {
        let content = format!(
            "Account ID,Ad ID,Identity Type,Identity,Post ID\n7100,1800,{label},@maya,7301\n"
        );
        let facts = import("ads.csv", content.as_bytes()).unwrap();
        assert_eq!(facts.ads[0].identity, kind, "{label}");
    }
    let shop = import(
        "ads.csv",
        b"Account ID,Ad ID,Identity Type,Identity,Post ID\n7100,1800,TTS_TT,@shop,7301\n",
    )
    .unwrap();
    assert!(
        reasons(&shop)[0].contains("TikTok Shop"),
        "{:?}",
        reasons(&shop)
    );
}

#[test]
fn every_codes_alias_is_recognised() {
    let headers = [
        "Auth Code,Post ID,TikTok Account,Ad Account ID,Status,Start Time,End Time",
        "auth_code,item_id,tiktok_name,advertiser_id,auth_code_status,auth_code_start_time,auth_code_end_time",
        "auth_code,item_id,Creator,advertiser_id,ad_auth_status,auth_start_time,auth_end_time",
    ];
    for header in headers {
        let content =
            format!("{header}\n#Code0000000001,7301,@Maya,7100,EXPIRED,2026-01-01,2026-02-01\n");
        let facts = import("codes.csv", content.as_bytes()).unwrap();
        assert_eq!(facts.files[0].kinds, [InputKind::Codes], "{header}");
        let code = &facts.codes[0];
        assert_eq!(code.status, CodeStatus::Expired, "{header}");
        assert_eq!(facts.sym(code.creator), "maya", "{header}");
        assert_eq!(
            code.end,
            Some(time::parse_instant("2026-02-01").unwrap()),
            "{header}"
        );
        assert_eq!(facts.text.get(code.masked_code), "****0001");
    }
}

#[test]
fn bc_and_links_are_told_apart_though_both_have_tiktok_account_and_status() {
    let bc = import(
        "bc.csv",
        b"BC ID,TikTok Account,Ad Account ID,Permissions,Status\n70,@maya,7100,Deliver ads,REJECT\n",
    )
    .unwrap();
    assert_eq!(bc.files[0].kinds, [InputKind::Bc]);
    assert!(bc.shares[0].ad_delivery);
    let links = import("links.csv", b"TikTok Account,Status\n@maya,Connected\n").unwrap();
    assert_eq!(links.files[0].kinds, [InputKind::Links]);
}

#[test]
fn bom_crlf_and_every_delimiter_read_the_same() {
    let variants: [&[u8]; 5] = [
        b"Account ID,Ad ID,Identity Type,Identity,Post ID\n7100,1800,TT_USER,@maya,7301\n",
        b"\xEF\xBB\xBFAccount ID,Ad ID,Identity Type,Identity,Post ID\r\n7100,1800,TT_USER,@maya,7301\r\n",
        b"Account ID;Ad ID;Identity Type;Identity;Post ID\r\n7100;1800;TT_USER;@maya;7301\r\n",
        b"Account ID\tAd ID\tIdentity Type\tIdentity\tPost ID\n7100\t1800\tTT_USER\t@maya\t7301",
        b"\xEF\xBB\xBFAccount ID;Ad ID;Identity Type;Identity;Post ID\r7100;1800;TT_USER;@maya;7301\r",
    ];
    for content in variants {
        let facts = import("ads.csv", content).unwrap();
        assert_eq!(
            facts.files[0].imported,
            1,
            "{}",
            String::from_utf8_lossy(content)
        );
        assert_eq!(facts.ads[0].at.line, 2);
        assert_eq!(facts.sym(facts.ads[0].post), "7301");
    }
}

#[test]
fn every_time_format_is_read() {
    let expected = time::parse_instant("2026-05-24T07:09:07Z").unwrap();
    for end in [
        "2026-05-24 07:09:07",
        "2026-05-24T07:09:07Z",
        "2026-05-24T09:09:07+02:00",
        "1779606547",
        "1779606547000",
    ] {
        let content = format!("Auth Code,Post ID,TikTok Account,Ad Account ID,Status,End Time\n#Code0000000001,7301,maya,7100,IN_USE,{end}\n");
        let facts = import("codes.csv", content.as_bytes()).unwrap();
        assert_eq!(facts.codes[0].end, Some(expected), "{end}");
    }
    let facts = import(
        "codes.csv",
        b"Auth Code,Post ID,TikTok Account,Ad Account ID,Status,End Time\n#Code0000000001,7301,maya,7100,IN_USE,31/12/2026\n",
    )
    .unwrap();
    assert_eq!(facts.files[0].rejected, 1);
    assert!(
        reasons(&facts)[0].starts_with("column 6 (`End Time`): expected a time"),
        "{:?}",
        reasons(&facts)
    );
}

#[test]
fn spreadsheet_mangled_ids_are_rejected_with_the_reason() {
    let content = b"Account ID,Ad ID,Identity Type,Identity,Post ID\n\
        7100,1800,TT_USER,@maya,7.30123E+18\n\
        7.1E+18,1801,TT_USER,@maya,7301\n\
        7100,1802.0,TT_USER,@maya,7301\n\
        7100,1803,TT_USER,@maya,7301\n";
    let facts = import("ads.csv", content).unwrap();
    assert_eq!(facts.files[0].imported, 1);
    assert_eq!(facts.files[0].rejected, 3);
    let reasons = reasons(&facts);
    assert!(reasons[0].contains("`7.30123E+18`") && reasons[0].contains("scientific notation"));
    assert!(
        reasons[1].starts_with("column 1 (`Account ID`)"),
        "{}",
        reasons[1]
    );
    assert!(reasons[2].contains("decimal number"), "{}", reasons[2]);
    let lines: Vec<u64> = facts.rejections.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4]);
}

#[test]
fn short_rows_and_unknown_values_are_rejected_not_fatal() {
    let content =
        b"TikTok Account,Status\n@maya,connected\n@lee\n@kim,paused\n,connected\n@sam,expired\n";
    let facts = import("links.csv", content).unwrap();
    assert_eq!((facts.files[0].imported, facts.files[0].rejected), (2, 3));
    let reasons = reasons(&facts);
    assert!(
        reasons[0].starts_with("expected 2 fields as in the header, found 1 field"),
        "{}",
        reasons[0]
    );
    assert!(reasons[1]
        .contains("expected one of `connected`, `disconnected`, `expired`, found `paused`"));
    assert!(reasons[2].contains("found an empty value"));
}

#[test]
fn unusable_files_are_errors_naming_what_is_wrong() {
    let empty = import("empty.csv", b"").unwrap_err();
    assert!(empty.message.contains("empty"), "{empty}");
    let binary = import("photo.csv", b"\x89PNG\x00\x00binary").unwrap_err();
    assert!(binary.message.contains("not a text file"), "{binary}");
    let broken = import("sheet.xlsx", b"PK\x03\x04\x00\x00truncated").unwrap_err();
    assert!(
        broken.message.contains("cannot open the workbook"),
        "{broken}"
    );
    let unknown = import("x.csv", b"Name;Budget\nA;1\n").unwrap_err();
    assert!(
        unknown
            .to_string()
            .starts_with("`x.csv`: the header matches no input kind"),
        "{unknown}"
    );
}

#[test]
fn windows_1252_exports_are_read_with_a_note() {
    let facts = import(
        "ads.csv",
        b"Account ID,Account Name,Ad ID,Identity Type,Identity,Post ID\n7100,Caf\xE9 Cr\xE8me,1800,TT_USER,@maya,7301\n",
    )
    .unwrap();
    assert_eq!(
        facts
            .text
            .get(facts.account_names[&facts.ads[0].advertiser]),
        "Café Crème"
    );
    assert!(facts.files[0].notes[0].contains("Windows-1252"));
}

/// Identities are an input kind like any other: a CSV of them is read by header, through the
/// same builder as `/identity/get/` responses and facts.
#[test]
fn an_identities_table_is_its_own_kind() {
    let content =
        "Advertiser ID,Identity Type,TikTok Account,Available Status,Identity Authorized BC ID\n\
                   7100,BC_AUTH_TT,@Maya,IS_PRIVATE_ACCOUNT,6900\n\
                   7100,TT_USER,@lee,AVAILABLE,\n\
                   7.1E+18,TT_USER,@x,AVAILABLE,\n";
    let facts = import("identities.csv", content.as_bytes()).unwrap();
    assert_eq!(facts.files[0].kinds, [InputKind::Identities]);
    assert_eq!(facts.identities.len(), 2);
    let maya = &facts.identities[0];
    assert_eq!(facts.sym(maya.handle), "maya");
    assert_eq!(maya.kind, IdentityKind::BcAuthTt);
    assert!(!maya.available && facts.identities[1].available);
    let rejected = reasons(&facts);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0].contains("scientific notation"), "{rejected:?}");
}

#[test]
fn facts_version_2_allows_a_code_without_creator_and_version_1_does_not() {
    let code = r#"{"fact":"code","code":"****Ab12","post_id":"7301","status":"NOT_USED"}"#;
    for (version, accepted) in [(2, true), (1, false)] {
        let content = format!(
            "{{\"fact\":\"header\",\"format\":\"sparkcheck-facts\",\"version\":{version}}}\n{code}\n"
        );
        let facts = import("facts.jsonl", content.as_bytes()).unwrap();
        assert_eq!(
            facts.codes.len(),
            usize::from(accepted),
            "version {version}"
        );
        if accepted {
            assert!(facts.codes[0].creator.is_none());
        } else {
            let reasons = reasons(&facts);
            assert!(
                reasons[0].contains("`creator`") && reasons[0].contains("version 1"),
                "{reasons:?}"
            );
        }
    }
    let content = "{\"fact\":\"header\",\"format\":\"sparkcheck-facts\",\"version\":3}\n";
    let mut facts = Facts::default();
    import_bytes("facts.jsonl", content.as_bytes(), &mut facts).unwrap();
    assert!(
        reasons(&facts)[0].contains("found 3"),
        "{:?}",
        reasons(&facts)
    );
}

#[test]
fn bulk_template_columns_and_enum_spellings_are_read_or_rejected() {
    let header = "Account ID,Campaign ID,Ad Group ID,Ad ID,Use TikTok Account,Identity Type,\
                  Identity,Business Center ID of the identity,Post ID";
    let content = format!(
        "{header}\n7100,1701,1702,1800,ON,TT_USER,@maya,7000,7301\n\
         7100,1701,1702,1801,maybe,TT_USER,@maya,7000,7302\n\
         7100,CAMP-1,1702,1802,OFF,TT_USER,@maya,7000,7303\n"
    );
    let facts = import("ads.csv", content.as_bytes()).unwrap();
    assert_eq!(facts.ads.len(), 1);
    let why = reasons(&facts);
    assert!(
        why[0].contains("found `maybe`") && why[0].contains("`ON`"),
        "{why:?}"
    );
    assert!(why[1].contains("found `CAMP-1`"), "{why:?}");
    let codes = "Auth Code,Post ID,TikTok Account,Ad Account ID,Status,Post Status,Item Type\n\
                 #SpkCode0000000000001,7301,maya,7100,authorized,ITEM_STATUS_HESITATE_RECOMMEND,video\n\
                 #SpkCode0000000000002,7302,maya,7100,IN_USE,status_only_friend_see,CAROUSEL\n\
                 #SpkCode0000000000003,7303,maya,7100,IN_USE,PRIVATE,VIDEO\n\
                 #SpkCode0000000000004,7304,maya,7100,IN_USE,,REEL\n";
    let facts = import("codes.csv", codes.as_bytes()).unwrap();
    assert_eq!(facts.codes.len(), 2);
    assert!(!facts.codes[0].post_unavailable);
    assert!(facts.codes[1].post_unavailable);
    let why = reasons(&facts);
    assert!(why[0].contains("found `PRIVATE`"), "{why:?}");
    assert!(why[1].contains("found `REEL`"), "{why:?}");
}

#[test]
fn the_ad_account_comes_from_the_record_then_beside_data_then_a_known_file_name() {
    let item = |extra: &str| {
        format!(
            r##"{{{extra}"item_info":{{"auth_code":"#SpkCode0000000000009","item_id":"7301"}},"user_info":{{"tiktok_name":"maya"}},"auth_info":{{"ad_auth_status":"AUTHORIZED"}}}}"##
        )
    };
    let envelope = |top: &str, record: &str| {
        format!(r#"{{{top}"code":0,"message":"OK","data":{{"list":[{record}]}}}}"#)
    };
    // Known ad accounts: 7100 and 7200, from an ads export.
    let ads = "Account ID,Ad ID,Identity Type,Identity,Post ID\n7100,1,TT_USER,maya,7301\n\
               7200,2,TT_USER,maya,7301\n";
    let advertiser_of = |name: &str, body: &str| {
        let mut facts = Facts::default();
        import_bytes("ads.csv", ads.as_bytes(), &mut facts).unwrap();
        import_bytes(name, body.as_bytes(), &mut facts).unwrap();
        let advertisers: Vec<String> = facts
            .codes
            .iter()
            .map(|c| facts.sym(c.advertiser).to_string())
            .collect();
        let reasons: Vec<String> = facts.rejections.iter().map(|r| r.reason.clone()).collect();
        (advertisers, reasons)
    };
    // The record's own, as a number, wins over the one beside `data` and the file name.
    let body = envelope(
        r#""advertiser_id":7200,"#,
        &item(r#""advertiser_id":7100,"#),
    );
    assert_eq!(advertiser_of("list_7200.json", &body).0, ["7100"]);
    // Beside `data` wins over the file name.
    let body = envelope(r#""advertiser_id":"7200","#, &item(""));
    assert_eq!(advertiser_of("list_7100.json", &body).0, ["7200"]);
    // The file name only when it is a known ad account, even a short one.
    let body = envelope("", &item(""));
    assert_eq!(advertiser_of("list_7100.json", &body).0, ["7100"]);
    let (codes, reasons) = advertiser_of("list_20261120.json", &body);
    assert!(codes.is_empty());
    assert!(reasons[0].contains("`20261120`"), "{reasons:?}");
    assert!(reasons[0].contains("hint:"), "{reasons:?}");
    // A number with a fraction or exponent lost digits: rejected, never rounded.
    let body = envelope("", &item(r#""advertiser_id":7.1e18,"#));
    let (codes, reasons) = advertiser_of("list_7100.json", &body);
    assert!(codes.is_empty(), "{codes:?}");
    assert!(reasons[0].contains("scientific notation"), "{reasons:?}");
}
