//! The committed bundle test vector still reads, byte for byte, as it did when made.

use std::io::Read;
use std::path::Path;

use aigaq::bundle::{inspect, OrgKey};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/bundle-1");

fn file(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(DIR).join(name)).unwrap()
}

#[test]
fn the_vector_bundle_verifies_to_the_expected_report() {
    let key = OrgKey::read(&Path::new(DIR).join("org.key"), None).unwrap();
    let mut seen = Vec::new();
    let report = inspect::read_bundle(
        &Path::new(DIR).join("bundle.age"),
        &key,
        inspect::on_records(|id, rev, bytes| {
            seen.push((id.to_owned(), rev.to_owned(), bytes.to_vec()));
            Ok(())
        }),
    )
    .unwrap();
    let expected: serde_json::Value =
        serde_json::from_slice(&file("expected-report.json")).unwrap();
    assert_eq!(serde_json::to_value(&report).unwrap(), expected);
    assert_eq!(seen.len(), 2);
    let first = String::from_utf8(seen[0].2.clone()).unwrap();
    assert!(!first.contains("Name That Must Not Leave") && !first.contains("+7 700"));
    assert!(first.contains("W-1"));
    let second = String::from_utf8(seen[1].2.clone()).unwrap();
    assert!(second.contains("A. Named Witness"));
}

#[test]
fn the_vector_manifest_is_pinned_byte_for_byte() {
    let text = String::from_utf8(file("org.key")).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap();
    let identity: age::x25519::Identity = line.parse().unwrap();
    let bundle = file("bundle.age");
    let dec = age::Decryptor::new(&bundle[..]).unwrap();
    let mut plain = Vec::new();
    dec.decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    let mut archive = tar::Archive::new(&plain[..]);
    let mut first = archive.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(first.path().unwrap().to_str(), Some("manifest.json"));
    let mut manifest = Vec::new();
    first.read_to_end(&mut manifest).unwrap();
    assert_eq!(manifest, file("expected-manifest.json"));
    let value: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    assert_eq!(aigaq::canonical::to_bytes(&value).unwrap(), manifest);
}
