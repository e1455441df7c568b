//! `Bundle`s of `type: searchset`: the answers of searches and of `$everything`.

use super::model::{Bundle, BundleEntry, BundleEntrySearch, BundleLink, Resource};
use crate::problem::{AppError, AppResult};

/// One entry: the resource and its absolute URL.
pub struct Entry {
    full_url: String,
    resource: Resource,
}

impl Entry {
    /// `base` is the FHIR base URL as the caller reached it (`https://host/fhir/R4`).
    pub fn new(base: &str, resource: impl Into<Resource>) -> AppResult<Entry> {
        let resource = resource.into();
        let id = resource.id().ok_or_else(|| AppError::internal("a FHIR resource without an id"))?;
        Ok(Entry { full_url: format!("{base}/{}/{id}", resource.kind()), resource })
    }
}

/// A searchset of `entries` (every one a match), with its `self` link and, when another page
/// follows, its `next` link. `total` is given when the bundle holds every match.
pub fn searchset(entries: Vec<Entry>, self_url: String, next_url: Option<String>, total: Option<u32>) -> Bundle {
    let mut link = vec![BundleLink { relation: "self", url: self_url }];
    if let Some(url) = next_url {
        link.push(BundleLink { relation: "next", url });
    }
    let entry = entries
        .into_iter()
        .map(|e| BundleEntry {
            full_url: e.full_url,
            resource: e.resource,
            search: BundleEntrySearch { mode: "match" },
        })
        .collect();
    Bundle {
        id: crate::db::new_id(),
        kind: "searchset",
        timestamp: super::instant(crate::db::now()),
        total,
        link,
        entry,
    }
}
