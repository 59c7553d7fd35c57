//! Which organisations a testimony may go to (`consent.share_with`), changed as the witness
//! decides: the app's consent section, where the organisations are chosen from a list
//! rather than typed, so that a misspelt name cannot silently keep a testimony from its
//! recipient or send it nowhere.

use super::testimonies::EditOutcome;
use super::{Store, StoreError};
use crate::bundle::export::same_name;
use crate::bundle::BundleError;
use crate::model::{InputError, Issue};

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
        let known = self.recipients()?;
        let before = record
            .testimony
            .consent
            .as_ref()
            .map(|c| c.share_with.as_slice())
            .unwrap_or_default();
        let mut chosen: Vec<String> = Vec::new();
        for name in names {
            let listed = known
                .iter()
                .map(|r| &r.name)
                .chain(before)
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
        let mut testimony = record.testimony;
        let Some(consent) = testimony.consent.as_mut() else {
            return Err(no_consent().into());
        };
        consent.share_with = chosen;
        self.edit(record.id.as_str(), &testimony)
    }
}
