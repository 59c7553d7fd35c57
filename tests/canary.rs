//! No plaintext on disk: a unique string goes into a narrative and a witness name; after
//! add, edit, search and delete, no file in the vault folder or the temp folder holds it,
//! in UTF-8 or UTF-16.

mod common;

use common::{walk, Scratch};

fn needles(canary: &str) -> Vec<Vec<u8>> {
    let utf16le: Vec<u8> = canary
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let utf16be: Vec<u8> = canary
        .encode_utf16()
        .flat_map(|u| u.to_be_bytes())
        .collect();
    vec![canary.as_bytes().to_vec(), utf16le, utf16be]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn assert_absent(s: &Scratch, canary: &str, stage: &str) {
    let mut scanned = 0;
    for dir in [s.vault(), s.tmp()] {
        for path in walk(&dir) {
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                scanned += 1;
                for n in needles(canary) {
                    assert!(
                        !contains(&bytes, &n),
                        "{stage}: canary found in {}",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(scanned >= 2, "{stage}: nothing was scanned");
    let db = std::fs::read(s.vault().join("vault.db")).unwrap();
    assert!(
        !db.starts_with(b"SQLite format 3"),
        "{stage}: vault.db is plaintext SQLite"
    );
}

#[test]
fn canary_never_reaches_the_disk_in_plaintext() {
    let s = Scratch::new();
    s.init();
    let canary = "CANARY-7f3a9c-Жанаозен-Қарағанды";
    let name = format!("Witness {canary}");
    let t = serde_json::json!({
        "schema": "aigaq/testimony/1",
        "witness": {"name": name, "pseudonym": "W-1"},
        "narrative": format!("They took me to the basement. {canary}. Then the beating began."),
    });
    let ids = s.add(&t.to_string());
    assert_absent(&s, canary, "after add");

    let mut edited = t.clone();
    edited["narrative"] =
        format!("Corrected: {canary}, the basement of the district station").into();
    let f = s.file("edit.json", edited.to_string());
    // The input file itself is the user's; remove it before scanning.
    s.cmd(&["edit", &ids[0], "--json", f.to_str().unwrap()])
        .assert()
        .success();
    std::fs::remove_file(&f).unwrap();
    std::fs::remove_file(s.root.path().join("input.json")).unwrap();
    assert_absent(&s, canary, "after edit");

    let hits = s.stdout(&["search", "basement", "--json"]);
    assert!(hits.contains(&ids[0]));
    let found = s.stdout(&["search", "Жанаозен", "--json"]);
    assert!(
        found.contains(&ids[0]),
        "search by the Cyrillic canary word failed"
    );
    assert_absent(&s, canary, "after search");

    s.cmd(&["delete", &ids[0], "--yes"]).assert().success();
    assert_absent(&s, canary, "after delete");
    let found = s.stdout(&["search", "Жанаозен", "--json"]);
    assert!(!found.contains(&ids[0]));
}
