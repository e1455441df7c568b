// A couple's chart: partners, counselors, status, presenting concern and progress at a glance;
// scheduling; the sessions in time order with their summaries and notes (./record.js).
// Calls: the couple; then, when the caller is assigned, its sessions and progress (and the note
// the route names, to open its session). An admin who is not assigned sees the directory view
// only: no session, summary or note is requested.
// (Letters, the plan, questionnaires and consent join this chart as sections of their own later.)

import { h } from "/shared/h.js";
import { card, empty } from "/shared/ui.js";
import { scheduleForm } from "./schedule.js";
import { inlineForm, sessionsPart } from "./record.js";
import { inviteButton } from "./caseload.js";
import { coupleName, personName, plural, words } from "./words.js";
import { sectionLinks } from "./sections.js";
import { betweenCard } from "./between.js";

export async function load(api, route, { me }) {
  const couple = await api.call("GET", `/couples/${route.id}`);
  if (!couple.counselor_ids.includes(me.id)) return { couple, assigned: false };
  const noteId = route.params.get("note");
  const [sessions, progress, note] = await Promise.all([
    api.listAll(`/sessions?couple_id=${couple.id}`),
    api.call("GET", `/couples/${couple.id}/progress`),
    noteId ? api.call("GET", `/notes/${noteId}`).catch(() => null) : null,
  ]);
  return { couple, assigned: true, sessions, progress, focus: note ? note.session_id : route.params.get("session") };
}

export const title = (data) => coupleName(data.couple);

function counselors(couple, me) {
  const others = couple.counselor_ids.filter((id) => id !== me.id).length;
  const you = couple.counselor_ids.includes(me.id) ? [`${me.display_name} (you)`] : [];
  return [...you, others ? plural(others, "other counselor", "other counselors") : null].filter(Boolean).join(" and ");
}

function progressPart(p, time) {
  const m = p.milestones;
  const checkins = p.boundaries.check_ins_30d;
  return card(
    h("h2", { id: "progress-h", text: "Progress at a glance" }),
    h("dl", { class: "facts" },
      h("dt", { text: "Sessions" }), h("dd", { text: `${p.sessions.completed ? `${p.sessions.completed} completed` : "None completed yet"}${p.sessions.next_at ? `; next ${time.when(p.sessions.next_at)}` : "; none scheduled"}` }),
      h("dt", { text: "Plan" }), h("dd", { text: m.total ? `${m.achieved} of ${m.total} milestones reached, ${m.in_progress} in progress` : "No plan yet" }),
      h("dt", { text: "Boundaries" }), h("dd", { text: `${p.boundaries.active ? plural(p.boundaries.active, "active boundary", "active boundaries") : "None active"}; ${checkins.kept + checkins.broken
        ? `in the last 30 days ${plural(checkins.kept, "check-in", "check-ins")} kept, ${checkins.broken} not kept` : "no check-ins in the last 30 days"}` })),
    m.by_phase.length ? h("ul", { class: "phases", "aria-label": "Milestones by phase" }, m.by_phase.map((ph) =>
      h("li", {}, h("span", { class: "phase", text: ph.phase }),
        h("meter", { min: 0, max: ph.total || 1, value: ph.achieved, "aria-label": `${ph.phase}: ${ph.achieved} of ${ph.total} reached` }),
        h("span", { class: "meta", text: `${ph.achieved}/${ph.total}` })))) : null);
}

export function draw(data, ctx) {
  const { couple } = data;
  const { time, me } = ctx;
  const partners = h("ul", { class: "plain" }, couple.partners.map((p) => h("li", { class: "partner" },
    h("a", { href: `#/client/${p.id}`, text: personName(p) }),
    data.assigned ? inviteButton(p, ctx) : null)));
  const facts = h("dl", { class: "facts" },
    h("dt", { text: "Status" }), h("dd", { text: words.couple[couple.status] }),
    data.assigned ? [h("dt", { text: "Counselors" }), h("dd", { text: counselors(couple, me) })] : null,
    couple.presenting_concern ? [h("dt", { text: "Presenting concern" }), h("dd", { class: "prose", text: couple.presenting_concern })] : null,
    couple.relationship_started_on ? [h("dt", { text: "Together since" }), h("dd", { text: time.day(couple.relationship_started_on) })] : null,
    h("dt", { text: "In care since" }), h("dd", { text: time.on(couple.created_at) }));
  const head = h("div", { class: "columns" },
    card(h("h2", { text: "Partners" }), partners, facts),
    data.assigned ? progressPart(data.progress, time) : null);
  if (!data.assigned) {
    return [head, card(h("h2", { text: "Clinical record" }),
      empty("You are not assigned to this couple. Sessions, summaries and notes are shown only to the counselors assigned."))];
  }
  return [
    sectionLinks("couple", couple.id, "couple", "This couple's chart"),
    head,
    betweenCard(couple),
    inlineForm("Schedule a session", () => scheduleForm(ctx, { target: { couple_id: couple.id }, known: data.sessions })),
    sessionsPart(data.sessions, ctx, data.focus),
  ];
}
