// Practice › Settings: the practice's name, its time zone (every time on every screen is shown in
// it) and whether staff must use two-factor sign-in. Two calls: the practice (with its version)
// and the admin's own account (whether they have two-factor sign-in on themselves).

import { h } from "/shared/h.js";
import { card, errorBox, field, submitting } from "/shared/ui.js";

export async function load(api) {
  const [practice, me] = await Promise.all([api.call("GET", "/practice"), api.call("GET", "/me")]);
  return { practice, me };
}

export const title = () => "Settings";

/** The IANA zones the browser knows, with the practice's own always among them. */
function zones(current) {
  let list = [];
  try {
    list = Intl.supportedValuesOf("timeZone");
  } catch (_) {
    list = [];
  }
  return list.includes(current) ? list : [current, ...list];
}

export function draw({ practice, me }, ctx) {
  const name = field("Practice name", { name: "name", required: true, maxlength: 200, value: practice.name, autocomplete: "organization" },
    "Shown at the top of every screen and in the client portal.");
  const zone = field("Time zone", { tag: "select", name: "timezone", required: true },
    "Every time on every screen, in the portal and in released documents is shown in this zone.");
  for (const z of zones(practice.timezone)) zone.input.append(h("option", { value: z, selected: z === practice.timezone }, z.replaceAll("_", " ")));
  const mfaId = "require-mfa";
  const mfa = h("input", { type: "checkbox", id: mfaId, name: "require_staff_mfa", checked: practice.require_staff_mfa, "aria-describedby": "require-mfa-hint" });
  const warning = h("p", { class: "banner", id: "mfa-self-warning", hidden: true },
    "You have not turned on two-factor sign-in yourself. Once it is required, you too will be asked to turn it on (from Your account) before you can use anything else. ",
    h("a", { href: "#/account" }, "Turn it on for yourself first"), ".");
  const showWarning = () => { warning.hidden = me.mfa_enabled || !mfa.checked; };
  mfa.addEventListener("change", showWarning);
  showWarning();
  const err = errorBox();
  const form = h("form", { class: "stack", id: "practice-settings" },
    name.wrap, zone.wrap,
    h("fieldset", { class: "choices" }, h("legend", { text: "Two-factor sign-in" }),
      h("div", { class: "choice" }, mfa, h("label", { for: mfaId, text: "Require two-factor sign-in for all staff" })),
      h("p", { class: "hint", id: "require-mfa-hint", text: "Staff who have not turned it on are signed out and, when they sign in again, can only turn it on before they continue. Clients are not affected." }),
      warning),
    err,
    h("button", { type: "submit", class: "button primary" }, "Save the settings"));
  submitting(form, "Saving…", async () => {
    const body = {};
    if (name.input.value !== practice.name) body.name = name.input.value;
    if (zone.input.value !== practice.timezone) body.timezone = zone.input.value;
    if (mfa.checked !== practice.require_staff_mfa) body.require_staff_mfa = mfa.checked;
    if (!Object.keys(body).length) {
      err.replaceChildren(h("p", { text: "Nothing has changed." }));
      err.hidden = false;
      err.focus();
      return;
    }
    await ctx.act(err, async () => {
      const saved = await ctx.api.call("PATCH", "/practice", body, { "if-match": `"${practice.version}"` });
      ctx.practiceChanged(saved);
      return saved;
    }, {
      done: (p) => `The settings are saved. Times are now shown in ${p.timezone.replaceAll("_", " ")}.`,
      words: { labels: { name: "Practice name", timezone: "Time zone", require_staff_mfa: "Two-factor sign-in" } },
    });
  });
  return [
    card(h("h2", { text: "The practice" }), form),
  ];
}
