//! The couple's confidentiality policy: append-only versions, and each partner's signature of
//! one version. Staff reach a couple's policy only through `access::assigned_couples`, a portal
//! client only through `access::couples_of_client`. Nothing here updates or deletes a row: a
//! change is a new version, and old versions keep their signatures.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    confidentiality_policies as cp, couple_partners as partners, couples, policy_signatures as ps,
};
use crate::db::{new_id, now, AnyConnection, MultiBackend as Backend};
use crate::domain::consent::{sha256_hex, PolicyKind};
use crate::domain::Actor;
use crate::pagination::PageRequest;
use crate::problem::AppResult;
use crate::store::access::{assigned_couples, couples_of_client};

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = cp)]
pub struct PolicyRow {
    pub id: String,
    pub practice_id: String,
    pub couple_id: String,
    pub version: i64,
    pub kind: PolicyKind,
    pub text: String,
    pub text_sha256: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = ps)]
pub struct SignatureRow {
    pub policy_id: String,
    pub client_id: String,
    pub version: i64,
    pub signed_name: String,
    pub signed_at: NaiveDateTime,
    pub text_sha256: String,
}

/// Policy versions of couples the staff actor is assigned to.
fn visible(actor: &Actor) -> cp::BoxedQuery<'static, Backend> {
    cp::table
        .filter(cp::practice_id.eq(actor.practice_id.clone()))
        .filter(cp::couple_id.eq_any(assigned_couples(actor.user_id.clone())))
        .into_boxed()
}

/// Policy versions of couples the portal client belongs to; None for staff.
fn of_client(actor: &Actor) -> Option<cp::BoxedQuery<'static, Backend>> {
    let client_id = actor.client_id.clone()?;
    Some(
        cp::table
            .filter(cp::practice_id.eq(actor.practice_id.clone()))
            .filter(cp::couple_id.eq_any(couples_of_client(client_id)))
            .into_boxed(),
    )
}

fn latest(
    conn: &mut AnyConnection,
    scope: cp::BoxedQuery<'static, Backend>,
    couple_id: &str,
) -> QueryResult<Option<PolicyRow>> {
    scope
        .filter(cp::couple_id.eq(couple_id.to_string()))
        .select(PolicyRow::as_select())
        .order(cp::version.desc())
        .first(conn)
        .optional()
}

/// The current version of the couple's policy, for staff assigned to the couple.
pub fn current_visible(conn: &mut AnyConnection, actor: &Actor, couple_id: &str) -> QueryResult<Option<PolicyRow>> {
    latest(conn, visible(actor), couple_id)
}

/// The current version of the couple's policy, for a partner of the couple.
pub fn current_for_client(conn: &mut AnyConnection, actor: &Actor, couple_id: &str) -> QueryResult<Option<PolicyRow>> {
    let Some(scope) = of_client(actor) else { return Ok(None) };
    latest(conn, scope, couple_id)
}

/// Is the portal client a partner of this couple (in their practice)?
pub fn is_partner(conn: &mut AnyConnection, actor: &Actor, couple_id: &str) -> QueryResult<bool> {
    let Some(client_id) = actor.client_id.clone() else { return Ok(false) };
    diesel::select(diesel::dsl::exists(
        partners::table
            .filter(partners::couple_id.eq(couple_id.to_string()))
            .filter(partners::client_id.eq(client_id))
            .filter(partners::practice_id.eq(actor.practice_id.clone())),
    ))
    .get_result(conn)
}

/// Appends a new version (the previous one's number + 1) and returns it.
pub fn add_version(
    conn: &mut AnyConnection,
    practice_id: &str,
    couple_id: &str,
    previous: Option<i64>,
    kind: PolicyKind,
    text: &str,
    created_by: &str,
) -> QueryResult<PolicyRow> {
    let row = PolicyRow {
        id: new_id(),
        practice_id: practice_id.to_string(),
        couple_id: couple_id.to_string(),
        version: previous.unwrap_or(0) + 1,
        kind,
        text: text.to_string(),
        text_sha256: sha256_hex(text),
        created_by: created_by.to_string(),
        created_at: now(),
    };
    diesel::insert_into(cp::table)
        .values((
            cp::id.eq(&row.id),
            cp::practice_id.eq(&row.practice_id),
            cp::couple_id.eq(&row.couple_id),
            cp::version.eq(row.version),
            cp::kind.eq(&row.kind),
            cp::text.eq(&row.text),
            cp::text_sha256.eq(&row.text_sha256),
            cp::created_by.eq(&row.created_by),
            cp::created_at.eq(row.created_at),
        ))
        .execute(conn)?;
    Ok(row)
}

/// Signatures of one version, earliest first.
pub fn signatures(conn: &mut AnyConnection, policy_id: &str) -> QueryResult<Vec<SignatureRow>> {
    ps::table
        .filter(ps::policy_id.eq(policy_id.to_string()))
        .select(SignatureRow::as_select())
        .order((ps::signed_at.asc(), ps::client_id.asc()))
        .load(conn)
}

/// Signatures of many versions by one client (one query for a page).
pub fn signatures_by(
    conn: &mut AnyConnection,
    policy_ids: &[String],
    client_id: &str,
) -> QueryResult<Vec<SignatureRow>> {
    ps::table
        .filter(ps::policy_id.eq_any(policy_ids))
        .filter(ps::client_id.eq(client_id.to_string()))
        .select(SignatureRow::as_select())
        .load(conn)
}

/// Records the client's signature of this version: the typed name, the time, the request's
/// address and the SHA-256 of the exact text signed. Signing the same version again keeps the
/// first signature.
pub fn sign(
    conn: &mut AnyConnection,
    policy: &PolicyRow,
    client_id: &str,
    signed_name: &str,
    ip: Option<&str>,
) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        ps::table.filter(ps::policy_id.eq(&policy.id)).filter(ps::client_id.eq(client_id)),
    ))
    .get_result(conn)?;
    if exists {
        return Ok(());
    }
    diesel::insert_into(ps::table)
        .values((
            ps::policy_id.eq(&policy.id),
            ps::client_id.eq(client_id),
            ps::practice_id.eq(&policy.practice_id),
            ps::version.eq(policy.version),
            ps::signed_name.eq(signed_name),
            ps::signed_at.eq(now()),
            ps::ip.eq(ip),
            ps::text_sha256.eq(sha256_hex(&policy.text)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Serializes policy changes and signatures of one couple for the rest of the transaction (a
/// row lock on PostgreSQL; SQLite already holds the write lock in a `write_tx`), so a
/// signature always lands on the version that is current when it commits.
pub fn lock_couple(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<()> {
    diesel::update(couples::table.filter(couples::id.eq(couple_id))).set(couples::id.eq(couples::id)).execute(conn)?;
    Ok(())
}

/// The current policy of each of the portal client's couples that has one, ordered by couple
/// id (keyset), one page.
pub fn current_of_client(conn: &mut AnyConnection, actor: &Actor, page: &PageRequest) -> AppResult<Vec<PolicyRow>> {
    let Some(scope) = of_client(actor) else { return Ok(Vec::new()) };
    let mut q = scope.select(cp::couple_id).distinct();
    if let Some(after) = &page.after {
        q = q.filter(cp::couple_id.gt(after[0].clone()));
    }
    let couple_ids: Vec<String> = q.order(cp::couple_id.asc()).limit(page.fetch()).load(conn)?;
    let mut rows = Vec::with_capacity(couple_ids.len());
    for couple_id in couple_ids {
        if let Some(row) = current_for_client(conn, actor, &couple_id)? {
            rows.push(row);
        }
    }
    Ok(rows)
}
