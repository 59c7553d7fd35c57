//! The reader with signed bundles made here, so that a record can be wrong in ways only a
//! sender holding the key could make it: checks done on other threads still run for every
//! entry and record, and the first failure in the bundle's order is the one reported.

use serde_json::json;

use super::inspect::{read_plaintext, Discard};
use super::manifest::{FileEntry, LedgerRange, Manifest, Sender, FORMAT};
use crate::canonical;
use crate::custody::{DeviceKeys, Entry};

struct Bundle {
    keys: DeviceKeys,
    entries: Vec<Entry>,
    /// (path, bytes) of the records, in order.
    records: Vec<(String, Vec<u8>)>,
    /// A file at the end that the manifest does not list.
    unlisted: Option<(String, Vec<u8>)>,
}

fn id(n: usize) -> String {
    format!("01890000-0000-7000-8000-{n:012}")
}

fn record(n: usize) -> Vec<u8> {
    canonical::value_to_bytes(&json!({
        "format": "aigaq/revision/1",
        "testimony": id(n),
        "number": 1,
        "parent": null,
        "saved_at": "2026-01-02T03:04:05Z",
        "content": {"schema": "aigaq/testimony/1", "narrative": format!("testimony {n}")},
    }))
}

impl Bundle {
    /// `n` records, each vouched for by a `create` entry.
    fn new(n: usize) -> Self {
        let new = DeviceKeys::generate().unwrap();
        let keys = DeviceKeys::load(&new.signing_pkcs8, &new.age_identity).unwrap();
        let mut b = Bundle {
            keys,
            entries: Vec::new(),
            records: Vec::new(),
            unlisted: None,
        };
        for i in 0..n {
            let bytes = record(i);
            let rev = canonical::sha256_hex(&bytes);
            b.push_entry(&id(i), &rev);
            b.records
                .push((format!("records/{}/{rev}.json", id(i)), bytes));
        }
        b
    }

    fn push_entry(&mut self, record: &str, rev: &str) {
        let mut e = Entry {
            seq: self.entries.len() as i64 + 1,
            prev: self.entries.last().map(Entry::hash),
            at: "2026-01-02T03:04:05Z".into(),
            kind: "create".into(),
            record: record.into(),
            revision: Some(rev.into()),
            device: self.keys.public_key_b64(),
            sig: String::new(),
        };
        e.sig = self.keys.sign_b64(&e.signed_bytes());
        self.entries.push(e);
    }

    /// Replaces record `i` with `bytes`, named by their hash, still vouched for if `vouched`.
    fn replace_record(&mut self, i: usize, bytes: Vec<u8>, vouched: bool) {
        let rev = canonical::sha256_hex(&bytes);
        self.records[i] = (format!("records/{}/{rev}.json", id(i)), bytes);
        if vouched {
            self.push_entry(&id(i), &rev);
        }
    }

    /// The signed tar stream.
    fn tar(&self, ledger: Option<Vec<u8>>) -> Vec<u8> {
        self.tar_edited(ledger, |m| m)
    }

    /// The tar stream with its manifest text changed by `edit` before it is signed.
    fn tar_edited(&self, ledger: Option<Vec<u8>>, edit: impl Fn(String) -> String) -> Vec<u8> {
        self.tar_signed_by(&self.keys, ledger, edit)
    }

    /// [`Self::tar_edited`], the manifest signed with `signer`'s key (whatever it names).
    fn tar_signed_by(
        &self,
        signer: &DeviceKeys,
        ledger: Option<Vec<u8>>,
        edit: impl Fn(String) -> String,
    ) -> Vec<u8> {
        let ledger = ledger.unwrap_or_else(|| {
            let mut out = Vec::new();
            for e in &self.entries {
                e.write_canonical(&mut out);
                out.push(b'\n');
            }
            out
        });
        let mut files = vec![("ledger.jsonl".to_owned(), ledger)];
        files.extend(self.records.iter().cloned());
        let manifest = canonical::to_bytes(&Manifest {
            format: FORMAT.into(),
            bundle_id: "01890000-0000-7000-8000-999999999999".into(),
            created: "2026-01-02T03:04:05Z".into(),
            sender: Sender {
                device_key: self.keys.public_key_b64(),
                age_recipient: self.keys.age_recipient(),
                name: None,
            },
            ledger: LedgerRange {
                first: 1,
                last: self.entries.len() as i64,
            },
            entries: files
                .iter()
                .map(|(path, bytes)| FileEntry {
                    path: path.clone(),
                    size: bytes.len() as u64,
                    sha256: canonical::sha256_hex(bytes),
                })
                .collect(),
        })
        .unwrap();
        let manifest = edit(String::from_utf8(manifest).unwrap()).into_bytes();
        let sig = signer.sign_b64(&manifest) + "\n";
        let mut t = tar::Builder::new(Vec::new());
        let all = [
            ("manifest.json".to_owned(), manifest),
            ("manifest.sig".to_owned(), sig.into_bytes()),
        ];
        for (path, bytes) in all.iter().chain(files.iter()).chain(&self.unlisted) {
            let mut h = tar::Header::new_ustar();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o600);
            h.set_entry_type(tar::EntryType::Regular);
            t.append_data(&mut h, path, &bytes[..]).unwrap();
        }
        t.into_inner().unwrap()
    }

    fn error(&self, ledger: Option<Vec<u8>>) -> String {
        match read_plaintext(&self.tar(ledger)[..], Discard) {
            Ok(r) => panic!("accepted: {} records", r.records.len()),
            Err(e) => e.to_string(),
        }
    }
}

/// Record bytes that are valid JSON but not canonical (a space added).
fn not_canonical(n: usize) -> Vec<u8> {
    let mut bytes = record(n);
    bytes.insert(1, b' ');
    bytes
}

#[test]
fn a_long_bundle_verifies_with_every_record_reported_in_order() {
    let b = Bundle::new(300);
    let report = read_plaintext(&b.tar(None)[..], Discard).unwrap();
    assert_eq!(report.ledger_entries, 300);
    let ids: Vec<String> = report.records.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, (0..300).map(id).collect::<Vec<_>>());
}

#[test]
fn a_record_not_in_canonical_form_is_refused_before_a_later_unvouched_one() {
    let mut b = Bundle::new(40);
    b.replace_record(20, not_canonical(20), true);
    let mut unvouched = record(30);
    unvouched.push(b' ');
    b.replace_record(30, unvouched, false);
    let e = b.error(None);
    assert!(
        e.contains(&id(20)) && e.contains("not in canonical form"),
        "{e}"
    );
}

#[test]
fn an_unvouched_record_is_refused_before_a_later_one_not_in_canonical_form() {
    let mut b = Bundle::new(40);
    let mut other = record(20);
    other.extend_from_slice(b" ");
    b.replace_record(20, other, false);
    b.replace_record(30, not_canonical(30), true);
    let e = b.error(None);
    assert!(
        e.contains(&id(20)) && e.contains("no signed ledger entry"),
        "{e}"
    );
}

#[test]
fn a_record_that_is_not_a_testimony_is_refused() {
    let mut b = Bundle::new(10);
    let bad = canonical::value_to_bytes(&json!({
        "format": "aigaq/revision/1",
        "testimony": id(5),
        "content": {"schema": "aigaq/testimony/1", "narrative": "   "},
    }));
    b.replace_record(5, bad, true);
    let e = b.error(None);
    assert!(e.contains(&id(5)) && e.contains("narrative"), "{e}");
}

#[test]
fn a_bad_ledger_signature_is_reported_before_any_record_problem() {
    let mut b = Bundle::new(40);
    b.replace_record(3, not_canonical(3), true);
    // Entry 35 signed by another key: found on the checking thread, after the reader has
    // moved on to the records.
    let other = DeviceKeys::generate().unwrap();
    let other = DeviceKeys::load(&other.signing_pkcs8, &other.age_identity).unwrap();
    let mut entries = b.entries.clone();
    entries[34].sig = other.sign_b64(&entries[34].signed_bytes());
    let mut ledger = Vec::new();
    for e in &entries {
        e.write_canonical(&mut ledger);
        ledger.push(b'\n');
    }
    let e = b.error(Some(ledger));
    assert!(
        e.contains("ledger.jsonl line 35: the signature of entry 35 does not verify"),
        "{e}"
    );
}

#[test]
fn a_record_problem_is_reported_before_a_problem_with_a_later_file() {
    let mut b = Bundle::new(40);
    b.replace_record(38, not_canonical(38), true);
    b.unlisted = Some(("records/extra.json".into(), b"{}".to_vec()));
    let e = b.error(None);
    assert!(
        e.contains(&id(38)) && e.contains("not in canonical form"),
        "{e}"
    );
}

#[test]
fn a_manifest_alone_without_its_signature_is_refused() {
    // A manifest listing nothing needs no other file; without manifest.sig after it, the
    // reader must still refuse it rather than report an unverified sender.
    let keys = DeviceKeys::generate().unwrap();
    let keys = DeviceKeys::load(&keys.signing_pkcs8, &keys.age_identity).unwrap();
    let manifest = canonical::to_bytes(&Manifest {
        format: FORMAT.into(),
        bundle_id: "01890000-0000-7000-8000-999999999999".into(),
        created: "2026-01-02T03:04:05Z".into(),
        sender: Sender {
            device_key: keys.public_key_b64(),
            age_recipient: keys.age_recipient(),
            name: None,
        },
        ledger: LedgerRange { first: 0, last: 0 },
        entries: Vec::new(),
    })
    .unwrap();
    let mut t = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(manifest.len() as u64);
    h.set_mode(0o600);
    h.set_entry_type(tar::EntryType::Regular);
    t.append_data(&mut h, "manifest.json", &manifest[..])
        .unwrap();
    let err = read_plaintext(&t.into_inner().unwrap()[..], Discard).unwrap_err();
    assert!(err.to_string().contains("unsigned"), "{err}");
}

#[test]
fn a_signed_manifest_in_any_but_its_one_form_is_refused() {
    let b = Bundle::new(2);
    let refused = |edit: &dyn Fn(String) -> String| {
        read_plaintext(&b.tar_edited(None, edit)[..], Discard)
            .unwrap_err()
            .to_string()
    };
    let ledger_sha = {
        let mut out = Vec::new();
        for e in &b.entries {
            e.write_canonical(&mut out);
            out.push(b'\n');
        }
        canonical::sha256_hex(&out)
    };
    let upper = refused(&|m| m.replace(&ledger_sha, &ledger_sha.to_uppercase()));
    assert!(upper.contains("not 64 lower-case hex digits"), "{upper}");
    let spaced = refused(&|m| m.replacen(",\"created\"", ", \"created\"", 1));
    assert!(spaced.contains("canonical form"), "{spaced}");
    let null_name = refused(&|m| m.replacen("\"sender\":{", "\"sender\":{\"name\":null,", 1));
    assert!(null_name.contains("canonical form"), "{null_name}");
    let extra = refused(&|m| m.replacen("{\"bundle_id\"", "{\"a\":1,\"bundle_id\"", 1));
    assert!(extra.contains("unknown field"), "{extra}");
    let later = refused(&|m| {
        m.replacen("{\"bundle_id\"", "{\"a\":1,\"bundle_id\"", 1)
            .replace(FORMAT, "aigaq-bundle/2")
    });
    assert!(later.contains("unknown bundle format"), "{later}");
    let twice = refused(&|m| {
        let first = m.find("{\"path\"").unwrap();
        let end = first + m[first..].find('}').unwrap() + 1;
        let entry = m[first..end].to_owned();
        format!("{}{entry},{}", &m[..first], &m[first..])
    });
    assert!(twice.contains("twice"), "{twice}");
    let elsewhere = refused(&|m| m.replacen("\"path\":\"records/", "\"path\":\"records/../", 1));
    assert!(
        elsewhere.contains("not a file an aigaq-bundle/1 holds"),
        "{elsewhere}"
    );
    // What it says must be true of the bundle: the ledger's range, and a reply address
    // an acknowledgement can be encrypted to.
    let range = refused(&|m| m.replacen("\"last\":2", "\"last\":99", 1));
    assert!(
        range.contains("gives the ledger as entries 1 to 99, but ledger.jsonl holds 1 to 2"),
        "{range}"
    );
    let reply = refused(&|m| m.replacen(&b.keys.age_recipient(), "age1bogus", 1));
    assert!(reply.contains("sender.age_recipient"), "{reply}");
    let upper = b.keys.age_recipient().to_uppercase();
    let shouted = refused(&|m| m.replacen(&b.keys.age_recipient(), &upper, 1));
    assert!(shouted.contains("one written form"), "{shouted}");
    // And untouched, it reads.
    read_plaintext(&b.tar_edited(None, |m| m)[..], Discard).unwrap();
}

#[test]
fn a_manifest_signed_by_another_key_is_refused_before_its_list_is_read() {
    // Anyone can encrypt to an organisation: a manifest nobody signed must cost no more
    // than its bytes, so its list, however long or broken, is not parsed before the
    // signature is checked.
    let b = Bundle::new(2);
    let other = DeviceKeys::generate().unwrap();
    let other = DeviceKeys::load(&other.signing_pkcs8, &other.age_identity).unwrap();
    let broken_list = |m: String| m.replacen("\"entries\":[", "\"entries\":[7,", 1);
    let err = read_plaintext(&b.tar_signed_by(&other, None, broken_list)[..], Discard)
        .unwrap_err()
        .to_string();
    assert!(err.contains("signature does not verify"), "{err}");
    // Signed by its sender, the same list is refused for what it is.
    let err = read_plaintext(&b.tar_edited(None, broken_list)[..], Discard)
        .unwrap_err()
        .to_string();
    assert!(err.contains("manifest.json: invalid type"), "{err}");
}

/// The bundle's tar stream encrypted to `org`, written to `path`.
fn encrypted(tar: &[u8], org: &super::OrgKey, path: &std::path::Path) {
    use std::io::Write;
    let recipient = super::org_key::parse_recipient(&org.recipient()).unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
        .unwrap();
    let mut w = enc
        .wrap_output(std::fs::File::create(path).unwrap())
        .unwrap();
    w.write_all(tar).unwrap();
    w.finish().unwrap();
}

/// A device sends only its own testimonies: a second device's bundle that carries a
/// testimony id already received from the first is refused whole, and merges nothing.
#[test]
fn a_second_device_cannot_add_revisions_under_another_devices_testimony() {
    let dir = tempfile::tempdir().unwrap();
    let pass = crate::Passphrase::new("correct horse battery staple".into()).unwrap();
    let mut vault = crate::Vault::init(
        &dir.path().join("org"),
        &pass,
        crate::KdfParams::new(8, 1).unwrap(),
    )
    .unwrap();
    let org = super::OrgKey::generate();
    let (first, second) = (dir.path().join("first.age"), dir.path().join("second.age"));
    encrypted(&Bundle::new(2).tar(None), &org, &first);
    // Another device, its record 1 under the same id as the first device's record 1.
    encrypted(&Bundle::new(2).tar(None), &org, &second);
    let store = vault.store_mut();
    store.import(&[&first], &org).unwrap();
    let before = store.received().unwrap().len();
    let e = store.import(&[&second], &org).unwrap_err().to_string();
    assert!(
        e.contains("which was received before from another device") && e.contains("second.age"),
        "{e}"
    );
    assert_eq!(store.received().unwrap().len(), before);
}
