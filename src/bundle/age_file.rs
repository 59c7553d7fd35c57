//! Writing an age-encrypted file for one recipient, padded so that its size says little
//! about what it holds, under a temporary name that becomes the real one only when it is
//! complete and on disk. Bundles and acknowledgements are both written this way.

use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::BundleError;
use crate::counting::Counting;
use crate::store::pipeline::WritebackFile;
use crate::store::StoreError;

pub(crate) fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl Fn(io::Error) -> BundleError + 'a {
    move |source| BundleError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Pads a length so that a file's size tells little about its content (PADMÉ: at most
/// about 12 % overhead, and only O(log log n) bits of the length remain), at least 64 KiB.
pub fn padded_len(len: u64) -> u64 {
    let len = len.max(64 * 1024);
    let e = 63 - u64::from(len.leading_zeros());
    let s = 64 - u64::from(e.leading_zeros());
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    (len + mask) & !mask
}

/// Encrypts what `fill` writes to `recipient` into the new file `tmp`, pads the plaintext
/// with `pad` bytes (which every reader of the format ignores) and syncs the file. Returns
/// its size.
pub(crate) fn write_encrypted(
    tmp: &Path,
    recipient: &age::x25519::Recipient,
    armor: bool,
    pad: u8,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    let io = io_err("write", tmp);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(io_err("create", tmp))?;
    let format = if armor {
        age::armor::Format::AsciiArmor
    } else {
        age::armor::Format::Binary
    };
    // Written on a thread of its own with early writeback: a bundle can be gigabytes.
    let out = WritebackFile::new(file).map_err(&io)?;
    let armored = age::armor::ArmoredWriter::wrap_output(out, format).map_err(&io)?;
    let enc = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .map_err(|_| BundleError::BadRecipient {
            given: recipient.to_string(),
        })?;
    let stream = enc.wrap_output(armored).map_err(&io)?;
    // The plaintext is counted for the padding.
    let mut counting = Counting::new(BufWriter::with_capacity(64 * 1024, stream));
    fill(&mut counting)?;
    let pad_len = padded_len(counting.count) - counting.count;
    io::copy(&mut io::repeat(pad).take(pad_len), &mut counting).map_err(&io)?;
    let stream = counting
        .inner
        .into_inner()
        .map_err(|e| io(e.into_error()))?;
    let armored = stream.finish().map_err(&io)?;
    let file = armored.finish().map_err(&io)?.finish().map_err(&io)?;
    Ok(file.metadata().map_err(&io)?.len())
}

/// Once the file is written, commits the transaction that records it and gives it its real
/// name; the temporary file goes whatever happens. The file appears only if the commit
/// succeeded, so the vault never records a file that is not there.
pub(crate) fn commit_and_publish(
    written: Result<u64, StoreError>,
    tx: rusqlite::Transaction<'_>,
    tmp: &Path,
    out: &Path,
) -> Result<u64, StoreError> {
    let finish = written.and_then(|bytes| {
        tx.commit()?;
        publish(tmp, out)?;
        Ok(bytes)
    });
    let _ = fs::remove_file(tmp);
    finish
}

/// Gives the finished `tmp` its real name `out`, never replacing a file there.
pub(crate) fn publish(tmp: &Path, out: &Path) -> Result<(), BundleError> {
    fs::hard_link(tmp, out).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => BundleError::OutputExists {
            path: out.to_path_buf(),
        },
        _ => io_err("create", out)(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_hides_small_differences_and_costs_little() {
        assert_eq!(padded_len(1), 64 * 1024);
        assert_eq!(padded_len(64 * 1024 + 1), padded_len(64 * 1024 + 1000));
        for len in [100_000u64, 1_000_000, 37_000_000, 5_000_000_000] {
            let p = padded_len(len);
            assert!(
                p >= len && (p - len) as f64 <= len as f64 * 0.12,
                "{len} -> {p}"
            );
            assert_eq!(padded_len(p), p);
        }
    }
}
