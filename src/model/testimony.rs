//! The `aigaq/testimony/1` record as serde types. Unknown fields are rejected everywhere so
//! a typo never silently drops what a witness said.

use serde::{Deserialize, Serialize};

use super::vocab::{
    ActType, Agency, ConsentUse, DatePrecision, IdentityLevel, InterviewMode, Method, PersonRole,
    PersonStatus, RecordStatus, WitnessRelation,
};

/// The schema tag every testimony carries.
pub const SCHEMA: &str = "aigaq/testimony/1";

/// One witness testimony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Testimony {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Draft or complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<RecordStatus>,
    /// When, where and by whom the interview was held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interview: Option<Interview>,
    /// The witness's informed consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Who is speaking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness: Option<Witness>,
    /// The statement, in the witness's words. Required.
    pub narrative: String,
    /// What happened, structured as "who did what to whom".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    /// Everyone an event refers to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<Person>,
    /// Complaints and their outcomes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_up: Vec<FollowUp>,
    /// Free labels for grouping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// The interview.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interview {
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Town or place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Initials or code of the interviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviewer: Option<String>,
    /// Language of the interview (e.g. `ru`, `kk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Interpreter, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// In person or remote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<InterviewMode>,
}

/// Informed consent; it decides what may leave the device and for whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// The witness was told what happens with the testimony and agreed.
    pub informed: bool,
    /// RFC 3339 time the consent was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_at: Option<String>,
    /// How much of the identity may be kept and shared.
    pub identity: IdentityLevel,
    /// Organisations allowed to receive this testimony.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_with: Vec<String>,
    /// What it may be used for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<ConsentUse>,
    /// Conditions in the witness's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The witness.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Witness {
    /// Real name (never leaves the device unless identity is `named`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Code used in place of the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// How to reach the witness (never leaves the device unless identity is `named`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// Year of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_year: Option<i32>,
    /// Gender in the witness's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Victim, eyewitness, relative, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<WitnessRelation>,
}

/// Something that happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<EventDate>,
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// What happened, briefly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Acts: who did what to whom.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<Act>,
}

/// A date or a range of dates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDate {
    /// First day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Exact or approximate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<DatePrecision>,
}

/// A place.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Town.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Street, building, landmark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Latitude in degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    /// Longitude in degrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
}

/// One act within an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    /// The violation.
    #[serde(rename = "type")]
    pub act_type: ActType,
    /// Ids of persons it was done to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub victims: Vec<String>,
    /// Ids of persons who did it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perpetrators: Vec<String>,
    /// How it was done.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<Method>,
    /// Where the victim was held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_detention: Option<String>,
    /// Injuries and other consequences.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consequences: Vec<String>,
}

/// A person named in the testimony.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Local id that acts refer to, e.g. `p1`.
    pub id: String,
    /// Victim, perpetrator, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PersonRole>,
    /// Name, if known and consented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Age in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Detained, released, killed, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PersonStatus>,
    /// State body, for perpetrators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<Agency>,
    /// Appearance, uniform, rank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A complaint or other step taken afterwards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// What was done, e.g. `complaint_filed`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// To whom, e.g. `prosecutor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl Testimony {
    /// The text the search index holds: narrative first, then every descriptive field.
    pub fn searchable_details(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(i) = &self.interview {
            parts.extend(i.place.as_deref());
        }
        if let Some(w) = &self.witness {
            parts.extend(w.pseudonym.as_deref());
            parts.extend(w.name.as_deref());
        }
        for e in &self.events {
            parts.extend(e.description.as_deref());
            if let Some(p) = &e.place {
                parts.extend(p.city.as_deref());
                parts.extend(p.detail.as_deref());
            }
            for a in &e.acts {
                parts.extend(a.place_of_detention.as_deref());
                parts.extend(a.consequences.iter().map(String::as_str));
            }
        }
        for p in &self.persons {
            parts.extend(p.name.as_deref());
            parts.extend(p.description.as_deref());
        }
        for f in &self.follow_up {
            parts.extend(f.outcome.as_deref());
        }
        parts.extend(self.tags.iter().map(String::as_str));
        parts.join("\n")
    }

    /// A short label for lists: the pseudonym, or a note that the witness is anonymous.
    /// The real name is never used here, so lists can be shown on screen without exposing it.
    pub fn witness_label(&self) -> Option<String> {
        self.witness.as_ref().and_then(|w| w.pseudonym.clone())
    }
}
