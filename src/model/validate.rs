//! Turning untrusted JSON into testimonies: one object, an array, or JSON lines. Every
//! problem is reported with the path of the field it concerns, so a documenter can find it.

use std::collections::HashSet;
use std::fmt;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::testimony::{Testimony, SCHEMA};

/// Largest input accepted by [`parse_input`].
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;
/// Longest narrative, in bytes.
pub const MAX_NARRATIVE_BYTES: usize = 1024 * 1024;
/// Longest other text field, in bytes.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Most items in one list inside a testimony.
pub const MAX_LIST_ITEMS: usize = 1000;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where: `events[0].acts[1].type`.
    pub path: String,
    /// What is wrong and, where it helps, what to write instead.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why an input was refused.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Nothing to read.
    #[error("the input is empty: give one testimony object, an array of them, or one per line (run `aigaq template` for an example)")]
    Empty,
    /// Over [`MAX_INPUT_BYTES`].
    #[error("the input is {size} bytes; the limit is {limit} bytes: split it into several files")]
    TooLarge {
        /// Bytes given.
        size: usize,
        /// Bytes allowed.
        limit: usize,
    },
    /// Not JSON.
    #[error("{where_}the input is not valid JSON: {message}")]
    Syntax {
        /// `item 3 (line 4): ` or empty.
        where_: String,
        /// What the JSON parser said, with line and column.
        message: String,
    },
    /// JSON, but not a valid testimony.
    #[error("{where_}{}", issues.iter().map(|i| i.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// `item 3: ` or empty.
        where_: String,
        /// Every problem found.
        issues: Vec<Issue>,
    },
}

/// Reads one testimony object, a JSON array of them, or JSON lines. All or nothing: the first
/// bad item makes the whole input fail, and the error names the item.
pub fn parse_input(bytes: &[u8]) -> Result<Vec<Testimony>, InputError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| InputError::Syntax {
        where_: String::new(),
        message: format!("it is not UTF-8 text (byte {})", e.valid_up_to()),
    })?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Err(InputError::Empty);
    }
    if trimmed.starts_with('[') {
        let items: Vec<Value> = serde_json::from_str(trimmed).map_err(|e| InputError::Syntax {
            where_: String::new(),
            message: e.to_string(),
        })?;
        if items.is_empty() {
            return Err(InputError::Empty);
        }
        return items
            .into_iter()
            .enumerate()
            .map(|(i, v)| from_value(v).map_err(|e| e.at(format!("item {}: ", i + 1))))
            .collect();
    }
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
    let many = trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1;
    loop {
        let offset = stream.byte_offset();
        let rest = &trimmed[offset..];
        let start = offset + (rest.len() - rest.trim_start().len());
        let line = trimmed[..start].matches('\n').count() + 1;
        let where_ = if many {
            format!("item {} (line {line}): ", out.len() + 1)
        } else {
            String::new()
        };
        match stream.next() {
            None => break,
            Some(Err(e)) => {
                return Err(InputError::Syntax {
                    where_,
                    message: e.to_string(),
                })
            }
            Some(Ok(v)) => out.push(from_value(v).map_err(|e| e.at(where_))?),
        }
    }
    Ok(out)
}

/// Reads one testimony from a JSON value and validates it.
pub fn from_value(value: Value) -> Result<Testimony, InputError> {
    let mut issues = Vec::new();
    check_sizes(&value, &mut String::new(), &mut issues);
    if !issues.is_empty() {
        return Err(invalid(issues));
    }
    let t: Testimony = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "testimony".to_owned()
        } else {
            path
        };
        invalid(vec![Issue {
            path,
            message: e.inner().to_string(),
        }])
    })?;
    validate(&t).map_err(invalid)?;
    Ok(t)
}

fn invalid(issues: Vec<Issue>) -> InputError {
    InputError::Invalid {
        where_: String::new(),
        issues,
    }
}

impl InputError {
    fn at(self, location: String) -> Self {
        match self {
            InputError::Syntax { message, .. } => InputError::Syntax {
                where_: location,
                message,
            },
            InputError::Invalid { issues, .. } => InputError::Invalid {
                where_: location,
                issues,
            },
            other => other,
        }
    }
}

fn check_sizes(v: &Value, path: &mut String, issues: &mut Vec<Issue>) {
    match v {
        Value::String(s) => {
            let limit = if path == "narrative" {
                MAX_NARRATIVE_BYTES
            } else {
                MAX_TEXT_BYTES
            };
            if s.len() > limit {
                issues.push(Issue {
                    path: path.clone(),
                    message: format!("is {} bytes long; the limit is {limit}", s.len()),
                });
            }
        }
        Value::Array(items) => {
            if items.len() > MAX_LIST_ITEMS {
                issues.push(Issue {
                    path: path.clone(),
                    message: format!("has {} items; the limit is {MAX_LIST_ITEMS}", items.len()),
                });
                return;
            }
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_sizes(item, path, issues);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                check_sizes(item, path, issues);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The rules serde cannot express: dates, references between persons and acts, ranges.
pub fn validate(t: &Testimony) -> Result<(), Vec<Issue>> {
    let mut issues = Vec::new();
    let mut bad = |path: String, message: String| issues.push(Issue { path, message });

    if t.schema != SCHEMA {
        bad(
            "schema".into(),
            format!("expected {SCHEMA:?}, got {:?}", truncate(&t.schema)),
        );
    }
    if t.narrative.trim().is_empty() {
        bad(
            "narrative".into(),
            "must not be empty: write the statement in the witness's words".into(),
        );
    }
    if let Some(i) = &t.interview {
        if let Some(d) = &i.date {
            check_date(d, "interview.date", &mut bad);
        }
    }
    if let Some(c) = &t.consent {
        if let Some(at) = &c.recorded_at {
            if OffsetDateTime::parse(at, &Rfc3339).is_err() {
                bad(
                    "consent.recorded_at".into(),
                    format!(
                        "{:?} is not a date and time; use RFC 3339, e.g. 2022-02-03T10:15:00+06:00",
                        truncate(at)
                    ),
                );
            }
        }
        for (i, name) in c.share_with.iter().enumerate() {
            if name.trim().is_empty() {
                bad(
                    format!("consent.share_with[{i}]"),
                    "must name an organisation".into(),
                );
            }
        }
    }
    if let Some(w) = &t.witness {
        if let Some(y) = w.birth_year {
            let now = OffsetDateTime::now_utc().year();
            if !(1900..=now).contains(&y) {
                bad(
                    "witness.birth_year".into(),
                    format!("{y} is not a plausible year of birth (1900 to {now})"),
                );
            }
        }
    }
    let mut ids = HashSet::new();
    for (i, p) in t.persons.iter().enumerate() {
        if p.id.trim().is_empty() {
            bad(
                format!("persons[{i}].id"),
                "must not be empty: acts refer to persons by id, e.g. \"p1\"".into(),
            );
        } else if !ids.insert(p.id.as_str()) {
            bad(
                format!("persons[{i}].id"),
                format!(
                    "{:?} is used by an earlier person; ids must be unique",
                    p.id
                ),
            );
        }
        if let Some(age) = p.age {
            if age > 130 {
                bad(
                    format!("persons[{i}].age"),
                    format!("{age} is not a plausible age"),
                );
            }
        }
    }
    for (e, event) in t.events.iter().enumerate() {
        if let Some(d) = &event.date {
            let from = d
                .from
                .as_deref()
                .and_then(|s| check_date(s, &format!("events[{e}].date.from"), &mut bad));
            let to =
                d.to.as_deref()
                    .and_then(|s| check_date(s, &format!("events[{e}].date.to"), &mut bad));
            if let (Some(from), Some(to)) = (from, to) {
                if to < from {
                    bad(
                        format!("events[{e}].date.to"),
                        format!("{to} is before the start date {from}"),
                    );
                }
            }
        }
        if let Some(place) = &event.place {
            if let Some(lat) = place.lat {
                if !(-90.0..=90.0).contains(&lat) {
                    bad(
                        format!("events[{e}].place.lat"),
                        format!("{lat} is not a latitude (-90 to 90)"),
                    );
                }
            }
            if let Some(lon) = place.lon {
                if !(-180.0..=180.0).contains(&lon) {
                    bad(
                        format!("events[{e}].place.lon"),
                        format!("{lon} is not a longitude (-180 to 180)"),
                    );
                }
            }
        }
        for (a, act) in event.acts.iter().enumerate() {
            for (field, refs) in [
                ("victims", &act.victims),
                ("perpetrators", &act.perpetrators),
            ] {
                for (r, id) in refs.iter().enumerate() {
                    if !ids.contains(id.as_str()) {
                        bad(
                            format!("events[{e}].acts[{a}].{field}[{r}]"),
                            format!(
                                "no person with id {:?}; add it to \"persons\" or correct the id",
                                truncate(id)
                            ),
                        );
                    }
                }
            }
        }
    }
    for (i, f) in t.follow_up.iter().enumerate() {
        if let Some(d) = &f.date {
            check_date(d, &format!("follow_up[{i}].date"), &mut bad);
        }
    }
    for (i, tag) in t.tags.iter().enumerate() {
        if tag.trim().is_empty() {
            bad(format!("tags[{i}]"), "must not be empty".into());
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}

/// Parses `YYYY-MM-DD`, reporting a problem under `path` when it is not a real date.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

fn check_date(s: &str, path: &str, bad: &mut impl FnMut(String, String)) -> Option<Date> {
    let d = parse_date(s);
    if d.is_none() {
        bad(
            path.to_owned(),
            format!(
                "{:?} is not a date; use YYYY-MM-DD, e.g. 2022-01-05",
                truncate(s)
            ),
        );
    }
    d
}

fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
