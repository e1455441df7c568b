// The parts of a couple's chart and of a client's record that are screens of their own
// (letters, boundaries and the plan, activities, questionnaires, the confidentiality policy,
// releases of records): the links between them, and
// what an admin who is not assigned is told instead. Shared by those screens and the chart.

import { h } from "/shared/h.js";
import { card, empty } from "/shared/ui.js";

const COUPLE = [
  ["couple", "Chart"],
  ["letters", "Letters"],
  ["plan", "Boundaries and plan"],
  ["activities", "Activities"],
  ["measures", "Questionnaires"],
  ["consent", "Confidentiality policy"],
  ["releases", "Releases of records"],
];
const CLIENT = [
  ["client", "Record"],
  ["client-measures", "Questionnaires"],
  ["client-releases", "Releases and disclosures"],
];

/** The links between a couple's (`kind` "couple") or a client's screens; `current` is marked. */
export function sectionLinks(kind, id, current, label) {
  const list = kind === "couple" ? COUPLE : CLIENT;
  return h("nav", { class: "sections", "aria-label": label },
    h("ul", {}, list.map(([name, text]) => h("li", {},
      h("a", { href: `#/${name}/${id}`, "aria-current": name === current ? "page" : null, text })))));
}

/** What an admin who is not assigned sees instead of clinical records (none is requested). */
export function notAssigned(heading, whom, what) {
  return card(h("h2", { text: heading }),
    empty(`You are not assigned to this ${whom}. ${what} are shown only to the counselors assigned.`));
}
