// The plan: the milestones the counselor shared, by phase. It fetches nothing of its own.

import { h } from "/shared/h.js";
import { empty, paragraphs } from "/shared/ui.js";
import { words } from "./words.js";

/** `shows`: {milestones} (of the selected couple); `ctx`: {time}. */
export function draw(shows, { time }) {
  const items = shows.milestones;
  if (!items.length) return [empty("Your counselor hasn't shared a plan yet.")];
  const phases = [...words.phases, ...new Set(items.map((m) => m.phase).filter((p) => !words.phases.includes(p)))];
  return [
    h("p", { class: "lead", text: "The steps you are working through together, in order. It's normal for this to take time." }),
    phases.map((phase) => {
      const list = items.filter((m) => m.phase === phase).sort((a, b) => a.position - b.position);
      if (!list.length) return null;
      return h("section", { class: "phase" }, h("h2", { text: words.phase[phase] || phase }),
        h("ul", { class: "milestones" }, list.map((m) => h("li", { class: `milestone ${m.status}` },
          h("h3", { text: m.title }),
          h("p", { class: "status", text: m.status === "achieved" && m.achieved_on ? `Reached on ${time.day(m.achieved_on)}` : words.milestone[m.status] || m.status }),
          m.description ? paragraphs(m.description) : null,
          m.target_on && m.status !== "achieved" ? h("p", { class: "meta", text: `Aiming for ${time.day(m.target_on)}` }) : null))));
    }),
  ];
}
