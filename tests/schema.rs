//! Schema invariants: both stores get the same logical schema from the migrations, every table of
//! personal or clinical data carries practice_id, every foreign key has an index.

mod common;

use std::collections::BTreeMap;

use common::*;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use diesel::{PgConnection, SqliteConnection};

/// table -> [(column, type, nullable)], sorted; plus FKs as "table.col -> other".
type Logical = (BTreeMap<String, Vec<(String, String, bool)>>, Vec<String>);

fn normalize(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "text" => "text",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "bigint" => "bigint",
        "integer" => "integer",
        "boolean" => "boolean",
        other => return other.to_string(),
    }
    .to_string()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteCol {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    type_: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteFk {
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Text)]
    from: String,
}

fn sqlite_schema(path: &str) -> (Logical, Vec<String>) {
    let mut c = SqliteConnection::establish(path).unwrap();
    // The app's connections (and its group-commit writer) may hold the file for a moment.
    diesel::connection::SimpleConnection::batch_execute(&mut c, "PRAGMA busy_timeout = 5000").unwrap();
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%' ORDER BY name",
    )
    .load(&mut c)
    .unwrap();
    let mut columns = BTreeMap::new();
    let mut fks = Vec::new();
    let mut unindexed = Vec::new();
    for t in tables {
        let cols: Vec<SqliteCol> = diesel::sql_query(format!(
            "SELECT name, type AS type_, \"notnull\", pk FROM pragma_table_info('{}')",
            t.name
        ))
        .load(&mut c)
        .unwrap();
        let mut list: Vec<(String, String, bool)> =
            cols.iter().map(|col| (col.name.clone(), normalize(&col.type_), col.notnull == 0 && col.pk == 0)).collect();
        list.sort();
        columns.insert(t.name.clone(), list);
        let foreign: Vec<SqliteFk> =
            diesel::sql_query(format!("SELECT \"table\", \"from\" FROM pragma_foreign_key_list('{}')", t.name))
                .load(&mut c)
                .unwrap();
        // First columns of every index (and of the primary key) of this table.
        let leading: Vec<Name> = diesel::sql_query(format!(
            "SELECT ii.name AS name FROM pragma_index_list('{0}') il, pragma_index_info(il.name) ii WHERE ii.seqno = 0",
            t.name
        ))
        .load(&mut c)
        .unwrap();
        let pk_first = cols.iter().find(|c| c.pk == 1).map(|c| c.name.clone());
        for fk in foreign {
            fks.push(format!("{}.{} -> {}", t.name, fk.from, fk.table));
            let indexed = leading.iter().any(|l| l.name == fk.from) || pk_first.as_deref() == Some(fk.from.as_str());
            if !indexed {
                unindexed.push(format!("{}.{}", t.name, fk.from));
            }
        }
    }
    fks.sort();
    ((columns, fks), unindexed)
}

#[derive(QueryableByName)]
struct PgCol {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Integer)]
    is_pk: i32,
}

#[derive(QueryableByName)]
struct PgFk {
    #[diesel(sql_type = Text)]
    fk: String,
}

fn pg_schema(url: &str) -> Logical {
    let mut c = PgConnection::establish(url).unwrap();
    let cols: Vec<PgCol> = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text,
                CASE WHEN EXISTS (SELECT 1 FROM information_schema.key_column_usage k
                                  JOIN information_schema.table_constraints tc ON tc.constraint_name = k.constraint_name
                                  WHERE tc.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name
                                    AND k.column_name = c.column_name) THEN 1 ELSE 0 END AS is_pk
         FROM information_schema.columns c
         WHERE c.table_schema = 'public' AND c.table_name NOT LIKE '__diesel%'",
    )
    .load(&mut c)
    .unwrap();
    let mut columns: BTreeMap<String, Vec<(String, String, bool)>> = BTreeMap::new();
    for col in cols {
        let nullable = col.is_nullable == "YES" && col.is_pk == 0;
        columns.entry(col.table_name).or_default().push((col.column_name, normalize(&col.data_type), nullable));
    }
    for list in columns.values_mut() {
        list.sort();
    }
    let fks: Vec<PgFk> = diesel::sql_query(
        "SELECT (kcu.table_name || '.' || kcu.column_name || ' -> ' || ccu.table_name)::text AS fk
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name
         JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'",
    )
    .load(&mut c)
    .unwrap();
    let mut fks: Vec<String> = fks.into_iter().map(|f| f.fk).collect();
    fks.sort();
    (columns, fks)
}

/// A migrated SQLite file, whatever store the suite runs on.
fn migrated_sqlite() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("mend-schema-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mend.db").display().to_string();
    let cfg = config(&format!("sqlite://{path}"), &[]);
    mend::cli::open_db(&cfg).unwrap();
    (dir, path)
}

#[test]
fn every_foreign_key_has_an_index_and_every_data_table_a_practice() {
    let (dir, path) = migrated_sqlite();
    let ((columns, _), unindexed) = sqlite_schema(&path);
    assert!(unindexed.is_empty(), "foreign keys without an index: {unindexed:?}");
    // Tables that hold no personal or clinical data of a practice.
    // The audit chain, its checkpoints and the sealer's lease are one for the whole deployment
    // (ids, hashes, signatures: no personal data); audit_subjects carries practice_id.
    let exempt =
        ["practices", "login_attempts", "idempotency_keys", "audit_chain", "audit_checkpoints", "audit_seal_lease"];
    for (table, cols) in &columns {
        if exempt.contains(&table.as_str()) {
            continue;
        }
        assert!(cols.iter().any(|(c, _, _)| c == "practice_id"), "{table} has no practice_id");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn both_stores_get_the_same_logical_schema() {
    let (dir, path) = migrated_sqlite();
    let (sqlite, _) = sqlite_schema(&path);
    assert!(sqlite.0.len() >= 20, "expected all tables");
    let _ = std::fs::remove_dir_all(dir);
    let Some(pg) = with_migrated_postgres("schema", pg_schema) else {
        eprintln!("note: no PostgreSQL reachable; compared the SQLite schema only (CI runs this against both)");
        return;
    };
    assert_eq!(sqlite.0.keys().collect::<Vec<_>>(), pg.0.keys().collect::<Vec<_>>(), "tables differ");
    for (table, cols) in &sqlite.0 {
        assert_eq!(Some(cols), pg.0.get(table), "columns of {table} differ");
    }
    assert_eq!(sqlite.1, pg.1, "foreign keys differ");
}

/// Every pooled connection gets its store's settings: on SQLite the pragmas (foreign keys,
/// WAL), on PostgreSQL generic plans for prepared statements (see `db::Manager::connect`).
#[tokio::test]
async fn pooled_connections_carry_their_store_settings() {
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = Text)]
        value: String,
    }
    let app = TestApp::spawn().await;
    let queries: Vec<(&str, &str)> = if is_postgres() {
        vec![("SELECT current_setting('plan_cache_mode') AS value", "force_generic_plan")]
    } else {
        vec![
            ("SELECT CAST(foreign_keys AS TEXT) AS value FROM pragma_foreign_keys", "1"),
            ("SELECT journal_mode AS value FROM pragma_journal_mode", "wal"),
        ]
    };
    for (query, expected) in queries {
        let q = query.to_string();
        let got = app.sql(move |c| diesel::sql_query(q).get_result::<Setting>(c).expect("setting").value).await;
        assert_eq!(got, expected, "{query}");
    }
}

/// On PostgreSQL every id (a text column `id` or `*_id`) compares byte by byte (collation "C",
/// the order SQLite's BINARY gives): a new id column added by a common migration needs a
/// PostgreSQL migration like `ids_collate_c`.
#[test]
fn postgres_ids_compare_byte_by_byte() {
    let Some((not_c, ids)) = with_migrated_postgres("collate", id_collations) else {
        eprintln!("note: no PostgreSQL reachable; CI runs this against PostgreSQL");
        return;
    };
    assert!(ids > 50, "expected the ids of every table, found {ids}");
    assert!(
        not_c.is_empty(),
        "id columns not in collation \"C\": {:?}",
        not_c.iter().map(|n| &n.name).collect::<Vec<_>>()
    );
}

/// The id columns of a migrated PostgreSQL database not in collation "C", and how many columns
/// are.
fn id_collations(url: &str) -> (Vec<Name>, i64) {
    let mut c = PgConnection::establish(url).unwrap();
    let not_c: Vec<Name> = diesel::sql_query(
        "SELECT (c.table_name || '.' || c.column_name || ' ' || COALESCE(c.collation_name, 'default'))::text AS name
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          AND t.table_type = 'BASE TABLE'
         WHERE c.table_schema = 'public' AND c.data_type = 'text'
           AND (c.column_name = 'id' OR c.column_name LIKE '%\\_id')
           AND COALESCE(c.collation_name, '') <> 'C'
         ORDER BY 1",
    )
    .load(&mut c)
    .unwrap();
    let ids: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND collation_name = 'C')",
    ))
    .get_result(&mut c)
    .unwrap();
    (not_c, ids)
}

/// Runs `f` on a freshly migrated PostgreSQL database (the one the suite runs on, or the local
/// server that CI starts), then drops it; `None` when no PostgreSQL is reachable (the suite then
/// runs on SQLite).
fn with_migrated_postgres<T>(label: &str, f: impl FnOnce(&str) -> T) -> Option<T> {
    use diesel::connection::SimpleConnection;
    let base = pg_base().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_string());
    let Ok(mut admin) = PgConnection::establish(&format!("{base}/postgres")) else {
        assert!(!is_postgres(), "MEND_TEST_DATABASE_URL is set but PostgreSQL is unreachable");
        return None;
    };
    let name = format!("mend_{label}_{}", uuid::Uuid::new_v4().simple());
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let url = format!("{base}/{name}");
    drop(mend::cli::open_db(&config(&url, &[])).unwrap());
    let out = f(&url);
    let _ = admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
    Some(out)
}
