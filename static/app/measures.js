// Questionnaires (outcome measures) of a couple (`#/measures/COUPLE`) or of one client
// (`#/client-measures/CLIENT`): send one (to both partners, or to the client), enter a paper form
// with the day it was filled in, and each partner's scores over time, as the server's chart and
// as a table with every point (for screen readers, and for anyone who wants the numbers).
// Calls: the couple or client; when the caller is assigned, the instruments and the assessments;
// for a couple, the measures of each questionnaire answered, and its chart (an image, fetched
// with the token and shown from memory). An admin who is not assigned gets the first call only.

import { h } from "/shared/h.js";
import { card, empty, errorBox, field, radios, submitting } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { inlineForm } from "./record.js";
import { notAssigned, sectionLinks } from "./sections.js";
import { coupleName, personName, plural } from "./words.js";

export async function load(api, route, { me }) {
  const ofClient = route.name === "client-measures";
  const base = ofClient ? `/clients/${route.id}` : `/couples/${route.id}`;
  const subject = await api.call("GET", base);
  if (!subject.counselor_ids.includes(me.id)) return { ofClient, subject, assigned: false };
  const [instruments, assessments] = await Promise.all([
    api.call("GET", "/instruments"),
    api.listAll(`${base}/assessments`),
  ]);
  const answered = [...new Set(assessments.filter((a) => a.status === "completed").map((a) => a.instrument))];
  const measures = ofClient ? [] : await Promise.all(answered.map((key) =>
    api.call("GET", `${base}/measures/${encodeURIComponent(key)}`)));
  return { ofClient, subject, assigned: true, instruments: instruments.items, assessments, measures };
}

export const title = (data) => `Questionnaires: ${data.ofClient ? personName(data.subject) : coupleName(data.subject)}`;

/** The people a questionnaire goes to, by id: the partners, or the client. */
function peopleOf(data) {
  const list = data.ofClient ? [data.subject] : data.subject.partners;
  return new Map(list.map((p) => [p.id, personName(p)]));
}

const bandWords = (score, cutoff) => (score < cutoff ? "Below the cutoff" : "At or above the cutoff");
const dayOf = (a, time) => a.completed_on || time.dateOf(a.completed_at);

function sendForm(data, ctx) {
  const { api, act, time } = ctx;
  const id = data.subject.id;
  const which = field("Questionnaire", { tag: "select", name: "instrument", required: true });
  for (const i of data.instruments) which.input.append(h("option", { value: i.key }, i.title));
  const opens = field("Opens on", { type: "date", name: "opens_on", value: time.today(), min: time.today() },
    "The portal offers it from this day (practice time zone).");
  const due = field("Answer by (optional)", { type: "date", name: "due_on", min: time.today() },
    "After this day it shows on your worklist as overdue.");
  const err = errorBox();
  const toBoth = !data.ofClient;
  const form = h("form", { class: "stack", id: "send-questionnaire" },
    h("p", { class: "hint", text: toBoth
      ? "Each partner answers alone in their own portal. Neither partner sees the other's answers or score."
      : "The client answers in their portal. Their answers and score are for them and the counselors assigned." }),
    which.wrap, h("div", { class: "grid-fields" }, opens.wrap, due.wrap), err,
    h("button", { type: "submit", class: "button primary" }, toBoth ? "Send to both partners" : "Send to the client"));
  const key = newKey();
  submitting(form, "Sending…", () => {
    const body = { instrument: which.input.value };
    if (opens.input.value) body.opens_on = opens.input.value;
    if (due.input.value) body.due_on = due.input.value;
    const path = data.ofClient ? `/clients/${id}/assessments` : `/couples/${id}/assessments`;
    const when = body.opens_on && body.opens_on !== time.today() ? `from ${time.day(body.opens_on)}` : "now";
    return act(err, () => api.call("POST", path, body, { "idempotency-key": key }), {
      done: toBoth ? `The questionnaire is sent to both partners. Their portals offer it ${when}.`
        : `The questionnaire is sent. The client's portal offers it ${when}.`,
      words: { labels: { instrument: "Questionnaire", opens_on: "Opens on", due_on: "Answer by" } },
    });
  });
  return form;
}

function paperForm(a, instrument, ctx) {
  const { api, act, time } = ctx;
  const groups = instrument.items.map((item, i) => ({
    item,
    group: radios(`${i + 1}. ${item.text}`, `paper-${a.id}-${item.id}`,
      item.options.map((o) => ({ value: String(o.value), label: o.label, required: true }))),
  }));
  const day = field("Day the form was filled in", { type: "date", name: "completed_on", value: time.today(), max: time.today(), required: true },
    "This day is the point's date in the table and the chart.");
  const err = errorBox();
  const form = h("form", { class: "stack paper" }, groups.map((g) => g.group.wrap), day.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Save the paper form"));
  const labels = Object.fromEntries(instrument.items.map((item, i) => [`answers.${item.id}`, `Question ${i + 1}`]));
  labels.completed_on = "Day the form was filled in";
  submitting(form, "Saving…", () => {
    const answers = {};
    for (const g of groups) answers[g.item.id] = Number(g.group.value());
    return act(err, () => api.call("POST", `/assessments/${a.id}/responses`, { answers, completed_on: day.input.value }),
      { done: (r) => `The paper form is saved: score ${r.score}, dated ${time.day(r.completed_on || day.input.value)}.`,
        words: { labels, 409: "This questionnaire was already answered; the screen now shows its score." } });
  });
  return form;
}

function assessmentCard(a, data, ctx) {
  const { time } = ctx;
  const instrument = data.instruments.find((i) => i.key === a.instrument);
  const name = peopleOf(data).get(a.client_id) || "A client";
  const titleText = instrument ? instrument.title : a.instrument;
  const facts = [];
  if (a.status === "completed") {
    const range = instrument ? ` of ${instrument.score.max}` : "";
    facts.push(`Answered ${a.completed_on ? `on paper, filled in on ${time.day(a.completed_on)}` : `in the portal on ${time.on(a.completed_at)}`}.`,
      `Score ${a.score}${range}: ${a.band === "below_cutoff" ? "below" : "at or above"} the cutoff${instrument ? ` of ${instrument.score.cutoff}` : ""}.`);
  } else if (a.status === "pending") {
    const opens = a.opens_on && a.opens_on > time.today() ? `Opens in the portal on ${time.day(a.opens_on)}.` : "Waiting in the portal.";
    facts.push(opens, a.due_on ? `${a.due_on < time.today() ? "Overdue: was due" : "Due"} ${time.day(a.due_on)}.` : "No due date.");
  } else {
    facts.push("Cancelled.");
  }
  facts.push(`Sent ${time.on(a.created_at)}.`);
  return h("li", { class: `assessment ${a.status}`, id: `assessment-${a.id}` },
    h("h3", {}, `${titleText}: ${name}`,
      h("span", { class: `badge ${a.status === "pending" ? "draft" : a.status}`, text: { pending: "Waiting", completed: "Answered", cancelled: "Cancelled" }[a.status] })),
    h("p", { class: "meta", text: facts.join(" ") }),
    a.status === "pending" && instrument ? inlineForm("Enter a paper form", () => paperForm(a, instrument, ctx)) : null);
}

/** The points of each person, by day, as rows: date, person, score, against the cutoff. */
function pointsTable(caption, rows, cutoff, max, time) {
  rows.sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : x.name.localeCompare(y.name)));
  return h("div", { class: "table-wrap" }, h("table", { class: "points" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: `Date (${time.timeZone})` }),
      h("th", { scope: "col", text: "Partner" }),
      h("th", { scope: "col", text: `Score (of ${max})` }),
      h("th", { scope: "col", text: `Against the cutoff (${cutoff})` }))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("th", { scope: "row", text: time.day(r.day) }),
      h("td", { text: r.name }),
      h("td", { text: String(r.score) }),
      h("td", { text: bandWords(r.score, cutoff) }))))));
}

function change(p) {
  if (p.baseline === null || p.baseline === undefined) return "no answer yet";
  if (p.latest === p.baseline) return `first ${p.baseline}, latest the same`;
  return `first ${p.baseline}, latest ${p.latest} (${p.change > 0 ? "up" : "down"} ${Math.abs(p.change)})`;
}

/** A couple's trend on one questionnaire: each partner's change, the chart and the table. */
function coupleTrend(m, data, ctx) {
  const { api, time, later } = ctx;
  const instrument = data.instruments.find((i) => i.key === m.instrument) || { title: m.instrument, score: { max: "?" } };
  const names = m.partners.map((p) => p.name);
  const rows = m.partners.flatMap((p) => p.points.map((pt) => ({ day: pt.completed_on, name: p.name, score: pt.score })));
  const alt = `Chart of ${instrument.title} scores over time for ${names.join(" and ")}, with the cutoff line at ${m.cutoff}. `
    + "Every point is also in the table below it.";
  const slot = h("div", { class: "chart" }, h("p", { class: "loading", text: "Loading the chart…" }));
  later(slot, () => api.file(`/couples/${data.subject.id}/measures/${encodeURIComponent(m.instrument)}/chart.svg`, "image/svg+xml"), (blob) => {
    const url = URL.createObjectURL(blob);
    const img = h("img", { alt, class: "chart-image", width: 720, height: 360 });
    img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    img.addEventListener("error", () => URL.revokeObjectURL(url), { once: true });
    img.src = url;
    return img;
  });
  return card(
    h("h2", { text: `${instrument.title}: scores over time` }),
    h("ul", { class: "plain" }, m.partners.map((p) => h("li", {}, h("strong", { text: `${p.name}: ` }), change(p)))),
    h("p", { class: "hint", text: `Scores below ${m.cutoff} suggest notable relationship dissatisfaction; ${instrument.score.higher_is === "worse" ? "lower" : "higher"} is better.` }),
    slot,
    pointsTable(`${instrument.title} scores of both partners, by date`, rows, m.cutoff, instrument.score.max, time));
}

/** A client's trend, from their completed assessments (there is no chart for one client). */
function clientTrend(instrument, data, ctx) {
  const done = data.assessments.filter((a) => a.instrument === instrument.key && a.status === "completed");
  if (!done.length) return null;
  const name = personName(data.subject);
  const rows = done.map((a) => ({ day: dayOf(a, ctx.time), name, score: a.score }));
  return card(h("h2", { text: `${instrument.title}: scores over time` }),
    h("p", { class: "hint", text: `Scores below ${instrument.score.cutoff} suggest notable relationship dissatisfaction.` }),
    pointsTable(`${instrument.title} scores of ${name}, by date`, rows, instrument.score.cutoff, instrument.score.max, ctx.time));
}

export function draw(data, ctx) {
  const kind = data.ofClient ? "client" : "couple";
  const links = sectionLinks(kind, data.subject.id, data.ofClient ? "client-measures" : "measures",
    data.ofClient ? "This client's record" : "This couple's chart");
  if (!data.assigned) return [links, notAssigned("Questionnaires", kind, "Questionnaires, answers and scores")];
  const list = data.assessments.slice().reverse();
  const waiting = list.filter((a) => a.status === "pending").length;
  return [
    links,
    h("p", { class: "lead", text: list.length
      ? `${plural(list.length, "questionnaire", "questionnaires")} sent${waiting ? `, ${waiting} waiting for answers` : ", all answered or closed"}.`
      : "No questionnaire has been sent yet." }),
    inlineForm(data.ofClient ? "Send a questionnaire to the client" : "Send a questionnaire to both partners", () => sendForm(data, ctx), !list.length),
    data.ofClient ? data.instruments.map((i) => clientTrend(i, data, ctx)) : data.measures.map((m) => coupleTrend(m, data, ctx)),
    h("h2", { text: "Questionnaires sent" }),
    list.length ? h("ul", { class: "assessments plain" }, list.map((a) => assessmentCard(a, data, ctx))) : empty("None yet."),
    data.instruments.map((i) => h("p", { class: "hint", text: `${i.title}: ${i.citation}` })),
  ];
}
