//! Couples: two partners (clients) with counselors of their own. Every read goes through
//! `access::visible_couples`.

use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Nullable, Text};

use crate::db::schema::{clients, couple_counselors as kc, couple_partners as cp, couples as k, sessions as s};
use crate::db::{AnyConnection, MultiBackend as Backend};
use crate::domain::ids::{ClientId, CoupleId, PracticeId, UserId};
use crate::domain::value::{Concern, PastDate};
use crate::domain::Actor;
use crate::domain::CoupleStatus;
use crate::pagination::PageRequest;
use crate::store::access::{assignable_couples, couples_of_client, visible_clients, visible_couples};

diesel::define_sql_function! {
    /// `lower(text)`, as `store::clients` uses it for `?q=`.
    fn lower(x: Text) -> Text;
}

diesel::define_sql_function! {
    #[sql_name = "lower"]
    fn lower_nullable(x: Nullable<Text>) -> Nullable<Text>;
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = k)]
pub struct CoupleRow {
    pub id: CoupleId,
    pub practice_id: PracticeId,
    pub status: CoupleStatus,
    pub presenting_concern: Option<String>,
    pub relationship_started_on: Option<String>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// A new couple's row: checked values only (Lemmy's `InsertForm`). Its partners go in with it
/// ([`create`]: on the row and in `couple_partners`).
#[derive(Insertable)]
#[diesel(table_name = k, treat_none_as_default_value = false)]
pub struct NewCouple {
    pub id: CoupleId,
    pub practice_id: PracticeId,
    pub status: CoupleStatus,
    pub presenting_concern: Option<Concern>,
    pub relationship_started_on: Option<PastDate>,
    pub version: i64,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

/// One partner of a couple, in the order given at creation.
#[derive(Insertable)]
#[diesel(table_name = cp)]
struct NewPartner<'a> {
    couple_id: &'a CoupleId,
    client_id: &'a ClientId,
    practice_id: &'a PracticeId,
    position: i32,
}

#[tracing::instrument(skip_all, fields(couple.id = %new.id))]
pub fn create(conn: &mut AnyConnection, new: &NewCouple, partner_ids: &[ClientId; 2]) -> QueryResult<()> {
    let [a, b] = partner_ids;
    // The couple's row names its partners too (a page of couples reads their names by key).
    diesel::insert_into(k::table)
        .values((new, k::partner_a_id.eq(a.as_str()), k::partner_b_id.eq(b.as_str())))
        .execute(conn)?;
    for (position, client_id) in partner_ids.iter().enumerate() {
        let partner =
            NewPartner { couple_id: &new.id, client_id, practice_id: &new.practice_id, position: position as i32 };
        diesel::insert_into(cp::table).values(&partner).execute(conn)?;
    }
    Ok(())
}

/// How many of these clients the actor may see (a couple's partners must be visible to its
/// creator).
pub fn visible_client_count(conn: &mut AnyConnection, actor: &Actor, client_ids: &[ClientId]) -> QueryResult<i64> {
    visible_clients(actor).filter(clients::id.eq_any(client_ids)).count().get_result(conn)
}

/// Assigns a counselor to a couple (no-op when already assigned).
#[tracing::instrument(skip_all, fields(couple.id = %couple_id, counselor.id = %counselor_id))]
pub fn assign(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    couple_id: &CoupleId,
    counselor_id: &UserId,
) -> QueryResult<()> {
    hold(conn, couple_id)?;
    add_counselor(conn, practice_id, couple_id, counselor_id)?;
    copy_counselor_ids(conn, couple_id)
}

/// Replaces a couple's counselors.
#[tracing::instrument(skip_all, fields(couple.id = %couple_id))]
pub fn set_counselors(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    couple_id: &CoupleId,
    counselor_ids: &[UserId],
) -> QueryResult<()> {
    hold(conn, couple_id)?;
    diesel::delete(kc::table.filter(kc::couple_id.eq(couple_id))).execute(conn)?;
    for id in counselor_ids {
        add_counselor(conn, practice_id, couple_id, id)?;
    }
    copy_counselor_ids(conn, couple_id)
}

/// Holds the couple's row until the transaction ends (an update that changes nothing), so that
/// two changes of its counselors take turns: on PostgreSQL the second waits for the first to
/// commit, and its next statements see what the first wrote (SQLite has one writer at a time).
fn hold(conn: &mut AnyConnection, couple_id: &CoupleId) -> QueryResult<()> {
    diesel::update(k::table.filter(k::id.eq(couple_id))).set(k::counselor_ids.eq(k::counselor_ids)).execute(conn)?;
    Ok(())
}

fn add_counselor(
    conn: &mut AnyConnection,
    practice_id: &PracticeId,
    couple_id: &CoupleId,
    counselor_id: &UserId,
) -> QueryResult<()> {
    let exists: bool = diesel::select(diesel::dsl::exists(
        kc::table.filter(kc::couple_id.eq(couple_id)).filter(kc::counselor_id.eq(counselor_id)),
    ))
    .get_result(conn)?;
    if !exists {
        diesel::insert_into(kc::table)
            .values((kc::couple_id.eq(couple_id), kc::counselor_id.eq(counselor_id), kc::practice_id.eq(practice_id)))
            .execute(conn)?;
    }
    Ok(())
}

/// Rewrites the copy of the couple's counselors' ids on its row from couple_counselors (see the
/// migration `couple_counselor_ids`), in the transaction that changed them.
fn copy_counselor_ids(conn: &mut AnyConnection, couple_id: &CoupleId) -> QueryResult<()> {
    let ids = kc::table
        .filter(kc::couple_id.eq(couple_id))
        .select(crate::db::string_agg(kc::counselor_id, ","))
        .single_value();
    diesel::update(k::table.filter(k::id.eq(couple_id))).set(k::counselor_ids.eq(ids)).execute(conn)?;
    Ok(())
}

/// The couple, if the actor is assigned to it (`NotFound` otherwise: the caller's 404).
#[tracing::instrument(skip_all, fields(couple.id = %id))]
pub fn find_visible(conn: &mut AnyConnection, actor: &Actor, id: &CoupleId) -> QueryResult<CoupleRow> {
    visible_couples(actor).filter(k::id.eq(id)).select(CoupleRow::as_select()).first(conn)
}

/// The couple, if the actor may change its counselors (an admin of its practice), whether or
/// not the actor is assigned. Only for assignment changes: the row carries clinical content
/// that the caller must not show to an unassigned admin.
#[tracing::instrument(skip_all, fields(couple.id = %id))]
pub fn find_assignable(conn: &mut AnyConnection, actor: &Actor, id: &CoupleId) -> QueryResult<CoupleRow> {
    assignable_couples(actor).filter(k::id.eq(id)).select(CoupleRow::as_select()).first(conn)
}

#[derive(Default)]
pub struct ListFilter {
    pub status: Option<CoupleStatus>,
    /// Only couples this client is a partner of.
    pub client_id: Option<ClientId>,
    /// Text to find in either partner's first, last or preferred name, case-insensitively.
    pub q: Option<String>,
}

/// Couples the actor is assigned to, in creation order (by id); for an admin, every couple of
/// the practice (admins find couples to assign; the view shows an unassigned admin no clinical
/// content). One statement for the whole page, its partners' names, counselors and session
/// times included ([`CoupleListRow`]).
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    filter: &ListFilter,
    page: &PageRequest,
    now: chrono::NaiveDateTime,
) -> QueryResult<Vec<CoupleListRow>> {
    let after = page.after.as_ref().and_then(|key| key.first());
    select(conn, actor, filter, None, after, page.fetch(), now)
}

/// One couple with what its view shows, by the statement of a page ([`list`]) and in the same
/// scope: the couples the actor is assigned to; for an admin, every couple of the practice
/// (the view then decides what an unassigned admin sees). `NotFound` outside it.
pub fn find_with_extras(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &CoupleId,
    now: chrono::NaiveDateTime,
) -> QueryResult<CoupleListRow> {
    let mut rows = select(conn, actor, &ListFilter::default(), Some(id), None, 1, now)?;
    rows.pop().ok_or(diesel::result::Error::NotFound)
}

/// The statement of [`list`] and [`find_with_extras`]: up to `fetch` couples in the actor's
/// scope, by id, after `after`, only `only` when given.
fn select(
    conn: &mut AnyConnection,
    actor: &Actor,
    filter: &ListFilter,
    only: Option<&CoupleId>,
    after: Option<&String>,
    fetch: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<Vec<CoupleListRow>> {
    // The caller's own assignment by one join (the index on (counselor_id, practice_id,
    // couple_id) gives a counselor's couples in id order, so the page stops at its size); each
    // partner by one join of clients on the couple's own partner ids (a lookup in
    // couple_partners per partner cost a fifth of the statement); the counselors' ids from the
    // couple's own copy of them (aggregating couple_counselors per couple cost an eighth); session
    // times as correlated subselects. All from the query DSL, so the whole page stays one
    // prepared statement.
    let mine = diesel::alias!(kc as mine);
    let (c0, c1) = diesel::alias!(clients as c0, clients as c1);
    // Session times only of couples the caller is assigned to (an admin who finds a couple to
    // assign learns nothing of its sessions), by the rule of `store::session_times`.
    let assigned = || mine.field(kc::couple_id).nullable().is_not_null();
    // The latest and the earliest by the (couple_id, starts_at) indexes, stopping at the first
    // that counts: a MAX would read every session of the couple (100,000 for the bench's
    // largest couple).
    let last = s::table
        .filter(s::couple_id.eq(k::id.nullable()))
        .filter(s::starts_at.le(now))
        .filter(s::status.ne("cancelled"))
        .filter(assigned())
        .select(s::starts_at)
        .order(s::starts_at.desc())
        .limit(1)
        .single_value();
    let next = s::table
        .filter(s::couple_id.eq(k::id.nullable()))
        .filter(s::starts_at.gt(now))
        .filter(s::status.eq("scheduled"))
        .filter(assigned())
        .select(s::starts_at)
        .order(s::starts_at.asc())
        .limit(1)
        .single_value();
    let joined = k::table
        .left_join(
            mine.on(mine
                .field(kc::couple_id)
                .eq(k::id)
                .and(mine.field(kc::counselor_id).eq(actor.user_id.clone()))
                .and(mine.field(kc::practice_id).eq(actor.practice_id.clone()))),
        )
        .left_join(c0.on(c0.field(clients::id).nullable().eq(k::partner_a_id)))
        .left_join(c1.on(c1.field(clients::id).nullable().eq(k::partner_b_id)))
        .filter(k::practice_id.eq(actor.practice_id.clone()))
        .select((
            CoupleRow::as_select(),
            k::counselor_ids,
            (
                c0.field(clients::id).nullable(),
                c0.field(clients::first_name).nullable(),
                c0.field(clients::last_name).nullable(),
                c0.field(clients::preferred_name).nullable(),
            ),
            (
                c1.field(clients::id).nullable(),
                c1.field(clients::first_name).nullable(),
                c1.field(clients::last_name).nullable(),
                c1.field(clients::preferred_name).nullable(),
            ),
            last,
            next,
        ))
        .into_boxed();
    // The scope of `access::assignable_couples` for an admin (every couple of the practice), of
    // `access::visible_couples` for anyone else (the couples they are assigned to).
    // (PostgreSQL makes the assignment's join an inner one, and reads the caseload's index.)
    let mut q = if actor.is_admin() { joined } else { joined.filter(assigned()) };
    if let Some(text) = &filter.q {
        // Either partner's name, by the rule of `GET /clients?q=` (`store::clients::list`).
        use crate::store::clients::contains_pattern;
        let pattern = contains_pattern(text);
        let named = clients::table
            .filter(clients::practice_id.eq(actor.practice_id.clone()))
            .filter(
                lower(clients::first_name)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(clients::last_name).like(lower(pattern.clone())).escape('\\'))
                    .or(lower_nullable(clients::preferred_name)
                        .like(lower_nullable(pattern.into_sql::<Nullable<Text>>()))
                        .escape('\\')
                        .assume_not_null()),
            )
            .select(clients::id);
        q = q.filter(k::id.eq_any(cp::table.filter(cp::client_id.eq_any(named)).select(cp::couple_id)));
    }
    if let Some(status) = filter.status {
        q = q.filter(k::status.eq(status));
    }
    if let Some(client_id) = &filter.client_id {
        q = q.filter(k::id.eq_any(couples_of_client(client_id.clone())));
    }
    if let Some(id) = only {
        q = q.filter(k::id.eq(id.clone()));
    }
    if let Some(after) = after {
        q = q.filter(k::id.gt(after.clone()));
    }
    let q = q.order(k::id.asc()).limit(fetch);
    // Without a filter, the text of the statement depends only on the caller's role and whether
    // a cursor is given: those shapes are kept by type in the connection's statement cache (see
    // [`Fixed`]); any other is looked up by its text.
    let plain = filter.q.is_none() && filter.status.is_none() && filter.client_id.is_none() && only.is_none();
    match (plain, actor.is_admin(), after.is_some()) {
        (true, false, false) => Fixed::<0, _>(q).load(conn),
        (true, false, true) => Fixed::<1, _>(q).load(conn),
        (true, true, false) => Fixed::<2, _>(q).load(conn),
        (true, true, true) => Fixed::<3, _>(q).load(conn),
        (false, _, _) => q.load(conn),
    }
}

/// A boxed statement whose text is the same every time it is built with the same `SHAPE`, so
/// that it can be cached by type, and its text written out once per process. Diesel finds a
/// statement with a static query id in the connection's statement cache without writing out its
/// SQL; and the statement's text, which a connection to either store writes out twice for every
/// run (to collect the binds and to learn whether it may be cached), is written out once per shape
/// and store, then copied. Writing it out was a seventh of Mend's CPU for a page of couples, then a
/// tenth (profiled on the benchmark's database). Two different texts must never share a `SHAPE`:
/// debug builds (every test) compare the kept text with a fresh one on each run.
struct Fixed<const SHAPE: u8, Q>(Q);

impl<const SHAPE: u8, Q> QueryId for Fixed<SHAPE, Q> {
    type QueryId = Fixed<SHAPE, ()>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

/// The query builder of a connection to either store.
type AnyQueryBuilder = <Backend as diesel::backend::Backend>::QueryBuilder;

/// The kept texts of [`Fixed`]: one per shape and store.
static FIXED_TEXTS: [std::sync::OnceLock<String>; 8] = [const { std::sync::OnceLock::new() }; 8];

impl<const SHAPE: u8, Q: QueryFragment<Backend>> Fixed<SHAPE, Q> {
    /// The statement's text, written out afresh.
    fn text(&self, backend: &Backend) -> QueryResult<String> {
        let mut own = match backend {
            Backend::Postgresql(_) => AnyQueryBuilder::Postgresql(Default::default()),
            Backend::Sqlite(_) => AnyQueryBuilder::Sqlite(Default::default()),
        };
        self.0.to_sql(&mut own, backend)?;
        Ok(diesel::query_builder::QueryBuilder::finish(own))
    }
}

impl<const SHAPE: u8, Q: QueryFragment<Backend>> QueryFragment<Backend> for Fixed<SHAPE, Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn to_sql(&self, out: &mut AnyQueryBuilder, backend: &Backend) -> QueryResult<()> {
        const { assert!(SHAPE < 4, "a Fixed shape has two slots (one per store) of FIXED_TEXTS") };
        let sqlite = matches!(backend, Backend::Sqlite(_));
        let slot = &FIXED_TEXTS[usize::from(SHAPE) * 2 + usize::from(sqlite)];
        let kept = match slot.get() {
            Some(text) => text,
            None => {
                let text = self.text(backend)?;
                slot.get_or_init(|| text)
            }
        };
        debug_assert_eq!(*kept, self.text(backend)?, "two texts share the Fixed shape {SHAPE}");
        diesel::query_builder::QueryBuilder::push_sql(out, kept);
        Ok(())
    }
}

impl<const SHAPE: u8, Q: Query> Query for Fixed<SHAPE, Q> {
    type SqlType = Q::SqlType;
}

impl<const SHAPE: u8, Q, C> RunQueryDsl<C> for Fixed<SHAPE, Q> {}

/// A partner's id and names as a page of couples reads them (NULL only if the couple had no
/// partner at that position, which creation never allows).
pub type PartnerColumns = (Option<ClientId>, Option<String>, Option<String>, Option<String>);

/// One couple of a page with what its list item shows: the row, its counselors' ids (`a,b`, in no
/// order), its two partners, and the last and next session times (only when the caller is
/// assigned).
pub type CoupleListRow = (
    CoupleRow,
    Option<String>,
    PartnerColumns,
    PartnerColumns,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);

/// The whole new state of a couple's own fields (checked, merged with the current one), with
/// the version it moves to (Lemmy's `UpdateForm`).
#[derive(AsChangeset)]
#[diesel(table_name = k, treat_none_as_null = true)]
pub struct CoupleChanges {
    pub status: CoupleStatus,
    pub presenting_concern: Option<Concern>,
    pub relationship_started_on: Option<PastDate>,
    pub version: i64,
    pub updated_at: chrono::NaiveDateTime,
}

/// Writes the couple if it is still at `version` (the changes carry `version + 1`); false when
/// a concurrent write won.
#[tracing::instrument(skip_all, fields(couple.id = %id))]
pub fn update(conn: &mut AnyConnection, id: &CoupleId, version: i64, changes: &CoupleChanges) -> QueryResult<bool> {
    let n = diesel::update(k::table.filter(k::id.eq(id)).filter(k::version.eq(version))).set(changes).execute(conn)?;
    Ok(n == 1)
}

/// Partner ids of many couples at once, in partner order.
pub fn partner_ids(conn: &mut AnyConnection, couple_ids: &[CoupleId]) -> QueryResult<Vec<(CoupleId, ClientId)>> {
    cp::table
        .filter(cp::couple_id.eq_any(couple_ids))
        .select((cp::couple_id, cp::client_id))
        .order((cp::couple_id, cp::position))
        .load(conn)
}

/// The partners of one couple, in partner order.
#[tracing::instrument(skip_all, fields(couple.id = %couple_id))]
pub fn partners(conn: &mut AnyConnection, couple_id: &CoupleId) -> QueryResult<Vec<ClientId>> {
    cp::table.filter(cp::couple_id.eq(couple_id)).select(cp::client_id).order(cp::position).load(conn)
}

/// The partners of one couple as text, for the boundaries area until it takes typed ids
/// (it compares them with the text ids of its requests).
pub fn partners_of(conn: &mut AnyConnection, couple_id: &str) -> QueryResult<Vec<String>> {
    cp::table.filter(cp::couple_id.eq(couple_id)).select(cp::client_id).order(cp::position).load(conn)
}

/// Groups `(key, value)` pairs (sorted by key) into a lookup.
pub fn group<K: std::hash::Hash + Eq, V>(pairs: Vec<(K, V)>) -> std::collections::HashMap<K, Vec<V>> {
    let mut map: std::collections::HashMap<K, Vec<V>> = std::collections::HashMap::new();
    for (k, v) in pairs {
        map.entry(k).or_default().push(v);
    }
    map
}
