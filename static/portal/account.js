// Your account: changing your password, and two-factor sign-in (a code from an authenticator app
// on your phone). Also the sign-in steps that belong to the account: the second step of a sign-in
// with two-factor sign-in on, asking for a reset link, and choosing a new password from one.
// Every piece of text goes into the page as text (/shared/h.js).

import { h, put } from "/shared/h.js";
import { errorBox, field, showError, submitting } from "/shared/ui.js";
import { read, send } from "/shared/api.js";
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

const codeField = (label) => field(label || "Code from your authenticator app", {
  name: "one-time-code", autocomplete: "one-time-code", inputmode: "numeric", required: true,
  pattern: "[0-9]{6}", maxlength: 6,
}, "Six digits. A new code appears every 30 seconds.");

const newPasswordFields = (label) => [
  field(label || "New password", {
    type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: 12, maxlength: 256,
  }, "At least 12 characters. A few words you will remember works well."),
  field("Type it again", { type: "password", name: "confirm-password", autocomplete: "new-password", required: true }),
];

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

/** The QR code of `qr` ({size, rows of "0"/"1"}) as SVG: one path of the dark modules, drawn
 * with DOM calls (no markup is parsed), with a quiet zone of 4 modules. */
function qrCode(qr, label) {
  const NS = "http://www.w3.org/2000/svg";
  const edge = qr.size + 8;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${edge} ${edge}`);
  svg.setAttribute("width", "232");
  svg.setAttribute("height", "232");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("class", "qr");
  svg.setAttribute("id", "mfa-qr");
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(NS, "rect");
  background.setAttribute("width", String(edge));
  background.setAttribute("height", String(edge));
  background.setAttribute("fill", "#fff");
  const dark = [];
  qr.rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) if (row[x] === "1") dark.push(`M${x + 4} ${y + 4}h1v1h-1z`);
  });
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", dark.join(""));
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
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

// ---- sign-in steps (no token yet: plain requests) ----

/** The second step of a sign-in with two-factor sign-in on: a code, or a recovery code. */
export function secondStep(mfaToken, { client, onSignedIn, onBack }) {
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
    h("p", { class: "hint" }, h("a", { href: "/portal", onclick: (e) => { e.preventDefault(); onBack(); } }, "Start again")),
  ];
}

/** Asking for a password reset link. */
export function forgot({ onBack }) {
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
    h("p", { class: "hint" }, h("a", { href: "/portal", onclick: (e) => { e.preventDefault(); onBack(); } }, "Back to sign in")),
  ];
}

/** Choosing a new password with the reset `token` (already out of the address bar). */
export function reset(token, { onDone }) {
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
  return [h("p", { class: "lead", text: "Choose a new password for your portal." }), form];
}
