//! The one canonical encoder (RFC 8785, JCS): every byte that is hashed or signed comes from
//! here, so two implementations can agree on a hash.

use ring::digest::{digest, SHA256};
use serde::Serialize;

/// RFC 8785 bytes of `value`.
pub fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    serde_jcs::to_vec(value)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest(&SHA256, bytes).as_ref())
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_whitespace_removed() {
        let v = serde_json::json!({"b": [1, 2.5, "é"], "a": {"z": null, "y": true}});
        let bytes = to_bytes(&v).unwrap();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"a":{"y":true,"z":null},"b":[1,2.5,"é"]}"#
        );
    }

    #[test]
    fn numbers_follow_ecmascript_form() {
        let v = serde_json::json!([1e21, 0.000001, 43.238, -0.0]);
        assert_eq!(to_bytes(&v).unwrap(), b"[1e+21,0.000001,43.238,0]");
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
