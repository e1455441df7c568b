// A chart's sessions, shared by a couple's chart and a client's record: each session in time order
// with its status and the actions on it (completed, no-show, reschedule, cancel with a reason),
// its summary (draft, edit, share) and its mediation notes (read, write, sign, addenda). Notes are
// read when a session's "Notes" is opened (one call), or at once for the session the route names.

import { h } from "/shared/h.js";
import { button, card, empty, errorBox, field, paragraphs, submitting, twoStep } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { overlap, whenFields } from "./schedule.js";
import { attendeesOf, sessionHref, words } from "./words.js";

const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

/** A form inside a disclosure: `<details><summary>label</summary><form>…</form></details>`. */
export function inlineForm(label, build, open) {
  const details = h("details", { class: "inline-form", open: Boolean(open) }, h("summary", { text: label }));
  details.append(build());
  return details;
}

function textForm({ label, name, value, submit, busy, hint, onSubmit, max }) {
  const text = field(label, { tag: "textarea", name, rows: 6, required: true, maxlength: max }, hint);
  if (value) text.input.value = value;
  const err = errorBox();
  const form = h("form", { class: "stack" }, text.wrap, err, h("button", { type: "submit", class: "button primary" }, submit));
  submitting(form, busy, () => onSubmit(text.input.value, err));
  return form;
}

function statusActions(s, ctx, known) {
  const { api, act, time } = ctx;
  if (s.status !== "scheduled") return null;
  const patch = (body, done, box, explain) =>
    act(box, () => api.call("PATCH", `/sessions/${s.id}`, body, ifMatch(s)), { done, explain });
  const started = new Date(s.starts_at).getTime() <= Date.now();
  return h("div", { class: "session-actions" },
    started ? h("div", { class: "actions" },
      button("Mark completed", () => patch({ status: "completed" }, "The session is marked completed."), "primary"),
      button("Mark no-show", () => patch({ status: "no_show" }, "The session is marked as a no-show."))) : null,
    inlineForm("Reschedule", () => {
      const when = whenFields(time, { date: time.dateOf(s.starts_at), time: time.hhmm(s.starts_at), duration: s.duration_minutes, modality: s.modality });
      const err = errorBox();
      const form = h("form", { class: "stack" }, when.wrap, err, h("button", { type: "submit", class: "button primary" }, "Move the session"));
      submitting(form, "Moving…", () => {
        const body = when.value();
        return patch(body, `The session is moved to ${time.when(body.starts_at)}.`, err, (e) => overlap(e, ctx, known, body, s.id));
      });
      return form;
    }),
    inlineForm("Cancel the session", () => textForm({
      label: "Reason for cancelling", name: "reason", submit: "Cancel the session", busy: "Cancelling…", max: 2000,
      hint: "Kept in the record. Clients do not see this reason.",
      onSubmit: (reason, err) => patch({ status: "cancelled", cancellation_reason: reason }, "The session is cancelled.", err),
    })));
}

function summaryPart(s, ctx) {
  const { api, act, time } = ctx;
  if (s.status === "cancelled" || (!s.summary && new Date(s.starts_at).getTime() > Date.now())) return null;
  const put = (text, err) => act(err, () => api.call("PUT", `/sessions/${s.id}/summary`, { text }), { done: "The summary draft is saved." });
  const sum = s.summary;
  if (!sum) {
    return inlineForm("Draft a summary for the attendees", () => textForm({
      label: "Summary", name: "summary", submit: "Save draft", busy: "Saving…", max: 20000,
      hint: "A draft is not visible to clients until you share it.", onSubmit: put,
    }));
  }
  return h("section", { class: "summary", "aria-label": `Summary of the session of ${time.when(s.starts_at)}` },
    h("h4", { text: sum.shared_at ? "Summary, shared with the attendees" : "Summary draft (not shared yet)" }),
    paragraphs(sum.text),
    sum.shared_at ? h("p", { class: "meta", text: `Shared on ${time.when(sum.shared_at)}.` })
      : h("div", { class: "actions" },
        twoStep("Share with the attendees", "Yes, share it now", () =>
          act(null, () => api.call("POST", `/sessions/${s.id}/summary/share`), { done: "The summary is shared: the attendees see it in their portal." })),
        inlineForm("Edit the draft", () => textForm({
          label: "Summary", name: "summary", value: sum.text, submit: "Save draft", busy: "Saving…", max: 20000, onSubmit: put,
        }))));
}

function noteView(n, ctx) {
  const { api, act, time, me } = ctx;
  const author = n.author_id === me.id ? `${n.author_name} (you)` : n.author_name;
  return h("article", { class: `note ${n.status}`, id: `note-${n.id}` },
    h("p", { class: "note-head" },
      h("span", { class: `badge ${n.status}`, text: words.note[n.status] }),
      ` By ${author}, ${n.status === "signed" ? `signed ${time.when(n.signed_at)}` : `started ${time.when(n.created_at)}`}`,
      n.risk_level && n.risk_level !== "none" ? h("span", { class: "badge risk", text: words.risk[n.risk_level] }) : null),
    paragraphs(n.body),
    n.topics && n.topics.length ? h("p", { class: "meta", text: `Topics: ${n.topics.join(", ")}` }) : null,
    n.agreements && n.agreements.length ? h("p", { class: "meta", text: `Agreements: ${n.agreements.join(", ")}` }) : null,
    (n.addenda || []).map((a) => h("div", { class: "addendum" },
      h("p", { class: "meta", text: `Addendum by ${a.author_name}, ${time.when(a.created_at)}` }), paragraphs(a.body))),
    n.status === "draft" && n.author_id === me.id ? h("div", { class: "actions" },
      twoStep("Sign the note", "Yes, sign and lock it", () =>
        act(null, () => api.call("POST", `/notes/${n.id}/sign`), { done: "The note is signed. It can no longer be changed; add an addendum if needed." })))
      : null,
    n.status === "signed" ? inlineForm("Add an addendum", () => textForm({
      label: "Addendum", name: "addendum", submit: "Add the addendum", busy: "Adding…", max: 50000,
      onSubmit: (body, err) => act(err, () => api.call("POST", `/notes/${n.id}/addenda`, { body }), { done: "The addendum is added to the signed note." }),
    })) : null);
}

function newNoteForm(s, ctx) {
  const { api, act } = ctx;
  const body = field("Note", { tag: "textarea", name: "note", rows: 7, required: true, maxlength: 50000 },
    "Mediation notes are for the counselors assigned; clients never see them.");
  const risk = field("Risk", { tag: "select", name: "risk" });
  for (const [v, label] of Object.entries(words.risk)) risk.input.append(h("option", { value: v }, label));
  const err = errorBox();
  const form = h("form", { class: "stack" }, body.wrap, risk.wrap, err, h("button", { type: "submit", class: "button primary" }, "Save the draft note"));
  const key = newKey();
  submitting(form, "Saving…", () => act(err, () => api.call("POST", `/sessions/${s.id}/notes`,
    { body: body.input.value, risk_level: risk.input.value }, { "idempotency-key": key }), { done: "The note is saved as a draft. Sign it when it is final." }));
  return form;
}

// The sessions whose notes the counselor has opened: they stay open when the chart is redrawn
// after an action (memory only, like everything else on the page).
const notesOpen = new Set();

function notesPart(s, ctx, focused) {
  const open = focused || notesOpen.has(s.id);
  if (s.status === "cancelled" || new Date(s.starts_at).getTime() > Date.now()) return null;
  const slot = h("div", { class: "notes-body" }, h("p", { class: "loading", text: "Loading notes…" }));
  const details = h("details", { class: "notes", open: Boolean(open) }, h("summary", { text: "Mediation notes" }), slot);
  let loaded = false;
  const fill = () => {
    if (loaded) return;
    loaded = true;
    ctx.later(slot, () => ctx.api.call("GET", `/sessions/${s.id}/notes?limit=100`), (list) => [
      list.items.length ? list.items.map((n) => noteView(n, ctx)) : empty("No note yet for this session."),
      inlineForm("Write a note", () => newNoteForm(s, ctx), !list.items.length && focused),
    ]);
  };
  details.addEventListener("toggle", () => {
    if (details.open) {
      notesOpen.add(s.id);
      fill();
    } else {
      notesOpen.delete(s.id);
    }
  });
  if (open) fill();
  return details;
}

/** One session as a card: when, who, status, the actions on it, its summary and notes. */
export function sessionCard(s, ctx, { known, focus, compact }) {
  const { time } = ctx;
  const end = new Date(new Date(s.starts_at).getTime() + s.duration_minutes * 60000).toISOString();
  const meta = [`${time.clock(s.starts_at)} to ${time.clock(end)}`, words.modality[s.modality], `with ${s.counselor_name}`];
  return card(
    h("div", { class: "session-head", id: `session-${s.id}` },
      h("h3", { tabindex: "-1", text: time.when(s.starts_at) }),
      s.status === "scheduled" && end < new Date().toISOString()
        ? h("span", { class: "badge draft", text: "Ended: not closed yet" })
        : h("span", { class: `badge ${s.status}`, text: words.session[s.status] })),
    h("p", { class: "meta", text: `${meta.join(" · ")}. Attending: ${attendeesOf(s)}.` }),
    s.cancellation_reason ? h("p", { class: "meta", text: `Reason for cancelling: ${s.cancellation_reason}` }) : null,
    statusActions(s, ctx, known),
    compact ? h("p", {}, h("a", { href: sessionHref(s), text: s.couple_id ? "Open the couple's chart" : "Open the client's record" }))
      : [summaryPart(s, ctx), notesPart(s, ctx, focus === s.id)]);
}

/** The sessions of a chart, upcoming first (soonest first), then past ones (latest first). */
export function sessionsPart(sessions, ctx, focus) {
  const now = Date.now();
  const upcoming = sessions.filter((s) => s.status === "scheduled" && new Date(s.starts_at).getTime() > now);
  const past = sessions.filter((s) => !upcoming.includes(s)).reverse();
  return [
    h("h2", { id: "upcoming-h", text: "Upcoming sessions" }),
    upcoming.length ? upcoming.map((s) => sessionCard(s, ctx, { known: sessions, focus })) : empty("No session is scheduled."),
    h("h2", { id: "past-h", text: "Past sessions" }),
    past.length ? past.map((s) => sessionCard(s, ctx, { known: sessions, focus })) : empty("No past sessions yet."),
  ];
}
