//! Ed25519 keys, C2SP signed notes (<https://c2sp.org/signed-note>) and checkpoints
//! (<https://c2sp.org/tlog-checkpoint>): what the audit sealer signs and `mend audit verify`
//! checks.
//!
//! A note is its text (lines, each ending in `\n`), a blank line, then one line per signature:
//! `— <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>`. The key id is the first
//! four bytes of SHA-256(key name || `\n` || 0x01 || the 32-byte public key). A verifier key is
//! written `<name>+<key id, 8 hex digits>+<base64(0x01 || public key)>`, as Go's
//! `golang.org/x/mod/sumdb/note` writes it, so outside tools can check Mend's checkpoints.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;
/// The em dash that starts every signature line.
const DASH: &str = "\u{2014} ";

/// The id of a key: the first four bytes of SHA-256(name || `\n` || 0x01 || public key).
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// A key name: non-empty, no white space, no `+` (C2SP signed-note).
pub fn check_key_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err("must be a non-empty name without spaces or '+'".into());
    }
    Ok(())
}

/// The signing key of the audit trail: a 32-byte Ed25519 seed and the key's name (the
/// checkpoints' origin). `Debug` never prints it.
#[derive(Clone)]
pub struct AuditKey {
    name: String,
    signing: SigningKey,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({} [redacted])", self.name)
    }
}

impl AuditKey {
    /// From the standard base64 of a 32-byte seed (`MEND_AUDIT_KEY`).
    pub fn from_seed_base64(name: &str, seed: &str) -> Result<AuditKey, String> {
        check_key_name(name)?;
        let bytes = B64.decode(seed.trim()).map_err(|_| "must be the standard base64 of a 32-byte Ed25519 seed")?;
        let seed: [u8; 32] =
            bytes.try_into().map_err(|_| "must be the standard base64 of a 32-byte Ed25519 seed (not 32 bytes)")?;
        Ok(AuditKey { name: name.to_string(), signing: SigningKey::from_bytes(&seed) })
    }

    /// A new random seed, as `MEND_AUDIT_KEY` holds it.
    pub fn generate_seed_base64() -> String {
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
        B64.encode(seed)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public half, to verify what this key signed.
    pub fn verifier(&self) -> VerifierKey {
        let public = self.signing.verifying_key();
        VerifierKey { name: self.name.clone(), id: key_id(&self.name, public.as_bytes()), public }
    }

    /// Signs `text` (lines ending in `\n`) as a signed note with this key.
    pub fn sign_note(&self, text: &str) -> Result<String, String> {
        if text.is_empty() || !text.ends_with('\n') || text.contains("\n\n") {
            return Err("a note's text is non-empty lines, each ending in a newline".into());
        }
        let sig = self.signing.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&self.verifier().id);
        blob.extend_from_slice(&sig.to_bytes());
        Ok(format!("{text}\n{DASH}{} {}\n", self.name, B64.encode(blob)))
    }
}

/// A public key that checks signed notes: its name, id and Ed25519 key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: [u8; 4],
    public: VerifyingKey,
}

impl VerifierKey {
    /// `<name>+<8 hex digits>+<base64(0x01 || 32-byte key)>`; the id must match the key.
    pub fn parse(text: &str) -> Result<VerifierKey, String> {
        let bad = || format!("{text:?} is not a verifier key (NAME+KEYID+BASE64)");
        let mut parts = text.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        check_key_name(name).map_err(|_| bad())?;
        let id = hex::decode(id).ok().and_then(|b| <[u8; 4]>::try_from(b).ok()).ok_or_else(bad)?;
        let data = B64.decode(data).map_err(|_| bad())?;
        let (Some(&ED25519), Some(public)) = (data.first(), data.get(1..)) else { return Err(bad()) };
        let public: [u8; 32] = public.try_into().map_err(|_| bad())?;
        if key_id(name, &public) != id {
            return Err(format!("{text:?}: its key id does not match its key"));
        }
        let public = VerifyingKey::from_bytes(&public).map_err(|_| bad())?;
        Ok(VerifierKey { name: name.to_string(), id, public })
    }

    /// The text [`parse`](Self::parse) reads.
    pub fn encode(&self) -> String {
        let mut data = vec![ED25519];
        data.extend_from_slice(self.public.as_bytes());
        format!("{}+{}+{}", self.name, hex::encode(self.id), B64.encode(data))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id, as 8 hex digits.
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }
}

/// A signed note taken apart and checked: its text and the key that signed it.
#[derive(Debug)]
pub struct Opened {
    pub text: String,
    pub key: VerifierKey,
}

/// Why a note does not open.
#[derive(Debug, PartialEq, Eq)]
pub enum NoteError {
    /// Not a signed note at all.
    Malformed(String),
    /// Well-formed, but no signature is by a key we know.
    UnknownKey,
    /// A signature by a known key that does not verify: the note was forged or altered.
    BadSignature { key_name: String, key_id: String },
}

impl std::fmt::Display for NoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoteError::Malformed(why) => write!(f, "not a signed note: {why}"),
            NoteError::UnknownKey => f.write_str("no signature by a known key"),
            NoteError::BadSignature { key_name, key_id } => {
                write!(f, "the signature by key {key_name} ({key_id}) does not verify: forged or altered")
            }
        }
    }
}

/// Opens `note` with the first of `keys` that signed it. Any signature by a known key (same
/// name and id) that does not verify is an error, even when another one does.
pub fn open(note: &str, keys: &[VerifierKey]) -> Result<Opened, NoteError> {
    let malformed = |why: &str| NoteError::Malformed(why.to_string());
    let split = note.rfind("\n\n").ok_or_else(|| malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    if !sigs.ends_with('\n') || sigs.len() < 2 {
        return Err(malformed("the signatures do not end in a newline"));
    }
    let mut found = None;
    for line in sigs[..sigs.len() - 1].split('\n') {
        let rest = line.strip_prefix(DASH).ok_or_else(|| malformed("a signature line does not start with '— '"))?;
        let (name, blob) = rest.split_once(' ').ok_or_else(|| malformed("a signature line has no signature"))?;
        let blob = B64.decode(blob).map_err(|_| malformed("a signature is not base64"))?;
        if blob.len() < 5 {
            return Err(malformed("a signature is too short"));
        }
        let Some(key) = keys.iter().find(|k| k.name == name && k.id[..] == blob[..4]) else { continue };
        let bad = || NoteError::BadSignature { key_name: key.name.clone(), key_id: key.id_hex() };
        let sig = Signature::from_slice(&blob[4..]).map_err(|_| bad())?;
        key.public.verify(text.as_bytes(), &sig).map_err(|_| bad())?;
        found.get_or_insert_with(|| key.clone());
    }
    found.map(|key| Opened { text: text.to_string(), key }).ok_or(NoteError::UnknownKey)
}

/// A checkpoint of a log: its origin, how many entries it covers, and the hash after the last.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub hash: [u8; 32],
}

impl Checkpoint {
    /// The note text: `<origin>\n<size>\n<base64 hash>\n`.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.hash))
    }

    /// Reads a note text written by [`body`](Self::body) (extension lines after the hash are
    /// allowed and ignored, as the checkpoint format says).
    pub fn parse(text: &str) -> Result<Checkpoint, String> {
        let mut lines = text.split('\n');
        let (Some(origin), Some(size), Some(hash)) = (lines.next(), lines.next(), lines.next()) else {
            return Err("a checkpoint has an origin, a size and a hash line".into());
        };
        if origin.is_empty() {
            return Err("a checkpoint's origin is empty".into());
        }
        let size_line = size;
        let size: u64 = size.parse().map_err(|_| "a checkpoint's size is not a whole number")?;
        if size.to_string() != size_line {
            return Err("a checkpoint's size is not canonical (no sign, no leading zero)".into());
        }
        let hash = B64.decode(hash).ok().and_then(|h| <[u8; 32]>::try_from(h).ok());
        let hash = hash.ok_or("a checkpoint's hash is not the base64 of 32 bytes")?;
        Ok(Checkpoint { origin: origin.to_string(), size, hash })
    }

    pub fn hash_base64(&self) -> String {
        B64.encode(self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn key() -> AuditKey {
        AuditKey::from_seed_base64("mend.example/audit", SEED).unwrap()
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_and_round_trips() {
        let cp = Checkpoint { origin: "mend.example/audit".into(), size: 42, hash: [7; 32] };
        let note = key().sign_note(&cp.body()).unwrap();
        assert!(note.starts_with("mend.example/audit\n42\nBwcH"));
        assert!(note.contains("\n\n\u{2014} mend.example/audit "));
        let opened = open(&note, &[key().verifier()]).unwrap();
        assert_eq!(Checkpoint::parse(&opened.text).unwrap(), cp);
        let vkey = key().verifier().encode();
        assert_eq!(VerifierKey::parse(&vkey).unwrap(), key().verifier());
        assert!(vkey.starts_with("mend.example/audit+"));
    }

    #[test]
    fn an_altered_text_or_signature_is_found() {
        let note = key().sign_note("mend.example/audit\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n").unwrap();
        let altered = note.replacen("\n42\n", "\n43\n", 1);
        assert!(matches!(open(&altered, &[key().verifier()]), Err(NoteError::BadSignature { .. })));
        let other = AuditKey::from_seed_base64("mend.example/audit", &AuditKey::generate_seed_base64()).unwrap();
        assert_eq!(open(&note, &[other.verifier()]).unwrap_err(), NoteError::UnknownKey);
        assert!(matches!(open("no signatures\n", &[key().verifier()]), Err(NoteError::Malformed(_))));
    }

    /// The key id is computed as the signed-note spec says, so Go's `note` package reads Mend's
    /// verifier keys: the id is SHA-256(name || "\n" || 0x01 || key)[:4].
    #[test]
    fn the_key_id_follows_the_spec() {
        let v = key().verifier();
        let mut h = Sha256::new();
        h.update(b"mend.example/audit\n\x01");
        h.update(v.public.as_bytes());
        assert_eq!(v.id_hex(), hex::encode(&h.finalize()[..4]));
        let wrong_id = format!("mend.example/audit+00000000+{}", v.encode().rsplit('+').next().unwrap());
        assert!(VerifierKey::parse(&wrong_id).is_err());
    }

    #[test]
    fn bad_seeds_and_names_are_refused() {
        assert!(AuditKey::from_seed_base64("x", "c2hvcnQ=").is_err());
        assert!(AuditKey::from_seed_base64("has space", SEED).is_err());
        assert!(AuditKey::from_seed_base64("a+b", SEED).is_err());
        assert_eq!(format!("{:?}", key()), "AuditKey(mend.example/audit [redacted])");
    }
}
