//! What an audit event is about: one word per kind of resource, the same for a success and a
//! denial (`?resource_type=boundary` finds both).

crate::vocabulary! {
    /// The kind of resource an audit event is about.
    pub enum ResourceKind {
        Practice = "practice",
        User = "user",
        AuditEvent = "audit_event",
        Client = "client",
        Couple = "couple",
        Session = "session",
        Note = "note",
        Boundary = "boundary",
        BoundaryCheckIn = "boundary_check_in",
        Milestone = "milestone",
        MilestoneTemplate = "milestone_template",
        Progress = "progress",
        Letter = "letter",
        Activity = "activity",
        ActivityLog = "activity_log",
        ActivityTemplate = "activity_template",
        Instrument = "instrument",
        Assessment = "assessment",
        Measure = "measure",
        ConfidentialityPolicy = "confidentiality_policy",
        Release = "release",
        Disclosure = "disclosure",
        Webhook = "webhook",
        WebhookDelivery = "webhook_delivery",
        Worklist = "worklist",
    }
}

/// The kind of resource a route addresses, as the route table states it: attached to each
/// mounted route (`routes`), read where a request is refused before its handler runs (a role
/// that may never use the endpoint), so the denial names the kind a success would.
#[derive(Clone, Copy, Debug)]
pub struct RouteKind(pub Option<ResourceKind>);
