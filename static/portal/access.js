// Who has seen my record: every time someone opened, changed or tried to open the client's
// records, newest first. Staff by name and role; the client's own visits as "You".

import { h } from "/shared/h.js";
import { empty } from "/shared/ui.js";

/** Every API call of this screen. */
export function calls(api) {
  return { report: () => api.call("GET", "/portal/access-report?limit=100") };
}

const words = {
  role: { admin: "Practice administrator", counselor: "Counselor", client: "A client" },
  action: {
    read: "opened", list: "looked through", create: "added", update: "changed", sign: "signed", share: "shared",
    acknowledge: "acknowledged", assign: "changed who works with", invite: "invited you to", submit: "sent",
    return: "returned", release: "released", withdraw: "withdrew", log: "logged", respond: "answered",
    disclose: "sent out", revoke: "stopped", authorize: "gave permission for",
  },
  kind: {
    client: "your personal details", couple: "your couple's record", session: "a session",
    note: "a session note", boundary: "an agreement", boundary_check_in: "an agreement check-in",
    milestone: "your plan", progress: "your progress", letter: "a letter", activity: "an activity",
    activity_log: "an activity log", assessment: "a questionnaire", measure: "questionnaire scores",
    confidentiality_policy: "your confidentiality agreement", release: "a request to share records",
    disclosure: "records that were shared", audit_event: "this report",
  },
};

/** One line of the report, in words. */
function line(i, time) {
  // Only the couple's records name you both, so a client who is not you is your partner.
  const partner = !i.by_you && i.actor_role === "client";
  const role = words.role[i.actor_role];
  const who = i.by_you ? "You" : partner ? "Your partner" : i.actor_name || role || "Someone";
  const as = !i.by_you && !partner && i.actor_name && role ? ` (${role})` : "";
  return h("li", {},
    h("p", { text: `${time.when(i.at)}: ${who}${as} ${words.action[i.action] || i.action} ${words.kind[i.resource_type] || "a record"}.` }),
    i.outcome === "denied" ? h("p", { class: "meta", text: "This was refused: they were not allowed to see it." }) : null);
}

/** `shows`: {} (the report loads on its own); `ctx`: {time, calls, later}. */
export function draw(_shows, { time, calls, later }) {
  return [
    h("p", { class: "lead", text: "Every time someone opens, changes or tries to open your records, it is written down. Here you can see who it was and when. It shows staff by name; when it was you or your partner, it says so without a name. The last few seconds may not show yet." }),
    later(h("div", {}, h("p", { class: "meta", text: "Loading…" })), () => calls.report(), (report) => report.items.length
      ? h("ul", { class: "access" }, report.items.map((i) => line(i, time)))
      : empty("Nobody has opened your records yet.")),
  ];
}
