//! A client as a FHIR `Patient`: names, contact points, birth date, and whether the record is
//! active. Counselors, portal access and internal fields stay out.

use super::model::{ContactPoint, HumanName, Patient};
use super::{date, meta};
use crate::domain::ClientStatus;
use crate::problem::AppResult;
use crate::store::clients::ClientRow;

pub fn patient(row: &ClientRow) -> AppResult<Patient> {
    let mut name = vec![HumanName {
        name_use: "official",
        family: Some(row.last_name.clone()),
        given: vec![row.first_name.clone()],
    }];
    if let Some(preferred) = &row.preferred_name {
        name.push(HumanName { name_use: "usual", family: None, given: vec![preferred.clone()] });
    }
    let mut telecom = Vec::new();
    if let Some(email) = &row.email {
        telecom.push(ContactPoint { system: "email", value: email.clone() });
    }
    if let Some(phone) = &row.phone {
        telecom.push(ContactPoint { system: "phone", value: phone.clone() });
    }
    Ok(Patient {
        id: row.id.to_string(),
        meta: meta(row.version, row.updated_at),
        active: row.status == ClientStatus::Active,
        name,
        telecom,
        birth_date: row.date_of_birth.as_deref().map(date).transpose()?,
    })
}
