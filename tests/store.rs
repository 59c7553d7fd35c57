//! The store through the library: schema, pragmas, revisions and search.

use aigaq::model::{from_value, Testimony};
use aigaq::store::SCHEMA_VERSION;
use aigaq::{KdfParams, Passphrase, Vault};
use serde_json::json;

fn light() -> KdfParams {
    KdfParams::new(8, 1).unwrap()
}

fn pass() -> Passphrase {
    Passphrase::new("correct horse battery staple".into()).unwrap()
}

fn t(narrative: &str, place: &str) -> Testimony {
    from_value(json!({
        "schema": "aigaq/testimony/1",
        "narrative": narrative,
        "events": [{"place": {"city": place}, "description": "задержание"}],
    }))
    .unwrap()
}

#[test]
fn migrations_run_from_an_empty_vault_and_again_on_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v");
    let v = Vault::init(&path, &pass(), light()).unwrap();
    assert_eq!(v.store().schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(v.store().count().unwrap(), 0);
    drop(v);
    let v = Vault::unlock(&path, &pass()).unwrap();
    assert_eq!(v.store().schema_version().unwrap(), SCHEMA_VERSION);
    v.store().check_integrity().unwrap();
}

#[test]
fn pragmas_are_as_designed() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault::init(&dir.path().join("v"), &pass(), light()).unwrap();
    let s = v.store();
    assert_eq!(s.pragma("journal_mode").unwrap(), "wal");
    assert_eq!(s.pragma("synchronous").unwrap(), "2"); // FULL
    assert_eq!(s.pragma("temp_store").unwrap(), "2"); // MEMORY
    assert_eq!(s.pragma("secure_delete").unwrap(), "1");
    // Freed memory is wiped by the sqlite-wipe allocator instead (src/store/freed_memory_tests.rs).
    assert_eq!(s.pragma("cipher_memory_security").unwrap(), "0");
    assert!(s.cipher_version().is_some(), "not linked against SQLCipher");
}

#[test]
fn revision_id_is_the_sha256_of_its_canonical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::init(&dir.path().join("v"), &pass(), light()).unwrap();
    let ids = v.store_mut().add(&[t("first words", "Almaty")]).unwrap();
    let rec = v.store().get(ids[0].as_str()).unwrap();
    let bytes = v
        .store()
        .revision_bytes(&rec.revision.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(
        aigaq::canonical::sha256_hex(&bytes),
        rec.revision.to_string()
    );
    let parsed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        aigaq::canonical::to_bytes(&parsed).unwrap(),
        bytes,
        "not canonical"
    );
    assert_eq!(parsed["format"], "aigaq/revision/1");
    assert_eq!(parsed["testimony"], ids[0].as_str());
    assert_eq!(parsed["parent"], serde_json::Value::Null);
    assert_eq!(parsed["content"]["narrative"], "first words");
}

#[test]
fn revisions_are_immutable_and_chained() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::init(&dir.path().join("v"), &pass(), light()).unwrap();
    let id = v.store_mut().add(&[t("one", "Almaty")]).unwrap().remove(0);
    let first = v.store().get(id.as_str()).unwrap().revision;
    let first_bytes = v.store().revision_bytes(&first.to_string()).unwrap();
    v.store_mut()
        .edit(id.as_str(), &t("two", "Almaty"))
        .unwrap();
    v.store_mut()
        .edit(id.as_str(), &t("three", "Almaty"))
        .unwrap();
    let h = v.store().history(id.as_str()).unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0].revision, first);
    assert_eq!(
        v.store().revision_bytes(&first.to_string()).unwrap(),
        first_bytes
    );
    assert_eq!(h[1].parent.as_ref(), Some(&h[0].revision));
    assert_eq!(h[2].parent.as_ref(), Some(&h[1].revision));
    assert_eq!(
        v.store().get(id.as_str()).unwrap().testimony.narrative,
        "three"
    );
}

#[test]
fn search_finds_russian_kazakh_and_english_words_ignoring_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = Vault::init(&dir.path().join("v"), &pass(), light()).unwrap();
    let ids = v
        .store_mut()
        .add(&[
            t("Меня избивали в ОВД и надели пакет на голову.", "Алматы"),
            t(
                "Бізді ҰРЫП-СОҒЫП, тергеушіге Қатыгездікпен жауап алды. Әкемді іздедім.",
                "Қонаев",
            ),
            t("Police beat the Protesters near Republic Square.", "Almaty"),
        ])
        .unwrap();
    let found = |q: &str| -> Vec<String> {
        v.store()
            .search(q, 50)
            .unwrap()
            .into_iter()
            .map(|h| h.id.to_string())
            .collect()
    };
    for (q, who) in [
        ("ИЗБИВАЛИ", 0),
        ("пакет", 0),
        ("овд", 0),
        ("алматы", 0),
        ("ұрып", 1),
        ("ҚАТЫГЕЗДІКПЕН", 1),
        ("қатыгез", 1), // prefix
        ("әкемді", 1),
        ("ӘКЕМДІ", 1),
        ("қонаев", 1),
        ("protesters", 2),
        ("REPUBLIC square", 2),
        ("задержание", 0), // event description is indexed too
    ] {
        let hits = found(q);
        assert!(
            hits.contains(&ids[who].to_string()),
            "{q:?} did not find testimony {who}: {hits:?}"
        );
        if q != "задержание" {
            assert_eq!(hits.len(), 1, "{q:?} found too much: {hits:?}");
        }
    }
    assert!(found("nothinglikethis").is_empty());
    assert!(v.store().search("  ", 10).is_err());
    // FTS syntax is data, not a query language.
    assert!(v.store().search("\"OR NEAR(*", 10).is_ok());
}

#[test]
fn unlock_reports_kdf_and_the_rest_separately() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v");
    drop(Vault::init(&path, &pass(), light()).unwrap());
    let v = Vault::unlock(&path, &pass()).unwrap();
    let t = v.timings();
    assert!(t.kdf > std::time::Duration::ZERO && t.rest > std::time::Duration::ZERO);
}

#[test]
fn errors_have_stable_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v");
    drop(Vault::init(&path, &pass(), light()).unwrap());
    let wrong = Passphrase::new("wrong passphrase!".into()).unwrap();
    assert_eq!(
        Vault::unlock(&path, &wrong).unwrap_err().kind(),
        "wrong_passphrase"
    );
    let _held = Vault::unlock(&path, &pass()).unwrap();
    let e = Vault::unlock(&path, &pass()).unwrap_err();
    assert_eq!(e.kind(), "vault_in_use");
    assert!(!e.is_integrity());
}

#[test]
fn a_common_word_returns_the_limit_and_a_rare_one_is_still_found_among_many() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v");
    let mut v = Vault::init(&path, &pass(), light()).unwrap();
    let n = aigaq::store::search::RANK_WINDOW + 200;
    let mut batch: Vec<Testimony> = (0..n)
        .map(|i| t(&format!("protest number {i} on the square"), "Almaty"))
        .collect();
    batch[3] = t("protest where Ержан was detained", "Талдықорған");
    let ids = v.store_mut().add(&batch).unwrap();
    drop(v); // closing merges the index segments
    let v = Vault::unlock(&path, &pass()).unwrap();
    let hits = v.store().search("PROTEST", 50).unwrap();
    assert_eq!(hits.len(), 50);
    assert!(hits
        .iter()
        .all(|h| h.snippet.to_lowercase().contains("[protest]")));
    let rare = v.store().search("ержан", 50).unwrap();
    assert_eq!(rare.len(), 1);
    assert_eq!(rare[0].id, ids[3]);
    assert!(rare[0].snippet.contains("[Ержан]"), "{}", rare[0].snippet);
    let by_place = v.store().search("талдықорған protest", 50).unwrap();
    assert_eq!(by_place.len(), 1);
}
