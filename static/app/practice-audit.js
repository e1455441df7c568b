// Practice › Audit trail: who did what to which record, newest first, with filters (who, what,
// kind of record, whose record, dates) and paging by the API's cursor; and a client's access
// report (every access to the records about one client, by name). The filters live in the
// address, so a filtered view can be reloaded and its pages walked.
// Calls: the audit trail, the staff (admins and counselors: names for the "who" filter) and the
// clients (names of subjects and for the "whose record" filter); a report: the client and the report.

import { h } from "/shared/h.js";
import { card, empty, field } from "/shared/ui.js";
import { addDays } from "/shared/time.js";
import { personName } from "./words.js";
import { ROLE, staffOf } from "./practice.js";

const PAGE = 50;

export const ACTIONS = {
  read: "Opened", list: "Listed", create: "Created", update: "Changed", sign: "Signed", share: "Shared",
  acknowledge: "Acknowledged", assign: "Changed assignment", invite: "Invited", login: "Signed in", refresh: "Renewed sign-in",
  logout: "Signed out", submit: "Submitted", return: "Returned", release: "Released", withdraw: "Withdrew", log: "Logged",
  respond: "Answered", disclose: "Disclosed", revoke: "Revoked", authorize: "Authorized", delete: "Deleted",
};

export const RESOURCES = {
  practice: "Practice", user: "Staff or portal account", audit_event: "Audit trail", client: "Client record", couple: "Couple",
  session: "Session", note: "Mediation note", boundary: "Boundary", boundary_check_in: "Boundary check-in", milestone: "Milestone",
  milestone_template: "Plan template", progress: "Progress", letter: "Letter", activity: "Activity", activity_log: "Activity log",
  activity_template: "Activity template", instrument: "Questionnaire", assessment: "Questionnaire answers", measure: "Measures",
  confidentiality_policy: "Confidentiality policy", release: "Release of records", disclosure: "Disclosure", webhook: "Webhook",
  webhook_delivery: "Webhook delivery", worklist: "Worklist",
};

const FILTERS = ["actor", "action", "type", "subject", "from", "to"];

/** The API query of the filters in the address (dates read in the practice's zone, `to` inclusive). */
function query(params, time) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (params.get("actor")) q.set("actor_id", params.get("actor"));
  if (params.get("action")) q.set("action", params.get("action"));
  if (params.get("type")) q.set("resource_type", params.get("type"));
  if (params.get("subject")) q.set("subject_id", params.get("subject"));
  if (params.get("from")) q.set("from", time.instant(params.get("from"), "00:00"));
  if (params.get("to")) q.set("to", time.instant(addDays(params.get("to"), 1), "00:00"));
  if (params.get("cursor")) q.set("cursor", params.get("cursor"));
  return q;
}

export async function load(api, route, ctx) {
  const [page, users, clients] = await Promise.all([
    api.call("GET", `/audit-events?${query(route.params, ctx.time)}`),
    staffOf(api),
    api.call("GET", "/clients?limit=100"),
  ]);
  return { page, users, clients: clients.items, params: route.params };
}

export const title = () => "Audit trail";

const option = (value, label, current) => h("option", { value, selected: value === current }, label);

function select(label, name, current, options, any) {
  const f = field(label, { tag: "select", name });
  f.input.append(option("", any, current), ...options.map(([v, l]) => option(v, l, current)));
  return f;
}

function filterForm(data, ctx) {
  const p = data.params;
  const actor = select("Who", "actor", p.get("actor") || "", data.users.map((u) => [u.id, u.display_name]), "Anyone");
  const action = select("What", "action", p.get("action") || "", Object.entries(ACTIONS), "Any action");
  const type = select("Kind of record", "type", p.get("type") || "", Object.entries(RESOURCES), "Any record");
  const subject = select("Whose record", "subject", p.get("subject") || "", data.clients.map((c) => [c.id, personName(c)]), "Any client");
  const from = field("From", { type: "date", name: "from", value: p.get("from") || "" });
  const to = field("To (inclusive)", { type: "date", name: "to", value: p.get("to") || "" });
  const form = h("form", { class: "stack filters", id: "audit-filters", role: "search", "aria-label": "Filter the audit trail" },
    h("div", { class: "grid-fields" }, actor.wrap, action.wrap, type.wrap, subject.wrap, from.wrap, to.wrap),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, "Show"),
      FILTERS.some((f) => p.get(f)) ? h("a", { class: "button", href: "#/practice/audit" }, "Clear the filters") : null));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, f] of Object.entries({ actor, action, type, subject, from, to })) if (f.input.value) q.set(k, f.input.value);
    ctx.go(`#/practice/audit${q.toString() ? `?${q}` : ""}`);
  });
  return form;
}

const who = (e) => (e.actor_name ? `${e.actor_name}${e.actor_role ? ` (${ROLE[e.actor_role] || "Client"})` : ""}` : "No one signed in");

function eventsTable(data, ctx) {
  const names = new Map(data.clients.map((c) => [c.id, personName(c)]));
  const items = data.page.items;
  if (!items.length) return empty("No events match.");
  return h("div", { class: "table-wrap" }, h("table", { id: "audit-events" },
    h("caption", { class: "visually-hidden", text: "Audit events, newest first" }),
    h("thead", {}, h("tr", {}, [`When (${ctx.time.zone()})`, "Who", "What", "Record", "Whose record", "Outcome"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, items.map((e) => h("tr", { class: e.outcome === "denied" ? "denied" : "" },
      h("td", { text: ctx.time.brief(e.at) }),
      h("td", { text: who(e) }),
      h("td", { text: ACTIONS[e.action] || e.action }),
      h("td", {}, RESOURCES[e.resource_type] || e.resource_type, e.resource_id ? h("span", { class: "meta block id", text: `…${e.resource_id.slice(-8)}` }) : null),
      h("td", { text: (e.subject_ids || []).map((id) => names.get(id) || "Another client").join(", ") }),
      h("td", { text: e.outcome === "denied" ? "Refused" : "Allowed" }))))));
}

function pager(data) {
  const p = new URLSearchParams(data.params);
  const next = data.page.next_cursor;
  const first = new URLSearchParams(p);
  first.delete("cursor");
  const later = new URLSearchParams(p);
  if (next) later.set("cursor", next);
  return h("div", { class: "actions pager" },
    p.get("cursor") ? h("a", { class: "button", href: `#/practice/audit${first.toString() ? `?${first}` : ""}` }, "Back to the newest") : null,
    next ? h("a", { class: "button", id: "older", href: `#/practice/audit?${later}` }, `Older events`) : null);
}

export function draw(data, ctx) {
  const subject = data.params.get("subject");
  return [
    h("p", { class: "lead", text: "Every opening, change and refused attempt on clients' records, and every sign-in, newest first. The trail cannot be changed." }),
    filterForm(data, ctx),
    subject ? h("p", {}, h("a", { href: `#/practice/access?client=${subject}` }, "Open this client's access report")) : null,
    eventsTable(data, ctx),
    pager(data),
  ];
}

// ---- a client's access report ----
export const accessReport = {
  async load(api, route) {
    const id = route.params.get("client") || "";
    const cursor = route.params.get("cursor");
    const [client, report] = await Promise.all([
      api.call("GET", `/clients/${encodeURIComponent(id)}`),
      api.call("GET", `/clients/${encodeURIComponent(id)}/access-report?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
    ]);
    return { client, report, cursor };
  },
  title: (d) => `Access report for ${personName(d.client)}`,
  draw(d, ctx) {
    const items = d.report.items;
    const more = d.report.next_cursor;
    return [
      h("p", { class: "lead", text: `Everyone who opened, changed or tried to reach records about ${personName(d.client)} (their record, their couple's records, sessions they attended), newest first. New events appear within a few seconds.` }),
      items.length ? h("div", { class: "table-wrap" }, h("table", { id: "access-report" },
        h("caption", { class: "visually-hidden", text: `Access to ${personName(d.client)}'s records` }),
        h("thead", {}, h("tr", {}, [`When (${ctx.time.zone()})`, "Who", "Role", "What", "Record", "Outcome"].map((t) => h("th", { scope: "col", text: t })))),
        h("tbody", {}, items.map((e) => h("tr", { class: e.outcome === "denied" ? "denied" : "" },
          h("td", { text: ctx.time.brief(e.at) }),
          h("td", { text: e.actor_name || "No one signed in" }),
          h("td", { text: e.actor_role ? ROLE[e.actor_role] || "Client" : "" }),
          h("td", { text: ACTIONS[e.action] || e.action }),
          h("td", { text: RESOURCES[e.resource_type] || e.resource_type }),
          h("td", { text: e.outcome === "denied" ? "Refused" : "Allowed" })))))) : card(empty("No one has reached these records yet.")),
      h("div", { class: "actions pager" },
        d.cursor ? h("a", { class: "button", href: `#/practice/access?client=${d.client.id}` }, "Back to the newest") : null,
        more ? h("a", { class: "button", href: `#/practice/access?client=${d.client.id}&cursor=${encodeURIComponent(more)}` }, "Older events") : null,
        h("a", { class: "button", href: `#/practice/audit?subject=${d.client.id}` }, "Filter the audit trail by this client")),
    ];
  },
};
