// Practice › Assignments: which counselors are assigned to each couple and each individual client,
// found by a partner's or client's name. An admin sees every couple of the practice (its partners
// and counselors only, nothing clinical) and every client's record. Four calls in parallel:
// couples and clients (both with the name searched), admins and counselors.

import { h } from "/shared/h.js";
import { card, empty, errorBox, field, submitting } from "/shared/ui.js";
import { inlineForm } from "./record.js";
import { coupleName, personName, words } from "./words.js";
import { ROLE, staffOf } from "./practice.js";

const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

export async function load(api, route) {
  const q = (route.params.get("q") || "").trim();
  const query = q ? `&q=${encodeURIComponent(q)}` : "";
  const [couples, clients, users] = await Promise.all([
    api.call("GET", `/couples?limit=100${query}`),
    api.call("GET", `/clients?limit=100${query}`),
    staffOf(api),
  ]);
  return { q, couples: couples.items, clients: clients.items, users, more: Boolean(couples.next_cursor || clients.next_cursor) };
}

export const title = () => "Assignments";

function searchForm(q, ctx) {
  const box = field("Find a couple or client by name", { type: "search", name: "q", value: q, autocomplete: "off" },
    "Any part of a partner's or client's first, last or preferred name.");
  const form = h("form", { class: "search", role: "search" }, box.wrap, h("button", { type: "submit", class: "button" }, "Search"),
    q ? h("a", { href: "#/practice/assignments", class: "clear" }, "Show everyone") : null);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = box.input.value.trim();
    ctx.go(v ? `#/practice/assignments?q=${encodeURIComponent(v)}` : "#/practice/assignments");
  });
  return form;
}

/** The names of the staff in `ids` ("Dana Rivera, Lee Park"), or what to say when there are none. */
function counselorNames(ids, byId) {
  if (!ids.length) return "No one assigned";
  return ids.map((id) => (byId.get(id) ? byId.get(id).display_name : "A former staff member")).join(", ");
}

/** Checkboxes of the active staff, the assigned ones ticked; submits `counselor_ids`. */
function assignForm(record, path, label, data, ctx, atLeastOne) {
  const active = data.users.filter((u) => u.active || record.counselor_ids.includes(u.id));
  const boxes = active.map((u) => {
    const id = `assign-${record.id}-${u.id}`;
    const input = h("input", { type: "checkbox", id, value: u.id, checked: record.counselor_ids.includes(u.id) });
    return { input, wrap: h("div", { class: "choice" }, input, h("label", { for: id }, u.display_name, h("span", { class: "detail", text: ROLE[u.role] }))) };
  });
  const err = errorBox();
  const form = h("form", { class: "stack" },
    h("fieldset", { class: "choices" }, h("legend", { text: `Counselors for ${label}` }), boxes.map((b) => b.wrap)),
    err, h("button", { type: "submit", class: "button primary" }, "Save the assignment"));
  submitting(form, "Saving…", async () => {
    const ids = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
    if (atLeastOne && !ids.length) {
      err.replaceChildren(h("p", { text: "A couple needs at least one counselor. To end their care, close the couple from its chart." }));
      err.hidden = false;
      err.focus();
      return;
    }
    const names = counselorNames(ids, new Map(data.users.map((u) => [u.id, u])));
    await ctx.act(err, () => ctx.api.call("PATCH", path, { counselor_ids: ids }, ifMatch(record)), {
      done: `${label}: ${names}.`,
      words: { labels: { counselor_ids: "Counselors" } },
    });
  });
  return form;
}

function couplesTable(data, ctx, byId) {
  if (!data.couples.length) return empty(data.q ? "No couple has a partner with that name." : "No couples yet.");
  return h("div", { class: "table-wrap" }, h("table", { id: "couple-assignments" },
    h("caption", { class: "visually-hidden", text: "Couples and their counselors" }),
    h("thead", {}, h("tr", {}, ["Couple", "Status", "Counselors", "Access reports"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, data.couples.map((c) => h("tr", {},
      h("th", { scope: "row" }, coupleName(c), h("span", { class: "meta block", text: c.partners.map(personName).join(" and ") })),
      h("td", { text: words.couple[c.status] || c.status }),
      h("td", {}, h("p", { class: "assigned", text: counselorNames(c.counselor_ids, byId) }),
        inlineForm("Change counselors", () => assignForm(c, `/couples/${c.id}`, coupleName(c), data, ctx, true))),
      h("td", {}, h("ul", { class: "plain" }, c.partners.map((p) => h("li", {},
        h("a", { href: `#/practice/access?client=${p.id}`, text: `${personName(p)}'s access report` }))))))))));
}

function clientsTable(data, ctx, byId) {
  if (!data.clients.length) return empty(data.q ? "No client has that name." : "No clients yet.");
  return h("div", { class: "table-wrap" }, h("table", { id: "client-assignments" },
    h("caption", { class: "visually-hidden", text: "Clients and their counselors" }),
    h("thead", {}, h("tr", {}, ["Client", "Status", "Counselors", "Access report"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, data.clients.map((c) => h("tr", {},
      h("th", { scope: "row", text: personName(c) }),
      h("td", { text: words.client[c.status] || c.status }),
      h("td", {}, h("p", { class: "assigned", text: counselorNames(c.counselor_ids, byId) }),
        inlineForm("Change counselors", () => assignForm(c, `/clients/${c.id}`, personName(c), data, ctx, false))),
      h("td", {}, h("a", { href: `#/practice/access?client=${c.id}` }, "Access report", h("span", { class: "visually-hidden", text: ` for ${personName(c)}` }))))))));
}

export function draw(data, ctx) {
  const byId = new Map(data.users.map((u) => [u.id, u]));
  return [
    h("p", { class: "lead", text: "Counselors see a couple's or a client's clinical record only when assigned to it. Every change here is recorded in the audit trail." }),
    searchForm(data.q, ctx),
    data.q ? h("p", { class: "meta", role: "status", text: `Showing couples and clients whose names contain “${data.q}”.` }) : null,
    h("h2", { text: "Couples" }),
    couplesTable(data, ctx, byId),
    h("h2", { text: "Individual clients" }),
    h("p", { class: "hint", text: "A client's own assignment covers their individual sessions; their couple's counselors are set above." }),
    clientsTable(data, ctx, byId),
    data.more ? card(h("p", { text: "Only the first 100 of each are shown. Search by name to find others." })) : null,
  ];
}
