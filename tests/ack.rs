//! Acknowledgements and what follows from them: the organisation signs a receipt of what it
//! holds, only the sending device can read it, only a receipt that names bundles really sent
//! to that organisation is believed, and `purge --delivered` removes only what every chosen
//! organisation holds. Also: senders' names and forked histories on the organisation's side.

mod common;

use std::path::{Path, PathBuf};

use common::{OrgSetup, Scratch};
use predicates::prelude::*;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};

const ORG: &str = "KIBHR Almaty";
const OTHER: &str = "Memorial";

fn testimony(narrative: &str, share_with: &[&str]) -> String {
    json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": "pseudonymous", "share_with": share_with},
        "witness": {"name": "Secret Witness Name", "pseudonym": "W-3"},
        "narrative": narrative,
    })
    .to_string()
}

/// A collector, and an organisation with its own vault and key.
struct World {
    col: OrgSetup,
    org: Scratch,
}

impl World {
    fn new() -> Self {
        let org = Scratch::new();
        org.init();
        World {
            col: OrgSetup::new(ORG),
            org,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.col.s.root.path().join(name)
    }

    fn export(&self, name: &str, to: &str, extra: &[&str]) -> PathBuf {
        let out = self.path(name);
        let mut c = self
            .col
            .s
            .cmd(&["export", "--to", to, "--out", out.to_str().unwrap()]);
        c.args(extra).assert().success();
        out
    }

    /// Imports bundles into the organisation's vault; returns the report.
    fn org_import(&self, key: &Path, bundles: &[&Path]) -> Value {
        let mut c = self
            .org
            .cmd(&["import", "--json", "--identity", key.to_str().unwrap()]);
        c.args(bundles);
        serde_json::from_slice(&c.assert().success().get_output().stdout).unwrap()
    }

    fn ack(&self, key: &Path, name: &str, bundles: &[&Path]) -> assert_cmd::assert::Assert {
        let out = self.path(name);
        let mut c = self.org.cmd(&[
            "ack",
            "--identity",
            key.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        c.args(bundles).assert()
    }

    fn col_import(&self, files: &[&Path]) -> assert_cmd::assert::Assert {
        let mut c = self.col.s.cmd(&["import", "--json"]);
        c.args(files).assert()
    }

    fn list(&self) -> Value {
        serde_json::from_str(&self.col.s.stdout(&["list", "--json"])).unwrap()
    }

    fn delivered_to(&self, id: &str) -> Value {
        let show: Value =
            serde_json::from_str(&self.col.s.stdout(&["show", id, "--json"])).unwrap();
        show["delivered_to"].clone()
    }

    fn ledger_entries(&self, s: &Scratch) -> u64 {
        let v: Value = serde_json::from_str(&s.stdout(&["verify", "--json"])).unwrap();
        v["entries"].as_u64().unwrap()
    }
}

fn listed<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
}

#[test]
fn an_acknowledgement_marks_revisions_delivered_and_lets_them_be_purged() {
    let w = World::new();
    let other_key = w.path("other.key");
    let other_recipient = w
        .col
        .s
        .stdout(&["keygen", "--out", other_key.to_str().unwrap()])
        .trim()
        .to_owned();
    w.col
        .s
        .cmd(&["recipient", "add", OTHER, &other_recipient])
        .assert()
        .success();
    let ids = w.col.s.add(&format!(
        "[{}, {}, {}]",
        testimony("only for the first organisation", &[ORG]),
        testimony("for both organisations", &[ORG, OTHER]),
        testimony("to be revised after sending", &[ORG]),
    ));
    let b1 = w.export("b1.age", ORG, &[]);
    assert_eq!(w.org_import(&w.col.key, &[&b1])[0]["new_revisions"], 3);
    let org_entries = w.ledger_entries(&w.org);
    w.ack(&w.col.key, "ack1.age", &[&b1])
        .success()
        .stderr(predicate::str::contains(
            "3 revision(s) and 0 attachment(s) in 1 bundle(s)",
        ));
    assert_eq!(
        w.ledger_entries(&w.org),
        org_entries + 1,
        "the organisation's ledger records the acknowledgement"
    );

    // Before it comes back, nothing is delivered and nothing can be purged.
    assert!(w
        .list()
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["delivered_to"] == json!([])));
    // The third testimony changes before the receipt arrives: its new revision was not sent.
    let revised = w.col.s.file(
        "revised.json",
        testimony("to be revised after sending, now with more detail", &[ORG]),
    );
    w.col
        .s
        .cmd(&["edit", &ids[2], "--json", revised.to_str().unwrap()])
        .assert()
        .success();

    let col_entries = w.ledger_entries(&w.col.s);
    let ack1 = w.path("ack1.age");
    let out: Value =
        serde_json::from_slice(&w.col_import(&[&ack1]).success().get_output().stdout).unwrap();
    assert_eq!(out[0]["recipient"], ORG);
    assert_eq!(out[0]["new_revisions"], 3);
    assert_eq!(w.ledger_entries(&w.col.s), col_entries + 1);
    // Twice changes nothing.
    let again: Value =
        serde_json::from_slice(&w.col_import(&[&ack1]).success().get_output().stdout).unwrap();
    assert_eq!(
        (
            again[0]["new_revisions"].clone(),
            again[0]["known_revisions"].clone()
        ),
        (json!(0), json!(3))
    );
    assert_eq!(w.ledger_entries(&w.col.s), col_entries + 1);

    let list = w.list();
    assert_eq!(listed(&list, &ids[0])["delivered_to"], json!([ORG]));
    assert_eq!(listed(&list, &ids[1])["delivered_to"], json!([ORG]));
    assert_eq!(listed(&list, &ids[2])["delivered_to"], json!([]));
    assert_eq!(w.delivered_to(&ids[0]), json!([ORG]));
    assert_eq!(w.delivered_to(&ids[2]), json!([]));
    let table = w.col.s.stdout(&["list"]);
    assert!(table.contains("DELIVERED") && table.contains(ORG));

    // Only the first is held by every organisation its witness chose.
    let dry: Value =
        serde_json::from_str(
            &w.col
                .s
                .stdout(&["purge", "--delivered", "--dry-run", "--json"]),
        )
        .unwrap();
    assert_eq!(dry, json!([{"id": ids[0], "delivered_to": [ORG]}]));
    assert_eq!(
        w.list().as_array().unwrap().len(),
        3,
        "a dry run deletes nothing"
    );

    // The second organisation receives and acknowledges the second testimony.
    let b2 = w.export("b2.age", OTHER, &[]);
    w.org_import(&other_key, &[&b2]);
    w.ack(&other_key, "ack2.age", &[&b2]).success();
    w.col_import(&[&w.path("ack2.age")]).success();
    assert_eq!(w.delivered_to(&ids[1]), json!([ORG, OTHER]));

    w.col
        .s
        .cmd(&["purge", "--delivered"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--yes"));
    let purged: Value =
        serde_json::from_str(&w.col.s.stdout(&["purge", "--delivered", "--yes", "--json"]))
            .unwrap();
    let mut got: Vec<&str> = purged
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    got.sort();
    let mut want = vec![ids[0].as_str(), ids[1].as_str()];
    want.sort();
    assert_eq!(got, want);
    let left = w.list();
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["id"], ids[2]);
    w.col
        .s
        .cmd(&["show", &ids[0]])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("deleted"));
    // The ledger keeps the hashes, and still verifies.
    w.col.s.cmd(&["verify"]).assert().success();
    let history: Value =
        serde_json::from_str(&w.col.s.stdout(&["history", &ids[0], "--json"])).unwrap();
    assert_eq!(history[0]["purged"], true);
    assert_eq!(history[0]["revision"].as_str().unwrap().len(), 64);
}

/// The collector's device key (padded base64) and age recipient.
fn whoami(s: &Scratch) -> (String, String) {
    let v: Value = serde_json::from_str(&s.stdout(&["whoami", "--json"])).unwrap();
    (
        v["device_key"].as_str().unwrap().to_owned(),
        v["age_recipient"].as_str().unwrap().to_owned(),
    )
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An acknowledgement signed by a fresh key, as anyone could make one.
fn forged(ack: &Value, signer: &Ed25519KeyPair) -> Vec<u8> {
    let mut ack = ack.clone();
    ack["signer"]["device_key"] = json!(b64(signer.public_key().as_ref()));
    let sig = signer.sign(&aigaq::canonical::to_bytes(&ack).unwrap());
    aigaq::canonical::to_bytes(&json!({"ack": ack, "sig": b64(sig.as_ref())})).unwrap()
}

#[test]
fn an_acknowledgement_is_believed_only_for_bundles_really_sent_to_its_organisation() {
    let w = World::new();
    let ids = w.col.s.add(&format!(
        "[{}, {}]",
        testimony("one", &[ORG]),
        testimony("two", &[ORG])
    ));
    let b1 = w.export("b1.age", ORG, &[]);
    let bundle_id = w.org_import(&w.col.key, &[&b1])[0]["bundle_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let inspect: Value = serde_json::from_slice(
        &w.col
            .s
            .bare()
            .args([
                "inspect",
                "--json",
                "--identity",
                w.col.key.to_str().unwrap(),
            ])
            .arg(&b1)
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    let revisions: Vec<Value> = inspect["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"id": r["id"], "revision": r["revision"]}))
        .collect();
    let (device, device_recipient) = whoami(&w.col.s);
    let rng = ring::rand::SystemRandom::new();
    let signer =
        Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
    let good = json!({
        "format": "aigaq-ack/1",
        "ack_id": "01a20000-0000-7000-8000-000000000001",
        "created": "2026-11-22T00:00:00Z",
        "signer": {"device_key": "", "recipient": w.col.recipient},
        "device": device,
        "bundles": [bundle_id],
        "revisions": revisions,
    });
    let encrypt = |name: &str, plain: &[u8]| {
        let p = w.path(name);
        common::age_encrypt(plain, &device_recipient, &p);
        p
    };

    // The organisation cannot acknowledge what it has not imported.
    w.col.s.add(&testimony("three", &[ORG]));
    let b2 = w.export("b2.age", ORG, &[]);
    w.ack(&w.col.key, "early.age", &[&b2])
        .code(1)
        .stderr(predicate::str::contains("import it first"));
    assert!(!w.path("early.age").exists());

    let mut bad: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    let mut v = good.clone();
    v["bundles"] = json!(["01a20000-0000-7000-8000-0000000000ff"]);
    bad.push(("unknown bundle", forged(&v, &signer), "never sent"));
    // Without a bundle id, nothing shows the signer holds the organisation's key: anyone
    // who read a revision hash in another organisation's bundle could claim it.
    let mut v = good.clone();
    v["bundles"] = json!([]);
    bad.push(("no bundle", forged(&v, &signer), "names no bundle"));
    let mut v = good.clone();
    v["attachments"] = json!(["ab".repeat(32)]);
    bad.push(("unsent attachment", forged(&v, &signer), "never sent"));
    let mut v = good.clone();
    v["revisions"][0]["revision"] = json!("0".repeat(64));
    bad.push(("unsent revision", forged(&v, &signer), "never sent"));
    let mut v = good.clone();
    v["revisions"][0]["id"] = v["revisions"][1]["id"].clone();
    bad.push((
        "revision under another id",
        forged(&v, &signer),
        "never sent",
    ));
    let mut v = good.clone();
    v["device"] = json!(b64(&[7u8; 32]));
    bad.push(("another device", forged(&v, &signer), "another device"));
    let mut v = good.clone();
    v["signer"]["recipient"] =
        json!("age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq");
    bad.push((
        "unknown organisation",
        forged(&v, &signer),
        "not in your recipient list",
    ));
    let mut v = good.clone();
    v["format"] = json!("aigaq-ack/2");
    bad.push(("unknown format", forged(&v, &signer), "unknown format"));
    let mut tampered: Value = serde_json::from_slice(&forged(&good, &signer)).unwrap();
    tampered["ack"]["created"] = json!("2026-11-23T00:00:00Z");
    bad.push((
        "altered after signing",
        aigaq::canonical::to_bytes(&tampered).unwrap(),
        "signature",
    ));
    bad.push(("not JSON", b"PK\x03\x04 zip".to_vec(), "not JSON"));
    let mut extra: Value = serde_json::from_slice(&forged(&good, &signer)).unwrap();
    extra["note"] = json!("x");
    bad.push((
        "an unknown field",
        aigaq::canonical::to_bytes(&extra).unwrap(),
        "unknown field",
    ));

    let before = common::snapshot(&w.col.s.vault());
    let list_before = w.list();
    for (i, (what, plain, says)) in bad.iter().enumerate() {
        let file = encrypt(&format!("bad{i}.age"), plain);
        let out = w.col_import(&[&file]).code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(says) && stderr.contains("nothing was imported"),
            "{what}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    }
    // Not for this device at all: encrypted to the organisation instead.
    let wrong = w.path("wrong.age");
    common::age_encrypt(&forged(&good, &signer), &w.col.recipient, &wrong);
    w.col_import(&[&wrong])
        .code(2)
        .stderr(predicate::str::contains("this device's key"));
    // A real acknowledgement, cut short.
    w.ack(&w.col.key, "real.age", &[&b1]).success();
    let raw = std::fs::read(w.path("real.age")).unwrap();
    let cut = w.col.s.file("cut.age", &raw[..raw.len() - 100]);
    w.col_import(&[&cut]).code(2);
    // A good one among bad ones: nothing at all is merged.
    let bad0 = w.path("bad0.age");
    w.col_import(&[&w.path("real.age"), &bad0]).code(2);
    assert_eq!(w.list(), list_before);
    assert_eq!(
        common::snapshot(&w.col.s.vault())
            .keys()
            .collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );

    // A forged signer with the right bundle ids is believed: only the organisation that
    // decrypted the bundle can know them. The real acknowledgement works the same way.
    let ok = encrypt("forged-but-informed.age", &forged(&good, &signer));
    w.col_import(&[&ok]).success();
    assert_eq!(w.delivered_to(&ids[0]), json!([ORG]));
    w.col_import(&[&w.path("real.age")]).success();
    w.col.s.cmd(&["verify"]).assert().success();
}

/// A testimony's content is purged only once its organisation confirmed holding its
/// attachments too: an acknowledged revision does not say that the attachments it lists
/// arrived (an incremental bundle leaves out what was sent before; `--strip-metadata` sends
/// a derivative, never the original).
#[test]
fn purge_keeps_a_testimony_until_its_original_attachments_are_confirmed_held() {
    let w = World::new();
    let ids = w.col.s.add(&format!(
        "[{}, {}]",
        testimony("with a recording", &[ORG]),
        testimony("with a photo", &[ORG])
    ));
    let audio = w
        .col
        .s
        .file("interview.txt", b"the recording, as text".repeat(100));
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg");
    for (id, file) in [(&ids[0], audio.as_path()), (&ids[1], photo.as_path())] {
        w.col
            .s
            .cmd(&["attach", id, file.to_str().unwrap()])
            .assert()
            .success();
    }
    // The first bundle, which carries the recording, is lost on the way.
    let lost = w.export("lost.age", ORG, &["--strip-metadata"]);
    for (i, id) in ids.iter().enumerate() {
        let revised = w.col.s.file(
            &format!("r{i}.json"),
            testimony(&format!("revised {i}"), &[ORG]),
        );
        w.col
            .s
            .cmd(&["edit", id, "--json", revised.to_str().unwrap()])
            .assert()
            .success();
    }
    let b2 = w.export("b2.age", ORG, &["--strip-metadata"]);
    let imported = w.org_import(&w.col.key, &[&b2]);
    assert_eq!(imported[0]["new_revisions"], 2);
    assert_eq!(
        imported[0]["missing_attachments"].as_array().unwrap().len(),
        2
    );
    w.ack(&w.col.key, "ack-b2.age", &[&b2])
        .success()
        .stderr(predicate::str::contains(
            "2 revision(s) and 0 attachment(s)",
        ));
    w.col_import(&[&w.path("ack-b2.age")]).success();
    assert_eq!(w.delivered_to(&ids[0]), json!([ORG]));

    // Both revisions are acknowledged, but the organisation holds neither original.
    w.col
        .s
        .cmd(&["purge", "--delivered", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Deleted the content of 0 testimonies",
        ))
        .stderr(predicate::str::contains("Kept 2 acknowledged testimonies"));
    assert_eq!(w.list().as_array().unwrap().len(), 2);

    // The lost bundle turns up: the recording's original arrives, the photo only as a copy
    // without its metadata, which does not stand for the original.
    w.org_import(&w.col.key, &[&lost]);
    w.ack(&w.col.key, "ack-both.age", &[&lost, &b2])
        .success()
        .stderr(predicate::str::contains("and 2 attachment(s)"));
    w.col_import(&[&w.path("ack-both.age")]).success();
    let purged: Value =
        serde_json::from_str(&w.col.s.stdout(&["purge", "--delivered", "--yes", "--json"]))
            .unwrap();
    assert_eq!(purged, json!([{"id": ids[0], "delivered_to": [ORG]}]));
    let left: Vec<Value> = w.list().as_array().unwrap().clone();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], json!(ids[1]));
    w.col
        .s
        .cmd(&["attachments", &ids[1]])
        .assert()
        .success()
        .stdout(predicate::str::contains("exif-gps.jpg"));
    w.col.s.cmd(&["verify"]).assert().success();
}

/// A revision sent twice in two forms (first with its photo stripped, then with `--all` as
/// it is): an acknowledgement of either form is believed.
#[test]
fn an_acknowledgement_of_an_earlier_form_of_a_revision_is_believed() {
    let w = World::new();
    let id = w.col.s.add(&testimony("with a photo", &[ORG]))[0].clone();
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg");
    w.col
        .s
        .cmd(&["attach", &id, photo.to_str().unwrap()])
        .assert()
        .success();
    let stripped = w.export("stripped.age", ORG, &["--strip-metadata"]);
    let whole = w.export("whole.age", ORG, &["--all"]);
    w.org_import(&w.col.key, &[&stripped, &whole]);
    w.ack(&w.col.key, "ack-stripped.age", &[&stripped])
        .success();
    w.col_import(&[&w.path("ack-stripped.age")]).success();
    assert_eq!(w.delivered_to(&id), json!([ORG]));
    // That acknowledgement confirms only the stripped copy: the photo's original stays.
    let dry = w
        .col
        .s
        .stdout(&["purge", "--delivered", "--dry-run", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(&dry).unwrap(), json!([]));
    w.ack(&w.col.key, "ack-both.age", &[&stripped, &whole])
        .success();
    w.col_import(&[&w.path("ack-both.age")]).success();
    let dry = w
        .col
        .s
        .stdout(&["purge", "--delivered", "--dry-run", "--json"]);
    assert_eq!(
        serde_json::from_str::<Value>(&dry).unwrap(),
        json!([{"id": id, "delivered_to": [ORG]}])
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "lock" {
            continue;
        }
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn a_forked_sender_history_and_a_stolen_sender_name_are_refused() {
    let w = World::new();
    w.col
        .s
        .cmd(&["device-name", "Команда Север"])
        .assert()
        .success();
    w.col.s.add(&testimony("before the copy", &[ORG]));
    // A copy of the whole vault: same device keys, then two different histories.
    let twin = Scratch::new();
    copy_dir(&w.col.s.vault(), &twin.vault());
    w.col.s.add(&testimony("on the original", &[ORG]));
    twin.add(&testimony("on the copy", &[ORG]));
    let b1 = w.export("b1.age", ORG, &[]);
    let b2 = twin.root.path().join("b2.age");
    twin.cmd(&["export", "--to", ORG, "--out", b2.to_str().unwrap()])
        .assert()
        .success();
    let first = w.org_import(&w.col.key, &[&b1]);
    assert_eq!(first[0]["sender_name"], "Команда Север");
    let received_before = w.org.stdout(&["received", "--json"]);
    w.org
        .cmd(&["import", "--identity", w.col.key.to_str().unwrap()])
        .arg(&b2)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("forked"));
    assert_eq!(w.org.stdout(&["received", "--json"]), received_before);

    // Another device calling itself by the known name is refused; under its own name it is
    // a new sender like any other.
    let impostor = OrgSetup::new(ORG);
    impostor
        .s
        .cmd(&["device-name", "команда СЕВЕР"])
        .assert()
        .success();
    impostor.s.add(&testimony("from the impostor", &[ORG]));
    // The impostor was given the real organisation's recipient.
    impostor
        .s
        .cmd(&["recipient", "remove", ORG])
        .assert()
        .success();
    impostor
        .s
        .cmd(&["recipient", "add", ORG, &w.col.recipient])
        .assert()
        .success();
    let b3 = impostor.s.root.path().join("b3.age");
    impostor
        .s
        .cmd(&["export", "--to", ORG, "--out", b3.to_str().unwrap()])
        .assert()
        .success();
    w.org
        .cmd(&["import", "--identity", w.col.key.to_str().unwrap()])
        .arg(&b3)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("Команда Север")
                .and(predicate::str::contains("another device")),
        );
    assert_eq!(w.org.stdout(&["received", "--json"]), received_before);
    impostor
        .s
        .cmd(&["device-name", "Team South"])
        .assert()
        .success();
    let b4 = impostor.s.root.path().join("b4.age");
    impostor
        .s
        .cmd(&[
            "export",
            "--all",
            "--to",
            ORG,
            "--out",
            b4.to_str().unwrap(),
        ])
        .assert()
        .success();
    let out = w.org_import(&w.col.key, &[&b4]);
    assert_eq!(out[0]["new_sender"], true);
    assert_eq!(out[0]["sender_name"], "Team South");

    // The first device renames itself. Its old name stays its own, and the new one cannot
    // be taken with a look-alike either (a double space, a Cyrillic "о").
    w.col
        .s
        .cmd(&["device-name", "Team North"])
        .assert()
        .success();
    w.col.s.add(&testimony("after the rename", &[ORG]));
    let b5 = w.export("b5.age", ORG, &[]);
    assert_eq!(
        w.org_import(&w.col.key, &[&b5])[0]["sender_name"],
        "Team North"
    );
    for (i, stolen) in [
        "Команда Север",
        "Team  Nоrth",
        "Team Νorth",
        "Ｔｅａｍ North",
        "Team Nor\u{301}th",
    ]
    .iter()
    .enumerate()
    {
        impostor.s.cmd(&["device-name", stolen]).assert().success();
        let b = impostor.s.root.path().join(format!("stolen{i}.age"));
        impostor
            .s
            .cmd(&["export", "--all", "--to", ORG, "--out", b.to_str().unwrap()])
            .assert()
            .success();
        w.org
            .cmd(&["import", "--identity", w.col.key.to_str().unwrap()])
            .arg(&b)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("another device"));
    }

    // Names are checked like everything else a user types, and may not hold characters
    // that show as nothing.
    w.col.s.cmd(&["device-name", "  "]).assert().code(1);
    w.col
        .s
        .cmd(&["device-name", "Team No\u{200b}rth"])
        .assert()
        .code(1);
}

/// The collector is told who signed: the first acknowledgement from an organisation shows
/// its device's fingerprint to compare, later ones from the same device say nothing more,
/// and one signed by another device (the organisation's key used in a second vault) is
/// pointed out before anything is purged on its word.
#[test]
fn an_acknowledgement_from_a_new_device_of_the_organisation_is_pointed_out() {
    let w = World::new();
    w.col.s.add(&testimony("acknowledged twice", &[ORG]));
    let b1 = w.export("b1.age", ORG, &[]);
    w.org_import(&w.col.key, &[&b1]);
    let first = w.path("first.age");
    w.ack(&w.col.key, "first.age", &[&b1]).success();
    let report = |a: &assert_cmd::assert::Assert| -> Value {
        serde_json::from_slice(&a.get_output().stdout).unwrap()
    };
    let a = w.col_import(&[&first]).success().stderr(
        predicate::str::contains("The first acknowledgement from")
            .and(predicate::str::contains("compare the device fingerprint")),
    );
    assert_eq!(report(&a)[0]["signer_is_new"], true);
    assert_eq!(report(&a)[0]["earlier_signers"], 0);
    let first_signer = report(&a)[0]["signer_fingerprint"].clone();

    // The same device again: nothing to point out.
    let again = w.path("again.age");
    w.ack(&w.col.key, "again.age", &[&b1]).success();
    let a = w
        .col_import(&[&again])
        .success()
        .stderr(predicate::str::contains("Warning").not());
    assert_eq!(report(&a)[0]["signer_is_new"], false);
    assert_eq!(report(&a)[0]["earlier_signers"], 0);

    // The organisation's key file in a second vault, which signs with its own device key.
    let elsewhere = Scratch::new();
    elsewhere.init();
    let key = w.col.key.to_str().unwrap();
    elsewhere
        .cmd(&["import", "--identity", key, b1.to_str().unwrap()])
        .assert()
        .success();
    let other = w.path("other.age");
    elsewhere
        .cmd(&[
            "ack",
            "--identity",
            key,
            "--out",
            other.to_str().unwrap(),
            b1.to_str().unwrap(),
        ])
        .assert()
        .success();
    let a = w.col_import(&[&other]).success().stderr(
        predicate::str::contains("signed its earlier acknowledgements with another device key")
            .and(predicate::str::contains("before you purge anything")),
    );
    assert_eq!(report(&a)[0]["signer_is_new"], true);
    assert_eq!(report(&a)[0]["earlier_signers"], 1);
    assert_ne!(report(&a)[0]["signer_fingerprint"], first_signer);
}
