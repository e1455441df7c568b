//! `Bundle`s of `type: searchset`: the answers of searches and of `$everything`.

use fhir_sdk::r4b::codes::{BundleType, SearchEntryMode};
use fhir_sdk::r4b::resources::{BaseResource, Bundle, BundleEntry, BundleEntrySearch, BundleLink, Resource};

use super::{built, each};
use crate::problem::{AppError, AppResult};

/// One entry: the resource and its absolute URL.
pub struct Entry {
    full_url: String,
    resource: Resource,
}

impl Entry {
    /// `base` is the FHIR base URL as the caller reached it (`https://host/fhir/R4`).
    pub fn new<T: BaseResource + Into<Resource>>(base: &str, resource: T) -> AppResult<Entry> {
        let id = resource.id().clone().ok_or_else(|| AppError::internal("a FHIR resource without an id"))?;
        let resource: Resource = resource.into();
        Ok(Entry { full_url: format!("{base}/{}/{id}", resource.resource_type()), resource })
    }
}

fn link(relation: &str, url: String) -> AppResult<BundleLink> {
    built(BundleLink::builder().relation(relation.to_string()).url(url).build())
}

/// A searchset of `entries` (every one a match), with its `self` link and, when another page
/// follows, its `next` link. `total` is given when the bundle holds every match.
pub fn searchset(
    entries: Vec<Entry>,
    self_url: String,
    next_url: Option<String>,
    total: Option<u32>,
) -> AppResult<Bundle> {
    let mut links = vec![link("self", self_url)?];
    if let Some(next) = next_url {
        links.push(link("next", next)?);
    }
    let mut items = Vec::with_capacity(entries.len());
    for e in entries {
        let search = built(BundleEntrySearch::builder().mode(SearchEntryMode::Match).build())?;
        items.push(built(BundleEntry::builder().full_url(e.full_url).resource(e.resource).search(search).build())?);
    }
    let mut b = Bundle::builder()
        .id(crate::db::new_id())
        .r#type(BundleType::Searchset)
        .timestamp(super::instant(crate::db::now())?)
        .link(each(links))
        .entry(each(items));
    if let Some(t) = total {
        b = b.total(t);
    }
    built(b.build())
}
