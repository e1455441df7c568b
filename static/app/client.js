// A client's record: who they are, their couples, and their individual sessions in time order
// with summaries and notes (./record.js). Calls: the client; then, when the caller is assigned,
// their sessions and couples (and the note the route names). An admin who is not assigned sees
// the demographics only.

import { h } from "/shared/h.js";
import { card, empty } from "/shared/ui.js";
import { scheduleForm } from "./schedule.js";
import { inlineForm, sessionsPart } from "./record.js";
import { inviteButton } from "./caseload.js";
import { coupleName, personName, words } from "./words.js";
import { sectionLinks } from "./sections.js";

export async function load(api, route, { me }) {
  const client = await api.call("GET", `/clients/${route.id}`);
  if (!client.counselor_ids.includes(me.id)) return { client, assigned: false };
  const noteId = route.params.get("note");
  const [sessions, couples, note] = await Promise.all([
    api.listAll(`/sessions?client_id=${client.id}`),
    api.call("GET", `/couples?client_id=${client.id}&limit=100`),
    noteId ? api.call("GET", `/notes/${noteId}`).catch(() => null) : null,
  ]);
  return { client, assigned: true, sessions, couples: couples.items, focus: note ? note.session_id : route.params.get("session") };
}

export const title = (data) => personName(data.client);

export function draw(data, ctx) {
  const { client } = data;
  const { time } = ctx;
  const row = (label, value) => (value ? [h("dt", { text: label }), h("dd", { text: value })] : null);
  const facts = card(h("h2", { text: "Details" }), h("dl", { class: "facts" },
    row("Legal name", `${client.first_name} ${client.last_name}`),
    row("Preferred name", client.preferred_name),
    row("Pronouns", client.pronouns),
    row("Date of birth", client.date_of_birth ? time.day(client.date_of_birth) : null),
    row("Email", client.email),
    row("Phone", client.phone),
    row("Status", words.client[client.status]),
    row("Client portal", client.has_portal_access ? "Uses the portal" : "Not set up")),
    data.assigned && !client.has_portal_access
      ? h("div", { class: "actions" }, client.email ? inviteButton(client, ctx) : h("p", { class: "hint", text: "Add an email address to invite this client to the portal." }))
      : null);
  if (!data.assigned) {
    return [facts, card(h("h2", { text: "Clinical record" }),
      empty("You are not assigned to this client. Sessions, summaries and notes are shown only to the counselors assigned."))];
  }
  return [
    sectionLinks("client", client.id, "client", "This client's record"),
    h("div", { class: "columns" }, facts,
      card(h("h2", { text: "Couples" }), data.couples.length
        ? h("ul", { class: "plain" }, data.couples.map((c) => h("li", {}, h("a", { href: `#/couple/${c.id}`, text: coupleName(c) }),
          h("span", { class: "meta", text: ` · ${words.couple[c.status]}` }))))
        : empty("Not part of a couple on your caseload."))),
    h("p", { class: "meta", text: "Individual sessions with this client are below; joint sessions are in the couple's chart." }),
    inlineForm("Schedule an individual session", () => scheduleForm(ctx, { target: { client_id: client.id }, known: data.sessions })),
    sessionsPart(data.sessions, ctx, data.focus),
  ];
}
