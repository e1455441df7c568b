//! Property tests (proptest) for everything that parses untrusted input: cursors, If-Match,
//! access tokens, request-id headers, configuration and validators. None may panic, and each
//! accepts exactly what it should. A longer run: `PROPTEST_CASES=100000 cargo test --test fuzz`.

use mend::auth::tokens::TokenKeys;
use mend::config::Secret;
use mend::domain::{text, Role};
use mend::http::IfMatch;
use mend::pagination::PageRequest;
use proptest::prelude::*;

fn keys() -> TokenKeys {
    TokenKeys::new(&Secret::new(b"fuzz-secret-0123456789abcdef0123456789".to_vec()))
}

proptest! {
    #[test]
    fn cursors_never_panic_and_garbage_is_refused(raw in ".{0,200}") {
        // Anything that is not a cursor we gave out is a 400, never a panic or a 500.
        if let Ok(page) = PageRequest::parse("users", 1, Some(10), Some(&raw)) {
            // It decoded: an empty cursor is the first page, anything else carries exactly one key.
            let expected = if raw.is_empty() { None } else { Some(1) };
            prop_assert_eq!(page.after.map(|v| v.len()), expected);
        }
    }

    #[test]
    fn cursors_round_trip(keys in proptest::collection::vec(".{0,40}", 1..4), limit in 1i64..=100) {
        let page = PageRequest::parse("x", keys.len(), Some(limit), None).unwrap();
        let rows: Vec<Vec<String>> = (0..=limit).map(|_| keys.clone()).collect();
        let out = page.finish(rows, |r| r.clone(), |r| r);
        let cursor = out.next_cursor.expect("a next page");
        let next = PageRequest::parse("x", keys.len(), Some(limit), Some(&cursor)).unwrap();
        prop_assert_eq!(next.after, Some(keys));
    }

    #[test]
    fn limits_outside_1_to_100_are_refused(limit in any::<i64>()) {
        let ok = PageRequest::parse("x", 1, Some(limit), None).is_ok();
        prop_assert_eq!(ok, (1..=100).contains(&limit));
    }

    #[test]
    fn if_match_never_panics(raw in ".{0,64}") {
        let _ = IfMatch::parse(Some(&raw)).check(1);
    }

    #[test]
    fn if_match_accepts_exact_versions(v in 0..=i64::MAX) {
        let header = format!("\"{v}\"");
        let parsed = IfMatch::parse(Some(&header));
        prop_assert_eq!(&parsed, &IfMatch::Versions(vec![v]));
        prop_assert!(parsed.check(v).is_ok());
        prop_assert!(parsed.check(v.wrapping_add(1)).is_err());
    }

    /// Whatever the spec's If-Match pattern allows, the server accepts (400 only for the rest).
    #[test]
    fn if_match_accepts_what_the_spec_pattern_allows(
        header in proptest::string::string_regex(
            mend::http::IF_MATCH_PATTERN.trim_start_matches('^').trim_end_matches('$')
        ).expect("pattern")
    ) {
        prop_assert_ne!(IfMatch::parse(Some(&header)), IfMatch::Malformed, "{:?}", header);
    }

    #[test]
    fn arbitrary_tokens_never_verify(raw in ".{0,400}") {
        prop_assert!(keys().verify(&raw).is_none());
    }

    #[test]
    fn mangled_tokens_never_verify(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let (token, _) = keys().issue_access("user", Role::Counselor, "practice", None, "family").unwrap();
        let mut bytes = token.into_bytes();
        let i = pos.index(bytes.len());
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        if let Ok(mangled) = String::from_utf8(bytes) {
            // Changing any byte of header, payload or signature breaks the token, except where
            // base64 padding bits make two characters decode to the same bytes.
            if let Some(claims) = keys().verify(&mangled) {
                prop_assert_eq!(claims.sub, "user");
                prop_assert_eq!(claims.role, Role::Counselor);
            }
        }
    }

    #[test]
    fn validators_never_panic(raw in "\\PC{0,300}") {
        let _ = text::email("email", &raw);
        let _ = text::password("password", &raw);
        let _ = text::required("name", &raw, 100);
        let _ = mend::request_id::choose(Some(&raw));
    }

    #[test]
    fn chosen_request_ids_are_safe_header_values(raw in ".{0,300}") {
        let id = mend::request_id::choose(Some(&raw));
        prop_assert!(!id.is_empty() && id.len() <= 128);
        prop_assert!(id.bytes().all(|b| b.is_ascii_graphic()));
    }

    #[test]
    fn database_urls_never_panic(raw in ".{0,100}") {
        let _ = mend::db::Store::parse(&raw);
    }
}
