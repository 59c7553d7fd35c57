//! Writing an `aigaq-bundle/1` for one organisation: the testimonies its consent allows,
//! with the witness's name and contact removed unless the witness agreed to be named, as a
//! signed tar stream encrypted with age to the organisation's key. Records are read and
//! written one at a time, so memory does not grow with the bundle.

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rusqlite::params;
use serde_json::Value;

use super::manifest::{FileEntry, LedgerRange, Manifest, Sender, FORMAT};
use super::org_key::parse_recipient;
use super::BundleError;
use crate::canonical;
use crate::custody::ledger;
use crate::store::{now, Store, StoreError};

/// How to export.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Everything the recipient may receive, not only what it has not received yet.
    pub all: bool,
    /// ASCII-armored age output, for text channels.
    pub armor: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportReport {
    /// The recipient's name.
    pub recipient: String,
    /// The bundle's id.
    pub bundle_id: String,
    /// The file written.
    pub path: PathBuf,
    /// Testimonies in it.
    pub records: usize,
    /// Size of the file.
    pub bytes: u64,
}

struct Outgoing {
    id: String,
    source_revision: String,
    bytes: Vec<u8>,
    hash: String,
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl Fn(io::Error) -> BundleError + 'a {
    move |source| BundleError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// A file name for a bundle that says nothing about its recipient or content: 16 random
/// bytes in hex, `.age`.
pub fn random_file_name() -> Result<String, BundleError> {
    let mut b = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b)
        .map_err(|_| BundleError::Randomness)?;
    Ok(format!("{}.age", canonical::hex(&b)))
}

/// Pads a length so that a bundle's size tells little about its content (PADMÉ: at most
/// about 12 % overhead, and only O(log log n) bits of the length remain), at least 64 KiB.
pub fn padded_len(len: u64) -> u64 {
    let len = len.max(64 * 1024);
    let e = 63 - u64::from(len.leading_zeros());
    let s = 64 - u64::from(e.leading_zeros());
    let last_bits = e - s;
    let mask = (1u64 << last_bits) - 1;
    (len + mask) & !mask
}

/// Whether a testimony's consent lets it go to `name`.
fn shared_with(content: &Value, name: &str) -> bool {
    content["consent"]["share_with"]
        .as_array()
        .is_some_and(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .any(|n| n.trim().to_lowercase() == name.trim().to_lowercase())
        })
}

/// The revision as it may leave the device: without the witness's name and contact unless
/// the witness agreed to be named.
fn outgoing_bytes(stored: &[u8]) -> Result<(Vec<u8>, bool), StoreError> {
    let mut doc: Value = serde_json::from_slice(stored)?;
    let named = doc["content"]["consent"]["identity"] == "named";
    if named {
        return Ok((stored.to_vec(), false));
    }
    let mut changed = false;
    if let Some(w) = doc["content"]
        .get_mut("witness")
        .and_then(Value::as_object_mut)
    {
        changed |= w.remove("name").is_some();
        changed |= w.remove("contact").is_some();
    }
    if !changed {
        return Ok((stored.to_vec(), false));
    }
    Ok((canonical::to_bytes(&doc)?, true))
}

impl Store {
    /// Writes one bundle for the recipient called `name` to `out` (never over an existing
    /// file). The export is recorded in the ledger and in the deliveries, in one transaction
    /// that commits only once the file is complete.
    pub fn export(
        &mut self,
        name: &str,
        out: &Path,
        opts: ExportOptions,
    ) -> Result<ExportReport, StoreError> {
        let (name, key): (String, String) = self
            .conn
            .query_row(
                "SELECT name, recipient FROM recipients WHERE lower(name) = lower(?1)",
                [name.trim()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|_| BundleError::UnknownRecipient {
                name: name.trim().to_owned(),
            })?;
        let recipient = parse_recipient(&key)?;
        if out.exists() {
            return Err(BundleError::OutputExists {
                path: out.to_path_buf(),
            }
            .into());
        }
        let bundle_id = uuid::Uuid::now_v7().to_string();
        let at = now();
        let tx = self.conn.transaction()?;
        let mut outgoing = Vec::new();
        {
            let mut st = tx.prepare(
                "SELECT t.id, r.hash, r.body FROM testimonies t
                 JOIN revisions r ON r.hash = t.current_revision
                 WHERE t.purged_at IS NULL AND r.body IS NOT NULL
                   AND (?2 OR NOT EXISTS (SELECT 1 FROM deliveries d
                                          WHERE d.recipient = ?1 AND d.revision = r.hash))
                 ORDER BY t.n",
            )?;
            let mut rows = st.query(params![key, opts.all])?;
            while let Some(row) = rows.next()? {
                let (id, source_revision, body): (String, String, Vec<u8>) =
                    (row.get(0)?, row.get(1)?, row.get(2)?);
                let doc: Value = serde_json::from_slice(&body)?;
                if !shared_with(&doc["content"], &name) {
                    continue;
                }
                let (bytes, _) = outgoing_bytes(&body)?;
                let hash = canonical::sha256_hex(&bytes);
                outgoing.push(Outgoing {
                    id,
                    source_revision,
                    bytes,
                    hash,
                });
            }
        }
        if outgoing.is_empty() {
            return Err(BundleError::NothingToExport { name }.into());
        }
        for o in &outgoing {
            ledger::append(&tx, &self.keys, "export", &o.id, Some(&o.hash), &at)?;
            tx.execute(
                "INSERT OR REPLACE INTO deliveries (recipient, revision, exported, bundle_id, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![key, o.source_revision, o.hash, bundle_id, at],
            )?;
        }
        let ids: BTreeSet<&str> = outgoing.iter().map(|o| o.id.as_str()).collect();
        let entries: Vec<ledger::Entry> = ledger::entries(&tx)?
            .into_iter()
            .filter(|e| ids.contains(e.record.as_str()))
            .collect();
        let mut ledger_bytes = Vec::new();
        for e in &entries {
            ledger_bytes.extend_from_slice(&canonical::to_bytes(e)?);
            ledger_bytes.push(b'\n');
        }
        let mut files = vec![FileEntry {
            path: "ledger.jsonl".into(),
            size: ledger_bytes.len() as u64,
            sha256: canonical::sha256_hex(&ledger_bytes),
        }];
        for o in &outgoing {
            files.push(FileEntry {
                path: format!("records/{}/{}.json", o.id, o.hash),
                size: o.bytes.len() as u64,
                sha256: o.hash.clone(),
            });
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            bundle_id: bundle_id.clone(),
            created: at.clone(),
            sender: Sender {
                device_key: self.keys.public_key_b64(),
                age_recipient: self.keys.age_recipient(),
            },
            ledger: LedgerRange {
                first: entries.first().map_or(0, |e| e.seq),
                last: entries.last().map_or(0, |e| e.seq),
            },
            entries: files,
        };
        let manifest_bytes = canonical::to_bytes(&manifest)?;
        let sig = self.keys.sign_b64(&manifest_bytes) + "\n";

        let tmp = out.with_file_name(format!(".aigaq-export-{bundle_id}.part"));
        let written = write_bundle(
            &tmp,
            &recipient,
            opts.armor,
            &manifest_bytes,
            sig.as_bytes(),
            &ledger_bytes,
            &outgoing,
        );
        let finish = written.and_then(|bytes| {
            tx.commit()?;
            fs::hard_link(&tmp, out).map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => BundleError::OutputExists {
                    path: out.to_path_buf(),
                },
                _ => io_err("create", out)(e),
            })?;
            Ok(bytes)
        });
        let _ = fs::remove_file(&tmp);
        let bytes = finish?;
        self.changed.set(true);
        Ok(ExportReport {
            recipient: name,
            bundle_id,
            path: out.to_path_buf(),
            records: outgoing.len(),
            bytes,
        })
    }
}

struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn tar_file<W: Write>(tar: &mut tar::Builder<W>, path: &str, bytes: &[u8]) -> io::Result<()> {
    let mut header = tar::Header::new_ustar();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, path, bytes)
}

fn write_bundle(
    path: &Path,
    recipient: &age::x25519::Recipient,
    armor: bool,
    manifest: &[u8],
    sig: &[u8],
    ledger: &[u8],
    records: &[Outgoing],
) -> Result<u64, StoreError> {
    let io = io_err("write", path);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io_err("create", path))?;
    let format = if armor {
        age::armor::Format::AsciiArmor
    } else {
        age::armor::Format::Binary
    };
    let armored =
        age::armor::ArmoredWriter::wrap_output(BufWriter::new(file), format).map_err(&io)?;
    let enc = age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .map_err(|_| BundleError::BadRecipient {
            given: recipient.to_string(),
        })?;
    let stream = enc.wrap_output(armored).map_err(&io)?;
    let mut tar = tar::Builder::new(Counting {
        inner: stream,
        count: 0,
    });
    tar_file(&mut tar, "manifest.json", manifest).map_err(&io)?;
    tar_file(&mut tar, "manifest.sig", sig).map_err(&io)?;
    tar_file(&mut tar, "ledger.jsonl", ledger).map_err(&io)?;
    for r in records {
        tar_file(
            &mut tar,
            &format!("records/{}/{}.json", r.id, r.hash),
            &r.bytes,
        )
        .map_err(&io)?;
    }
    tar.finish().map_err(&io)?;
    let mut counting = tar.into_inner().map_err(&io)?;
    // Zero blocks after the end of the archive are ignored by every tar reader.
    let pad = padded_len(counting.count) - counting.count;
    io::copy(&mut io::repeat(0).take(pad), &mut counting).map_err(&io)?;
    let armored = counting.inner.finish().map_err(&io)?;
    let buffered = armored.finish().map_err(&io)?;
    let file = buffered.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(&io)?;
    Ok(file.metadata().map_err(&io)?.len())
}

use std::io::Read as _;

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

    #[test]
    fn names_and_contacts_leave_only_when_the_witness_agreed_to_be_named() {
        let doc = |identity: &str| {
            canonical::to_bytes(&serde_json::json!({"content": {
                "consent": {"identity": identity},
                "witness": {"name": "Real Name", "contact": "+7 700", "pseudonym": "W-1"}}}))
            .unwrap()
        };
        let (named, changed) = outgoing_bytes(&doc("named")).unwrap();
        assert!(!changed && String::from_utf8(named).unwrap().contains("Real Name"));
        for identity in ["pseudonymous", "anonymous"] {
            let (out, changed) = outgoing_bytes(&doc(identity)).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(changed && !text.contains("Real Name") && !text.contains("+7 700"));
            assert!(text.contains("W-1"));
        }
    }
}
