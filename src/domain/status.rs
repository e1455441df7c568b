//! Lifecycle states of clients and couples, as stored and as the API spells them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Active,
    Inactive,
    /// Care has ended; clients are discharged, never deleted.
    Discharged,
}

impl ClientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Active => "active",
            ClientStatus::Inactive => "inactive",
            ClientStatus::Discharged => "discharged",
        }
    }

    pub fn parse(s: &str) -> Option<ClientStatus> {
        match s {
            "active" => Some(ClientStatus::Active),
            "inactive" => Some(ClientStatus::Inactive),
            "discharged" => Some(ClientStatus::Discharged),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoupleStatus {
    Active,
    Paused,
    /// Work with the couple has ended; couples are closed, never deleted.
    Closed,
}

impl CoupleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CoupleStatus::Active => "active",
            CoupleStatus::Paused => "paused",
            CoupleStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CoupleStatus> {
        match s {
            "active" => Some(CoupleStatus::Active),
            "paused" => Some(CoupleStatus::Paused),
            "closed" => Some(CoupleStatus::Closed),
            _ => None,
        }
    }
}
