//! A couple as a FHIR `Group`: `type: person`, `actual: true`, the two partners as members.
//! Membership runs from the couple's start in Mend; a closed couple's members are inactive.

use super::model::{Group, GroupMember};
use super::{instant, meta, period, reference, text_concept};
use crate::domain::ids::ClientId;
use crate::domain::CoupleStatus;
use crate::store::couples::CoupleRow;

pub fn group(row: &CoupleRow, partners: &[ClientId]) -> Group {
    let closed = row.status == CoupleStatus::Closed;
    let member = partners
        .iter()
        .map(|partner| GroupMember {
            entity: reference("Patient", partner),
            period: period(Some(instant(row.created_at)), None),
            inactive: closed.then_some(true),
        })
        .collect();
    Group {
        id: row.id.to_string(),
        meta: meta(row.version, row.updated_at),
        active: !closed,
        kind: "person",
        actual: true,
        code: text_concept("couple"),
        quantity: partners.len() as u32,
        member,
    }
}
