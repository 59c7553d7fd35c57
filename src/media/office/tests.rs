//! Tests of reading office documents at attach and of their copies, on packages made here.

use std::io;

use super::copy::{strip, NO_DATE, NO_TIME};
use super::*;
use crate::media::fixture;
use crate::media::video::tests::get;
use crate::media::Sniffer;

/// How an entry of a test package is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Way {
    Stored,
    Deflated,
    /// Deflated, its sizes and CRC in a data descriptor after it (as LibreOffice and
    /// Java write), with or without the descriptor's signature.
    Described {
        signed: bool,
    },
}

const EVERY_WAY: [Way; 4] = [
    Way::Stored,
    Way::Deflated,
    Way::Described { signed: true },
    Way::Described { signed: false },
];

/// A ZIP package of `entries`, each with a time (2026-01-05 10:00) and an extended
/// timestamp extra field, as ordinary writers make them.
pub(crate) fn package(entries: &[(&str, &[u8], Way)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let (time, date) = ((10u16 << 11), ((46u16) << 9) | (1 << 5) | 5);
    let extra = [
        &0x5455u16.to_le_bytes()[..],
        &5u16.to_le_bytes(),
        &[1, 0, 0, 0, 0],
    ]
    .concat();
    for &(name, data, way) in entries {
        let crc = crc32fast::hash(data);
        let body = match way {
            Way::Stored => data.to_vec(),
            _ => miniz_oxide::deflate::compress_to_vec(data, 6),
        };
        let described = matches!(way, Way::Described { .. });
        let flags: u16 = if described { 8 } else { 0 };
        let method: u16 = if way == Way::Stored { 0 } else { 8 };
        let sizes = |zero: bool| {
            let (c, s) = if zero {
                (0, 0)
            } else {
                (body.len() as u32, data.len() as u32)
            };
            [crc.to_le_bytes(), c.to_le_bytes(), s.to_le_bytes()].concat()
        };
        let offset = out.len() as u32;
        let fixed = |sig: &[u8], central: bool| {
            let mut h = sig.to_vec();
            if central {
                h.extend_from_slice(&20u16.to_le_bytes());
            }
            for v in [20u16, flags, method, time, date] {
                h.extend_from_slice(&v.to_le_bytes());
            }
            h.extend_from_slice(&sizes(described && !central));
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
            h
        };
        out.extend_from_slice(&fixed(&LOCAL, false));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&extra);
        out.extend_from_slice(&body);
        if let Way::Described { signed } = way {
            if signed {
                out.extend_from_slice(&DESCRIPTOR);
            }
            out.extend_from_slice(&sizes(false));
        }
        central.extend_from_slice(&fixed(&CENTRAL, true));
        // No comment; disk 0; internal attributes none.
        central.extend_from_slice(&[0; 6]);
        central.extend_from_slice(&0o100644u32.wrapping_shl(16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        central.extend_from_slice(&extra);
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&END);
    let n = entries.len() as u16;
    for v in [0, 0, n, n] {
        out.extend_from_slice(&u16::to_le_bytes(v));
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    let comment = b"made on DESKTOP-AIGERIM";
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment);
    out
}

/// Reads a package as unzip does, from its central directory; checks every entry's
/// local header against it, and its CRC. Returns each entry's name, inflated bytes,
/// and DOS time and date as its local header states them.
pub(crate) fn unpack(zip: &[u8]) -> Vec<(String, Vec<u8>, (u16, u16))> {
    let u16_at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(zip[i..i + 4].try_into().unwrap());
    let end = memchr::memmem::rfind(zip, &END).expect("an end of central directory");
    let (count, dir) = (usize::from(u16_at(end + 10)), u32_at(end + 16) as usize);
    let mut at = dir;
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(zip[at..at + 4], CENTRAL);
        let (method, crc, csize) = (u16_at(at + 10), u32_at(at + 16), u32_at(at + 20));
        let (nlen, xlen, clen) = (
            usize::from(u16_at(at + 28)),
            usize::from(u16_at(at + 30)),
            usize::from(u16_at(at + 32)),
        );
        let offset = u32_at(at + 42) as usize;
        let name = String::from_utf8(zip[at + 46..at + 46 + nlen].to_vec()).unwrap();
        at += 46 + nlen + xlen + clen;
        assert_eq!(zip[offset..offset + 4], LOCAL, "{name}");
        let h = LocalHeader::parse(&zip[offset..]).unwrap();
        let data = offset + LOCAL_LEN + h.name_len + h.extra_len;
        assert_eq!(
            &zip[offset + LOCAL_LEN..offset + LOCAL_LEN + h.name_len],
            name.as_bytes()
        );
        let body = &zip[data..data + csize as usize];
        let plain = if method == 0 {
            body.to_vec()
        } else {
            miniz_oxide::inflate::decompress_to_vec(body).unwrap()
        };
        assert_eq!(crc32fast::hash(&plain), crc, "{name}");
        out.push((name, plain, (h.time, h.date)));
    }
    out
}

pub(crate) const CORE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:title>Statement</dc:title><dc:creator>Aigerim Nurlanovna</dc:creator><cp:lastModifiedBy>N. Editor &amp; Co</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2026-01-05T10:00:00Z</dcterms:created></cp:coreProperties>"#;
pub(crate) const APP: &str = r#"<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Microsoft Office Word</Application><Company>KIBHR Almaty</Company></Properties>"#;
pub(crate) const META: &str = r#"<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta><meta:initial-creator>Aigerim Nurlanovna</meta:initial-creator><meta:creation-date>2026-01-05T10:00:00</meta:creation-date><meta:generator>LibreOffice/7.4</meta:generator><meta:printed-by>Printer Owner</meta:printed-by></office:meta></office:document-meta>"#;
const SETTINGS: &str = r#"<?xml version="1.0"?><office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"><config:config-item config:name="PrinterName">HP-Almaty-Office</config:config-item></office:document-settings>"#;

/// A Word document: a picture larger than the sniffer's first bytes before its
/// properties, as Word orders them.
pub(crate) fn word(way: Way) -> Vec<u8> {
    let picture: Vec<u8> = (0..crate::media::HEAD_BYTES + 70_001)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    package(&[
        ("[Content_Types].xml", b"<Types/>", way),
        (
            "word/document.xml",
            b"<w:document>Witness statement</w:document>",
            way,
        ),
        ("word/media/image1.png", &picture, Way::Stored),
        ("docProps/core.xml", CORE.as_bytes(), way),
        ("docProps/app.xml", APP.as_bytes(), way),
    ])
}

fn odt(way: Way) -> Vec<u8> {
    package(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.text",
            Way::Stored,
        ),
        (
            "content.xml",
            b"<office:document-content>Witness statement</office:document-content>",
            way,
        ),
        ("meta.xml", META.as_bytes(), way),
        ("settings.xml", SETTINGS.as_bytes(), way),
    ])
}

fn sniffed(file: &[u8], piece: usize) -> (String, Vec<Warning>) {
    let mut sniffer = Sniffer::new();
    for p in file.chunks(piece) {
        sniffer.feed(p);
    }
    sniffer.describe()
}

use crate::media::values_of as all;

#[test]
fn the_properties_of_a_document_are_found_wherever_they_lie_and_however_it_is_read() {
    for way in EVERY_WAY {
        for piece in [1, 29, 157, 4096, 64 * 1024 + 3, usize::MAX] {
            let (media_type, found) = sniffed(&odt(way), piece);
            assert_eq!(media_type, TYPES[3]);
            assert_eq!(
                all(&found, "owner_name"),
                ["Aigerim Nurlanovna", "Printer Owner"]
            );
            assert_eq!(get(&found, "time").as_deref(), Some("2026-01-05T10:00:00"));
            assert_eq!(get(&found, "camera").as_deref(), Some("LibreOffice/7.4"));
            if piece == 1 {
                continue; // byte by byte through a picture of a MiB is slow
            }
            let (media_type, found) = sniffed(&word(way), piece);
            assert_eq!(media_type, TYPES[0]);
            let owners = ["Aigerim Nurlanovna", "N. Editor & Co", "KIBHR Almaty"];
            assert_eq!(all(&found, "owner_name"), owners, "{piece}");
            assert_eq!(get(&found, "time").as_deref(), Some("2026-01-05T10:00:00Z"));
            assert_eq!(
                get(&found, "camera").as_deref(),
                Some("Microsoft Office Word")
            );
        }
    }
    // Excel and PowerPoint by their folders; a ZIP of photos is only a ZIP.
    let xlsx = package(&[
        ("_rels/.rels", b"<r/>", Way::Deflated),
        ("xl/workbook.xml", b"<w/>", Way::Deflated),
    ]);
    assert_eq!(sniffed(&xlsx, 4096).0, TYPES[1]);
    let pptx = package(&[("ppt/presentation.xml", b"<p/>", Way::Deflated)]);
    assert_eq!(sniffed(&pptx, 4096).0, TYPES[2]);
    let photos = package(&[
        ("IMG_0001.JPG", b"\xff\xd8", Way::Stored),
        ("docProps/core.xml", CORE.as_bytes(), Way::Stored),
    ]);
    // Not an office document: an archive, whose files each say what they would alone (a
    // properties part is a text file there).
    let (media_type, found) = sniffed(&photos, 4096);
    assert_eq!(media_type, "application/zip");
    assert_eq!(found, Vec::new());
}

#[test]
fn xml_text_is_read_by_local_name_with_entities_decoded() {
    let values = xml_values(
        b"<a:x>  &lt;Ay&#x69;gerim&#33;&gt; </a:x><y/><z attr=\"1\">&bogus; &amp</z><w></w>",
    );
    assert_eq!(
        values,
        [
            ("x".to_owned(), "<Ayigerim!>".to_owned()),
            ("z".to_owned(), "&bogus; &amp".to_owned())
        ]
    );
}

fn stripped(file: &[u8]) -> io::Result<(Vec<u8>, Vec<String>)> {
    let mut out = Vec::new();
    let removed = strip(&mut &file[..], &mut out)?;
    Ok((out, removed))
}

#[test]
fn a_copy_keeps_every_part_but_the_properties_and_no_time_or_name() {
    for way in EVERY_WAY {
        for (file, replaced) in [
            (word(way), &["docProps/core.xml", "docProps/app.xml"][..]),
            (odt(way), &["meta.xml", "settings.xml"][..]),
        ] {
            let (copy, removed) = stripped(&file).unwrap();
            assert!(removed.contains(&"file times".to_owned()), "{removed:?}");
            let before = unpack(&file);
            let after = unpack(&copy);
            assert_eq!(before.len(), after.len());
            for ((name, plain, _), (name2, plain2, time)) in before.iter().zip(&after) {
                assert_eq!(name, name2);
                assert_eq!(*time, (NO_TIME, NO_DATE), "{name}");
                if !replaced.contains(&name.as_str()) {
                    assert_eq!(plain, plain2, "{name} is kept as it was");
                }
            }
            let text = String::from_utf8_lossy(&copy);
            for leak in [
                "Aigerim",
                "Editor",
                "KIBHR",
                "Microsoft",
                "LibreOffice",
                "HP-Almaty",
                "2026",
                "DESKTOP",
            ] {
                assert!(!text.contains(leak), "{leak}");
            }
            // Nothing is left for the attach-time reader to find.
            assert!(sniffed(&copy, 4096).1.is_empty());
            // A copy of the copy is the same copy.
            assert_eq!(stripped(&copy).unwrap().0, copy);
        }
    }
    let (copy, _) = stripped(&odt(Way::Deflated)).unwrap();
    let after = unpack(&copy);
    assert_eq!(
        after[0].0, "mimetype",
        "an OpenDocument's media type stays first"
    );
    let meta = String::from_utf8(after[2].1.clone()).unwrap();
    assert!(
        meta.contains("office:version=\"1.3\"") && meta.contains("<office:meta/>"),
        "{meta}"
    );
}

/// A reviewed statement: tracked changes and comments by two people, who are listed
/// with their accounts.
fn reviewed(way: Way) -> Vec<u8> {
    let document = r#"<w:document><w:body><w:p><w:ins w:id="1" w:author="Nurlan Editor"><w:r><w:t>beaten</w:t></w:r></w:ins><w:commentRangeStart w:id="0"/></w:p></w:body></w:document>"#;
    let comments = r#"<w:comments><w:comment w:id="0" w:author="Dana Reviewer" w:initials="DR"><w:p><w:r><w:t>check the date</w:t></w:r></w:p></w:comment><w:comment w:id="1" w:author="Nurlan Editor"/></w:comments>"#;
    let people = r#"<w15:people><w15:person w15:author="Dana Reviewer"><w15:presenceInfo w15:providerId="AD" w15:userId="S::dana@kibhr.kz::7"/></w15:person></w15:people>"#;
    package(&[
        ("[Content_Types].xml", b"<Types/>", way),
        ("word/document.xml", document.as_bytes(), way),
        ("word/comments.xml", comments.as_bytes(), way),
        ("word/people.xml", people.as_bytes(), way),
        (
            "word/media/image1.png",
            b"\x89PNG Nurlan Editor in pixels",
            Way::Stored,
        ),
    ])
}

#[test]
fn reviewers_are_named_at_attach_and_numbered_in_a_copy() {
    let ways = [Way::Stored, Way::Deflated, Way::Described { signed: false }];
    for way in ways {
        let file = reviewed(way);
        for piece in [3, 4096] {
            let (_, found) = sniffed(&file, piece);
            let owners = all(&found, "owner_name");
            assert_eq!(owners, ["Nurlan Editor", "Dana Reviewer"], "{piece}");
        }
        let (copy, removed) = stripped(&file).unwrap();
        assert!(removed.contains(&"names and times of comments and changes".to_owned()));
        let parts = unpack(&copy);
        let text = |name: &str| {
            let (_, plain, _) = parts.iter().find(|(n, _, _)| n == name).unwrap();
            String::from_utf8(plain.clone()).unwrap()
        };
        // The same person is the same placeholder in every part.
        assert!(text("word/document.xml").contains(r#"w:author="Author 1""#));
        let comments = text("word/comments.xml");
        assert!(
            comments.contains(r#"w:author="Author 2" w:initials="""#),
            "{comments}"
        );
        assert!(comments.contains(r#"<w:comment w:id="1" w:author="Author 1"/>"#));
        assert!(comments.contains("check the date"));
        let people = text("word/people.xml");
        assert!(people.contains(r#"w15:author="Author 2""#) && people.contains(r#"w15:userId="""#));
        // Not XML: copied as it is, whatever it holds.
        let (_, image, _) = &parts[4];
        assert_eq!(image, b"\x89PNG Nurlan Editor in pixels");
        assert!(sniffed(&copy, 4096).1.is_empty(), "the copy names nobody");
    }
}

#[test]
fn photos_pasted_into_a_document_give_away_the_phone_and_go_without_it() {
    let (jpeg, png) = (fixture("exif-gps.jpg"), fixture("exif-gps.png"));
    let damaged = [&jpeg[..jpeg.len() / 2], b"cut"].concat();
    for way in [Way::Stored, Way::Deflated, Way::Described { signed: true }] {
        let file = package(&[
            ("word/document.xml", b"<w:document/>", way),
            ("word/media/image1.jpeg", &jpeg, way),
            ("word/media/image2.PNG", &png, way),
        ]);
        let (_, found) = sniffed(&file, 4096);
        assert!(
            get(&found, "gps_position").is_some_and(|p| p.contains('N')),
            "{found:?}"
        );
        assert_eq!(
            get(&found, "camera_serial").as_deref(),
            Some("SN-FIXTURE-0042")
        );
        let (copy, removed) = stripped(&file).unwrap();
        let note = crate::media::pictures::PICTURES_REMOVED.to_owned();
        assert!(removed.contains(&note), "{removed:?}");
        assert!(
            sniffed(&copy, 4096).1.is_empty(),
            "the copy's pictures say nothing"
        );
        let parts = unpack(&copy);
        for ((_, picture, _), original) in parts[1..].iter().zip([&jpeg, &png]) {
            let mut alone = Vec::new();
            let media_type = if picture.starts_with(b"\x89PNG") {
                "image/png"
            } else {
                "image/jpeg"
            };
            let plan = super::super::strip::Plan::default();
            super::super::strip::strip(media_type, &mut &original[..], &plan, &mut alone).unwrap();
            assert_eq!(*picture, alone, "as a photo alone is stripped");
        }
        // A damaged picture stays as it was, for the check of the copy to judge.
        let file = package(&[("ppt/media/image9.jpg", &damaged, way)]);
        let (copy, _) = stripped(&file).unwrap();
        assert_eq!(unpack(&copy)[0].1, damaged);
    }
}

/// A scanned page inserted into a report as a TIFF stays a TIFF in the package: the copy
/// strips it as a TIFF alone is (its directories found first), rather than stopping the
/// export for the scanner and owner attach found in it.
#[test]
fn a_tiff_scan_inserted_into_a_document_goes_without_its_scanner_and_owner() {
    let pixels: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i % 249) as u8).collect();
    // A small scan, and one whose directories come after 3 MiB of pixels.
    for (scan, way) in [
        (crate::media::tiff_scan(&[0x40, 0xC0]), Way::Stored),
        (crate::media::tiff_scan(&[0x40, 0xC0]), Way::Deflated),
        (
            crate::media::tiff_scan(&[0x40, 0xC0]),
            Way::Described { signed: true },
        ),
        (crate::media::tiff_scan(&pixels), Way::Deflated),
    ] {
        let file = package(&[
            ("word/document.xml", b"<w:document/>", way),
            ("word/media/image1.tiff", &scan, way),
        ]);
        let (_, found) = sniffed(&file, 4096);
        assert_eq!(
            get(&found, "owner_name").as_deref(),
            Some("Aigerim Nurlanovna"),
            "{found:?}"
        );
        let (copy, removed) = stripped(&file).unwrap();
        let note = crate::media::pictures::PICTURES_REMOVED.to_owned();
        assert!(removed.contains(&note), "{removed:?}");
        assert!(sniffed(&copy, 4096).1.is_empty(), "the copy names nobody");
        let mut alone = Vec::new();
        let strip = super::super::strip::strip;
        let plan = super::super::strip::plan("image/tiff", &mut io::Cursor::new(&scan)).unwrap();
        strip("image/tiff", &mut &scan[..], &plan, &mut alone).unwrap();
        assert_eq!(unpack(&copy)[1].1, alone, "as the scan alone is stripped");
    }
}

#[test]
fn documents_embedded_in_a_document_are_read_and_stripped_as_documents() {
    let inner = package(&[
        ("xl/workbook.xml", b"<workbook/>", Way::Deflated),
        ("docProps/core.xml", CORE.as_bytes(), Way::Deflated),
    ]);
    let chart = package(&[
        ("word/charts/chart1.xml", b"<c:chart/>", Way::Deflated),
        (
            "word/embeddings/Microsoft_Excel_Sheet1.xlsx",
            &inner,
            Way::Deflated,
        ),
    ]);
    for outer_way in [Way::Stored, Way::Described { signed: true }] {
        let file = package(&[
            ("word/document.xml", b"<w:document/>", outer_way),
            ("word/embeddings/Document1.DOCX", &chart, outer_way),
        ]);
        // Compressed twice over: only reading the embedded documents finds the name.
        let (_, found) = sniffed(&file, 1000);
        assert_eq!(
            all(&found, "owner_name")[..2],
            ["Aigerim Nurlanovna", "N. Editor & Co"]
        );
        let (copy, removed) = stripped(&file).unwrap();
        let note = "the properties of documents embedded in it".to_owned();
        assert!(removed.contains(&note), "{removed:?}");
        assert!(sniffed(&copy, 1000).1.is_empty());
        let embedded = unpack(&unpack(&copy)[1].1);
        let deepest = unpack(&embedded[1].1);
        assert_eq!(deepest[0].1, b"<workbook/>");
        assert!(!String::from_utf8_lossy(&deepest[1].1).contains("Aigerim"));
    }
}

#[test]
fn word_and_excel_97_files_embedded_in_a_document_are_read_and_stripped() {
    // An Excel 97–2003 sheet behind a chart, and the same as an OLE object.
    let xls = fixture("legacy-excel.xls");
    for (name, way) in [
        (
            "word/embeddings/Microsoft_Excel_97-2003_Worksheet.xls",
            Way::Deflated,
        ),
        (
            "ppt/embeddings/oleObject1.bin",
            Way::Described { signed: false },
        ),
    ] {
        let file = package(&[
            ("word/document.xml", b"<w:document/>", Way::Deflated),
            (name, &xls, way),
            // Not embedded: printer settings are no compound file.
            ("word/printerSettings/printerSettings1.bin", b"DEVMODE", way),
        ]);
        let (_, found) = sniffed(&file, 777);
        let owners = all(&found, "owner_name");
        assert!(
            owners.contains(&"Canary Excelauthor".to_owned()),
            "{owners:?}"
        );
        let (copy, removed) = stripped(&file).unwrap();
        let note = "the properties of documents embedded in it".to_owned();
        assert!(removed.contains(&note), "{removed:?}");
        assert!(sniffed(&copy, 777).1.is_empty());
        let parts = unpack(&copy);
        let mut alone = Vec::new();
        crate::media::ole::strip(&mut &xls[..], &mut alone).unwrap();
        assert_eq!(parts[1].1, alone, "as the sheet alone is stripped");
        assert_eq!(parts[2].1, b"DEVMODE", "too short to be one: as it was");
    }
}

#[test]
fn a_sheets_printer_settings_go_without_the_printers_name_and_driver_data() {
    // A DEVMODE: the name, then its fields up to dmSize (here 220), then 8 bytes of the
    // driver's own, where a driver may keep the user's name.
    let mut devmode: Vec<u8> = "\\\\KIBHR-SRV\\HP LaserJet 4250"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    devmode.resize(64, 0);
    devmode.extend_from_slice(&[0x01, 0x04, 0x01, 0x04]);
    devmode.extend_from_slice(&220u16.to_le_bytes());
    devmode.extend_from_slice(&8u16.to_le_bytes());
    devmode.extend((72..220).map(|i| i as u8));
    devmode.extend_from_slice(b"dana.k  ");
    let file = package(&[
        ("xl/workbook.xml", b"<workbook/>", Way::Deflated),
        (
            "xl/printerSettings/printerSettings1.bin",
            &devmode,
            Way::Deflated,
        ),
    ]);
    let (copy, removed) = stripped(&file).unwrap();
    assert!(
        removed.contains(&"the printer's name".to_owned()),
        "{removed:?}"
    );
    let blank = &unpack(&copy)[1].1;
    assert_eq!(blank.len(), devmode.len());
    assert!(blank[..64].iter().all(|&b| b == 0));
    assert_eq!(
        blank[64..220],
        devmode[64..220],
        "paper, orientation, scale kept"
    );
    assert!(blank[220..].iter().all(|&b| b == 0));
    // A copy of the copy has nothing left to remove.
    assert!(!stripped(&copy)
        .unwrap()
        .1
        .contains(&"the printer's name".to_owned()));
}

#[test]
fn packages_that_cannot_be_rewritten_are_errors() {
    let good = word(Way::Described { signed: true });
    // Cut off: in a header, in a compressed part, in the picture, before the directory.
    let dir = memchr::memmem::find(&good, &CENTRAL).unwrap();
    for len in [10, 200, good.len() / 2, dir - 3] {
        assert!(stripped(&good[..len]).is_err(), "{len}");
    }
    // A descriptor that does not match the data.
    let mut lied = good.clone();
    let d = memchr::memmem::find(&lied, &DESCRIPTOR).unwrap();
    lied[d + 8] ^= 1;
    assert!(stripped(&lied).is_err());
    // Encrypted; a stored part whose length only follows it; not a ZIP at all.
    let mut encrypted = word(Way::Deflated);
    encrypted[6] |= 1;
    assert!(stripped(&encrypted).is_err());
    let mut stored_described = package(&[("content.xml", b"<x/>", Way::Stored)]);
    stored_described[6] |= 8;
    assert!(stripped(&stored_described).is_err());
    assert!(stripped(b"not a zip at all").is_err());
}

mod round_trips {
    use super::*;
    use proptest::prelude::*;

    fn way() -> impl Strategy<Value = Way> {
        prop_oneof![
            Just(Way::Stored),
            Just(Way::Deflated),
            any::<bool>().prop_map(|signed| Way::Described { signed }),
        ]
    }

    /// A part: binary bytes, or XML whose text and author are arbitrary.
    fn part() -> impl Strategy<Value = (bool, Vec<u8>, String, String, Way)> {
        (
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..3000),
            "[a-zA-Zа-яА-Я0-9 .,]{0,200}",
            "[a-zA-Z][a-zA-Z .]{0,30}",
            way(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever a package holds and however its parts are written, the copy has the same
        /// parts in the same order: other parts byte for byte, XML with the same text and its
        /// authors numbered.
        #[test]
        fn a_copy_keeps_every_part_and_its_text(parts in prop::collection::vec(part(), 1..8)) {
            let mut entries: Vec<(String, Vec<u8>, Way)> = Vec::new();
            for (i, (xml, bytes, text, author, way)) in parts.iter().enumerate() {
                if *xml {
                    let doc = format!(r#"<w:p w:rsidR="00ABCDEF"><w:ins w:author="{author}"><w:t>{text}</w:t></w:ins></w:p>"#);
                    entries.push((format!("word/part{i}.xml"), doc.into_bytes(), *way));
                } else {
                    entries.push((format!("word/media/blob{i}.bin"), bytes.clone(), *way));
                }
            }
            let listed: Vec<(&str, &[u8], Way)> =
                entries.iter().map(|(n, b, w)| (n.as_str(), b.as_slice(), *w)).collect();
            let file = package(&listed);
            let mut copy = Vec::new();
            strip(&mut &file[..], &mut copy).unwrap();
            let after = unpack(&copy);
            prop_assert_eq!(after.len(), entries.len());
            for ((name, before, _), (name2, plain, time)) in entries.iter().zip(&after) {
                prop_assert_eq!(name, name2);
                prop_assert_eq!(*time, (NO_TIME, NO_DATE));
                if name.ends_with(".bin") {
                    prop_assert_eq!(plain, before);
                } else {
                    let text = String::from_utf8(plain.clone()).unwrap();
                    let original = String::from_utf8(before.clone()).unwrap();
                    let inner = |s: &str| s.split("<w:t>").nth(1).and_then(|r| r.split("</w:t>").next()).map(str::to_owned);
                    prop_assert_eq!(inner(&text), inner(&original));
                    prop_assert!(text.contains(r#"w:author="Author "#), "{}", text);
                    prop_assert!(text.contains(r#"w:rsidR="00000000""#), "{}", text);
                }
            }
        }
    }
}

#[test]
fn a_head_cut_inside_an_entry_s_header_or_data_tells_no_type_without_panic() {
    // Found by the fuzzer: a described entry whose extra field runs past the head.
    let mut head = LOCAL.to_vec();
    head.extend_from_slice(&[20, 0, 8, 0, 8, 0, 0, 0, 0, 0]);
    head.extend_from_slice(&[0; 12]);
    head.extend_from_slice(&1u16.to_le_bytes());
    head.extend_from_slice(&1000u16.to_le_bytes());
    head.push(b'a');
    assert_eq!(package_type(&head), None);
    // And a stored one whose data runs past it.
    let mut stored = package(&[
        ("a.bin", &[7; 100], Way::Stored),
        ("word/document.xml", b"<w/>", Way::Stored),
    ]);
    stored.truncate(60);
    assert_eq!(package_type(&stored), None);
}

/// A long document whose tracked change comes at its very end, deflated: the last
/// compressed bytes inflate to many buffers' worth, all of which are read.
#[test]
fn a_name_at_the_end_of_a_long_compressed_part_is_read() {
    let mut document = String::from("<w:document><w:body>");
    while document.len() < 2 * 1024 * 1024 {
        document.push_str("<w:p><w:r><w:t>They held us in the basement.</w:t></w:r></w:p>");
    }
    document
        .push_str(r#"<w:p><w:ins w:id="9" w:author="Nurlan Editor"/></w:p></w:body></w:document>"#);
    let file = package(&[("word/document.xml", document.as_bytes(), Way::Deflated)]);
    for piece in [4096, 1 << 20, file.len()] {
        let (_, found) = sniffed(&file, piece);
        assert_eq!(all(&found, "owner_name"), ["Nurlan Editor"], "{piece}");
    }
}
