//! Acknowledgements (`aigaq-ack/1`): the organisation's signed receipt of the revisions it
//! holds, encrypted to the sending device, so the field device knows what is safe to purge.
//!
//! The plaintext is one JSON object `{"ack": …, "sig": …}` followed by spaces (padding):
//! `sig` is the organisation device's Ed25519 signature over the RFC 8785 bytes of `ack`.
//! The collector accepts it only if it names bundles this device really sent to the
//! organisation whose key is in `ack.signer.recipient`: bundle ids travel only inside those
//! encrypted bundles, so only the holder of that organisation's key can know them.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::age_file::{commit_and_publish, io_err, write_encrypted};
use super::inspect::{fingerprint_b64, read_bundle};
use super::org_key::parse_recipient;
use super::{BundleError, OrgKey};
use crate::canonical;
use crate::custody::device::verify_b64;
use crate::custody::ledger;
use crate::store::attachments::holds_blob;
use crate::store::{now, Store, StoreError};

/// The format tag.
pub const ACK_FORMAT: &str = "aigaq-ack/1";
/// Largest acknowledgement accepted (plaintext, padding included).
pub const MAX_ACK_BYTES: u64 = 64 * 1024 * 1024;

/// What is signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// Always [`ACK_FORMAT`].
    pub format: String,
    /// UUIDv7 of this acknowledgement.
    pub ack_id: String,
    /// RFC 3339 time it was made.
    pub created: String,
    /// Who acknowledges.
    pub signer: Signer,
    /// The sending device acknowledged (its Ed25519 key, padded base64).
    pub device: String,
    /// The bundles the organisation received from it.
    pub bundles: Vec<String>,
    /// The revisions of those bundles the organisation holds.
    pub revisions: Vec<AckedRevision>,
    /// The SHA-256 of every attachment those revisions list whose content the organisation
    /// holds, sorted. Left out when none (and in acknowledgements made before it existed,
    /// which therefore confirm no attachment).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// The acknowledging organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// The organisation vault's Ed25519 key, padded base64.
    pub device_key: String,
    /// The organisation's `age1…` recipient, which the bundles were encrypted to.
    pub recipient: String,
}

/// One revision held.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckedRevision {
    /// Testimony id.
    pub id: String,
    /// Revision hash, as it was in the bundle.
    pub revision: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedAck {
    ack: Ack,
    sig: String,
}

/// What `ack` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct AckReport {
    /// Its id.
    pub ack_id: String,
    /// The file.
    pub path: PathBuf,
    /// The device it is for.
    pub device_fingerprint: String,
    /// Bundles acknowledged.
    pub bundles: usize,
    /// Revisions acknowledged.
    pub revisions: usize,
    /// Attachment contents acknowledged.
    pub attachments: usize,
    /// Size of the file.
    pub bytes: u64,
}

/// What importing one acknowledgement changed.
#[derive(Debug, Clone, Serialize)]
pub struct AckImported {
    /// Its id.
    pub ack_id: String,
    /// The recipient (organisation) that sent it.
    pub recipient: String,
    /// The fingerprint of the organisation device that signed it.
    pub signer_fingerprint: String,
    /// No earlier acknowledgement from this organisation was signed by this device key.
    pub signer_is_new: bool,
    /// How many other device keys signed its earlier acknowledgements: more than none with
    /// a new signer means the organisation's key is now used on another device too, which
    /// its people should be able to explain.
    pub earlier_signers: usize,
    /// Revisions newly known to be delivered.
    pub new_revisions: usize,
    /// Revisions already acknowledged before.
    pub known_revisions: usize,
    /// Attachment contents newly known to be held.
    pub new_attachments: usize,
}

fn invalid(reason: impl Into<String>) -> BundleError {
    BundleError::InvalidAck {
        reason: reason.into(),
    }
}

impl Store {
    /// The organisation's side: verifies `bundles` (already imported into this vault) and
    /// writes to `out` a signed receipt of their revisions, encrypted to their sender.
    pub fn acknowledge(
        &mut self,
        bundles: &[&Path],
        key: &OrgKey,
        out: &Path,
        armor: bool,
    ) -> Result<AckReport, StoreError> {
        if out.exists() {
            return Err(BundleError::OutputExists {
                path: out.to_path_buf(),
            }
            .into());
        }
        let mut device: Option<(String, String)> = None;
        let mut bundle_ids = BTreeSet::new();
        let mut revisions = BTreeSet::new();
        let mut listed = BTreeSet::new();
        for path in bundles {
            let report = read_bundle(path, key, super::inspect::Discard)?;
            match &device {
                Some((d, _)) if *d != report.sender_device_key => {
                    return Err(BundleError::MixedSenders.into())
                }
                _ => {
                    device = Some((
                        report.sender_device_key.clone(),
                        report.sender_age_recipient.clone(),
                    ))
                }
            }
            let held: Option<i64> = self
                .conn
                .query_row(
                    "SELECT 1 FROM received_bundles WHERE bundle_id = ?1 AND sender = ?2",
                    params![report.bundle_id, report.sender_device_key],
                    |r| r.get(0),
                )
                .optional()?;
            if held.is_none() {
                return Err(BundleError::NotImported {
                    path: path.to_path_buf(),
                }
                .into());
            }
            bundle_ids.insert(report.bundle_id);
            listed.extend(report.attachments.into_iter().map(|a| a.sha256));
            listed.extend(report.attachments_not_carried);
            for r in report.records {
                revisions.insert(AckedRevision {
                    id: r.id,
                    revision: r.revision,
                });
            }
        }
        let Some((device, reply_to)) = device else {
            return Err(BundleError::Invalid {
                reason: "no bundle was given".into(),
            }
            .into());
        };
        let recipient = parse_recipient(&reply_to)?;
        // Only content this vault really holds: an incremental bundle names attachments
        // sent before, which may never have arrived.
        let mut attachments = Vec::new();
        for sha in listed {
            if holds_blob(&self.conn, &sha)? {
                attachments.push(sha);
            }
        }
        let ack = Ack {
            format: ACK_FORMAT.into(),
            ack_id: uuid::Uuid::now_v7().to_string(),
            created: now(),
            signer: Signer {
                device_key: self.keys.public_key_b64(),
                recipient: key.recipient(),
            },
            device: device.clone(),
            bundles: bundle_ids.into_iter().collect(),
            revisions: revisions.into_iter().collect(),
            attachments,
        };
        let sig = self.keys.sign_b64(&canonical::to_bytes(&ack)?);
        let (ack_id, bundles_n, revisions_n, attachments_n) = (
            ack.ack_id.clone(),
            ack.bundles.len(),
            ack.revisions.len(),
            ack.attachments.len(),
        );
        let plaintext = canonical::to_bytes(&SignedAck { ack, sig })?;

        let tx = self.conn.transaction()?;
        ledger::append(&tx, &self.keys, "acknowledge", &ack_id, None, &now())?;
        let tmp = out.with_file_name(format!(".aigaq-ack-{ack_id}.part"));
        let written = write_encrypted(&tmp, &recipient, armor, b' ', |w| {
            Ok(w.write_all(&plaintext).map_err(io_err("write", &tmp))?)
        });
        let bytes = commit_and_publish(written, tx, &tmp, out)?;
        self.changed.set(true);
        Ok(AckReport {
            ack_id,
            path: out.to_path_buf(),
            device_fingerprint: fingerprint_b64(&device),
            bundles: bundles_n,
            revisions: revisions_n,
            attachments: attachments_n,
            bytes,
        })
    }

    /// The collector's side: verifies acknowledgements sent to this device and records the
    /// revisions they vouch for as delivered. All or nothing; the same one twice changes
    /// nothing.
    pub fn import_acks(&mut self, paths: &[&Path]) -> Result<Vec<AckImported>, StoreError> {
        let me = self.keys.public_key_b64();
        let at = now();
        let mut out = Vec::new();
        let tx = self.conn.transaction()?;
        for path in paths {
            let ack = read_ack(path, self.keys.age_identity())?;
            if ack.device != me {
                return Err(invalid("it acknowledges another device's bundles").into());
            }
            let recipient = ack.signer.recipient.clone();
            let name: String = tx
                .query_row(
                    "SELECT name FROM recipients WHERE recipient = ?1",
                    [&recipient],
                    |r| r.get(0),
                )
                .optional()?
                .ok_or_else(|| {
                    invalid(format!(
                        "it comes from {recipient}, which is not in your recipient list"
                    ))
                })?;
            // The bundle ids are what proves the signer holds the organisation's key: an
            // acknowledgement that names none proves nothing.
            if ack.bundles.is_empty() {
                return Err(invalid("it names no bundle, so nothing shows who made it").into());
            }
            for b in &ack.bundles {
                let sent: Option<i64> = tx
                    .query_row(
                        "SELECT 1 FROM exports WHERE bundle_id = ?1 AND recipient = ?2",
                        params![b, recipient],
                        |r| r.get(0),
                    )
                    .optional()?;
                if sent.is_none() {
                    return Err(invalid(format!(
                        "it names bundle {b}, which this device never sent to {name:?}"
                    ))
                    .into());
                }
            }
            let earlier: Vec<String> = tx
                .prepare_cached(
                    "SELECT DISTINCT signer FROM acknowledgements WHERE recipient = ?1",
                )?
                .query_map([&recipient], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let signer_is_new = !earlier.contains(&ack.signer.device_key);
            let earlier_signers = earlier.len() - usize::from(!signer_is_new);
            let (mut new_revisions, mut known_revisions) = (0, 0);
            for r in &ack.revisions {
                let delivered: Option<String> = tx
                    .prepare_cached(
                        "SELECT d.exported FROM delivered_forms d
                         JOIN revisions v ON v.hash = d.revision
                         JOIN testimonies t ON t.n = v.testimony
                         WHERE d.recipient = ?1 AND d.exported = ?2 AND t.id = ?3",
                    )?
                    .query_row(params![recipient, r.revision, r.id], |row| row.get(0))
                    .optional()?;
                if delivered.is_none() {
                    return Err(invalid(format!(
                        "it names revision {} of testimony {}, which this device never sent to {name:?}",
                        r.revision, r.id
                    ))
                    .into());
                }
                let n = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO acknowledgements
                             (recipient, exported, ack_id, signer, at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![
                        recipient,
                        r.revision,
                        ack.ack_id,
                        ack.signer.device_key,
                        at
                    ])?;
                if n == 1 {
                    new_revisions += 1;
                } else {
                    known_revisions += 1;
                }
            }
            let mut new_attachments = 0;
            for sha in &ack.attachments {
                let sent: Option<i64> = tx
                    .prepare_cached(
                        "SELECT 1 FROM blob_deliveries WHERE recipient = ?1 AND sha256 = ?2",
                    )?
                    .query_row(params![recipient, sha], |r| r.get(0))
                    .optional()?;
                if sent.is_none() {
                    return Err(invalid(format!(
                        "it names attachment {sha}, which this device never sent to {name:?}"
                    ))
                    .into());
                }
                new_attachments += tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO acknowledged_blobs (recipient, sha256, ack_id, at)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?
                    .execute(params![recipient, sha, ack.ack_id, at])?;
            }
            if new_revisions > 0 || new_attachments > 0 {
                ledger::append(&tx, &self.keys, "import", &ack.ack_id, None, &at)?;
            }
            out.push(AckImported {
                ack_id: ack.ack_id,
                recipient: name,
                signer_fingerprint: fingerprint_b64(&ack.signer.device_key),
                signer_is_new,
                earlier_signers,
                new_revisions,
                known_revisions,
                new_attachments,
            });
        }
        tx.commit()?;
        self.changed.set(true);
        Ok(out)
    }
}

/// Decrypts and checks an acknowledgement's signature and form (not yet what it names).
fn read_ack(path: &Path, identity: &age::x25519::Identity) -> Result<Ack, BundleError> {
    let file = File::open(path).map_err(io_err("open", path))?;
    let undecryptable = || BundleError::DecryptAck {
        path: path.to_path_buf(),
    };
    let armored = age::armor::ArmoredReader::new(BufReader::new(file));
    let decryptor = age::Decryptor::new(armored).map_err(|_| undecryptable())?;
    let mut plain = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|_| undecryptable())?
        .take(MAX_ACK_BYTES + 1);
    let mut bytes = Vec::new();
    plain.read_to_end(&mut bytes).map_err(|e| {
        invalid(format!(
            "the encrypted stream is damaged or cut short ({e})"
        ))
    })?;
    if bytes.len() as u64 > MAX_ACK_BYTES {
        return Err(invalid(format!("it is larger than {MAX_ACK_BYTES} bytes")));
    }
    let end = bytes.iter().rposition(|b| *b != b' ').map_or(0, |i| i + 1);
    let value: serde_json::Value =
        serde_json::from_slice(&bytes[..end]).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let format = &value["ack"]["format"];
    if format != ACK_FORMAT {
        return Err(invalid(format!(
            "unknown format {format}; this Aigaq reads {ACK_FORMAT}"
        )));
    }
    let signed: SignedAck = serde_json::from_value(value).map_err(|e| invalid(format!("{e}")))?;
    let signed_bytes = canonical::to_bytes(&signed.ack).map_err(|e| invalid(e.to_string()))?;
    if !verify_b64(&signed.ack.signer.device_key, &signed_bytes, &signed.sig) {
        return Err(invalid(
            "its signature does not verify with the signer's key",
        ));
    }
    Ok(signed.ack)
}
