// Activities between sessions: log each one (a reflection is private unless its author shares
// it), and see what you and your partner logged.

import { h, uid } from "/shared/h.js";
import { card, empty, errorBox, field, paragraphs, radios, submitting } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { cadence } from "./words.js";

/** Every API call of this screen (its list, `activities`, is loaded with the others at sign-in). */
export function calls(api) {
  return {
    logs: (a) => api.listAll(`/portal/activities/${a.id}/logs`),
    log: (a, body) => api.call("POST", `/portal/activities/${a.id}/logs`, body, { "idempotency-key": newKey() }),
  };
}

/** `shows`: {activities} (of the selected couple); `ctx`: {time, calls, act, later}. */
export function draw(shows, ctx) {
  return [
    h("p", { class: "lead", text: "Things to do between sessions. Log each time you do one, and how it went." }),
    shows.activities.length ? shows.activities.map((a) => activity(a, ctx)) : empty("Your counselor hasn't given you any activities yet."),
  ];
}

function activity(a, ctx) {
  const { time, calls, later } = ctx;
  const parts = [
    h("h2", { text: a.title }),
    h("p", { class: "meta", text: [`${cadence(a)}, ${a.assigned_to === "both" ? "for both of you" : "for you"}`,
      `from ${time.day(a.starts_on)}`, a.ends_on ? `until ${time.day(a.ends_on)}` : null].filter(Boolean).join(" · ") }),
    a.instructions ? paragraphs(a.instructions) : null,
  ];
  if (a.status === "active") parts.push(logForm(a, ctx));
  else parts.push(h("p", { class: "status", text: "Your counselor has paused this activity for now." }));
  parts.push(later(h("div", { class: "history" }, h("p", { class: "meta", text: "Loading the logs…" })),
    () => calls.logs(a), (logs) => activityLogs(logs, time)));
  return card(...parts);
}

function activityLogs(logs, time) {
  const mine = logs.filter((l) => l.whose === "mine");
  const theirs = logs.filter((l) => l.whose === "partner");
  return [
    h("h3", { text: "What you logged" }),
    mine.length ? h("ul", { class: "plain logs" }, mine.map((l) => h("li", {},
      h("span", { class: "when", text: `${time.day(l.done_on)}: ${l.completed ? "done" : "not done"}` }),
      l.reflection ? h("span", { class: "quote", text: l.reflection }) : null,
      l.reflection ? h("span", { class: "meta block", text: l.shared_with_partner ? "Shared with your partner" : "Private: only you and your counselor" }) : null)))
      : empty("Nothing logged yet."),
    theirs.length ? [h("h3", { text: "What your partner logged" }),
      h("ul", { class: "plain logs" }, theirs.map((l) => h("li", {},
        h("span", { class: "when", text: `${time.day(l.done_on)}: ${l.completed ? "done" : "not done"}` }),
        l.reflection ? h("span", { class: "quote", text: l.reflection }) : h("span", { class: "meta block", text: "No reflection shared" }))))] : null,
  ];
}

function logForm(a, { time, calls, act }) {
  const done = radios("Did you do it?", uid("done"), [
    { value: "yes", label: "Yes", required: true },
    { value: "no", label: "Not this time" },
  ]);
  const date = field("Which day?", { type: "date", name: "done_on", required: true, value: time.today(), max: time.today(), min: a.starts_on });
  const reflection = field("Your reflection (optional)", { tag: "textarea", name: "reflection", maxlength: 5000, rows: 4 },
    a.reflection_prompt || "How did it go? What did you notice?");
  const share = radios("Who can read your reflection?", uid("share"), [
    { value: "private", label: "Only my counselor", detail: "Private. Your partner will not see it.", checked: true },
    { value: "shared", label: "My counselor and my partner", detail: "Shared. Your partner will see it on their activities page." },
  ], "Your counselor can read every reflection. Your partner sees it only if you choose “shared”. You can't change this after saving.");
  const err = errorBox();
  const form = h("form", { class: "stack" }, done.wrap, date.wrap, reflection.wrap, share.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Save log"));
  submitting(form, "Saving…", () => act(err, () => calls.log(a, {
    done_on: date.input.value,
    completed: done.value() === "yes",
    reflection: reflection.input.value.trim() ? reflection.input.value : null,
    share_with_partner: share.value() === "shared",
  }), ["activities"], {
    409: "You already logged this activity for that day. Pick another day, or leave it for today.",
    labels: { done_on: "The day", reflection: "Your reflection" },
  }, "Your log is saved."));
  return h("details", { class: "inline-form" }, h("summary", {}, "Log this activity"), form);
}
