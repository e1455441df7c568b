// A couple's activities between sessions (`#/activities/COUPLE_ID`): assign one from a template
// or written by the counselor, for both partners or one; pause, resume, complete or retire it;
// read its logs and reflections (the counselor reads every reflection; each says whether the
// other partner may read it too); adherence over the last 30 days as the API counts it.
// Calls: the couple; then, when the caller is assigned, its activities, the templates and the
// progress (four calls). An activity's logs are read when its "Logs and reflections" is opened
// (one call).

import { h, uid } from "/shared/h.js";
import { button, card, empty, errorBox, field, paragraphs, radios, submitting, twoStep } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { addDays } from "/shared/time.js";
import { inlineForm } from "./record.js";
import { coupleName, personName, plural } from "./words.js";
import { about, betweenWords as w, cadenceWords, coupleTabs, loadCouple, notAssigned, partnerName } from "./between.js";

const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

export async function load(api, route, { me }) {
  return loadCouple(api, route, me, async (couple) => {
    const [activities, templates, progress] = await Promise.all([
      api.listAll(`/couples/${couple.id}/activities`),
      api.call("GET", "/activity-templates"),
      api.call("GET", `/couples/${couple.id}/progress`),
    ]);
    return { activities, templates: templates.items, progress };
  });
}

export const title = (data) => `Activities: ${coupleName(data.couple)}`;

export function draw(data, ctx) {
  const { couple } = data;
  if (!data.assigned) return notAssigned(couple, "Activities, logs and reflections");
  const a = data.progress.activities;
  const current = data.activities.filter((x) => x.status === "active" || x.status === "paused");
  const past = data.activities.filter((x) => !current.includes(x));
  return [
    coupleTabs(couple, "activities"),
    card(h("h2", { text: "Adherence, last 30 days" }),
      h("dl", { class: "facts" },
        h("dt", { text: "Active" }), h("dd", { text: a.active ? plural(a.active, "activity", "activities") : "None" }),
        h("dt", { text: "Done" }), h("dd", { text: plural(a.logs_30d.completed, "completed log", "completed logs") }),
        h("dt", { text: "Missed" }), h("dd", { text: plural(a.logs_30d.missed, "time", "times") })),
      h("p", { class: "hint", text: "Missed counts each finished day of a daily activity (week of a weekly one) on which a partner it is for logged fewer completed times than it asks, for the activities active now." })),
    h("h2", { text: "Assign an activity" }),
    h("div", { class: "assign" },
      inlineForm("From a template", () => templateForm(data, ctx)),
      inlineForm("Write your own", () => writtenForm(data, ctx))),
    h("h2", { text: "Current activities" }),
    current.length ? current.map((x) => activityCard(x, data, ctx)) : empty("No activity is assigned now."),
    past.length ? [h("h2", { text: "Completed and retired" }), past.map((x) => activityCard(x, data, ctx))] : null,
  ];
}

function forWhom(couple, name) {
  return radios("For", uid(name), [
    { value: "both", label: "Both partners, together", checked: true },
    ...couple.partners.map((p) => ({ value: p.id, label: `${personName(p)} only` })),
  ]);
}

function templateForm({ couple, templates }, { api, act, time }) {
  const template = field("Activity", { tag: "select", name: "template", required: true });
  for (const t of templates) template.input.append(h("option", { value: t.key }, `${t.title} (${cadenceWords(t).toLowerCase()})`));
  const about = h("div", { class: "template-about", "aria-live": "polite" });
  const describe = () => {
    const t = templates.find((x) => x.key === template.input.value);
    about.replaceChildren(...(t ? [paragraphs(t.instructions), h("p", { class: "meta", text: `Reflection prompt: ${t.reflection_prompt}` })] : []));
  };
  template.input.addEventListener("change", describe);
  describe();
  const who = forWhom(couple, "tfor");
  const starts = field("Starts on", { type: "date", name: "starts_on", required: true, value: time.today() });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "assign-template" }, template.wrap, about, who.wrap, starts.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Assign the activity"));
  submitting(form, "Assigning…", () => act(err, () => api.call("POST", `/couples/${couple.id}/activities/from-template`,
    { template: template.input.value, starts_on: starts.input.value, assigned_to: who.value() }, { "idempotency-key": newKey() }),
  { done: (r) => `“${r.title}” is assigned. ${r.assigned_to === "both" ? "Both partners see" : `${partnerName(couple, r.assigned_to)} sees`} it in the portal.`,
    words: { labels: { starts_on: "Starts on", template: "Activity", assigned_to: "For" } } }));
  return form;
}

function writtenForm({ couple }, { api, act, time }) {
  const title = field("Title", { name: "title", required: true, maxlength: 200 });
  const instructions = field("Instructions (optional)", { tag: "textarea", name: "instructions", rows: 4, maxlength: 5000 });
  const who = forWhom(couple, "wfor");
  const cadence = field("How often", { tag: "select", name: "cadence", required: true });
  cadence.input.append(h("option", { value: "daily" }, "Daily"), h("option", { value: "weekly" }, "Weekly"), h("option", { value: "once" }, "Once"));
  const times = field("Times each day or week", { type: "number", name: "times_per_period", min: 1, max: 14, value: 1, required: true });
  const starts = field("Starts on", { type: "date", name: "starts_on", required: true, value: time.today() });
  const ends = field("Ends on (optional)", { type: "date", name: "ends_on" });
  const prompt = field("Reflection prompt (optional)", { name: "reflection_prompt", maxlength: 1000 }, "A question the partners answer when they log it.");
  const err = errorBox();
  const form = h("form", { class: "stack", id: "assign-written" }, title.wrap, instructions.wrap, who.wrap,
    h("div", { class: "grid-fields" }, cadence.wrap, times.wrap, starts.wrap, ends.wrap), prompt.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Assign the activity"));
  submitting(form, "Assigning…", () => act(err, () => api.call("POST", `/couples/${couple.id}/activities`, {
    title: title.input.value,
    instructions: instructions.input.value.trim() ? instructions.input.value : null,
    assigned_to: who.value(),
    cadence: cadence.input.value,
    times_per_period: Number(times.input.value),
    starts_on: starts.input.value,
    ends_on: ends.input.value || null,
    reflection_prompt: prompt.input.value.trim() ? prompt.input.value : null,
  }, { "idempotency-key": newKey() }), {
    done: (r) => `“${r.title}” is assigned.`,
    words: { labels: { title: "Title", instructions: "Instructions", times_per_period: "Times each day or week", starts_on: "Starts on", ends_on: "Ends on", reflection_prompt: "Reflection prompt", assigned_to: "For" } },
  }));
  return form;
}

// The activities whose logs the counselor opened: they stay open across redraws.
const logsOpen = new Set();

function activityCard(x, data, ctx) {
  const { couple } = data;
  const { api, act, time } = ctx;
  const patch = (body, done) => act(null, () => api.call("PATCH", `/activities/${x.id}`, body, ifMatch(x)), { done });
  const whom = x.assigned_to === "both" ? "both partners" : `${partnerName(couple, x.assigned_to)} only`;
  const open = ["active", "paused"].includes(x.status);
  return h("article", { class: `card activity ${x.status}`, id: `activity-${x.id}` },
    h("div", { class: "session-head" },
      h("h3", { id: `activity-h-${x.id}`, text: x.title }),
      h("span", { class: `badge ${x.status}`, text: w.activity[x.status] || x.status })),
    h("p", { class: "meta", text: [`${cadenceWords(x)}, for ${whom}`, `from ${time.day(x.starts_on)}`, x.ends_on ? `until ${time.day(x.ends_on)}` : null].filter(Boolean).join(" · ") }),
    x.instructions ? paragraphs(x.instructions) : null,
    x.reflection_prompt ? h("p", { class: "meta", text: `Reflection prompt: ${x.reflection_prompt}` }) : null,
    open ? h("div", { class: "actions" },
      about(x.status === "active" ? button("Pause", () => patch({ status: "paused" }, `“${x.title}” is paused. The partners cannot log it until you resume it.`))
        : button("Resume", () => patch({ status: "active" }, `“${x.title}” is active again.`), "primary"), `activity-h-${x.id}`),
      about(button("Mark completed", () => patch({ status: "completed" }, `“${x.title}” is completed.`)), `activity-h-${x.id}`),
      twoStep("Retire", "Yes, retire it", () => patch({ status: "retired" }, `“${x.title}” is retired.`))) : null,
    logsPart(x, data, ctx));
}

function logsPart(x, { couple }, ctx) {
  const { time } = ctx;
  const slot = h("div", {}, h("p", { class: "loading", text: "Loading logs…" }));
  const details = h("details", { class: "notes", open: logsOpen.has(x.id) }, h("summary", { text: "Logs and reflections" }), slot);
  let loaded = false;
  const fill = () => {
    if (loaded) return;
    loaded = true;
    ctx.later(slot, () => ctx.api.listAll(`/activities/${x.id}/logs`), (logs) => {
      if (!logs.length) return empty("Nothing logged yet.");
      const since = addDays(time.today(), -29);
      const recent = logs.filter((l) => l.done_on >= since);
      const people = x.assigned_to === "both" ? couple.partners.map((p) => p.id) : [x.assigned_to];
      const per = people.map((id) => `${partnerName(couple, id)}: ${plural(recent.filter((l) => l.client_id === id && l.completed).length, "time", "times")} done`);
      const staff = new Set([...couple.counselor_ids, ctx.me.id]);
      const sorted = [...logs].sort((a, b) => (a.done_on < b.done_on ? 1 : a.done_on > b.done_on ? -1 : 0));
      return [
        h("p", { text: `Last 30 days: ${per.join("; ")}.` }),
        h("ul", { class: "plain logs" }, sorted.map((l) => {
          const author = partnerName(couple, l.client_id);
          const other = couple.partners.find((p) => p.id !== l.client_id);
          return h("li", { class: "log" },
            h("span", { class: "when", text: `${time.day(l.done_on)}: ${author}, ${l.completed ? "done" : "not done"}${staff.has(l.recorded_by) ? " (recorded in session)" : ""}` }),
            l.reflection ? [h("span", { class: "quote", text: l.reflection }),
              h("span", { class: `meta block ${l.shared_with_partner ? "" : "private"}`.trim(), text: l.shared_with_partner
                ? `Shared: ${other ? other.preferred_name || other.first_name : "the partner"} reads it too.`
                : `Private: for the counselors only; ${other ? other.preferred_name || other.first_name : "the partner"} does not see it.` })] : null);
        })),
      ];
    });
  };
  details.addEventListener("toggle", () => {
    if (details.open) {
      logsOpen.add(x.id);
      fill();
    } else {
      logsOpen.delete(x.id);
    }
  });
  if (details.open) fill();
  return details;
}
