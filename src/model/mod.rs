//! The testimony record (`aigaq/testimony/1`): serde types, the controlled vocabularies
//! with their en/ru/kk labels, and the validation that turns untrusted JSON into a record.

pub mod testimony;
pub mod validate;
pub mod vocab;

pub use testimony::{
    Act, Consent, Event, EventDate, FollowUp, Interview, Person, Place, Testimony, Witness, SCHEMA,
};
pub use validate::{from_value, parse_input, validate, InputError, Issue};

use serde::Deserialize;

/// What the app's short form collects; the full intake flow comes later.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickEntry {
    /// The statement.
    pub narrative: String,
    /// `named`, `pseudonymous` or `anonymous`.
    pub identity: String,
    /// `YYYY-MM-DD`, or empty.
    #[serde(default)]
    pub interview_date: String,
    /// Town or place, or empty.
    #[serde(default)]
    pub interview_place: String,
    /// The organisations the witness agreed may receive it (`consent.share_with`).
    #[serde(default)]
    pub share_with: Vec<String>,
}

impl QuickEntry {
    /// Builds and validates a draft testimony, with the same rules as any other input.
    pub fn into_testimony(self) -> Result<Testimony, InputError> {
        let some = |s: String| {
            let s = s.trim().to_owned();
            (!s.is_empty()).then_some(s)
        };
        let date = some(self.interview_date);
        let place = some(self.interview_place);
        let mut value = serde_json::json!({
            "schema": SCHEMA,
            "status": "draft",
            "consent": {"informed": true, "identity": self.identity.trim()},
            "narrative": self.narrative,
        });
        let share_with: Vec<String> = self
            .share_with
            .iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        if !share_with.is_empty() {
            value["consent"]["share_with"] = share_with.into();
        }
        if date.is_some() || place.is_some() {
            let mut interview = serde_json::Map::new();
            if let Some(d) = date {
                interview.insert("date".into(), d.into());
            }
            if let Some(p) = place {
                interview.insert("place".into(), p.into());
            }
            value["interview"] = interview.into();
        }
        from_value(value)
    }
}

/// A complete example with every field filled, for `aigaq template`.
pub fn template() -> serde_json::Value {
    serde_json::json!({
        "schema": SCHEMA,
        "status": "draft",
        "interview": {"date": "2022-02-03", "place": "Almaty", "interviewer": "M.K.",
                      "language": "ru", "interpreter": "A.S.", "mode": "in_person"},
        "consent": {"informed": true, "recorded_at": "2022-02-03T10:15:00+06:00",
                    "identity": "pseudonymous",
                    "share_with": ["Kazakhstan International Bureau for Human Rights"],
                    "uses": ["documentation", "advocacy", "legal_proceedings"],
                    "notes": "No photos of the face may be published."},
        "witness": {"name": "Full name as the witness gave it", "pseudonym": "W-17",
                    "contact": "How to reach the witness safely", "birth_year": 1986,
                    "gender": "male", "relation": "victim"},
        "narrative": "On 5 January I was detained near Republic Square. At the police station they beat me and put a bag over my head...",
        "events": [{
            "date": {"from": "2022-01-05", "to": "2022-01-07", "precision": "day"},
            "place": {"city": "Almaty", "detail": "near Republic Square, then the district police station",
                      "lat": 43.238, "lon": 76.945},
            "description": "Detention at the square and torture at the police station",
            "acts": [
                {"type": "arbitrary_detention", "victims": ["p1"], "perpetrators": ["p2"],
                 "methods": [], "place_of_detention": "district police station",
                 "consequences": ["held for three days without a lawyer"]},
                {"type": "torture", "victims": ["p1"], "perpetrators": ["p2"],
                 "methods": ["beating", "suffocation"],
                 "place_of_detention": "district police station",
                 "consequences": ["broken rib", "head injury"]}
            ]
        }],
        "persons": [
            {"id": "p1", "role": "victim", "name": "Same as the witness", "age": 36,
             "gender": "male", "status": "released", "agency": "unidentified",
             "description": "the witness"},
            {"id": "p2", "role": "perpetrator", "name": "unknown", "age": 30,
             "gender": "male", "status": "unknown", "agency": "police",
             "description": "masked, black uniform without insignia"}
        ],
        "follow_up": [{"type": "complaint_filed", "to": "prosecutor", "date": "2022-02-08",
                       "outcome": "pressure_to_withdraw"}],
        "tags": ["january-2022"]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_a_valid_testimony_with_every_field_filled() {
        let t = from_value(template()).unwrap();
        assert!(t.status.is_some() && t.interview.is_some() && t.consent.is_some());
        let w = t.witness.as_ref().unwrap();
        assert!(w.name.is_some() && w.contact.is_some() && w.relation.is_some());
        assert!(!t.events[0].acts.is_empty() && !t.follow_up.is_empty() && !t.tags.is_empty());
    }

    #[test]
    fn quick_entry_is_validated_like_any_input() {
        let bad = QuickEntry {
            narrative: " ".into(),
            identity: "anonymous".into(),
            interview_date: "2022-02-30".into(),
            interview_place: String::new(),
            share_with: vec!["  ".into()],
        };
        let msg = bad.into_testimony().unwrap_err().to_string();
        assert!(msg.contains("narrative: must not be empty"), "{msg}");
        assert!(
            msg.contains("interview.date: \"2022-02-30\" is not a date"),
            "{msg}"
        );
    }

    #[test]
    fn quick_entry_shares_with_the_names_given_and_no_blank_one() {
        let entry = |share_with: Vec<String>| QuickEntry {
            narrative: "Seen from the bus stop.".into(),
            identity: "anonymous".into(),
            interview_date: String::new(),
            interview_place: String::new(),
            share_with,
        };
        let t = entry(vec![" KIBHR ".into(), " ".into()])
            .into_testimony()
            .unwrap();
        assert_eq!(t.consent.unwrap().share_with, ["KIBHR"]);
        let t = entry(vec![]).into_testimony().unwrap();
        assert!(t.consent.unwrap().share_with.is_empty());
    }
}
