//! Export and inspection of `aigaq-bundle/1`: consent decides what leaves and for whom, and
//! a receiver refuses every altered, foreign or hostile bundle with exit 2.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use common::Scratch;
use predicates::prelude::*;
use serde_json::{json, Value};

const ORG: &str = "KIBHR Almaty";

use common::OrgSetup as Setup;

fn setup() -> Setup {
    Setup::new(ORG)
}

fn testimony(narrative: &str, identity: &str, share_with: &[&str]) -> String {
    json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": identity, "share_with": share_with},
        "witness": {"name": "Secret Witness Name", "contact": "+7 701 000 00 00", "pseudonym": "W-9"},
        "narrative": narrative,
    })
    .to_string()
}

impl Setup {
    fn export(&self, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
        let mut args = vec!["export", "--to", ORG, "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.s.cmd(&args).assert()
    }

    fn inspect(&self, bundle: &Path) -> assert_cmd::assert::Assert {
        self.s
            .bare()
            .args([
                "inspect",
                "--identity",
                self.key.to_str().unwrap(),
                "--json",
            ])
            .arg(bundle)
            .assert()
    }

    fn plaintext(&self, bundle: &Path) -> Vec<u8> {
        common::age_decrypt(bundle, &self.key)
    }

    fn encrypt(&self, plain: &[u8], name: &str) -> PathBuf {
        let path = self.s.root.path().join(name);
        common::age_encrypt(plain, &self.recipient, &path);
        path
    }
}

/// The files of a tar, in order.
fn untar(plain: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(plain);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (path, bytes)
        })
        .collect()
}

fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        if path.contains("..") || path.starts_with('/') {
            // Set the name directly: the tar crate refuses to write hostile names.
            let name = path.as_bytes();
            h.as_old_mut().name[..name.len()].copy_from_slice(name);
            h.set_cksum();
            b.append(&h, &bytes[..]).unwrap();
        } else {
            b.append_data(&mut h, path, &bytes[..]).unwrap();
        }
    }
    b.into_inner().unwrap()
}

#[test]
fn export_sends_only_what_consent_allows_without_names_unless_named() {
    let t = setup();
    let ids = t.s.add(&format!(
        "[{}, {}, {}]",
        testimony("pseudonymous statement", "pseudonymous", &[ORG]),
        testimony("named statement", "named", &["kibhr almaty"]),
        testimony("for someone else only", "named", &["Other Org"]),
    ));
    let out = t.s.root.path().join("b.age");
    t.export(&out, &[]).success();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&out).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    let raw = std::fs::read(&out).unwrap();
    assert!(raw.starts_with(b"age-encryption.org/v1"));
    assert!(!String::from_utf8_lossy(&raw).contains("statement"));

    let report: Value =
        serde_json::from_slice(&t.inspect(&out).success().get_output().stdout).unwrap();
    let got: Vec<&str> = report["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[0].as_str(), ids[1].as_str()]);

    let files = untar(&t.plaintext(&out));
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        &names[..3],
        &["manifest.json", "manifest.sig", "ledger.jsonl"]
    );
    let record = |i: usize| String::from_utf8(files[3 + i].1.clone()).unwrap();
    assert!(!record(0).contains("Secret Witness Name") && !record(0).contains("+7 701"));
    assert!(record(0).contains("W-9"));
    assert!(record(1).contains("Secret Witness Name"));
    // The size is padded.
    assert!(t.plaintext(&out).len() >= 64 * 1024);
    t.s.cmd(&["verify"]).assert().success();
}

#[test]
fn exports_are_incremental_unless_all() {
    let t = setup();
    let ids = t.s.add(&format!(
        "[{}, {}]",
        testimony("one", "anonymous", &[ORG]),
        testimony("two", "anonymous", &[ORG])
    ));
    t.export(&t.s.root.path().join("1.age"), &[]).success();
    t.export(&t.s.root.path().join("2.age"), &[])
        .code(1)
        .stderr(predicate::str::contains("nothing to export"));
    let f =
        t.s.file("e.json", testimony("two, corrected", "anonymous", &[ORG]));
    t.s.cmd(&["edit", &ids[1], "--json", f.to_str().unwrap()])
        .assert()
        .success();
    let third = t.s.root.path().join("3.age");
    t.export(&third, &[]).success();
    let r: Value =
        serde_json::from_slice(&t.inspect(&third).success().get_output().stdout).unwrap();
    assert_eq!(r["records"].as_array().unwrap().len(), 1);
    assert_eq!(r["records"][0]["id"], ids[1].as_str());
    let all = t.s.root.path().join("all.age");
    t.export(&all, &["--all", "--armor"]).success();
    assert!(std::fs::read(&all)
        .unwrap()
        .starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    let r: Value = serde_json::from_slice(&t.inspect(&all).success().get_output().stdout).unwrap();
    assert_eq!(r["records"].as_array().unwrap().len(), 2);
    t.s.cmd(&["verify"]).assert().success();
}

#[test]
fn several_recipients_get_separate_bundles_with_names_that_say_nothing() {
    let t = setup();
    let other_key = t.s.root.path().join("other.key");
    let other =
        t.s.stdout(&["keygen", "--out", other_key.to_str().unwrap()])
            .trim()
            .to_owned();
    t.s.cmd(&["recipient", "add", "Other Org", &other])
        .assert()
        .success();
    t.s.add(&format!(
        "[{}, {}]",
        testimony("for both", "anonymous", &[ORG, "Other Org"]),
        testimony("for KIBHR only", "anonymous", &[ORG])
    ));
    let dir = t.s.root.path().join("out");
    let printed = t.s.stdout(&[
        "export",
        "--to",
        ORG,
        "--to",
        "Other Org",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        let (path, _) = line.split_once('\t').unwrap();
        let name = Path::new(path).file_name().unwrap().to_str().unwrap();
        assert!(
            name.len() == 36 && name.ends_with(".age") && !name.contains("KIBHR"),
            "{name}"
        );
    }
    let kibhr = PathBuf::from(lines[0].split_once('\t').unwrap().0);
    let r: Value =
        serde_json::from_slice(&t.inspect(&kibhr).success().get_output().stdout).unwrap();
    assert_eq!(r["records"].as_array().unwrap().len(), 2);
    // The other organisation's bundle cannot be opened with KIBHR's key.
    let other_bundle = PathBuf::from(lines[1].split_once('\t').unwrap().0);
    t.inspect(&other_bundle)
        .code(2)
        .stderr(predicate::str::contains("could not decrypt"));

    // Later, something new for KIBHR only: the other organisation, with nothing new, gets
    // no bundle and is named, and KIBHR given twice still gets one bundle.
    t.s.add(&testimony("later, for KIBHR", "anonymous", &[ORG]));
    let later = t.s.root.path().join("later");
    let out =
        t.s.cmd(&[
            "export",
            "--to",
            ORG,
            "--to",
            "Other Org",
            "--to",
            "kibhr almaty",
        ])
        .args(["--out", later.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("Nothing new for \"Other Org\""))
        .get_output()
        .clone();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    assert_eq!(std::fs::read_dir(&later).unwrap().count(), 1);
    // Nothing new for anyone: an error, and no empty folder left behind.
    let none = t.s.root.path().join("none");
    t.s.cmd(&["export", "--to", ORG, "--to", "Other Org"])
        .args(["--out", none.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing to export"));
    assert!(!none.exists());
    // An unknown name stops it before anything is written.
    t.s.add(&testimony("one more", "anonymous", &[ORG]));
    t.s.cmd(&["export", "--to", ORG, "--to", "Nobody"])
        .args(["--out", none.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no recipient named \"Nobody\""));
    assert!(!none.exists());

    // One organisation's bundle fails after another's was written: the command fails, and
    // names the bundle that was written and counts as sent.
    let id = t.s.add(&testimony(
        "with a damaged photo",
        "anonymous",
        &["Other Org"],
    ))[0]
        .clone();
    let photo =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg"))
            .unwrap();
    let cut = t.s.file("cut.jpg", &photo[..photo.len() - 2]);
    t.s.cmd(&["attach", &id, cut.to_str().unwrap()])
        .assert()
        .success();
    let partly = t.s.root.path().join("partly");
    t.s.cmd(&[
        "export",
        "--strip-metadata",
        "--to",
        ORG,
        "--to",
        "Other Org",
    ])
    .args(["--out", partly.to_str().unwrap()])
    .assert()
    .code(1)
    .stderr(
        predicate::str::contains("Written and recorded as sent")
            .and(predicate::str::contains("for \"KIBHR Almaty\""))
            .and(predicate::str::contains(
                "the bundle for \"Other Org\" was not written",
            )),
    );
    assert_eq!(std::fs::read_dir(&partly).unwrap().count(), 1);
}

#[test]
fn altered_foreign_and_hostile_bundles_are_refused_with_exit_2() {
    let t = setup();
    t.s.add(&format!(
        "[{}, {}]",
        testimony("first", "anonymous", &[ORG]),
        testimony("second", "anonymous", &[ORG])
    ));
    let good = t.s.root.path().join("good.age");
    t.export(&good, &[]).success();
    t.inspect(&good).success();
    let files = untar(&t.plaintext(&good));
    let raw = std::fs::read(&good).unwrap();

    let mut cases: Vec<(&str, PathBuf, &str)> = Vec::new();
    let mut flipped = raw.clone();
    let at = flipped.len() / 2;
    flipped[at] ^= 0x01;
    cases.push((
        "bit flip",
        t.s.file("flip.age", &flipped),
        "damaged or cut short",
    ));
    cases.push((
        "truncated",
        t.s.file("cut.age", &raw[..raw.len() - 200]),
        "damaged or cut short",
    ));
    cases.push((
        "truncated header",
        t.s.file("head.age", &raw[..40]),
        "could not decrypt",
    ));
    cases.push((
        "not age at all",
        t.s.file("junk.age", b"hello"),
        "could not decrypt",
    ));

    let mut edited = files.clone();
    edited[3].1 = String::from_utf8(edited[3].1.clone())
        .unwrap()
        .replace("first", "FIRST")
        .into_bytes();
    cases.push((
        "record edited and re-encrypted",
        t.encrypt(&tar_of(&edited), "edit.age"),
        "does not match its SHA-256",
    ));

    let mut m = files.clone();
    m[0].1 = String::from_utf8(m[0].1.clone())
        .unwrap()
        .replace("2026", "2025")
        .into_bytes();
    cases.push((
        "manifest edited and re-encrypted",
        t.encrypt(&tar_of(&m), "man.age"),
        "signature does not verify",
    ));

    // Ledger signatures are checked on a second thread; a bad one is still named by its
    // line, and reported before any problem found after it.
    let alter_sig = |line: &str| {
        let (head, sig) = line.split_once("\"sig\":\"").unwrap();
        let first = if sig.starts_with('A') { "B" } else { "A" };
        format!("{head}\"sig\":\"{first}{}", &sig[1..])
    };
    let ledger = String::from_utf8(files[2].1.clone()).unwrap();
    let lines: Vec<&str> = ledger.lines().collect();
    assert!(lines.len() >= 2, "{ledger}");
    let mut bad_sig = files.clone();
    bad_sig[2].1 = format!("{}\n{}\n", lines[0], alter_sig(lines[1])).into_bytes();
    cases.push((
        "ledger entry with a bad signature",
        t.encrypt(&tar_of(&bad_sig), "badsig.age"),
        "ledger.jsonl line 2: the signature of entry",
    ));
    // The same size, so that the manifest's size check lets the ledger be read.
    let mut bad_then_worse = files.clone();
    let broken = format!("{}]", lines[1].strip_suffix('}').unwrap());
    bad_then_worse[2].1 = format!("{}\n{broken}\n", alter_sig(lines[0])).into_bytes();
    cases.push((
        "bad signature, then a line that is not JSON",
        t.encrypt(&tar_of(&bad_then_worse), "badsig2.age"),
        "ledger.jsonl line 1: the signature of entry",
    ));

    let mut v = files.clone();
    v[0].1 = String::from_utf8(v[0].1.clone())
        .unwrap()
        .replace("aigaq-bundle/1", "aigaq-bundle/9")
        .into_bytes();
    cases.push((
        "unknown format version",
        t.encrypt(&tar_of(&v), "ver.age"),
        "unknown bundle format",
    ));

    let mut unsigned = files.clone();
    unsigned.remove(1);
    cases.push((
        "unsigned",
        t.encrypt(&tar_of(&unsigned), "unsigned.age"),
        "unsigned",
    ));

    let mut missing = files.clone();
    missing.pop();
    cases.push((
        "missing record",
        t.encrypt(&tar_of(&missing), "missing.age"),
        "missing",
    ));

    let mut extra = files.clone();
    extra.push(("records/extra.json".into(), b"{}".to_vec()));
    cases.push((
        "extra file",
        t.encrypt(&tar_of(&extra), "extra.age"),
        "not listed in the manifest",
    ));

    let mut dup = files.clone();
    dup.push(files[3].clone());
    cases.push((
        "duplicate file",
        t.encrypt(&tar_of(&dup), "dup.age"),
        "appears twice",
    ));

    for (i, evil) in ["../../etc/evil", "/etc/evil", "records/../../evil"]
        .iter()
        .enumerate()
    {
        let mut traversal = files.clone();
        traversal.insert(3, (evil.to_string(), b"x".to_vec()));
        let name = format!("trav{i}.age");
        cases.push((
            "path traversal",
            t.encrypt(&tar_of(&traversal), &name),
            "not listed in the manifest",
        ));
    }

    // A symbolic link where a record should be.
    let mut b = tar::Builder::new(Vec::new());
    for (path, bytes) in &files[..3] {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o600);
        b.append_data(&mut h, path, &bytes[..]).unwrap();
    }
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    b.append_link(&mut h, &files[3].0, "/etc/passwd").unwrap();
    cases.push((
        "symlink",
        t.encrypt(&b.into_inner().unwrap(), "link.age"),
        "not a plain file",
    ));

    // Signed by another device: a whole bundle from a second vault, its manifest swapped in.
    let other = setup_other(&t);
    let mut foreign = files.clone();
    foreign[0] = other[0].clone();
    foreign[1] = other[1].clone();
    cases.push((
        "manifest from another device",
        t.encrypt(&tar_of(&foreign), "foreign.age"),
        "ledger.jsonl is",
    ));

    // The same files with GNU long-name headers, which other tar readers may read otherwise.
    let mut gnu = tar::Builder::new(Vec::new());
    for (path, bytes) in &files {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_mode(0o600);
        gnu.append_data(&mut h, path, &bytes[..]).unwrap();
    }
    cases.push((
        "GNU long-name headers",
        t.encrypt(&gnu.into_inner().unwrap(), "gnu.age"),
        "plain ustar header",
    ));

    // A tar bomb: a header that claims a huge record.
    let mut bomb = tar_of(&files[..3]);
    let mut h = tar::Header::new_ustar();
    h.set_size(1 << 40);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_path(&files[3].0).unwrap();
    h.set_cksum();
    bomb.truncate(bomb.len() - 1024);
    bomb.extend_from_slice(h.as_bytes());
    cases.push((
        "tar bomb",
        t.encrypt(&bomb, "bomb.age"),
        "the manifest says",
    ));

    for (name, path, expected) in cases {
        let out = t.inspect(&path).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{name}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

/// The files of a bundle made by a second, unrelated device for the same organisation.
fn setup_other(t: &Setup) -> Vec<(String, Vec<u8>)> {
    let s = Scratch::new();
    s.init();
    s.cmd(&["recipient", "add", ORG, &t.recipient])
        .assert()
        .success();
    s.add(&testimony("from elsewhere", "anonymous", &[ORG]));
    let out = s.root.path().join("o.age");
    s.cmd(&["export", "--to", ORG, "--out", out.to_str().unwrap()])
        .assert()
        .success();
    untar(&t.plaintext(&out))
}

#[test]
fn import_merges_all_or_nothing_and_idempotently() {
    let t = setup();
    let ids = t.s.add(&format!(
        "[{}, {}]",
        testimony("first", "anonymous", &[ORG]),
        testimony("second", "named", &[ORG])
    ));
    let b1 = t.s.root.path().join("b1.age");
    t.export(&b1, &[]).success();
    // An overlapping bundle: everything again, one testimony revised since.
    let revised = t.s.file(
        "revised.json",
        testimony("first, with more detail", "anonymous", &[ORG]),
    );
    t.s.cmd(&["edit", &ids[0], "--json", revised.to_str().unwrap()])
        .assert()
        .success();
    let all = t.s.root.path().join("all.age");
    t.export(&all, &["--all"]).success();

    // The organisation's own vault.
    let org = Scratch::new();
    org.init();
    let import = |bundles: &[&Path]| {
        let mut c = org.cmd(&["import", "--json", "--identity", t.key.to_str().unwrap()]);
        c.args(bundles);
        c.assert()
    };
    let out: Value = serde_json::from_slice(&import(&[&b1]).success().get_output().stdout).unwrap();
    assert_eq!(out[0]["new_sender"], true);
    assert_eq!(out[0]["new_revisions"], 2);
    let received =
        || -> Value { serde_json::from_str(&org.stdout(&["received", "--json"])).unwrap() };
    assert_eq!(received().as_array().unwrap().len(), 2);
    let ledger_len =
        || -> Value { serde_json::from_str(&org.stdout(&["verify", "--json"])).unwrap() };
    let entries = ledger_len()["entries"].clone();

    // The same bundle again changes nothing.
    let again: Value =
        serde_json::from_slice(&import(&[&b1]).success().get_output().stdout).unwrap();
    assert_eq!(
        (
            again[0]["new_revisions"].clone(),
            again[0]["known_revisions"].clone()
        ),
        (json!(0), json!(2))
    );
    assert_eq!(again[0]["new_sender"], false);
    assert_eq!(ledger_len()["entries"], entries);

    // The overlapping bundle merges: the unchanged testimony is known, the revision and its
    // ledger entry are new.
    let merged: Value =
        serde_json::from_slice(&import(&[&all]).success().get_output().stdout).unwrap();
    assert_eq!(merged[0]["new_revisions"], 1);
    assert_eq!(merged[0]["known_revisions"], 1);
    assert!(merged[0]["new_ledger_entries"].as_u64().unwrap() > 0);
    assert_eq!(received().as_array().unwrap().len(), 3);

    // A bad bundle among good ones: exit 2 and nothing at all is merged.
    t.s.add(&testimony("third", "anonymous", &[ORG]));
    let b3 = t.s.root.path().join("b3.age");
    t.export(&b3, &[]).success();
    let raw = std::fs::read(&b3).unwrap();
    let bad = t.s.file("bad.age", &raw[..raw.len() - 300]);
    let before = received();
    let entries_before = ledger_len()["entries"].clone();
    import(&[&b3, &bad])
        .code(2)
        .stderr(predicate::str::contains("nothing was imported"));
    assert_eq!(received(), before);
    assert_eq!(ledger_len()["entries"], entries_before);
    import(&[&b3]).success();
    assert_eq!(received().as_array().unwrap().len(), 4);
    org.cmd(&["verify"]).assert().success();

    // The collector given its own bundle back (the organisation's key at hand): a mistake,
    // said as one.
    t.s.cmd(&[
        "import",
        "--identity",
        t.key.to_str().unwrap(),
        b3.to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("written by this very device"));
    // A folder where a bundle belongs, or a bundle where the key belongs.
    org.cmd(&["import", "--identity", t.key.to_str().unwrap()])
        .arg(t.s.root.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("it is a folder"));
    org.cmd(&[
        "import",
        "--identity",
        b3.to_str().unwrap(),
        b3.to_str().unwrap(),
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("is not an age identity file"));
}
