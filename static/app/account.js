// "Your account", for every staff member (the link by their name in the header): who they are,
// changing the password, turning two-factor sign-in on (a QR code and the key as text, then the
// recovery codes, shown once) and off. One call on opening (GET /me, for `mfa_enabled`).
// When the practice requires two-factor sign-in and this person has not turned it on, this is the
// only screen open to them (app.js sends them here), and it says why.

import { h, put } from "/shared/h.js";
import { button, card, errorBox, field, showError, submitting } from "/shared/ui.js";
import { codeField, newPasswordFields } from "/shared/sign-in-steps.js";
import { qrCode } from "/shared/qr.js";
import { explain } from "./words.js";

export const load = (api) => api.call("GET", "/me");

export const title = () => "Your account";

const ROLE = { admin: "Administrator", counselor: "Counselor" };

function passwordPart(ctx) {
  const current = field("Current password", { type: "password", name: "current-password", autocomplete: "current-password", required: true });
  const [next, again] = newPasswordFields();
  const err = errorBox();
  const form = h("form", { class: "stack", id: "change-password" }, current.wrap, next.wrap, again.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Change my password"));
  submitting(form, "Changing your password…", async () => {
    if (next.input.value !== again.input.value) {
      showError(err, "The two new passwords are different. Please type the same password twice.");
      return;
    }
    await ctx.act(err, () => ctx.api.call("POST", "/me/password", { current_password: current.input.value, new_password: next.input.value }), {
      done: "Your password is changed. Your sign-ins on other devices have ended.",
      words: { labels: { current_password: "Current password", new_password: "New password" } },
    });
  });
  return h("section", { class: "card", "aria-labelledby": "password-heading" }, h("h2", { id: "password-heading", text: "Password" }), form);
}

function mfaOn(ctx) {
  const password = field("Password", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const code = codeField();
  const err = errorBox();
  const form = h("form", { class: "stack", id: "mfa-off" }, password.wrap, code.wrap, err,
    h("button", { type: "submit", class: "button" }, "Turn two-factor sign-in off"));
  submitting(form, "Turning it off…", () => ctx.act(err, () => ctx.api.call("DELETE", "/me/mfa", { password: password.input.value, code: code.input.value }), {
    done: "Two-factor sign-in is off.",
    words: { labels: { password: "Password", code: "Code" } },
  }));
  return [
    h("p", { id: "mfa-status", text: "Two-factor sign-in is on: signing in asks for a code from your authenticator app." }),
    h("details", { class: "inline-form" }, h("summary", { text: "Turn it off" }),
      h("p", { class: "hint", text: "Your password and a current code are needed. Without two-factor sign-in, your password alone opens your account." }),
      form),
  ];
}

function mfaOff(ctx, slot) {
  const err = errorBox();
  const start = button("Turn on two-factor sign-in", async () => {
    start.disabled = true;
    try {
      put(slot, enrol(ctx, await ctx.api.call("POST", "/me/mfa/totp", {}), slot));
      slot.querySelector("p").focus();
    } catch (e) {
      start.disabled = false;
      showError(err, explain(e));
    }
  }, "primary");
  start.id = "mfa-start";
  return [
    h("p", { id: "mfa-status", text: "Two-factor sign-in is off. With it on, signing in also asks for a code from an authenticator app on your phone, so your password alone is not enough." }),
    err, start,
  ];
}

function enrol(ctx, secret, slot) {
  const code = codeField();
  const err = errorBox();
  const form = h("form", { class: "stack", id: "mfa-confirm" }, code.wrap, err, h("button", { type: "submit", class: "button primary" }, "Turn it on"));
  submitting(form, "Checking the code…", async () => {
    try {
      const answer = await ctx.api.call("POST", "/me/mfa/totp/confirm", { code: code.input.value.trim() });
      put(slot, recoveryCodes(answer.recovery_codes, ctx));
      slot.querySelector("p").focus();
    } catch (e) {
      showError(err, explain(e, { 422: "That code is not the one your app shows now. Please try the newest code.", labels: { code: "Code" } }));
    }
  });
  return [
    h("p", { tabindex: "-1", text: "In your authenticator app, add an account: scan this code, or type the key below it." }),
    qrCode(secret.qr, "QR code for your authenticator app"),
    h("p", { class: "secret", id: "mfa-secret", text: secret.secret }),
    h("details", {}, h("summary", { text: "The setup link" }), h("p", { class: "secret", id: "mfa-uri", text: secret.otpauth_uri })),
    h("p", { text: "Then type the code it shows." }),
    form,
  ];
}

function recoveryCodes(codes, ctx) {
  return [
    h("p", { id: "mfa-status", tabindex: "-1", text: "Two-factor sign-in is on." }),
    h("p", { class: "banner", text: "Keep these recovery codes somewhere safe, such as a password manager. Each one signs you in once if you lose your phone. They are shown only now: they will not be shown again." }),
    h("ul", { class: "codes", id: "recovery-codes" }, codes.map((c) => h("li", { text: c }))),
    ctx.enrolmentDue
      ? button("I have kept them: continue to Today", () => ctx.act(null, () => ctx.enrolled(), { then: () => {} }), "primary")
      : null,
  ];
}

export function draw(me, ctx) {
  const mfa = h("div", { class: "stack", id: "mfa" });
  put(mfa, me.mfa_enabled ? mfaOn(ctx) : mfaOff(ctx, mfa));
  return [
    ctx.enrolmentDue
      ? h("p", { class: "banner", id: "mfa-required" },
        "Your practice requires two-factor sign-in for all staff. Please turn it on below before you continue: until then, the other screens stay closed.")
      : null,
    card(h("h2", { text: "You" }), h("dl", { class: "facts" },
      h("dt", { text: "Name" }), h("dd", { text: me.display_name }),
      h("dt", { text: "Email" }), h("dd", { text: me.email }),
      h("dt", { text: "Role" }), h("dd", { text: ROLE[me.role] || me.role }))),
    h("div", { class: "columns" },
      passwordPart(ctx),
      h("section", { class: "card", "aria-labelledby": "mfa-heading" }, h("h2", { id: "mfa-heading", text: "Two-factor sign-in" }), mfa)),
  ];
}
