//! What an export needs to know of a stored revision (who may receive it, whether the
//! witness's name or contact must come out, what it lists as attachments), read without
//! building the whole document: building it was most of an export's time, and most
//! revisions then leave exactly as they are stored.
//!
//! A revision whose shape this does not expect (a duplicate key, a field of another type)
//! gets no glance, and the export reads it whole as before, so the two ways never decide
//! differently.

use std::borrow::Cow;

use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

use crate::store::attachments::AttachmentRef;

/// The parts of a stored revision an export decides on.
#[derive(Deserialize)]
pub(super) struct Glance<'a> {
    #[serde(borrow)]
    content: Content<'a>,
    /// As `doc.get("attachments")` reads it: missing is none, `null` is refused.
    #[serde(default)]
    pub(super) attachments: Vec<AttachmentRef>,
}

#[derive(Deserialize)]
struct Content<'a> {
    #[serde(borrow)]
    consent: Consent<'a>,
    #[serde(default)]
    witness: Option<Witness>,
}

#[derive(Deserialize)]
struct Consent<'a> {
    #[serde(borrow, default)]
    share_with: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    identity: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Witness {
    #[serde(default)]
    name: Present,
    #[serde(default)]
    contact: Present,
}

/// Whether a key is there at all, whatever its value (`null` included): the export
/// removes the key, not only a value.
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Present(true))
    }
}

impl<'a> Glance<'a> {
    /// The glance at a stored revision's bytes, or `None` if they must be read whole.
    pub(super) fn of(stored: &'a [u8]) -> Option<Self> {
        serde_json::from_slice(stored).ok()
    }

    /// The names in `consent.share_with`.
    pub(super) fn share_with(&self) -> impl Iterator<Item = &str> {
        self.content.consent.share_with.iter().map(|n| n.as_ref())
    }

    /// Whether the witness's name or contact is there and must come out (the witness did
    /// not agree to be named).
    pub(super) fn identity_leaves_out_something(&self) -> bool {
        let named = self.content.consent.identity.as_deref() == Some("named");
        !named
            && self
                .content
                .witness
                .as_ref()
                .is_some_and(|w| w.name.0 || w.contact.0)
    }
}
