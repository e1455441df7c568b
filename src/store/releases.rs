//! Releases of records, their authorizers (the `required_ids`) and the accounting of
//! disclosures. Staff see the releases of couples they are assigned to and of clients they are
//! assigned to directly ([`visible`]); a portal client sees the releases that need their own
//! authorization ([`of_client`]). There is no unscoped find by id.
//!
//! Every change of status is one UPDATE that names the status (and version) it starts from and,
//! where it matters, that the release has not expired: two racing changes cannot both win, and
//! the loser's transaction writes nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{disclosure_subjects as ds, disclosures as d, release_authorizers as ra, releases as r};
use crate::db::{now, AnyConnection, MultiBackend as Backend};
use crate::domain::consent::{RecordKind, ReleaseStatus};
use crate::domain::ids::{ClientId, CoupleId};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::store::access::{assigned_clients, assigned_couples};
use crate::store::boundaries::parse_ts_key;
use crate::store::sessions::Subject;

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = r)]
pub struct ReleaseRow {
    pub id: String,
    pub practice_id: String,
    pub couple_id: Option<String>,
    pub client_id: Option<String>,
    pub recipient_name: String,
    pub recipient_organization: Option<String>,
    pub purpose: String,
    pub from_on: Option<String>,
    pub to_on: Option<String>,
    pub include: String,
    pub include_mediation_notes: bool,
    pub expires_on: String,
    pub status: ReleaseStatus,
    pub disclosed_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ReleaseRow {
    pub fn include(&self) -> Vec<RecordKind> {
        RecordKind::from_json(&self.include)
    }

    /// Whose records the release covers.
    pub fn subject(&self) -> Subject {
        match (&self.couple_id, &self.client_id) {
            (Some(k), _) => Subject::Couple(CoupleId::from_db(k.clone())),
            (None, Some(c)) => Subject::Client(ClientId::from_db(c.clone())),
            // The table's CHECK makes this unreachable; an empty subject matches nobody.
            (None, None) => Subject::Client(ClientId::from_db(String::new())),
        }
    }
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = ra)]
pub struct AuthorizerRow {
    pub release_id: String,
    pub client_id: String,
    pub position: i32,
    pub signed_name: Option<String>,
    pub authorized_at: Option<NaiveDateTime>,
}

/// Releases the staff actor may see: a couple's when assigned to the couple, a client's when
/// assigned to the client directly.
pub fn visible(actor: &Actor) -> r::BoxedQuery<'static, Backend> {
    r::table
        .filter(r::practice_id.eq(actor.practice_id.clone()))
        .filter(
            r::couple_id
                .assume_not_null()
                .eq_any(assigned_couples(actor.user_id.clone()))
                .or(r::client_id.assume_not_null().eq_any(assigned_clients(actor.user_id.clone()))),
        )
        .into_boxed()
}

/// Releases that need the portal client's own authorization. None for staff.
pub fn of_client(actor: &Actor) -> Option<r::BoxedQuery<'static, Backend>> {
    let client_id = actor.client_id.clone()?;
    Some(
        r::table
            .filter(r::practice_id.eq(actor.practice_id.clone()))
            .filter(r::id.eq_any(ra::table.filter(ra::client_id.eq(client_id)).select(ra::release_id)))
            .into_boxed(),
    )
}

pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<ReleaseRow>> {
    visible(actor).filter(r::id.eq(id.to_string())).select(ReleaseRow::as_select()).first(conn).optional()
}

pub fn find_for_client(conn: &mut AnyConnection, actor: &Actor, id: &str) -> QueryResult<Option<ReleaseRow>> {
    let Some(q) = of_client(actor) else { return Ok(None) };
    q.filter(r::id.eq(id.to_string())).select(ReleaseRow::as_select()).first(conn).optional()
}

pub struct NewRelease<'a> {
    pub id: &'a str,
    pub practice_id: &'a str,
    pub subject: &'a Subject,
    pub recipient_name: &'a str,
    pub recipient_organization: Option<&'a str>,
    pub purpose: &'a str,
    pub from_on: Option<&'a str>,
    pub to_on: Option<&'a str>,
    pub include: &'a [RecordKind],
    pub include_mediation_notes: bool,
    pub expires_on: &'a str,
    pub created_by: &'a str,
    /// The clients who must authorize it: the partners, or the client.
    pub required_ids: &'a [ClientId],
}

pub fn create(conn: &mut AnyConnection, new: &NewRelease<'_>) -> QueryResult<()> {
    let at = now();
    let (couple_id, client_id) = match new.subject {
        Subject::Couple(id) => (Some(id.as_str()), None),
        Subject::Client(id) => (None, Some(id.as_str())),
    };
    diesel::insert_into(r::table)
        .values((
            r::id.eq(new.id),
            r::practice_id.eq(new.practice_id),
            r::couple_id.eq(couple_id),
            r::client_id.eq(client_id),
            r::recipient_name.eq(new.recipient_name),
            r::recipient_organization.eq(new.recipient_organization),
            r::purpose.eq(new.purpose),
            r::from_on.eq(new.from_on),
            r::to_on.eq(new.to_on),
            r::include.eq(RecordKind::to_json(new.include)),
            r::include_mediation_notes.eq(new.include_mediation_notes),
            r::expires_on.eq(new.expires_on),
            r::status.eq("pending"),
            r::created_by.eq(new.created_by),
            r::version.eq(1i64),
            r::created_at.eq(at),
            r::updated_at.eq(at),
        ))
        .execute(conn)?;
    for (position, client_id) in new.required_ids.iter().enumerate() {
        diesel::insert_into(ra::table)
            .values((
                ra::release_id.eq(new.id),
                ra::client_id.eq(client_id),
                ra::practice_id.eq(new.practice_id),
                ra::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Authorizers of many releases at once (one query for a page), in their order.
pub fn authorizers(conn: &mut AnyConnection, release_ids: &[String]) -> QueryResult<Vec<AuthorizerRow>> {
    ra::table
        .filter(ra::release_id.eq_any(release_ids))
        .select(AuthorizerRow::as_select())
        .order((ra::release_id, ra::position))
        .load(conn)
}

/// Whose releases a staff listing shows.
pub enum Party<'a> {
    /// The couple's releases.
    Couple(&'a str),
    /// Releases that need this client's authorization (their own, and their couples').
    Client(&'a str),
}

/// Releases in creation order (created_at, id), one page. `scope` is [`visible`] or
/// [`of_client`]: the party filter narrows it, never widens it.
pub fn list(
    conn: &mut AnyConnection,
    scope: r::BoxedQuery<'static, Backend>,
    party: Option<Party<'_>>,
    page: &PageRequest,
) -> AppResult<Vec<ReleaseRow>> {
    let mut q = scope.select(ReleaseRow::as_select());
    match party {
        Some(Party::Couple(id)) => q = q.filter(r::couple_id.eq(id.to_string())),
        Some(Party::Client(id)) => {
            q = q.filter(r::id.eq_any(ra::table.filter(ra::client_id.eq(id.to_string())).select(ra::release_id)))
        }
        None => {}
    }
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q.filter(r::created_at.ge(at)).filter(r::created_at.gt(at).or(r::created_at.eq(at).and(r::id.gt(id))));
    }
    Ok(q.order((r::created_at.asc(), r::id.asc())).limit(page.fetch()).load(conn)?)
}

/// Records the client's authorization (their typed name, the time and the request's address);
/// false when they had already authorized.
pub fn authorize(
    conn: &mut AnyConnection,
    release_id: &str,
    client_id: &str,
    signed_name: &str,
    ip: Option<&str>,
) -> QueryResult<bool> {
    let n = diesel::update(
        ra::table
            .filter(ra::release_id.eq(release_id))
            .filter(ra::client_id.eq(client_id))
            .filter(ra::authorized_at.is_null()),
    )
    .set((ra::signed_name.eq(signed_name), ra::authorized_at.eq(now()), ra::ip.eq(ip)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Required authorizers who have not authorized yet.
pub fn unauthorized_count(conn: &mut AnyConnection, release_id: &str) -> QueryResult<i64> {
    ra::table.filter(ra::release_id.eq(release_id)).filter(ra::authorized_at.is_null()).count().get_result(conn)
}

/// A pending release takes a new authorization: its version moves, and it becomes
/// `authorized` when `complete`. Only while it is still pending at `version` and not expired
/// (`expires_on >= today`); false otherwise (a racing revoke, disclose or expiry won).
pub fn record_authorization(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    today: &str,
    complete: bool,
) -> QueryResult<bool> {
    let status = if complete { "authorized" } else { "pending" };
    let n = diesel::update(
        r::table
            .filter(r::id.eq(id))
            .filter(r::version.eq(version))
            .filter(r::status.eq("pending"))
            .filter(r::expires_on.ge(today)),
    )
    .set((r::status.eq(status), r::version.eq(version + 1), r::updated_at.eq(now())))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes a release that has not been disclosed (pending or authorized, at `version`); false
/// when a racing change won.
pub fn revoke(conn: &mut AnyConnection, id: &str, version: i64, by: &str) -> QueryResult<bool> {
    let at = now();
    let n = diesel::update(
        r::table
            .filter(r::id.eq(id))
            .filter(r::version.eq(version))
            .filter(r::status.eq_any(["pending", "authorized"])),
    )
    .set((
        r::status.eq("revoked"),
        r::revoked_by.eq(by),
        r::revoked_at.eq(at),
        r::version.eq(version + 1),
        r::updated_at.eq(at),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks an authorized, unexpired release (at `version`) disclosed at `at`; false when a racing
/// revoke (or an expiry) won.
pub fn mark_disclosed(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    today: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        r::table
            .filter(r::id.eq(id))
            .filter(r::version.eq(version))
            .filter(r::status.eq("authorized"))
            .filter(r::expires_on.ge(today)),
    )
    .set((r::status.eq("disclosed"), r::disclosed_at.eq(at), r::version.eq(version + 1), r::updated_at.eq(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Takes the release's row lock for the rest of the transaction (PostgreSQL; SQLite already
/// holds the write lock), so concurrent authorizations count each other.
pub fn lock(conn: &mut AnyConnection, id: &str) -> QueryResult<()> {
    diesel::update(r::table.filter(r::id.eq(id))).set(r::id.eq(r::id)).execute(conn).map(|_| ())
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = d)]
pub struct DisclosureRow {
    pub id: String,
    pub release_id: String,
    pub disclosed_at: NaiveDateTime,
    pub disclosed_by: String,
    pub recipient_name: String,
    pub recipient_organization: Option<String>,
    pub purpose: String,
    pub include: String,
    pub include_mediation_notes: bool,
    pub from_on: Option<String>,
    pub to_on: Option<String>,
}

/// Records a disclosure for the accounting: what the release said at that moment, and every
/// client whose records it carried.
pub fn record_disclosure(
    conn: &mut AnyConnection,
    id: &str,
    release: &ReleaseRow,
    disclosed_by: &str,
    at: NaiveDateTime,
    subjects: &[String],
) -> QueryResult<()> {
    diesel::insert_into(d::table)
        .values((
            d::id.eq(id),
            d::practice_id.eq(&release.practice_id),
            d::release_id.eq(&release.id),
            d::disclosed_at.eq(at),
            d::disclosed_by.eq(disclosed_by),
            d::recipient_name.eq(&release.recipient_name),
            d::recipient_organization.eq(&release.recipient_organization),
            d::purpose.eq(&release.purpose),
            d::include.eq(&release.include),
            d::include_mediation_notes.eq(release.include_mediation_notes),
            d::from_on.eq(&release.from_on),
            d::to_on.eq(&release.to_on),
        ))
        .execute(conn)?;
    for client_id in subjects {
        diesel::insert_into(ds::table)
            .values((
                ds::disclosure_id.eq(id),
                ds::client_id.eq(client_id),
                ds::practice_id.eq(&release.practice_id),
                ds::disclosed_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The accounting of disclosures of one client's records (every disclosure that carried them,
/// individual or as a partner), oldest first (disclosed_at, id), one page. The caller checks
/// first that they may see the client's clinical record.
/// The disclosures that carried the client's records, of releases the actor may read (the
/// accounting has the audience of releases: a counselor of one of the client's couples does not
/// see the client's individual releases).
pub fn accounting(
    conn: &mut AnyConnection,
    actor: &Actor,
    client_id: &str,
    page: &PageRequest,
) -> AppResult<Vec<DisclosureRow>> {
    let mut q = d::table
        .filter(d::practice_id.eq(actor.practice_id.to_string()))
        .filter(d::id.eq_any(ds::table.filter(ds::client_id.eq(client_id.to_string())).select(ds::disclosure_id)))
        .filter(
            d::release_id.eq_any(
                // `visible`, as a subquery (a boxed query cannot be one).
                r::table
                    .filter(
                        r::couple_id
                            .assume_not_null()
                            .eq_any(assigned_couples(actor.user_id.clone()))
                            .or(r::client_id.assume_not_null().eq_any(assigned_clients(actor.user_id.clone()))),
                    )
                    .select(r::id),
            ),
        )
        .select(DisclosureRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        let at = parse_ts_key(&after[0])?;
        let id = after[1].clone();
        q = q
            .filter(d::disclosed_at.ge(at))
            .filter(d::disclosed_at.gt(at).or(d::disclosed_at.eq(at).and(d::id.gt(id))));
    }
    Ok(q.order((d::disclosed_at.asc(), d::id.asc())).limit(page.fetch()).load(conn)?)
}

/// May the staff actor see this client's clinical records: assigned to the client directly, or
/// to a couple the client is a partner in (admins too: demographics alone are not enough)?
pub fn client_in_care(conn: &mut AnyConnection, actor: &Actor, client_id: &str) -> QueryResult<bool> {
    use crate::db::schema::clients as c;
    use crate::store::access::partners_of_assigned_couples;
    let in_practice: bool = diesel::select(diesel::dsl::exists(
        c::table.filter(c::id.eq(client_id.to_string())).filter(c::practice_id.eq(actor.practice_id.clone())),
    ))
    .get_result(conn)?;
    if !in_practice {
        return Ok(false);
    }
    let direct: bool = diesel::select(diesel::dsl::exists(
        assigned_clients(actor.user_id.clone())
            .filter(crate::db::schema::client_counselors::client_id.eq(client_id.to_string())),
    ))
    .get_result(conn)?;
    if direct {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        partners_of_assigned_couples(actor.user_id.clone())
            .filter(crate::db::schema::couple_partners::client_id.eq(client_id.to_string())),
    ))
    .get_result(conn)
}
