//! Text in the 8-bit Windows code pages that old documents (Word 97–2003's properties, RTF)
//! are written in, and in UTF-16.

/// Little-endian UTF-16, lossy.
pub(crate) fn utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Windows-1251 (Cyrillic) from 0x80 to 0xBF; from 0xC0 on it is А…я in order.
const CP1251: [u16; 64] = [
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039,
    0x040A, 0x040C, 0x040B, 0x040F, 0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F, 0x00A0, 0x040E, 0x045E, 0x0408,
    0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
    0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB,
    0x0458, 0x0405, 0x0455, 0x0457,
];

/// Windows-1252 (Western) from 0x80 to 0x9F; from 0xA0 on it is Latin-1.
const CP1252: [u16; 32] = [
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
];

/// 8-bit text in a Windows code page: UTF-8, Cyrillic and Western exactly, others with
/// what is not ASCII shown as `?` (the name is still recognisable, and blanked either way).
pub(crate) fn decode(b: &[u8], codepage: u16) -> String {
    if codepage == 65001 {
        return String::from_utf8_lossy(b).into_owned();
    }
    b.iter()
        .map(|&c| {
            match (codepage, c) {
                (_, 0..=0x7F) => Some(char::from(c)),
                (1251, 0x80..=0xBF) => char::from_u32(u32::from(CP1251[usize::from(c - 0x80)])),
                (1251, _) => char::from_u32(0x0410 + u32::from(c - 0xC0)),
                (1252, 0x80..=0x9F) => char::from_u32(u32::from(CP1252[usize::from(c - 0x80)])),
                (1252, _) => Some(char::from(c)),
                _ => Some('?'),
            }
            .unwrap_or('?')
        })
        .collect()
}
