//! E-mail headers: a message saved as it was received (`.eml`, `message/rfc822`), and an
//! Outlook message's copy of them ([`super::ole`]). Each mail server a message passed
//! added a `Received:` line naming the computer it came from and that computer's address,
//! so the last of them names the sender's own computer and, often, the address it was
//! connected from: where a witness was when they wrote. A webmail server may add
//! `X-Originating-IP:` too.
//!
//! A copy ([`strip`]) turns those fields' values to spaces where they stand, with the lines
//! that continue them, in the whole file (a message forwarded inside it has its own). What a
//! reader shows of a message (`From:`, `To:`, `Subject:`, `Date:`) stays: that is the
//! message. A JPEG or PNG photo attached in base64 (a phone's, with its place) is decoded,
//! stripped as a photo alone is, and encoded again in lines like its own ([`Parts`]).

use std::io::{self, BufRead, Read, Write};

/// The fields that name where a message came from.
const ADDRESS_FIELDS: [&str; 2] = ["Received", "X-Originating-IP"];

/// Fields of which one must be in a text file's first lines for it to be a message.
const MAIL_FIELDS: [&str; 5] = [
    "Received",
    "Return-Path",
    "Delivered-To",
    "Message-ID",
    "MIME-Version",
];

/// Most places named from one message.
const MOST_NAMED: usize = 8;

/// The longest line a copy looks at as a whole: a longer one is no header field.
const LONGEST_LINE: u64 = 64 * 1024;

/// A header field's name, if `line` starts as one (`Name:`).
fn field_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = &line[..colon];
    (!name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-'))
        .then_some(name)
}

fn is_one_of(name: &[u8], fields: &[&str]) -> bool {
    fields
        .iter()
        .any(|f| f.as_bytes().eq_ignore_ascii_case(name))
}

/// Whether a field names where a message came from: a `Received:` line as servers write
/// them (`from …` or `by …`; a line of prose that starts with the word is not one), or
/// an `X-Originating-IP:`.
fn is_address(name: &[u8], value: &[u8]) -> bool {
    if !is_one_of(name, &ADDRESS_FIELDS) {
        return false;
    }
    let value = value.trim_ascii_start().to_ascii_lowercase();
    !name.eq_ignore_ascii_case(b"Received")
        || value.starts_with(b"from ")
        || value.starts_with(b"by ")
}

/// Whether a text file whose first bytes are `head` is an e-mail message: its first lines,
/// up to an empty one, are all header fields (or continue one), and one of them is a field
/// only mail servers and mail programs write.
pub(super) fn is_mail(head: &[u8]) -> bool {
    let mut mail = false;
    let mut lines = head.split(|&b| b == b'\n').peekable();
    // The last line may be cut off by the end of the head.
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        if line.trim_ascii().is_empty() {
            break;
        }
        match field_name(line) {
            Some(name) => mail |= is_one_of(name, &MAIL_FIELDS),
            None if line.starts_with(b" ") || line.starts_with(b"\t") => {}
            None if last => {}
            None => return false,
        }
    }
    mail && field_name(head).is_some()
}

/// The computers and addresses the headers in `text` name as where the message came from:
/// the sender's first (the last `Received:` line), then the servers it passed, and any
/// `X-Originating-IP:`.
pub(super) fn addresses(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut keep = |place: &str| {
        let place = place.trim().to_owned();
        if !place.is_empty() && !found.contains(&place) && found.len() < MOST_NAMED {
            found.push(place);
        }
    };
    for field in unfolded(text).iter().rev() {
        // Servers separate the parts of a line with tabs as well as spaces.
        let field = field.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some((name, value)) = field.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("Received") {
            let Some(from) = value.trim_start().strip_prefix("from ") else {
                continue;
            };
            // "from HOST (NAME [ADDRESS]) by SERVER …": up to the receiving server.
            let end = [" by ", " with ", ";"]
                .iter()
                .filter_map(|w| from.find(w))
                .min()
                .unwrap_or(from.len());
            keep(&from[..end]);
        } else if name.eq_ignore_ascii_case("X-Originating-IP") {
            keep(value);
        }
    }
    found
}

/// Lines with those that continue them (starting with a space or a tab) joined.
fn unfolded(text: &str) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        match fields.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => {
                last.push(' ');
                last.push_str(line.trim_start());
            }
            _ => fields.push(line.to_owned()),
        }
    }
    fields
}

/// What a copy without the address fields says it left out.
pub(super) const ADDRESSES_REMOVED: &str =
    "the computers and addresses it came from (its Received and X-Originating-IP headers)";

/// Copies a message with the values of its address fields, and the lines that continue
/// them, turned to spaces, and its photos without their metadata (see the module
/// documentation); returns what was left out.
pub(super) fn strip(input: &mut dyn Read, out: &mut dyn Write) -> io::Result<Vec<String>> {
    let mut input = io::BufReader::with_capacity(64 * 1024, input);
    let mut line = Vec::new();
    // Whether the bytes read next start a line, and whether a field being blanked goes on.
    let (mut at_start, mut blanking, mut changed) = (true, false, false);
    let mut parts = Parts::default();
    let mut removed = Vec::new();
    loop {
        line.clear();
        let n = (&mut input)
            .take(LONGEST_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        // A line cut at the limit is no field; the last line may end without its newline.
        let cut = n as u64 == LONGEST_LINE && !line.ends_with(b"\n");
        let whole = at_start && !cut;
        if parts.hold(&line, whole) {
            at_start = true;
            continue;
        }
        parts.flush(out, &mut removed)?;
        if whole {
            parts.see(&line);
        }
        if at_start {
            let continues = line.starts_with(b" ") || line.starts_with(b"\t");
            if blanking && continues {
                changed |= blank(&mut line[1..]);
            } else {
                let name = field_name(&line).filter(|_| whole);
                blanking = name.is_some_and(|n| is_address(n, &line[n.len() + 1..]));
                if let Some(name) = name.filter(|_| blanking) {
                    let value = name.len() + 1;
                    changed |= blank(&mut line[value..]);
                }
            }
        } else if blanking {
            changed |= blank(&mut line);
        }
        at_start = line.ends_with(b"\n");
        out.write_all(&line)?;
        if whole {
            parts.after(&line);
        }
    }
    parts.flush(out, &mut removed)?;
    if changed {
        removed.insert(0, ADDRESSES_REMOVED.to_owned());
    }
    Ok(removed)
}

/// The largest photo held, in base64, to be written again without its metadata: about 9 MiB
/// of photo, which is held decoded with its copy beside it, about 30 MiB in all, so that
/// an export stays under 64 MiB. A larger one goes as it is, and the check of the copy
/// finds what it holds.
const LARGEST_HELD: usize = 12 * 1024 * 1024;

/// The parts of a MIME message as its lines pass: each starts with header fields, after a
/// boundary line (`--…`) or at the message's start, and its body follows an empty line.
/// A JPEG or PNG part in base64 (a photo attached) is held, line after line, and written
/// again without its metadata, in lines as long as its first, with the same line ends.
#[derive(Default)]
struct Parts {
    /// Past the header fields of the current part.
    in_body: bool,
    /// The current part's picture type and whether it is in base64, from its fields.
    picture: Option<&'static str>,
    base64: bool,
    /// The photo being held: its type, its lines as they were, and how many characters they
    /// hold.
    held: Option<(&'static str, Vec<u8>, usize)>,
    /// A held photo grew past [`LARGEST_HELD`]: its lines go through as they are.
    passing: bool,
}

impl Parts {
    /// Notes what a header line of a part says (a boundary line starts another part).
    fn see(&mut self, line: &[u8]) {
        if line.starts_with(b"--") {
            *self = Self::default();
            return;
        }
        if self.in_body {
            return;
        }
        let Some(name) = field_name(line) else {
            return;
        };
        let value = line[name.len() + 1..].trim_ascii().to_ascii_lowercase();
        if name.eq_ignore_ascii_case(b"Content-Type") {
            self.picture = if value.starts_with(b"image/jpeg") || value.starts_with(b"image/pjpeg")
            {
                Some("image/jpeg")
            } else if value.starts_with(b"image/png") {
                Some("image/png")
            } else {
                None
            };
        } else if name.eq_ignore_ascii_case(b"Content-Transfer-Encoding") {
            self.base64 = value == b"base64";
        }
    }

    /// After a line was written: the empty line that ends a part's fields starts its body,
    /// held if it is a photo in base64.
    fn after(&mut self, line: &[u8]) {
        if !self.in_body && line.trim_ascii().is_empty() {
            self.in_body = true;
            if let (Some(kind), true) = (self.picture, self.base64) {
                self.held = Some((kind, Vec::new(), 0));
            }
        }
    }

    /// Holds a line of the photo being held; whether it did (a line that is not base64
    /// ends the photo).
    fn hold(&mut self, line: &[u8], whole: bool) -> bool {
        let Some((_, lines, chars)) = self.held.as_mut() else {
            return false;
        };
        let text = line.trim_ascii_end();
        let base64 = |&c: &u8| super::encoded::is_base64(c) || c == b'=';
        if !whole || text.is_empty() || !text.iter().all(base64) {
            return false;
        }
        if self.passing || *chars + text.len() > LARGEST_HELD {
            self.passing = true;
            return false;
        }
        lines.extend_from_slice(line);
        *chars += text.len();
        true
    }

    /// Writes the photo held: without its metadata, or as it was when it cannot be read.
    fn flush(&mut self, out: &mut dyn Write, removed: &mut Vec<String>) -> io::Result<()> {
        let Some((kind, lines, _)) = self.held.take() else {
            return Ok(());
        };
        // Grown past what is held: the lines held so far go as they were, as the rest will.
        if self.passing {
            return out.write_all(&lines);
        }
        let base64 = |c: &u8| super::encoded::is_base64(*c) || *c == b'=';
        let padded = lines.iter().rev().find(|c| base64(c)) == Some(&b'=');
        let mut photo = Vec::new();
        let mut copy = Vec::new();
        let decoded =
            super::encoded::decode_blocks(lines.iter().copied().filter(base64), padded, &mut photo);
        let said = decoded
            .then(|| {
                let plan = super::strip::Plan::default();
                super::strip::strip(kind, &mut &photo[..], &plan, &mut copy)
                    .ok()
                    .flatten()
            })
            .flatten();
        drop(photo);
        let Some(said) = said.filter(|s| !s.is_empty()) else {
            return out.write_all(&lines);
        };
        for s in said {
            super::strip::note(removed, &s);
        }
        // Lines as long as the first, ended as it was.
        let first = lines.split(|&b| b == b'\n').next().unwrap_or_default();
        let eol: &[u8] = if first.ends_with(b"\r") {
            b"\r\n"
        } else {
            b"\n"
        };
        let width = first.trim_ascii_end().len().max(4);
        let mut line = Vec::with_capacity(width + 2);
        let mut failed = Ok(());
        super::encoded::encode_blocks(&copy, true, |c| {
            line.push(c);
            if line.len() == width && failed.is_ok() {
                line.extend_from_slice(eol);
                failed = out.write_all(&line);
                line.clear();
            }
        });
        failed?;
        if !line.is_empty() {
            line.extend_from_slice(eol);
            out.write_all(&line)?;
        }
        Ok(())
    }
}

/// Turns every byte but the line's end to a space; returns whether any changed.
fn blank(b: &mut [u8]) -> bool {
    let mut changed = false;
    for c in b.iter_mut().filter(|c| !matches!(c, b'\r' | b'\n' | b' ')) {
        *c = b' ';
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const HEADERS: &str = "Return-Path: <witness@example.org>\r\nReceived: from mx1.example.net (mx1.example.net [80.247.228.102])\tby mail.example.org with ESMTP id t75C27Hx; Wed, 5 Aug 2015 14:02:07 +0200\r\nReceived: from aigerim-laptop (broadband-5-18.almaty.example.kz\r\n [5.34.18.77]) by mx1.example.net (8.14.5) with ESMTP id t75C27Fn;\r\n Wed, 5 Aug 2015 14:02:07 +0200\r\nX-Originating-IP: [5.34.18.77]\r\nFrom: Witness <witness@example.org>\r\nSubject: Photos\r\nMIME-Version: 1.0\r\n\r\nReceived: nothing, said the witness.\r\n";

    fn stripped(file: &[u8]) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let removed = strip(&mut &file[..], &mut out).unwrap();
        (out, removed)
    }

    #[test]
    fn the_sender_s_computer_and_address_come_first_and_go_from_a_copy() {
        assert!(is_mail(HEADERS.as_bytes()));
        assert_eq!(
            addresses(HEADERS),
            [
                "[5.34.18.77]",
                "aigerim-laptop (broadband-5-18.almaty.example.kz [5.34.18.77])",
                "mx1.example.net (mx1.example.net [80.247.228.102])",
            ]
        );
        let (copy, removed) = stripped(HEADERS.as_bytes());
        assert_eq!(removed, [ADDRESSES_REMOVED]);
        assert_eq!(copy.len(), HEADERS.len());
        let text = String::from_utf8(copy).unwrap();
        assert_eq!(addresses(&text), Vec::<String>::new());
        for kept in [
            "Received: ",
            "\r\nX-Originating-IP: ",
            "From: Witness",
            "Subject: Photos",
            "Received: nothing, said the witness.",
        ] {
            assert!(text.contains(kept), "{kept}: {text}");
        }
        assert!(!text.contains("5.34") && !text.contains("aigerim") && !text.contains("mx1"));
        assert_eq!(text.lines().count(), HEADERS.lines().count());
        // Its field names stay, so it is still read as a message.
        assert!(is_mail(text.as_bytes()));
        assert_eq!(stripped(text.as_bytes()).1, Vec::<String>::new());
    }

    /// A message with `photo` attached in base64, in lines of `width`, ended by `eol`.
    fn with_photo(kind: &str, photo: &[u8], width: usize, eol: &str) -> String {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::STANDARD.encode(photo);
        let lines: Vec<&str> = encoded
            .as_bytes()
            .chunks(width)
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        [
            "From: witness@example.org",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"b\"",
            "",
            "--b",
            "Content-Type: text/plain",
            "",
            "Taken that night.",
            "--b",
            &format!("Content-Type: {kind}; name=\"IMG_0042\""),
            "Content-Transfer-Encoding: base64",
            "",
            &lines.join(eol),
            "--b--",
            "",
        ]
        .join(eol)
    }

    #[test]
    fn a_photo_attached_goes_without_its_metadata_in_lines_as_before() {
        for (kind, name) in [
            ("image/jpeg", "exif-gps.jpg"),
            ("image/png", "exif-gps.png"),
        ] {
            let photo = crate::media::fixture(name);
            let mut alone = Vec::new();
            crate::media::strip::strip(kind, &mut &photo[..], &Default::default(), &mut alone)
                .unwrap();
            for (width, eol) in [(76, "\r\n"), (64, "\n")] {
                let mail = with_photo(kind, &photo, width, eol);
                let (copy, removed) = stripped(mail.as_bytes());
                assert!(removed.contains(&"EXIF".to_owned()), "{removed:?}");
                let copy = String::from_utf8(copy).unwrap();
                let want = with_photo(kind, &alone, width, eol);
                assert_eq!(copy, want, "{kind} {width}");
                // The copy says nothing more, nor does a copy of it change.
                let mut sniffer = crate::media::Sniffer::new();
                sniffer.feed(copy.as_bytes());
                assert_eq!(sniffer.describe(), ("message/rfc822".into(), Vec::new()));
                assert_eq!(stripped(copy.as_bytes()).1, Vec::<String>::new());
            }
        }
        // Not a photo after all: written as it was.
        let mail = with_photo("image/jpeg", b"not a JPEG at all", 76, "\r\n");
        assert_eq!(stripped(mail.as_bytes()), (mail.into_bytes(), Vec::new()));
        // Larger than is held (memory stays bounded): written as it was, for the check of
        // the copy to refuse.
        let mut large = crate::media::fixture("exif-gps.jpg");
        large.resize(LARGEST_HELD / 4 * 3 + 3, 0);
        let mail = with_photo("image/jpeg", &large, 76, "\r\n");
        assert_eq!(stripped(mail.as_bytes()), (mail.into_bytes(), Vec::new()));
    }

    #[test]
    fn a_last_field_without_its_newline_goes_too() {
        let mail = b"Received: from laptop ([5.34.18.77])";
        let (copy, removed) = stripped(mail);
        assert_eq!(removed, [ADDRESSES_REMOVED]);
        let blank = [&b"Received:"[..], &[b' '; 27]].concat();
        assert_eq!((copy.len(), copy), (mail.len(), blank));
    }

    #[test]
    fn a_text_file_is_a_message_only_when_it_starts_as_one() {
        assert!(!is_mail(b"Dear colleagues,\nReceived: from the clinic\n"));
        assert!(!is_mail(
            b"Note: the witness asked\nthat her name not be used.\nMessage-ID: 5\n"
        ));
        assert!(!is_mail(b"Subject: notes\n\nMessage-ID: 5\n"));
        assert!(is_mail(b"From: a@b\nMessage-ID: <1@b>\n\nhello"));
    }

    #[test]
    fn lines_longer_than_a_header_are_copied_as_they_are() {
        let long = format!(
            "Received: from x\r\n{}\r\n",
            "Received: from y ".repeat(10_000)
        );
        let (copy, _) = stripped(long.as_bytes());
        assert_eq!(copy.len(), long.len());
        assert!(String::from_utf8(copy).unwrap().contains("from y"));
    }

    #[test]
    fn any_bytes_are_read_without_panic() {
        for data in [
            &b""[..],
            b"\xff",
            b"Received:",
            b"Received: from",
            b"\n\n \t:",
            b":\n ",
        ] {
            let _ = is_mail(data);
            let _ = addresses(&String::from_utf8_lossy(data));
            assert_eq!(stripped(data).0.len(), data.len());
        }
    }
}
