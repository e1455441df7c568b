// Releases of records: a couple's (`#/releases/COUPLE`: both partners authorize) or one client's
// (`#/client-releases/CLIENT`: the client's own individual records, the client authorizes, and the
// client's accounting of disclosures). Create a release (recipient, purpose, window, what it
// covers), follow each authorization, disclose once every required person has authorized, and
// download the document to send (a PDF fetched with the token and handed to the browser from
// memory). Calls: the couple or client; when the caller is assigned, its releases (for a client
// also the disclosures and the client's couples, to name partners who authorize).

import { h } from "/shared/h.js";
import { newKey } from "/shared/api.js";
import { button, card, empty, errorBox, field, paragraphs, submitting, twoStep } from "/shared/ui.js";
import { addDays } from "/shared/time.js";
import { inlineForm } from "./record.js";
import { notAssigned, sectionLinks } from "./sections.js";
import { coupleName, personName } from "./words.js";

export const RECORDS = {
  sessions: "Session dates and attendance",
  summaries: "Session summaries shared with the partners",
  boundaries: "Boundaries",
  milestones: "Plan milestones the partners can see",
  activities: "Shared activities and their logs",
  letters: "Letters released between the partners",
  assessments: "Questionnaire answers and scores",
};
const STATUS = {
  pending: "Waiting for authorization",
  authorized: "Authorized: ready to disclose",
  disclosed: "Disclosed",
  revoked: "Revoked by a client",
  expired: "Expired",
};

export async function load(api, route, { me }) {
  const ofClient = route.name === "client-releases";
  const base = ofClient ? `/clients/${route.id}` : `/couples/${route.id}`;
  const subject = await api.call("GET", base);
  if (!subject.counselor_ids.includes(me.id)) return { ofClient, subject, assigned: false };
  const [releases, disclosures, couples] = await Promise.all([
    api.listAll(`${base}/releases`),
    ofClient ? api.listAll(`${base}/disclosures`) : null,
    ofClient ? api.call("GET", `/couples?client_id=${subject.id}&limit=100`) : null,
  ]);
  const people = new Map((ofClient ? [subject, ...couples.items.flatMap((c) => c.partners)] : subject.partners)
    .map((p) => [p.id, personName(p)]));
  return { ofClient, subject, assigned: true, releases: releases.slice().reverse(), disclosures, people };
}

export const title = (data) => `Releases of records: ${data.ofClient ? personName(data.subject) : coupleName(data.subject)}`;

const recipientOf = (r) => `${r.recipient.name}${r.recipient.organization ? `, ${r.recipient.organization}` : ""}`;

function windowOf(r, time) {
  if (!r.from && !r.to) return "Records of all dates";
  if (r.from && r.to) return `Records from ${time.day(r.from)} to ${time.day(r.to)}`;
  return r.from ? `Records from ${time.day(r.from)} on` : `Records up to ${time.day(r.to)}`;
}

const covers = (r) => [...r.include.map((k) => RECORDS[k] || k), r.include_mediation_notes ? "Mediation notes (signed)" : null].filter(Boolean);

function createForm(data, ctx) {
  const { api, act, time } = ctx;
  const name = field("Recipient's name", { name: "recipient", required: true, maxlength: 200 });
  const org = field("Organization (optional)", { name: "organization", maxlength: 200 });
  const purpose = field("Purpose", { tag: "textarea", name: "purpose", rows: 3, required: true, maxlength: 2000 },
    "Why the records are released, in words the clients will read when they authorize it.");
  const from = field("Records from (optional)", { type: "date", name: "from" });
  const to = field("Records up to (optional)", { type: "date", name: "to" });
  const expires = field("Authorization ends on", { type: "date", name: "expires_on", required: true, min: time.today(), value: addDays(time.today(), 90) },
    "The last day the records may be disclosed.");
  const boxes = Object.entries(RECORDS).map(([value, label]) => {
    const id = `include-${value}`;
    const input = h("input", { type: "checkbox", id, name: "include", value });
    return { input, wrap: h("div", { class: "choice" }, input, h("label", { for: id, text: label })) };
  });
  const notesId = "include-notes";
  const notes = h("input", { type: "checkbox", id: notesId, name: "include_mediation_notes" });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "new-release" },
    h("div", { class: "grid-fields" }, name.wrap, org.wrap), purpose.wrap,
    h("fieldset", { class: "choices" }, h("legend", { text: "What it covers" }), boxes.map((b) => b.wrap),
      h("div", { class: "choice" }, notes, h("label", { for: notesId }, "Mediation notes",
        h("span", { class: "detail", text: " Only with this box ticked; signed notes only. Individual sessions of either partner are never part of a couple's release." })))),
    h("div", { class: "grid-fields" }, from.wrap, to.wrap, expires.wrap), err,
    h("button", { type: "submit", class: "button primary" }, data.ofClient ? "Create and ask the client to authorize" : "Create and ask both partners to authorize"));
  const key = newKey();
  submitting(form, "Creating…", () => {
    const body = {
      [data.ofClient ? "client_id" : "couple_id"]: data.subject.id,
      recipient: { name: name.input.value, ...(org.input.value.trim() ? { organization: org.input.value } : {}) },
      purpose: purpose.input.value,
      include: boxes.filter((b) => b.input.checked).map((b) => b.input.value),
      include_mediation_notes: notes.checked,
      expires_on: expires.input.value,
    };
    if (from.input.value) body.from = from.input.value;
    if (to.input.value) body.to = to.input.value;
    return act(err, () => api.call("POST", "/releases", body, { "idempotency-key": key }), {
      done: data.ofClient ? "The release is created. The client is asked to authorize it in their portal."
        : "The release is created. Both partners are asked to authorize it in their portal.",
      words: { labels: { recipient: "Recipient", "recipient.name": "Recipient's name", "recipient.organization": "Organization",
        purpose: "Purpose", include: "What it covers", from: "Records from", to: "Records up to", expires_on: "Authorization ends on" } },
    });
  });
  return form;
}

/** Fetches the release's document with the token and hands it to the browser as a download. */
function download(r, ctx, box) {
  const { api, act, time } = ctx;
  return act(box, async () => {
    const blob = await api.file(`/releases/${r.id}/document`, "application/pdf");
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: `release-of-records-${time.dateOf(r.disclosed_at)}-${r.id.slice(0, 8)}.pdf`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 60000);
  }, { then: () => {}, done: "The document (PDF) is downloaded. Send it to the recipient by a secure route." });
}

function releaseCard(r, data, ctx) {
  const { api, act, time } = ctx;
  const box = errorBox();
  const who = r.required_ids.map((id) => {
    const a = r.authorizations.find((x) => x.client_id === id);
    const name = data.people.get(id) || "A partner not on this screen";
    return h("li", {}, h("strong", { text: `${name}: ` }),
      a ? `authorized ${time.when(a.authorized_at)}, signed “${a.signed_name}”` : r.status === "revoked" ? "did not authorize" : "not authorized yet");
  });
  const actions = [];
  if (r.status === "authorized") {
    actions.push(twoStep("Disclose the records", "Yes, disclose them now", () => act(box, () => api.call("POST", `/releases/${r.id}/disclose`),
      { done: `The records are disclosed to ${r.recipient.name}. Download the document to send it.` })));
  }
  if (r.status === "disclosed") actions.push(button("Download the document (PDF)", () => download(r, ctx, box), "primary"));
  return h("li", { class: "release", id: `release-${r.id}` }, card(
    h("div", { class: "session-head" },
      h("h3", { text: `To ${recipientOf(r)}` }),
      h("span", { class: `badge ${r.status === "disclosed" ? "completed" : r.status === "authorized" ? "signed" : r.status === "pending" ? "draft" : "cancelled"}`,
        text: STATUS[r.status] || r.status })),
    r.couple_id && data.ofClient ? h("p", { class: "meta", text: "A couple's release: both partners authorize it." }) : null,
    h("h4", { text: "Purpose" }), paragraphs(r.purpose),
    h("h4", { text: "What it covers" }),
    h("ul", {}, covers(r).map((c) => h("li", { text: c }))),
    h("p", { class: "meta", text: `${windowOf(r, time)}. Authorization ends ${time.day(r.expires_on)}. Created ${time.on(r.created_at)}.` }),
    h("h4", { text: "Authorizations" }),
    h("ul", { class: "authorizations" }, who),
    r.disclosed_at ? h("p", { class: "done", text: `Disclosed ${time.when(r.disclosed_at)}.` }) : null,
    actions.length ? h("div", { class: "actions" }, actions) : null,
    box));
}

function accounting(data, { time }) {
  const list = data.disclosures.slice().sort((x, y) => (x.disclosed_at < y.disclosed_at ? 1 : -1));
  return [
    h("h2", { id: "accounting-h", text: "Accounting of disclosures" }),
    h("p", { class: "hint", text: "Every disclosure of this client's records you may see, newest first: the list the client may ask for." }),
    list.length ? h("div", { class: "table-wrap" }, h("table", { "aria-labelledby": "accounting-h" },
      h("thead", {}, h("tr", {}, [`Disclosed (${time.timeZone})`, "Recipient", "Purpose", "Records", "Dates covered"].map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, list.map((d) => h("tr", {},
        h("th", { scope: "row", text: time.brief(d.disclosed_at) }),
        h("td", { text: recipientOf(d) }),
        h("td", { text: d.purpose }),
        h("td", { text: covers(d).join("; ") }),
        h("td", { text: windowOf(d, time) }))))))
      : empty("No records of this client have been disclosed."),
  ];
}

export function draw(data, ctx) {
  const kind = data.ofClient ? "client" : "couple";
  const links = sectionLinks(kind, data.subject.id, data.ofClient ? "client-releases" : "releases",
    data.ofClient ? "This client's record" : "This couple's chart");
  if (!data.assigned) return [links, notAssigned("Releases of records", kind, "Releases, authorizations and disclosures")];
  const list = data.releases;
  return [
    links,
    h("p", { class: "lead", text: data.ofClient
      ? "A release of this client's individual records needs the client's authorization; a couple's release needs both partners'."
      : "A release of the couple's joint records needs the authorization of both partners. It never carries either partner's individual sessions." }),
    inlineForm("Create a release", () => createForm(data, ctx), !list.length),
    h("h2", { text: "Releases" }),
    list.length ? h("ul", { class: "plain releases" }, list.map((r) => releaseCard(r, data, ctx))) : empty("No release yet."),
    data.ofClient ? accounting(data, ctx) : h("p", {}, "Accounting of disclosures: ",
      data.subject.partners.map((p, i) => [i ? " · " : "", h("a", { href: `#/client-releases/${p.id}`, text: personName(p) })])),
  ];
}
