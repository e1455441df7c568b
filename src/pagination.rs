//! Cursor (keyset) pagination: opaque cursors that hold the sort key of the last row.
//!
//! A cursor only moves the starting point of a query that is scoped anyway, so a forged cursor
//! can never reach rows the caller may not see; a garbled one is a 400.

use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::AppError;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;
/// What a cursor is made of: base64url without padding (empty is the first page).
pub const CURSOR_PATTERN: &str = "^[A-Za-z0-9_-]*$";

#[derive(Serialize, Deserialize)]
struct CursorBody {
    /// Which listing the cursor belongs to.
    k: String,
    /// The sort key of the last row served.
    v: Vec<String>,
}

/// A validated page request.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: i64,
    /// The sort key to continue after, as many values as the listing's key has.
    pub after: Option<Vec<String>>,
    kind: &'static str,
}

impl PageRequest {
    /// `kind` names the listing; `key_len` is the number of values in its sort key.
    pub fn parse(
        kind: &'static str,
        key_len: usize,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::field("limit", format!("must be from 1 to {MAX_LIMIT}")));
        }
        let after = match cursor {
            None | Some("") => None,
            Some(raw) => {
                let bad = || AppError::BadRequest("The cursor is not one this listing gave out.".into());
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
                let body: CursorBody = serde_json::from_slice(&bytes).map_err(|_| bad())?;
                if body.k != kind || body.v.len() != key_len {
                    return Err(bad());
                }
                Some(body.v)
            }
        };
        Ok(PageRequest { limit, after, kind })
    }

    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts `rows` (fetched with [`fetch`](Self::fetch)) to a page and makes its cursor.
    pub fn finish<R, T>(&self, mut rows: Vec<R>, key: impl Fn(&R) -> Vec<String>, view: impl FnMut(R) -> T) -> Page<T> {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next_cursor = if more { rows.last().map(|r| encode(self.kind, key(r))) } else { None };
        Page { items: rows.into_iter().map(view).collect(), next_cursor }
    }
}

fn encode(kind: &str, v: Vec<String>) -> String {
    let json = serde_json::to_vec(&CursorBody { k: kind.to_string(), v }).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// One page of a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(PageRequest::parse("x", 1, None, None).unwrap().limit, 25);
        assert!(matches!(PageRequest::parse("x", 1, Some(0), None), Err(AppError::Validation(_))));
        assert!(matches!(PageRequest::parse("x", 1, Some(101), None), Err(AppError::Validation(_))));
        assert_eq!(PageRequest::parse("x", 1, Some(100), None).unwrap().limit, 100);
    }

    #[test]
    fn cursor_round_trip_and_garbage() {
        let p = PageRequest::parse("x", 2, Some(2), None).unwrap();
        let page = p.finish(vec![1, 2, 3], |r| vec![r.to_string(), "id".into()], |r| r);
        assert_eq!(page.items, vec![1, 2]);
        let c = page.next_cursor.unwrap();
        let next = PageRequest::parse("x", 2, Some(2), Some(&c)).unwrap();
        assert_eq!(next.after, Some(vec!["2".to_string(), "id".to_string()]));
        assert!(PageRequest::parse("x", 2, None, Some("")).unwrap().after.is_none());
        for bad in ["!!!", "e30", &c[..c.len() - 3]] {
            assert!(matches!(PageRequest::parse("x", 2, None, Some(bad)), Err(AppError::BadRequest(_))), "{bad}");
        }
        // A cursor of another listing, or of another key shape, is refused.
        assert!(PageRequest::parse("y", 2, None, Some(&c)).is_err());
        assert!(PageRequest::parse("x", 1, None, Some(&c)).is_err());
    }

    #[test]
    fn last_page_has_no_cursor() {
        let p = PageRequest::parse("x", 1, Some(5), None).unwrap();
        let page = p.finish(vec![1, 2], |r| vec![r.to_string()], |r| r);
        assert!(page.next_cursor.is_none());
    }
}
