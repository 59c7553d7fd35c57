//! Forensic run of the command-line tool, with HOME, the XDG folders and TMPDIR inside a
//! scratch folder: create, add a testimony with a canary, attach a file holding it, search,
//! export, unlock again, wipe. Afterwards no file anywhere holds the canary in UTF-8 or
//! UTF-16, and the only files left are the ones the user asked for (the bundle) and the
//! test's own inputs. (The app's run is in tests/e2e.)

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use serde_json::json;

const CANARY: &str = "AIGAQ-FORENSIC-CANARY-6021";
const ORG: &str = "KIBHR Almaty";

fn needles() -> Vec<Vec<u8>> {
    vec![
        CANARY.as_bytes().to_vec(),
        CANARY.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        CANARY.encode_utf16().flat_map(u16::to_be_bytes).collect(),
    ]
}

fn files(root: &Path) -> BTreeSet<String> {
    common::walk(root)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(root).unwrap().display().to_string())
        .collect()
}

#[test]
fn the_cli_leaves_no_trace_of_a_testimony_outside_what_the_user_asked_for() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    for d in [
        "home", "config", "data", "cache", "state", "runtime", "tmp", "in", "out",
    ] {
        std::fs::create_dir_all(r.join(d)).unwrap();
    }
    let vault = r.join("data/aigaq/vault");
    let pass = r.join("in/pass");
    std::fs::write(&pass, format!("{}\n", common::PASS)).unwrap();
    let cli = |args: &[&str]| {
        let mut c = Command::cargo_bin("aigaq").unwrap();
        c.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", r.join("home"))
            .env("XDG_CONFIG_HOME", r.join("config"))
            .env("XDG_DATA_HOME", r.join("data"))
            .env("XDG_CACHE_HOME", r.join("cache"))
            .env("XDG_STATE_HOME", r.join("state"))
            .env("XDG_RUNTIME_DIR", r.join("runtime"))
            .env("TMPDIR", r.join("tmp"))
            .arg("--passphrase-file")
            .arg(&pass)
            .args(args);
        c.assert().success()
    };
    // The default vault folder: the data folder is where XDG says.
    cli(&["init", "--kdf-memory-mib", "8", "--kdf-time", "1"]);
    assert!(vault.join("keyslots").exists());
    let key = r.join("in/org.key");
    let out = cli(&["keygen", "--out", key.to_str().unwrap()]);
    let recipient = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    cli(&["recipient", "add", ORG, recipient.trim()]);

    let input = r.join("in/testimony.json");
    std::fs::write(
        &input,
        json!({
            "schema": "aigaq/testimony/1",
            "consent": {"informed": true, "identity": "named", "share_with": [ORG]},
            "witness": {"name": format!("Witness {CANARY}")},
            "narrative": format!("They held me for three days. {CANARY}"),
        })
        .to_string(),
    )
    .unwrap();
    let out = cli(&["add", "--json", input.to_str().unwrap()]);
    let id = String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    let note = r.join("in/medical-note.txt");
    std::fs::write(&note, format!("Injuries seen by the doctor. {CANARY}\n")).unwrap();
    cli(&["attach", &id, note.to_str().unwrap()]);
    let found = cli(&["search", "three days"]);
    assert!(String::from_utf8_lossy(&found.get_output().stdout).contains(&id));
    let bundle = r.join("out/bundle.age");
    cli(&["export", "--to", ORG, "--out", bundle.to_str().unwrap()]);
    // Unlock again, read it, then wipe.
    cli(&["show", &id]);
    cli(&["wipe", "--yes"]);

    // The test's own inputs held the canary in clear; they are not the tool's traces.
    std::fs::remove_file(&input).unwrap();
    std::fs::remove_file(&note).unwrap();
    let left = files(r);
    for f in &left {
        let bytes = std::fs::read(r.join(f)).unwrap();
        for n in needles() {
            assert!(
                !bytes.windows(n.len()).any(|w| w == &n[..]),
                "{f} holds the canary"
            );
        }
    }
    let expected: BTreeSet<String> = ["in/pass", "in/org.key", "out/bundle.age"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(left, expected, "files left after the run");
    assert!(!vault.exists());
}
