//! A folder never runs code on its own say-so (issue 13 §1): a `sparkcheck.toml` that
//! sparkcheck finds runs no `[[importer]]` unless it is named with `--config` or trusted.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{run_in, AS_OF};

/// A client folder whose `sparkcheck.toml` declares an importer that would `touch` a
/// marker file, with a file for it to take; and a private state folder.
fn client_folder() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("sparkcheck-trust-")
        .tempdir()
        .unwrap();
    let client = dir.path().join("client");
    std::fs::create_dir_all(&client).unwrap();
    let marker = dir.path().join("MARKER");
    std::fs::write(client.join("sparkcheck.toml"), config_text(&marker, "")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/plugins/motion_team.roster"),
        client.join("team.roster"),
    )
    .unwrap();
    for file in ["ads.csv", "codes.csv"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/clean")
                .join(file),
            client.join(file),
        )
        .unwrap();
    }
    (dir, client, marker)
}

fn config_text(marker: &Path, extra: &str) -> String {
    format!(
        "fail-on = \"warning\"\n{extra}\n[[importer]]\nname = \"motion-roster\"\nfiles = \"*.roster\"\n\
         command = [\"touch\", \"{}\"]\n",
        marker.display()
    )
}

fn state(dir: &tempfile::TempDir) -> String {
    dir.path().join("state").to_string_lossy().into_owned()
}

fn sparkcheck(cwd: &Path, state: &str, args: &[&str]) -> Output {
    run_in(
        cwd,
        args,
        &[("SPARKCHECK_STATE_DIR", state), ("HOME", "/nonexistent")],
    )
}

fn audit(cwd: &Path, state: &str) -> Output {
    sparkcheck(cwd, state, &["audit", ".", "--as-of", AS_OF])
}

fn assert_refused_untrusted(output: &Output, marker: &Path) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: `sparkcheck.toml` declares importer `motion-roster` (runs `touch`), but \
         sparkcheck found this config itself and does not run commands from it; hint: pass \
         `--config sparkcheck.toml`, or run `sparkcheck trust sparkcheck.toml`"
    );
    assert!(!marker.exists(), "the importer ran");
}

#[test]
fn a_found_config_runs_no_importer_until_named_or_trusted() {
    let (dir, client, marker) = client_folder();
    let state = state(&dir);
    assert_refused_untrusted(&audit(&client, &state), &marker);
    // `facts` obeys the same rule.
    let facts = sparkcheck(&client, &state, &["facts", "."]);
    assert_refused_untrusted(&facts, &marker);

    // Named with --config: it runs.
    let named = sparkcheck(
        &client,
        &state,
        &[
            "audit",
            ".",
            "--as-of",
            AS_OF,
            "--config",
            "sparkcheck.toml",
        ],
    );
    assert!(
        marker.exists(),
        "the named config's importer ran: {named:?}"
    );
    std::fs::remove_file(&marker).unwrap();

    // Trusted: it runs when found.
    let trusted = sparkcheck(&client, &state, &["trust"]);
    assert_eq!(trusted.status.code(), Some(0), "{trusted:?}");
    assert!(String::from_utf8_lossy(&trusted.stdout).contains("trusted `"));
    let store = std::fs::read_to_string(dir.path().join("state/trusted")).unwrap();
    let canonical = client.join("sparkcheck.toml").canonicalize().unwrap();
    assert!(store.contains(&*canonical.to_string_lossy()), "{store}");
    let _ = audit(&client, &state);
    assert!(marker.exists(), "the trusted config's importer ran");
    std::fs::remove_file(&marker).unwrap();

    // Edited: the trust is gone.
    std::fs::write(
        client.join("sparkcheck.toml"),
        config_text(&marker, "expiry-window = \"14d\""),
    )
    .unwrap();
    assert_refused_untrusted(&audit(&client, &state), &marker);
    let list = sparkcheck(&client, &state, &["trust", "--list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("changed since trusted"),
        "{list:?}"
    );

    // Trusted again, then revoked.
    assert_eq!(
        sparkcheck(&client, &state, &["trust", "sparkcheck.toml"])
            .status
            .code(),
        Some(0)
    );
    let revoked = sparkcheck(&client, &state, &["trust", "--revoke", "sparkcheck.toml"]);
    assert_eq!(revoked.status.code(), Some(0), "{revoked:?}");
    assert_refused_untrusted(&audit(&client, &state), &marker);
}

#[test]
fn trust_is_per_user_state_not_per_folder() {
    let (dir, client, marker) = client_folder();
    let state = state(&dir);
    assert_eq!(
        sparkcheck(&client, &state, &["trust"]).status.code(),
        Some(0)
    );
    // Another user (another state folder) has not trusted it.
    let other = dir
        .path()
        .join("other-state")
        .to_string_lossy()
        .into_owned();
    assert_refused_untrusted(&audit(&client, &other), &marker);
    // The store lives in the state folder, nothing is written into the client's folder.
    let names: Vec<_> = std::fs::read_dir(&client)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
}

#[test]
fn an_untrusted_found_config_still_applies_its_settings() {
    let dir = tempfile::Builder::new()
        .prefix("sparkcheck-trust-")
        .tempdir()
        .unwrap();
    let state = state(&dir);
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/CODE_EXPIRING_SOON");
    let folder = dir.path().join("client");
    std::fs::create_dir_all(&folder).unwrap();
    for entry in std::fs::read_dir(&case).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name != "expected.json" && name != "case.toml" {
            std::fs::copy(entry.path(), folder.join(&name)).unwrap();
        }
    }
    let lenient = audit(&folder, &state);
    assert_eq!(lenient.status.code(), Some(0), "{lenient:?}");
    // Found, not trusted, no importer: `fail-on = "warning"` applies.
    std::fs::write(folder.join("sparkcheck.toml"), "fail-on = \"warning\"\n").unwrap();
    let strict = audit(&folder, &state);
    assert_eq!(strict.status.code(), Some(1), "{strict:?}");
}

#[test]
fn trusting_a_missing_file_is_an_error() {
    let (dir, client, _) = client_folder();
    let output = sparkcheck(&client, &state(&dir), &["trust", "nope.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot read `nope.toml`"),
        "{stderr}"
    );
    assert!(!dir.path().join("state/trusted").exists());
}

/// Trusting a configuration trusts the plugin files it names relative to itself as they
/// are: editing `./plugin.sh` after `sparkcheck trust` revokes the trust, from any folder.
#[test]
fn editing_a_trusted_configs_plugin_file_revokes_the_trust() {
    let (dir, client, marker) = client_folder();
    let state = state(&dir);
    std::fs::write(
        client.join("sparkcheck.toml"),
        "[[importer]]\nname = \"local\"\nfiles = \"*.roster\"\ncommand = [\"sh\", \"./plugin.sh\"]\n",
    )
    .unwrap();
    let plugin = client.join("plugin.sh");
    std::fs::write(
        &plugin,
        "echo '{\"fact\":\"header\",\"format\":\"sparkcheck-facts\",\"version\":2}'\n",
    )
    .unwrap();
    assert_eq!(
        sparkcheck(&client, &state, &["trust"]).status.code(),
        Some(0)
    );
    let sub = client.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    for (cwd, inputs) in [(&client, "."), (&sub, "..")] {
        let ok = sparkcheck(cwd, &state, &["audit", inputs, "--as-of", AS_OF]);
        assert_ne!(ok.status.code(), Some(2), "trusted from {cwd:?}: {ok:?}");
    }
    // The attacker's change to the plugin, after the trust.
    std::fs::write(
        &plugin,
        format!("touch {}\necho '{{\"fact\":\"header\",\"format\":\"sparkcheck-facts\",\"version\":2}}'\n", marker.display()),
    )
    .unwrap();
    let refused = sparkcheck(&client, &state, &["audit", ".", "--as-of", AS_OF]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("declares importer `local`"));
    assert!(!marker.exists(), "the edited plugin did not run");
    let list = sparkcheck(&client, &state, &["trust", "--list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("changed since trusted"),
        "{list:?}"
    );
    // Trusting again trusts the new content.
    assert_eq!(
        sparkcheck(&client, &state, &["trust"]).status.code(),
        Some(0)
    );
    let _ = sparkcheck(&client, &state, &["audit", ".", "--as-of", AS_OF]);
    assert!(marker.exists(), "trusted again, it runs");
}

/// A found, untrusted config is data: it may keep its history beside itself, not choose
/// where else on the machine sparkcheck writes; nor may the history go where the next run
/// reads it back.
#[test]
fn a_found_config_keeps_its_history_in_its_own_folder() {
    let (dir, client, _) = client_folder();
    let state = state(&dir);
    let outside = dir.path().join("outside.db");
    std::fs::write(
        client.join("sparkcheck.toml"),
        format!("history = \"{}\"\n", outside.display()),
    )
    .unwrap();
    let refused = sparkcheck(&client, &state, &["audit", ".", "--as-of", AS_OF]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("sets `history` to"), "{stderr}");
    assert!(stderr.contains("outside its own folder"), "{stderr}");
    assert!(!outside.exists(), "nothing written there");
    // Beside the config it is fine, from the config's folder or below it.
    std::fs::write(
        client.join("sparkcheck.toml"),
        "history = \".history.db\"\n",
    )
    .unwrap();
    let ok = sparkcheck(&client, &state, &["audit", ".", "--as-of", AS_OF]);
    assert_ne!(ok.status.code(), Some(2), "{ok:?}");
    assert!(client.join(".history.db").exists());
    // Where the next run would read it back as an input: refused, whoever set it.
    std::fs::write(client.join("sparkcheck.toml"), "history = \"x.json\"\n").unwrap();
    let read_back = sparkcheck(&client, &state, &["audit", ".", "--as-of", AS_OF]);
    assert_eq!(read_back.status.code(), Some(2), "{read_back:?}");
    assert!(String::from_utf8_lossy(&read_back.stderr).contains("read the report back"));
    assert!(!client.join("x.json").exists());
}
