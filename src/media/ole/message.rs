//! An Outlook message's internet headers (`.msg`: the transport message headers property,
//! `__substg1.0_007D001F` or `…001E`, in the message's storage and in each attached
//! message's), which name the computers and addresses it came from
//! ([`crate::media::mail`]).
//!
//! What Outlook shows of a message (sender, recipients, subject, date) is kept in other
//! properties, which stay: the headers are only the copy of what the servers wrote, so a
//! copy turns them to spaces where they stand, at the same length.
//!
//! An attachment keeps the path it was attached from (`…3708…`, `…370D…`), whose folders
//! name the sender's account; a copy turns them to underscores, as an OLE package's.

/// Whether a stream is a message's internet headers: as UTF-16 (`001F`) or 8-bit text.
pub(super) fn headers(name: &str) -> Option<Wide> {
    string_property(name, &["007D"])
}

/// Whether a stream is the path an attachment was attached from (`PR_ATTACH_PATHNAME`,
/// `PR_ATTACH_LONG_PATHNAME`).
pub(super) fn attached_from(name: &str) -> Option<Wide> {
    string_property(name, &["3708", "370D"])
}

/// Whether a stream is one of these string properties, and in which form.
fn string_property(name: &str, ids: &[&str]) -> Option<Wide> {
    let upper = name.to_ascii_uppercase();
    let rest = upper.strip_prefix("__SUBSTG1.0_")?;
    let (id, kind) = rest.split_at_checked(4)?;
    if !ids.contains(&id) {
        return None;
    }
    match kind {
        "001F" => Some(Wide(true)),
        "001E" => Some(Wide(false)),
        _ => None,
    }
}

/// Whether text is UTF-16 (little-endian), rather than 8-bit.
#[derive(Debug, Clone, Copy)]
pub(super) struct Wide(pub(super) bool);

/// The computers and addresses the headers name as where the message came from (see
/// [`crate::media::mail::addresses`]).
pub(super) fn addresses(data: &[u8], wide: Wide) -> Vec<String> {
    crate::media::mail::addresses(&text(data, wide))
}

/// A string property's text: UTF-16, or the Windows code page Outlook writes 8-bit ones in.
pub(super) fn text(data: &[u8], wide: Wide) -> String {
    if wide.0 {
        crate::media::codepage::utf16(data)
    } else {
        crate::media::codepage::decode(data, 1252)
    }
}

/// Turns the headers to spaces where they stand; returns whether anything changed.
pub(super) fn blank(data: &mut [u8], wide: Wide) -> bool {
    let unit = if wide.0 { 2 } else { 1 };
    let mut changed = false;
    for c in data.chunks_exact_mut(unit) {
        let is_space = c[0] == b' ' && c[1..].iter().all(|&b| b == 0);
        let is_end = c.iter().all(|&b| b == 0);
        if !is_space && !is_end {
            c.fill(0);
            c[0] = b' ';
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADERS: &str = "Return-Path: <witness@example.org>\r\nReceived: from mx1.example.net (mx1.example.net [80.247.228.102])\tby mail.example.org with ESMTP id t75C27Hx; Wed, 5 Aug 2015 14:02:07 +0200\r\nReceived: from aigerim-laptop (broadband-5-18.almaty.example.kz\r\n [5.34.18.77]) by mx1.example.net (8.14.5) with ESMTP id t75C27Fn;\r\n Wed, 5 Aug 2015 14:02:07 +0200\r\nX-Originating-IP: [5.34.18.77]\r\nFrom: Witness <witness@example.org>\r\nSubject: Photos\r\n\r\n";

    fn wide(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn the_sender_s_computer_and_address_come_first_and_go_from_a_copy() {
        for (mut data, w) in [
            (wide(HEADERS), Wide(true)),
            (HEADERS.as_bytes().to_vec(), Wide(false)),
        ] {
            assert_eq!(
                addresses(&data, w),
                [
                    "[5.34.18.77]",
                    "aigerim-laptop (broadband-5-18.almaty.example.kz [5.34.18.77])",
                    "mx1.example.net (mx1.example.net [80.247.228.102])",
                ]
            );
            let len = data.len();
            assert!(blank(&mut data, w));
            assert_eq!(data.len(), len);
            assert_eq!(addresses(&data, w), Vec::<String>::new());
            assert!(!blank(&mut data, w), "nothing left to blank");
        }
        assert!(headers("__substg1.0_007D001F").is_some_and(|w| w.0));
        assert!(headers("__substg1.0_007d001E").is_some_and(|w| !w.0));
        assert!(headers("__substg1.0_0037001F").is_none());
        assert!(attached_from("__substg1.0_370D001F").is_some_and(|w| w.0));
        assert!(attached_from("__substg1.0_3708").is_none());
    }

    #[test]
    fn any_bytes_are_read_without_panic() {
        // Odd lengths, halves of characters, lone surrogates.
        for data in [&b"\x00"[..], b"R\x00e", b"\x00\xd8:\x00", b"\xff\xfe\x00"] {
            let _ = addresses(data, Wide(true));
            let _ = addresses(data, Wide(false));
            let mut copy = data.to_vec();
            blank(&mut copy, Wide(true));
        }
    }
}
