//! Tampering through a raw connection to the decrypted database, as someone holding the
//! key could: each change to history is found, and the first bad entry is named.

use rusqlite::params;

use crate::model::from_value;
use crate::{Error, KdfParams, Passphrase, Vault};

use super::device::DeviceKeys;

fn vault() -> (tempfile::TempDir, Vault, String) {
    let dir = tempfile::tempdir().unwrap();
    let pass = Passphrase::new("tamper test passphrase".into()).unwrap();
    let mut v = Vault::init(&dir.path().join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap();
    let t = |n: &str| {
        from_value(serde_json::json!({"schema": "aigaq/testimony/1", "narrative": n})).unwrap()
    };
    let id = v.store_mut().add(&[t("first words")]).unwrap().remove(0);
    v.store_mut().edit(id.as_str(), &t("second words")).unwrap();
    v.store_mut().add(&[t("another testimony")]).unwrap();
    (dir, v, id.to_string())
}

fn first_problem(v: &Vault) -> String {
    match v.store().verify_custody() {
        Ok(r) => panic!("tampering not found: {r:?}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(Error::from(e).is_integrity(), "{msg}");
            msg
        }
    }
}

#[test]
fn an_untouched_vault_verifies() {
    let (_d, v, _) = vault();
    let r = v.store().verify_custody().unwrap();
    assert_eq!((r.entries, r.revisions, r.testimonies), (3, 3, 2));
    let ledger = v.store().ledger().unwrap();
    assert_eq!(ledger[0].prev, None);
    assert_eq!(ledger[1].prev.as_deref(), Some(ledger[0].hash().as_str()));
    assert_eq!(ledger[1].kind, "revise");
}

#[test]
fn an_edited_revision_is_found() {
    let (_d, v, id) = vault();
    v.store()
        .conn
        .execute(
            "UPDATE revisions SET body = CAST(replace(CAST(body AS TEXT), 'second', 'altered') AS BLOB)
             WHERE number = 2",
            [],
        )
        .unwrap();
    let msg = first_problem(&v);
    assert!(
        msg.starts_with(&format!("testimony {id}: the content of revision")),
        "{msg}"
    );
}

#[test]
fn an_edited_revision_with_a_recomputed_hash_is_not_in_the_ledger() {
    let (_d, v, id) = vault();
    let c = &v.store().conn;
    let body: Vec<u8> = c
        .query_row(
            "SELECT body FROM revisions WHERE number = 2 AND testimony = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let forged = String::from_utf8(body).unwrap().replace("second", "forged");
    let hash = crate::canonical::sha256_hex(forged.as_bytes());
    c.execute(
        "UPDATE revisions SET body = ?1, hash = ?2 WHERE number = 2 AND testimony = 1",
        params![forged.as_bytes(), hash],
    )
    .unwrap();
    c.execute(
        "UPDATE testimonies SET current_revision = ?1 WHERE n = 1",
        [&hash],
    )
    .unwrap();
    let msg = first_problem(&v);
    assert_eq!(
        msg,
        format!("testimony {id}: revision {hash} is not in the ledger")
    );
}

#[test]
fn a_removed_entry_is_found() {
    let (_d, v, _) = vault();
    v.store()
        .conn
        .execute("DELETE FROM ledger WHERE seq = 2", [])
        .unwrap();
    assert_eq!(
        first_problem(&v),
        "ledger entry 2: missing: the next entry found is number 3"
    );
}

#[test]
fn a_removed_last_entry_leaves_its_revision_unvouched() {
    let (_d, v, _) = vault();
    v.store()
        .conn
        .execute("DELETE FROM ledger WHERE seq = 3", [])
        .unwrap();
    let msg = first_problem(&v);
    assert!(msg.contains("is not in the ledger"), "{msg}");
}

#[test]
fn reordered_entries_are_found() {
    let (_d, v, _) = vault();
    let c = &v.store().conn;
    c.execute_batch(
        "UPDATE ledger SET seq = -1 WHERE seq = 1;
         UPDATE ledger SET seq = 1 WHERE seq = 2;
         UPDATE ledger SET seq = 2 WHERE seq = -1;",
    )
    .unwrap();
    assert_eq!(
        first_problem(&v),
        "ledger entry 1: does not follow the entry before it (its `prev` is not that entry's hash)"
    );
}

#[test]
fn a_forged_signature_is_found() {
    let (_d, v, _) = vault();
    let other = DeviceKeys::generate().unwrap();
    let other = DeviceKeys::load(&other.signing_pkcs8, &other.age_identity).unwrap();
    let entry = &v.store().ledger().unwrap()[1];
    let forged = other.sign_b64(&entry.signed_bytes());
    v.store()
        .conn
        .execute("UPDATE ledger SET sig = ?1 WHERE seq = 2", [&forged])
        .unwrap();
    assert_eq!(
        first_problem(&v),
        "ledger entry 2: its signature does not verify"
    );
    // Re-signing the whole entry with another key does not help either.
    v.store()
        .conn
        .execute(
            "UPDATE ledger SET device = ?1 WHERE seq = 2",
            [other.public_key_b64()],
        )
        .unwrap();
    assert_eq!(
        first_problem(&v),
        "ledger entry 2: was signed by another device"
    );
}

#[test]
fn a_purge_is_recorded_and_verifies() {
    let (_d, mut v, id) = vault();
    v.store_mut().delete(&id).unwrap();
    let ledger = v.store().ledger().unwrap();
    let last = ledger.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.record.as_str()),
        ("purge", id.as_str())
    );
    assert!(
        last.revision.is_some(),
        "the purge keeps the hash of what was deleted"
    );
    v.store().verify_custody().unwrap();
    // Un-deleting behind the ledger's back is found.
    v.store()
        .conn
        .execute("UPDATE testimonies SET purged_at = NULL", [])
        .unwrap();
    let msg = first_problem(&v);
    assert!(
        msg.contains("its deletion does not agree with the ledger"),
        "{msg}"
    );
}

mod canonical_entries {
    use proptest::prelude::*;

    use crate::canonical;
    use crate::custody::Entry;

    /// The entry without `sig`, as `serde_jcs` would see it.
    #[derive(serde::Serialize)]
    struct Unsigned<'a> {
        seq: i64,
        prev: Option<&'a str>,
        at: &'a str,
        kind: &'a str,
        record: &'a str,
        revision: Option<&'a str>,
        device: &'a str,
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z0-9+/=\u{0}-\u{1f}\"\\\\\u{7f}\u{e000}\u{1f600}é]{0,12}",
        ]
    }

    fn entry() -> impl Strategy<Value = Entry> {
        (
            prop_oneof![any::<i64>(), 1i64..100_000],
            proptest::option::of(text()),
            (text(), text(), text()),
            proptest::option::of(text()),
            (text(), text()),
        )
            .prop_map(
                |(seq, prev, (at, kind, record), revision, (device, sig))| Entry {
                    seq,
                    prev,
                    at,
                    kind,
                    record,
                    revision,
                    device,
                    sig,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn entries_encode_as_serde_jcs_does(e in entry()) {
            prop_assert_eq!(e.canonical_bytes(), canonical::to_bytes(&e).unwrap());
            let unsigned = Unsigned {
                seq: e.seq,
                prev: e.prev.as_deref(),
                at: &e.at,
                kind: &e.kind,
                record: &e.record,
                revision: e.revision.as_deref(),
                device: &e.device,
            };
            prop_assert_eq!(e.signed_bytes(), canonical::to_bytes(&unsigned).unwrap());
        }
    }
}
