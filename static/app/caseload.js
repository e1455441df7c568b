// The caseload: couples and individual clients with their last and next session, found by name;
// adding a client, forming a couple, inviting a client to the portal. Two calls (one per list).

import { h } from "/shared/h.js";
import { button, card, empty, errorBox, field, submitting } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { inlineForm } from "./record.js";
import { coupleName, personName, words } from "./words.js";

export async function load(api, route) {
  const q = (route.params.get("q") || "").trim();
  const query = q ? `&q=${encodeURIComponent(q)}` : "";
  const [couples, clients] = await Promise.all([
    api.call("GET", `/couples?limit=100${query}`),
    api.call("GET", `/clients?limit=100${query}`),
  ]);
  return { q, couples: couples.items, clients: clients.items, more: Boolean(couples.next_cursor || clients.next_cursor) };
}

export const title = () => "Caseload";

/** "Invite to the portal" for a client: the link to hand over, or that it was emailed. */
export function inviteButton(person, ctx) {
  const slot = h("span", { class: "invite" });
  const ask = button("Invite to the portal", () => ctx.act(null, () => ctx.api.call("POST", `/clients/${person.id}/portal-invite`), {
    then: (r) => {
      if (r.delivery === "email") {
        slot.replaceChildren(h("span", { class: "meta", text: `Invite emailed; it works until ${ctx.time.when(r.expires_at)}.` }));
        return;
      }
      const link = field(`Portal invite link for ${personName(person)}`, { type: "text", readonly: true, value: `${location.origin}/portal?invite=${r.invite_token}` },
        `Give this link to ${personName(person)} privately. It works once, until ${ctx.time.when(r.expires_at)}.`);
      slot.replaceChildren(link.wrap);
      link.input.focus();
      link.input.select();
    },
    words: {
      409: `${personName(person)} already uses the portal (or has no email address on file).`,
      422: `${personName(person)} needs an email address on file before an invite.`,
    },
  }), "small");
  slot.append(ask);
  return slot;
}

const when = (time, iso) => (iso ? time.brief(iso) : "None");

function couplesTable(items, ctx) {
  const { time } = ctx;
  if (!items.length) return empty("No couples match.");
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden", text: "Couples" }),
    h("thead", {}, h("tr", {}, ["Couple", "Status", `Last session (${ctx.time.zone()})`, `Next session (${ctx.time.zone()})`].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, items.map((c) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/couple/${c.id}`, text: coupleName(c) }),
        h("span", { class: "meta block", text: c.partners.map(personName).join(" and ") })),
      h("td", { text: words.couple[c.status] }),
      h("td", { text: "presenting_concern" in c ? when(time, c.last_session_at) : "Not assigned to you" }),
      h("td", { text: "presenting_concern" in c ? when(time, c.next_session_at) : "" }))))));
}

function clientsTable(items, ctx) {
  const { time, me, isAdmin } = ctx;
  if (!items.length) return empty("No clients match.");
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "visually-hidden", text: "Clients" }),
    h("thead", {}, h("tr", {}, ["Client", "Status", `Last session (${ctx.time.zone()})`, `Next session (${ctx.time.zone()})`].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, items.map((c) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/client/${c.id}`, text: personName(c) }),
        c.pronouns ? h("span", { class: "meta block", text: c.pronouns }) : null),
      h("td", { text: words.client[c.status] }),
      h("td", { text: isAdmin && !c.counselor_ids.includes(me.id) ? "Not assigned to you" : when(time, c.last_session_at) }),
      h("td", { text: when(time, c.next_session_at) }))))));
}

function searchForm(q, ctx) {
  const box = field("Find by name", { type: "search", name: "q", value: q, autocomplete: "off" }, "Any part of a first, last or preferred name.");
  const form = h("form", { class: "search", role: "search" }, box.wrap, h("button", { type: "submit", class: "button" }, "Search"),
    q ? h("a", { href: "#/caseload", class: "clear" }, "Show everyone") : null);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = box.input.value.trim();
    ctx.go(v ? `#/caseload?q=${encodeURIComponent(v)}` : "#/caseload");
  });
  return form;
}

function addClientForm(ctx) {
  const first = field("First name", { name: "first_name", required: true, maxlength: 100, autocomplete: "off" });
  const last = field("Last name", { name: "last_name", required: true, maxlength: 100, autocomplete: "off" });
  const preferred = field("Preferred name (optional)", { name: "preferred_name", maxlength: 100, autocomplete: "off" });
  const email = field("Email (optional, needed for a portal invite)", { type: "email", name: "email", autocomplete: "off" });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "add-client" }, h("div", { class: "grid-fields" }, first.wrap, last.wrap, preferred.wrap, email.wrap),
    err, h("button", { type: "submit", class: "button primary" }, "Add the client"));
  const key = newKey();
  submitting(form, "Adding…", async () => {
    const body = { first_name: first.input.value, last_name: last.input.value };
    if (preferred.input.value.trim()) body.preferred_name = preferred.input.value;
    if (email.input.value.trim()) body.email = email.input.value;
    await ctx.act(err, () => ctx.api.call("POST", "/clients", body, { "idempotency-key": key }), {
      goTo: (c) => `#/client/${c.id}`,
      done: (c) => `${personName(c)} is added to your caseload.`,
      words: { labels: { first_name: "First name", last_name: "Last name", preferred_name: "Preferred name", email: "Email" } },
    });
  });
  return form;
}

function formCoupleForm(clients, ctx) {
  const pick = (label, name) => {
    const f = field(label, { tag: "select", name, required: true });
    f.input.append(h("option", { value: "" }, "Choose a client"));
    for (const c of clients) f.input.append(h("option", { value: c.id }, personName(c)));
    return f;
  };
  const a = pick("First partner", "partner_a");
  const b = pick("Second partner", "partner_b");
  const concern = field("Presenting concern (optional)", { tag: "textarea", name: "presenting_concern", rows: 3, maxlength: 5000 });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "form-couple" }, h("div", { class: "grid-fields" }, a.wrap, b.wrap), concern.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Form the couple"));
  submitting(form, "Saving…", async () => {
    if (a.input.value === b.input.value) {
      err.replaceChildren(h("p", { text: "Choose two different clients." }));
      err.hidden = false;
      err.focus();
      return;
    }
    const body = { partner_ids: [a.input.value, b.input.value] };
    if (concern.input.value.trim()) body.presenting_concern = concern.input.value;
    await ctx.act(err, () => ctx.api.call("POST", "/couples", body), {
      goTo: (c) => `#/couple/${c.id}`,
      done: "The couple is formed.",
      words: { labels: { partner_ids: "Partners", presenting_concern: "Presenting concern" } },
    });
  });
  return form;
}

export function draw(data, ctx) {
  const { q, couples, clients } = data;
  return [
    searchForm(q, ctx),
    q ? h("p", { class: "meta", role: "status", text: `Showing couples and clients whose names contain “${q}”.` }) : null,
    h("div", { class: "actions" },
      inlineForm("Add a client", () => addClientForm(ctx)),
      clients.length >= 2 && !q ? inlineForm("Form a couple", () => formCoupleForm(clients, ctx)) : null),
    h("h2", { text: "Couples" }),
    couplesTable(couples, ctx),
    h("h2", { text: "Clients" }),
    clientsTable(clients, ctx),
    data.more ? card(h("p", { text: "Only the first 100 of each are shown. Search by name to find others." })) : null,
  ];
}
