// The calendar: a week (or a day) of sessions, the caller's own or, for an admin, any
// counselor's; scheduling, and on the day view rescheduling, cancelling with a reason and
// marking completed or no-show. Calls: the week's sessions (and for an admin, the staff list).

import { h } from "/shared/h.js";
import { empty, field } from "/shared/ui.js";
import { addDays, mondayOf, shortDate, weekday } from "/shared/time.js";
import { scheduleForm } from "./schedule.js";
import { inlineForm, sessionCard } from "./record.js";
import { attendeesOf, coupleName, personName, sessionHref, words } from "./words.js";

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export async function load(api, route, { me, time, isAdmin }) {
  const p = route.params;
  const day = ISO_DAY.test(p.get("day") || "") ? p.get("day") : time.today();
  const view = p.get("view") === "day" ? "day" : "week";
  const counselor = isAdmin && p.get("counselor") ? p.get("counselor") : me.id;
  const from = view === "day" ? day : mondayOf(day);
  const to = view === "day" ? day : addDays(from, 6);
  const [sessions, staff] = await Promise.all([
    api.listAll(`/sessions?from=${from}&to=${to}&counselor_id=${encodeURIComponent(counselor)}`),
    isAdmin ? api.listAll("/users") : null,
  ]);
  return { day, view, counselor, from, to, sessions, staff: staff && staff.filter((u) => u.role !== "client" && u.active) };
}

export function title(data) {
  return data.view === "day" ? `Calendar: ${weekday(data.day)}` : `Calendar: week of ${weekday(data.from)}`;
}

const href = (data, changes) => {
  const p = new URLSearchParams({ day: data.day, view: data.view });
  if (data.counselor) p.set("counselor", data.counselor);
  for (const [k, v] of Object.entries(changes)) p.set(k, v);
  return `#/calendar?${p}`;
};

function toolbar(data, ctx) {
  const step = data.view === "day" ? 1 : 7;
  const unit = data.view === "day" ? "day" : "week";
  const links = h("div", { class: "toolbar" },
    h("a", { class: "button small", href: href(data, { day: addDays(data.day, -step) }) }, `Previous ${unit}`),
    h("a", { class: "button small", href: href(data, { day: ctx.time.today() }) }, "Today"),
    h("a", { class: "button small", href: href(data, { day: addDays(data.day, step) }) }, `Next ${unit}`),
    h("a", { class: "button small quiet", href: href(data, { view: data.view === "day" ? "week" : "day" }) },
      data.view === "day" ? "Show the week" : "Show one day"));
  if (!data.staff) return links;
  const pick = field("Counselor", { tag: "select", name: "counselor" });
  for (const u of data.staff) pick.input.append(h("option", { value: u.id, selected: u.id === data.counselor }, u.id === ctx.me.id ? `${u.display_name} (you)` : u.display_name));
  pick.input.addEventListener("change", () => ctx.go(href(data, { counselor: pick.input.value })));
  return [links, h("div", { class: "picker" }, pick.wrap)];
}

function entry(s, { time }) {
  return h("li", { class: `entry ${s.status}` },
    h("a", { href: sessionHref(s) },
      h("span", { class: "when", text: time.clock(s.starts_at) }),
      h("span", { class: "who", text: attendeesOf(s) })),
    h("span", { class: "meta", text: `${s.duration_minutes} min · ${words.modality[s.modality]}${s.status === "scheduled" ? "" : ` · ${words.session[s.status]}`}` }));
}

function week(data, ctx) {
  const { time } = ctx;
  const free = data.counselor === ctx.me.id ? "Free" : "None you can see";
  const days = Array.from({ length: 7 }, (_, i) => addDays(data.from, i));
  return h("ol", { class: "week" }, days.map((d) => {
    const list = data.sessions.filter((s) => time.dateOf(s.starts_at) === d);
    return h("li", { class: `weekday${d === time.today() ? " is-today" : ""}` },
      h("h2", {}, h("a", { href: href(data, { day: d, view: "day" }), text: shortDate(d) }), d === time.today() ? h("span", { class: "meta", text: " (today)" }) : null),
      list.length ? h("ul", { class: "entries" }, list.map((s) => entry(s, ctx))) : h("p", { class: "empty", text: free }));
  }));
}

/** The "With" choice of the calendar's scheduling form: the caller's couples and clients (loaded when opened). */
function withWhom(ctx, slot) {
  return ctx.later(slot, () => Promise.all([ctx.api.listAll("/couples?status=active"), ctx.api.listAll("/clients?status=active")]), ([couples, clients]) => {
    const mine = (x) => x.counselor_ids.includes(ctx.me.id);
    const pick = field("With", { tag: "select", name: "with", required: true });
    pick.input.append(h("option", { value: "" }, "Choose a couple or client"));
    const cg = h("optgroup", { label: "Couples" }, couples.filter(mine).map((c) => h("option", { value: `couple:${c.id}` }, `${coupleName(c)} (${c.partners.map((p) => p.last_name).join(" / ")})`)));
    const pg = h("optgroup", { label: "Individual clients" }, clients.filter(mine).map((c) => h("option", { value: `client:${c.id}` }, personName(c))));
    pick.input.append(cg, pg);
    return scheduleForm(ctx, { pick, known: ctx.data.sessions, initial: { date: ctx.data.view === "day" ? ctx.data.day : ctx.time.today() } });
  });
}

export function draw(data, ctx) {
  ctx.data = data;
  const mine = data.counselor === ctx.me.id;
  const scheduling = mine ? inlineForm("Schedule a session", () => withWhom(ctx, h("div", {}, h("p", { class: "loading", text: "Loading your caseload…" })))) : null;
  if (data.view === "day") {
    const list = data.sessions;
    return [toolbar(data, ctx), scheduling, h("h2", { text: `Sessions on ${weekday(data.day)}` }),
      list.length ? list.map((s) => sessionCard(s, ctx, { known: list, compact: true })) : empty("No sessions on this day.")];
  }
  const others = mine ? null : h("p", { class: "hint", text: "You see this counselor's sessions with the couples and clients you are assigned to; the others stay private to them." });
  return [toolbar(data, ctx), others, scheduling, week(data, ctx)];
}
