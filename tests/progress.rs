//! Progress of long work, as the app's progress bars show it: attaching files, writing a
//! bundle and importing one report bytes done of bytes expected, in order, ending at the
//! whole.

use aigaq::bundle::export::ExportOptions;
use aigaq::bundle::OrgKey;
use aigaq::model::from_value;
use aigaq::progress::{Progress, STEP};
use aigaq::{KdfParams, Passphrase, Vault};
use serde_json::json;

fn check_reports(seen: &[Progress], total: u64) {
    assert!(seen.len() >= 2, "{seen:?}");
    assert!(
        seen.iter().all(|p| p.total == total && p.done <= p.total),
        "{seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done), "{seen:?}");
    assert_eq!(seen.last().map(|p| p.done), Some(total));
}

#[test]
fn attaching_exporting_and_importing_report_how_far_they_got() {
    let dir = tempfile::tempdir().unwrap();
    let pass = Passphrase::new("progress test passphrase".into()).unwrap();
    let mut v = Vault::init(&dir.path().join("v"), &pass, KdfParams::new(8, 1).unwrap()).unwrap();
    let key = OrgKey::generate();
    v.store_mut()
        .add_recipient("Org", &key.recipient())
        .unwrap();
    let t = from_value(json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": "anonymous", "share_with": ["Org"]},
        "narrative": "Filmed from the balcony.",
    }))
    .unwrap();
    let id = v.store_mut().add(&[t]).unwrap()[0].to_string();
    let video = dir.path().join("clip.bin");
    let note = dir.path().join("note.txt");
    // Not all one byte: content is stored once, by its hash.
    let bytes: Vec<u8> = (0..(2 * STEP + 123)).map(|i| (i % 251) as u8).collect();
    std::fs::write(&video, &bytes).unwrap();
    std::fs::write(&note, "what the witness wrote down").unwrap();
    let files_total = bytes.len() as u64 + 27;

    let mut seen = Vec::new();
    v.store_mut()
        .attach_reporting(&id, &[video.as_path(), note.as_path()], &mut |p| {
            seen.push(p)
        })
        .unwrap();
    check_reports(&seen, files_total);

    let out = dir.path().join("b.age");
    let mut seen = Vec::new();
    let report = v
        .store_mut()
        .export_reporting("Org", &out, ExportOptions::default(), &mut |p| seen.push(p))
        .unwrap();
    assert_eq!(report.attachments, 2);
    let total = seen.last().unwrap().total;
    check_reports(&seen, total);
    // The whole is the tar stream inside the encryption, which the padding then follows.
    let plain = decrypt(&out, &key);
    assert!(
        total > files_total && total <= plain.len() as u64,
        "{total} of {}",
        plain.len()
    );
    assert!(plain[total as usize..].iter().all(|&b| b == 0));

    // The organisation's import reads the bundle file through.
    let mut org = Vault::init(
        &dir.path().join("org"),
        &pass,
        KdfParams::new(8, 1).unwrap(),
    )
    .unwrap();
    let mut seen = Vec::new();
    let imported = org
        .store_mut()
        .import_reporting(&[out.as_path()], &key, &mut |p| seen.push(p))
        .unwrap();
    assert_eq!(imported[0].new_attachments, 2);
    check_reports(&seen, std::fs::metadata(&out).unwrap().len());
}

fn decrypt(file: &std::path::Path, key: &OrgKey) -> Vec<u8> {
    use std::io::Read;
    let dec = age::Decryptor::new(std::fs::File::open(file).unwrap()).unwrap();
    let mut out = Vec::new();
    dec.decrypt(std::iter::once(key.identity() as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut out)
        .unwrap();
    out
}
