//! Evidence attachments: stored encrypted inside the vault and bit for bit, once per
//! content, listed with their risky metadata, carried in bundles and verified while they
//! stream, refused when altered.

mod common;

use std::path::{Path, PathBuf};

use common::{first_record, members, OrgSetup, Scratch};
use predicates::prelude::*;
use serde_json::{json, Value};

const ORG: &str = "KIBHR Almaty";
const CANARY: &str = "AIGAQ-ATTACHMENT-CANARY-5150";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn sha256(bytes: &[u8]) -> String {
    aigaq::canonical::sha256_hex(bytes)
}

fn testimony(narrative: &str) -> String {
    json!({
        "schema": "aigaq/testimony/1",
        "consent": {"informed": true, "identity": "anonymous", "share_with": [ORG]},
        "narrative": narrative,
    })
    .to_string()
}

/// Bytes that are not all alike, so a swapped or misplaced chunk would show.
fn varied(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[1] ^ seed)
        .collect()
}

fn json_out(s: &Scratch, args: &[&str]) -> Value {
    serde_json::from_str(&s.stdout(args)).unwrap()
}

#[test]
fn attachments_round_trip_bit_for_bit_once_per_content_and_never_in_plaintext() {
    let s = Scratch::new();
    s.init();
    let ids = s.add(&format!("[{}, {}]", testimony("one"), testimony("two")));
    let video = s.file("interview.mp4", varied(3 * 65_536 + 17, 1));
    let exact = s.file("exact.bin", varied(65_536, 2));
    let empty = s.file("empty.txt", b"");
    let note = s.file("note.txt", format!("medical note {CANARY}\n"));
    let photo = fixture("exif-gps.jpg");
    let out = json_out(
        &s,
        &[
            "attach",
            &ids[0],
            video.to_str().unwrap(),
            exact.to_str().unwrap(),
            empty.to_str().unwrap(),
            note.to_str().unwrap(),
            photo.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(out.as_array().unwrap().len(), 5);
    let listed = json_out(&s, &["attachments", &ids[0], "--json"]);
    for (path, media_type) in [
        (&video, "application/octet-stream"),
        (&exact, "application/octet-stream"),
        (&empty, "text/plain"),
        (&note, "text/plain"),
        (&photo, "image/jpeg"),
    ] {
        let bytes = std::fs::read(path).unwrap();
        let sha = sha256(&bytes);
        let entry = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["sha256"] == sha.as_str())
            .unwrap_or_else(|| panic!("{} not listed", path.display()));
        assert_eq!(entry["size"], bytes.len() as u64);
        assert_eq!(entry["media_type"], media_type);
        assert_eq!(entry["name"], path.file_name().unwrap().to_str().unwrap());
        let back = s.root.path().join(format!("back-{sha}"));
        s.cmd(&[
            "extract",
            &ids[0],
            &sha[..12],
            "--out",
            back.to_str().unwrap(),
        ])
        .assert()
        .success();
        assert_eq!(std::fs::read(&back).unwrap(), bytes, "{}", path.display());
        // Never over an existing file.
        s.cmd(&["extract", &ids[0], &sha, "--out", back.to_str().unwrap()])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("already exists"));
        std::fs::remove_file(&back).unwrap();
    }
    // Into a folder that does not exist, or to standard output: said, and nothing written.
    let (id0, sha0) = (&ids[0], listed[0]["sha256"].as_str().unwrap());
    let nowhere = s.root.path().join("no-such-folder/x");
    s.cmd(&["extract", id0, sha0, "--out", nowhere.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("its folder does not exist"));
    s.cmd(&["extract", id0, sha0, "--out", "-"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("give its name with --out"));
    let photo_entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["media_type"] == "image/jpeg")
        .unwrap();
    let fields: Vec<&str> = photo_entry["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["field"].as_str().unwrap())
        .collect();
    for f in ["gps_position", "camera_serial", "owner_name", "time"] {
        assert!(fields.contains(&f), "{fields:?}");
    }
    let shown = s.stdout(&["show", &ids[0]]);
    assert!(shown.contains("SN-FIXTURE-0042") && shown.contains("gps_position"));

    // The same content again, on another testimony: stored once.
    let files_before = std::fs::read_dir(s.vault().join("attachments"))
        .unwrap()
        .count();
    let again = json_out(&s, &["attach", &ids[1], video.to_str().unwrap(), "--json"]);
    assert_eq!(again[0]["deduplicated"], true);
    let twice = json_out(&s, &["attach", &ids[1], video.to_str().unwrap(), "--json"]);
    assert_eq!(twice[0]["already_attached"], true);
    assert_eq!(
        std::fs::read_dir(s.vault().join("attachments"))
            .unwrap()
            .count(),
        files_before
    );
    // Detaching from one keeps the content the other still uses.
    let vsha = sha256(&std::fs::read(&video).unwrap());
    s.cmd(&["detach", &ids[0], &vsha]).assert().success();
    let back = s.root.path().join("v2");
    s.cmd(&["extract", &ids[1], &vsha, "--out", back.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(&video).unwrap()
    );
    std::fs::remove_file(&back).unwrap();
    s.cmd(&["extract", &ids[0], &vsha, "--out", back.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no attachment"));

    // Every attach and detach is in the signed ledger, and the whole vault checks.
    s.cmd(&["verify"]).assert().success();
    s.cmd(&["check"]).assert().success();
    let history = json_out(&s, &["history", &ids[0], "--json"]);
    assert_eq!(history.as_array().unwrap().len(), 1 + 5 + 1);

    // The canary of the attached note is nowhere on disk in plaintext.
    std::fs::remove_file(&note).unwrap();
    for f in common::walk(s.root.path())
        .into_iter()
        .filter(|p| p.is_file())
    {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
            "{} holds the canary",
            f.display()
        );
    }

    // Purging the testimonies removes their content, files included.
    s.cmd(&["delete", &ids[0], "--yes"]).assert().success();
    s.cmd(&["delete", &ids[1], "--yes"]).assert().success();
    assert_eq!(
        std::fs::read_dir(s.vault().join("attachments"))
            .unwrap()
            .count(),
        0
    );
    s.cmd(&["verify"]).assert().success();
}

#[test]
fn shred_source_removes_the_original_only_after_the_copy_is_verified() {
    let s = Scratch::new();
    s.init();
    let id = s.add(&testimony("shred"))[0].clone();
    let src = s.file("protest.mp4", varied(200_000, 3));
    let sha = sha256(&std::fs::read(&src).unwrap());
    s.cmd(&["attach", &id, src.to_str().unwrap(), "--shred-source"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("flash storage")
                .and(predicate::str::contains("copy-on-write")),
        );
    assert!(!src.exists());
    let back = s.root.path().join("back.mp4");
    s.cmd(&["extract", &id, &sha, "--out", back.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(sha256(&std::fs::read(&back).unwrap()), sha);
    // A directory is not a file, and nothing is shredded then.
    s.cmd(&[
        "attach",
        &id,
        s.root.path().to_str().unwrap(),
        "--shred-source",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("it is a folder"));

    // Given twice, a file is shredded once and the attach succeeds.
    let twice = s.file("twice.txt", b"said twice");
    s.cmd(&[
        "attach",
        &id,
        twice.to_str().unwrap(),
        twice.to_str().unwrap(),
        "--shred-source",
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains("Overwrote and deleted").count(1));
    assert!(!twice.exists());

    // A link is attached but not shredded: overwriting through it would not delete the
    // file it points to, and a hard link's other names would be erased. The command says
    // the file is still there and fails, though the attach stands.
    let target = s.file("target.txt", b"linked to");
    let link = s.root.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    s.cmd(&["attach", &id, link.to_str().unwrap(), "--shred-source"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("NOT overwritten or deleted")
                .and(predicate::str::contains("symbolic link"))
                .and(predicate::str::contains("nothing was attached").not()),
        );
    assert_eq!(std::fs::read(&target).unwrap(), b"linked to");
    assert!(s
        .stdout(&["attachments", &id])
        .contains(&sha256(b"linked to")));
}

/// What cannot be attached says why at once: a named pipe would block a plain open
/// forever, and the kernel's files state a size they do not have.
#[test]
fn pipes_and_system_files_are_refused_without_waiting() {
    let s = Scratch::new();
    s.init();
    let id = s.add(&testimony("odd files"))[0].clone();
    let fifo = s.root.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    s.cmd(&["attach", &id, fifo.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("a pipe or socket"));
    s.cmd(&["attach", &id, "/proc/self/status"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("system file"));
    // The vault is not held by a blocked attach.
    s.cmd(&["list"]).assert().success();
}

/// An export to the organisation, which must succeed, into a file named `name`.
fn exported(t: &OrgSetup, name: &str) -> PathBuf {
    let out = t.s.root.path().join(name);
    t.s.cmd(&["export", "--to", ORG, "--out", out.to_str().unwrap()])
        .assert()
        .success();
    out
}

fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, &bytes[..]).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn bundles_carry_attachments_bit_for_bit_once_and_refuse_altered_ones() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("with evidence"))[0].clone();
    let video = t.s.file("clip.mp4", varied(300_000, 4));
    let photo = fixture("exif-gps.jpg");
    t.s.cmd(&[
        "attach",
        &id,
        video.to_str().unwrap(),
        photo.to_str().unwrap(),
    ])
    .assert()
    .success();
    let b1 = t.s.root.path().join("b1.age");
    t.s.cmd(&["export", "--to", ORG, "--out", b1.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("sent with metadata")
                .and(predicate::str::contains("exif-gps.jpg")),
        );

    let org = Scratch::new();
    org.init();
    let import = |files: &[&Path]| {
        let mut c = org.cmd(&["import", "--json", "--identity", t.key.to_str().unwrap()]);
        c.args(files);
        c.assert()
    };
    let out: Value = serde_json::from_slice(&import(&[&b1]).success().get_output().stdout).unwrap();
    assert_eq!(out[0]["new_attachments"], 2);
    let vsha = sha256(&std::fs::read(&video).unwrap());
    let psha = sha256(&std::fs::read(&photo).unwrap());
    for (sha, original) in [(&vsha, &video), (&psha, &photo)] {
        let back = org.root.path().join(format!("got-{sha}"));
        org.cmd(&["extract", &id, sha, "--out", back.to_str().unwrap()])
            .assert()
            .success();
        assert_eq!(
            std::fs::read(&back).unwrap(),
            std::fs::read(original).unwrap()
        );
    }

    // Incremental: a new revision of the testimony goes again, its content does not.
    let note = t.s.file("note.txt", b"a later note");
    t.s.cmd(&["attach", &id, note.to_str().unwrap()])
        .assert()
        .success();
    let b2 = exported(&t, "b2.age");
    let names: Vec<String> = members(&common::age_decrypt(&b2, &t.key))
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| n.starts_with("attachments/"))
        .collect();
    assert_eq!(
        names,
        vec![format!("attachments/{}", sha256(b"a later note"))]
    );
    let out: Value = serde_json::from_slice(&import(&[&b2]).success().get_output().stdout).unwrap();
    assert_eq!(out[0]["new_attachments"], 1);
    assert_eq!(out[0]["missing_attachments"], json!([]));

    // --strip-metadata: the organisation gets a derivative without EXIF, linked to the
    // original's hash; the original in the field vault stays as it was.
    let b3 = t.s.root.path().join("b3.age");
    t.s.cmd(&[
        "export",
        "--to",
        ORG,
        "--all",
        "--strip-metadata",
        "--out",
        b3.to_str().unwrap(),
    ])
    .assert()
    .success()
    .stderr(predicate::str::contains("sent with metadata").not());
    let files = members(&common::age_decrypt(&b3, &t.key));
    let record = first_record(&files);
    let derived = record["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["derived_from"] == psha.as_str())
        .unwrap()
        .clone();
    assert_eq!(derived["removed_metadata"], json!(["EXIF", "comment"]));
    let dsha = derived["sha256"].as_str().unwrap();
    let dbytes = &files
        .iter()
        .find(|(n, _)| *n == format!("attachments/{dsha}"))
        .unwrap()
        .1;
    assert_eq!(sha256(dbytes), dsha);
    assert!(aigaq::media::warnings(dbytes).is_empty());
    assert!(!String::from_utf8_lossy(dbytes).contains("SN-FIXTURE"));
    assert!(!files
        .iter()
        .any(|(n, _)| *n == format!("attachments/{psha}")));
    let kept = t.s.root.path().join("kept.jpg");
    t.s.cmd(&["extract", &id, &psha, "--out", kept.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&kept).unwrap(),
        std::fs::read(&photo).unwrap()
    );
    import(&[&b3]).success();

    // Altered attachments: the same bundle with one attachment's bytes swapped for others
    // of the same size, or cut short. Anyone can encrypt to the organisation's key.
    let t2 = OrgSetup::new(ORG);
    let id2 = t2.s.add(&testimony("second collector"))[0].clone();
    let clip2 = t2.s.file("clip2.mp4", varied(100_000, 5));
    t2.s.cmd(&["attach", &id2, clip2.to_str().unwrap()])
        .assert()
        .success();
    let b4 = t2.s.root.path().join("b4.age");
    t2.s.cmd(&["export", "--to", ORG, "--out", b4.to_str().unwrap()])
        .assert()
        .success();
    let good = members(&common::age_decrypt(&b4, &t2.key));
    let org2 = Scratch::new();
    org2.init();
    let mut swapped = good.clone();
    let at = swapped
        .iter()
        .position(|(n, _)| n.starts_with("attachments/"))
        .unwrap();
    swapped[at].1 = varied(100_000, 6);
    let mut cut = good.clone();
    cut[at].1.truncate(50_000);
    let mut unlisted = good.clone();
    unlisted.push((
        format!("attachments/{}", sha256(b"extra")),
        b"extra".to_vec(),
    ));
    for (what, files, says) in [
        ("swapped", swapped, "SHA-256"),
        ("cut short", cut, "bytes"),
        ("not listed", unlisted, "not listed"),
    ] {
        let bad =
            t2.s.root
                .path()
                .join(format!("bad-{}.age", what.replace(' ', "-")));
        common::age_encrypt(&tar_of(&files), &t2.recipient, &bad);
        let before = common::snapshot(&org2.vault());
        org2.cmd(&["import", "--identity", t2.key.to_str().unwrap()])
            .arg(&bad)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says).and(predicate::str::contains("panicked").not()));
        assert_eq!(org2.stdout(&["received", "--json"]).trim(), "[]", "{what}");
        let attachments = org2.vault().join("attachments");
        assert_eq!(
            std::fs::read_dir(&attachments)
                .map(|d| d.count())
                .unwrap_or(0),
            0,
            "{what}: an attachment file was left behind"
        );
        assert_eq!(
            common::snapshot(&org2.vault()).keys().collect::<Vec<_>>(),
            before.keys().collect::<Vec<_>>(),
            "{what}"
        );
    }
    org2.cmd(&["import", "--identity", t2.key.to_str().unwrap()])
        .arg(&b4)
        .assert()
        .success();
}

/// Asked to strip metadata, an export never sends a file it found risky metadata in as it
/// is: a photo it cannot parse (here cut short, so it has no end) stops the export.
#[test]
fn strip_metadata_refuses_a_risky_file_it_cannot_strip_instead_of_sending_it() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("with a damaged photo"))[0].clone();
    let photo = std::fs::read(fixture("exif-gps.jpg")).unwrap();
    let cut = t.s.file("cut.jpg", &photo[..photo.len() - 2]);
    t.s.cmd(&["attach", &id, cut.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("gps_position"));
    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out).code(1).stderr(
        predicate::str::contains("cannot remove the metadata of \"cut.jpg\"")
            .and(predicate::str::contains("nothing was written")),
    );
    assert!(!out.exists());
    // Nothing was recorded as sent: the same export without stripping sends it, and says
    // what it carries.
    t.s.cmd(&["export", "--to", ORG, "--out", out.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("sent with metadata").and(predicate::str::contains("cut.jpg")),
        );
}

/// An archive of photos is not opened: attach says it could not be checked, and a stripped
/// export refuses it rather than send the photos inside with their places.
#[test]
fn an_archive_is_said_to_be_unchecked_and_a_stripped_export_refuses_it() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("with the witness's photos, zipped"))[0].clone();
    // A gzip stream (a .tar.gz's first bytes): what is inside is not read.
    let archive = t.s.file(
        "photos.tar.gz",
        [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2],
    );
    t.s.cmd(&["attach", &id, archive.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("Aigaq could not check this file")
                .and(predicate::str::contains("unread: an archive"))
                .and(predicate::str::contains("carries metadata").not()),
        );
    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out).code(1).stderr(
        predicate::str::contains("cannot remove the metadata of \"photos.tar.gz\"")
            .and(predicate::str::contains("nothing was written")),
    );
    assert!(!out.exists());
}

#[test]
fn a_photo_in_an_e_mail_saved_as_a_file_is_shown_and_goes_without_its_exif() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("the witness e-mailed the photo"))[0].clone();
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg"),
    )
    .unwrap();
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &photo);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    let mail = format!(
        "From: witness@example.org\r\nSubject: the photo\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nTaken that night.\r\n--b\r\nContent-Type: image/jpeg; name=\"IMG_0042.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b--\r\n",
        lines.join("\r\n")
    );
    let eml = t.s.file("the photo.eml", mail.as_bytes());
    t.s.cmd(&["attach", &id, eml.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("gps_position: 43 deg 14 min 30.12 sec N")
                .and(predicate::str::contains("camera_serial: SN-FIXTURE-0042")),
        );
    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out)
        .success()
        .stderr(predicate::str::contains(
            "the photo.eml: sent as a copy without EXIF",
        ));
    // The photo in the copy, decoded from its base64, is the photo stripped alone.
    let copy = first_attachment_text(&t, &out);
    let start = copy.find("base64\r\n\r\n").unwrap() + 10;
    let end = start + copy[start..].find("\r\n--b--").unwrap();
    let sent: String = copy[start..end].split("\r\n").collect();
    let sent = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sent).unwrap();
    let mut alone = Vec::new();
    aigaq::media::strip::strip(
        "image/jpeg",
        &mut &photo[..],
        &Default::default(),
        &mut alone,
    )
    .unwrap();
    assert_eq!(sent, alone);
    assert!(copy.contains("Taken that night."));
}

/// An HTML e-mail, as some webmail writes one when a photo is pasted into it: the photo in
/// a `data:` URI of a quoted-printable part. Its place is shown at attach; Aigaq cannot
/// rewrite it there, so a stripped export refuses the mail rather than send it.
#[test]
fn a_photo_in_a_quoted_printable_html_mail_is_shown_and_never_sent_stripped() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("the photo came pasted into an e-mail"))[0].clone();
    let photo = std::fs::read(fixture("exif-gps.jpg")).unwrap();
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &photo);
    let html = format!("<img src=3D\"data:image/jpeg;base64,{encoded}\"><p>Taken that night.</p>");
    // Quoted-printable lines: 75 characters, each ended by a soft break.
    let lines: Vec<&str> = html
        .as_bytes()
        .chunks(75)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    let mail = format!(
        "From: witness@example.org\r\nSubject: the photo\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n",
        lines.join("=\r\n")
    );
    let eml = t.s.file("pasted.eml", mail.as_bytes());
    t.s.cmd(&["attach", &id, eml.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("gps_position: 43 deg 14 min 30.12 sec N")
                .and(predicate::str::contains("camera_serial: SN-FIXTURE-0042")),
        );
    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out).code(1).stderr(
        predicate::str::contains("cannot remove the metadata of \"pasted.eml\"")
            .and(predicate::str::contains("nothing was written")),
    );
    assert!(!out.exists());
}

/// The first attachment a bundle carries, as text.
fn first_attachment_text(t: &OrgSetup, bundle: &Path) -> String {
    let files = members(&common::age_decrypt(bundle, &t.key));
    let (_, bytes) = files
        .into_iter()
        .find(|(n, _)| n.starts_with("attachments/"))
        .expect("the bundle carries an attachment");
    String::from_utf8(bytes).unwrap()
}

#[test]
fn an_e_mail_goes_without_the_sender_s_computer_and_address_in_a_stripped_export() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("the witness wrote from home"))[0].clone();
    let mail = "Return-Path: <witness@example.org>\r\nReceived: from mx1.example.net (mx1.example.net [80.247.228.102])\r\n\tby mail.example.org with ESMTP; Wed, 5 Aug 2015 14:02:07 +0200\r\nReceived: from aigerim-laptop (adsl-5-34.almaty.example.kz [5.34.18.77])\r\n\tby mx1.example.net with ESMTPSA; Wed, 5 Aug 2015 14:02:05 +0200\r\nFrom: Witness <witness@example.org>\r\nSubject: what happened on the 5th\r\nMIME-Version: 1.0\r\n\r\nThey took him at the station.\r\n";
    let eml = t.s.file("statement.eml", mail.as_bytes());
    t.s.cmd(&["attach", &id, eml.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("(message/rfc822, ").and(predicate::str::contains(
                "network_address: aigerim-laptop (adsl-5-34.almaty.example.kz [5.34.18.77])",
            )),
        );
    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out)
        .success()
        .stderr(predicate::str::contains(
            "statement.eml: sent as a copy without the computers and addresses it came from",
        ));
    let copy = first_attachment_text(&t, &out);
    assert_eq!(copy.len(), mail.len());
    assert!(!copy.contains("5.34.18.77") && !copy.contains("aigerim-laptop"));
    for kept in [
        "From: Witness <witness@example.org>",
        "Subject: what happened on the 5th",
        "They took him at the station.",
    ] {
        assert!(copy.contains(kept), "{kept}: {copy}");
    }
}

/// A web page saved as one file carries its photos in `data:` URIs: attach finds the
/// phone's place in one, and the stripped export sends the same page with that photo's
/// metadata blanked where it stands, every other byte as it was.
#[test]
fn a_web_page_s_photo_goes_without_its_place_and_the_page_as_it_was() {
    use base64::Engine;
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("the post the witness saved"))[0].clone();
    let photo = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exif-gps.jpg"),
    )
    .unwrap();
    let engine = base64::engine::general_purpose::STANDARD;
    let (before, after) = (
        "<!DOCTYPE html><html><body><p>Posted that night.</p><img src=\"data:image/jpeg;base64,",
        "\"></body></html>\n",
    );
    let page = format!("{before}{}{after}", engine.encode(&photo));
    let html = t.s.file("the post.html", page.as_bytes());
    t.s.cmd(&["attach", &id, html.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("camera_serial: SN-FIXTURE-0042"));
    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out)
        .success()
        .stderr(predicate::str::contains(
            "the post.html: sent as a copy without the metadata of the pictures in it",
        ));
    let copy = first_attachment_text(&t, &out);
    assert_eq!(copy.len(), page.len());
    assert!(copy.starts_with(before) && copy.ends_with(after));
    let sent = engine
        .decode(&copy[before.len()..copy.len() - after.len()])
        .unwrap();
    assert_eq!(sent.len(), photo.len());
    assert!(sent.starts_with(b"\xFF\xD8") && sent.ends_with(b"\xFF\xD9"));
    assert_eq!(
        aigaq::media::describe(&sent).1,
        [],
        "the photo names nothing"
    );
    assert!(!aigaq::media::describe(&photo).1.is_empty());
}

/// The organisation's analyst reads what arrived: `show` and `attachments` take a received
/// testimony's id (or a prefix of it), say which attachment contents have not arrived, and
/// `extract` says so too rather than calling the vault damaged.
#[test]
fn an_organisation_reads_received_testimonies_and_is_told_what_has_not_arrived() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("the narrative the analyst reads"))[0].clone();
    let note = t.s.file("note.txt", b"a note sent in the first bundle");
    let sha = sha256(b"a note sent in the first bundle");
    t.s.cmd(&["attach", &id, note.to_str().unwrap()])
        .assert()
        .success();
    let b1 = exported(&t, "b1.age");
    let revised = t.s.file("r.json", testimony("the narrative, revised"));
    t.s.cmd(&["edit", &id, "--json", revised.to_str().unwrap()])
        .assert()
        .success();
    let b2 = exported(&t, "b2.age");

    let org = Scratch::new();
    org.init();
    let key = t.key.to_str().unwrap();
    // Only the second bundle arrives: it lists the note but does not carry it.
    org.cmd(&["import", "--identity", key, b2.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 attachment(s) its testimonies list are neither in the bundle nor in this vault",
        ));
    let prefix = &id[..13];
    org.cmd(&["show", prefix]).assert().success().stdout(
        predicate::str::contains("(received)")
            .and(predicate::str::contains("the narrative, revised"))
            .and(predicate::str::contains("content not received")),
    );
    let listed: Value =
        serde_json::from_str(&org.stdout(&["attachments", prefix, "--json"])).unwrap();
    assert_eq!(listed[0]["sha256"], json!(sha));
    assert_eq!(listed[0]["held"], json!(false));
    let out = org.root.path().join("note.txt");
    org.cmd(&["extract", prefix, &sha, "--out", out.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has not been received"));
    assert!(!out.exists());

    // The first bundle turns up.
    org.cmd(&["import", "--identity", key, b1.to_str().unwrap()])
        .assert()
        .success();
    let shown: Value = serde_json::from_str(&org.stdout(&["show", &id, "--json"])).unwrap();
    assert_eq!(shown["revisions"].as_array().unwrap().len(), 2);
    assert_eq!(shown["attachments"][0]["held"], json!(true));
    org.cmd(&["extract", prefix, &sha[..8], "--out", out.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        b"a note sent in the first bundle"
    );
}

/// A field recorder's WAV names its owner and the time in its broadcast chunk: with
/// `--strip-metadata` the organisation gets the sound without them; the vault keeps the
/// recording as it was.
#[test]
fn strip_metadata_sends_a_recorders_wav_without_who_and_when() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("a recorded interview"))[0].clone();
    let chunk = |id: &[u8; 4], body: &[u8]| {
        let mut c = id.to_vec();
        c.extend_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
        c.extend_from_slice(body);
        c
    };
    // Description, originator (the device), its reference, then the date and time.
    let mut bext = b"Interview, owned by Aigerim".to_vec();
    bext.resize(256, 0);
    bext.extend_from_slice(b"ZOOM H5");
    bext.resize(320, 0);
    bext.extend_from_slice(b"2026-11-2018:04:11");
    bext.resize(602, 0);
    let sound = varied(300_000, 9);
    let body = [
        chunk(
            b"fmt ",
            &[1, 0, 1, 0, 0x80, 0xbb, 0, 0, 0, 0x77, 1, 0, 2, 0, 16, 0],
        ),
        chunk(b"bext", &bext),
        chunk(b"data", &sound),
    ]
    .concat();
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
    wav.extend_from_slice(b"WAVE");
    wav.extend_from_slice(&body);
    let file = t.s.file("interview.wav", &wav);
    // Attach says what the recording gives away.
    t.s.cmd(&["attach", &id, file.to_str().unwrap()])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("ZOOM H5")
                .and(predicate::str::contains("2026-11-20 18:04:11")),
        );

    let out = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &out).success();
    let files = members(&common::age_decrypt(&out, &t.key));
    let record = first_record(&files);
    let listed = &record["attachments"][0];
    assert_eq!(listed["derived_from"], sha256(&wav).as_str());
    assert_eq!(listed["media_type"], "audio/x-wav");
    assert_eq!(
        listed["removed_metadata"],
        json!(["broadcast extension (originator, date and time)"])
    );
    let sent = &files
        .iter()
        .find(|(n, _)| *n == format!("attachments/{}", listed["sha256"].as_str().unwrap()))
        .unwrap()
        .1;
    let text = String::from_utf8_lossy(sent);
    assert!(!text.contains("Aigerim") && !text.contains("ZOOM") && !text.contains("2026-11-20"));
    assert_eq!(sent.len(), wav.len());
    assert!(sent.windows(sound.len()).any(|w| w == sound.as_slice()));
    // The original stays in the vault as it was.
    assert_kept(&t, &id, &wav);
}

/// The vault still holds `original`, attached to `id`, bit for bit.
fn assert_kept(t: &OrgSetup, id: &str, original: &[u8]) {
    let kept = t.s.root.path().join("kept");
    t.s.cmd(&[
        "extract",
        id,
        &sha256(original),
        "--out",
        kept.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert!(std::fs::read(&kept).unwrap() == original);
    std::fs::remove_file(&kept).unwrap();
}

/// An action camera records a GPS position for every moment in a telemetry track, between
/// the video's frames: with `--strip-metadata` the organisation gets the video with that
/// track's samples blanked and the track gone, every other byte where it was; the vault
/// keeps the original as it was.
#[test]
fn strip_metadata_sends_an_action_camera_video_without_its_gps_track() {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(&testimony("filmed at the checkpoint"))[0].clone();
    let video = std::fs::read(fixture("action-camera-gps.mp4")).unwrap();
    let file = t.s.file("GX010042.MP4", &video);
    t.s.cmd(&["attach", &id, file.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicate::str::contains("GoPro GPMF telemetry track"));

    let out = t.s.root.path().join("b.age");
    // The documenter is told what left and what did not.
    t.export_stripped(ORG, &out).success().stderr(predicate::str::contains(
        "GX010042.MP4: sent as a copy without telemetry track, timecode track, time, other metadata (the original stays in the vault)",
    ));
    let files = members(&common::age_decrypt(&out, &t.key));
    let listed = &first_record(&files)["attachments"][0];
    assert_eq!(listed["derived_from"], sha256(&video).as_str());
    assert_eq!(
        listed["removed_metadata"],
        json!([
            "telemetry track",
            "timecode track",
            "time",
            "other metadata"
        ])
    );
    let sent = &files
        .iter()
        .find(|(n, _)| *n == format!("attachments/{}", listed["sha256"].as_str().unwrap()))
        .unwrap()
        .1;
    assert_eq!(sent.len(), video.len());
    let has = |bytes: &[u8], what: &[u8]| bytes.windows(what.len()).any(|w| w == what);
    let timecode = 1_101_960u32.to_be_bytes();
    for gone in [
        &b"GPS5"[..],
        b"gpmd",
        b"tmcd",
        &timecode,
        b"C3441326543210",
        b"HERO11",
    ] {
        assert!(has(&video, gone) && !has(sent, gone));
    }
    // The video's frames and its track are where they were.
    let frame = video.iter().position(|&b| b == b'V').unwrap();
    assert_eq!(
        sent[frame..frame + 2_500_000],
        video[frame..frame + 2_500_000]
    );
    assert!(has(sent, b"avc1") && has(sent, &[b'W'; 300_000]));

    // The organisation imports it; the original stays in the field vault as it was.
    let org = Scratch::new();
    org.init();
    org.cmd(&[
        "import",
        "--identity",
        t.key.to_str().unwrap(),
        out.to_str().unwrap(),
    ])
    .assert()
    .success();
    assert_kept(&t, &id, &video);
}
