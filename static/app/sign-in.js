// Signing in, and choosing a password from a staff invite link (`/app?invite=`). The only calls
// here are the client's signIn and acceptInvite; `onSignedIn` then loads the screen. The second
// step of a two-factor sign-in, the reset link and its page are /shared/sign-in-steps.js.

import { h } from "/shared/h.js";
import { errorBox, field, showError, submitting } from "/shared/ui.js";
import { explain } from "./words.js";

/**
 * The sign-in form, with `message` (why the person is here) above it. `onSecondStep(mfaToken)`
 * when the account has two-factor sign-in on; `onForgot()` for a reset link.
 */
export function signIn(message, { client, onSignedIn, onSecondStep, onForgot }) {
  const email = field("Email", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = field("Password", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "sign-in" }, email.wrap, password.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Sign in"));
  submitting(form, "Signing in…", async () => {
    try {
      const { mfaToken } = await client.signIn(email.input.value, password.input.value);
      if (mfaToken) onSecondStep(mfaToken);
      else await onSignedIn();
    } catch (e) {
      client.drop();
      showError(err, explain(e, { 401: "That email and password do not match. Please check them and try again." }));
    }
  });
  return [
    message ? h("p", { class: "banner", text: message }) : null,
    h("p", { class: "lead", text: "Sign in to see your day, your calendar and your caseload." }),
    form,
    h("p", { class: "hint" }, h("a", { href: "/app", id: "forgot", onclick: (e) => { e.preventDefault(); onForgot(); } }, "Forgot your password?")),
    h("p", { class: "hint" }, "New to the practice? Open the invite link your administrator sent you. Clients and partners use ",
      h("a", { href: "/portal" }, "the client portal"), "."),
  ];
}

/** Choosing a password with the invite `token` (already out of the address bar). */
export function invite(token, { client, onSignedIn }) {
  const password = field("Choose a password", {
    type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: 12, maxlength: 256,
  }, "At least 12 characters.");
  const again = field("Type it again", { type: "password", name: "confirm-password", autocomplete: "new-password", required: true });
  const err = errorBox();
  const form = h("form", { class: "stack", id: "accept-invite" }, password.wrap, again.wrap, err,
    h("button", { type: "submit", class: "button primary" }, "Set my password and sign in"));
  submitting(form, "Setting your password…", async () => {
    if (password.input.value !== again.input.value) {
      showError(err, "The two passwords are different. Please type the same password twice.");
      return;
    }
    try {
      await client.acceptInvite(token, password.input.value);
      await onSignedIn();
    } catch (e) {
      client.drop();
      showError(err, explain(e, {
        401: "This invite link has expired or was already used. Ask your administrator for a new one, or sign in if you already set a password.",
        labels: { password: "Password" },
      }));
    }
  });
  return [
    h("p", { class: "lead", text: "You have been invited to your practice's Mend. Choose a password to finish setting up your account." }),
    form,
    h("p", { class: "hint" }, "Already set a password? ", h("a", { href: "/app" }, "Sign in instead"), "."),
  ];
}
