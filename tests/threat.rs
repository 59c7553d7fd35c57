//! Under threat: the panic wipe, the limit on failed unlocks, and the duress passphrase.

mod common;

use std::path::Path;

use common::Scratch;
use predicates::prelude::*;
use serde_json::{json, Value};

const CANARY: &str = "AIGAQ-THREAT-CANARY-3317";

fn with_evidence() -> (Scratch, String) {
    let s = Scratch::new();
    s.init();
    let id = s.add(&common::testimony(&format!("detained at night {CANARY}")))[0].clone();
    let clip = s.file("clip.bin", vec![9u8; 300_000]);
    let note = s.file("note.txt", format!("names: {CANARY}"));
    s.cmd(&[
        "attach",
        &id,
        clip.to_str().unwrap(),
        note.to_str().unwrap(),
    ])
    .assert()
    .success();
    std::fs::remove_file(note).unwrap();
    // The test's own input file held the canary too.
    std::fs::remove_file(s.root.path().join("input.json")).unwrap();
    (s, id)
}

fn holds_canary(dir: &Path) -> Vec<String> {
    common::walk(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .filter(|p| {
            let b = std::fs::read(p).unwrap_or_default();
            b.windows(CANARY.len()).any(|w| w == CANARY.as_bytes())
        })
        .map(|p| p.display().to_string())
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = common::walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn wipe_destroys_the_keys_first_and_then_everything() {
    let (s, _) = with_evidence();
    // Without --yes and without a terminal to ask on, nothing happens.
    s.bare()
        .arg("wipe")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--yes"));
    assert!(s.vault().join("keyslots").exists());
    let out = s
        .bare()
        .args(["wipe", "--yes", "--json"])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert!(report["files"].as_u64().unwrap() >= 3, "{report}");
    assert!(report["bytes"].as_u64().unwrap() > 300_000, "{report}");
    assert!(report["keys_destroyed"].as_f64().unwrap() <= report["total"].as_f64().unwrap());
    assert!(!s.vault().exists(), "the vault folder is gone");
    s.cmd(&["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no vault"));
    // A folder that is not a vault is never emptied.
    let other = s.root.path().join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("a.jpg"), b"x").unwrap();
    s.bare()
        .arg("--vault")
        .arg(&other)
        .args(["wipe", "--yes"])
        .assert()
        .code(1);
    assert!(other.join("a.jpg").exists());
}

#[test]
fn a_wipe_cut_short_leaves_a_vault_that_cannot_be_opened() {
    // Power lost right after the keys were overwritten (before they were unlinked), or
    // right after they were unlinked: the passphrase opens nothing, and a second wipe
    // finishes the job.
    for stage in ["overwritten", "unlinked"] {
        let (s, _) = with_evidence();
        let ks = s.vault().join("keyslots");
        let len = std::fs::metadata(&ks).unwrap().len() as usize;
        match stage {
            "overwritten" => std::fs::write(&ks, vec![0x5a; len]).unwrap(),
            _ => std::fs::remove_file(&ks).unwrap(),
        }
        let out = s.cmd(&["list"]).assert().failure();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(
            stderr.contains("damaged") || stderr.contains("not an Aigaq vault"),
            "{stage}: {stderr}"
        );
        s.bare().args(["wipe", "--yes"]).assert().success();
        assert!(!s.vault().exists(), "{stage}");
    }
}

#[test]
fn failed_unlocks_wait_longer_each_time_and_the_limit_wipes() {
    let s = Scratch::new();
    s.cmd(&[
        "init",
        "--kdf-memory-mib",
        "8",
        "--kdf-time",
        "1",
        "--wipe-after",
        "2",
    ])
    .assert()
    .success();
    s.add(&common::testimony(CANARY));
    std::fs::remove_file(s.root.path().join("input.json")).unwrap();
    let wrong = s.file("wrong", "not the passphrase at all\n");
    let attempt = || {
        s.bare()
            .arg("--passphrase-file")
            .arg(&wrong)
            .arg("list")
            .assert()
    };
    attempt()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase"));
    // The count survives the process: the next attempt says it waits.
    let second = attempt().code(1);
    let stderr = String::from_utf8_lossy(&second.get_output().stderr).into_owned();
    assert!(stderr.contains("waits 1 s"), "{stderr}");
    assert!(
        !s.vault().exists(),
        "the second failure in a row wiped the vault"
    );
    assert!(holds_canary(s.root.path()).is_empty());

    // Settings can be read and changed only with the passphrase.
    let t = Scratch::new();
    t.init();
    let settings = |sc: &Scratch| -> Value {
        serde_json::from_str(&sc.stdout(&["security", "--json"])).unwrap()
    };
    assert_eq!(settings(&t)["wipe_after"], Value::Null);
    t.bare()
        .arg("--passphrase-file")
        .arg(t.file("wrong", "not the passphrase at all\n"))
        .args(["security", "--wipe-after", "3"])
        .assert()
        .code(1);
    t.cmd(&["security", "--wipe-after", "3"]).assert().success();
    assert_eq!(settings(&t)["wipe_after"], 3);
    t.cmd(&["security", "--wipe-after", "0"]).assert().code(1);
    t.cmd(&["security", "--wipe-after", "never"])
        .assert()
        .success();
    assert_eq!(settings(&t)["wipe_after"], Value::Null);
}

#[test]
fn the_duress_passphrase_opens_a_decoy_and_leaves_no_trace_of_the_real_vault() {
    let (s, id) = with_evidence();
    let duress = s.file("duress", "the words for the checkpoint\n");
    let decoy = s.file(
        "decoy.json",
        json!([
            {"schema": "aigaq/testimony/1", "narrative": "Minutes of the residents' meeting about the park"},
            {"schema": "aigaq/testimony/1", "narrative": "Notes for the school trip"}
        ])
        .to_string(),
    );
    // The duress passphrase may not be the real one.
    s.cmd(&[
        "duress",
        "set",
        "--duress-passphrase-file",
        s.pass_file().to_str().unwrap(),
    ])
    .assert()
    .code(1);
    let same = s.file("same", format!("{}\n", common::PASS));
    s.cmd(&[
        "duress",
        "set",
        "--duress-passphrase-file",
        same.to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("already opens"));
    s.cmd(&[
        "duress",
        "set",
        "--duress-passphrase-file",
        duress.to_str().unwrap(),
        "--decoy",
        decoy.to_str().unwrap(),
    ])
    .assert()
    .success();
    // The real vault works as before and keeps its evidence; the waiting decoy survives it.
    let list: Value = serde_json::from_str(&s.stdout(&["list", "--json"])).unwrap();
    assert_eq!(list[0]["id"], id.as_str());
    s.cmd(&["check"]).assert().success();
    assert_eq!(
        serde_json::from_str::<Value>(&s.stdout(&["security", "--json"])).unwrap()["duress"],
        true
    );
    // The real passphrase cannot be changed to the duress one.
    s.cmd(&["passwd", "--new-passphrase-file", duress.to_str().unwrap()])
        .assert()
        .code(1);
    let keyslots_len = std::fs::metadata(s.vault().join("keyslots")).unwrap().len();

    // At the checkpoint: the duress passphrase. Same output shape, same exit code.
    let forced = s
        .bare()
        .arg("--passphrase-file")
        .arg(&duress)
        .args(["list", "--json"])
        .assert()
        .success();
    let shown: Value = serde_json::from_slice(&forced.get_output().stdout).unwrap();
    let narratives: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["excerpt"].as_str().unwrap())
        .collect();
    assert_eq!(narratives.len(), 2);
    assert!(narratives.iter().any(|n| n.contains("residents' meeting")));
    assert!(String::from_utf8_lossy(&forced.get_output().stderr).is_empty());

    // Afterwards: a normal vault under the duress passphrase, nothing else.
    assert_eq!(names(&s.vault()), ["keyslots", "vault.db"]);
    assert_eq!(
        std::fs::metadata(s.vault().join("keyslots")).unwrap().len(),
        keyslots_len
    );
    assert!(holds_canary(s.root.path()).is_empty());
    s.cmd(&["list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("wrong passphrase"));
    let as_duress = |args: &[&str]| {
        let mut c = s.bare();
        c.arg("--passphrase-file").arg(&duress).args(args);
        c.assert()
    };
    as_duress(&["verify"]).success();
    as_duress(&["check"]).success();
    let settings: Value = serde_json::from_slice(
        &as_duress(&["security", "--json"])
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(settings["duress"], false);
    // It is an ordinary vault from now on.
    as_duress(&[
        "add",
        "--json",
        s.file("more.json", common::testimony("later"))
            .to_str()
            .unwrap(),
    ])
    .success();
}
