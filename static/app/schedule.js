// The form that schedules a session (POST /sessions), used by the calendar, a couple's chart and
// a client's record; and the overlap conflict in words.

import { h } from "/shared/h.js";
import { errorBox, field, submitting } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { attendeesOf, words } from "./words.js";

const DURATIONS = [30, 45, 50, 60, 75, 90, 120];

/** The date, time, length and modality fields; `value()` gives {starts_at, duration_minutes, modality}. */
export function whenFields(time, initial) {
  const i = initial || {};
  const date = field("Date", { type: "date", name: "date", required: true, value: i.date || time.today() });
  const at = field(`Start time (${time.zone()})`, { type: "time", name: "time", required: true, step: 300, value: i.time || "10:00" });
  const length = field("Length", { tag: "select", name: "duration" });
  for (const m of DURATIONS) length.input.append(h("option", { value: m, selected: m === (i.duration || 50) }, `${m} minutes`));
  const modality = field("Where", { tag: "select", name: "modality" });
  for (const [v, label] of Object.entries(words.modality)) modality.input.append(h("option", { value: v, selected: v === (i.modality || "in_person") }, label));
  return {
    wrap: h("div", { class: "grid-fields" }, date.wrap, at.wrap, length.wrap, i.noModality ? null : modality.wrap),
    value: () => ({
      starts_at: time.instant(date.input.value, at.input.value),
      duration_minutes: Number(length.input.value),
      modality: modality.input.value,
    }),
  };
}

/**
 * The overlap conflict in words: the caller's session that the new time would overlap, when it is
 * among `known` sessions; else the server's sentence.
 */
export function overlap(e, { time }, known, wanted, except) {
  if (!e || e.status !== 409) return null;
  const start = new Date(wanted.starts_at).getTime();
  const end = start + wanted.duration_minutes * 60000;
  const hit = (known || []).find((s) => s.id !== except && s.status === "scheduled"
    && new Date(s.starts_at).getTime() < end && new Date(s.starts_at).getTime() + s.duration_minutes * 60000 > start);
  if (!hit) return (e.problem && e.problem.detail) || "That time overlaps another scheduled session.";
  const who = attendeesOf(hit);
  const stop = new Date(new Date(hit.starts_at).getTime() + hit.duration_minutes * 60000).toISOString();
  return `That time overlaps a session already scheduled${who ? ` with ${who}` : ""}: ${time.when(hit.starts_at)} to ${time.clock(stop)}. Please choose another time.`;
}

/**
 * A form scheduling a session for `target` ({couple_id} or {client_id}; or `pick`, a select
 * field whose value is "couple:ID" or "client:ID"); `known` are sessions to name in a conflict.
 */
export function scheduleForm(ctx, { target, pick, known, initial }) {
  const { time, act } = ctx;
  const when = whenFields(time, initial);
  const err = errorBox();
  const form = h("form", { class: "stack schedule" }, pick ? pick.wrap : null, when.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Schedule the session"));
  // One Idempotency-Key per body: a retry of the same request is answered once, a changed form is a new request.
  let key = null;
  let keyed = null;
  submitting(form, "Scheduling…", async () => {
    let body = { ...when.value() };
    if (target) body = { ...target, ...body };
    else {
      const [kind, id] = pick.input.value.split(":");
      if (!id) return;
      body[kind === "couple" ? "couple_id" : "client_id"] = id;
    }
    if (JSON.stringify(body) !== keyed) {
      keyed = JSON.stringify(body);
      key = newKey();
    }
    await act(err, () => ctx.api.call("POST", "/sessions", body, { "idempotency-key": key }), {
      done: `The session is scheduled for ${time.when(body.starts_at)}.`,
      explain: (e) => overlap(e, ctx, known, body),
      words: { labels: { starts_at: "Date and time", duration_minutes: "Length" } },
    });
  });
  return form;
}
