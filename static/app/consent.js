// A couple's confidentiality policy (`#/consent/COUPLE`): what the counselor keeps private between
// individual and joint work, written and revised here; each change is a new version that every
// partner signs again in their portal; who has signed the current version, with the name they
// typed and when. Calls: the couple; when the caller is assigned, the policy (404 before the first).

import { h } from "/shared/h.js";
import { ApiError } from "/shared/api.js";
import { card, errorBox, field, paragraphs, radios, submitting } from "/shared/ui.js";
import { inlineForm } from "./record.js";
import { notAssigned, sectionLinks } from "./sections.js";
import { coupleName, personName } from "./words.js";

export const KINDS = {
  no_secrets: { label: "No secrets", detail: "What either partner tells the counselor alone may be brought into joint sessions." },
  limited_secrets: { label: "Limited secrets", detail: "The counselor keeps individual disclosures private unless they affect safety or the joint work, and then helps the partner share them." },
  accommodation: { label: "Accommodation", detail: "The counselor keeps individual disclosures private, except where the law requires otherwise." },
};

export async function load(api, route, { me }) {
  const couple = await api.call("GET", `/couples/${route.id}`);
  if (!couple.counselor_ids.includes(me.id)) return { couple, assigned: false };
  const policy = await api.call("GET", `/couples/${couple.id}/confidentiality-policy`).catch((e) => {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  });
  return { couple, assigned: true, policy };
}

export const title = (data) => `Confidentiality policy: ${coupleName(data.couple)}`;

function policyForm(data, ctx) {
  const { api, act } = ctx;
  const p = data.policy;
  const kind = radios("Kind of policy", "policy-kind", Object.entries(KINDS).map(([value, k]) =>
    ({ value, label: k.label, detail: ` ${k.detail}`, checked: p ? p.kind === value : value === "limited_secrets", required: true })));
  const text = field("Text the partners sign", { tag: "textarea", name: "text", rows: 10, required: true, maxlength: 20000 },
    "Plain words, addressed to both partners. Each saved change is a new version that both partners sign again.");
  if (p) text.input.value = p.text;
  const err = errorBox();
  const form = h("form", { class: "stack", id: "policy-form" }, kind.wrap, text.wrap, err,
    h("button", { type: "submit", class: "button primary" }, p ? `Save as version ${p.version + 1}` : "Save and ask both partners to sign"));
  submitting(form, "Saving…", () => act(err, () => api.call("PUT", `/couples/${data.couple.id}/confidentiality-policy`,
    { kind: kind.value(), text: text.input.value }, p ? { "if-match": `"${p.version}"` } : undefined), {
    done: (r) => `Version ${r.version} of the policy is saved. Both partners are asked to sign it in their portal.`,
    words: { labels: { kind: "Kind of policy", text: "Text" } },
  }));
  return form;
}

function signatures(data, { time }) {
  const p = data.policy;
  return h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { text: `Signatures of version ${p.version}` }),
    h("thead", {}, h("tr", {}, ["Partner", "Version signed", "Name typed as signature", "Signed"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, data.couple.partners.map((partner) => {
      const s = p.signatures.find((x) => x.client_id === partner.id);
      return h("tr", {},
        h("th", { scope: "row", text: personName(partner) }),
        h("td", { text: s ? `Version ${s.version}` : `Not signed version ${p.version} yet` }),
        h("td", { text: s ? s.signed_name : "" }),
        h("td", { text: s ? time.when(s.signed_at) : "" }));
    }))));
}

export function draw(data, ctx) {
  const { time } = ctx;
  const links = sectionLinks("couple", data.couple.id, "consent", "This couple's chart");
  if (!data.assigned) return [links, notAssigned("Confidentiality policy", "couple", "The policy and its signatures")];
  const p = data.policy;
  if (!p) {
    return [links,
      h("p", { class: "lead", text: "No confidentiality policy yet. Write one before individual sessions, so both partners know what stays private." }),
      card(h("h2", { text: "Write the policy" }), policyForm(data, ctx))];
  }
  const kind = KINDS[p.kind] || { label: p.kind, detail: "" };
  const missing = data.couple.partners.filter((x) => !p.signatures.some((s) => s.client_id === x.id)).map(personName);
  return [
    links,
    h("p", { class: `lead ${p.fully_signed ? "done" : ""}`.trim(), text: p.fully_signed
      ? `Both partners have signed version ${p.version}.`
      : `Version ${p.version} waits for the signature of ${missing.join(" and ")}.` }),
    card(
      h("h2", { text: `${kind.label}: version ${p.version}` }),
      h("p", { class: "meta", text: `Made ${time.when(p.updated_at)}. ${kind.detail}` }),
      paragraphs(p.text)),
    h("h2", { text: "Who has signed" }),
    signatures(data, ctx),
    h("p", { class: "hint", text: "A partner signs in their portal by typing their name. Signatures of earlier versions stay in the record; after a revision each partner signs the new version." }),
    inlineForm("Revise the policy", () => policyForm(data, ctx)),
  ];
}
