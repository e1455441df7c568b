// A couple's letters (`#/letters/COUPLE_ID?status=&letter=`): the letters the partners sent to
// the counselor, by status; each read beside its earlier revisions; returned to its author with a
// comment, or released to the other partner. A draft is the author's alone: the API never gives
// one to staff, and nothing here asks for one.
// Calls: the couple; then, when the caller is assigned, its letters (of the chosen status), which
// carry their revisions. Two calls.

import { h } from "/shared/h.js";
import { card, empty, errorBox, field, paragraphs, submitting, twoStep } from "/shared/ui.js";
import { inlineForm } from "./record.js";
import { coupleName, plural } from "./words.js";
import { betweenWords as w, coupleTabs, loadCouple, notAssigned, otherOf, reveal } from "./between.js";

const STATUSES = ["submitted", "returned", "released", "withdrawn"];
const FILTERS = [[null, "All letters"], ["submitted", "Waiting for review"], ["returned", "Returned"], ["released", "Released"], ["withdrawn", "Withdrawn"]];
const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

export async function load(api, route, { me }) {
  const status = STATUSES.includes(route.params.get("status")) ? route.params.get("status") : null;
  return loadCouple(api, route, me, async (couple) => ({
    status,
    open: route.params.get("letter"),
    letters: await api.listAll(`/couples/${couple.id}/letters${status ? `?status=${status}` : ""}`),
  }));
}

export const title = (data) => `Letters: ${coupleName(data.couple)}`;

export function draw(data, ctx) {
  const { couple } = data;
  if (!data.assigned) return notAssigned(couple, "Letters");
  reveal("letter", data.open);
  const filters = h("nav", { class: "filters", "aria-label": "Letters by status" },
    h("ul", {}, FILTERS.map(([status, label]) => h("li", {},
      h("a", { href: `#/letters/${couple.id}${status ? `?status=${status}` : ""}`, "aria-current": status === data.status ? "page" : null, text: label })))));
  const shown = data.status ? w.letter[data.status].toLowerCase() : null;
  return [
    coupleTabs(couple, "letters"),
    h("p", { class: "lead", text: "Letters the partners wrote and sent to you. A draft is seen only by its author; a letter appears here once it is sent. Releasing a letter shows it to the other partner in their portal, for good." }),
    filters,
    h("p", { class: "meta", role: "status", text: data.status
      ? `${plural(data.letters.length, "letter", "letters")} ${shown}.`
      : `${plural(data.letters.length, "letter", "letters")} in all.` }),
    data.letters.length ? data.letters.map((l) => letterCard(l, data, ctx))
      : empty(data.status ? `No letter is ${shown}.` : "Neither partner has sent a letter yet."),
  ];
}

function letterCard(l, data, ctx) {
  const { time } = ctx;
  const { couple } = data;
  const other = otherOf(couple, l.author_id);
  const otherName = other ? other.preferred_name || other.first_name : "the other partner";
  const latest = l.revisions[l.revisions.length - 1];
  const earlier = l.revisions.slice(0, -1).reverse();
  const facts = [
    `${w.letterKind[l.kind] || "Letter"} by ${l.author_name}`,
    l.submitted_at ? `sent ${time.when(l.submitted_at)}` : null,
    l.revisions.length > 1 ? `revision ${l.revisions.length}` : null,
    l.released_at ? `released ${time.when(l.released_at)}` : null,
  ].filter(Boolean);
  const open = data.open === l.id || (data.status === "submitted" && l.status === "submitted");
  return h("article", { class: `card letter ${l.status}`, id: `letter-${l.id}` },
    h("div", { class: "session-head" },
      h("h2", { tabindex: "-1", text: l.title }),
      h("span", { class: `badge ${l.status}`, text: w.letter[l.status] || l.status })),
    h("p", { class: "meta", text: `${facts.join(" · ")}.` }),
    l.counselor_comment ? h("div", { class: "comment" },
      h("h3", { text: l.status === "returned" ? `Your comment to ${l.author_name} (returned)` : "The comment it was returned with" }),
      paragraphs(l.counselor_comment)) : null,
    l.status === "returned" ? h("p", { class: "hint", text: `${l.author_name} may be revising it. What they change is theirs alone until they send it again; here you see the text they last sent.` }) : null,
    h("details", { class: "read", open }, h("summary", { text: l.revisions.length > 1 ? "Read it beside its earlier revisions" : "Read the letter" }),
      h("div", { class: "revisions" },
        h("section", { class: "revision latest", "aria-label": "The text last sent" },
          h("h3", { text: latest ? `Revision ${latest.number}, sent ${time.on(latest.submitted_at)}` : "The text last sent" }),
          paragraphs(l.body, "letter-text")),
        h("section", { class: "revision earlier", "aria-label": "Earlier revisions" },
          h("h3", { text: "Earlier revisions" }),
          earlier.length ? earlier.map((r, i) => h("details", { class: "earlier-one", open: i === 0 },
            h("summary", { text: `Revision ${r.number}, sent ${time.on(r.submitted_at)}` }),
            paragraphs(r.body, "letter-text")))
            : empty("This is the first version sent.")))),
    l.status === "submitted" ? actions(l, otherName, ctx) : null);
}

function actions(l, otherName, { api, act }) {
  // After an action the letter leaves the "waiting" list: it is shown among all the letters.
  const shown = () => `#/letters/${l.couple_id}?letter=${l.id}`;
  const err = errorBox();
  const comment = field(`Comment for ${l.author_name}`, { tag: "textarea", name: "comment", rows: 5, required: true, maxlength: 5000 },
    `${l.author_name} reads this comment in their portal beside the letter; ${otherName} never sees it.`);
  const form = h("form", { class: "stack" }, comment.wrap, err, h("button", { type: "submit", class: "button primary" }, "Return the letter"));
  submitting(form, "Returning…", () => act(err, () => api.call("POST", `/letters/${l.id}/return`, { comment: comment.input.value }, ifMatch(l)),
    { done: `The letter is returned to ${l.author_name} with your comment.`, goTo: shown, words: { labels: { comment: "Comment" } } }));
  return h("div", { class: "letter-actions" },
    h("p", { class: "hint", text: `Releasing it shows this text to ${otherName} in their portal. It cannot be taken back.` }),
    h("div", { class: "actions" },
      twoStep(`Release to ${otherName}`, `Yes, release it to ${otherName} now`, () =>
        act(null, () => api.call("POST", `/letters/${l.id}/release`, undefined, ifMatch(l)),
          { done: `The letter is released: ${otherName} can read it in their portal now.`, goTo: shown })),
      inlineForm(`Return to ${l.author_name} with a comment`, () => form)));
}
