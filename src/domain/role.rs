crate::vocabulary! {
    /// A user's one role in their practice.
    pub enum Role { Admin = "admin", Counselor = "counselor", Client = "client" }
}

impl Role {
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Counselor)
    }
}

crate::vocabulary! {
    /// Roles staff accounts may have (clients get accounts through portal invites).
    pub enum StaffRole { Admin = "admin", Counselor = "counselor" }
}

impl From<StaffRole> for Role {
    fn from(r: StaffRole) -> Role {
        match r {
            StaffRole::Admin => Role::Admin,
            StaffRole::Counselor => Role::Counselor,
        }
    }
}
