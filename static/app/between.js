// What the three screens of the work between sessions share (./letters.js, ./plan.js,
// ./activities.js): their words, the couple they open with (an admin who is not assigned gets the
// couple's directory view only and nothing clinical is asked for), the links between them and
// from the couple's chart, and the opening of the record a route names (`?letter=`, `?boundary=`).

import { h } from "/shared/h.js";
import { sectionLinks } from "./sections.js";
import { card, empty } from "/shared/ui.js";
import { coupleName } from "./words.js";

export const betweenWords = {
  letterKind: { impact: "Impact letter", accountability: "Accountability letter", response: "Response letter", other: "Letter" },
  letter: { submitted: "Waiting for your review", returned: "Returned to the author", released: "Released to the partner", withdrawn: "Withdrawn by the author" },
  boundary: { proposed: "Proposed", active: "Active", revised: "Being revised", retired: "Retired" },
  milestone: { not_started: "Not started", in_progress: "In progress", achieved: "Reached", set_aside: "Set aside" },
  phase: {
    acknowledge: "Acknowledge what happened",
    understand: "Understand how it happened",
    amends: "Make amends",
    rebuild: "Rebuild trust",
    reconnect: "Reconnect",
    forgive: "Forgive",
    sustain: "Sustain the change",
  },
  phases: ["acknowledge", "understand", "amends", "rebuild", "reconnect", "forgive", "sustain"],
  activity: { active: "Active", paused: "Paused", completed: "Completed", retired: "Retired" },
};

/** How often an activity asks to be done, in words ("Every day", "3 times a week", "Once"). */
export function cadenceWords(a) {
  if (a.cadence === "once") return "Once";
  const n = a.times_per_period;
  if (n === 1) return a.cadence === "daily" ? "Every day" : "Once a week";
  return `${n} times a ${a.cadence === "daily" ? "day" : "week"}`;
}

/** A partner of the couple by id: the name they go by ("Sam"), or "A partner". */
export function partnerName(couple, id) {
  const p = (couple.partners || []).find((x) => x.id === id);
  return p ? p.preferred_name || p.first_name : "A partner";
}

/** The other partner of the couple. */
export const otherOf = (couple, id) => (couple.partners || []).find((p) => p.id !== id);

/**
 * The couple first (assignment decides what else may be asked for), then, when the caller is
 * assigned, `more(couple)`'s calls in parallel. An admin who is not assigned asks for nothing else.
 */
export async function loadCouple(api, route, me, more) {
  const couple = await api.call("GET", `/couples/${route.id}`);
  if (!couple.counselor_ids.includes(me.id)) return { couple, assigned: false };
  return { couple, assigned: true, ...(await more(couple)) };
}

/** The couple's screens as links (every screen of the chart), the open one marked current. */
export function coupleTabs(couple, current) {
  return sectionLinks("couple", couple.id, current, `${coupleName(couple)}: parts of the record`);
}

/** The chart's card that leads to the work between sessions (shown to assigned staff only). */
export function betweenCard(couple) {
  return card(h("h2", { text: "Between sessions" }),
    h("ul", { class: "plain between-links" },
      h("li", {}, h("a", { href: `#/letters/${couple.id}`, text: "Letters" }), h("span", { class: "meta", text: " Read, return or release the partners' letters." })),
      h("li", {}, h("a", { href: `#/plan/${couple.id}`, text: "Boundaries and plan" }), h("span", { class: "meta", text: " Boundaries, check-ins and the trust-repair plan." })),
      h("li", {}, h("a", { href: `#/activities/${couple.id}`, text: "Activities" }), h("span", { class: "meta", text: " Homework, logs and reflections." }))));
}

/** What an admin who is not assigned to the couple sees instead of a screen's records. */
export function notAssigned(couple, what) {
  return [card(h("h2", { text: "Clinical record" }),
    empty(`You are not assigned to this couple. ${what} are shown only to the counselors assigned.`)),
  h("p", {}, h("a", { href: `#/couple/${couple.id}`, text: "Open the couple's chart" }))];
}

/** `el`, described by the element with id `by` (a row's heading), for buttons repeated on every row. */
export function about(el, by) {
  el.setAttribute("aria-describedby", by);
  return el;
}

// The address whose record was last revealed: a redraw after an action on the same screen keeps
// the counselor where they are working.
let revealed = null;
window.addEventListener("hashchange", () => {
  revealed = null;
});

/**
 * After the screen is drawn (and its heading focused): scrolls to the record the route names,
 * `#${prefix}-${id}`, and moves focus to its heading, so a worklist item opens where it is done.
 * Once per opening of the address.
 */
export function reveal(prefix, id) {
  if (!id || revealed === location.hash) return;
  revealed = location.hash;
  window.requestAnimationFrame(() => {
    const target = document.getElementById(`${prefix}-${id}`);
    if (!target) return;
    target.scrollIntoView({ block: "start" });
    const heading = target.querySelector("h2, h3");
    if (heading) heading.focus({ preventScroll: true });
  });
}

/** `n` things in words, 0 included ("no letters"). */
export const count = (n, one, many) => (n === 0 ? `no ${many}` : `${n} ${n === 1 ? one : many}`);
