-- Seeds a realistic practice into a migrated Mend database, all in SQL (generate_series), so a
-- full-size practice takes minutes. Run after `mend migrate` and `mend create-admin` (the one
-- admin's practice is the practice seeded here, and its password hash is copied to every user).
--
-- psql variables (all required):
--   counselors     counselor users                       (full: 100)
--   clients        clients; an even number               (full: 20000)
--   couples        couples; partners are clients 2j-1, 2j (full: 10000, so clients >= 2*couples)
--   sessions       couple sessions in total               (full: 1000000)
--   big_sessions   of those, sessions of couple 1 (the deep-cursor couple) (full: 100000)
--   notes          mediation notes                        (full: 200000)
--   portal_users   clients 1..portal_users get a portal login (full: 2000)
--
-- Ids are deterministic so the harness can name rows without reading them back:
--   counselor k  a0000000-0000-4000-8000-<k as 12 hex digits>     (email counselor<k>@bench.example.org)
--   client i     b0000000-0000-4000-8000-<i>
--   couple j     c0000000-0000-4000-8000-<j>  partners clients 2j-1 and 2j, counselor ((j-1) % counselors)+1
--   session s    d0000000-0000-4000-8000-<s>  couple 1 for s <= big_sessions, else spread over couples 2..
--   note n       e0000000-0000-4000-8000-<n>
--   portal user  f0000000-0000-4000-8000-<i>  for client i (email client<i>@bench.example.org)
-- They are version-4 UUIDs; everything Mend creates while the benchmark runs is version 7.
\set ON_ERROR_STOP on
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';

CREATE OR REPLACE FUNCTION pg_temp.bid(prefix text, n bigint) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT prefix || '-0000-4000-8000-' || lpad(to_hex(n), 12, '0') $$;

BEGIN;
CREATE TEMP TABLE seed_ctx AS
SELECT u.practice_id, u.password_hash, timestamp '2026-11-25 12:00:00' AS now_at
FROM users u WHERE u.role = 'admin' ORDER BY u.created_at LIMIT 1;

-- Counselors.
INSERT INTO users (id, practice_id, email, display_name, role, password_hash, active, client_id, version, created_at, updated_at)
SELECT pg_temp.bid('a0000000', k), x.practice_id, 'counselor' || k || '@bench.example.org', 'Counselor ' || k,
       'counselor', x.password_hash, true, NULL, 1, x.now_at - interval '3 years', x.now_at - interval '3 years'
FROM seed_ctx x, generate_series(1, :counselors) k;

-- Clients.
INSERT INTO clients (id, practice_id, first_name, last_name, preferred_name, pronouns, date_of_birth, email, phone, status, version, created_at, updated_at)
SELECT pg_temp.bid('b0000000', i), x.practice_id,
       (ARRAY['Alex','Sam','Jordan','Taylor','Morgan','Casey','Riley','Jamie','Avery','Quinn'])[1 + i % 10],
       (ARRAY['Garcia','Smith','Nguyen','Okafor','Müller','Rossi','Kowalski','Haddad','Tanaka','Silva'])[1 + (i / 10) % 10] || ' ' || i,
       CASE WHEN i % 3 = 0 THEN 'P' || i END, CASE WHEN i % 2 = 0 THEN 'they/them' END,
       to_char(date '1960-01-01' + (i % 15000), 'YYYY-MM-DD'),
       'client' || i || '@bench.example.org', '+1555' || lpad(i::text, 7, '0'),
       CASE WHEN i % 50 = 0 THEN 'discharged' ELSE 'active' END, 1,
       x.now_at - interval '2 years', x.now_at - interval '2 years'
FROM seed_ctx x, generate_series(1, :clients) i;

-- Portal logins for the first clients.
INSERT INTO users (id, practice_id, email, display_name, role, password_hash, active, client_id, version, created_at, updated_at)
SELECT pg_temp.bid('f0000000', i), x.practice_id, 'client' || i || '@bench.example.org', 'Client ' || i,
       'client', x.password_hash, true, pg_temp.bid('b0000000', i), 1, x.now_at - interval '1 year', x.now_at - interval '1 year'
FROM seed_ctx x, generate_series(1, :portal_users) i;

-- Couples, their partners and counselors; every client is also assigned to that counselor directly.
INSERT INTO couples (id, practice_id, status, presenting_concern, relationship_started_on, version, created_at, updated_at,
                     partner_a_id, partner_b_id, counselor_ids)
SELECT pg_temp.bid('c0000000', j), x.practice_id, CASE WHEN j % 20 = 0 THEN 'closed' ELSE 'active' END,
       'Affair disclosed; rebuilding trust (' || j || ')', to_char(date '1995-01-01' + (j % 9000), 'YYYY-MM-DD'), 1,
       x.now_at - interval '2 years', x.now_at - interval '2 years',
       pg_temp.bid('b0000000', 2 * j - 1), pg_temp.bid('b0000000', 2 * j),
       pg_temp.bid('a0000000', (j - 1) % :counselors + 1)
FROM seed_ctx x, generate_series(1, :couples) j;

INSERT INTO couple_partners (couple_id, client_id, practice_id, position)
SELECT pg_temp.bid('c0000000', j), pg_temp.bid('b0000000', 2 * j - 1 + p), x.practice_id, p
FROM seed_ctx x, generate_series(1, :couples) j, generate_series(0, 1) p;

INSERT INTO couple_counselors (couple_id, counselor_id, practice_id)
SELECT pg_temp.bid('c0000000', j), pg_temp.bid('a0000000', (j - 1) % :counselors + 1), x.practice_id
FROM seed_ctx x, generate_series(1, :couples) j;

INSERT INTO client_counselors (client_id, counselor_id, practice_id)
SELECT pg_temp.bid('b0000000', i), pg_temp.bid('a0000000', ((i + 1) / 2 - 1) % :counselors + 1), x.practice_id
FROM seed_ctx x, generate_series(1, :clients) i;
COMMIT;

-- Sessions: couple 1 has :big_sessions hourly sessions; the others are weekly, spread evenly.
-- Sessions in the past are completed (every third has a shared summary), later ones scheduled.
BEGIN;
CREATE TEMP TABLE seed_sessions AS
SELECT s,
       CASE WHEN s <= :big_sessions THEN 1 ELSE 2 + (s - :big_sessions - 1) % (:couples - 1) END AS couple,
       CASE WHEN s <= :big_sessions THEN timestamp '2014-01-06 08:00' + (s * interval '1 hour')
            ELSE timestamp '2024-01-01 09:00' + ((s - :big_sessions - 1) / (:couples - 1)) * interval '7 days'
                 + ((s - :big_sessions - 1) % (:couples - 1)) % 480 * interval '1 minute' END AS starts_at
FROM generate_series(1, :sessions) s;

INSERT INTO sessions (id, practice_id, couple_id, client_id, counselor_id, starts_at, ends_at, duration_minutes, modality,
                      status, cancellation_reason, summary_text, summary_shared_at, version, created_at, updated_at)
SELECT pg_temp.bid('d0000000', t.s), x.practice_id, pg_temp.bid('c0000000', t.couple), NULL,
       pg_temp.bid('a0000000', (t.couple - 1) % :counselors + 1), t.starts_at, t.starts_at + interval '50 minutes', 50,
       (ARRAY['in_person','telehealth','phone'])[1 + t.s % 3],
       CASE WHEN t.starts_at < x.now_at THEN 'completed' ELSE 'scheduled' END, NULL,
       CASE WHEN t.starts_at < x.now_at AND t.s % 3 = 0 THEN 'We talked about what honesty looks like day to day. Homework: one check-in each evening.' END,
       CASE WHEN t.starts_at < x.now_at AND t.s % 3 = 0 THEN t.starts_at + interval '1 day' END,
       1, t.starts_at - interval '14 days', t.starts_at - interval '14 days'
FROM seed_ctx x, seed_sessions t;

INSERT INTO session_attendees (session_id, client_id, practice_id)
SELECT pg_temp.bid('d0000000', t.s), pg_temp.bid('b0000000', 2 * t.couple - 1 + p), x.practice_id
FROM seed_ctx x, seed_sessions t, generate_series(0, 1) p;
COMMIT;

-- Notes on completed sessions of couples 2.. (every k-th session), by the couple's counselor.
BEGIN;
INSERT INTO notes (id, practice_id, session_id, couple_id, client_id, author_id, body, topics, agreements, risk_level,
                   status, signed_at, signed_by, content_sha256, version, created_at, updated_at)
SELECT pg_temp.bid('e0000000', n), x.practice_id, pg_temp.bid('d0000000', t.s), pg_temp.bid('c0000000', t.couple), NULL,
       pg_temp.bid('a0000000', (t.couple - 1) % :counselors + 1),
       repeat('Partners described the week since disclosure; the injured partner named three triggers. ', 6) || n,
       '["disclosure","triggers"]', '["daily check-in"]', (ARRAY['none','low','moderate','high'])[1 + n % 4],
       CASE WHEN n % 4 = 0 THEN 'draft' ELSE 'signed' END,
       CASE WHEN n % 4 = 0 THEN NULL ELSE t.starts_at + interval '2 hours' END,
       CASE WHEN n % 4 = 0 THEN NULL ELSE pg_temp.bid('a0000000', (t.couple - 1) % :counselors + 1) END,
       CASE WHEN n % 4 = 0 THEN NULL ELSE md5(n::text) || md5(n::text) END,
       1, t.starts_at + interval '1 hour', t.starts_at + interval '1 hour'
FROM seed_ctx x,
     generate_series(1, :notes) n
     JOIN seed_sessions t ON t.s = :big_sessions + 1 + ((n - 1) * ((:sessions - :big_sessions) / GREATEST(:notes, 1))) % GREATEST(:sessions - :big_sessions, 1);
COMMIT;

-- A session with a signed note says so (`sessions.note_signed`, which Mend sets when it signs a
-- note; builds from before the column skip this).
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'sessions' AND column_name = 'note_signed') THEN
    UPDATE sessions SET note_signed = TRUE WHERE id IN (SELECT session_id FROM notes WHERE status = 'signed');
  END IF;
END $$;

-- Audit rows to match: one create per client, couple, session and note, and one read per note.
BEGIN;
INSERT INTO audit_events (id, practice_id, at, actor_id, actor_role, action, resource_type, resource_id, outcome, request_id, ip)
SELECT pg_temp.bid('90000000', row_number() OVER ()), x.practice_id, e.at, e.actor, 'counselor', e.action, e.kind, e.rid,
       'success', pg_temp.bid('80000000', row_number() OVER ()), '10.0.0.7'
FROM seed_ctx x, (
    SELECT x2.now_at - interval '2 years' AS at, pg_temp.bid('a0000000', ((i + 1) / 2 - 1) % :counselors + 1) AS actor,
           'create' AS action, 'client' AS kind, pg_temp.bid('b0000000', i) AS rid
    FROM seed_ctx x2, generate_series(1, :clients) i
    UNION ALL
    SELECT x2.now_at - interval '2 years', pg_temp.bid('a0000000', (j - 1) % :counselors + 1), 'create', 'couple', pg_temp.bid('c0000000', j)
    FROM seed_ctx x2, generate_series(1, :couples) j
    UNION ALL
    SELECT t.starts_at - interval '14 days', pg_temp.bid('a0000000', (t.couple - 1) % :counselors + 1), 'create', 'session', pg_temp.bid('d0000000', t.s)
    FROM seed_sessions t
    UNION ALL
    SELECT n.created_at + r * interval '1 day', n.author_id, CASE WHEN r = 0 THEN 'create' ELSE 'read' END, 'note', n.id
    FROM notes n, generate_series(0, 1) r
) e;
COMMIT;

-- Settle the database as a running practice's would be: visibility map set and statistics fresh
-- (so autovacuum does not start on the new tables during the runs), and the seed's dirty pages
-- written out (so a checkpoint spread over the next minutes does not stall the first runs).
VACUUM (ANALYZE);
CHECKPOINT;
SELECT (SELECT count(*) FROM users WHERE role = 'counselor') AS counselors, (SELECT count(*) FROM clients) AS clients,
       (SELECT count(*) FROM couples) AS couples, (SELECT count(*) FROM sessions) AS sessions,
       (SELECT count(*) FROM notes) AS notes, (SELECT count(*) FROM audit_events) AS audit_events;
