//! No lock-in: bundles written by `aigaq export` verify with an independent implementation
//! (`tests/python/verify_bundle.py`: pyrage, cryptography, rfc8785 and nothing of ours), it
//! reports what `aigaq inspect` reports, and it refuses a tampered bundle.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

const ORG: &str = "KIBHR Almaty";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/verify_bundle.py")
}

/// Fails (never skips) when the verifier's Python packages are missing.
fn require_python_packages() {
    let out = Command::new("python3")
        .args(["-c", "import pyrage, cryptography, rfc8785"])
        .output();
    let ok = matches!(&out, Ok(o) if o.status.success());
    assert!(
        ok,
        "the independent bundle verifier needs Python 3 with pyrage, cryptography and rfc8785; \
         run: pip install -r tests/python/requirements.txt ({})",
        match &out {
            Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
            Err(e) => e.to_string(),
        }
    );
}

fn python_verify(bundle: &Path, key: &Path) -> Output {
    Command::new("python3")
        .arg(script())
        .arg(bundle)
        .arg(key)
        .output()
        .expect("run python3")
}

use common::OrgSetup as Setup;

fn setup() -> Setup {
    require_python_packages();
    let t = Setup::new(ORG);
    // A non-ASCII name exercises the canonical form of the manifest's optional field.
    t.s.cmd(&["device-name", "Команда «Север»"])
        .assert()
        .success();
    t
}

fn testimony(narrative: &str, identity: &str) -> String {
    testimony_for(narrative, identity, ORG)
}

fn testimony_for(narrative: &str, identity: &str, org: &str) -> String {
    json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": identity, "share_with": [org]},
        "witness": {"name": "Айгүл Сәрсенова", "contact": "+7 701 000 00 00", "pseudonym": "W-7"},
        "narrative": narrative,
    })
    .to_string()
}

impl Setup {
    fn export(&self, name: &str, extra: &[&str]) -> PathBuf {
        let out = self.s.root.path().join(name);
        let mut args = vec!["export", "--to", ORG, "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.s.cmd(&args).assert().success();
        out
    }

    fn inspect(&self, bundle: &Path) -> Value {
        let out = self
            .s
            .bare()
            .args([
                "inspect",
                "--identity",
                self.key.to_str().unwrap(),
                "--json",
            ])
            .arg(bundle)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    }

    fn decrypt(&self, bundle: &Path) -> Vec<u8> {
        common::age_decrypt(bundle, &self.key)
    }

    fn encrypt(&self, plain: &[u8], name: &str) -> PathBuf {
        let path = self.s.root.path().join(name);
        common::age_encrypt(plain, &self.recipient, &path);
        path
    }
}

/// Runs the Python verifier, asserts it passed, and returns its summary.
fn verified(t: &Setup, bundle: &Path) -> Value {
    let out = python_verify(bundle, &t.key);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the independent verifier refused {}: {}",
        bundle.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the verifier prints JSON")
}

fn records(report: &Value) -> Vec<(String, String)> {
    report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["revision"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn assert_agrees(python: &Value, ours: &Value) {
    assert_eq!(python["bundle_id"], ours["bundle_id"]);
    assert_eq!(python["sender_device_key"], ours["sender_device_key"]);
    assert_eq!(python["sender_name"], ours["sender_name"]);
    assert_eq!(ours["sender_name"], "Команда «Север»");
    assert_eq!(python["ledger_entries"], ours["ledger_entries"]);
    assert_eq!(records(python), records(ours));
    let mut ours_attachments: Vec<&str> = ours["attachments"]
        .as_array()
        .map(|a| a.iter().map(|x| x["sha256"].as_str().unwrap()).collect())
        .unwrap_or_default();
    ours_attachments.sort();
    assert_eq!(python["attachments"], json!(ours_attachments));
}

#[test]
fn bundles_verify_with_an_independent_implementation() {
    let t = setup();
    // The middle testimony is not for this organisation, so the bundle's ledger has a gap
    // (its `prev` chain is only checked across consecutive entries).
    let ids = t.s.add(&format!(
        "[{}, {}, {}]",
        testimony(
            "Показания: «задержан 12.01», 43.238° N — \u{1F600} tab\there",
            "pseudonymous"
        ),
        testimony_for("for another organisation", "named", "Other Org"),
        testimony("Named statement, ещё одно", "named"),
    ));
    assert_eq!(ids.len(), 3);
    // Evidence travels too: a photo with EXIF and a binary file.
    let clip = t.s.file(
        "clip.bin",
        (0..70_000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>(),
    );
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg");
    t.s.cmd(&[
        "attach",
        &ids[0],
        clip.to_str().unwrap(),
        photo.to_str().unwrap(),
    ])
    .assert()
    .success();
    let ids = vec![ids[0].clone(), ids[2].clone()];

    let binary = t.export("first.age", &[]);
    let python = verified(&t, &binary);
    let ours = t.inspect(&binary);
    assert_agrees(&python, &ours);
    assert!(!ours["ledger_gaps"].as_array().unwrap().is_empty());
    let got: Vec<String> = records(&python).into_iter().map(|(id, _)| id).collect();
    assert_eq!(got, ids);
    assert_eq!(python["attachments"].as_array().unwrap().len(), 2);

    // The second export sends everything again, armored, with photos stripped of metadata.
    let armored = t.export("all.age", &["--all", "--armor", "--strip-metadata"]);
    assert!(std::fs::read(&armored)
        .unwrap()
        .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    let python2 = verified(&t, &armored);
    let ours2 = t.inspect(&armored);
    assert_agrees(&python2, &ours2);
    // The same testimonies; the first one's record differs, as it now lists a derivative of
    // the photo without its EXIF.
    let ids_of = |v: &Value| -> Vec<String> { records(v).into_iter().map(|(id, _)| id).collect() };
    assert_eq!(ids_of(&python2), ids_of(&python));
    assert_ne!(records(&python2)[0], records(&python)[0]);
    assert_eq!(records(&python2)[1], records(&python)[1]);
    assert_ne!(python2["bundle_id"], python["bundle_id"]);
    // The export itself is one ledger entry about the bundle, not about a testimony, so the
    // second bundle carries the same entries.
    assert_eq!(python2["ledger_entries"], python["ledger_entries"]);
}

#[test]
fn the_independent_verifier_refuses_tampered_bundles() {
    let t = setup();
    t.s.add(&format!(
        "[{}, {}]",
        testimony("first statement", "anonymous"),
        testimony("second statement", "anonymous"),
    ));
    let good = t.export("good.age", &[]);
    verified(&t, &good);
    let plain = t.decrypt(&good);

    // Where the first record's bytes lie in the decrypted tar.
    let (offset, size) = {
        let mut archive = tar::Archive::new(&plain[..]);
        let entry = archive
            .entries()
            .unwrap()
            .map(Result::unwrap)
            .find(|e| e.path_bytes().starts_with(b"records/"))
            .expect("a record in the bundle");
        (
            entry.raw_file_position() as usize,
            entry.header().size().unwrap() as usize,
        )
    };
    let record = &plain[offset..offset + size];
    let at = offset
        + record
            .windows(b"first".len())
            .position(|w| w == b"first")
            .expect("the narrative in the record");

    let mut edited = plain.clone();
    edited[at] = b'F';
    let tampered = t.encrypt(&edited, "tampered.age");
    let out = python_verify(&tampered, &t.key);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("does not match its SHA-256"), "{stderr}");
    assert!(out.stdout.is_empty());

    // The padding after the tar must be zero too.
    let mut padded = plain.clone();
    *padded.last_mut().unwrap() = 1;
    let out = python_verify(&t.encrypt(&padded, "padding.age"), &t.key);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("after the end of the archive"), "{stderr}");

    // Not for this key.
    let other = t.s.root.path().join("other.key");
    t.s.stdout(&["keygen", "--out", other.to_str().unwrap()]);
    let out = python_verify(&good, &other);
    assert_eq!(out.status.code(), Some(2));
}
