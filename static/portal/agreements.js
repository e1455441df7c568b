// Agreements (boundaries): read and acknowledge each one, check in on it, see your check-ins.

import { h, uid } from "/shared/h.js";
import { button, card, empty, errorBox, field, paragraphs, radios, submitting } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { words } from "./words.js";

/** Every API call of this screen (its list, `boundaries`, is loaded with the others at sign-in). */
export function calls(api) {
  return {
    checkIns: (b) => api.listAll(`/portal/boundaries/${b.id}/check-ins`),
    acknowledge: (b) => api.call("POST", `/portal/boundaries/${b.id}/acknowledge`),
    checkIn: (b, body) => api.call("POST", `/portal/boundaries/${b.id}/check-ins`, body, { "idempotency-key": newKey() }),
  };
}

/** `shows`: {me, boundaries} (of the selected couple); `ctx`: {time, calls, act, later}. */
export function draw(shows, ctx) {
  return [
    h("p", { class: "lead", text: "Agreements are the boundaries you and your partner worked out with your counselor. Acknowledging one means you have read it and agree to it." }),
    shows.boundaries.length ? shows.boundaries.map((b) => agreement(b, shows.me, ctx)) : empty("There are no agreements yet."),
  ];
}

function agreement(b, me, { time, calls, act, later }) {
  const mine = b.responsible_ids.includes(me.id);
  const theirs = b.responsible_ids.some((id) => id !== me.id);
  const keeps = mine && theirs ? "You both keep this agreement." : mine ? "You keep this agreement." : theirs ? "Your partner keeps this agreement." : null;
  const asked = b.requested_by ? (b.requested_by === me.id ? "You asked for it." : "Your partner asked for it.") : null;
  const err = errorBox();
  const ack = b.my_acknowledged_at
    ? h("p", { class: "done", text: `You acknowledged this on ${time.on(b.my_acknowledged_at)}.` })
    : b.status === "retired" ? null
      : button("I have read this and I agree", () => act(err, () => calls.acknowledge(b),
        ["boundaries"], {}, `Thank you. You acknowledged “${b.title}”.`), "primary");
  const parts = [
    h("h2", { text: b.title }),
    h("p", { class: "status", text: b.status === "proposed" && b.my_acknowledged_at ? "Waiting for your partner to acknowledge it" : words.boundary[b.status] || b.status }),
    b.description ? paragraphs(b.description) : null,
    h("p", { class: "meta", text: [keeps, asked, review(b, time)].filter(Boolean).join(" ") }),
    ack, err,
  ];
  // A check-in is about keeping an agreement: offered once the person has acknowledged it.
  if (b.status !== "retired" && b.my_acknowledged_at) parts.push(checkInForm(b, calls, act));
  else if (b.status !== "retired") parts.push(h("p", { class: "hint", text: "Once you have acknowledged this agreement, you can check in on it here." }));
  parts.push(later(h("div", { class: "history" }, h("p", { class: "meta", text: "Loading your check-ins…" })),
    () => calls.checkIns(b),
    (list) => list.length ? h("details", {}, h("summary", {}, `Your check-ins (${list.length})`),
      h("ul", { class: "plain" }, list.map((c) => h("li", {}, `${time.on(c.created_at)}: ${c.kept ? "kept" : "not kept"}`,
        c.note ? h("span", { class: "quote", text: c.note }) : null))))
      : h("p", { class: "meta", text: "You haven't checked in on this agreement yet." })));
  return card(...parts);
}

/** When the agreement will be looked at again, in words that fit the day (past, today, later). */
function review(b, time) {
  if (!b.review_on) return null;
  const today = time.today();
  if (b.review_on < today) return `You planned to look at it again together on ${time.day(b.review_on)}; your counselor will set a new time.`;
  if (b.review_on === today) return "You will look at it again together today.";
  return `You will look at it again together around ${time.day(b.review_on)}.`;
}

function checkInForm(b, calls, act) {
  const kept = radios("Since your last check-in, has this agreement been kept?", uid("kept"), [
    { value: "yes", label: "Yes, it has been kept", required: true },
    { value: "no", label: "No, not always" },
  ]);
  const note = field("Anything you want your counselor to know (optional)", { tag: "textarea", name: "note", maxlength: 2000, rows: 3 },
    "Your check-in is for your counselor. Your partner does not see it.");
  const err = errorBox();
  const form = h("form", { class: "stack" }, kept.wrap, note.wrap, err, h("button", { type: "submit", class: "button" }, "Save check-in"));
  submitting(form, "Saving…", () => act(err, () => calls.checkIn(b,
    { kept: kept.value() === "yes", note: note.input.value.trim() ? note.input.value : null }),
  ["boundaries"], { labels: { note: "Your note", kept: "Kept or not" } }, "Your check-in is saved."));
  return h("details", { class: "inline-form" }, h("summary", {}, "Check in on this agreement"), form);
}
