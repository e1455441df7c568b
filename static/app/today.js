// Today: what needs the counselor now (GET /worklist), grouped and in words, each item one click
// from where it is done; and the caller's sessions today and tomorrow. Two calls.

import { h } from "/shared/h.js";
import { card, empty } from "/shared/ui.js";
import { addDays, weekday } from "/shared/time.js";
import { attendeesOf, plural, sessionHref, words } from "./words.js";

/** The worklist's kinds, in the groups a counselor works through them. */
const GROUPS = [
  { title: "Waiting for your review", kinds: ["letter_submitted", "checkin_broken", "assessment_completed", "release_ready"] },
  { title: "Notes and summaries to finish", kinds: ["note_unsigned", "session_needs_note", "summary_unshared"] },
  { title: "Sessions to close", kinds: ["session_needs_status"] },
  { title: "Coming due", kinds: ["assessment_overdue", "boundary_review_due", "consent_unsigned"] },
];

export async function load(api, _route, { me, time }) {
  const day = time.today();
  const [work, sessions] = await Promise.all([
    api.call("GET", "/worklist?limit=100"),
    api.call("GET", `/sessions?from=${day}&to=${addDays(day, 1)}&counselor_id=${me.id}&limit=100`),
  ]);
  return { day, work: work.items, more: Boolean(work.next_cursor), sessions: sessions.items };
}

export const title = () => "Today";

/** Where an item is done: the couple's chart or the client's record, at the session or note. */
export function itemHref(item) {
  const base = item.couple ? `#/couple/${item.couple.id}` : item.client ? `#/client/${item.client.id}` : "#/caseload";
  if (item.resource_type === "session") return `${base}?session=${item.resource_id}`;
  if (item.resource_type === "note") return `${base}?note=${item.resource_id}`;
  if (item.kind === "assessment_overdue" || item.kind === "assessment_completed") {
    return item.couple ? `#/measures/${item.couple.id}` : `#/client-measures/${item.client.id}`;
  }
  if (item.kind === "consent_unsigned") return `#/consent/${item.couple.id}`;
  if (item.kind === "release_ready") return item.couple ? `#/releases/${item.couple.id}` : `#/client-releases/${item.client.id}`;
  if (item.kind === "letter_submitted" && item.couple) return `#/letters/${item.couple.id}?status=submitted&letter=${item.resource_id}`;
  if (["checkin_broken", "boundary_review_due"].includes(item.kind) && item.couple) return `#/plan/${item.couple.id}?boundary=${item.resource_id}`;
  return base;
}

function workItem(item, time) {
  const whose = item.couple ? item.couple.name : item.client ? item.client.name : "";
  const due = item.due_on ? ` Due ${time.day(item.due_on)}.` : "";
  const since = time.dateOf(item.since) === time.today() ? "today" : time.on(item.since);
  return h("li", { class: "work" },
    whose ? h("span", { class: "whose", text: whose }) : null,
    h("a", { href: itemHref(item), text: item.title }),
    h("span", { class: "meta", text: ` Since ${since}.${due}` }));
}

function sessionRow(s, { time }) {
  return h("li", { class: "slot" },
    h("span", { class: "when", text: `${time.clock(s.starts_at)}` }),
    h("span", { class: "what" },
      h("a", { href: sessionHref(s), text: attendeesOf(s) }),
      h("span", { class: "meta", text: ` ${s.duration_minutes} min · ${words.modality[s.modality]}${s.status === "scheduled" ? "" : ` · ${words.session[s.status]}`}` })));
}

export function draw(data, ctx) {
  const { time, me } = ctx;
  const { day, work, sessions } = data;
  const tomorrow = addDays(day, 1);
  const groups = GROUPS.map((g) => ({ ...g, items: work.filter((i) => g.kinds.includes(i.kind)) }))
    .filter((g) => g.items.length);
  const known = new Set(GROUPS.flatMap((g) => g.kinds));
  const other = work.filter((i) => !known.has(i.kind));
  if (other.length) groups.push({ title: "Other", items: other });
  const days = [[day, "Today"], [tomorrow, "Tomorrow"]].map(([d, label]) => {
    const list = sessions.filter((s) => time.dateOf(s.starts_at) === d && s.status !== "cancelled");
    return h("section", { class: "day", "aria-labelledby": `day-${label}` },
      h("h3", { id: `day-${label}`, text: `${label}, ${weekday(d)}` }),
      list.length ? h("ul", { class: "slots" }, list.map((s) => sessionRow(s, ctx))) : empty("No sessions."));
  });
  return [
    h("p", { class: "lead", text: `Good to see you, ${me.display_name}. ${work.length
      ? `${plural(work.length, "thing needs", "things need")} you.` : "Nothing is waiting for you."}` }),
    h("div", { class: "columns" },
      h("section", { class: "col-wide", "aria-labelledby": "work-h" },
        h("h2", { id: "work-h", text: "Needs you" }),
        groups.length ? groups.map((g) => card(h("h3", { text: g.title }), h("ul", { class: "worklist" }, g.items.map((i) => workItem(i, time)))))
          : empty("You are up to date: no letters, notes, summaries or sessions wait for you."),
        data.more ? h("p", { class: "meta", text: "Showing the 100 oldest items." }) : null),
      h("section", { class: "col-narrow", "aria-labelledby": "sessions-h" },
        h("h2", { id: "sessions-h", text: "Your sessions" }),
        card(days),
        h("p", {}, h("a", { href: "#/calendar", text: "Open the calendar" })))),
  ];
}
