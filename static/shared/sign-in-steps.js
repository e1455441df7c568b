// The sign-in steps that belong to an account, for both pages (/portal and /app): the second
// step of a sign-in with two-factor sign-in on, asking for a reset link, and choosing a new
// password from one. No token yet, so plain requests. Each page passes its own `explain` (its
// words for API errors) and `home` (its address). Every piece of text goes in as text.

import { h, put } from "/shared/h.js";
import { errorBox, field, showError, submitting } from "/shared/ui.js";
import { read, send } from "/shared/api.js";

/** A field for a six-digit code from an authenticator app. */
export const codeField = (label) => field(label || "Code from your authenticator app", {
  name: "one-time-code", autocomplete: "one-time-code", inputmode: "numeric", required: true,
  pattern: "[0-9]{6}", maxlength: 6,
}, "Six digits. A new code appears every 30 seconds.");

/** A new password and its repetition. */
export const newPasswordFields = (label) => [
  field(label || "New password", {
    type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: 12, maxlength: 256,
  }, "At least 12 characters. A few words you will remember works well."),
  field("Type it again", { type: "password", name: "confirm-password", autocomplete: "new-password", required: true }),
];

const back = (home, onBack, text) => h("p", { class: "hint" },
  h("a", { href: home, onclick: (e) => { e.preventDefault(); onBack(); } }, text));

/** The second step of a sign-in with two-factor sign-in on: a code, or a recovery code. */
export function secondStep(mfaToken, { client, onSignedIn, onBack, explain, home }) {
  const code = codeField();
  const recovery = field("Or a recovery code", { name: "recovery-code", autocomplete: "off" });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "mfa-sign-in" }, code.wrap, recovery.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Sign in"));
  code.input.required = false;
  submitting(form, "Signing in…", async () => {
    const body = recovery.input.value.trim()
      ? { mfa_token: mfaToken, recovery_code: recovery.input.value.trim() }
      : { mfa_token: mfaToken, code: code.input.value.trim() };
    try {
      await client.completeSignIn(body);
      await onSignedIn();
    } catch (e) {
      client.drop();
      showError(err, explain(e, {
        401: "That code didn't work, or this sign-in took too long. Please try the newest code, or start again.",
        422: "Please type the code from your app, or a recovery code.",
      }));
    }
  });
  return [
    h("p", { class: "lead", text: "Your account has two-factor sign-in on. Type the code your authenticator app shows now." }),
    form,
    back(home, onBack, "Start again"),
  ];
}

/** Asking for a password reset link. */
export function forgot({ onBack, explain, home }) {
  const email = field("Email", { type: "email", name: "email", autocomplete: "username", required: true, inputmode: "email" });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "forgot-password" }, email.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Send me a link"));
  const done = h("div", { role: "status" });
  submitting(form, "Sending…", async () => {
    try {
      const res = await send("POST", "/auth/forgot-password", { email: email.input.value });
      if (!res.ok) await read(res); // throws the problem; 202 has no body
      put(done, h("p", { class: "banner", id: "forgot-sent", text: "If this email belongs to an account, a link to choose a new password is on its way. It works once, for 30 minutes." }));
    } catch (e) {
      showError(err, explain(e, { 429: "Too many requests. Please wait a few minutes and try again." }));
    }
  });
  return [
    h("p", { class: "lead", text: "Type the email you sign in with. We will send a link to choose a new password." }),
    form, done,
    back(home, onBack, "Back to sign in"),
  ];
}

/** Choosing a new password with the reset `token` (already out of the address bar). */
export function reset(token, { onDone, explain, lead }) {
  const [password, again] = newPasswordFields("Choose a new password");
  const err = errorBox();
  const form = h("form", { class: "stack", id: "reset-password" }, password.wrap, again.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Set my new password"));
  submitting(form, "Setting your password…", async () => {
    if (password.input.value !== again.input.value) {
      showError(err, "The two passwords are different. Please type the same password twice.");
      return;
    }
    try {
      await read(await send("POST", "/auth/reset-password", { token, password: password.input.value }));
      onDone("Your new password is set, and every earlier sign-in has ended. Please sign in.");
    } catch (e) {
      showError(err, explain(e, {
        401: "This link has expired or was already used. Please ask for a new one from the sign-in page.",
        labels: { password: "Password" },
      }));
    }
  });
  return [h("p", { class: "lead", text: lead }), form];
}
