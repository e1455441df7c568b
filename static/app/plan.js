// A couple's boundaries and trust-repair plan (`#/plan/COUPLE_ID?boundary=`): propose a boundary,
// see each partner's acknowledgement, set it active, record a check-in and see the check-ins kept
// and not kept over time; create the plan from the trust-repair template, move its milestones
// through their statuses, and hide one from the partners or show it.
// Calls: the couple; then, when the caller is assigned, its boundaries, milestones and progress
// (four calls). A boundary's check-ins are read when its "Check-ins" is opened (one call), or at
// once for the boundary the route names.

import { h, uid } from "/shared/h.js";
import { button, card, empty, errorBox, field, paragraphs, radios, submitting, twoStep } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { inlineForm } from "./record.js";
import { coupleName, personName, plural } from "./words.js";
import { about, betweenWords as w, coupleTabs, loadCouple, notAssigned, partnerName, reveal } from "./between.js";

const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

export async function load(api, route, { me }) {
  return loadCouple(api, route, me, async (couple) => {
    const [boundaries, milestones, progress] = await Promise.all([
      api.listAll(`/couples/${couple.id}/boundaries`),
      api.listAll(`/couples/${couple.id}/milestones`),
      api.call("GET", `/couples/${couple.id}/progress`),
    ]);
    return { boundaries, milestones, progress, open: route.params.get("boundary") };
  });
}

export const title = (data) => `Boundaries and plan: ${coupleName(data.couple)}`;

export function draw(data, ctx) {
  const { couple } = data;
  if (!data.assigned) return notAssigned(couple, "Boundaries and the plan");
  reveal("boundary", data.open);
  const p = data.progress;
  const c = p.boundaries.check_ins_30d;
  return [
    coupleTabs(couple, "plan"),
    h("p", { class: "lead", text: `${p.boundaries.active ? plural(p.boundaries.active, "active boundary", "active boundaries") : "No active boundary"}; in the last 30 days ${c.kept + c.broken
      ? `${plural(c.kept, "check-in", "check-ins")} kept and ${c.broken} not kept` : "no check-ins"}. Plan: ${p.milestones.total
      ? `${p.milestones.achieved} of ${p.milestones.total} milestones reached, ${p.milestones.in_progress} in progress` : "not created yet"}.` }),
    h("h2", { id: "boundaries-h", text: "Boundaries" }),
    inlineForm("Propose a boundary", () => proposeForm(couple, ctx)),
    data.boundaries.length ? data.boundaries.map((b) => boundaryCard(b, data, ctx)) : empty("No boundary has been proposed yet."),
    h("h2", { id: "plan-h", text: "Trust-repair plan" }),
    planPart(data, ctx),
  ];
}

// ---- boundaries ----

function checkboxes(legend, name, options, hint) {
  const hintId = hint ? uid("hint") : null;
  const inputs = [];
  const wrap = h("fieldset", { class: "choices", "aria-describedby": hintId }, h("legend", { text: legend }),
    hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
    options.map((o) => {
      const id = uid("c");
      const input = h("input", { type: "checkbox", name, id, value: o.value, checked: o.checked });
      inputs.push(input);
      return h("div", { class: "choice" }, input, h("label", { for: id, text: o.label }));
    }));
  return { wrap, values: () => inputs.filter((i) => i.checked).map((i) => i.value) };
}

function proposeForm(couple, { api, act }) {
  const title = field("Boundary", { name: "title", required: true, maxlength: 200 }, "In the partners' own words, such as “No contact with the affair partner”.");
  const description = field("What it means in practice (optional)", { tag: "textarea", name: "description", rows: 4, maxlength: 5000 });
  const asked = field("Asked for by", { tag: "select", name: "requested_by" });
  asked.input.append(h("option", { value: "" }, "Not recorded"), ...couple.partners.map((p) => h("option", { value: p.id }, personName(p))));
  const keeps = checkboxes("Who keeps it", "responsible", couple.partners.map((p) => ({ value: p.id, label: personName(p) })), "At least one partner.");
  const review = field("Review on (optional)", { type: "date", name: "review_on" });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "propose-boundary" }, title.wrap, description.wrap, asked.wrap, keeps.wrap, review.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Propose the boundary"));
  submitting(form, "Proposing…", () => act(err, () => api.call("POST", `/couples/${couple.id}/boundaries`, {
    title: title.input.value,
    description: description.input.value.trim() ? description.input.value : null,
    requested_by: asked.input.value || null,
    responsible_ids: keeps.values(),
    review_on: review.input.value || null,
  }, { "idempotency-key": newKey() }), {
    done: "The boundary is proposed. Both partners see it in their portal and can acknowledge it.",
    words: { labels: { title: "Boundary", description: "What it means", responsible_ids: "Who keeps it", review_on: "Review on", requested_by: "Asked for by" } },
  }));
  return form;
}

// The boundaries whose check-ins the counselor opened: they stay open across redraws.
const checkInsOpen = new Set();

function boundaryCard(b, data, ctx) {
  const { couple } = data;
  const { api, act, time } = ctx;
  const names = (ids) => ids.map((id) => partnerName(couple, id)).join(" and ");
  const acks = couple.partners.map((p) => {
    const a = b.acknowledgements.find((x) => x.client_id === p.id);
    return h("li", { class: a ? "ack yes" : "ack no" },
      h("span", { class: "who", text: personName(p) }), ": ",
      a ? `acknowledged ${time.when(a.acknowledged_at)}` : "not acknowledged yet");
  });
  const due = b.review_on && b.review_on <= time.today() && b.status !== "retired";
  const patch = (body, done, box) => act(box || null, () => api.call("PATCH", `/boundaries/${b.id}`, body, ifMatch(b)), { done });
  const acts = h("div", { class: "actions" },
    ["proposed", "revised"].includes(b.status) ? about(button("Set it active", () => patch({ status: "active" }, `“${b.title}” is active.`), "primary"), `boundary-h-${b.id}`) : null,
    b.status === "active" ? about(button("Mark as being revised", () => patch({ status: "revised" }, `“${b.title}” is marked as being revised.`)), `boundary-h-${b.id}`) : null,
    b.status !== "retired" ? twoStep("Retire it", "Yes, retire it for good", () => patch({ status: "retired" }, `“${b.title}” is retired.`)) : null);
  return h("article", { class: `card boundary ${b.status}`, id: `boundary-${b.id}` },
    h("div", { class: "session-head" },
      h("h3", { tabindex: "-1", id: `boundary-h-${b.id}`, text: b.title }),
      h("span", { class: `badge ${b.status}`, text: w.boundary[b.status] || b.status })),
    b.description ? paragraphs(b.description) : null,
    h("dl", { class: "facts" },
      h("dt", { text: "Kept by" }), h("dd", { text: names(b.responsible_ids) }),
      b.requested_by ? [h("dt", { text: "Asked for by" }), h("dd", { text: partnerName(couple, b.requested_by) })] : null,
      h("dt", { text: "Review" }), h("dd", { class: due ? "due" : null, text: b.review_on ? `${time.day(b.review_on)}${due ? " (due for review)" : ""}` : "No date set" }),
      h("dt", { text: "Proposed" }), h("dd", { text: time.on(b.created_at) })),
    h("h4", { text: "Acknowledgements" }),
    h("ul", { class: "plain acks" }, acks),
    b.status !== "retired" ? acts : null,
    b.status !== "retired" ? h("div", { class: "session-actions" },
      inlineForm("Record a check-in", () => checkInForm(b, couple, ctx)),
      inlineForm(b.review_on ? "Change the review date" : "Set a review date", () => reviewForm(b, patch))) : null,
    checkInsPart(b, data, ctx));
}

function reviewForm(b, patch) {
  const date = field("Review on", { type: "date", name: "review_on", required: true, value: b.review_on });
  const err = errorBox();
  const form = h("form", { class: "stack" }, date.wrap, err, h("button", { type: "submit", class: "button" }, "Save the review date"));
  submitting(form, "Saving…", () => patch({ review_on: date.input.value }, "The review date is saved.", err));
  return form;
}

function checkInForm(b, couple, { api, act }) {
  const who = radios("Reported by", uid("by"), couple.partners.map((p, i) => ({ value: p.id, label: personName(p), required: i === 0 })));
  const kept = radios("Since the last check-in, was it kept?", uid("kept"), [
    { value: "yes", label: "Kept", required: true },
    { value: "no", label: "Not kept" },
  ]);
  const note = field("Note (optional)", { tag: "textarea", name: "note", rows: 3, maxlength: 2000 },
    "The partner who reported it sees this check-in in their portal; the other partner does not.");
  const err = errorBox();
  const form = h("form", { class: "stack" }, who.wrap, kept.wrap, note.wrap, err, h("button", { type: "submit", class: "button primary" }, "Save the check-in"));
  submitting(form, "Saving…", () => {
    checkInsOpen.add(b.id);
    return act(err, () => api.call("POST", `/boundaries/${b.id}/check-ins`, {
      reported_by: who.value(), kept: kept.value() === "yes", note: note.input.value.trim() ? note.input.value : null,
    }, { "idempotency-key": newKey() }), { done: "The check-in is saved.", words: { labels: { reported_by: "Reported by", kept: "Kept or not", note: "Note" } } });
  });
  return form;
}

function checkInsPart(b, data, ctx) {
  const { time } = ctx;
  const open = data.open === b.id || checkInsOpen.has(b.id);
  const slot = h("div", {}, h("p", { class: "loading", text: "Loading check-ins…" }));
  const details = h("details", { class: "notes", open }, h("summary", { text: "Check-ins, kept and not kept over time" }), slot);
  let loaded = false;
  const fill = () => {
    if (loaded) return;
    loaded = true;
    ctx.later(slot, () => ctx.api.listAll(`/boundaries/${b.id}/check-ins`), (list) => {
      if (!list.length) return empty("No check-in yet.");
      const kept = list.filter((c) => c.kept).length;
      const oldest = [...list].reverse();
      const staff = new Set([...data.couple.counselor_ids, ctx.me.id]);
      return [
        h("p", { text: `${plural(kept, "check-in", "check-ins")} kept, ${list.length - kept} not kept, since ${time.on(oldest[0].created_at)}.` }),
        h("ol", { class: "strip", "aria-label": "Check-ins, oldest first" }, oldest.map((c) =>
          h("li", { class: c.kept ? "kept" : "broken", title: `${time.on(c.created_at)}: ${c.kept ? "kept" : "not kept"}` },
            h("span", { "aria-hidden": "true", text: c.kept ? "✓" : "✗" }),
            h("span", { class: "visually-hidden", text: `${time.on(c.created_at)}: ${c.kept ? "kept" : "not kept"}` })))),
        h("ul", { class: "plain checkins" }, list.map((c) => h("li", { class: c.kept ? "kept" : "broken" },
          h("span", { class: `badge ${c.kept ? "completed" : "broken"}`, text: c.kept ? "Kept" : "Not kept" }),
          ` ${time.when(c.created_at)}, reported by ${c.reported_by_name}${staff.has(c.recorded_by) ? " (recorded in session)" : ""}`,
          c.note ? h("span", { class: "quote", text: c.note }) : null))),
      ];
    });
  };
  details.addEventListener("toggle", () => {
    if (details.open) {
      checkInsOpen.add(b.id);
      fill();
    } else {
      checkInsOpen.delete(b.id);
    }
  });
  if (open) fill();
  return details;
}

// ---- the plan ----

const MOVES = {
  not_started: [["in_progress", "Start it"], ["set_aside", "Set aside"]],
  in_progress: [["achieved", "Mark reached"], ["set_aside", "Set aside"]],
  achieved: [["in_progress", "Reopen"]],
  set_aside: [["in_progress", "Take it up again"]],
};

function planPart(data, ctx) {
  const { couple, milestones } = data;
  const { api, act } = ctx;
  if (!milestones.length) {
    const key = newKey();
    return card(
      empty("There is no plan yet. The trust-repair plan has seven phases, from acknowledging what happened to sustaining the change, each with its milestones. You can change, hide or add milestones after."),
      h("div", { class: "actions" }, button("Create the trust-repair plan", () => act(null, () =>
        api.call("POST", `/couples/${couple.id}/milestones/from-template`, { template: "trust-repair" }, { "idempotency-key": key }),
      { done: (r) => `The plan is created with ${plural(r.items.length, "milestone", "milestones")}. The partners see the milestones that are not hidden.` }), "primary")),
      inlineForm("Or add a single milestone", () => milestoneForm(couple, ctx)));
  }
  const phases = [...w.phases, ...new Set(milestones.map((m) => m.phase).filter((p) => !w.phases.includes(p)))];
  const hidden = milestones.filter((m) => !m.visible_to_clients).length;
  return [
    h("p", { class: "meta", text: `${plural(milestones.length, "milestone", "milestones")}; ${hidden ? `${hidden} hidden from the partners` : "all shown to the partners"}.` }),
    phases.map((phase) => {
      const list = milestones.filter((m) => m.phase === phase);
      if (!list.length) return null;
      const reached = list.filter((m) => m.status === "achieved").length;
      return card(h("h3", { text: `${w.phase[phase] || phase}` }, h("span", { class: "meta", text: ` ${reached} of ${list.length} reached` })),
        h("ul", { class: "plain milestones" }, list.map((m) => milestoneRow(m, ctx))));
    }),
    inlineForm("Add a milestone", () => milestoneForm(couple, ctx)),
  ];
}

function milestoneRow(m, { api, act, time }) {
  const patch = (body, done) => act(null, () => api.call("PATCH", `/milestones/${m.id}`, body, ifMatch(m)), { done });
  const when = m.status === "achieved" && m.achieved_on ? `Reached ${time.day(m.achieved_on)}` : m.target_on ? `Aiming for ${time.day(m.target_on)}` : null;
  return h("li", { class: `milestone ${m.status}`, id: `milestone-${m.id}` },
    h("div", { class: "milestone-head" },
      h("h4", { id: `milestone-h-${m.id}`, text: m.title }),
      h("span", { class: `badge ${m.status}`, text: w.milestone[m.status] || m.status }),
      m.visible_to_clients ? null : h("span", { class: "badge hidden-badge", text: "Hidden from the partners" })),
    m.description ? h("p", { class: "meta", text: m.description }) : null,
    when ? h("p", { class: "meta", text: when }) : null,
    h("div", { class: "actions" },
      (MOVES[m.status] || []).map(([to, label]) => about(button(label, () => patch({ status: to }, `“${m.title}”: ${w.milestone[to].toLowerCase()}.`), "small"), `milestone-h-${m.id}`)),
      about(m.visible_to_clients
        ? button("Hide from the partners", () => patch({ visible_to_clients: false }, `“${m.title}” is hidden from the partners.`), "small quiet")
        : button("Show to the partners", () => patch({ visible_to_clients: true }, `“${m.title}” is shown to the partners.`), "small quiet"), `milestone-h-${m.id}`)));
}

function milestoneForm(couple, { api, act }) {
  const title = field("Milestone", { name: "title", required: true, maxlength: 200 });
  const phase = field("Phase", { tag: "select", name: "phase", required: true });
  for (const p of w.phases) phase.input.append(h("option", { value: p }, w.phase[p]));
  const description = field("Description (optional)", { tag: "textarea", name: "description", rows: 3, maxlength: 5000 });
  const target = field("Aiming for (optional)", { type: "date", name: "target_on" });
  const shown = radios("Who sees it", uid("vis"), [
    { value: "yes", label: "The partners and the counselors", checked: true },
    { value: "no", label: "The counselors only (hidden from the partners)" },
  ]);
  const err = errorBox();
  const form = h("form", { class: "stack" }, title.wrap, phase.wrap, description.wrap, target.wrap, shown.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Add the milestone"));
  submitting(form, "Adding…", () => act(err, () => api.call("POST", `/couples/${couple.id}/milestones`, {
    title: title.input.value, phase: phase.input.value,
    description: description.input.value.trim() ? description.input.value : null,
    target_on: target.input.value || null, visible_to_clients: shown.value() === "yes",
  }, { "idempotency-key": newKey() }), { done: "The milestone is added.", words: { labels: { title: "Milestone", phase: "Phase", target_on: "Aiming for" } } }));
  return form;
}
