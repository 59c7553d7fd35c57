//! Full-text search over the narrative and descriptive fields. The user's words are turned
//! into quoted FTS5 prefix terms, so no query syntax can be injected and a half-typed word
//! still finds its matches.

use serde::Serialize;

use super::testimonies::TestimonyId;
use super::{Store, StoreError};

/// Most hits returned by one search.
pub const DEFAULT_LIMIT: usize = 50;

/// One match.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    /// The testimony.
    pub id: TestimonyId,
    /// Matching words in context, marked with `[` and `]`.
    pub snippet: String,
    /// `YYYY-MM-DD` of the interview.
    pub interview_date: Option<String>,
    /// Where the interview was held.
    pub place: Option<String>,
}

/// Turns free text into an FTS5 query: every word a quoted prefix term, all required.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Testimonies whose narrative or details contain every word, best match first.
    /// Case is ignored for Latin and Cyrillic (Russian, Kazakh) letters alike.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let query = fts_query(text).ok_or(StoreError::EmptyQuery)?;
        let mut st = self.conn.prepare_cached(
            "SELECT t.id,
                    snippet(testimony_fts, -1, '[', ']', '…', 12),
                    t.interview_date, t.place
             FROM testimony_fts f JOIN testimonies t ON t.n = f.rowid
             WHERE testimony_fts MATCH ?1
             ORDER BY f.rank LIMIT ?2",
        )?;
        let rows = st.query_map(rusqlite::params![query, limit as i64], |r| {
            Ok(SearchHit {
                id: TestimonyId::from_db(r.get(0)?),
                snippet: r.get(1)?,
                interview_date: r.get(2)?,
                place: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_syntax_cannot_be_injected() {
        assert_eq!(
            fts_query("beaten OR \"x\" NEAR(a) -b").unwrap(),
            "\"beaten\"* \"OR\"* \"x\"* \"NEAR\"* \"a\"* \"b\"*"
        );
        assert_eq!(
            fts_query("Қатыгез ұрып"),
            Some("\"Қатыгез\"* \"ұрып\"*".into())
        );
        assert!(fts_query(" -- ** ").is_none());
    }
}
