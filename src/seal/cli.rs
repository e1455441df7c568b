//! `mend audit ...`: make a key, show its public half, seal now, verify the trail.

use clap::Subcommand;

use crate::config::Config;
use crate::domain::signed_note::AuditKey;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Print a new signing key for MEND_AUDIT_KEY (the standard base64 of a 32-byte Ed25519 seed).
    Keygen,
    /// Print the verifier key of MEND_AUDIT_KEY (NAME+KEYID+BASE64), for MEND_AUDIT_VERIFIER_KEYS
    /// after a rotation and for anyone who checks checkpoints outside Mend.
    PublicKey,
    /// Seal every committed event now and sign a checkpoint (the server does this every second).
    Seal,
    /// Recompute the hash chain and check every checkpoint's signature and hash; print the first
    /// event that was changed, inserted or deleted, and exit 1 if there is one.
    Verify {
        /// A checkpoint kept outside the database (a signed note, as GET /audit-checkpoints and the
        /// audit.checkpoint webhook give it): the chain must still match it.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<std::path::PathBuf>,
    },
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("mend audit: {message}");
    2
}

/// `mend audit keygen`: needs no configuration.
pub fn keygen() -> i32 {
    println!("{}", AuditKey::generate_seed_base64());
    0
}

pub fn run(config: &Config, command: AuditCommand) -> i32 {
    match command {
        AuditCommand::Keygen => keygen(),
        AuditCommand::PublicKey => {
            println!("{}", config.audit_key.verifier().encode());
            0
        }
        AuditCommand::Seal => seal(config),
        AuditCommand::Verify { checkpoint } => verify(config, checkpoint.as_deref()),
    }
}

fn connect(config: &Config) -> Result<crate::db::PooledConnection, String> {
    let pool = crate::db::pool(&config.store, 1)?;
    pool.get().map_err(|e| format!("DATABASE_URL: cannot connect to the {} database: {e}", config.store.kind()))
}

fn seal(config: &Config) -> i32 {
    let mut conn = match connect(config) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let settings = super::sealer::Settings::new(config.audit_key.clone());
    let me = crate::db::new_id();
    let result = super::sealer::seal_all(&mut conn, &me, &settings);
    // Give the lease back at once, as a stopping server does.
    let _ = crate::store::audit_chain::release_lease(&mut conn, &me, chrono::DateTime::UNIX_EPOCH.naive_utc());
    match result {
        Ok(pass) if pass.held => {
            println!("mend audit: sealed {} events; the chain has {}", pass.sealed, pass.head);
            0
        }
        Ok(_) => fail("another instance holds the sealer's lease; it seals every second"),
        Err(e) => fail(format!("sealing failed: {e}")),
    }
}

fn verify(config: &Config, checkpoint: Option<&std::path::Path>) -> i32 {
    let outside = match checkpoint.map(std::fs::read_to_string).transpose() {
        Ok(text) => text,
        Err(e) => return fail(format!("--checkpoint: cannot read the file: {e}")),
    };
    let mut conn = match connect(config) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let report = match super::verify::verify(&mut conn, &config.audit_verifiers(), outside.as_deref()) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if let Some(first) = report.findings.first() {
        println!("mend audit verify: FAILED. First bad event: {first}");
        for other in report.findings.iter().skip(1).take(50) {
            println!("  also: {other}");
        }
        if report.findings.len() > 51 {
            println!("  ... and {} more", report.findings.len() - 51);
        }
        return 1;
    }
    println!(
        "mend audit verify: ok. {} events in one chain (head {}), {} checkpoints{} verified; {} events not sealed yet",
        report.sealed,
        report.head.as_deref().unwrap_or("none"),
        report.checkpoints,
        if outside.is_some() { " and the outside checkpoint" } else { "" },
        report.unsealed
    );
    0
}
