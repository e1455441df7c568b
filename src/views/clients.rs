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
use crate::domain::{ClientStatus, CoupleStatus};
use crate::store::clients::{self, ClientRow};
use crate::store::couples::{self, group, CoupleRow};

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

#[derive(Serialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<ClientView>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PortalInvite {
    /// Give this to the client; it is shown once and works once, for 7 days, with
    /// `POST /api/v1/auth/accept-invite`.
    pub invite_token: String,
    pub expires_at: DateTime<Utc>,
}

/// A couple, as its assigned counselors see it.
#[derive(Serialize, ToSchema)]
pub struct CoupleView {
    pub id: CoupleId,
    /// The two partners (client ids), in the order given at creation.
    pub partner_ids: Vec<ClientId>,
    pub counselor_ids: Vec<UserId>,
    pub status: CoupleStatus,
    /// Clinical content: null in the one answer given to an admin who is not assigned.
    pub presenting_concern: Option<String>,
    /// `YYYY-MM-DD`.
    pub relationship_started_on: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// What a page of couples needs besides the rows, loaded in one query each.
pub struct CoupleExtras {
    partners: HashMap<CoupleId, Vec<ClientId>>,
    counselors: HashMap<CoupleId, Vec<UserId>>,
}

impl CoupleExtras {
    pub fn load(conn: &mut AnyConnection, rows: &[CoupleRow]) -> QueryResult<CoupleExtras> {
        let ids: Vec<CoupleId> = rows.iter().map(|r| r.id.clone()).collect();
        Ok(CoupleExtras {
            partners: group(couples::partner_ids(conn, &ids)?),
            counselors: group(couples::counselor_ids(conn, &ids)?),
        })
    }

    pub fn view(&self, r: CoupleRow) -> CoupleView {
        CoupleView {
            partner_ids: self.partners.get(&r.id).cloned().unwrap_or_default(),
            counselor_ids: self.counselors.get(&r.id).cloned().unwrap_or_default(),
            status: r.status,
            id: r.id,
            presenting_concern: r.presenting_concern,
            relationship_started_on: r.relationship_started_on,
            created_at: instant(r.created_at),
            updated_at: instant(r.updated_at),
            version: r.version,
        }
    }
}

/// One couple's view (two queries).
pub fn couple_view(conn: &mut AnyConnection, row: CoupleRow) -> QueryResult<CoupleView> {
    let extras = CoupleExtras::load(conn, std::slice::from_ref(&row))?;
    Ok(extras.view(row))
}

#[derive(Serialize, ToSchema)]
pub struct CoupleList {
    pub items: Vec<CoupleView>,
    pub next_cursor: Option<String>,
}
