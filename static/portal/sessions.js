// Sessions and the summaries the counselor shared. It fetches nothing of its own.

import { h } from "/shared/h.js";
import { card, empty, paragraphs } from "/shared/ui.js";
import { words } from "./words.js";

/** `shows`: {sessions} (every session the person attends); `ctx`: {time}. */
export function draw(shows, { time }) {
  const now = Date.now();
  const upcoming = shows.sessions.filter((s) => s.status === "scheduled" && new Date(s.starts_at).getTime() >= now);
  const past = shows.sessions.filter((s) => !upcoming.includes(s)).reverse();
  const one = (s) => card(
    h("h3", { text: time.when(s.starts_at) }),
    h("p", { class: "meta", text: [s.kind === "individual" ? "Just you" : "Together with your partner", `${s.duration_minutes} minutes`, words.modality[s.modality] || s.modality,
      s.counselor_name ? `with ${s.counselor_name}` : null, s.status === "scheduled" ? null : words.session[s.status]].filter(Boolean).join(" · ") }),
    s.summary ? h("section", { class: "summary", "aria-label": "Summary from your counselor" },
      h("h4", { text: "Summary from your counselor" }),
      paragraphs(s.summary.text),
      h("p", { class: "meta", text: `Shared with you on ${time.on(s.summary.shared_at)}` })) : null);
  return [
    h("h2", { text: "Coming up" }),
    upcoming.length ? upcoming.map(one) : empty("No session is planned yet. Your counselor will add the next one."),
    h("h2", { text: "Past sessions" }),
    past.length ? past.map(one) : empty("No past sessions yet."),
  ];
}
