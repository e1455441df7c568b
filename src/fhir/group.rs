//! A couple as a FHIR `Group`: `type: person`, `actual: true`, the two partners as members.
//! Membership runs from the couple's start in Mend; a closed couple's members are inactive.

use fhir_sdk::r4b::codes::GroupType;
use fhir_sdk::r4b::resources::Group;
use fhir_sdk::r4b::resources::GroupMember;

use super::{built, date_time, each, meta, period, reference, text_concept};
use crate::domain::ids::ClientId;
use crate::domain::CoupleStatus;
use crate::problem::AppResult;
use crate::store::couples::CoupleRow;

pub fn group(row: &CoupleRow, partners: &[ClientId]) -> AppResult<Group> {
    let closed = row.status == CoupleStatus::Closed;
    let mut members = Vec::with_capacity(partners.len());
    for partner in partners {
        let mut m = GroupMember::builder()
            .entity(reference("Patient", partner)?)
            .period(period(Some(date_time(row.created_at)?), None)?);
        if closed {
            m = m.inactive(true);
        }
        members.push(built(m.build())?);
    }
    built(
        Group::builder()
            .id(row.id.to_string())
            .meta(meta(row.version, row.updated_at)?)
            .active(!closed)
            .r#type(GroupType::Person)
            .actual(true)
            .code(text_concept("couple")?)
            .quantity(partners.len() as u32)
            .member(each(members))
            .build(),
    )
}
