// Your account: changing your password, and two-factor sign-in (a code from an authenticator app
// on your phone). Also the sign-in steps that belong to the account: the second step of a sign-in
// with two-factor sign-in on, asking for a reset link, and choosing a new password from one.
// Every piece of text goes into the page as text (/shared/h.js).

import { h, put } from "/shared/h.js";
import { errorBox, field, showError, submitting } from "/shared/ui.js";
import * as steps from "/shared/sign-in-steps.js";
import { codeField, newPasswordFields } from "/shared/sign-in-steps.js";
import { qrCode } from "/shared/qr.js";
import { explain } from "./words.js";

/** Every API call of this screen. */
export function calls(api) {
  return {
    me: () => api.call("GET", "/me"),
    changePassword: (current, next) => api.call("POST", "/me/password", { current_password: current, new_password: next }),
    startMfa: () => api.call("POST", "/me/mfa/totp", {}),
    confirmMfa: (code) => api.call("POST", "/me/mfa/totp/confirm", { code }),
    disableMfa: (password, code) => api.call("DELETE", "/me/mfa", { password, code }),
  };
}

function passwordForm(calls, ctx) {
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
    await ctx.act(err, () => calls.changePassword(current.input.value, next.input.value), [], {
      labels: { current_password: "Current password", new_password: "New password" },
    }, "Your password is changed. Your other sign-ins have ended.");
  });
  return h("section", { class: "card", "aria-labelledby": "password-heading" },
    h("h2", { id: "password-heading", text: "Password" }), form);
}

function mfaOn(calls, ctx) {
  const password = field("Password", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const code = codeField();
  const err = errorBox();
  const form = h("form", { class: "stack", id: "mfa-off" }, password.wrap, code.wrap, err,
    h("button", { type: "submit", class: "button" }, "Turn two-factor sign-in off"));
  submitting(form, "Turning it off…", async () => {
    await ctx.act(err, () => calls.disableMfa(password.input.value, code.input.value), [], {
      labels: { password: "Password", code: "Code" },
    }, "Two-factor sign-in is off.");
  });
  return [h("p", { id: "mfa-status", text: "Two-factor sign-in is on: signing in asks for a code from your authenticator app." }), form];
}

function mfaOff(calls, slot) {
  const err = errorBox();
  const start = h("button", { type: "button", class: "button primary", id: "mfa-start" }, "Turn on two-factor sign-in");
  start.addEventListener("click", async () => {
    start.disabled = true;
    try {
      put(slot, enrol(calls, await calls.startMfa(), slot));
    } catch (e) {
      start.disabled = false;
      showError(err, explain(e));
    }
  });
  return [
    h("p", { id: "mfa-status", text: "Two-factor sign-in is off. With it on, signing in also asks for a code from an authenticator app on your phone, so your password alone is not enough." }),
    err, start,
  ];
}

function enrol(calls, secret, slot) {
  const code = codeField();
  const err = errorBox();
  const form = h("form", { class: "stack", id: "mfa-confirm" }, code.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Turn it on"));
  submitting(form, "Checking the code…", async () => {
    try {
      const answer = await calls.confirmMfa(code.input.value);
      put(slot, recoveryCodes(answer.recovery_codes));
    } catch (e) {
      showError(err, explain(e, { 422: "That code is not the one your app shows now. Please try the newest code.", labels: { code: "Code" } }));
    }
  });
  return [
    h("p", { text: "In your authenticator app, add an account: scan this code, or type the key below it." }),
    qrCode(secret.qr, "QR code for your authenticator app"),
    h("p", { class: "secret", id: "mfa-secret", text: secret.secret }),
    h("details", {}, h("summary", { text: "The setup link" }), h("p", { class: "secret", id: "mfa-uri", text: secret.otpauth_uri })),
    h("p", { text: "Then type the code it shows." }),
    form,
  ];
}

function recoveryCodes(codes) {
  return [
    h("p", { id: "mfa-status", text: "Two-factor sign-in is on." }),
    h("p", { text: "Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone. They are shown only now." }),
    h("ul", { class: "codes", id: "recovery-codes" }, codes.map((c) => h("li", { text: c }))),
  ];
}

/** The screen: `shows` is empty; the account is loaded here. */
export function draw(_shows, ctx) {
  const mfaSlot = h("div", { class: "stack", id: "mfa" }, h("p", { text: "Loading…" }));
  ctx.later(mfaSlot, () => ctx.calls.me(), (me) => (me.mfa_enabled ? mfaOn(ctx.calls, ctx) : mfaOff(ctx.calls, mfaSlot)));
  return [
    passwordForm(ctx.calls, ctx),
    h("section", { class: "card", "aria-labelledby": "mfa-heading" }, h("h2", { id: "mfa-heading", text: "Two-factor sign-in" }), mfaSlot),
  ];
}

// ---- sign-in steps: shared with /app (/shared/sign-in-steps.js), in the portal's words ----

/** The second step of a sign-in with two-factor sign-in on. */
export const secondStep = (mfaToken, opts) => steps.secondStep(mfaToken, { ...opts, explain, home: "/portal" });

/** Asking for a password reset link. */
export const forgot = (opts) => steps.forgot({ ...opts, explain, home: "/portal" });

/** Choosing a new password with the reset `token` (already out of the address bar). */
export const reset = (token, opts) => steps.reset(token, { ...opts, explain, lead: "Choose a new password for your portal." });
