//! The database: one connection type for PostgreSQL and SQLite, the pool, and migrations.
//!
//! Every query in Mend is written once against [`AnyConnection`]; the few places where the two
//! stores need different SQL live in this module and nowhere else. It knows nothing of callers or
//! their rights: `Db::run_as`, which checks the caller is still live, lives in `auth::actor`.

pub mod group;
pub mod schema;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// A connection to either store, chosen at run time by `DATABASE_URL`.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// A pooled connection that remembers when it lost its server, so the pool drops it instead
/// of handing it out again (PostgreSQL connections do not reconnect by themselves).
pub struct Conn {
    inner: AnyConnection,
    lost: bool,
}

impl Conn {
    /// This connection lost its server: the pool drops it instead of handing it out again.
    pub fn mark_lost(&mut self) {
        self.lost = true;
    }
}

impl std::ops::Deref for Conn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConnection = r2d2::PooledConnection<Manager>;

const COMMON: EmbeddedMigrations = embed_migrations!("migrations/common");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Store {
    Postgres(String),
    /// A file path (never `:memory:`: a pool would give each connection its own database).
    Sqlite(String),
}

impl Store {
    pub fn parse(url: &str) -> Result<Store, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Store::Postgres(url.to_string()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() || path == ":memory:" {
            return Err("needs a file path for SQLite (an in-memory database cannot be pooled)".into());
        }
        if path.contains("://") {
            return Err("uses an unknown scheme: use postgres://, postgresql:// or sqlite://PATH".into());
        }
        Ok(Store::Sqlite(path.to_string()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Store::Postgres(_))
    }

    /// Backend name for logs; never the URL, which may carry a password.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Postgres(_) => "postgresql",
            Store::Sqlite(_) => "sqlite",
        }
    }
}

/// An r2d2 manager that picks the backend by URL and keeps the real connection error
/// (the derived `establish` reports every failure as an invalid URL).
#[derive(Clone, Debug)]
pub struct Manager {
    store: Store,
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Conn, r2d2::Error> {
        let inner = match &self.store {
            Store::Postgres(url) => {
                let mut conn = PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                // Mend prepares each statement once per connection and finds rows by key. With
                // the default (`auto`), PostgreSQL re-plans a prepared statement on every run
                // whenever its generic plan looks costlier than a custom one, which is always so
                // for `col = ANY($1)`: ~100 µs of planning per statement, where a generic plan
                // for a key lookup is the right one. Measured with tests/bench: (a) +20 %,
                // (d) +50 % requests/s; plans checked with EXPLAIN on the 1M-session database.
                // And no JIT: a generic plan cannot see a LIMIT's value, so a page's plan (the
                // worklist's UNION ALL, a page of couples) is estimated over `jit_above_cost`, and
                // PostgreSQL then compiled it on every run: 130 ms of JIT around the worklist's 2 ms
                // statement on the bench database (auto_explain). Mend's statements are short reads
                // and writes by key, where JIT never pays.
                conn.batch_execute("SET plan_cache_mode = force_generic_plan; SET jit = off")
                    .map_err(r2d2::Error::QueryError)?;
                AnyConnection::Postgresql(conn)
            }
            Store::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // busy_timeout first, so that the others wait instead of failing on a busy file.
                // WAL is a property of the file, set once by `pool` before any pooled connection
                // exists (see `sqlite_wal`), never here: these pragmas take no lock.
                for pragma in SQLITE_PRAGMAS {
                    conn.batch_execute(pragma).map_err(r2d2::Error::QueryError)?;
                }
                AnyConnection::Sqlite(conn)
            }
        };
        Ok(Conn { inner, lost: false })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), r2d2::Error> {
        conn.inner.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.lost || conn.inner.is_broken()
    }
}

const SQLITE_PRAGMAS: [&str; 3] =
    ["PRAGMA busy_timeout = 5000", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"];

/// Puts the SQLite file in WAL mode on one connection, before the pool opens others. Switching a
/// file to WAL needs an exclusive lock, and SQLite refuses it at once ("database is locked"),
/// without waiting on the busy timeout, when another connection is switching at the same moment:
/// on a fresh file the pool's background connection (min_idle) and the migration connection used
/// to race on it, and r2d2 logged an ERROR on a new user's first start.
fn sqlite_wal(path: &str) -> Result<(), String> {
    let mut conn = SqliteConnection::establish(path).map_err(|e| format!("cannot open {path}: {e}"))?;
    conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL")
        .map_err(|e| format!("cannot set WAL mode on {path}: {e}"))
}

/// Pool settings measured on 2 cores (see STACK.md): a small pool, no test on checkout,
/// and a short checkout timeout so a dead database answers 503 at once instead of hanging.
pub fn pool(store: &Store, size: u32) -> Result<Pool, String> {
    if let Store::Sqlite(path) = store {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        sqlite_wal(path)?;
    }
    Ok(r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_millis(1500))
        .build_unchecked(Manager { store: store.clone() }))
}

/// Runs every pending migration: the portable set, then the set for this backend.
pub fn migrate(conn: &mut AnyConnection) -> Result<usize, String> {
    let mut applied = conn.run_pending_migrations(COMMON).map_err(|e| e.to_string())?.len();
    let specific = match conn {
        AnyConnection::Postgresql(_) => POSTGRES,
        AnyConnection::Sqlite(_) => SQLITE,
    };
    applied += conn.run_pending_migrations(specific).map_err(|e| e.to_string())?.len();
    Ok(applied)
}

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, so concurrent writers wait
/// on the busy timeout instead of failing when a read lock cannot be upgraded; on PostgreSQL it
/// is an ordinary transaction. Nested calls inside `f` become savepoints.
pub fn write_tx<T, E>(conn: &mut AnyConnection, f: impl FnOnce(&mut AnyConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let sqlite_top_level = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth()?.is_none()
        }
        AnyConnection::Postgresql(_) => false,
    };
    if !sqlite_top_level {
        return conn.transaction(f);
    }
    if let AnyConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let AnyConnection::Sqlite(c) = conn {
        match &result {
            Ok(_) => {
                if let Err(e) = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(c)
                {
                    let _ = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(c);
                    return Err(e.into());
                }
            }
            Err(_) => {
                <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(c)?;
            }
        }
    }
    result
}

/// Takes a write lock on the practice row for the rest of the transaction (PostgreSQL row lock;
/// SQLite already holds the database write lock in a [`write_tx`]). Used where a rule spans
/// several rows, such as "a practice keeps at least one active admin".
pub fn lock_practice(conn: &mut AnyConnection, practice_id: &str) -> diesel::QueryResult<()> {
    use diesel::prelude::*;
    use schema::practices::dsl as p;
    diesel::update(p::practices.filter(p::id.eq(practice_id))).set(p::id.eq(p::id)).execute(conn).map(|_| ())
}

/// Group-commit writers on PostgreSQL: while one batch waits for its WAL flush, the next is
/// written (tests/bench: one writer made the audited read wait on one commit at a time).
pub const PG_WRITERS: usize = 2;

/// The pool, shared by every handler. Blocking diesel work runs on actix's blocking threads,
/// never on the async workers.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    store: Store,
    group: group::GroupCommit,
}

impl Db {
    /// The pool, and the instance's group-commit writers (see [`group`]): one on SQLite (one
    /// write lock), [`PG_WRITERS`] on PostgreSQL.
    /// `statement` writes a batch (the caller's: `audit_batch::STATEMENT`).
    pub fn new(pool: Pool, store: Store, statement: &'static group::Statement) -> std::io::Result<Db> {
        let writers = match store {
            Store::Sqlite(_) => 1,
            _ => PG_WRITERS,
        };
        let group = group::GroupCommit::start(pool.clone(), writers, statement)?;
        Ok(Db { pool, store, group })
    }

    /// The writers that group-commit the audit events of reads and denials (`audit_batch`).
    pub fn group_commit(&self) -> &group::GroupCommit {
        &self.group
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `f` with a pooled connection on a blocking thread, in the caller's span.
    pub async fn run<T, F>(&self, f: F) -> Result<T, crate::problem::AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, crate::problem::AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let span = tracing::Span::current();
        actix_web::web::block(move || {
            let _entered = span.enter();
            let mut conn = pool.get().map_err(|_| crate::problem::AppError::database_unavailable())?;
            let result = f(&mut conn.inner);
            if let Err(crate::problem::AppError::Unavailable { .. }) = &result {
                // The server went away (or the file is locked): never reuse this connection.
                conn.lost = true;
            }
            result
        })
        .await
        .map_err(crate::problem::AppError::internal)?
    }

    /// A connection for command-line work (migrations, create-admin).
    pub fn get(&self) -> Result<PooledConnection, r2d2::Error> {
        self.pool.get().map_err(|e| r2d2::Error::ConnectionError(diesel::ConnectionError::BadConnection(e.to_string())))
    }
}

/// A timestamp as text in the form both stores read back as a `Timestamp` (diesel's own for
/// SQLite, which keeps timestamps as text), for values passed inside JSON.
pub fn timestamp_text(at: chrono::NaiveDateTime) -> String {
    at.format("%F %T%.f").to_string()
}

/// Now, truncated to microseconds so it round-trips exactly on both stores.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    use chrono::Timelike;
    now.with_nanosecond(now.nanosecond() / 1000 * 1000).unwrap_or(now)
}

/// A new id: UUIDv7 keeps indexes in insertion order.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

diesel::define_sql_function! {
    /// `string_agg(text, delimiter)`, the same aggregate on PostgreSQL and on the bundled SQLite
    /// (3.44+); NULL over no rows. In no particular order: callers sort what they split.
    #[aggregate]
    fn string_agg(expr: diesel::sql_types::Text, delimiter: diesel::sql_types::Text) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_types::Text;
    use diesel::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct JournalMode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }

    fn fresh() -> (std::path::PathBuf, Store) {
        let dir = std::env::temp_dir().join(format!("mend-wal-{}", new_id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("mend.db").display().to_string();
        (dir, Store::Sqlite(path))
    }

    /// Connections opened all at once on a fresh file, as the pool and the migration do on a
    /// first start: none fails with "database is locked" (each used to race to switch the file
    /// to WAL, and SQLite refuses the loser at once, busy timeout or not).
    #[test]
    fn connections_opened_at_once_on_a_fresh_file_never_fail() {
        for round in 0..100 {
            let (dir, store) = fresh();
            let manager = Manager { store };
            let start = std::sync::Arc::new(std::sync::Barrier::new(8));
            let threads: Vec<_> = (0..8)
                .map(|_| {
                    let (manager, start) = (manager.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        manager.connect().map(|_| ()).map_err(|e| e.to_string())
                    })
                })
                .collect();
            let results: Vec<_> = threads.into_iter().map(|t| t.join().expect("thread")).collect();
            let _ = std::fs::remove_dir_all(&dir);
            for r in results {
                assert_eq!(r, Ok(()), "round {round}");
            }
        }
    }

    /// The file is in WAL mode before the pool hands out its first connection.
    #[test]
    fn the_pool_puts_a_fresh_file_in_wal_mode() {
        let (dir, store) = fresh();
        let pool = pool(&store, 2).expect("pool");
        let mut conn = pool.get().expect("connection");
        let mode: JournalMode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut conn.inner).expect("mode");
        drop((conn, pool));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(mode.journal_mode, "wal");
    }
}
