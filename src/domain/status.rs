//! Lifecycle states of clients and couples, as stored and as the API spells them.

crate::vocabulary! {
    /// Where a client's care stands.
    pub enum ClientStatus {
        Active = "active",
        Inactive = "inactive",
        /// Care has ended; clients are discharged, never deleted.
        Discharged = "discharged",
    }
}

crate::vocabulary! {
    /// Where the work with a couple stands.
    pub enum CoupleStatus {
        Active = "active",
        Paused = "paused",
        /// Work with the couple has ended; couples are closed, never deleted.
        Closed = "closed",
    }
}
