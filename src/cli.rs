//! The command line: `serve` (default), `migrate`, `create-admin`, `openapi`.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::auth::password::{hash_blocking, Passwords};
use crate::auth::tokens::TokenKeys;
use crate::config::{Config, LogFormat};
use crate::db::{self, new_id, write_tx, Db};
use crate::domain::{text, Role};
use crate::state::AppState;
use crate::store::{practices, users};

#[derive(Parser, Debug)]
#[command(
    name = "mend",
    version,
    about = "Mend: case management for counselors who help couples repair trust.",
    long_about = "Mend serves its JSON API on MEND_ADDR (default 127.0.0.1:8080).\n\n\
        With no settings it keeps its data in the SQLite file mend-data/mend.db, created on first \
        start. Set DATABASE_URL=postgres://USER@HOST/DB to use PostgreSQL (then MEND_JWT_SECRET, \
        at least 32 bytes, is required and must be the same on every instance).\n\n\
        First start: run `mend create-admin --practice \"Your Practice\" --email you@example.org`, \
        then `mend serve`, and open http://127.0.0.1:8080/docs."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run pending migrations, then serve the API (the default).
    Serve,
    /// Run pending database migrations and exit.
    Migrate,
    /// Create a practice and its first admin. The password comes from MEND_ADMIN_PASSWORD, else stdin.
    CreateAdmin {
        /// The practice's name, as staff will see it.
        #[arg(long)]
        practice: String,
        /// The admin's sign-in email.
        #[arg(long)]
        email: String,
        /// The admin's name as shown to colleagues (defaults to the email).
        #[arg(long)]
        display_name: Option<String>,
        /// The practice's IANA time zone.
        #[arg(long, default_value = "UTC")]
        timezone: String,
    },
    /// Print the OpenAPI document (the one committed as openapi/openapi.json).
    Openapi,
    /// The provable audit trail: keys, verification.
    #[command(subcommand)]
    Audit(crate::seal::cli::AuditCommand),
}

pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MEND_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Opens the pool and runs migrations.
pub fn open_db(config: &Config) -> Result<Db, String> {
    let pool = db::pool(&config.store, config.pool_size)?;
    let mut conn =
        pool.get().map_err(|e| format!("DATABASE_URL: cannot connect to the {} database: {e}", config.store.kind()))?;
    let applied = db::migrate(&mut conn).map_err(|e| format!("migrations failed: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    drop(conn);
    Db::new(pool, config.store.clone(), &crate::audit_batch::STATEMENT)
        .map_err(|e| format!("cannot start the audit writer: {e}"))
}

/// The server's shared state; `Err` when a key cannot be derived from `MEND_JWT_SECRET`.
pub fn state(config: Config, db: Db) -> Result<AppState, String> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    Ok(AppState {
        db,
        tokens: TokenKeys::new(&config.jwt_secret),
        passwords: Passwords::new(cores),
        sealing: crate::auth::sealed::SealKey::derive(&config.jwt_secret)?,
        config: Arc::new(config),
    })
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("mend: {message}");
    1
}

/// Runs the command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    if let Some(Command::Openapi) = cli.command {
        print!("{}", crate::openapi::document());
        return 0;
    }
    if let Some(Command::Audit(crate::seal::cli::AuditCommand::Keygen)) = cli.command {
        return crate::seal::cli::keygen();
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    init_logging(config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => match open_db(&config) {
            Ok(_) => {
                println!("mend: migrations are up to date ({})", config.store.kind());
                0
            }
            Err(e) => fail(e),
        },
        Command::CreateAdmin { practice, email, display_name, timezone } => {
            create_admin(&config, &practice, &email, display_name.as_deref(), &timezone)
        }
        Command::Openapi => 0,
        Command::Audit(command) => crate::seal::cli::run(&config, command),
    }
}

fn serve(config: Config) -> i32 {
    if let Some(path) = &config.generated_secret_at {
        tracing::info!(path = %path.display(), "MEND_JWT_SECRET is unset: using the generated secret kept in this file (owner-only)");
    }
    let db = match open_db(&config) {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    if let Ok(mut conn) = db.get() {
        if users::count_all(&mut conn).unwrap_or(1) == 0 {
            tracing::warn!(
                "no users yet: create the first admin with `mend create-admin --practice \"NAME\" --email EMAIL` \
                 (password from MEND_ADMIN_PASSWORD or stdin)"
            );
        }
    }
    let listener = match TcpListener::bind(config.addr) {
        Ok(l) => l,
        Err(e) => return fail(format!("MEND_ADDR: cannot listen on {}: {e}", config.addr)),
    };
    tracing::info!(addr = %config.addr, store = config.store.kind(), "mend is serving");
    if let Some(path) = &config.generated_audit_key_at {
        tracing::info!(path = %path.display(), "MEND_AUDIT_KEY is unset: signing audit checkpoints with the generated key kept in this file (owner-only)");
    }
    let webhooks = crate::webhooks::worker::start_for_serve(&db, &config);
    let mailer = crate::mail::start_for_serve(&db, &config);
    let sealer = crate::seal::start_for_serve(&db, &config);
    let state = match state(config, db) {
        Ok(s) => s,
        Err(e) => return fail(format!("MEND_JWT_SECRET: {e}")),
    };
    let result = actix_web::rt::System::new().block_on(async move {
        match crate::app::serve(listener, state, None) {
            Ok(server) => server.await,
            Err(e) => Err(e),
        }
    });
    // The server has stopped: the worker claims nothing more and finishes what is in flight.
    drop(webhooks);
    drop(mailer);
    drop(sealer);
    match result {
        Ok(()) => {
            tracing::info!("mend stopped");
            0
        }
        Err(e) => fail(e),
    }
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("MEND_ADMIN_PASSWORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("Password for the new admin (12 to 256 characters): ")
            .map_err(|e| e.to_string());
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn create_admin(config: &Config, practice: &str, email: &str, display_name: Option<&str>, timezone: &str) -> i32 {
    let email = match text::email("--email", email) {
        Ok(e) => e,
        Err(e) => return fail(format!("{} {}", e.field, e.message)),
    };
    if let Err(e) = text::required("--practice", practice, 200) {
        return fail(format!("{} {}", e.field, e.message));
    }
    if let Err(e) = crate::api::practice::update::check_timezone("--timezone", timezone) {
        return fail(format!("{} {}", e.field, e.message));
    }
    let password = match read_password() {
        Ok(p) => p,
        Err(e) => return fail(format!("cannot read the password: {e}")),
    };
    if let Err(e) = text::password("password", &password) {
        return fail(format!("the password {}", e.message));
    }
    let db = match open_db(config) {
        Ok(db) => db,
        Err(e) => return fail(e),
    };
    let hash = match hash_blocking(&password) {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    let mut conn = match db.get() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let practice_id = new_id();
    let user_id = new_id();
    let name = display_name.unwrap_or(&email).to_string();
    let result = write_tx(&mut conn, |conn| {
        if users::email_taken(conn, &email)? {
            return Ok(false);
        }
        practices::create(conn, &practice_id, practice.trim(), timezone)?;
        users::create(
            conn,
            &users::NewUser {
                id: &user_id,
                practice_id: &practice_id,
                email: &email,
                display_name: &name,
                role: Role::Admin,
                password_hash: Some(&hash),
                client_id: None,
            },
        )?;
        Ok::<_, diesel::result::Error>(true)
    });
    match result {
        Ok(true) => {
            println!("mend: created practice {practice_id} and admin {user_id}; sign in at POST /api/v1/auth/login");
            0
        }
        Ok(false) => fail("--email is already taken by another user"),
        Err(e) => fail(format!("could not create the admin: {e}")),
    }
}
