//! Which organisations a testimony may go to (`consent.share_with`), as the witness
//! decides: the app's short form and its consent section, where the organisations are chosen from a list
//! rather than typed, so that a misspelt name cannot silently keep a testimony from its
//! recipient or send it nowhere.

use super::testimonies::{EditOutcome, TestimonyId};
use super::{Store, StoreError};
use crate::bundle::export::same_name;
use crate::bundle::BundleError;
use crate::model::{InputError, Issue, QuickEntry};

/// A testimony saved without the witness's consent may go nowhere until it is recorded.
fn no_consent() -> InputError {
    InputError::Invalid {
        where_: String::new(),
        issues: vec![Issue {
            path: "consent".into(),
            message: "the witness's consent is not recorded: record it with `aigaq edit` before choosing who may receive the testimony".into(),
        }],
    }
}

impl Store {
    /// Adds a testimony from the app's short form, whose `share_with` names must each be a
    /// recipient of this device; they are saved as the recipient list writes them.
    pub fn add_quick(&mut self, mut entry: QuickEntry) -> Result<TestimonyId, StoreError> {
        entry.share_with = self.listed_names(&entry.share_with, &[])?;
        let testimony = entry.into_testimony()?;
        let ids = self.add(std::slice::from_ref(&testimony))?;
        ids.into_iter().next().ok_or_else(|| StoreError::Damaged {
            reason: "a testimony was added but no id came back".into(),
        })
    }

    /// `names` as the recipient list (or `also`) writes them, each once, in their order;
    /// a name found in neither is refused.
    fn listed_names(&self, names: &[String], also: &[String]) -> Result<Vec<String>, StoreError> {
        let known = self.recipients()?;
        let mut chosen: Vec<String> = Vec::new();
        for name in names {
            let listed = known
                .iter()
                .map(|r| &r.name)
                .chain(also)
                .find(|n| same_name(n, name));
            let Some(listed) = listed else {
                return Err(BundleError::UnknownRecipient {
                    name: name.trim().to_owned(),
                }
                .into());
            };
            if !chosen.iter().any(|c| same_name(c, listed)) {
                chosen.push(listed.clone());
            }
        }
        Ok(chosen)
    }

    /// Saves a new revision of testimony `id` whose `consent.share_with` is `names`, in that
    /// order, each written as the recipient list has it. A name must be a recipient of this
    /// device, or already be in the testimony's list (written there with `add` or `edit`,
    /// perhaps before the organisation was added); a name given twice counts once. Nothing
    /// is saved when the list does not change.
    pub fn set_share_with(
        &mut self,
        id: &str,
        names: &[String],
    ) -> Result<EditOutcome, StoreError> {
        let record = self.get(id)?;
        let before = record
            .testimony
            .consent
            .as_ref()
            .map(|c| c.share_with.as_slice())
            .unwrap_or_default();
        let chosen = self.listed_names(names, before)?;
        let mut testimony = record.testimony;
        let Some(consent) = testimony.consent.as_mut() else {
            return Err(no_consent().into());
        };
        consent.share_with = chosen;
        self.edit(record.id.as_str(), &testimony)
    }
}
