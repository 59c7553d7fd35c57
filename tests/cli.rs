//! The CLI as a documenter uses it: every command, its text and JSON output, exit codes.

mod common;

use common::{testimony, Scratch};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn init_creates_private_files_and_refuses_to_run_twice() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new();
    s.init();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&s.vault()), 0o700);
    assert_eq!(mode(&s.vault().join("keyslots")), 0o600);
    assert_eq!(mode(&s.vault().join("vault.db")), 0o600);
    let db = std::fs::read(s.vault().join("vault.db")).unwrap();
    assert!(!db.starts_with(b"SQLite format 3"));
    s.cmd(&["init", "--kdf-memory-mib", "8", "--kdf-time", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds a vault"));
}

#[test]
fn short_passphrase_is_refused_at_init() {
    let s = Scratch::new();
    let short = s.file("short", "1234567\n");
    let mut c = s.bare();
    c.args(["--passphrase-file"])
        .arg(&short)
        .args(["init", "--kdf-memory-mib", "8", "--kdf-time", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("at least 8 characters"));
    assert!(!s.vault().join("keyslots").exists());
}

#[test]
fn add_list_show_edit_history_search_delete() {
    let s = Scratch::new();
    s.init();
    let ids = s.add(&testimony("They beat me at the station in Almaty."));
    assert_eq!(ids.len(), 1);
    let id = &ids[0];
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");

    let list: Value = serde_json::from_str(&s.stdout(&["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["revisions"], 1);
    assert!(s.stdout(&["list"]).contains(id.as_str()));

    let shown: Value = serde_json::from_str(&s.stdout(&["show", id, "--json"])).unwrap();
    assert_eq!(
        shown["testimony"]["narrative"],
        "They beat me at the station in Almaty."
    );
    let first_rev = shown["revision"].as_str().unwrap().to_owned();
    assert_eq!(first_rev.len(), 64);
    // A unique prefix is enough.
    assert!(s.stdout(&["show", &id[..13]]).contains("They beat me"));

    let f = s.file(
        "edit.json",
        testimony("They beat me and threatened my family."),
    );
    let out = s.stdout(&["edit", id, "--json", f.to_str().unwrap()]);
    let second_rev = out.trim().to_owned();
    assert_ne!(second_rev, first_rev);
    // The same content again saves nothing.
    let again = s.stdout(&["edit", id, "--json", f.to_str().unwrap()]);
    assert_eq!(again.trim(), second_rev);

    let hist: Value = serde_json::from_str(&s.stdout(&["history", id, "--json"])).unwrap();
    let hist = hist.as_array().unwrap();
    assert_eq!(hist.len(), 2);
    assert_eq!(hist[1]["parent"], first_rev.as_str());
    assert_eq!(hist[1]["revision"], second_rev.as_str());

    let hits: Value = serde_json::from_str(&s.stdout(&["search", "THREAT", "--json"])).unwrap();
    assert_eq!(hits[0]["id"], id.as_str());
    assert!(hits[0]["snippet"]
        .as_str()
        .unwrap()
        .contains("[threatened]"));
    // The first revision's words are no longer in the index.
    let hits: Value = serde_json::from_str(&s.stdout(&["search", "station", "--json"])).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 0);

    s.cmd(&["delete", id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--yes"));
    s.cmd(&["delete", id, "--yes"]).assert().success();
    s.cmd(&["show", id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was deleted"));
    let hist: Value = serde_json::from_str(&s.stdout(&["history", id, "--json"])).unwrap();
    assert!(hist.as_array().unwrap().iter().all(|r| r["purged"] == true));
    let list: Value = serde_json::from_str(&s.stdout(&["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
    let hits: Value = serde_json::from_str(&s.stdout(&["search", "threatened", "--json"])).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 0);
    s.cmd(&["check"]).assert().success();
}

#[test]
fn add_accepts_an_array_and_json_lines_and_prints_one_id_per_line() {
    let s = Scratch::new();
    s.init();
    let array = format!("[{}, {}]", testimony("one"), testimony("two"));
    assert_eq!(s.add(&array).len(), 2);
    let lines = format!(
        "{}\n{}\n{}\n",
        testimony("three"),
        testimony("four"),
        testimony("five")
    );
    assert_eq!(s.add(&lines).len(), 3);
    let list: Value = serde_json::from_str(&s.stdout(&["list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 5);
}

#[test]
fn add_reads_standard_input() {
    let s = Scratch::new();
    s.init();
    s.cmd(&["add", "--json", "-"])
        .write_stdin(testimony("from stdin"))
        .assert()
        .success()
        .stdout(predicate::str::is_match("^[0-9a-f-]{36}\n$").unwrap());
}

#[test]
fn passphrase_and_json_cannot_both_be_standard_input() {
    let s = Scratch::new();
    s.init();
    let mut c = s.bare();
    c.args(["--passphrase-file", "-"])
        .args(["add", "--json", "-"])
        .write_stdin(common::PASS)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot both come from standard input",
        ));
}

#[test]
fn passphrase_from_stdin_unlocks() {
    let s = Scratch::new();
    s.init();
    let mut c = s.bare();
    c.args(["--passphrase-file", "-", "list"])
        .write_stdin(format!("{}\n", common::PASS))
        .assert()
        .success();
}

#[test]
fn no_passphrase_without_a_terminal_is_a_clear_error() {
    let s = Scratch::new();
    s.init();
    let mut c = s.bare();
    c.args(["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--passphrase-file"));
}

#[test]
fn vault_comes_from_the_environment_too() {
    let s = Scratch::new();
    s.init();
    let mut c = assert_cmd::Command::cargo_bin("aigaq").unwrap();
    c.env("AIGAQ_VAULT", s.vault())
        .arg("--passphrase-file")
        .arg(s.pass_file())
        .arg("list")
        .assert()
        .success();
}

#[test]
fn passwd_changes_the_passphrase_without_rewriting_the_database() {
    let s = Scratch::new();
    s.init();
    s.add(&testimony("kept across a passphrase change"));
    let db_before = std::fs::read(s.vault().join("vault.db")).unwrap();
    let new = s.file("new", "a different long passphrase\n");
    s.cmd(&["passwd", "--new-passphrase-file", new.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(s.vault().join("vault.db")).unwrap(),
        db_before
    );
    s.cmd(&["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase"));
    let mut c = s.bare();
    c.args(["--passphrase-file"])
        .arg(&new)
        .args(["list", "--json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("kept across a passphrase change"));
    assert!(!s.vault().join("keyslots.new").exists());
}

#[test]
fn template_is_complete_and_adds_cleanly() {
    let s = Scratch::new();
    s.init();
    let t = s.stdout(&["template"]);
    let v: Value = serde_json::from_str(&t).unwrap();
    for key in [
        "status",
        "interview",
        "consent",
        "witness",
        "narrative",
        "events",
        "persons",
        "follow_up",
        "tags",
    ] {
        assert!(v.get(key).is_some(), "template lacks {key}");
    }
    assert_eq!(s.add(&t).len(), 1);
}

#[test]
fn vocab_lists_labels_in_three_languages() {
    let s = Scratch::new();
    let out = s.stdout(&["vocab", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let acts = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "act_type")
        .unwrap();
    let torture = acts["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "torture")
        .unwrap();
    assert_eq!(torture["ru"], "Пытки");
    assert_eq!(torture["kk"], "Азаптау");
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let s = Scratch::new();
    s.cmd(&["frobnicate"]).assert().code(1);
    assert_cmd::Command::cargo_bin("aigaq")
        .unwrap()
        .arg("--help")
        .assert()
        .success();
}

#[test]
fn unknown_and_ambiguous_ids_are_user_errors() {
    let s = Scratch::new();
    s.init();
    s.add(&format!("[{}, {}]", testimony("a"), testimony("b")));
    s.cmd(&["show", "00000000-0000-7000-8000-000000000000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no testimony with id"));
    s.cmd(&["show", "not-an-id!"]).assert().code(1);
    // Both were created in the same millisecond range: a 4-character prefix fits both.
    let ids = s.stdout(&["list", "--json"]);
    let v: Value = serde_json::from_str(&ids).unwrap();
    let first = v[0]["id"].as_str().unwrap();
    s.cmd(&["show", &first[..4]])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("give more characters"));
}

#[test]
fn whoami_shows_the_device_key_and_recipient_and_verify_passes() {
    let s = Scratch::new();
    s.init();
    let who: Value = serde_json::from_str(&s.stdout(&["whoami", "--json"])).unwrap();
    assert!(who["age_recipient"].as_str().unwrap().starts_with("age1"));
    assert_eq!(who["device_key"].as_str().unwrap().len(), 44); // 32 bytes, padded base64
    assert_eq!(who["fingerprint"].as_str().unwrap().len(), 24); // 5 groups of 4
                                                                // The keys are the vault's: the same on every unlock.
    let again: Value = serde_json::from_str(&s.stdout(&["whoami", "--json"])).unwrap();
    assert_eq!(who, again);

    let id = s.add(&testimony("first")).remove(0);
    let f = s.file("e.json", testimony("second"));
    s.cmd(&["edit", &id, "--json", f.to_str().unwrap()])
        .assert()
        .success();
    s.cmd(&["delete", &id, "--yes"]).assert().success();
    let report: Value = serde_json::from_str(&s.stdout(&["verify", "--json"])).unwrap();
    assert_eq!(report["entries"], 3);
    assert_eq!(report["revisions"], 2);
    assert_eq!(report["testimonies"], 1);
}

#[test]
fn the_cli_writes_no_core_dump() {
    // While it waits for a passphrase on standard input, its limits say no core file.
    let s = Scratch::new();
    s.init();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aigaq"))
        .args([
            "--vault",
            s.vault().to_str().unwrap(),
            "--passphrase-file",
            "-",
            "list",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let limits = (0..200).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::read_to_string(format!("/proc/{}/limits", child.id()))
            .ok()
            .filter(|l| l.contains("Max core file size"))
            .filter(|l| {
                l.lines().any(|x| {
                    x.starts_with("Max core file size") && x.split_whitespace().nth(4) == Some("0")
                })
            })
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(limits.is_some(), "core dumps are still allowed");
}
