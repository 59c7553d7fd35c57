//! Full-text search over the narrative and descriptive fields. The user's words are turned
//! into quoted FTS5 prefix terms, so no query syntax can be injected and a half-typed or
//! inflected word (Russian and Kazakh add endings) still finds its matches.
//!
//! Ranking every match of a common word costs time in proportion to the number of matches
//! (bm25 per row), so ranking is bounded: the best `limit` hits are chosen among the
//! [`RANK_WINDOW`] most recent matches. Rare words, the usual case when looking for a
//! person or a place, are ranked in full.

use serde::Serialize;

use super::testimonies::TestimonyId;
use super::{Store, StoreError};

/// Most hits returned by one search.
pub const DEFAULT_LIMIT: usize = 50;

/// Most matches ranked by relevance; above it, the most recent matches are ranked.
pub const RANK_WINDOW: usize = 1000;

/// Words of context on each side of a match in a snippet.
const SNIPPET_WORDS: usize = 6;

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

/// The words of a query: letters and digits, at most 32.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(32)
        .collect()
}

/// Turns free text into an FTS5 query: every word a quoted prefix term, all required.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = words(text)
        .into_iter()
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

impl Store {
    /// Testimonies whose narrative or details contain every word, best match first.
    /// Case is ignored for Latin and Cyrillic (Russian, Kazakh) letters alike.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<SearchHit>, StoreError> {
        let query = fts_query(text).ok_or(StoreError::EmptyQuery)?;
        let mut ranked = self.conn.prepare_cached(
            "SELECT m.rowid, t.id, t.interview_date, t.place
             FROM (SELECT rowid, rank FROM testimony_fts WHERE testimony_fts MATCH ?1
                   ORDER BY rowid DESC LIMIT ?2) m
             JOIN testimonies t ON t.n = m.rowid
             ORDER BY m.rank LIMIT ?3",
        )?;
        let rows: Vec<(i64, String, Option<String>, Option<String>)> = ranked
            .query_map(
                rusqlite::params![query, RANK_WINDOW as i64, limit as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?
            .collect::<Result<_, _>>()?;
        // Snippets come from the stored text by rowid, not from a second MATCH, which would
        // expand every prefix term again for each hit.
        let mut text_of = self
            .conn
            .prepare_cached("SELECT narrative, details FROM testimony_fts WHERE rowid = ?1")?;
        let needles: Vec<String> = words(text).iter().map(|w| w.to_lowercase()).collect();
        let mut hits = Vec::with_capacity(rows.len());
        for (rowid, id, interview_date, place) in rows {
            let (narrative, details): (String, String) =
                text_of.query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let snippet = snippet(&narrative, &needles)
                .or_else(|| snippet(&details, &needles))
                .unwrap_or_else(|| lead(&narrative));
            hits.push(SearchHit {
                id: TestimonyId::from_db(id),
                snippet,
                interview_date,
                place,
            });
        }
        Ok(hits)
    }
}

/// The words around the first word that starts with one of `needles` (lower-case), with
/// every matching word marked `[…]`; `None` when no word matches.
pub fn snippet(text: &str, needles: &[String]) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let matches = |token: &str| {
        let word: String = token
            .chars()
            .skip_while(|c| !c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        needles.iter().any(|n| word.starts_with(n.as_str()))
    };
    let first = tokens.iter().position(|t| matches(t))?;
    let start = first.saturating_sub(SNIPPET_WORDS);
    let end = (first + SNIPPET_WORDS + 1).min(tokens.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (i, token) in tokens[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if matches(token) {
            out.push('[');
            out.push_str(token);
            out.push(']');
        } else {
            out.push_str(token);
        }
    }
    if end < tokens.len() {
        out.push('…');
    }
    Some(out)
}

fn lead(text: &str) -> String {
    let tokens: Vec<&str> = text.split_whitespace().take(2 * SNIPPET_WORDS).collect();
    tokens.join(" ") + "…"
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

    #[test]
    fn snippet_marks_matches_in_context_ignoring_case() {
        let text = "Сначала нас держали во дворе, потом в ОВД меня ИЗБИВАЛИ дубинками и надели пакет на голову, после чего отпустили";
        let s = snippet(text, &["избив".into(), "пакет".into()]).unwrap();
        assert_eq!(
            s,
            "…во дворе, потом в ОВД меня [ИЗБИВАЛИ] дубинками и надели [пакет] на голову,…"
        );
        assert!(snippet(text, &["nothing".into()]).is_none());
    }
}
