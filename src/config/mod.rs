//! Configuration from the environment, validated once at start. A bad value stops the server
//! with one line that names the variable.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub mod mail;

use crate::db::Store;
use crate::domain::signed_note::{AuditKey, VerifierKey};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://mend-data/mend.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The origin (and key name) of the audit checkpoints unless `MEND_AUDIT_ORIGIN` says otherwise.
pub const DEFAULT_AUDIT_ORIGIN: &str = "mend.local/audit";

/// A secret whose `Debug` never prints it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub store: Store,
    pub jwt_secret: Secret,
    /// Login attempts a minute from one address; 0 turns the limit off.
    pub login_limit_per_ip: u32,
    pub log_format: LogFormat,
    pub pool_size: u32,
    /// Requests handled at once by one instance; more wait up to a second, then get 503.
    pub max_in_flight: usize,
    /// Origins allowed by CORS; empty means CORS stays off.
    pub cors_origins: Vec<String>,
    /// Where the generated secret was written, when it was generated (for the start-up log).
    pub generated_secret_at: Option<PathBuf>,
    /// `MEND_WEBHOOK_ALLOW_INSECURE=1`: webhooks may use `http://` and private addresses
    /// (development and tests only).
    pub webhook_allow_insecure: bool,
    /// `MEND_WEBHOOK_RETRY_BASE_MS`: every retry waits this long instead of the schedule (tests).
    pub webhook_retry_ms: Option<u64>,
    /// `MEND_AUDIT_KEY`: signs the audit trail's checkpoints (named `MEND_AUDIT_ORIGIN`).
    pub audit_key: AuditKey,
    /// `MEND_AUDIT_VERIFIER_KEYS`: earlier keys' public halves, so checkpoints signed before a
    /// key rotation still verify.
    pub audit_verifier_keys: Vec<VerifierKey>,
    /// Where the generated audit key was written, when it was generated (for the start-up log).
    pub generated_audit_key_at: Option<PathBuf>,
    /// `MEND_MAIL_URL` and friends; `None`: mail is off (invites answer their token).
    pub mail: Option<mail::MailConfig>,
    /// `MEND_MAIL_RETRY_BASE_MS`: every retry of a failed send waits this long instead of the
    /// schedule (tests).
    pub mail_retry_ms: Option<u64>,
}

/// A configuration error: the variable and what is wrong with it.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.variable, self.problem)
    }
}

fn err(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { variable, problem: problem.into() }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads configuration through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let addr_raw = get("MEND_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr: SocketAddr = addr_raw
            .parse()
            .map_err(|_| err("MEND_ADDR", format!("must be HOST:PORT with an IP address, such as {DEFAULT_ADDR}")))?;

        let url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let store = Store::parse(&url).map_err(|p| err("DATABASE_URL", p))?;

        let login_limit_per_ip = match get("MEND_LOGIN_LIMIT_PER_IP") {
            None => 30,
            Some(v) => v.trim().parse::<u32>().map_err(|_| {
                err("MEND_LOGIN_LIMIT_PER_IP", "must be a whole number of attempts a minute (0 turns it off)")
            })?,
        };

        let log_format = match get("MEND_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("") | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(_) => return Err(err("MEND_LOG_FORMAT", "must be text or json")),
        };

        let pool_size = match get("MEND_DB_POOL_SIZE") {
            None => default_pool_size(&store),
            Some(v) => match v.trim().parse::<u32>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => return Err(err("MEND_DB_POOL_SIZE", "must be a whole number from 1 to 64")),
            },
        };

        let max_in_flight = match get("MEND_MAX_IN_FLIGHT") {
            None => 256,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=100_000).contains(&n) => n,
                _ => return Err(err("MEND_MAX_IN_FLIGHT", "must be a whole number from 1 to 100000")),
            },
        };

        let cors_origins = match get("MEND_CORS_ORIGINS") {
            None => Vec::new(),
            Some(v) => {
                let origins: Vec<String> =
                    v.split(',').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
                if let Some(bad) = origins.iter().find(|o| !(o.starts_with("https://") || o.starts_with("http://"))) {
                    return Err(err("MEND_CORS_ORIGINS", format!("has {bad:?}, which is not an http(s) origin")));
                }
                origins
            }
        };

        let (jwt_secret, generated_secret_at) = match get("MEND_JWT_SECRET") {
            Some(s) if s.len() >= 32 => (Secret::new(s.into_bytes()), None),
            Some(_) => return Err(err("MEND_JWT_SECRET", "must be at least 32 bytes long")),
            None => match &store {
                Store::Postgres(_) => {
                    return Err(err(
                        "MEND_JWT_SECRET",
                        "is required with PostgreSQL: every instance must share one secret of at least 32 bytes",
                    ))
                }
                Store::Sqlite(path) => {
                    let file = secret_path(path);
                    let secret = load_or_create_secret(&file).map_err(|p| err("MEND_JWT_SECRET", p))?;
                    (secret, Some(file))
                }
            },
        };

        let webhook_allow_insecure = match get("MEND_WEBHOOK_ALLOW_INSECURE").as_deref().map(str::trim) {
            None | Some("") | Some("0") => false,
            Some("1") => true,
            Some(_) => return Err(err("MEND_WEBHOOK_ALLOW_INSECURE", "must be 0 or 1")),
        };
        let webhook_retry_ms = match get("MEND_WEBHOOK_RETRY_BASE_MS") {
            None => None,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if (1..=86_400_000).contains(&n) => Some(n),
                _ => return Err(err("MEND_WEBHOOK_RETRY_BASE_MS", "must be a whole number of milliseconds")),
            },
        };

        let (audit_key, audit_verifier_keys, generated_audit_key_at) = audit_keys(&get, &store)?;
        let mail = mail::mail(&get)?;
        let mail_retry_ms = match get("MEND_MAIL_RETRY_BASE_MS") {
            None => None,
            Some(v) => match v.trim().parse::<u64>() {
                Ok(n) if (1..=86_400_000).contains(&n) => Some(n),
                _ => return Err(err("MEND_MAIL_RETRY_BASE_MS", "must be a whole number of milliseconds")),
            },
        };

        Ok(Config {
            addr,
            store,
            jwt_secret,
            login_limit_per_ip,
            log_format,
            pool_size,
            max_in_flight,
            cors_origins,
            generated_secret_at,
            webhook_allow_insecure,
            webhook_retry_ms,
            audit_key,
            audit_verifier_keys,
            generated_audit_key_at,
            mail,
            mail_retry_ms,
        })
    }

    /// Every key a checkpoint may be signed with: the current one, then the earlier ones.
    pub fn audit_verifiers(&self) -> Vec<VerifierKey> {
        let mut keys = vec![self.audit_key.verifier()];
        keys.extend(self.audit_verifier_keys.iter().cloned());
        keys
    }
}

type AuditKeys = (AuditKey, Vec<VerifierKey>, Option<PathBuf>);

/// `MEND_AUDIT_ORIGIN`, `MEND_AUDIT_KEY` (generated beside the SQLite file when unset, required
/// with PostgreSQL) and `MEND_AUDIT_VERIFIER_KEYS`.
fn audit_keys(get: &impl Fn(&str) -> Option<String>, store: &Store) -> Result<AuditKeys, ConfigError> {
    let origin = get("MEND_AUDIT_ORIGIN").map(|o| o.trim().to_string()).filter(|o| !o.is_empty());
    let origin = origin.unwrap_or_else(|| DEFAULT_AUDIT_ORIGIN.to_string());
    crate::domain::signed_note::check_key_name(&origin).map_err(|p| err("MEND_AUDIT_ORIGIN", p))?;
    let (seed, generated) =
        match get("MEND_AUDIT_KEY") {
            Some(seed) => (seed, None),
            None => match store {
                Store::Postgres(_) => return Err(err(
                    "MEND_AUDIT_KEY",
                    "is required with PostgreSQL: the standard base64 of a 32-byte Ed25519 seed (`mend audit keygen`)",
                )),
                Store::Sqlite(path) => {
                    let file = secret_path(path).with_file_name("audit-key");
                    (load_or_create_audit_seed(&file).map_err(|p| err("MEND_AUDIT_KEY", p))?, Some(file))
                }
            },
        };
    let key = AuditKey::from_seed_base64(&origin, &seed).map_err(|p| err("MEND_AUDIT_KEY", p))?;
    let verifiers = get("MEND_AUDIT_VERIFIER_KEYS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(VerifierKey::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|p| err("MEND_AUDIT_VERIFIER_KEYS", p))?;
    Ok((key, verifiers, generated))
}

fn load_or_create_audit_seed(file: &Path) -> Result<String, String> {
    if let Ok(existing) = std::fs::read_to_string(file) {
        return Ok(existing.trim().to_string());
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("is unset and {} cannot be created: {e}", dir.display()))?;
    }
    let seed = AuditKey::generate_seed_base64();
    write_owner_only(file, &seed).map_err(|e| format!("is unset and {} cannot be written: {e}", file.display()))?;
    Ok(seed)
}

/// The generated secret lives beside the SQLite file.
fn secret_path(db_path: &str) -> PathBuf {
    let dir = Path::new(db_path).parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    dir.join("jwt-secret")
}

fn load_or_create_secret(file: &Path) -> Result<Secret, String> {
    if let Ok(existing) = std::fs::read_to_string(file) {
        let trimmed = existing.trim();
        if trimmed.len() >= 32 {
            return Ok(Secret::new(trimmed.as_bytes().to_vec()));
        }
        return Err(format!("is unset and {} holds fewer than 32 bytes", file.display()));
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("is unset and {} cannot be created: {e}", dir.display()))?;
    }
    let mut bytes = [0u8; 48];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = hex::encode(bytes);
    write_owner_only(file, &secret).map_err(|e| format!("is unset and {} cannot be written: {e}", file.display()))?;
    Ok(Secret::new(secret.into_bytes()))
}

#[cfg(unix)]
fn write_owner_only(file: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(file)?;
    f.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_owner_only(file: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(file, content)
}

/// PostgreSQL: four connections per core (at least 4, at most 32). A request holds its
/// connection for several round trips, so with fewer connections than requests in flight the
/// database sits idle between them: the benchmark's client read went from 1,272 to 1,508
/// requests/s on 2 cores going from 4 to 8 connections at 8 concurrent requests. SQLite: 4
/// (one writer at a time; more connections only wait on its lock).
fn default_pool_size(store: &Store) -> u32 {
    match store {
        Store::Postgres(_) => {
            let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2) as u32;
            (4 * cores).clamp(4, 32)
        }
        Store::Sqlite(_) => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn postgres_needs_a_secret() {
        let e = cfg(&[("DATABASE_URL", "postgres://x@localhost/db")]).unwrap_err();
        assert_eq!(e.variable, "MEND_JWT_SECRET");
        let pg = [("DATABASE_URL", "postgres://x@localhost/db"), ("MEND_JWT_SECRET", SECRET)];
        assert_eq!(cfg(&pg).unwrap_err().variable, "MEND_AUDIT_KEY");
        let mut with_key = pg.to_vec();
        with_key.push(("MEND_AUDIT_KEY", AUDIT_KEY));
        assert!(cfg(&with_key).is_ok());
    }

    const AUDIT_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn audit_keys_are_checked_and_generated_beside_sqlite() {
        for (var, value) in [
            ("MEND_AUDIT_KEY", "c2hvcnQ="),
            ("MEND_AUDIT_ORIGIN", "has space"),
            ("MEND_AUDIT_VERIFIER_KEYS", "mend.local/audit+00000000+AQ=="),
        ] {
            let vars = [("MEND_JWT_SECRET", SECRET), ("MEND_AUDIT_KEY", AUDIT_KEY), (var, value)];
            assert_eq!(cfg(&vars).unwrap_err().variable, var, "{var}={value}");
        }
        let old = crate::domain::signed_note::AuditKey::from_seed_base64("mend.local/audit", AUDIT_KEY).unwrap();
        let old = old.verifier().encode();
        let dir = std::env::temp_dir().join(format!("mend-cfg-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/mend.db", dir.display());
        let a = cfg(&[("DATABASE_URL", &url), ("MEND_AUDIT_VERIFIER_KEYS", &old)]).unwrap();
        let b = cfg(&[("DATABASE_URL", &url)]).unwrap();
        assert_eq!(a.audit_key.verifier(), b.audit_key.verifier());
        assert_eq!(a.audit_verifiers().len(), 2);
        assert_eq!(a.generated_audit_key_at, Some(dir.join("audit-key")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("audit-key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn short_secret_is_refused() {
        let e = cfg(&[("MEND_JWT_SECRET", "short")]).unwrap_err();
        assert_eq!(e.variable, "MEND_JWT_SECRET");
    }

    #[test]
    fn bad_values_name_their_variable() {
        let base = [("MEND_JWT_SECRET", SECRET)];
        for (var, value) in [
            ("MEND_ADDR", "localhost"),
            ("MEND_LOGIN_LIMIT_PER_IP", "-1"),
            ("MEND_LOG_FORMAT", "xml"),
            ("MEND_DB_POOL_SIZE", "0"),
            ("MEND_MAX_IN_FLIGHT", "none"),
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", ":memory:"),
            ("MEND_CORS_ORIGINS", "evil"),
        ] {
            let mut vars = base.to_vec();
            vars.push((var, value));
            assert_eq!(cfg(&vars).unwrap_err().variable, var, "{var}={value}");
        }
    }

    #[test]
    fn defaults() {
        let c = cfg(&[("MEND_JWT_SECRET", SECRET), ("DATABASE_URL", "sqlite:///tmp/x.db")]).unwrap();
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(c.login_limit_per_ip, 30);
        assert_eq!(c.store, Store::Sqlite("/tmp/x.db".into()));
        assert_eq!(format!("{:?}", c.jwt_secret), "[redacted]");
    }

    #[test]
    fn sqlite_generates_and_keeps_a_secret() {
        let dir = std::env::temp_dir().join(format!("mend-cfg-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}/mend.db", dir.display());
        let a = cfg(&[("DATABASE_URL", &url)]).unwrap();
        let b = cfg(&[("DATABASE_URL", &url)]).unwrap();
        assert_eq!(a.jwt_secret.expose(), b.jwt_secret.expose());
        assert!(a.generated_secret_at.is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("jwt-secret")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
