// Practice › Webhooks, for the practice's integrations (Standard Webhooks 1.0): registering a
// receiver (its signing secret is shown once, at registration and at each rotation, and never
// again), pausing and resuming, rotating the secret, deleting; and a webhook's deliveries, with
// "retry now". Calls: the webhooks (one list); a webhook's deliveries: the webhook and its
// deliveries.

import { h } from "/shared/h.js";
import { button, card, empty, errorBox, field, submitting, twoStep } from "/shared/ui.js";
import { newKey } from "/shared/api.js";
import { inlineForm } from "./record.js";

const ifMatch = (r) => ({ "if-match": `"${r.version}"` });

export const EVENTS = {
  "client.created": "A client is added",
  "couple.created": "A couple is formed",
  "session.created": "A session is scheduled",
  "session.updated": "A session changes",
  "summary.shared": "A session summary is shared",
  "note.signed": "A mediation note is signed",
  "boundary.activated": "A boundary becomes active",
  "milestone.achieved": "A milestone is reached",
  "letter.released": "A letter is released",
  "activity.logged": "An activity is logged",
  "assessment.completed": "A questionnaire is answered",
  "release.authorized": "A release of records is authorized",
  "release.disclosed": "Records are disclosed",
  "audit.checkpoint": "The audit trail is sealed (a signed checkpoint)",
};

// A secret just made (registration or rotation): drawn once, by the next drawing of this screen,
// then forgotten. It lives only in this variable until then; opening the screen again shows none.
let fresh = null;

export async function load(api) {
  return { hooks: await api.listAll("/webhooks") };
}

export const title = () => "Webhooks";

function secretCard(s) {
  return h("section", { class: "card secret-card", id: "new-secret", "aria-labelledby": "secret-heading" },
    h("h2", { id: "secret-heading", tabindex: "-1", text: s.rotated ? "The new signing secret" : "The signing secret" }),
    h("p", { class: "banner", text: `Copy this secret into the receiving system now. It will not be shown again: once you leave or reload this screen it is gone, and only rotating it makes a new one.${s.rotated ? " For the next 24 hours deliveries are signed with both the old and the new secret." : ""}` }),
    h("p", {}, h("span", { class: "meta block", text: s.url }), h("code", { class: "secret", id: "webhook-secret", text: s.secret })));
}

function registerForm(ctx) {
  const url = field("Address (URL)", { type: "text", inputmode: "url", name: "url", required: true, maxlength: 2000, autocomplete: "off" },
    "A secure web address (beginning with https) on the public internet, without a port or a query.");
  const description = field("What it is for (optional)", { name: "description", maxlength: 500, autocomplete: "off" });
  const boxes = Object.entries(EVENTS).map(([value, label]) => {
    const id = `event-${value.replace(".", "-")}`;
    const input = h("input", { type: "checkbox", id, value });
    return { input, wrap: h("div", { class: "choice" }, input, h("label", { for: id }, label, h("span", { class: "detail", text: value }))) };
  });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "register-webhook" }, url.wrap, description.wrap,
    h("fieldset", { class: "choices events" }, h("legend", { text: "Events to send" }),
      h("p", { class: "hint", text: "Deliveries carry ids only, never names or clinical text." }), boxes.map((b) => b.wrap)),
    err, h("button", { type: "submit", class: "button primary" }, "Register the webhook"));
  const key = newKey();
  submitting(form, "Registering…", () => {
    const types = boxes.filter((b) => b.input.checked).map((b) => b.input.value);
    if (!types.length) {
      err.replaceChildren(h("p", { text: "Choose at least one event to send." }));
      err.hidden = false;
      err.focus();
      return null;
    }
    const body = { url: url.input.value.trim(), event_types: types };
    if (description.input.value.trim()) body.description = description.input.value;
    return ctx.act(err, async () => {
      const made = await ctx.api.call("POST", "/webhooks", body, { "idempotency-key": key });
      fresh = { secret: made.secret, url: made.url };
      return made;
    }, {
      done: "The webhook is registered. Copy its signing secret now.",
      words: { labels: { url: "Address", event_types: "Events", description: "What it is for" } },
    });
  });
  return form;
}

function hookCard(w, ctx) {
  const patch = (body, done) => ctx.act(null, () => ctx.api.call("PATCH", `/webhooks/${w.id}`, body, ifMatch(w)), { done });
  return h("article", { class: "card webhook" },
    h("h3", { class: "url", text: w.url }),
    w.description ? h("p", { text: w.description }) : null,
    h("dl", { class: "facts" },
      h("dt", { text: "Status" }), h("dd", { text: w.active ? "Sending" : "Paused (nothing is sent until it is resumed)" }),
      h("dt", { text: "Events" }), h("dd", { text: w.event_types.map((t) => EVENTS[t] || t).join("; ") }),
      h("dt", { text: "Registered" }), h("dd", { text: ctx.time.when(w.created_at) })),
    h("div", { class: "actions" },
      h("a", { class: "button", href: `#/practice/deliveries?webhook=${w.id}` }, "Deliveries"),
      w.active ? button("Pause", () => patch({ active: false }, "The webhook is paused."))
        : button("Resume", () => patch({ active: true }, "The webhook sends again; waiting deliveries go out now.")),
      twoStep("Rotate the secret", "Yes, make a new secret", () => ctx.act(null, async () => {
        const made = await ctx.api.call("POST", `/webhooks/${w.id}/rotate-secret`);
        fresh = { secret: made.secret, url: made.url, rotated: true };
        return made;
      }, { done: "A new signing secret is made. Copy it now." })),
      twoStep("Delete", "Yes, delete this webhook", () => ctx.act(null, () => ctx.api.call("DELETE", `/webhooks/${w.id}`), {
        done: "The webhook is deleted; nothing more is sent to it.",
      }))));
}

export function draw(data, ctx) {
  const shown = fresh;
  fresh = null;
  const secret = shown ? secretCard(shown) : null;
  if (secret) window.setTimeout(() => secret.querySelector("h2").focus(), 0);
  return [
    h("p", { class: "lead", text: "Webhooks tell another system (billing, a records system) when something happens in Mend. Each delivery is signed with the webhook's secret so the receiver can check it came from here." }),
    secret,
    inlineForm("Register a webhook", () => registerForm(ctx), !data.hooks.length && !shown),
    h("h2", { text: "Registered webhooks" }),
    data.hooks.length ? data.hooks.map((w) => hookCard(w, ctx)) : empty("No webhooks yet."),
  ];
}

// ---- a webhook's deliveries ----
function outcome(d, time) {
  if (d.status_code && d.status_code >= 200 && d.status_code < 300) return `Delivered (${d.status_code})`;
  if (!d.delivered_at) return d.next_attempt_at ? `Waiting; due ${time.brief(d.next_attempt_at)}` : "Waiting";
  if (d.status_code) return `Refused by the receiver (${d.status_code})`;
  return `Failed: ${d.error || "no answer"}`;
}

export const deliveries = {
  async load(api, route) {
    const id = encodeURIComponent(route.params.get("webhook") || "");
    const [hook, list] = await Promise.all([api.call("GET", `/webhooks/${id}`), api.call("GET", `/webhooks/${id}/deliveries?limit=100`)]);
    return { hook, items: list.items, more: Boolean(list.next_cursor) };
  },
  title: () => "Deliveries",
  draw(d, ctx) {
    const retry = (x) => button("Retry now", () => ctx.act(null, () => ctx.api.call("POST", `/webhooks/${d.hook.id}/deliveries/${x.id}/retry`), {
      done: "The delivery is queued to be sent again now.",
      words: { 409: "The webhook is paused: resume it first." },
    }), "small");
    return [
      h("p", { class: "lead" }, "Deliveries to ", h("strong", { text: d.hook.url }), ", newest first. A failed delivery is tried again by itself (after about 5 seconds, 5 minutes, 30 minutes, then for a day)."),
      h("p", {}, h("a", { href: "#/practice/webhooks" }, "Back to the webhooks")),
      d.items.length ? h("div", { class: "table-wrap" }, h("table", { id: "deliveries" },
        h("caption", { class: "visually-hidden", text: "Deliveries" }),
        h("thead", {}, h("tr", {}, ["Event", "Attempt", `Sent (${ctx.time.zone()})`, "Outcome", "Actions"].map((t) => h("th", { scope: "col", text: t })))),
        h("tbody", {}, d.items.map((x) => h("tr", {},
          h("th", { scope: "row" }, EVENTS[x.event_type] || x.event_type, h("span", { class: "meta block", text: x.event_type })),
          h("td", { text: String(x.attempt) }),
          h("td", { text: x.delivered_at ? ctx.time.brief(x.delivered_at) : "Not yet" }),
          h("td", { text: outcome(x, ctx.time) }),
          h("td", {}, retry(x))))))) : card(empty("Nothing has been sent yet. Deliveries appear here when one of its events happens.")),
      d.more ? h("p", { class: "meta", text: "The newest 100 are shown." }) : null,
    ];
  },
};
