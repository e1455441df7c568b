//! The schema, written by hand so it reads the same on PostgreSQL and SQLite
//! (see migrations/common for the SQL).

diesel::table! {
    practices (id) {
        id -> Text,
        name -> Text,
        timezone -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        require_staff_mfa -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        practice_id -> Text,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        client_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    invites (id) {
        id -> Text,
        practice_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        practice_id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Text,
        email_key -> Text,
        ip -> Text,
        outcome -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        location -> Nullable<Text>,
        etag -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        practice_id -> Nullable<Text>,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Nullable<Text>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Nullable<Text>,
        outcome -> Text,
        request_id -> Text,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        practice_id -> Text,
        first_name -> Text,
        last_name -> Text,
        preferred_name -> Nullable<Text>,
        pronouns -> Nullable<Text>,
        date_of_birth -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    client_counselors (client_id, counselor_id) {
        client_id -> Text,
        counselor_id -> Text,
        practice_id -> Text,
    }
}

diesel::table! {
    couples (id) {
        id -> Text,
        practice_id -> Text,
        status -> Text,
        presenting_concern -> Nullable<Text>,
        relationship_started_on -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        partner_a_id -> Nullable<Text>,
        partner_b_id -> Nullable<Text>,
        counselor_ids -> Nullable<Text>,
    }
}

diesel::table! {
    couple_partners (couple_id, client_id) {
        couple_id -> Text,
        client_id -> Text,
        practice_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    couple_counselors (couple_id, counselor_id) {
        couple_id -> Text,
        counselor_id -> Text,
        practice_id -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        counselor_id -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        duration_minutes -> Integer,
        modality -> Text,
        status -> Text,
        cancellation_reason -> Nullable<Text>,
        summary_text -> Nullable<Text>,
        summary_shared_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        note_signed -> Bool,
    }
}

diesel::table! {
    session_attendees (session_id, client_id) {
        session_id -> Text,
        client_id -> Text,
        practice_id -> Text,
    }
}

diesel::table! {
    notes (id) {
        id -> Text,
        practice_id -> Text,
        session_id -> Text,
        couple_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        author_id -> Text,
        body -> Text,
        topics -> Text,
        agreements -> Text,
        risk_level -> Nullable<Text>,
        status -> Text,
        signed_at -> Nullable<Timestamp>,
        signed_by -> Nullable<Text>,
        content_sha256 -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    note_addenda (id) {
        id -> Text,
        practice_id -> Text,
        note_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    boundaries (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        requested_by -> Nullable<Text>,
        responsible_ids -> Text,
        status -> Text,
        review_on -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    boundary_acknowledgements (boundary_id, client_id) {
        boundary_id -> Text,
        client_id -> Text,
        practice_id -> Text,
        acknowledged_at -> Timestamp,
    }
}

diesel::table! {
    boundary_check_ins (id) {
        id -> Text,
        practice_id -> Text,
        boundary_id -> Text,
        reported_by -> Text,
        recorded_by -> Text,
        kept -> Bool,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    milestones (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        phase -> Text,
        status -> Text,
        target_on -> Nullable<Text>,
        achieved_on -> Nullable<Text>,
        visible_to_clients -> Bool,
        position -> Integer,
        template_key -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

// ---- consent and release (issue 16) ----
diesel::table! {
    confidentiality_policies (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Text,
        version -> BigInt,
        kind -> Text,
        text -> Text,
        text_sha256 -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    policy_signatures (policy_id, client_id) {
        policy_id -> Text,
        client_id -> Text,
        practice_id -> Text,
        version -> BigInt,
        signed_name -> Text,
        signed_at -> Timestamp,
        ip -> Nullable<Text>,
        text_sha256 -> Text,
    }
}

diesel::table! {
    releases (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        recipient_name -> Text,
        recipient_organization -> Nullable<Text>,
        purpose -> Text,
        from_on -> Nullable<Text>,
        to_on -> Nullable<Text>,
        include -> Text,
        include_mediation_notes -> Bool,
        expires_on -> Text,
        status -> Text,
        revoked_by -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        disclosed_at -> Nullable<Timestamp>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    release_authorizers (release_id, client_id) {
        release_id -> Text,
        client_id -> Text,
        practice_id -> Text,
        position -> Integer,
        signed_name -> Nullable<Text>,
        authorized_at -> Nullable<Timestamp>,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    disclosures (id) {
        id -> Text,
        practice_id -> Text,
        release_id -> Text,
        disclosed_at -> Timestamp,
        disclosed_by -> Text,
        recipient_name -> Text,
        recipient_organization -> Nullable<Text>,
        purpose -> Text,
        include -> Text,
        include_mediation_notes -> Bool,
        from_on -> Nullable<Text>,
        to_on -> Nullable<Text>,
        document -> Nullable<Text>,
    }
}

diesel::table! {
    disclosure_subjects (disclosure_id, client_id) {
        disclosure_id -> Text,
        client_id -> Text,
        practice_id -> Text,
        disclosed_at -> Timestamp,
    }
}
// ---- end consent and release ----

diesel::joinable!(users -> practices (practice_id));
diesel::joinable!(client_counselors -> clients (client_id));
diesel::joinable!(couple_partners -> couples (couple_id));
diesel::joinable!(couple_counselors -> couples (couple_id));
diesel::joinable!(session_attendees -> sessions (session_id));
diesel::joinable!(note_addenda -> notes (note_id));
diesel::joinable!(boundary_acknowledgements -> boundaries (boundary_id));
diesel::joinable!(boundary_check_ins -> boundaries (boundary_id));

// ---- outcome measures (issue 15) ----
diesel::table! {
    assessments (id) {
        id -> Text,
        practice_id -> Text,
        instrument -> Text,
        client_id -> Text,
        couple_id -> Nullable<Text>,
        status -> Text,
        due_on -> Nullable<Text>,
        opens_on -> Nullable<Text>,
        completed_on -> Nullable<Text>,
        answers -> Nullable<Text>,
        score -> Nullable<Integer>,
        subscales -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
        responded_by -> Nullable<Text>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
// ---- end outcome measures ----

// ---- letters and activities (issue 14) ----
diesel::table! {
    letters (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Text,
        author_id -> Text,
        kind -> Text,
        draft_title -> Text,
        draft_body -> Text,
        submitted_title -> Nullable<Text>,
        submitted_body -> Nullable<Text>,
        status -> Text,
        counselor_comment -> Nullable<Text>,
        revision_count -> Integer,
        submitted_at -> Nullable<Timestamp>,
        released_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    letter_revisions (letter_id, number) {
        letter_id -> Text,
        number -> Integer,
        practice_id -> Text,
        title -> Text,
        body -> Text,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        practice_id -> Text,
        couple_id -> Text,
        title -> Text,
        instructions -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        cadence -> Text,
        times_per_period -> Integer,
        starts_on -> Text,
        ends_on -> Nullable<Text>,
        reflection_prompt -> Nullable<Text>,
        template_key -> Nullable<Text>,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activity_logs (id) {
        id -> Text,
        practice_id -> Text,
        activity_id -> Text,
        client_id -> Text,
        recorded_by -> Text,
        done_on -> Text,
        completed -> Bool,
        reflection -> Nullable<Text>,
        shared_with_partner -> Bool,
        created_at -> Timestamp,
    }
}

diesel::joinable!(letter_revisions -> letters (letter_id));
diesel::joinable!(activity_logs -> activities (activity_id));
// ---- end letters and activities ----

// Webhooks (issue 17).
diesel::table! {
    webhooks (id) {
        id -> Text,
        practice_id -> Text,
        url -> Text,
        event_types -> Text,
        description -> Nullable<Text>,
        active -> Bool,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        practice_id -> Text,
        event_type -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        practice_id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event_type -> Text,
        attempt -> Integer,
        status -> Text,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
        claimed_until -> Nullable<Timestamp>,
        claimed_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));

diesel::table! {
    audit_chain (seq) {
        seq -> BigInt,
        event_id -> Text,
        sealed_at -> Timestamp,
        hash -> Text,
    }
}

diesel::table! {
    audit_subjects (client_id, event_id) {
        client_id -> Text,
        event_id -> Text,
        practice_id -> Text,
        at -> Timestamp,
        seq -> BigInt,
    }
}

diesel::table! {
    audit_checkpoints (size) {
        size -> BigInt,
        id -> Text,
        origin -> Text,
        hash -> Text,
        key_name -> Text,
        key_id -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_seal_lease (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Timestamp,
        scan_from -> Text,
    }
}

diesel::joinable!(audit_chain -> audit_events (event_id));
diesel::joinable!(audit_subjects -> audit_events (event_id));

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        practice_id -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        practice_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    user_mfa (user_id) {
        user_id -> Text,
        practice_id -> Text,
        secret -> Text,
        enabled_at -> Nullable<Timestamp>,
        last_step -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mfa_recovery_codes (id) {
        id -> Text,
        practice_id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mfa_logins (id) {
        id -> Text,
        practice_id -> Text,
        user_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(user_mfa -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    practices,
    users,
    invites,
    refresh_tokens,
    login_attempts,
    idempotency_keys,
    audit_events,
    clients,
    client_counselors,
    couples,
    couple_partners,
    couple_counselors,
    sessions,
    session_attendees,
    notes,
    note_addenda,
    boundaries,
    boundary_acknowledgements,
    boundary_check_ins,
    milestones,
    confidentiality_policies,
    policy_signatures,
    releases,
    release_authorizers,
    disclosures,
    disclosure_subjects,
    assessments,
    letters,
    letter_revisions,
    activities,
    activity_logs,
    webhooks,
    webhook_events,
    webhook_deliveries,
    audit_chain,
    audit_subjects,
    audit_checkpoints,
    audit_seal_lease,
    mail_outbox,
    password_resets,
    user_mfa,
    mfa_recovery_codes,
    mfa_logins,
);
