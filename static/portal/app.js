// Mend's client portal: one page, plain JavaScript modules, no library, no build step.
//
// This module holds the page together: sign-in, the lists loaded at sign-in, the routing between
// screens (one module per screen: ./home.js, ./sessions.js, ./agreements.js, ./plan.js,
// ./activities.js, ./questionnaires.js, ./letters.js, ./consent.js, ./access.js, ./account.js; each exports `draw(shows, ctx)`
// and, when it calls the API itself, `calls(api)`), and the running of actions.
//
// Rules it keeps (they are what makes it safe to show clinical text in a browser):
// - Every piece of text from the API goes into the page as text (/shared/h.js); nothing is ever
//   parsed as HTML. There is no innerHTML, no eval.
// - Tokens live in the API client's memory only (/shared/api.js): never localStorage,
//   sessionStorage or a cookie. Reloading the page or closing the tab signs the person out.
// - After 15 minutes without use the person is signed out; while they use the page, the access
//   token is refreshed before it expires (/shared/api.js).
// - It talks only to the public JSON API of this origin, under /api/v1.

import { h, put } from "/shared/h.js";
import { field, showError } from "/shared/ui.js";
import { ApiError, createClient } from "/shared/api.js";
import { dates } from "/shared/time.js";
import { explain } from "./words.js";
import { invite, signIn } from "./sign-in.js";
import * as home from "./home.js";
import * as sessions from "./sessions.js";
import * as agreements from "./agreements.js";
import * as plan from "./plan.js";
import * as activities from "./activities.js";
import * as questionnaires from "./questionnaires.js";
import * as letters from "./letters.js";
import * as consent from "./consent.js";
import * as access from "./access.js";
import * as accountScreen from "./account.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");
const who = document.getElementById("who");
const notice = document.getElementById("notice");
const alertBox = document.getElementById("alert");

// ---- state (memory only) ----
let me = null; // {id (client id), first_name, preferred_name, ...}
let practice = null; // {name, timezone, counselors}: times are shown in its zone, named
let data = null; // the lists, loaded at sign-in
let couple = null; // the selected couple id
let renderSeq = 0;
let shown = "home"; // the section on screen

// Times in the practice's zone, with the zone named (set at sign-in from GET /portal/practice).
let time = dates();

const client = createClient({
  notice,
  warning: "For your privacy, you will be signed out in 2 minutes unless you keep using the portal.",
  onSignedOut: signedOutLocally,
});

function say(message) {
  if (client.warned()) return;
  notice.replaceChildren(h("p", { text: message }));
  window.clearTimeout(say.timer);
  say.timer = window.setTimeout(() => notice.replaceChildren(), 12000);
}

function shout(message) {
  alertBox.replaceChildren(h("p", { text: message }));
}

/** Forgets everything in memory and shows the sign-in form (the client has dropped the tokens). */
function signedOutLocally(message) {
  me = null;
  data = null;
  couple = null;
  nav.hidden = true;
  account.hidden = true;
  who.textContent = "";
  notice.replaceChildren();
  alertBox.replaceChildren();
  if (location.hash) history.replaceState(null, "", location.pathname);
  showSignIn(message);
}

const signOut = (message) => client.signOut(message || "You are signed out. Thank you for taking care of yourself.");
document.getElementById("sign-out").addEventListener("click", () => signOut());

// ---- signing in ----
function screen(title, ...kids) {
  document.title = `${title} · Your counseling portal`;
  put(main, h("h1", { tabindex: "-1", text: title }), kids);
  const heading = main.querySelector("h1");
  if (heading) heading.focus();
}

const showSignIn = (message) => screen("Sign in", signIn(message, {
  client,
  onSignedIn: start,
  onSecondStep: (mfaToken) => screen("Your code", accountScreen.secondStep(mfaToken, { client, onSignedIn: start, onBack: () => showSignIn() })),
  onForgot: () => screen("Forgot your password", accountScreen.forgot({ onBack: () => showSignIn() })),
}));
const showInvite = (token) => screen("Welcome", invite(token, { client, onSignedIn: start }));

/** After a token pair: who is this, then the first screen. */
async function start() {
  client.touched();
  const user = await client.call("GET", "/me");
  if (user.role !== "client") {
    await signOut("This portal is for clients of the practice. If you work at the practice, please use the practice's own system.");
    return;
  }
  [me, practice] = await Promise.all([client.call("GET", "/portal/me"), client.call("GET", "/portal/practice")]);
  time = dates({ timeZone: practice.timezone });
  who.textContent = `${me.preferred_name || me.first_name} · ${practice.name}`;
  account.hidden = false;
  nav.hidden = false;
  await loadAll();
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/home");
  render();
}

// ---- the lists every screen draws from, loaded at sign-in and after each change ----
const loaders = {
  sessions: () => client.listAll("/portal/sessions"),
  boundaries: () => client.listAll("/portal/boundaries"),
  milestones: () => client.listAll("/portal/milestones"),
  activities: () => client.listAll("/portal/activities"),
  assessments: () => client.listAll("/portal/assessments"),
  letters: () => client.listAll("/portal/letters"),
  consents: () => client.listAll("/portal/consents"),
  releases: () => client.listAll("/portal/releases"),
  couples: () => client.call("GET", "/portal/couples").then((r) => r.items),
};

async function loadAll() {
  const names = Object.keys(loaders);
  const lists = await Promise.all(names.map((n) => loaders[n]()));
  data = {};
  names.forEach((n, i) => {
    data[n] = lists[i];
  });
  pickCouples();
}

async function reload(...names) {
  for (const n of names) data[n] = await loaders[n]();
  pickCouples();
}

// The person's couples (none for someone seen alone: the couple screens are not offered then).
function pickCouples() {
  const ids = data.couples.map((c) => c.id);
  if (!ids.includes(couple)) couple = ids[0] || null;
  for (const link of nav.querySelectorAll("a[data-couple]")) link.parentElement.hidden = !couple;
}

const ofCouple = (items) => items.filter((i) => !i.couple_id || i.couple_id === couple);

// ---- the screens: each one's module and the data it shows ----
const sections = {
  home: {
    title: "Overview",
    screen: home,
    shows: () => ({
      me,
      sessions: data.sessions,
      boundaries: ofCouple(data.boundaries),
      assessments: ofCouple(data.assessments),
      letters: ofCouple(data.letters),
      consents: ofCouple(data.consents),
      releases: ofCouple(data.releases),
      activities: ofCouple(data.activities),
    }),
  },
  sessions: { title: "Sessions", screen: sessions, shows: () => ({ sessions: data.sessions }) },
  agreements: { couple: true, title: "Agreements", screen: agreements, shows: () => ({ me, boundaries: ofCouple(data.boundaries) }) },
  plan: { couple: true, title: "Your plan", screen: plan, shows: () => ({ milestones: ofCouple(data.milestones) }) },
  activities: { couple: true, title: "Activities", screen: activities, shows: () => ({ activities: ofCouple(data.activities) }) },
  questionnaires: { title: "Questionnaires", screen: questionnaires, shows: () => ({ assessments: ofCouple(data.assessments) }) },
  letters: { couple: true, title: "Letters", screen: letters, shows: () => ({ letters: ofCouple(data.letters), couple }) },
  consent: {
    title: "Consent and records",
    screen: consent,
    shows: () => ({ me, consents: ofCouple(data.consents), releases: ofCouple(data.releases) }),
  },
  access: { title: "Who has seen my record", screen: access, shows: () => ({}) },
  account: { title: "Your account", screen: accountScreen, shows: () => ({}) },
};

// ---- routing ----
function current() {
  if (location.hash.startsWith("#/")) {
    const name = location.hash.slice(2);
    shown = sections[name] ? name : "home";
  }
  return shown; // a hash of another kind (the skip link) keeps the section
}

function render(keepFocus) {
  if (!client.signedIn() || !data) return;
  let name = current();
  if (!couple && sections[name].couple) name = shown = "home";
  const section = sections[name];
  for (const a of nav.querySelectorAll("a")) {
    if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${section.title} · Your counseling portal`;
  const seq = ++renderSeq;
  const ctx = {
    time,
    calls: section.screen.calls ? section.screen.calls(client) : {},
    act,
    later: (slot, load, draw) => later(slot, seq, load, draw),
  };
  const heading = h("h1", { tabindex: "-1", text: section.title });
  put(main, heading, couplePicker(), section.screen.draw(section.shows(), ctx));
  if (!keepFocus) heading.focus();
}

window.addEventListener("hashchange", () => {
  if (!location.hash.startsWith("#/")) return; // the skip link
  alertBox.replaceChildren();
  if (!client.warned()) notice.replaceChildren();
  render();
});

function couplePicker() {
  if (!data.couples || data.couples.length < 2) return null;
  const f = field("Which of your counseling relationships", { tag: "select", name: "couple" });
  data.couples.forEach((c) => f.input.append(h("option", { value: c.id, selected: c.id === couple },
    `With ${c.partner.preferred_name || c.partner.first_name}`)));
  f.input.addEventListener("change", () => {
    couple = f.input.value;
    render(true);
  });
  return h("div", { class: "picker" }, f.wrap);
}

/** Runs an action from a button or form, then reloads `names` and redraws; errors in words. */
async function act(box, work, names, ctx, done) {
  try {
    await work();
    if (names && names.length) await reload(...names);
    render(true);
    if (done) {
      say(done);
      notice.focus();
    }
  } catch (e) {
    if (!client.signedIn()) return; // signed out; the sign-in form says why
    const message = explain(e, ctx);
    // A refused save keeps the form and what was typed in it: the reason shows beside it.
    if (box && e instanceof ApiError && [409, 412].includes(e.status)) {
      showError(box, message);
      return;
    }
    if (e instanceof ApiError && [404, 409, 412].includes(e.status) && names && names.length) {
      try {
        await reload(...names);
      } catch (_) {
        // keep what is shown
      }
      render(true);
      shout(Array.isArray(message) ? message.join(" ") : message);
      alertBox.focus();
      return;
    }
    if (box) showError(box, message);
    else shout(Array.isArray(message) ? message.join(" ") : message);
  }
}

/** Fills `slot` once `load` answers, unless the page has been redrawn since. */
function later(slot, seq, load, draw) {
  load().then(
    (value) => {
      if (seq === renderSeq) put(slot, draw(value));
    },
    (e) => {
      if (seq === renderSeq && client.signedIn()) slot.replaceChildren(h("p", { class: "form-error", text: [explain(e)].flat().join(" ") }));
    });
  return slot;
}

// ---- first load ----
const params = new URLSearchParams(location.search);
if (params.has("invite")) {
  const token = params.get("invite");
  // The token must not stay in the address bar, the history or a bookmark.
  history.replaceState(null, "", location.pathname);
  showInvite(token);
} else if (params.has("reset")) {
  const token = params.get("reset");
  history.replaceState(null, "", location.pathname); // the token leaves the address bar at once
  screen("Choose a new password", accountScreen.reset(token, { onDone: (message) => showSignIn(message) }));
} else {
  showSignIn();
}
