//! The copies `export --strip-metadata` sends must still be evidence a partner can use: a
//! real decoder (FFmpeg) reads them without an error, decodes every video frame and audio
//! sample exactly as it decodes the original's, and finds none of the tags that were in the
//! original. The media are made here by FFmpeg itself, as phones, recorders, browsers,
//! screen recorders and action cameras write them: tagged with a name, a place and a date,
//! with timecode and GoPro telemetry tracks, and a live WebM whose sizes are unknown. Phone-like
//! HEIC and WebP photos are made and decoded with libheif and libwebp, and TIFF pages with
//! libtiff (`tests/python/photos.py`);
//! PDFs are checked with qpdf and rendered with Poppler; Word, Excel and OpenDocument files
//! are made and opened with python-docx, openpyxl and odfpy (`tests/python/documents.py`),
//! their 97–2003 forms read with olefile (`tests/python/compound.py`), and the photos pasted
//! into those and into RTF decoded by Pillow (`tests/python/embedded_pictures.py`); a chat
//! exported with its media is made and read with Python's zipfile (`tests/python/archive.py`).
//! `scripts/test.sh` installs FFmpeg (Debian's `ffmpeg` package) and the rest.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{first_record, members, OrgSetup};
use serde_json::{json, Value};

const ORG: &str = "KIBHR Almaty";

/// What the originals carry, each of which must be gone from every copy.
const TAGS: [(&str, &str); 6] = [
    ("artist", "Aigerim Nurlanovna"),
    ("title", "Interview at Zhanaozen"),
    ("comment", "recorded at the clinic"),
    ("date", "2026-01-05"),
    ("location", "+43.2389+076.8897/"),
    ("creation_time", "2026-01-05T10:00:00Z"),
];
const LEAKS: [&str; 7] = [
    "Aigerim",
    "Zhanaozen",
    "clinic",
    "2026-01-05",
    "43.2389",
    "iPhone",
    "GPS5",
];

/// Runs FFmpeg or FFprobe, or says how to get them.
fn run(tool: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} could not be run ({e}): install FFmpeg (`apt-get install ffmpeg`; scripts/test.sh does)")
    })
}

/// Makes `name` in `dir` with FFmpeg from its test sources: two seconds of a test picture
/// and a tone, as `encode` says, with every tag of [`TAGS`]. A name starting with `live`
/// is written to a pipe, as a recording that cannot seek back writes it (Matroska's sizes
/// then stay unknown).
fn make(dir: &Path, name: &str, video: bool, encode: &[&str]) -> Vec<u8> {
    let mut args = vec!["-v", "error", "-y"];
    if video {
        args.extend([
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=25:duration=2",
        ]);
    }
    args.extend(["-f", "lavfi", "-i", "sine=frequency=440:duration=2"]);
    args.extend_from_slice(encode);
    let tags: Vec<String> = TAGS.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for t in &tags {
        args.extend(["-metadata", t.as_str()]);
    }
    let out = dir.join(name);
    let piped = name.starts_with("live");
    args.push(if piped {
        "pipe:1"
    } else {
        out.to_str().unwrap()
    });
    let made = run("ffmpeg", &args);
    assert!(
        made.status.success(),
        "ffmpeg could not make {name}: {made:?}"
    );
    if piped {
        std::fs::write(&out, &made.stdout).unwrap();
    }
    std::fs::read(&out).unwrap()
}

/// The MD5 of every decoded video frame and audio packet, in order, and whatever FFmpeg
/// complained of while decoding.
fn decoded(file: &Path) -> (Vec<String>, String) {
    let out = run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-i",
            file.to_str().unwrap(),
            "-map",
            "0:v?",
            "-map",
            "0:a?",
            "-f",
            "framemd5",
            "-",
        ],
    );
    assert!(out.status.success(), "ffmpeg could not decode {file:?}");
    let frames = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    (frames, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every container and stream tag FFprobe reads, and the kinds of the streams.
fn probed(file: &Path) -> (BTreeMap<String, String>, Vec<String>) {
    let out = run(
        "ffprobe",
        &[
            "-v",
            "error",
            "-show_format",
            "-show_streams",
            "-of",
            "json",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "ffprobe could not read {file:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut tags = BTreeMap::new();
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    for (k, val) in v["format"]["tags"].as_object().into_iter().flatten() {
        tags.insert(k.clone(), text(val));
    }
    let mut kinds = Vec::new();
    for s in v["streams"].as_array().into_iter().flatten() {
        kinds.push(text(&s["codec_type"]));
        for (k, val) in s["tags"].as_object().into_iter().flatten() {
            tags.insert(format!("stream {}: {k}", s["index"]), text(val));
        }
    }
    (tags, kinds)
}

/// A collector's vault with one testimony shared with [`ORG`]: the vault and its id.
fn collector(narrative: &str) -> (OrgSetup, String) {
    let t = OrgSetup::new(ORG);
    let id = t.s.add(
        &json!({
            "schema": "aigaq/testimony/1",
            "consent": {"informed": true, "identity": "anonymous", "share_with": [ORG]},
            "narrative": narrative,
        })
        .to_string(),
    )[0]
    .clone();
    (t, id)
}

/// `export --strip-metadata` to [`ORG`]: the bundle's members, and what the command said.
fn export_stripped(t: &OrgSetup) -> (Vec<(String, Vec<u8>)>, String) {
    let bundle = t.s.root.path().join("b.age");
    let done = t.export_stripped(ORG, &bundle).success();
    let said = String::from_utf8_lossy(&done.get_output().stderr).into_owned();
    (members(&common::age_decrypt(&bundle, &t.key)), said)
}

/// The copy a bundle carries in place of `original`.
fn copy_of<'a>(files: &'a [(String, Vec<u8>)], original: &[u8]) -> &'a [u8] {
    let hash = aigaq::canonical::sha256_hex(original);
    let record = first_record(files);
    let listed = record["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["derived_from"] == hash.as_str())
        .expect("the file was sent as a stripped copy");
    let path = format!("attachments/{}", listed["sha256"].as_str().unwrap());
    &files.iter().find(|(n, _)| *n == path).unwrap().1
}

#[test]
fn stripped_copies_decode_exactly_as_the_originals_and_carry_none_of_their_tags() {
    let (t, id) = collector("a recorded interview");
    let dir = t.s.root.path().join("media");
    std::fs::create_dir(&dir).unwrap();
    let h264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"];
    let with = |extra: &[&'static str]| [&h264[..], extra].concat();
    let vp8 = ["-c:v", "libvpx", "-c:a", "libopus"];
    // GoPro's telemetry: KLV records with a GPS5 fix, muxed as a `gpmd` data track.
    let mut gpmf = Vec::new();
    for _ in 0..100 {
        gpmf.extend_from_slice(b"DEVC\0\x01\0\x1cGPS5\x6c\x14\0\x01");
        for v in [432_389_000i32, 768_897_000, 800, 0, 0] {
            gpmf.extend_from_slice(&v.to_be_bytes());
        }
    }
    let gpmf_file = dir.join("gpmf.bin");
    std::fs::write(&gpmf_file, &gpmf).unwrap();
    let gopro: Vec<&str> = [
        &["-f", "data", "-i", gpmf_file.to_str().unwrap()][..],
        &["-map", "0", "-map", "1", "-map", "2", "-c:d", "copy"],
        &["-tag:d:0", "gpmd", "-timecode", "10:11:12:13", "-f", "mov"],
        &h264,
    ]
    .concat();
    let media = [
        (
            "index-last.mp4",
            make(
                &dir,
                "index-last.mp4",
                true,
                &with(&["-timecode", "01:02:03:04"]),
            ),
        ),
        (
            "index-first.mp4",
            make(
                &dir,
                "index-first.mp4",
                true,
                &with(&["-movflags", "+faststart"]),
            ),
        ),
        (
            "phone.mov",
            make(
                &dir,
                "phone.mov",
                true,
                &with(&[
                    "-metadata",
                    "make=Apple",
                    "-metadata",
                    "model=iPhone 15",
                    "-movflags",
                    "use_metadata_tags",
                ]),
            ),
        ),
        ("GX010042.MP4", make(&dir, "GX010042.MP4", true, &gopro)),
        (
            "clip.3gp",
            make(&dir, "clip.3gp", true, &with(&["-f", "3gp"])),
        ),
        ("clip.webm", make(&dir, "clip.webm", true, &vp8)),
        (
            "live.webm",
            make(
                &dir,
                "live.webm",
                true,
                &[&vp8[..], &["-f", "webm"]].concat(),
            ),
        ),
        (
            "screen.mkv",
            make(
                &dir,
                "screen.mkv",
                true,
                &with(&["-metadata:s:a:0", "title=Aigerim's mic"]),
            ),
        ),
        (
            "voice.mka",
            make(&dir, "voice.mka", false, &["-c:a", "flac"]),
        ),
        (
            "voice.m4a",
            make(&dir, "voice.m4a", false, &["-c:a", "aac"]),
        ),
        (
            "voice.mp3",
            make(
                &dir,
                "voice.mp3",
                false,
                &["-c:a", "libmp3lame", "-write_id3v1", "1"],
            ),
        ),
        (
            "voice.ogg",
            make(&dir, "voice.ogg", false, &["-c:a", "libvorbis"]),
        ),
        (
            "voice.opus",
            make(&dir, "voice.opus", false, &["-c:a", "libopus"]),
        ),
        (
            "voice.flac",
            make(&dir, "voice.flac", false, &["-c:a", "flac"]),
        ),
        (
            "voice.wav",
            make(&dir, "voice.wav", false, &["-c:a", "pcm_s16le"]),
        ),
    ];

    let mut attach = vec!["attach".to_owned(), id.clone()];
    attach.extend(
        media
            .iter()
            .map(|(n, _)| dir.join(n).to_str().unwrap().to_owned()),
    );
    let attach: Vec<&str> = attach.iter().map(String::as_str).collect();
    t.s.cmd(&attach).assert().success();
    // Attach saw, in every one of them, what would give the witness or the documenter away.
    let listed: Value = serde_json::from_str(&t.s.stdout(&["attachments", &id, "--json"])).unwrap();
    for a in listed.as_array().unwrap() {
        let fields: Vec<&str> = a["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|w| w["field"].as_str())
            .collect();
        let who_or_where = fields.contains(&"owner_name") || fields.contains(&"gps_position");
        assert!(
            who_or_where && fields.contains(&"time"),
            "{}: {fields:?}",
            a["name"]
        );
    }

    let (files, _) = export_stripped(&t);
    let sent = dir.join("sent");
    for (name, original) in &media {
        let copy = copy_of(&files, original);
        std::fs::write(&sent, copy).unwrap();

        let (frames, complaints) = decoded(&sent);
        let (original_frames, _) = decoded(&dir.join(name));
        assert!(frames.len() >= 10, "{name}: {} frames", frames.len());
        assert_eq!(
            frames, original_frames,
            "{name}: the copy decodes differently"
        );
        assert_eq!(complaints, "", "{name}: the decoder complained");

        let (tags, kinds) = probed(&sent);
        let (original_tags, original_kinds) = probed(&dir.join(name));
        let copy_text = String::from_utf8_lossy(copy);
        for leak in LEAKS {
            assert!(
                !copy_text.contains(leak) && !tags.values().any(|v| v.contains(leak)),
                "{name}: {leak} is still in the copy ({tags:?})"
            );
        }
        assert!(
            original_tags
                .values()
                .any(|v| LEAKS.iter().any(|leak| v.contains(leak))),
            "{name}: FFmpeg did not tag the original ({original_tags:?})"
        );
        // The picture and the sound stay; timecode and telemetry tracks go.
        let media_only: Vec<String> = original_kinds
            .iter()
            .filter(|k| *k == "video" || *k == "audio")
            .cloned()
            .collect();
        assert_eq!(
            kinds, media_only,
            "{name}: {original_kinds:?} became {kinds:?}"
        );
    }
}

/// Runs `tests/python/photos.py` (libheif and libwebp, through pillow-heif and Pillow).
fn photos(args: &[&str]) -> Value {
    python("photos.py", args)
}

/// Runs a script of `tests/python` and parses what it prints.
fn python(script: &str, args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(script);
    let out = Command::new("python3")
        .arg(&script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{} {args:?} failed (pip install -r tests/python/requirements.txt; scripts/test.sh does): {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

#[test]
fn stripped_heic_and_webp_photos_decode_to_the_same_pixels_without_exif_or_xmp() {
    let (t, id) = collector("photos of the injuries");
    // An empty XMP packet stays where a HEIF item was; WebP's chunk goes.
    let cases = [
        ("IMG_0042.HEIC", r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"/>"#),
        ("photo.webp", ""),
    ];
    let mut originals = Vec::new();
    for (name, _) in cases {
        let photo = t.s.root.path().join(name);
        photos(&["make", photo.to_str().unwrap()]);
        t.s.cmd(&["attach", &id, photo.to_str().unwrap()])
            .assert()
            .success()
            .stderr(predicates::str::contains("gps_position"));
        originals.push((photo.clone(), std::fs::read(&photo).unwrap()));
    }
    let (files, said) = export_stripped(&t);
    for ((name, xmp_after), (photo, original)) in cases.iter().zip(&originals) {
        let line = format!("{name}: sent as a copy without EXIF, XMP");
        assert!(said.contains(&line), "{line}");
        let copy = copy_of(&files, original);
        assert_eq!(copy.len(), original.len());
        let sent = t.s.root.path().join(format!("sent-{name}"));
        std::fs::write(&sent, copy).unwrap();

        let before = photos(&["read", photo.to_str().unwrap()]);
        let after = photos(&["read", sent.to_str().unwrap()]);
        assert!(before["exif"].as_object().unwrap().len() >= 4, "{before}");
        assert!(before["xmp"].as_str().unwrap().contains("Zhanaozen"));
        assert_eq!(after["pixels"], before["pixels"], "{name}");
        assert_eq!(after["size"], before["size"]);
        assert_eq!(after["exif"], json!({}), "{name}");
        assert_eq!(after["xmp"], *xmp_after, "{name}");
        let text = String::from_utf8_lossy(copy);
        for leak in ["Aigerim", "iPhone", "Zhanaozen", "2026:01:05"] {
            assert!(
                String::from_utf8_lossy(original).contains(leak) && !text.contains(leak),
                "{name}: {leak}"
            );
        }
    }
}

/// Runs a tool of Poppler or qpdf, or says how to get it.
fn pdf_tool(tool: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "{tool} could not be run ({e}): install qpdf and poppler-utils (scripts/test.sh does)"
        )
    });
    assert!(out.status.success(), "{tool} {args:?}: {out:?}");
    out
}

#[test]
fn a_stripped_pdf_renders_as_the_original_and_names_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.pdf");
    photos(&["make", report.to_str().unwrap()]);
    // Where a writer put the information in a compressed object stream (qpdf, as pdfTeX,
    // Ghostscript and Acrobat do), the copy has it blanked inside the stream, compressed
    // again into the same bytes.
    let packed = dir.path().join("packed.pdf");
    pdf_tool(
        "qpdf",
        &[
            "--object-streams=generate",
            report.to_str().unwrap(),
            packed.to_str().unwrap(),
        ],
    );
    assert!(!String::from_utf8_lossy(&std::fs::read(&packed).unwrap()).contains("/Author"));

    let info = |f: &Path| {
        String::from_utf8_lossy(&pdf_tool("pdfinfo", &[f.to_str().unwrap()]).stdout).into_owned()
    };
    let render = |f: &Path| pdf_tool("pdftoppm", &["-r", "36", f.to_str().unwrap()]).stdout;
    let page = render(&report);
    assert!(page.len() > 1000);
    for pdf in [&report, &packed] {
        let (t, id) = collector("a scanned medical report");
        let original = std::fs::read(pdf).unwrap();
        t.s.cmd(&["attach", &id, pdf.to_str().unwrap()])
            .assert()
            .success()
            .stderr(predicates::str::contains("owner_name: Aigerim Nurlanovna"));
        let (files, said) = export_stripped(&t);
        let name = pdf.file_name().unwrap().to_str().unwrap();
        let line = format!("{name}: sent as a copy without document information");
        assert!(said.contains(&line), "{said}");
        let copy = copy_of(&files, &original);
        assert_eq!(copy.len(), original.len());
        let sent = dir.path().join(format!("sent-{name}"));
        std::fs::write(&sent, copy).unwrap();

        // Well formed, with every offset where its cross-reference table says.
        pdf_tool("qpdf", &["--check", sent.to_str().unwrap()]);
        let (before, after) = (info(pdf), info(&sent));
        for leak in ["Aigerim", "iPhone", "Canon", "Zhanaozen", "2026"] {
            assert!(
                before.contains(leak) && !after.contains(leak),
                "{name}: {leak}: {after}"
            );
        }
        // The page renders to the same pixels.
        assert_eq!(render(&sent), page, "{name}");
    }
}

#[test]
fn a_phone_photo_copied_into_a_pdf_keeps_its_pixels_and_loses_its_exif() {
    // As img2pdf and scanning apps write it: the photo's JPEG, EXIF and all, is the page.
    let dir = tempfile::tempdir().unwrap();
    let scan = dir.path().join("scan.pdf");
    photos(&["scan", scan.to_str().unwrap()]);
    let original = std::fs::read(&scan).unwrap();
    assert!(memchr::memmem::find(&original, b"Aigerim Nurlanovna").is_some());
    let (t, id) = collector("a photo of the injuries, sent as a PDF");
    t.s.cmd(&["attach", &id, scan.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains("owner_name: Aigerim Nurlanovna"))
        .stderr(predicates::str::contains(
            "gps_position: 43 deg 14 min 20 sec N",
        ));
    let (files, said) = export_stripped(&t);
    assert!(
        said.contains("scan.pdf: sent as a copy without the metadata of the pictures in it"),
        "{said}"
    );
    let copy = copy_of(&files, &original);
    assert_eq!(copy.len(), original.len());
    for leak in ["Aigerim", "iPhone", "Apple", "Exif"] {
        assert!(
            memchr::memmem::find(copy, leak.as_bytes()).is_none(),
            "{leak}"
        );
    }
    let sent = dir.path().join("sent-scan.pdf");
    std::fs::write(&sent, copy).unwrap();
    pdf_tool("qpdf", &["--check", sent.to_str().unwrap()]);
    let render = |f: &Path| pdf_tool("pdftoppm", &["-r", "36", f.to_str().unwrap()]).stdout;
    assert_eq!(render(&sent), render(&scan));
}

#[test]
fn an_encrypted_pdf_is_said_to_be_unread_and_stops_a_stripped_export() {
    // Encrypted by qpdf as banks and offices do it: no password to open, only to print.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.pdf");
    photos(&["make", report.to_str().unwrap()]);
    let locked = dir.path().join("locked.pdf");
    pdf_tool(
        "qpdf",
        &[
            "--encrypt",
            "",
            "owner-secret",
            "256",
            "--print=none",
            "--",
            report.to_str().unwrap(),
            locked.to_str().unwrap(),
        ],
    );
    let (t, id) = collector("a bank statement");
    t.s.cmd(&["attach", &id, locked.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains("unread: an encrypted document"));
    let bundle = t.s.root.path().join("b.age");
    t.export_stripped(ORG, &bundle)
        .code(1)
        .stderr(predicates::str::contains("\"locked.pdf\""))
        .stderr(predicates::str::contains("it is encrypted"));
    assert!(!bundle.exists());
}

#[test]
fn stripped_office_documents_open_with_the_same_text_and_comments_and_name_nobody() {
    let (t, id) = collector("the witness's typed statement");
    let dir = t.s.root.path().join("documents");
    std::fs::create_dir(&dir).unwrap();
    python("documents.py", &["make", dir.to_str().unwrap()]);
    // Word as Word and as LibreOffice write it, Excel, OpenDocument.
    let names = [
        "statement.docx",
        "streamed.docx",
        "injuries.xlsx",
        "statement.odt",
    ];
    for name in names {
        let file = dir.join(name);
        t.s.cmd(&["attach", &id, file.to_str().unwrap()])
            .assert()
            .success()
            .stderr(predicates::str::contains("owner_name: Aigerim Nurlanovna"))
            .stderr(predicates::str::contains("owner_name: Nurlan Editor"));
    }
    // The phone photo in the Word statement gives away where it was taken.
    let listed = t.s.stdout(&["attachments", &id]);
    let word_block = listed.split("statement.docx").nth(1).unwrap();
    assert!(word_block
        .split("streamed.docx")
        .next()
        .unwrap()
        .contains("gps_position"));
    // The reviewer of the Word and OpenDocument statements, named by her comment.
    for name in ["statement.docx", "streamed.docx", "statement.odt"] {
        let listed = t.s.stdout(&["attachments", &id]);
        let block = listed
            .split(name)
            .nth(1)
            .unwrap()
            .split("bytes")
            .nth(1)
            .unwrap();
        assert!(
            block.contains("owner_name: Dana Reviewer"),
            "{name}: {listed}"
        );
    }
    let listed: Value = serde_json::from_str(&t.s.stdout(&["attachments", &id, "--json"])).unwrap();
    let word = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "statement.docx")
        .unwrap();
    let warned = word["warnings"].to_string();
    for said in [
        "KIBHR Almaty",
        "Dana Manager",
        "2026-01-05",
        "Microsoft Macintosh Word",
    ] {
        assert!(warned.contains(said), "{said}: {warned}");
    }

    let (files, said) = export_stripped(&t);
    let leaks = [
        "SN-FIXTURE-0042",
        "Dana Reviewer",
        "Aigerim",
        "Nurlan Editor",
        "KIBHR",
        "Dana Manager",
        "Printer Owner",
        "witness 7",
        "clinic",
        "2026-01-05",
        "Microsoft Macintosh Word",
        "Openpyxl",
        "ODFPY",
    ];
    for name in names {
        let line = format!("{name}: sent as a copy without");
        assert!(said.contains(&line), "{line}: {said}");
        let original = dir.join(name);
        let copy = copy_of(&files, &std::fs::read(&original).unwrap());
        let sent = t.s.root.path().join(format!("sent-{name}"));
        std::fs::write(&sent, copy).unwrap();
        let before = python("documents.py", &["read", original.to_str().unwrap()]);
        let after = python("documents.py", &["read", sent.to_str().unwrap()]);
        assert_eq!(after["text"], before["text"], "{name}");
        assert!(
            before["properties"].as_object().unwrap().len() >= 4,
            "{before}"
        );
        assert_eq!(after["properties"], json!({}), "{name}");
        assert_eq!(after["bad_part"], Value::Null, "{name}");
        assert_eq!(after["times"], json!(["1980-01-01 00:00:00"]), "{name}");
        // Pictures stay, pixel for pixel, without their EXIF.
        let pictures = before["pictures"].as_array().unwrap();
        let with_exif = pictures.iter().filter(|p| p[1].as_u64() >= Some(4)).count();
        // The photo, and python-docx's template's own thumbnail.
        assert_eq!(with_exif > 0, name.ends_with(".docx"), "{name}");
        let after_pictures = after["pictures"].as_array().unwrap();
        assert_eq!(after_pictures.len(), pictures.len());
        for (b, a) in pictures.iter().zip(after_pictures) {
            assert_eq!((&a[0], &a[1]), (&b[0], &json!(0)), "{name}");
        }
        // Comments stay, their authors numbered.
        let comments = before["comments"].as_array().unwrap();
        assert_eq!(
            comments.len(),
            usize::from(!name.ends_with(".xlsx")),
            "{name}"
        );
        for (b, a) in comments.iter().zip(after["comments"].as_array().unwrap()) {
            assert_eq!(b[0], "Dana Reviewer");
            assert!(a[0].as_str().unwrap().starts_with("Author "), "{a}");
            assert_eq!((&a[1], &a[2]), (&json!(""), &b[2]), "{name}");
        }
        let (xml_before, xml_after) = (
            before["xml"].as_str().unwrap(),
            after["xml"].as_str().unwrap(),
        );
        for leak in leaks {
            assert!(!xml_after.contains(leak), "{name}: {leak}");
        }
        assert!(xml_before.contains("Aigerim") && xml_before.contains("Nurlan Editor"));
    }
}

#[test]
fn stripped_word_and_excel_97_files_keep_every_stream_and_name_nobody() {
    let (t, id) = collector("the clinic's letter, typed in an old Word");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let names = ["legacy-word.doc", "legacy-excel.xls"];
    for (name, said) in names.iter().zip(["Canary Reviser", "Canary Excelsaver"]) {
        let file = fixtures.join(name);
        t.s.cmd(&["attach", &id, file.to_str().unwrap()])
            .assert()
            .success()
            .stderr(predicates::str::contains(format!("owner_name: {said}")));
    }
    let (files, said) = export_stripped(&t);
    for name in names {
        let line = format!("{name}: sent as a copy without");
        assert!(said.contains(&line), "{line}: {said}");
        let original = fixtures.join(name);
        let copy = copy_of(&files, &std::fs::read(&original).unwrap());
        assert!(memchr::memmem::find(copy, b"Canary").is_none(), "{name}");
        let wide: Vec<u8> = "Canary".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(memchr::memmem::find(copy, &wide).is_none(), "{name}");
        let sent = t.s.root.path().join(format!("sent-{name}"));
        std::fs::write(&sent, copy).unwrap();
        // Read by olefile: the same streams, the same sizes, no properties but the code page.
        let before = python("compound.py", &[original.to_str().unwrap()]);
        let after = python("compound.py", &[sent.to_str().unwrap()]);
        assert_eq!(after["streams"], before["streams"], "{name}");
        assert!(before["properties"]["author"].is_string(), "{before}");
        let left: Vec<&String> = after["properties"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !k.starts_with("codepage"))
            .collect();
        assert!(left.is_empty(), "{name}: {after}");
    }
}

#[test]
fn photos_pasted_into_old_word_excel_and_rtf_files_keep_their_pixels_and_lose_their_exif() {
    let (t, id) = collector("photos of the injuries, pasted into the clinic's documents");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let names = ["legacy-photo.doc", "legacy-photo.xls", "legacy-photo.rtf"];
    for name in names {
        let file = fixtures.join(name);
        t.s.cmd(&["attach", &id, file.to_str().unwrap()])
            .assert()
            .success()
            .stderr(predicates::str::contains("camera_serial: SN-FIXTURE-0042"))
            .stderr(predicates::str::contains("gps_position: 43 deg 14 min"));
    }
    let (files, said) = export_stripped(&t);
    for name in names {
        let line = format!("{name}: sent as a copy without");
        let told = said.lines().find(|l| l.contains(&line)).unwrap_or_default();
        assert!(
            told.contains("the metadata of the pictures in it"),
            "{said}"
        );
        let original = fixtures.join(name);
        let copy = copy_of(&files, &std::fs::read(&original).unwrap());
        let sent = t.s.root.path().join(format!("sent-{name}"));
        std::fs::write(&sent, copy).unwrap();
        // Decoded by Pillow: the same pictures, pixel for pixel, and no EXIF left.
        let before = python("embedded_pictures.py", &[original.to_str().unwrap()]);
        let after = python("embedded_pictures.py", &[sent.to_str().unwrap()]);
        let (before, after) = (
            before["pictures"].as_array().unwrap(),
            after["pictures"].as_array().unwrap(),
        );
        assert_eq!(before.len(), 1, "{name}: {before:?}");
        assert_eq!(after.len(), before.len(), "{name}: {after:?}");
        assert_eq!(after[0]["pixels"], before[0]["pixels"], "{name}");
        assert_eq!(before[0]["exif"]["271"], "FixturePhone", "{name}");
        assert_eq!(after[0]["exif"], json!({}), "{name}");
        if !name.ends_with(".rtf") {
            let streams =
                |f: &Path| python("compound.py", &[f.to_str().unwrap()])["streams"].clone();
            assert_eq!(streams(&sent), streams(&original), "{name}");
        }
    }
}

#[test]
fn a_stripped_rtf_statement_keeps_its_text_and_names_nobody() {
    let (t, id) = collector("a statement typed in WordPad");
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-word.rtf");
    t.s.cmd(&["attach", &id, file.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains("owner_name: Canary Commenter"))
        .stderr(predicates::str::contains("time: 2024-03-04 05:06"));
    let (files, said) = export_stripped(&t);
    assert!(
        said.contains("legacy-word.rtf: sent as a copy without"),
        "{said}"
    );
    let original = std::fs::read(&file).unwrap();
    let copy = String::from_utf8(copy_of(&files, &original).to_vec()).unwrap();
    assert!(!copy.contains("Canary") && !copy.contains("2024"));
    assert!(copy.contains("The witness said the detention lasted three days."));
}

#[test]
fn a_spreadsheet_pasted_into_a_word_97_file_goes_cleaned_where_it_was() {
    let (t, id) = collector("the clinic's letter, with its table of injuries pasted in");
    let dir = t.s.root.path().join("documents");
    std::fs::create_dir(&dir).unwrap();
    python("documents.py", &["make", dir.to_str().unwrap()]);
    let xlsx = std::fs::read(dir.join("injuries.xlsx")).unwrap();
    // As Word keeps an `.xlsx` pasted into a `.doc`: the workbook's package in a `Package`
    // stream of an object's storage. Written by the `cfb` crate, the letter's own streams
    // copied from the fixture.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-word.doc");
    let mut from = cfb::open(&fixture).unwrap();
    let paths: Vec<_> = from
        .walk()
        .filter(|e| e.is_stream())
        .map(|e| e.path().to_owned())
        .collect();
    let letter = dir.join("letter.doc");
    let mut to = cfb::create(&letter).unwrap();
    for path in paths {
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut from.open_stream(&path).unwrap(), &mut data).unwrap();
        std::io::Write::write_all(&mut to.create_stream(&path).unwrap(), &data).unwrap();
    }
    let stream = "/ObjectPool/_1345471034/Package";
    to.create_storage_all("/ObjectPool/_1345471034").unwrap();
    std::io::Write::write_all(&mut to.create_stream(stream).unwrap(), &xlsx).unwrap();
    to.flush().unwrap();
    drop(to);

    // The workbook's author and editor are the letter's too, as attach says.
    t.s.cmd(&["attach", &id, letter.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains("owner_name: Aigerim Nurlanovna"))
        .stderr(predicates::str::contains("owner_name: Canary Reviser"));
    let (files, said) = export_stripped(&t);
    let told = said
        .lines()
        .find(|l| l.contains("letter.doc: sent as a copy without"))
        .unwrap_or_default();
    assert!(
        told.contains("the properties of documents embedded in it"),
        "{said}"
    );
    let original = std::fs::read(&letter).unwrap();
    let copy = copy_of(&files, &original);
    let sent = dir.join("sent-letter.doc");
    std::fs::write(&sent, copy).unwrap();
    // Read by olefile: every stream where it was, at its size.
    let streams = |f: &Path| python("compound.py", &[f.to_str().unwrap()])["streams"].clone();
    assert_eq!(streams(&sent), streams(&letter));
    // The workbook, taken out of the copy, opens in openpyxl with its cells and no one's
    // name, every part's CRC right.
    let (before, after) = (dir.join("before.xlsx"), dir.join("after.xlsx"));
    for (doc, out) in [(&letter, &before), (&sent, &after)] {
        let args = [doc.to_str().unwrap(), &stream[1..], out.to_str().unwrap()];
        python("compound.py", &args);
    }
    let (before, after) = (
        python("documents.py", &["read", before.to_str().unwrap()]),
        python("documents.py", &["read", after.to_str().unwrap()]),
    );
    assert_eq!(after["bad_part"], Value::Null);
    assert_eq!(after["text"], before["text"]);
    assert!(before["properties"].to_string().contains("Aigerim"));
    for leak in ["Aigerim", "Nurlan Editor", "KIBHR"] {
        assert!(!after.to_string().contains(leak), "{leak}: {after}");
    }
}

#[test]
fn a_chat_exported_with_its_media_goes_with_each_file_stripped() {
    let (t, id) = collector("the chat in which the witness sent the photos");
    let dir = t.s.root.path().join("documents");
    std::fs::create_dir(&dir).unwrap();
    python("documents.py", &["make", dir.to_str().unwrap()]);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let chat = dir.join("WhatsApp Chat with Witness.zip");
    let docx = dir.join("statement.docx");
    let photo = fixtures.join("exif-gps.jpg");
    let paths = [
        chat.to_str().unwrap(),
        docx.to_str().unwrap(),
        photo.to_str().unwrap(),
    ];
    python("archive.py", &["make", paths[0], paths[1], paths[2]]);
    // Each file says what it would alone, named.
    t.s.cmd(&["attach", &id, chat.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "gps_position: IMG-20150805-WA0001.jpg: 43 deg 14 min",
        ))
        .stderr(predicates::str::contains(
            "owner_name: media/statement.docx: Aigerim Nurlanovna",
        ));
    let (files, said) = export_stripped(&t);
    let told = said
        .lines()
        .find(|l| l.contains("WhatsApp Chat with Witness.zip: sent as a copy without"))
        .unwrap_or_default();
    assert!(told.contains("EXIF"), "{said}");
    let copy = copy_of(&files, &std::fs::read(&chat).unwrap());
    let sent = dir.join("sent.zip");
    std::fs::write(&sent, copy).unwrap();
    // Read by zipfile and Pillow: every file there, whole, the photo's pixels the same.
    let (before, after) = (
        python("archive.py", &["read", chat.to_str().unwrap()]),
        python("archive.py", &["read", sent.to_str().unwrap()]),
    );
    assert_eq!(after["bad"], Value::Null);
    assert_eq!(after["names"], before["names"]);
    assert_eq!(after["chat"], before["chat"]);
    assert_eq!(after["photo"]["pixels"], before["photo"]["pixels"]);
    assert_eq!(before["photo"]["exif"]["271"], "FixturePhone");
    assert_eq!(after["photo"]["exif"], json!({}));
    assert!(before["document"].as_str().unwrap().contains("Aigerim"));
    assert!(!after["document"].as_str().unwrap().contains("Aigerim"));
}

#[test]
fn a_stripped_tiff_keeps_its_pixels_and_loses_its_device_owner_time_and_place() {
    let (t, id) = collector("the scanned medical certificate");
    let scan = t.s.root.path().join("certificate.tif");
    photos(&["make", scan.to_str().unwrap()]);
    t.s.cmd(&["attach", &id, scan.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains("gps_position: 43 deg 14 min"))
        .stderr(predicates::str::contains("owner_name: Aigerim Nurlanovna"));
    let (before, after) = tiff_sent(
        &t,
        &scan,
        "certificate.tif: sent as a copy without device, software and time",
        &["271", "272", "306", "315"],
        &["Aigerim", "iPhone", "2026:01:05"],
    );
    assert_eq!(before["exif"]["271"], "Apple");
    assert_eq!(before["gps"]["1"], "N");
    assert_eq!(after["gps"], json!({}));
}

/// Exports the TIFF image `file` stripped and checks its copy: as long as it, said as
/// `said`, decoded by Pillow to the same pixels with `tags` empty, and holding none of
/// `leaks`. Returns what Pillow reads of the original and of the copy.
fn tiff_sent(
    t: &OrgSetup,
    file: &std::path::Path,
    said: &str,
    tags: &[&str],
    leaks: &[&str],
) -> (Value, Value) {
    let original = std::fs::read(file).unwrap();
    let (files, told) = export_stripped(t);
    assert!(told.contains(said), "{told}");
    let copy = copy_of(&files, &original);
    assert_eq!(copy.len(), original.len());
    let sent = t.s.root.path().join("sent.tif");
    std::fs::write(&sent, copy).unwrap();
    // Decoded by Pillow: the same pixels; the tags that named someone or something empty.
    let (before, after) = (
        photos(&["read", file.to_str().unwrap()]),
        photos(&["read", sent.to_str().unwrap()]),
    );
    assert_eq!(after["pixels"], before["pixels"]);
    for tag in tags {
        let left = after["exif"][tag].as_str().unwrap_or_default();
        assert!(left.trim_matches('\0').is_empty(), "{tag}: {left:?}");
    }
    let text = String::from_utf8_lossy(copy);
    for leak in leaks {
        assert!(!text.contains(leak), "{leak}");
    }
    (before, after)
}

/// A scanner's page as libtiff writes it, its directory after 4 MiB of pixels: attach reads
/// the directory where it lies and names the scanner, the time and the author, and the
/// copy goes without them, decoded by Pillow to the same pixels.
#[test]
fn a_page_scanned_through_libtiff_is_read_to_its_end_and_goes_without_who_and_when() {
    let (t, id) = collector("the summons, scanned");
    let page = t.s.root.path().join("summons.tif");
    photos(&["page", page.to_str().unwrap()]);
    let original = std::fs::read(&page).unwrap();
    assert!(original.len() > 2 * aigaq::media::HEAD_BYTES);
    t.s.cmd(&["attach", &id, page.to_str().unwrap()])
        .assert()
        .success()
        .stderr(predicates::str::contains("owner_name: Aigerim Nurlanovna"))
        .stderr(predicates::str::contains("camera: Canon CanoScan LiDE 300"))
        .stderr(predicates::str::contains("time: 2026-03-14 09:12:00"));
    let (before, _) = tiff_sent(
        &t,
        &page,
        "summons.tif: sent as a copy without device, software and time, author",
        &["271", "272", "305", "306", "315", "316"],
        &["Aigerim", "AIGERIM", "CanoScan", "ScanGear", "2026:03:14"],
    );
    assert_eq!(before["exif"]["316"], "AIGERIM-LAPTOP");
}
