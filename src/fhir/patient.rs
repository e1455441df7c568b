//! A client as a FHIR `Patient`: names, contact points, birth date, and whether the record is
//! active. Counselors, portal access and internal fields stay out.

use fhir_sdk::r4b::codes::{ContactPointSystem, NameUse};
use fhir_sdk::r4b::resources::Patient;
use fhir_sdk::r4b::types::{ContactPoint, HumanName};

use super::{built, date, each, meta};
use crate::domain::ClientStatus;
use crate::problem::AppResult;
use crate::store::clients::ClientRow;

pub fn patient(row: &ClientRow) -> AppResult<Patient> {
    let mut names = vec![built(
        HumanName::builder()
            .r#use(NameUse::Official)
            .family(row.last_name.clone())
            .given(vec![Some(row.first_name.clone())])
            .build(),
    )?];
    if let Some(preferred) = &row.preferred_name {
        names.push(built(HumanName::builder().r#use(NameUse::Usual).given(vec![Some(preferred.clone())]).build())?);
    }
    let mut telecom = Vec::new();
    if let Some(email) = &row.email {
        telecom.push(built(ContactPoint::builder().system(ContactPointSystem::Email).value(email.clone()).build())?);
    }
    if let Some(phone) = &row.phone {
        telecom.push(built(ContactPoint::builder().system(ContactPointSystem::Phone).value(phone.clone()).build())?);
    }
    let mut b = Patient::builder()
        .id(row.id.to_string())
        .meta(meta(row.version, row.updated_at)?)
        .active(row.status == ClientStatus::Active)
        .name(each(names))
        .telecom(each(telecom));
    if let Some(born) = &row.date_of_birth {
        b = b.birth_date(date(born)?);
    }
    built(b.build())
}
