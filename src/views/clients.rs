//! Clients and couples as staff see them. Assembling a page costs a constant number of
//! queries: the related ids of every row are loaded in one query per kind.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use serde::Serialize;
use utoipa::ToSchema;

use super::instant;
use crate::db::AnyConnection;
use crate::domain::ids::{ClientId, CoupleId, UserId};
use crate::domain::{Actor, ClientStatus, CoupleStatus};
use crate::store::clients::{self, ClientRow};
use crate::store::couples::{self, group, CoupleRow};
use crate::store::session_times;

/// A client's record, as admins and the client's counselors see it.
#[derive(Serialize, ToSchema)]
pub struct ClientView {
    pub id: ClientId,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: ClientStatus,
    /// Staff assigned to the client directly (not through a couple).
    pub counselor_ids: Vec<UserId>,
    /// The client has accepted a portal invite and the account is active.
    pub has_portal_access: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// What a page of clients needs besides the rows, loaded in one query each.
pub struct ClientExtras {
    counselors: HashMap<ClientId, Vec<UserId>>,
    portal: HashSet<ClientId>,
}

impl ClientExtras {
    pub fn load(conn: &mut AnyConnection, rows: &[ClientRow]) -> QueryResult<ClientExtras> {
        let ids: Vec<ClientId> = rows.iter().map(|r| r.id.clone()).collect();
        Ok(ClientExtras {
            counselors: group(clients::counselor_ids(conn, &ids)?),
            portal: clients::with_portal_access(conn, &ids)?.into_iter().collect(),
        })
    }

    pub fn view(&self, r: ClientRow) -> ClientView {
        ClientView {
            counselor_ids: self.counselors.get(&r.id).cloned().unwrap_or_default(),
            has_portal_access: self.portal.contains(&r.id),
            status: r.status,
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            preferred_name: r.preferred_name,
            pronouns: r.pronouns,
            date_of_birth: r.date_of_birth,
            email: r.email,
            phone: r.phone,
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }
}

impl ClientView {
    /// The view from a row and its extras read in the same statement
    /// (`store::clients::find_visible_with_extras`).
    pub fn from_row_with_extras((row, counselors, portal): clients::ClientWithExtras) -> ClientView {
        let counselor_ids = UserId::split_db(counselors);
        let extras = ClientExtras {
            counselors: HashMap::from([(row.id.clone(), counselor_ids)]),
            portal: if portal { HashSet::from([row.id.clone()]) } else { HashSet::new() },
        };
        extras.view(row)
    }
}

/// One client's view (two queries).
pub fn client_view(conn: &mut AnyConnection, row: ClientRow) -> QueryResult<ClientView> {
    let extras = ClientExtras::load(conn, std::slice::from_ref(&row))?;
    Ok(extras.view(row))
}

/// A client in `GET /clients`: the record, and when the caller last and next sees them.
#[derive(Serialize, ToSchema)]
pub struct ClientListItem {
    #[serde(flatten)]
    pub client: ClientView,
    /// When the latest session the client attends that has begun (not cancelled) began, of the
    /// sessions the caller may see; null when none.
    pub last_session_at: Option<DateTime<Utc>>,
    /// When the next `scheduled` session the client attends begins, of the sessions the caller
    /// may see; null when none.
    pub next_session_at: Option<DateTime<Utc>>,
}

impl ClientListItem {
    pub fn new(client: ClientView, times: Option<&session_times::Times>) -> ClientListItem {
        let (last, next) = times.cloned().unwrap_or_default();
        ClientListItem { client, last_session_at: last.map(instant), next_session_at: next.map(instant) }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientListItem>,
    pub next_cursor: Option<String>,
}

/// A partner of a couple, named beside the id.
#[derive(Serialize, ToSchema, Clone)]
pub struct PartnerView {
    pub id: ClientId,
    pub first_name: String,
    pub last_name: String,
    pub preferred_name: Option<String>,
}

/// A couple, as its assigned counselors see it.
#[derive(Serialize, ToSchema)]
pub struct CoupleView {
    pub id: CoupleId,
    /// The two partners, named, in the order given at creation.
    pub partners: Vec<PartnerView>,
    /// The two partners (client ids), in the order given at creation.
    pub partner_ids: Vec<ClientId>,
    pub counselor_ids: Vec<UserId>,
    pub status: CoupleStatus,
    /// Clinical content: null in the one answer given to an admin who is not assigned.
    pub presenting_concern: Option<String>,
    /// `YYYY-MM-DD`.
    pub relationship_started_on: Option<String>,
    /// When the latest session that has begun (not cancelled) began; null when none.
    pub last_session_at: Option<DateTime<Utc>>,
    /// When the next `scheduled` session begins; null when none.
    pub next_session_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A couple as an admin who is not assigned to it finds it (to assign counselors): who the
/// partners are and who counsels them, nothing clinical. Exactly these fields, so no whole view
/// also reads as a directory view (`CoupleItem` is one of the two, never both).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoupleDirectoryView {
    pub id: CoupleId,
    pub partners: Vec<PartnerView>,
    pub partner_ids: Vec<ClientId>,
    pub counselor_ids: Vec<UserId>,
    pub status: CoupleStatus,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A couple in a staff answer: the whole view for its assigned staff, the directory view for
/// an admin who is not assigned.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum CoupleItem {
    Assigned(CoupleView),
    Directory(CoupleDirectoryView),
}

impl CoupleItem {
    pub fn version(&self) -> i64 {
        match self {
            CoupleItem::Assigned(v) => v.version,
            CoupleItem::Directory(v) => v.version,
        }
    }
}

/// One couple of a page as `store::couples::list` or `find_with_extras` reads it (one
/// statement), taken apart into what its views show; each value moves into the view once.
pub struct CoupleParts {
    row: CoupleRow,
    partners: Vec<PartnerView>,
    counselor_ids: Vec<UserId>,
    last: Option<chrono::NaiveDateTime>,
    next: Option<chrono::NaiveDateTime>,
}

impl From<couples::CoupleListRow> for CoupleParts {
    fn from((row, counselors, a, b, last, next): couples::CoupleListRow) -> CoupleParts {
        let partners = [a, b]
            .into_iter()
            .filter_map(|(id, first, last, preferred)| {
                Some(PartnerView { id: id?, first_name: first?, last_name: last?, preferred_name: preferred })
            })
            .collect();
        CoupleParts { row, partners, counselor_ids: UserId::split_db(counselors), last, next }
    }
}

/// The partners' ids, in partner order (a view's `partner_ids`).
fn ids_of(partners: &[PartnerView]) -> Vec<ClientId> {
    partners.iter().map(|p| p.id.clone()).collect()
}

impl CoupleParts {
    /// The couple's id (a page's sort key).
    pub fn id(&self) -> &CoupleId {
        &self.row.id
    }

    pub fn view(self) -> CoupleView {
        let CoupleParts { row: r, partners, counselor_ids, last, next } = self;
        CoupleView {
            partner_ids: ids_of(&partners),
            partners,
            counselor_ids,
            status: r.status,
            id: r.id,
            presenting_concern: r.presenting_concern,
            relationship_started_on: r.relationship_started_on,
            last_session_at: last.map(instant),
            next_session_at: next.map(instant),
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }

    /// The view `viewer` may have of the couple: whole when assigned, else the directory view.
    pub fn item(self, viewer: &UserId) -> CoupleItem {
        if self.counselor_ids.contains(viewer) {
            return CoupleItem::Assigned(self.view());
        }
        let CoupleParts { row: r, partners, counselor_ids, .. } = self;
        CoupleItem::Directory(CoupleDirectoryView {
            partner_ids: ids_of(&partners),
            partners,
            counselor_ids,
            status: r.status,
            id: r.id,
            created_at: instant(r.created_at),
            version: r.version,
        })
    }
}

/// One couple's whole view, read in one statement; `NotFound` outside the actor's scope (that of
/// `store::couples::find_with_extras`).
pub fn couple_view(conn: &mut AnyConnection, actor: &Actor, id: &CoupleId) -> QueryResult<CoupleView> {
    Ok(CoupleParts::from(couples::find_with_extras(conn, actor, id, crate::db::now())?).view())
}

/// One couple as the actor may see it (whole, or the directory view for an admin who is not
/// assigned), read in one statement; `NotFound` outside the actor's scope.
pub fn couple_item(conn: &mut AnyConnection, actor: &Actor, id: &CoupleId) -> QueryResult<CoupleItem> {
    Ok(CoupleParts::from(couples::find_with_extras(conn, actor, id, crate::db::now())?).item(&actor.user_id))
}

#[derive(Serialize, ToSchema)]
pub struct CoupleList {
    /// Whole views of couples the caller is assigned to; for an admin, directory views of the
    /// practice's other couples.
    pub items: Vec<CoupleItem>,
    pub next_cursor: Option<String>,
}
