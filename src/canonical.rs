//! The one canonical encoder (RFC 8785, JCS): every byte that is hashed or signed comes from
//! here, so two implementations can agree on a hash.
//!
//! [`to_bytes`] takes any `Serialize` type (through `serde_jcs`); [`write_value`] writes a
//! parsed `serde_json::Value` directly, without the copies `serde_jcs` makes, for the hot
//! paths of bundle export and import. Tests hold the two to the same bytes.

use ring::digest::{digest, SHA256};
use serde::Serialize;
use serde_json::Value;

/// RFC 8785 bytes of `value`.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_jcs::to_vec(value)
}

/// RFC 8785 bytes of a parsed JSON value: the same bytes as [`to_bytes`], faster.
pub fn value_to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out);
    out
}

/// Appends the RFC 8785 bytes of `value` to `out`. A `Value` cannot hold a number JSON
/// cannot write (NaN or infinity), so this cannot fail.
pub fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sorted here whatever order the map keeps: RFC 8785 orders keys by UTF-16 code
            // units, which differs from UTF-8 byte order for characters above U+FFFF.
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            if !members.is_sorted_by(|a, b| utf16_cmp(a.0, b.0).is_le()) {
                members.sort_unstable_by(|a, b| utf16_cmp(a.0, b.0));
            }
            out.push(b'{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_value(v, out);
            }
            out.push(b'}');
        }
    }
}

/// Orders two strings by their UTF-16 code units, as RFC 8785 sorts keys.
pub fn utf16_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    // UTF-8 byte order is code point order, which agrees with UTF-16 order unless a
    // character at or above U+E000 (lead byte 0xEE or more) is involved.
    if a.bytes().chain(b.bytes()).all(|c| c < 0xEE) {
        return a.as_bytes().cmp(b.as_bytes());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Numbers as ECMAScript writes them (RFC 8785 §3.2.2.3). Like `serde_jcs`, every number is
/// first an IEEE double: integers beyond 2^53 are written as the double they round to.
fn write_number(n: &serde_json::Number, out: &mut Vec<u8>) {
    const EXACT: u64 = 1 << 53;
    if let Some(u) = n.as_u64().filter(|u| *u <= EXACT) {
        write_u64(u, out);
    } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        if i < 0 {
            out.push(b'-');
        }
        write_u64(i.unsigned_abs(), out);
    } else if let Some(f) = n.as_f64() {
        write_f64(f, out);
    }
}

fn write_f64(f: f64, out: &mut Vec<u8>) {
    if f.is_finite() {
        let mut buf = ryu_js::Buffer::new();
        out.extend_from_slice(buf.format_finite(f).as_bytes());
    } else {
        // Unreachable for a `Value`; written as JSON's nearest, never as invalid JSON.
        out.extend_from_slice(b"null");
    }
}

/// An integer, as plain decimal digits.
pub fn write_u64(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// A string, quoted and escaped as RFC 8785 (ECMAScript's `JSON.stringify`) requires: `"`
/// and `\` escaped, control characters as `\b \f \n \r \t` or `\u00xx` in lower case, and
/// everything else, `/` and non-ASCII included, as it is.
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha256(bytes))
}

/// SHA-256, as bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    digest32(&digest(&SHA256, bytes))
}

/// A finished SHA-256 as bytes (ring's digests of it are always 32 bytes long).
pub fn digest32(d: &ring::digest::Digest) -> [u8; 32] {
    debug_assert!(std::ptr::eq(d.algorithm(), &SHA256));
    let mut out = [0u8; 32];
    out.copy_from_slice(&d.as_ref()[..32]);
    out
}

/// Lower-case hex of 32 bytes, into `buf`, without allocating.
pub fn hex_into<'a>(bytes: &[u8; 32], buf: &'a mut [u8; 64]) -> &'a [u8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in bytes.iter().enumerate() {
        buf[2 * i] = HEX[(b >> 4) as usize];
        buf[2 * i + 1] = HEX[(b & 0xf) as usize];
    }
    &buf[..]
}

/// The 32 bytes a 64-digit hex string stands for (either case); `None` for anything else.
pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_are_sorted_and_whitespace_removed() {
        let v = serde_json::json!({"b": [1, 2.5, "é"], "a": {"z": null, "y": true}});
        let bytes = to_bytes(&v).unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"a":{"y":true,"z":null},"b":[1,2.5,"é"]}"#
        );
        assert_eq!(value_to_bytes(&v), bytes);
    }

    #[test]
    fn numbers_follow_ecmascript_form() {
        let v = serde_json::json!([1e21, 0.000001, 43.238, -0.0]);
        assert_eq!(to_bytes(&v).unwrap(), b"[1e+21,0.000001,43.238,0]");
        assert_eq!(value_to_bytes(&v), b"[1e+21,0.000001,43.238,0]");
    }

    #[test]
    fn keys_sort_by_utf16_code_units_not_code_points() {
        // U+1F600 is D83D DE00 in UTF-16, before U+FB01 (FB01), though after it in UTF-8.
        let v = serde_json::json!({"\u{fb01}": 1, "\u{1f600}": 2, "a": 3, "\u{e000}": 4});
        let bytes = value_to_bytes(&v);
        assert_eq!(bytes, to_bytes(&v).unwrap());
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            "{\"a\":3,\"\u{1f600}\":2,\"\u{e000}\":4,\"\u{fb01}\":1}"
        );
    }

    #[test]
    fn strings_escape_as_ecmascript_does() {
        let v = serde_json::json!(["\u{0}\u{1f}\u{7f}\"\\/\u{8}\u{c}\n\r\t\u{2028}é"]);
        let bytes = value_to_bytes(&v);
        assert_eq!(bytes, to_bytes(&v).unwrap());
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            "[\"\\u0000\\u001f\u{7f}\\\"\\\\/\\b\\f\\n\\r\\t\u{2028}é\"]"
        );
    }

    #[test]
    fn large_integers_are_written_as_the_double_they_round_to() {
        for n in [
            serde_json::json!(9007199254740992u64),
            serde_json::json!(9007199254740993u64),
            serde_json::json!(-9007199254740993i64),
            serde_json::json!(u64::MAX),
            serde_json::json!(i64::MIN),
            serde_json::json!(0),
            serde_json::json!(-1),
        ] {
            assert_eq!(value_to_bytes(&n), to_bytes(&n).unwrap(), "{n}");
        }
    }

    #[test]
    fn hex32_goes_there_and_back() {
        let bytes: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37));
        let mut buf = [0u8; 64];
        let text = std::str::from_utf8(hex_into(&bytes, &mut buf))
            .unwrap()
            .to_owned();
        assert_eq!(text, hex(&bytes));
        assert_eq!(unhex32(&text), Some(bytes));
        assert_eq!(unhex32(&text.to_uppercase()), Some(bytes));
        assert_eq!(unhex32(&text[1..]), None);
        assert_eq!(unhex32(&format!("{}g", &text[1..])), None);
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    fn any_string() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z\u{0}-\u{1f}\"\\\\/\u{7f}]{0,8}",
            "[\u{e000}-\u{ffff}\u{10000}-\u{10ffff}a]{0,4}",
        ]
    }

    fn any_number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1_000_000i64..1_000_000).prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            any::<u32>().prop_map(|b| Value::from(f64::from(b) / 1024.0)),
        ]
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any_number(),
            any_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any_string(), inner), 0..8)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn value_encoder_agrees_with_serde_jcs(v in any_value()) {
            prop_assert_eq!(value_to_bytes(&v), to_bytes(&v).unwrap());
        }

        #[test]
        fn utf16_order_agrees_with_encode_utf16(a in any_string(), b in any_string()) {
            prop_assert_eq!(utf16_cmp(&a, &b), a.encode_utf16().cmp(b.encode_utf16()));
        }

        #[test]
        fn hex_agrees_with_format(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let slow: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            prop_assert_eq!(hex(&bytes), slow);
        }
    }
}
