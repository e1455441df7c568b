// Questionnaires (outcome measures): answer the ones waiting, see your score once answered.
// Each questionnaire's items load on their own.

import { h, uid } from "/shared/h.js";
import { card, empty, errorBox, radios, submitting } from "/shared/ui.js";

/** Every API call of this screen (its list, `assessments`, is loaded with the others at sign-in). */
export function calls(api) {
  return {
    read: (a) => api.call("GET", `/portal/assessments/${a.id}`),
    respond: (d, answers) => api.call("POST", `/portal/assessments/${d.id}/responses`, { answers }),
    trend: (instrument) => api.call("GET", `/portal/measures/${encodeURIComponent(instrument)}`),
  };
}

/** `shows`: {assessments} (of the selected couple); `ctx`: {time, calls, act, later}. */
export function draw(shows, ctx) {
  const { calls, later } = ctx;
  const items = shows.assessments;
  const answered = [...new Set(items.filter((a) => a.status === "completed").map((a) => a.instrument))];
  return [
    h("p", { class: "lead", text: "Short questionnaires help you and your counselor see how things change over time. Your answers are for you and your counselor only; your partner doesn't see them." }),
    items.length ? items.slice().reverse().map((a) => later(h("div", {}, card(h("p", { class: "meta", text: "Loading…" }))),
      () => calls.read(a), (d) => questionnaire(d, ctx)))
      : empty("There are no questionnaires for you right now."),
    answered.map((instrument) => later(h("div", {}), () => calls.trend(instrument), (m) => trend(m, ctx))),
  ];
}

/** Your own scores over time on one questionnaire, as a table (your partner's are never here). */
function trend(m, { time }) {
  if (m.points.length < 2) return null;
  const change = m.change > 0 ? `up ${m.change}` : m.change < 0 ? `down ${-m.change}` : "the same";
  return card(
    h("h2", { text: `Your scores over time (${m.instrument.toUpperCase()})` }),
    h("p", { text: `From your first answers to your latest, your score went ${change}.` }),
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Answered on" }), h("th", { scope: "col", text: "Your score" }))),
      h("tbody", {}, m.points.map((p) => h("tr", {}, h("td", { text: time.day(p.completed_on) }), h("td", { text: String(p.score) }))))));
}

function questionnaire(d, { time, calls, act }) {
  const q = d.questionnaire;
  const title = q ? q.title : d.instrument;
  const parts = [h("h2", { text: title })];
  if (d.status === "completed") {
    const range = q ? ` out of ${q.score.max}` : "";
    // A paper form is dated the day it was filled in, not the day it was typed in.
    const when = d.completed_on ? time.day(d.completed_on) : time.on(d.completed_at);
    parts.push(h("p", { class: "done", text: d.completed_on ? `You filled this in on paper on ${when}.` : `You answered this on ${when}.` }),
      d.score !== null && d.score !== undefined ? h("p", { text: `Your score: ${d.score}${range}. Your counselor will go through it with you.` }) : null);
  } else if (d.status === "cancelled") {
    parts.push(h("p", { class: "status", text: "Your counselor cancelled this questionnaire." }));
  } else if (q) {
    const groups = q.items.map((item, i) => ({
      item,
      group: radios(`${i + 1}. ${item.text}`, uid(item.id), item.options.map((o) => ({ value: String(o.value), label: o.label, required: true }))),
    }));
    const err = errorBox();
    const form = h("form", { class: "stack" }, d.due_on ? h("p", { class: "meta", text: `Please answer by ${time.day(d.due_on)}.` }) : null,
      groups.map((g) => g.group.wrap), err, h("button", { type: "submit", class: "button primary" }, "Send my answers"));
    const labels = Object.fromEntries(q.items.map((item, i) => [`answers.${item.id}`, `Question ${i + 1}`]));
    submitting(form, "Sending…", () => act(err, () => {
      const answers = {};
      for (const g of groups) answers[g.item.id] = Number(g.group.value());
      return calls.respond(d, answers);
    }, ["assessments"], { labels, 409: "You already answered this questionnaire." }, "Thank you. Your answers are saved."));
    parts.push(form, h("p", { class: "hint", text: `Source: ${q.citation}` }));
  }
  return card(...parts);
}
