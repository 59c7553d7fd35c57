//! Organisation keys and the recipient list, through the CLI.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::Scratch;
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn keygen_writes_a_private_age_key_file_and_prints_its_recipient() {
    let s = Scratch::new();
    let out = s.root.path().join("org.key");
    let printed = s.stdout(&["keygen", "--out", out.to_str().unwrap()]);
    let recipient = printed.trim();
    assert!(
        recipient.starts_with("age1") && recipient.len() == 62,
        "{recipient}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains(&format!("# public key: {recipient}")));
    assert!(text.lines().any(|l| l.starts_with("AGE-SECRET-KEY-1")));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    s.cmd(&["keygen", "--out", out.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing was overwritten"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
}

#[test]
fn keygen_protect_encrypts_the_key_file_with_a_passphrase() {
    let s = Scratch::new();
    let out = s.root.path().join("org.key");
    let pass = s.file("org-pass", "the organisation's passphrase\n");
    s.cmd(&[
        "keygen",
        "--out",
        out.to_str().unwrap(),
        "--protect",
        "--identity-passphrase-file",
    ])
    .arg(&pass)
    .assert()
    .success()
    .stdout(predicate::str::starts_with("age1"));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!String::from_utf8_lossy(&bytes).contains("AGE-SECRET-KEY"));
}

#[test]
fn recipients_are_added_listed_and_removed() {
    let s = Scratch::new();
    s.init();
    let out = s.root.path().join("org.key");
    let recipient = s
        .stdout(&["keygen", "--out", out.to_str().unwrap()])
        .trim()
        .to_owned();
    s.cmd(&["recipient", "add", "KIBHR Almaty", &recipient])
        .assert()
        .success()
        .stderr(predicate::str::contains("fingerprint"));
    let list: Value = serde_json::from_str(&s.stdout(&["recipient", "list", "--json"])).unwrap();
    assert_eq!(list[0]["name"], "KIBHR Almaty");
    assert_eq!(list[0]["recipient"], recipient.as_str());
    assert_eq!(list[0]["fingerprint"].as_str().unwrap().len(), 24);

    s.cmd(&["recipient", "add", "Another name", &recipient])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "already in the recipient list as \"KIBHR Almaty\"",
        ));
    s.cmd(&["recipient", "add", "KIBHR Almaty", "age1qqqq"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a valid age recipient"));
    // A secret key pasted by mistake is refused without being printed back.
    let secret = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    s.cmd(&["recipient", "add", "KIBHR Almaty", secret])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("that is a secret key")
                .and(predicate::str::contains("QQQQQQQQ").not()),
        );
    s.cmd(&["recipient", "add", "  ", &recipient])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("1 to 200 characters"));
    // `export --to` ignores case, so names that differ only in case would be ambiguous;
    // Cyrillic included.
    let other = s.root.path().join("other.key");
    let other = s
        .stdout(&["keygen", "--out", other.to_str().unwrap()])
        .trim()
        .to_owned();
    s.cmd(&["recipient", "add", "Мемориал", &other])
        .assert()
        .success();
    s.cmd(&["recipient", "add", "МЕМОРИАЛ", &recipient])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already in the recipient list"));
    s.cmd(&["recipient", "remove", "мемориал"])
        .assert()
        .success();

    s.cmd(&["recipient", "remove", "KIBHR Almaty"])
        .assert()
        .success();
    s.cmd(&["recipient", "remove", "KIBHR Almaty"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no recipient named"));
    let list: Value = serde_json::from_str(&s.stdout(&["recipient", "list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0);
}
