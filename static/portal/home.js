// The overview: the next session and what is waiting for the person. It fetches nothing of its own.

import { h } from "/shared/h.js";
import { card, empty } from "/shared/ui.js";
import { words } from "./words.js";

const plural = (n, one, many) => (n === 1 ? one : many);

/**
 * `shows`: {me, sessions (all), and of the selected couple: boundaries, assessments, letters,
 * consents, releases, activities}; `ctx`: {time}.
 */
export function draw(shows, { time }) {
  const name = shows.me.preferred_name || shows.me.first_name;
  const now = Date.now();
  const next = shows.sessions.find((s) => s.status === "scheduled" && new Date(s.starts_at).getTime() >= now);
  const todo = [];
  const boundaries = shows.boundaries.filter((b) => !b.my_acknowledged_at && b.status !== "retired");
  if (boundaries.length) todo.push(["#/agreements", `${boundaries.length} agreement${plural(boundaries.length, "", "s")} to read and acknowledge`]);
  const pending = shows.assessments.filter((a) => a.status === "pending");
  if (pending.length) todo.push(["#/questionnaires", `${pending.length} short questionnaire${plural(pending.length, "", "s")} to answer`]);
  const returned = shows.letters.filter((l) => l.direction === "written" && l.status === "returned");
  if (returned.length) todo.push(["#/letters", `${returned.length} letter${plural(returned.length, "", "s")} your counselor returned with a note`]);
  const unsigned = shows.consents.filter((c) => !c.my_signed_at);
  if (unsigned.length) todo.push(["#/consent", "Your confidentiality agreement to read and sign"]);
  const releases = shows.releases.filter((r) => r.status === "pending" && !r.my_authorized_at);
  if (releases.length) todo.push(["#/consent", `${releases.length} request${plural(releases.length, "", "s")} to share records, waiting for your answer`]);
  const activities = shows.activities.filter((a) => a.status === "active");
  return [
    h("p", { class: "lead", text: `Hello, ${name}. Take your time; nothing here has to be done all at once.` }),
    h("section", { "aria-labelledby": "next-h" },
      h("h2", { id: "next-h", text: "Your next session" }),
      next ? card(h("p", { class: "big", text: time.when(next.starts_at) }),
        h("p", { text: `${next.duration_minutes} minutes · ${words.modality[next.modality] || next.modality}${next.counselor_name ? ` · with ${next.counselor_name}` : ""}` }))
        : empty("No session is planned yet.")),
    h("section", { "aria-labelledby": "todo-h" },
      h("h2", { id: "todo-h", text: "Waiting for you" }),
      todo.length ? h("ul", { class: "todo" }, todo.map(([href, text]) => h("li", {}, h("a", { href }, text))))
        : empty("Nothing is waiting for you right now.")),
    activities.length ? h("section", { "aria-labelledby": "act-h" },
      h("h2", { id: "act-h", text: "Between sessions" }),
      h("p", {}, `You have ${activities.length} activit${plural(activities.length, "y", "ies")} to do. `, h("a", { href: "#/activities" }, "Log how it went"), "."))
      : null,
  ];
}
