//! `mend audit verify`: recomputes the chain from the stored events and checks every
//! checkpoint's signature and hash (and one kept outside, when given).
//!
//! What it finds, and how:
//! - an event changed in place: its link's hash no longer matches (names its seq and id);
//! - an event deleted: its link points at nothing, or a seq is missing;
//! - an event inserted into the sealed history: either it is in no link, yet the sealer sealed
//!   events with larger ids well after it was written (so it was not there to be sealed), or its
//!   links were rewritten, which the signed checkpoints catch;
//! - links rewritten to match (every hash recomputed): a checkpoint's hash differs from the
//!   chain's at its size; a checkpoint whose signature does not verify is forged;
//! - the whole chain rewritten and the checkpoints with it: only a checkpoint kept outside the
//!   database (`--checkpoint FILE`) catches that, or a key the attacker does not hold.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::Connection;

use super::chain::{self, GENESIS};
use crate::db::AnyConnection;
use crate::domain::signed_note::{open, Checkpoint, NoteError, VerifierKey};
use crate::store::audit_chain as store;

/// An event not in the chain is an insertion when the sealer sealed an event with a larger id at
/// least this long after it was written: the sealer's [`super::sealer::WINDOW`] plus room for
/// instances' clocks to differ.
pub const LATE: Duration = Duration::from_secs(300);

/// Links read at a time.
const PAGE: i64 = 5000;

/// One thing wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The first seq it concerns (for ordering and for "the first bad event").
    pub seq: Option<i64>,
    pub event_id: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.seq, &self.event_id) {
            (Some(seq), Some(id)) => write!(f, "seq {seq}, event {id}: {}", self.problem),
            (Some(seq), None) => write!(f, "seq {seq}: {}", self.problem),
            (None, Some(id)) => write!(f, "event {id}: {}", self.problem),
            (None, None) => f.write_str(&self.problem),
        }
    }
}

/// What the verifier found.
#[derive(Debug, Default)]
pub struct Report {
    /// Links in the chain.
    pub sealed: i64,
    /// The head's hash (hex), as recomputed.
    pub head: Option<String>,
    pub checkpoints: usize,
    /// Events not sealed yet (written after the sealer's last pass).
    pub unsealed: usize,
    /// Everything wrong, the first bad event first.
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Checks the whole trail in one snapshot. `keys` are the verifier keys checkpoints may be
/// signed with; `outside` the text of a checkpoint kept elsewhere.
pub fn verify(conn: &mut AnyConnection, keys: &[VerifierKey], outside: Option<&str>) -> Result<Report, String> {
    conn.transaction(|c| {
        if let AnyConnection::Postgresql(pg) = c {
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        run(c, keys, outside)
    })
    .map_err(|e: diesel::result::Error| format!("cannot read the audit trail: {e}"))
}

struct Signed {
    label: String,
    checkpoint: Checkpoint,
}

fn run(c: &mut AnyConnection, keys: &[VerifierKey], outside: Option<&str>) -> diesel::QueryResult<Report> {
    let mut report = Report::default();
    let mut findings = Vec::new();
    // The checkpoints first: their signatures, and the sizes whose hash the chain must match.
    let mut signed: Vec<Signed> = Vec::new();
    let stored = store::all_checkpoints(c)?;
    report.checkpoints = stored.len();
    for row in &stored {
        let label = format!("checkpoint of size {}", row.size);
        match opened(&row.note, keys) {
            Ok(cp) => {
                if cp.size != row.size as u64 || cp.hash_base64() != row.hash || cp.origin != row.origin {
                    findings.push(at_size(row.size, format!("{label}: its columns differ from its signed note")));
                }
                signed.push(Signed { label, checkpoint: cp });
            }
            Err(e) => findings.push(at_size(row.size, format!("{label}: {e}"))),
        }
    }
    if let Some(text) = outside {
        match opened(text, keys) {
            Ok(cp) => {
                signed.push(Signed { label: format!("the outside checkpoint of size {}", cp.size), checkpoint: cp })
            }
            Err(e) => {
                findings.push(Finding { seq: None, event_id: None, problem: format!("the outside checkpoint: {e}") })
            }
        }
    }
    let wanted: BTreeMap<i64, ()> = signed.iter().map(|s| (s.checkpoint.size as i64, ())).collect();
    let mut hash_at: HashMap<i64, [u8; 32]> = HashMap::new();

    // The chain, page by page: each link against its event and the link before it.
    let mut sealed: Vec<(chrono::NaiveDateTime, String)> = Vec::new();
    let (mut expected_seq, mut prev, mut after) = (1i64, GENESIS, 0i64);
    loop {
        let page = store::chain_page(c, after, PAGE)?;
        if page.is_empty() {
            break;
        }
        let ids: Vec<String> = page.iter().map(|(l, _)| l.event_id.clone()).collect();
        let subjects = crate::store::audit_subjects::subjects_of(c, &ids)?;
        let none = Vec::new();
        for (link, event) in &page {
            after = link.seq;
            if link.seq != expected_seq {
                findings.push(Finding {
                    seq: Some(expected_seq),
                    event_id: None,
                    problem: format!("deleted: the chain skips from seq {} to {}", expected_seq - 1, link.seq),
                });
            }
            expected_seq = link.seq + 1;
            let stored_hash = chain::parse_hash(&link.hash);
            match event {
                None => findings.push(Finding {
                    seq: Some(link.seq),
                    event_id: Some(link.event_id.clone()),
                    problem: "deleted: the chain names an event the trail no longer has".into(),
                }),
                Some(event) => {
                    let form =
                        chain::canonical(link.seq, event, subjects.get(&event.id).unwrap_or(&none), link.sealed_at);
                    if Some(chain::link(&prev, &form)) != stored_hash {
                        findings.push(Finding {
                            seq: Some(link.seq),
                            event_id: Some(link.event_id.clone()),
                            problem: "changed: the event (or its subjects) no longer hashes to its link".into(),
                        });
                    }
                }
            }
            prev = stored_hash.unwrap_or(GENESIS);
            if wanted.contains_key(&link.seq) {
                hash_at.insert(link.seq, prev);
            }
            sealed.push((link.sealed_at, link.event_id.clone()));
        }
    }
    report.sealed = expected_seq - 1;
    report.head = (report.sealed > 0).then(|| hex::encode(prev));

    // Every signed checkpoint against the chain at its size.
    let mut sizes: Vec<i64> = signed.iter().map(|s| s.checkpoint.size as i64).collect();
    sizes.sort();
    for s in &signed {
        let size = s.checkpoint.size as i64;
        let good_before = sizes.iter().copied().filter(|&o| o < size).max().unwrap_or(0);
        match hash_at.get(&size) {
            None => findings.push(at_size(
                size,
                format!("{}: the chain has only {} events: events at its end were deleted", s.label, report.sealed),
            )),
            Some(h) if *h != s.checkpoint.hash => findings.push(Finding {
                seq: Some(good_before + 1),
                event_id: None,
                problem: format!(
                    "{}: the chain was rewritten between seq {} and {size} (the signed hash differs)",
                    s.label,
                    good_before + 1
                ),
            }),
            Some(_) => {}
        }
    }

    // Events in no link: fine if recent, an insertion if the sealer sealed later ids well after.
    let unsealed = store::all_unsealed(c)?;
    report.unsealed = unsealed.len();
    if !unsealed.is_empty() && !sealed.is_empty() {
        sealed.sort_by_key(|s| std::cmp::Reverse(s.0));
        let mut max_id: Vec<&str> = Vec::with_capacity(sealed.len());
        for (_, id) in &sealed {
            let m = max_id.last().map_or(id.as_str(), |m: &&str| (*m).max(id.as_str()));
            max_id.push(m);
        }
        let late = chrono::TimeDelta::from_std(LATE).unwrap_or_default();
        for event in &unsealed {
            let n = sealed.partition_point(|(t, _)| *t >= event.at + late);
            if n > 0 && max_id[n - 1] > event.id.as_str() {
                findings.push(Finding {
                    seq: None,
                    event_id: Some(event.id.clone()),
                    problem: "inserted: it is in no link, yet events written after it were sealed long after \
                              it was written"
                        .into(),
                });
            }
        }
    }
    findings.sort_by_key(|f| (f.seq.is_none(), f.seq));
    report.findings = findings;
    Ok(report)
}

fn at_size(size: i64, problem: String) -> Finding {
    Finding { seq: Some(size), event_id: None, problem }
}

fn opened(note: &str, keys: &[VerifierKey]) -> Result<Checkpoint, String> {
    let opened = open(note, keys).map_err(|e| match e {
        NoteError::UnknownKey => {
            "signed by no key this verifier knows (MEND_AUDIT_KEY, MEND_AUDIT_VERIFIER_KEYS)".into()
        }
        other => other.to_string(),
    })?;
    Checkpoint::parse(&opened.text)
}
