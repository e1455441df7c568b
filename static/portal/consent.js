// Consent and records: sign the confidentiality agreement; give, refuse or withdraw permission to
// share records.

import { h } from "/shared/h.js";
import { card, empty, errorBox, field, paragraphs, submitting, twoStep } from "/shared/ui.js";
import { words } from "./words.js";

/** Every API call of this screen (its lists, `consents` and `releases`, are loaded at sign-in). */
export function calls(api) {
  return {
    sign: (p, name) => api.call("POST", `/portal/consents/${p.couple_id}/sign`, { signed_name: name, version: p.version }),
    authorize: (r, name) => api.call("POST", `/portal/releases/${r.id}/authorize`, { signed_name: name }),
    revoke: (r) => api.call("POST", `/portal/releases/${r.id}/revoke`),
  };
}

/** `shows`: {me, consents, releases} (of the selected couple); `ctx`: {time, calls, act}. */
export function draw(shows, ctx) {
  return [
    h("h2", { text: "Your confidentiality agreement" }),
    h("p", { class: "lead", text: "This explains what your counselor keeps private and what may be shared between you and your partner. When it changes, you will be asked to sign the new version." }),
    shows.consents.length ? shows.consents.map((p) => policy(p, ctx)) : empty("Your counselor hasn't shared a confidentiality agreement yet."),
    h("h2", { text: "Requests to share your records" }),
    h("p", { class: "lead", text: "Nothing is sent to anyone outside the practice without your written permission. You can withdraw your permission any time before the records are sent." }),
    shows.releases.length ? shows.releases.map((r) => release(r, shows.me, ctx)) : empty("There are no requests to share your records."),
  ];
}

function signature(act, label, action, work, done, extra) {
  const name = field(label, { name: "signed_name", required: true, maxlength: 200, autocomplete: "name" },
    "Typing your name counts as your signature.");
  const err = errorBox();
  const form = h("form", { class: "stack" }, name.wrap, err, h("button", { type: "submit", class: "button primary" }, action));
  submitting(form, "Saving…", () => act(err, () => work(name.input.value), ["consents", "releases"],
    { labels: { signed_name: "Your name" }, ...(extra || {}) }, done));
  return form;
}

function policy(p, { time, calls, act }) {
  return card(
    h("h3", { text: words.policy[p.kind] || "Confidentiality agreement" }),
    h("p", { class: "meta", text: `Version ${p.version}` }),
    paragraphs(p.text),
    p.my_signed_at ? h("p", { class: "done", text: `You signed this version on ${time.on(p.my_signed_at)}.` })
      : signature(act, "Type your full name to sign", "Sign this agreement",
        (name) => calls.sign(p, name),
        "Thank you. Your signature is saved.",
        { 409: "The agreement was updated since you opened it. Please read the new version below and sign again." }));
}

function release(r, me, { time, calls, act }) {
  const err = errorBox();
  const required = r.required_ids.includes(me.id);
  const others = r.authorizations.filter((a) => a.client_id !== me.id);
  const parts = [
    h("h3", {}, "To ", r.recipient.name, r.recipient.organization ? `, ${r.recipient.organization}` : ""),
    h("p", { class: "status", text: r.status === "disclosed" && r.disclosed_at ? `Records sent on ${time.on(r.disclosed_at)}`
      : r.status === "pending" && r.my_authorized_at ? "Waiting for your partner's permission" : words.release[r.status] || r.status }),
    h("h4", { text: "Why" }), paragraphs(r.purpose),
    h("h4", { text: "What would be shared" }),
    h("ul", {}, r.include.map((k) => h("li", { text: words.record[k] || k })),
      r.include_mediation_notes ? h("li", { text: "Your counselor's own notes from joint sessions" }) : null),
    h("p", { class: "meta", text: [r.from || r.to ? `Covering ${r.from ? `from ${time.day(r.from)}` : ""}${r.from && r.to ? " " : ""}${r.to ? `until ${time.day(r.to)}` : ""}.` : "Covering all dates.",
      `This permission ends on ${time.day(r.expires_on)}.`].join(" ") }),
    r.required_ids.length > 1 ? h("p", { class: "meta", text: "Both you and your partner need to give permission before anything is sent." }) : null,
    r.my_authorized_at ? h("p", { class: "done", text: `You gave permission on ${time.on(r.my_authorized_at)}.` }) : null,
    others.length ? h("p", { class: "meta", text: "Your partner has given permission." }) : null,
  ];
  if (required && r.status === "pending" && !r.my_authorized_at) {
    parts.push(signature(act, "Type your full name to give permission", "Give permission",
      (name) => calls.authorize(r, name), "Thank you. Your permission is saved."));
  }
  if (required && (r.status === "pending" || r.status === "authorized")) {
    parts.push(h("div", { class: "actions" }, twoStep(r.my_authorized_at ? "Withdraw my permission" : "Say no to this request",
      "Yes, stop this request. This can't be undone.",
      () => act(err, () => calls.revoke(r), ["releases"], {}, "The request is stopped. Nothing will be sent."))));
  }
  parts.push(err);
  return card(...parts);
}
