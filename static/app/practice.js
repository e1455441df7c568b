// The Practice section, for administrators: running the practice. `#/practice/<part>` opens one
// part (a module each): staff (here), assignments, settings, the audit trail and a client's access
// report, webhooks and their deliveries. The section is not in a counselor's navigation, and the
// API refuses them anyway (403); a counselor who types its address is told in words, and no call
// is made for them.

import { h } from "/shared/h.js";
import { button, card, empty, errorBox, field, submitting, twoStep } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { inlineForm } from "./record.js";
import * as assignments from "./practice-assign.js";
import * as settings from "./practice-settings.js";
import * as audit from "./practice-audit.js";
import * as webhooks from "./practice-webhooks.js";

const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

export const ROLE = { admin: "Administrator", counselor: "Counselor" };

/**
 * Every staff member: admins and counselors (two list calls in parallel, each paged through; a
 * practice has far fewer than 2,000). Clients' portal accounts are users too, and stay out.
 */
export async function staffOf(api) {
  const [admins, counselors] = await Promise.all([api.listAll("/users?role=admin"), api.listAll("/users?role=counselor")]);
  return [...admins, ...counselors];
}

// ---- staff ----
const staff = {
  load: async (api) => ({ users: await staffOf(api) }),
  title: () => "Staff",
  draw: (data, ctx) => [
    inlineForm("Invite a staff member", () => inviteForm(ctx), !data.users.length),
    h("div", { id: "invited" }),
    staffTable(data.users, ctx),
  ],
};

/** Where an invite's answer is shown: the link to hand over, or that it was mailed. */
function showInvite(user, answer, ctx) {
  const slot = document.getElementById("invited");
  if (!slot) return;
  const token = answer.invite_token;
  const expires = answer.invite_expires_at || answer.expires_at;
  if (answer.delivery === "email" || !token) {
    slot.replaceChildren(card(h("p", { role: "status", text: `The invite is mailed to ${user.email}. It works once, until ${ctx.time.when(expires)}.` })));
    return;
  }
  const link = field(`Invite link for ${user.display_name}`, { type: "text", readonly: true, value: `${location.origin}/app?invite=${token}` },
    `Give this link to ${user.display_name} privately (not by ordinary email if you can avoid it). It works once, until ${ctx.time.when(expires)}; it is not shown again.`);
  link.input.id = "invite-link";
  link.wrap.querySelector("label").setAttribute("for", "invite-link");
  slot.replaceChildren(card(h("h2", { text: `${user.display_name} is invited` }), link.wrap));
  link.input.focus();
  link.input.select();
}

function inviteForm(ctx) {
  const name = field("Name", { name: "display_name", required: true, maxlength: 200, autocomplete: "off" }, "As colleagues and clients will see it, e.g. “Dana Rivera”.");
  const email = field("Email", { type: "email", name: "email", required: true, autocomplete: "off" });
  const role = field("Role", { tag: "select", name: "role", required: true });
  role.input.append(h("option", { value: "counselor" }, "Counselor"), h("option", { value: "admin" }, "Administrator"));
  const err = errorBox();
  const form = h("form", { class: "stack", id: "invite-staff" }, h("div", { class: "grid-fields" }, name.wrap, email.wrap, role.wrap), err,
    h("button", { type: "submit", class: "button primary" }, "Invite"));
  const key = newKey();
  submitting(form, "Inviting…", async () => {
    const body = { display_name: name.input.value, email: email.input.value, role: role.input.value };
    let answer = null;
    await ctx.act(err, async () => {
      answer = await ctx.api.call("POST", "/users", body, { "idempotency-key": key });
      return answer;
    }, {
      done: (r) => `${r.user.display_name} is invited.`,
      words: { 409: "Someone with this email already has an account.", labels: { display_name: "Name", email: "Email", role: "Role" } },
    });
    if (answer) showInvite(answer.user, answer, ctx);
  });
  return form;
}

function roleForm(u, ctx) {
  const role = field(`Role of ${u.display_name}`, { tag: "select", name: "role" });
  for (const [value, label] of Object.entries(ROLE)) role.input.append(h("option", { value, selected: u.role === value }, label));
  const err = errorBox();
  const form = h("form", { class: "stack" }, role.wrap, err, h("button", { type: "submit", class: "button primary" }, "Change the role"));
  submitting(form, "Saving…", () => ctx.act(err, () => ctx.api.call("PATCH", `/users/${u.id}`, { role: role.input.value }, ifMatch(u)), {
    done: `${u.display_name} is now ${ROLE[role.input.value].toLowerCase()}.`,
  }));
  return form;
}

function userActions(u, ctx) {
  const self = u.id === ctx.me.id;
  const patch = (body, done) => ctx.act(null, () => ctx.api.call("PATCH", `/users/${u.id}`, body, ifMatch(u)), {
    done, words: { 409: "The practice needs at least one active administrator." },
  });
  if (!u.active) return h("div", { class: "actions" }, button("Reactivate", () => patch({ active: true }, `${u.display_name} can sign in again.`)));
  return h("div", { class: "actions" },
    inlineForm("Change role", () => roleForm(u, ctx)),
    button("New invite link", () => ctx.act(null, () => ctx.api.call("POST", `/users/${u.id}/invite`), {
      then: (r) => showInvite(u, r, ctx),
      words: { 409: `${u.display_name} has already set a password (or the account is deactivated). They can reset it from the sign-in page.` },
    })),
    twoStep("Reset two-factor", `Yes, reset ${u.display_name}'s two-factor`, () => ctx.act(null, () => ctx.api.call("POST", `/users/${u.id}/mfa/reset`), {
      done: `${u.display_name}'s two-factor sign-in is reset and their sign-ins have ended. They sign in with their password and can turn it on again.`,
    })),
    self ? null : twoStep("Deactivate", `Yes, deactivate ${u.display_name}`, () => patch({ active: false }, `${u.display_name} is deactivated and signed out everywhere.`)));
}

function staffTable(users, ctx) {
  if (!users.length) return empty("No staff yet.");
  const ordered = [...users].sort((a, b) => Number(b.active) - Number(a.active) || a.display_name.localeCompare(b.display_name));
  return h("div", { class: "table-wrap" }, h("table", { id: "staff" },
    h("caption", { class: "visually-hidden", text: "Staff" }),
    h("thead", {}, h("tr", {}, ["Name", "Role", "Status", "Actions"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, ordered.map((u) => h("tr", { class: u.active ? "" : "inactive" },
      h("th", { scope: "row" }, u.display_name, u.id === ctx.me.id ? " (you)" : "", h("span", { class: "meta block", text: u.email })),
      h("td", { text: ROLE[u.role] || u.role }),
      h("td", { text: u.active ? `Active since ${ctx.time.on(u.created_at)}` : "Deactivated" }),
      h("td", {}, userActions(u, ctx)))))));
}

// ---- the section ----
const PARTS = {
  staff: { part: staff, label: "Staff" },
  assignments: { part: assignments, label: "Assignments" },
  settings: { part: settings, label: "Settings" },
  audit: { part: audit, label: "Audit trail" },
  access: { part: audit.accessReport, label: "Audit trail", hidden: true },
  webhooks: { part: webhooks, label: "Webhooks" },
  deliveries: { part: webhooks.deliveries, label: "Webhooks", hidden: true },
};

const partOf = (route) => PARTS[route.id] || PARTS.staff;

export async function load(api, route, ctx) {
  if (!ctx.isAdmin) return { refused: true };
  const entry = partOf(route);
  return { entry, data: await entry.part.load(api, route, ctx) };
}

export const title = (d, ctx) => (d.refused ? "Not found" : `Practice: ${d.entry.part.title(d.data, ctx)}`);

function subnav(current, ctx) {
  // A part's link while it is open loads it again (the browser fires no hashchange for the same hash).
  const again = (e) => {
    const href = e.currentTarget.getAttribute("href");
    if (href !== location.hash) return;
    e.preventDefault();
    ctx.go(href);
  };
  return h("nav", { class: "subnav", "aria-label": "Practice" }, h("ul", {},
    Object.entries(PARTS).filter(([, p]) => !p.hidden).map(([key, p]) => h("li", {},
      h("a", { href: `#/practice/${key}`, "aria-current": p.label === current.label ? "page" : null, text: p.label, onclick: again })))));
}

export function draw(d, ctx) {
  if (d.refused) {
    return [h("p", { class: "form-error", text: "There is no such page for you. The Practice section (staff, assignments, settings, the audit trail and webhooks) is for the practice's administrators." }),
      h("p", {}, h("a", { href: "#/today" }, "Back to Today"))];
  }
  return [subnav(d.entry, ctx), d.entry.part.draw(d.data, ctx)];
}
