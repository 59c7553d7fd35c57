use std::io::{Cursor, Read, Write};

use proptest::prelude::*;

use super::*;
use crate::media::fixture;
use crate::media::Sniffer;

fn sniffed(file: &[u8]) -> (String, Vec<Warning>) {
    let mut s = Sniffer::new();
    // In awkward pieces, as a file streams past.
    for piece in file.chunks(3001) {
        s.feed(piece);
    }
    s.describe()
}

use crate::media::values_of as values;

fn stripped(file: &[u8]) -> (Vec<u8>, Vec<String>) {
    let mut out = Vec::new();
    let removed = strip(&mut Cursor::new(file), &mut out).unwrap();
    (out, removed)
}

/// Whether `text` is in `file` as 8-bit or UTF-16 text.
fn holds(file: &[u8], text: &str) -> bool {
    let wide: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    memchr::memmem::find(file, text.as_bytes()).is_some()
        || memchr::memmem::find(file, &wide).is_some()
}

/// A stream read with the `cfb` crate.
fn stream(file: &[u8], path: &str) -> Vec<u8> {
    let mut c = ::cfb::CompoundFile::open(Cursor::new(file)).unwrap();
    let mut out = Vec::new();
    c.open_stream(path).unwrap().read_to_end(&mut out).unwrap();
    out
}

#[test]
fn word_and_excel_files_saved_by_libreoffice_name_their_people_and_the_copies_do_not() {
    // Made by LibreOffice 7.4 from documents with these people (make_legacy_office.py).
    let doc = fixture("legacy-word.doc");
    let (t, w) = sniffed(&doc);
    assert_eq!(t, "application/msword");
    let owners = values(&w, "owner_name");
    for who in [
        "Canary Aidarovna",
        "Canary Lastsaver",
        "Canary Reviser",
        "Canary Commenter",
    ] {
        assert!(owners.iter().any(|o| o == who), "{who} not in {owners:?}");
    }
    assert_eq!(values(&w, "time"), ["2024-03-04T05:06:07Z"]);
    let (copy, removed) = stripped(&doc);
    assert_eq!(copy.len(), doc.len());
    for what in [
        crate::media::office::PROPERTIES_REMOVED,
        "authors of changes",
        "authors of comments",
    ] {
        assert!(
            removed.iter().any(|r| r == what),
            "{what} not in {removed:?}"
        );
    }
    assert!(!holds(&copy, "Canary"));
    assert_eq!(sniffed(&copy), ("application/msword".into(), Vec::new()));
    // The text is as it was, and the `cfb` crate reads the copy.
    let text = "The witness said the detention lasted three days.";
    assert!(holds(&stream(&copy, "WordDocument"), text));
    assert_eq!(
        stream(&copy, "WordDocument").len(),
        stream(&doc, "WordDocument").len()
    );
    // Stripped again, nothing changes.
    assert_eq!(stripped(&copy), (copy.clone(), Vec::new()));

    let xls = fixture("legacy-excel.xls");
    let (t, w) = sniffed(&xls);
    assert_eq!(t, "application/vnd.ms-excel");
    let owners = values(&w, "owner_name");
    assert!(
        owners.contains(&"Canary Excelauthor".to_string()),
        "{owners:?}"
    );
    assert!(
        owners.contains(&"Canary Excelsaver".to_string()),
        "{owners:?}"
    );
    let (copy, _) = stripped(&xls);
    assert!(!holds(&copy, "Canary"));
    assert_eq!(sniffed(&copy).1, Vec::new());
    // LibreOffice's user name ("Calc") is blanked in place; the cells are as they were.
    let (old, new) = (stream(&xls, "Workbook"), stream(&copy, "Workbook"));
    assert_eq!(new.len(), old.len());
    assert!(holds(&old, "Calc") && !holds(&new, "Calc"));
    assert!(holds(&new, "victims"));
    assert_eq!(old.iter().zip(&new).filter(|(a, b)| a != b).count(), 4);
}

const SUMMARY_ID: [u8; 16] = props_ids::SUMMARY;

mod props_ids {
    pub(super) const SUMMARY: [u8; 16] = [
        0xE0, 0x85, 0x9F, 0xF2, 0xF9, 0x4F, 0x68, 0x10, 0xAB, 0x91, 0x08, 0x00, 0x2B, 0x27, 0xB3,
        0xD9,
    ];
}

enum Value<'a> {
    Bytes(&'a [u8]),
    Wide(&'a str),
    Time(u64),
}

/// A property set stream with one section in code page `cp`.
fn property_set(cp: u16, props: &[(u32, Value)]) -> Vec<u8> {
    let mut values = Vec::new();
    let mut index = Vec::new();
    let mut put = |id: u32, v: Vec<u8>, values: &mut Vec<u8>| {
        index.push((id, values.len()));
        values.extend_from_slice(&v);
        while !values.len().is_multiple_of(4) {
            values.push(0);
        }
    };
    put(
        1,
        [&2u32.to_le_bytes()[..], &cp.to_le_bytes(), &[0, 0]].concat(),
        &mut values,
    );
    for (id, v) in props {
        let bytes = match v {
            Value::Bytes(b) => {
                let mut s = b.to_vec();
                s.push(0);
                [
                    &0x1Eu32.to_le_bytes()[..],
                    &(s.len() as u32).to_le_bytes(),
                    &s,
                ]
                .concat()
            }
            Value::Wide(t) => {
                let units: Vec<u8> = t
                    .encode_utf16()
                    .chain([0])
                    .flat_map(u16::to_le_bytes)
                    .collect();
                let n = units.len() as u32 / 2;
                [&0x1Fu32.to_le_bytes()[..], &n.to_le_bytes(), &units].concat()
            }
            Value::Time(ft) => [&0x40u32.to_le_bytes()[..], &ft.to_le_bytes()].concat(),
        };
        put(*id, bytes, &mut values);
    }
    let head = 8 + 8 * index.len();
    let mut section = ((head + values.len()) as u32).to_le_bytes().to_vec();
    section.extend_from_slice(&(index.len() as u32).to_le_bytes());
    for (id, at) in &index {
        section.extend_from_slice(&id.to_le_bytes());
        section.extend_from_slice(&((head + at) as u32).to_le_bytes());
    }
    section.extend_from_slice(&values);
    let mut out = vec![0xFE, 0xFF, 0, 0, 5, 1, 2, 0];
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&SUMMARY_ID);
    out.extend_from_slice(&48u32.to_le_bytes());
    out.extend_from_slice(&section);
    out
}

/// A compound file of these streams, written by the `cfb` crate.
fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
    let mut c = ::cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    for (path, data) in streams {
        if let Some((dir, _)) = path.rsplit_once('/') {
            if !dir.is_empty() && !c.exists(dir) {
                c.create_storage_all(dir).unwrap();
            }
        }
        c.create_stream(path).unwrap().write_all(data).unwrap();
    }
    c.flush().unwrap();
    c.into_inner().into_inner()
}

use super::word::xst;

/// A package of `data` inserted from `path`, as Word writes it.
pub(crate) fn package(label: &str, path: &str, temp: &str, data: &[u8]) -> Vec<u8> {
    let mut b = vec![2, 0];
    for s in [label, path] {
        b.extend_from_slice(s.as_bytes());
        b.push(0);
    }
    b.extend_from_slice(&[0, 0, 3, 0]);
    b.extend_from_slice(&(temp.len() as u32 + 1).to_le_bytes());
    b.extend_from_slice(temp.as_bytes());
    b.push(0);
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    for s in [temp, label, path] {
        let units: Vec<u16> = s.encode_utf16().collect();
        b.extend_from_slice(&(units.len() as u32).to_le_bytes());
        b.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    }
    [(b.len() as u32).to_le_bytes().to_vec(), b].concat()
}

#[test]
fn a_file_embedded_whole_loses_its_folders_and_its_photo_s_exif_and_other_metadata_stops_the_copy()
{
    let photo = fixture("exif-gps.png");
    let path = r"C:\Users\Aigerim Nurlanovna\Pictures\injuries.png";
    let temp = r"C:\Users\AIGERI~1\AppData\Local\Temp\{9F}\injuries.png";
    let object = package("injuries.png", path, temp, &photo);
    let stream = "ObjectPool/_1/\u{1}Ole10Native";
    let file = compound(&[("WordDocument", &[0u8; 64]), (stream, &object)]);
    let (_, w) = sniffed(&file);
    let owners = values(&w, "owner_name");
    assert!(owners.contains(&path.to_owned()), "{owners:?}");
    assert_eq!(values(&w, "camera_serial"), ["SN-FIXTURE-0042"]);
    let (copy, removed) = stripped(&file);
    assert!(
        removed.contains(&"folders of embedded files".to_owned()),
        "{removed:?}"
    );
    assert!(!holds(&copy, "Aigerim") && !holds(&copy, "AIGERI"));
    assert!(holds(&copy, r"\injuries.png"));
    assert_eq!(sniffed(&copy).1, Vec::new());
    assert_eq!(self::stream(&copy, stream).len(), object.len());

    // A recording's tags cannot be blanked in place: the document is not copied.
    let mp3 = [
        &b"ID3\x03\0\0\0\0\0\x1aTPE1\0\0\0\x10\0\0\0Aigerim Nurlanovn"[..],
        &[0xFF, 0xFB, 0x90, 0x64],
        &[0u8; 400],
    ]
    .concat();
    let object = package("witness.mp3", r"D:\witness.mp3", r"C:\t\witness.mp3", &mp3);
    let file = compound(&[("WordDocument", &[0u8; 64]), (stream, &object)]);
    let (_, w) = sniffed(&file);
    assert!(
        values(&w, "owner_name")
            .iter()
            .any(|o| o.contains("Aigerim")),
        "{w:?}"
    );
    let err = strip(&mut Cursor::new(&file), &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("witness.mp3"), "{err}");
}

fn sttb(strings: &[&str]) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFF];
    out.extend_from_slice(&(strings.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    strings.iter().for_each(|s| out.extend_from_slice(&xst(s)));
    out
}

/// A `WordDocument` stream whose FIB points at these tables of `1Table`, by index.
fn word(tables: &[(usize, std::ops::Range<usize>)], text: &str) -> Vec<u8> {
    let mut doc = vec![0u8; 154 + 93 * 8];
    doc[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    doc[2..4].copy_from_slice(&0xC1u16.to_le_bytes());
    doc[0x0A..0x0C].copy_from_slice(&0x0200u16.to_le_bytes());
    doc[32..34].copy_from_slice(&14u16.to_le_bytes());
    doc[62..64].copy_from_slice(&22u16.to_le_bytes());
    doc[152..154].copy_from_slice(&93u16.to_le_bytes());
    for (i, r) in tables {
        let at = 154 + 8 * i;
        doc[at..at + 4].copy_from_slice(&(r.start as u32).to_le_bytes());
        doc[at + 4..at + 8].copy_from_slice(&(r.len() as u32).to_le_bytes());
    }
    doc.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    doc
}

#[test]
fn a_word_documents_reviewers_commenters_and_savers_become_numbers_in_the_copy() {
    let rmark = sttb(&["Unknown", "Айгерим Сатпаева", "Nurlan"]);
    let owners = [xst("Nurlan"), xst("Dana Commenter")].concat();
    let saved = sttb(&["Dana", r"C:\Users\dana\Desktop\statement.doc"]);
    let assoc = sttb(&[
        "",
        r"C:\Users\dana\AppData\Roaming\Microsoft\Templates\Normal.dot",
    ]);
    // Two comments: 3 CPs, then two references whose first 20 bytes are the initials.
    let mut and_ref = vec![0u8; 12];
    for initials in ["NB", "DC"] {
        let mut atrd = xst(initials);
        atrd.resize(30, 0);
        and_ref.extend_from_slice(&atrd);
    }
    let printer = b"HP LaserJet at the ministry".to_vec();
    let mut table = Vec::new();
    let mut place = |t: &[u8]| {
        let r = table.len()..table.len() + t.len();
        table.extend_from_slice(t);
        r
    };
    let tables = [
        (51, place(&rmark)),
        (36, place(&owners)),
        (71, place(&saved)),
        (32, place(&assoc)),
        (4, place(&and_ref)),
        (27, place(&printer)),
    ];
    let text = "He was held for three days.";
    let doc = word(&tables, text);
    let ft = (1_700_000_000u64 + 11_644_473_600) * 10_000_000;
    let summary = property_set(
        1251,
        &[
            (4, Value::Bytes(b"\xc0\xe9\xe3\xe5\xf0\xe8\xec")),
            (8, Value::Wide("Dana")),
            (13, Value::Time(ft)),
            (18, Value::Bytes(b"Microsoft Office Word")),
        ],
    );
    let file = compound(&[
        ("/WordDocument", &doc),
        ("/1Table", &table),
        ("/\u{5}SummaryInformation", &summary),
        ("/Data", &vec![7u8; 10_000]),
    ]);
    let (t, w) = sniffed(&file);
    assert_eq!(t, "application/msword");
    let owners = values(&w, "owner_name");
    for who in [
        "Айгерим",
        "Айгерим Сатпаева",
        "Nurlan",
        "Dana",
        "Dana Commenter",
        r"C:\Users\dana\Desktop\statement.doc",
        r"C:\Users\dana\AppData\Roaming\Microsoft\Templates\Normal.dot",
    ] {
        assert!(owners.iter().any(|o| o == who), "{who} not in {owners:?}");
    }
    assert!(!owners.iter().any(|o| o == "Unknown"));
    assert_eq!(values(&w, "time"), ["2023-11-14T22:13:20Z"]);
    assert_eq!(values(&w, "camera"), ["Microsoft Office Word"]);

    let (copy, removed) = stripped(&file);
    assert_eq!(copy.len(), file.len());
    for what in [
        crate::media::office::PROPERTIES_REMOVED,
        "authors of changes",
        "authors of comments",
        "saved-by list",
        "printer",
        "initials of comments",
    ] {
        assert!(
            removed.iter().any(|r| r == what),
            "{what} not in {removed:?}"
        );
    }
    for gone in ["Айгерим", "Nurlan", "Dana", "dana", "LaserJet", "NB"] {
        assert!(!holds(&copy, gone), "{gone} is still in the copy");
    }
    assert_eq!(sniffed(&copy).1, Vec::new());
    // The same person is the same number in both tables; the tables stay where they were,
    // their lengths now those of what was written.
    let new_table = stream(&copy, "1Table");
    let new_doc = stream(&copy, "WordDocument");
    assert_eq!(new_table.len(), table.len());
    let rm = &tables[0].1;
    let rm_len = u32::from_le_bytes(new_doc[154 + 51 * 8 + 4..][..4].try_into().unwrap());
    assert_eq!(
        new_table[rm.start..rm.start + rm_len as usize],
        sttb(&["Unknown", "Author 1", "Author 2"])[..]
    );
    let ow = &tables[1].1;
    let owners_now = [xst("Author 2"), xst("Author 3")].concat();
    assert_eq!(
        new_table[ow.start..ow.start + owners_now.len()],
        owners_now[..]
    );
    assert!(new_table[ow.start + owners_now.len()..ow.end]
        .iter()
        .all(|&b| b == 0));
    let saved_len = &new_doc[154 + 71 * 8 + 4..][..4];
    assert_eq!(saved_len, [0; 4]);
    assert!(holds(&new_doc, text));
    assert_eq!(stream(&copy, "Data"), vec![7u8; 10_000]);
}

#[test]
fn linked_files_folders_document_variables_and_the_last_save_go_from_a_word_copy() {
    let linked = r"C:\Users\Aigerim Nurlanovna\Documents\victims.xls";
    let fnm = sttb(&[linked]);
    let variables = b"\xff\xff\x01\x00\x00\x00\x04\x00Case\x0d\x00Zhanaozen 17".to_vec();
    let mut table = Vec::new();
    let tables = [
        (72, 0..fnm.len()),
        (60, fnm.len()..fnm.len() + variables.len()),
    ];
    table.extend_from_slice(&fnm);
    table.extend_from_slice(&variables);
    let mut doc = word(&tables, "See the linked sheet.");
    let modified = 154 + 8 * 87;
    doc[modified..modified + 8].copy_from_slice(&0x01DA_0000_1234_5678u64.to_le_bytes());
    let file = compound(&[("/WordDocument", &doc), ("/1Table", &table)]);
    let (_, w) = sniffed(&file);
    assert!(
        values(&w, "owner_name").contains(&linked.to_owned()),
        "{w:?}"
    );
    let (copy, removed) = stripped(&file);
    for what in [
        "folders of linked files",
        "document variables",
        "file times",
    ] {
        assert!(
            removed.iter().any(|r| r == what),
            "{what} not in {removed:?}"
        );
    }
    assert!(!holds(&copy, "Aigerim") && !holds(&copy, "Zhanaozen"));
    assert!(holds(&copy, r"\victims.xls"));
    let doc = stream(&copy, "WordDocument");
    assert_eq!(doc[modified..modified + 8], [0; 8]);
    // The variables' length is zero: Word reads it as none.
    assert_eq!(doc[154 + 8 * 60 + 4..154 + 8 * 60 + 8], [0; 4]);
    assert_eq!(sniffed(&copy).1, Vec::new());
    assert_eq!(stripped(&copy).1, Vec::<String>::new());
}

#[test]
fn word_s_editors_of_protected_ranges_and_e_mail_envelope_go_from_the_copy() {
    let users = sttb(&[r"KIBHR\aigerim", "nurlan@kibhr.kz"]);
    let envelope = b"To: prosecutor@gov.kz Subject: case 17".to_vec();
    let mut table = users.clone();
    table.extend_from_slice(&envelope);
    let tables = [
        (144, 0..users.len()),
        (97, users.len()..users.len() + envelope.len()),
    ];
    let mut doc = word(&[], "text");
    // A FIB as Word 2003 writes it: 164 pairs.
    doc.splice(152..154, 164u16.to_le_bytes());
    doc.splice(154 + 93 * 8..154 + 93 * 8, vec![0u8; (164 - 93) * 8]);
    for (i, r) in &tables {
        let at = 154 + 8 * i;
        doc[at..at + 4].copy_from_slice(&(r.start as u32).to_le_bytes());
        doc[at + 4..at + 8].copy_from_slice(&(r.len() as u32).to_le_bytes());
    }
    let file = compound(&[("WordDocument", &doc), ("1Table", &table)]);
    let (_, w) = sniffed(&file);
    let owners = values(&w, "owner_name");
    assert!(owners.contains(&"nurlan@kibhr.kz".to_owned()), "{owners:?}");
    let (copy, removed) = stripped(&file);
    for what in ["users allowed to edit", "e-mail addresses"] {
        assert!(
            removed.iter().any(|r| r == what),
            "{what} not in {removed:?}"
        );
    }
    for gone in ["aigerim", "kibhr", "prosecutor"] {
        assert!(!holds(&copy, gone), "{gone}");
    }
    assert_eq!(sniffed(&copy).1, Vec::new());
}

#[test]
fn streams_are_found_whatever_the_case_of_their_names() {
    // Compound files compare names without case; some writers use lower or upper case.
    let saved = sttb(&["Dana", r"C:\Users\dana\statement.doc"]);
    let doc = word(&[(71, 0..saved.len())], "text");
    for (main, table) in [("worddocument", "1table"), ("WORDDOCUMENT", "1TABLE")] {
        let file = compound(&[(main, &doc), (table, &saved)]);
        let (t, w) = sniffed(&file);
        assert_eq!(t, "application/msword");
        assert!(
            values(&w, "owner_name").contains(&"Dana".to_owned()),
            "{main}"
        );
        let (copy, removed) = stripped(&file);
        assert!(removed.contains(&"saved-by list".to_owned()), "{main}");
        assert!(!holds(&copy, "dana"));
    }
}

#[test]
fn names_in_excel_records_and_powerpoint_streams_are_shown_and_blanked_in_place() {
    fn record(kind: u16, body: &[u8]) -> Vec<u8> {
        [
            &kind.to_le_bytes()[..],
            &(body.len() as u16).to_le_bytes(),
            body,
        ]
        .concat()
    }
    let mut access = vec![5, 0, 0];
    access.extend_from_slice(b"Gulya");
    access.resize(112, b' ');
    let mut note = vec![0u8; 8];
    note.extend_from_slice(&[6, 0, 1]);
    note.extend("Серик!".encode_utf16().flat_map(u16::to_le_bytes));
    note.push(0);
    let sheet_data = record(0x0204, b"label: the names of the detained");
    let wb = [
        record(0x0809, &[0; 16]),
        record(0x5C, &access),
        sheet_data.clone(),
        record(0x1C, &note),
        record(0x0A, &[]),
    ]
    .concat();
    let xls = compound(&[("/Workbook", &wb)]);
    let (t, w) = sniffed(&xls);
    assert_eq!(t, "application/vnd.ms-excel");
    assert_eq!(values(&w, "owner_name"), ["Gulya", "Серик!"]);
    let (copy, removed) = stripped(&xls);
    assert_eq!(removed, ["user name", "authors of comments"]);
    let new = stream(&copy, "Workbook");
    assert_eq!(new.len(), wb.len());
    assert!(!holds(&new, "Gulya") && !holds(&new, "Серик"));
    assert!(holds(&new, "Author"));
    assert!(memchr::memmem::find(&new, &sheet_data).is_some());
    assert_eq!(sniffed(&copy).1, Vec::new());

    // PowerPoint: the last user, and a comment's author, text and initials.
    let mut cu = vec![0u8; 28];
    cu[2..4].copy_from_slice(&0x0FF6u16.to_le_bytes());
    cu[20..22].copy_from_slice(&6u16.to_le_bytes());
    cu.extend_from_slice(b"Marat1");
    cu.extend_from_slice(&[0; 4]);
    cu.extend("Marat1".encode_utf16().flat_map(u16::to_le_bytes));
    let cstring = |instance: u16, text: &str| {
        let t: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        [
            &(instance << 4).to_le_bytes()[..],
            &0x0FBAu16.to_le_bytes(),
            &(t.len() as u32).to_le_bytes(),
            &t,
        ]
        .concat()
    };
    let children = [
        cstring(0, "Aliya Reviewer"),
        cstring(1, "the date is wrong"),
        cstring(2, "AR"),
        [
            &[0u8, 0][..],
            &0x2EE1u16.to_le_bytes(),
            &28u32.to_le_bytes(),
            &[0; 28],
        ]
        .concat(),
    ]
    .concat();
    let mut doc = b"slides before".to_vec();
    doc.extend_from_slice(&[0x0F, 0x00, 0xE0, 0x2E]);
    doc.extend_from_slice(&(children.len() as u32).to_le_bytes());
    doc.extend_from_slice(&children);
    doc.extend_from_slice(b"slides after");
    let ppt = compound(&[("/Current User", &cu), ("/PowerPoint Document", &doc)]);
    let (t, w) = sniffed(&ppt);
    assert_eq!(t, "application/vnd.ms-powerpoint");
    assert_eq!(values(&w, "owner_name"), ["Marat1", "Aliya Reviewer"]);
    let (copy, removed) = stripped(&ppt);
    assert_eq!(removed, ["user name", "authors of comments"]);
    assert!(!holds(&copy, "Marat") && !holds(&copy, "Aliya") && !holds(&copy, "AR"));
    assert!(holds(&copy, "the date is wrong") && holds(&copy, "Author 1"));
    assert_eq!(sniffed(&copy).1, Vec::new());
}

/// The EXIF of tests/fixtures/exif-gps.jpg, as the warnings show it.
const PHOTO_GPS: &str = "43 deg 14 min 30.12 sec N, 76 deg 56 min 45.18 sec E";

#[test]
fn a_photo_pasted_into_word_or_excel_loses_its_place_camera_and_time_in_the_copy() {
    // Made by LibreOffice 7.4 (make_legacy_office.py): in the Word file the photo is in the
    // Data stream; in the Excel file its EXIF runs across the records of the drawing group.
    for (name, main) in [
        ("legacy-photo.doc", "Data"),
        ("legacy-photo.xls", "Workbook"),
    ] {
        let file = fixture(name);
        let (_, w) = sniffed(&file);
        assert_eq!(values(&w, "gps_position"), [PHOTO_GPS], "{name}");
        assert_eq!(values(&w, "camera_serial"), ["SN-FIXTURE-0042"], "{name}");
        assert!(values(&w, "owner_name").contains(&"Aigerim Fixture-Owner".to_owned()));
        assert!(
            crate::media::pictures::leftover(&stream(&file, main)),
            "{name}"
        );
        let (copy, removed) = stripped(&file);
        assert_eq!(copy.len(), file.len(), "{name}");
        assert!(
            removed.contains(&crate::media::pictures::PICTURES_REMOVED.to_owned()),
            "{name}: {removed:?}"
        );
        assert!(
            !holds(&copy, "SN-FIXTURE") && !holds(&copy, "FixturePhone"),
            "{name}"
        );
        assert!(
            !crate::media::pictures::leftover(&stream(&copy, main)),
            "{name}"
        );
        assert_eq!(sniffed(&copy).1, Vec::new(), "{name}");
        // Every stream keeps its size; only the photo's metadata changed in the main one.
        let (a, b) = (stream(&file, main), stream(&copy, main));
        assert_eq!(a.len(), b.len());
        let changed = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert!((100..a.len() / 2).contains(&changed), "{name}: {changed}");
    }
    let (joined, pieces) = excel::drawings(&stream(&fixture("legacy-photo.xls"), "Workbook"));
    assert_eq!(pieces.len(), 3);
    assert!(crate::media::pictures::leftover(&joined));
}

#[test]
fn photos_in_powerpoint_s_picture_stream_and_in_embedded_objects_lose_their_exif_too() {
    let (jpeg, png) = (fixture("exif-gps.jpg"), fixture("exif-gps.png"));
    // PowerPoint's Pictures stream: each picture is an OfficeArt BLIP record (an 8-byte
    // header and a 17-byte one of its own) holding the file's bytes.
    let mut pictures = Vec::new();
    for (kind, bytes) in [(0xF01Du16, &jpeg), (0xF01E, &png)] {
        pictures.extend_from_slice(&0x46A0u16.to_le_bytes());
        pictures.extend_from_slice(&kind.to_le_bytes());
        pictures.extend_from_slice(&(17 + bytes.len() as u32).to_le_bytes());
        pictures.extend_from_slice(&[0x5A; 17]);
        pictures.extend_from_slice(bytes);
    }
    // A photo inserted as a package object: the file's bytes after its name and path.
    let mut native = (png.len() as u32 + 40).to_le_bytes().to_vec();
    native.extend_from_slice(b"\x02\0photo.png\0C:\\Users\\aigerim\\photo.png\0\0");
    native.extend_from_slice(&png);
    let file = compound(&[
        ("PowerPoint Document", &[0u8; 64]),
        ("Pictures", &pictures),
        ("ObjectPool/_1/\u{1}Ole10Native", &native),
    ]);
    let (t, w) = sniffed(&file);
    assert_eq!(t, "application/vnd.ms-powerpoint");
    assert_eq!(values(&w, "camera_serial"), ["SN-FIXTURE-0042"]);
    let (copy, removed) = stripped(&file);
    assert!(removed.contains(&crate::media::pictures::PICTURES_REMOVED.to_owned()));
    assert_eq!(sniffed(&copy).1, Vec::new());
    for path in ["Pictures", "ObjectPool/_1/\u{1}Ole10Native"] {
        let (a, b) = (stream(&file, path), stream(&copy, path));
        assert_eq!(a.len(), b.len(), "{path}");
        assert!(crate::media::pictures::leftover(&a), "{path}");
        assert!(!crate::media::pictures::leftover(&b), "{path}");
        assert!(!holds(&b, "FixturePhone") && !holds(&b, "Aigerim Fixture-Owner"));
    }
}

#[test]
fn a_photo_in_a_drawing_group_that_cannot_be_joined_is_said_and_not_copied() {
    // The record after the drawing group's first is no longer its continuation: the
    // photo's EXIF runs into a record Aigaq does not join, so it cannot be blanked whole.
    let file = fixture("legacy-photo.xls");
    let c = Compound::parse(&file).unwrap();
    let e = c.child(Some(0), "Workbook").unwrap();
    let mut wb = c.read(&file, e).unwrap();
    let (_, pieces) = excel::drawings(&wb);
    let second = pieces[1].start - 4;
    wb[second..second + 2].copy_from_slice(&0x0FFFu16.to_le_bytes());
    let mut file = file.clone();
    c.write(&mut file, e, &wb).unwrap();
    let (_, w) = sniffed(&file);
    assert!(
        values(&w, UNREAD)[0].starts_with("a picture inside"),
        "{w:?}"
    );
    let err = strip(&mut Cursor::new(&file), &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("picture"), "{err}");
}

#[test]
fn a_shared_workbook_s_change_history_is_said_to_be_unchecked_and_not_copied() {
    // As in Apache POI's 29982.xls: a user information record naming "tech20".
    let mut log = vec![0x94, 0x01, 0x10, 0x00];
    log.extend_from_slice(b"\x06\x00\x00tech20\x00\x00\x00\x00\x00\x00\x00");
    let file = compound(&[("Workbook", &[0u8; 64]), ("Revision Log", &log)]);
    let (_, w) = sniffed(&file);
    assert!(values(&w, UNREAD)[0].contains("change history"), "{w:?}");
    let err = strip(&mut Cursor::new(&file), &mut Vec::new()).unwrap_err();
    assert!(
        err.to_string().contains("stop sharing the workbook"),
        "{err}"
    );
}

#[test]
fn what_cannot_be_read_is_said_and_not_copied() {
    // Too large to keep: said, and not copied.
    let mut w = OleWatch::default();
    w.feed(&MAGIC);
    for _ in 0..=LARGEST >> 20 {
        w.feed(&[0u8; 1 << 20]);
    }
    assert_eq!(w.media_type(), Some("application/x-ole-storage"));
    assert!(values(&w.warnings(), UNREAD)[0].contains("too large"));
    // Damaged: the same.
    let mut file = fixture("legacy-word.doc");
    file.truncate(2000);
    let (_, w) = sniffed(&file);
    assert!(
        values(&w, UNREAD)[0].starts_with("a damaged document"),
        "{w:?}"
    );
    assert!(strip(&mut Cursor::new(&file), &mut Vec::new()).is_err());
    // Not a compound file: not watched.
    let (t, _) = sniffed(b"plain text, not a document");
    assert_eq!(t, "text/plain");
}

#[test]
fn a_file_whose_last_sector_is_cut_short_is_read_as_far_as_it_goes() {
    // Some writers end a file inside its last sector; olefile and Office read such files.
    let mut doc = fixture("legacy-word.doc");
    let last = doc.len() - 512;
    doc.truncate(last + 300);
    let (t, w) = sniffed(&doc);
    assert_eq!(t, "application/msword");
    assert!(
        values(&w, "owner_name").contains(&"Canary Aidarovna".to_owned()),
        "{w:?}"
    );
    let (copy, _) = stripped(&doc);
    assert_eq!(copy.len(), doc.len());
    assert!(!holds(&copy, "Canary"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Damaged documents: no panic, and a copy, when one is made, no longer than the file.
    #[test]
    fn damaged_documents_are_read_without_panic(
        flips in proptest::collection::vec((0usize..18_432, any::<u8>()), 1..40),
        cut in 512usize..18_432,
    ) {
        let mut file = fixture("legacy-word.doc");
        for (at, b) in flips {
            let n = file.len();
            file[at % n] = b;
        }
        file.truncate(cut);
        let _ = sniffed(&file);
        let mut out = Vec::new();
        if strip(&mut Cursor::new(&file), &mut out).is_ok() {
            prop_assert_eq!(out.len(), file.len());
        }
    }
}

use crate::media::office::tests::{package as zip, unpack, Way, APP, CORE, META};

/// A Word 2007 document, as Word embeds one in a `.doc` (an `.xlsx` the same way): its
/// package in a `Package` stream of the object's storage.
fn docx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", b"<Types/>", Way::Deflated),
        (
            "word/document.xml",
            b"<w:document>Annex</w:document>",
            Way::Deflated,
        ),
        ("docProps/core.xml", CORE.as_bytes(), Way::Deflated),
        ("docProps/app.xml", APP.as_bytes(), Way::Deflated),
    ])
}

#[test]
fn an_office_document_embedded_in_a_word_97_file_is_read_and_cleaned_where_it_stands() {
    let inner = docx();
    let stream = "ObjectPool/_1345471034/Package";
    let file = compound(&[("WordDocument", &[0u8; 64]), (stream, &inner)]);
    let (_, w) = sniffed(&file);
    let owners = values(&w, "owner_name");
    for who in ["Aigerim Nurlanovna", "N. Editor & Co", "KIBHR Almaty"] {
        assert!(owners.contains(&who.to_owned()), "{owners:?}");
    }
    let (copy, removed) = stripped(&file);
    assert!(
        removed.contains(&"the properties of documents embedded in it".to_owned()),
        "{removed:?}"
    );
    assert!(!holds(&copy, "Aigerim") && !holds(&copy, "KIBHR"));
    assert_eq!(sniffed(&copy).1, Vec::new());
    // Where it was, at its length: the package's own copy, padded in its closing comment,
    // whose entries all read back (their CRCs checked).
    let cleaned = self::stream(&copy, stream);
    assert_eq!(cleaned.len(), inner.len());
    let parts = unpack(&cleaned);
    let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "[Content_Types].xml",
            "word/document.xml",
            "docProps/core.xml",
            "docProps/app.xml"
        ]
    );
    assert_eq!(parts[1].1, b"<w:document>Annex</w:document>");

    // An OpenDocument formula (LibreOffice's equations) and a theme (Outlook's) the same.
    let formula = zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.formula",
            Way::Stored,
        ),
        ("meta.xml", META.as_bytes(), Way::Deflated),
    ]);
    let file = compound(&[
        ("WordDocument", &[0u8; 64]),
        ("ObjectPool/_2/package_stream", &formula),
    ]);
    assert!(values(&sniffed(&file).1, "owner_name").contains(&"Aigerim Nurlanovna".to_owned()));
    let (copy, _) = stripped(&file);
    assert!(!holds(&copy, "Aigerim"));
    assert_eq!(sniffed(&copy).1, Vec::new());
}

#[test]
fn an_outlook_message_s_attached_documents_and_pdfs_are_read_and_cleaned() {
    // An attachment's bytes are a stream of its storage: a Word 97 file, a PDF.
    let summary = property_set(1252, &[(4, Value::Bytes(b"Aigerim Nurlanovna"))]);
    let doc = compound(&[
        ("WordDocument", &[0u8; 64]),
        ("\u{5}SummaryInformation", &summary),
    ]);
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Author (Dr. Daniyar Sultanov) /Producer (Clinic Scanner 2) >>\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF\n";
    let file = compound(&[
        (
            "__substg1.0_0037001F",
            &"Statement"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<_>>(),
        ),
        ("__attach_version1.0_#00000000/__substg1.0_37010102", &doc),
        ("__attach_version1.0_#00000001/__substg1.0_37010102", pdf),
    ]);
    let (t, w) = sniffed(&file);
    assert_eq!(t, "application/x-ole-storage");
    let owners = values(&w, "owner_name");
    assert!(
        owners.contains(&"Aigerim Nurlanovna".to_owned()),
        "{owners:?}"
    );
    assert!(
        owners.contains(&"Dr. Daniyar Sultanov".to_owned()),
        "{owners:?}"
    );
    let (copy, _) = stripped(&file);
    assert!(
        !holds(&copy, "Aigerim") && !holds(&copy, "Daniyar") && !holds(&copy, "Clinic Scanner")
    );
    assert_eq!(sniffed(&copy).1, Vec::new());
    let pdf_copy = self::stream(&copy, "__attach_version1.0_#00000001/__substg1.0_37010102");
    assert_eq!(
        pdf_copy.len(),
        pdf.len(),
        "a PDF's copy keeps every byte's place"
    );

    // The internet headers name the sender's computer and address; the subject stays.
    let headers = "Received: from aigerim-laptop (adsl-5-34.almaty.example.kz [5.34.18.77])\r\n\tby mx.example.net with ESMTP; Wed, 5 Aug 2015 14:02:07 +0200\r\n";
    let wide = |s: &str| {
        s.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<_>>()
    };
    let file = compound(&[
        ("__substg1.0_0037001F", &wide("Photos of the injuries")),
        ("__substg1.0_007D001F", &wide(headers)),
        (
            "__attach_version1.0_#00000000/__substg1.0_370D001F",
            &wide(r"C:\Users\Dana Seitkali\Documents\scan.pdf"),
        ),
    ]);
    let (_, w) = sniffed(&file);
    assert_eq!(
        values(&w, "network_address"),
        ["aigerim-laptop (adsl-5-34.almaty.example.kz [5.34.18.77])"]
    );
    assert_eq!(
        values(&w, "owner_name"),
        [r"C:\Users\Dana Seitkali\Documents\scan.pdf"]
    );
    let (copy, removed) = stripped(&file);
    assert!(
        removed.iter().any(|r| r.contains("internet headers")),
        "{removed:?}"
    );
    assert!(!holds(&copy, "5.34.18.77") && !holds(&copy, "aigerim-laptop"));
    assert!(!holds(&copy, "Dana") && holds(&copy, r"\scan.pdf"));
    assert!(holds(&copy, "Photos of the injuries"));
    assert_eq!(
        self::stream(&copy, "__substg1.0_007D001F").len(),
        wide(headers).len()
    );
    assert_eq!(sniffed(&copy).1, Vec::new());

    // A recording's tags cannot be blanked in place: the message is not copied.
    let mp3 = [
        &b"ID3\x03\0\0\0\0\0\x1aTPE1\0\0\0\x10\0\0\0Aigerim Nurlanovn"[..],
        &[0xFF, 0xFB, 0x90, 0x64],
        &[0u8; 400],
    ]
    .concat();
    let file = compound(&[("__attach_version1.0_#00000000/__substg1.0_37010102", &mp3)]);
    assert!(values(&sniffed(&file).1, "owner_name")
        .iter()
        .any(|o| o.contains("Aigerim")));
    let err = strip(&mut Cursor::new(&file), &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("audio/mpeg"), "{err}");
}

#[test]
fn documents_embedded_too_deep_or_whose_copy_would_not_fit_are_said_and_not_copied() {
    // A document in a document in a document in the file: not read.
    let mut nested = docx();
    for _ in 0..3 {
        nested = compound(&[
            ("WordDocument", &[0u8; 64]),
            ("ObjectPool/_1/Package", &nested),
        ]);
    }
    let (_, w) = sniffed(&nested);
    assert!(
        values(&w, UNREAD)
            .iter()
            .any(|v| v == crate::media::TOO_DEEP),
        "{w:?}"
    );
    let err = strip(&mut Cursor::new(&nested), &mut Vec::new()).unwrap_err();
    assert_eq!(err.to_string(), crate::media::TOO_DEEP);

    // A part that does not compress, rewritten for its comments' authors: deflated again, it
    // takes more room than it did stored, so the package no longer fits its stream.
    let mut noise: Vec<u8> = (0..1_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    noise.extend_from_slice(b"<w:comment w:author=\"Aigerim Nurlanovna\"/>");
    let inner = zip(&[("word/comments.xml", &noise, Way::Stored)]);
    let file = compound(&[
        ("WordDocument", &[0u8; 64]),
        ("ObjectPool/_1/Package", &inner),
    ]);
    assert!(values(&sniffed(&file).1, "owner_name").contains(&"Aigerim Nurlanovna".to_owned()));
    let err = strip(&mut Cursor::new(&file), &mut Vec::new()).unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
}

#[test]
fn a_large_file_fed_at_once_is_a_compound_file_only_if_it_starts_as_one() {
    let big = vec![0u8; LARGEST + 1];
    let mut s = Sniffer::new();
    s.feed(&big);
    assert_eq!(
        s.describe(),
        ("application/octet-stream".to_owned(), Vec::new())
    );
    let mut w = OleWatch::default();
    w.feed(&[&MAGIC[..], &big].concat());
    assert_eq!(w.media_type(), Some(TYPES[3]));
    assert_eq!(values(&w.warnings(), UNREAD).len(), 1);
}
