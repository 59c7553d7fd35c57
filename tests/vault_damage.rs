//! A damaged, missing, foreign or busy vault: a clear message, the right exit code, no
//! panic, and not one byte on disk changed.

mod common;

use std::fs;

use common::{snapshot, testimony, Scratch};

fn vault_with_data() -> Scratch {
    let s = Scratch::new();
    s.init();
    // Enough rows that the database spans many pages.
    let many: Vec<String> = (0..200)
        .map(|i| testimony(&format!("testimony number {i} about the events in Almaty")))
        .collect();
    s.add(&format!("[{}]", many.join(",")));
    s
}

/// Runs `args`, then checks the exit code, the message, no panic and an unchanged vault.
fn refused(s: &Scratch, args: &[&str], code: i32, message: &str) {
    let before = snapshot(&s.vault());
    let out = s.cmd(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(message),
        "{args:?}: expected {message:?} in {stderr:?}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(snapshot(&s.vault()), before, "{args:?} changed the vault");
}

#[test]
fn wrong_passphrase_exits_1_and_only_counts_the_attempt() {
    let s = vault_with_data();
    let wrong = s.file("wrong", "not the passphrase at all\n");
    let before = snapshot(&s.vault());
    let mut c = assert_cmd::Command::cargo_bin("aigaq").unwrap();
    let out = c
        .args(["--vault", s.vault().to_str().unwrap(), "--passphrase-file"])
        .arg(&wrong)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));
    // Only the failure count in the keyslots file changed (bytes 294..298 and the checksum).
    let after = snapshot(&s.vault());
    let keyslots = s.vault().join("keyslots");
    for (path, content) in &before {
        if *path != keyslots {
            assert_eq!(after.get(path), Some(content), "{}", path.display());
        }
    }
    let (old, new) = (&before[&keyslots].0, &after[&keyslots].0);
    assert_eq!(old.len(), new.len());
    let changed: Vec<usize> = (0..old.len()).filter(|i| old[*i] != new[*i]).collect();
    assert!(
        changed.iter().all(|i| (294..298).contains(i) || *i >= 302),
        "{changed:?}"
    );
    assert_eq!(u32::from_le_bytes(new[294..298].try_into().unwrap()), 1);
    // The right passphrase (after the one-second wait) opens it and resets the count, so the
    // vault is byte for byte as before.
    s.cmd(&["list"])
        .assert()
        .success()
        .stderr(predicates::str::contains("waits 1 s"));
    assert_eq!(snapshot(&s.vault()), before);
}

#[test]
fn truncated_keyslots_is_an_integrity_failure() {
    let s = vault_with_data();
    let ks = s.vault().join("keyslots");
    let bytes = fs::read(&ks).unwrap();
    fs::write(&ks, &bytes[..bytes.len() / 2]).unwrap();
    refused(&s, &["list"], 2, "keyslots file is damaged");
    fs::write(&ks, b"").unwrap();
    refused(&s, &["list"], 2, "keyslots file is damaged");
}

#[test]
fn corrupted_keyslots_is_an_integrity_failure_not_a_wrong_passphrase() {
    let s = vault_with_data();
    let ks = s.vault().join("keyslots");
    let good = fs::read(&ks).unwrap();
    for at in [0usize, 12, 30, 100, 250, 320] {
        let mut b = good.clone();
        b[at] ^= 0x01;
        fs::write(&ks, &b).unwrap();
        refused(&s, &["list"], 2, "keyslots file is damaged");
    }
}

#[test]
fn truncated_database_is_an_integrity_failure() {
    let s = vault_with_data();
    let db = s.vault().join("vault.db");
    let bytes = fs::read(&db).unwrap();
    assert!(bytes.len() >= 4 * 4096, "test needs a multi-page database");
    fs::write(&db, &bytes[..bytes.len() / 2 + 100]).unwrap();
    refused(&s, &["list"], 2, "vault.db is damaged");
    // Cut on a page boundary: the file looks whole but pages are missing.
    fs::write(&db, &bytes[..4096]).unwrap();
    refused(&s, &["list"], 2, "vault.db is damaged");
    fs::write(&db, b"").unwrap();
    refused(&s, &["list"], 2, "vault.db is damaged");
    fs::remove_file(&db).unwrap();
    refused(&s, &["list"], 2, "vault.db is damaged");
}

#[test]
fn bit_flipped_database_is_an_integrity_failure() {
    let s = vault_with_data();
    let db = s.vault().join("vault.db");
    let good = fs::read(&db).unwrap();
    // First page: every command notices at once.
    let mut b = good.clone();
    b[100] ^= 0x04;
    fs::write(&db, &b).unwrap();
    refused(&s, &["list"], 2, "vault.db is damaged");
    // Any other page: `check` reads them all and finds it.
    for page in [1usize, good.len() / 4096 / 2, good.len() / 4096 - 1] {
        let mut b = good.clone();
        b[page * 4096 + 2000] ^= 0x80;
        fs::write(&db, &b).unwrap();
        refused(&s, &["check"], 2, "vault.db is damaged");
    }
    fs::write(&db, &good).unwrap();
    s.cmd(&["check"]).assert().success();
}

#[test]
fn missing_folder_and_foreign_folder_are_user_errors() {
    let s = Scratch::new();
    refused(&s, &["list"], 1, "the folder does not exist");
    fs::create_dir_all(s.vault()).unwrap();
    fs::write(s.vault().join("notes.txt"), "my own file").unwrap();
    refused(&s, &["list"], 1, "is not an Aigaq vault");
    refused(
        &s,
        &["init", "--kdf-memory-mib", "8", "--kdf-time", "1"],
        1,
        "is not empty",
    );
}

#[test]
fn a_vault_held_by_another_process_is_in_use() {
    let s = vault_with_data();
    let holder = fs::File::open(s.vault()).unwrap();
    holder.lock().unwrap();
    refused(&s, &["list"], 1, "vault is in use");
    refused(
        &s,
        &[
            "add",
            "--json",
            s.file("t.json", testimony("x")).to_str().unwrap(),
        ],
        1,
        "vault is in use",
    );
    drop(holder);
    s.cmd(&["list"]).assert().success();
}

#[test]
fn a_second_app_process_gets_in_use_while_the_first_is_unlocked() {
    // The first process is a real `aigaq list` on a vault with a deliberately slow KDF, so
    // it holds the lock long enough for a second one to try.
    let s = Scratch::new();
    s.cmd(&["init", "--kdf-memory-mib", "64", "--kdf-time", "40"])
        .assert()
        .success();
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("aigaq"))
        .arg("--vault")
        .arg(s.vault())
        .arg("--passphrase-file")
        .arg(s.pass_file())
        .arg("list")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first process holds the lock.
    let probe = fs::File::open(s.vault()).unwrap();
    let mut held = false;
    for _ in 0..200 {
        match probe.try_lock() {
            Ok(()) => {
                probe.unlock().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(_) => {
                held = true;
                break;
            }
        }
    }
    assert!(held, "the first process never took the lock");
    let out = s.cmd(&["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vault is in use"));
    assert!(first.wait().unwrap().success());
}
