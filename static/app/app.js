// Mend for staff (`/app`): the practice's own screen for counselors and admins. One page, plain
// JavaScript modules, no library, no build step; a client of the public JSON API like any other.
//
// This module holds the page together: sign-in, the routing between screens and the running of
// actions. One module per screen (./today.js, ./calendar.js, ./caseload.js, ./couple.js,
// ./client.js); each exports `load(client, route, ctx)` (every call the screen makes on opening,
// in one place), `title(data)` and `draw(data, ctx)` (the elements, from that data only).
// A new screen is one entry in `screens` (and a link in index.html's navigation when it is a
// section of its own).
//
// Rules it keeps (the same as the client portal's):
// - Every piece of text from the API goes into the page as text (/shared/h.js); nothing is ever
//   parsed as HTML. There is no innerHTML, no eval.
// - Tokens live in the API client's memory only (/shared/api.js): never localStorage,
//   sessionStorage or a cookie. Reloading the page or closing the tab signs the person out.
// - After 15 minutes without use the person is signed out, with a warning 2 minutes before.
// - Times are shown in the practice's time zone (GET /practice), with the zone named.

import { h, put } from "/shared/h.js";
import { showError } from "/shared/ui.js";
import { ApiError, createClient } from "/shared/api.js";
import { dates } from "/shared/time.js";
import { explain } from "./words.js";
import { invite, signIn } from "./sign-in.js";
import * as steps from "/shared/sign-in-steps.js";
import * as today from "./today.js";
import * as calendar from "./calendar.js";
import * as caseload from "./caseload.js";
import * as couple from "./couple.js";
import * as clientRecord from "./client.js";
import * as measures from "./measures.js";
import * as consent from "./consent.js";
import * as releases from "./releases.js";
import * as letters from "./letters.js";
import * as plan from "./plan.js";
import * as activities from "./activities.js";
import * as practiceScreen from "./practice.js";
import * as accountScreen from "./account.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const account = document.getElementById("account");
const who = document.getElementById("who");
const notice = document.getElementById("notice");
const alertBox = document.getElementById("alert");
const practiceName = document.getElementById("practice");
const zoneNote = document.getElementById("zone-note");
const navPractice = document.getElementById("nav-practice");

const BRAND = "Mend for staff";

// ---- state (memory only) ----
let me = null; // GET /me
let practice = null; // GET /practice
let time = dates();
let renderSeq = 0;
let carried = null; // a notice to say once the next screen is drawn (an action that moved to another screen)
let enrolmentDue = false; // the practice requires two-factor sign-in and this person has not turned it on

// The screens, by the first part of the hash (`#/couple/ID?session=SID`); `section` is the
// navigation link that stays current while the screen is open.
const screens = {
  today: { screen: today, section: "today" },
  calendar: { screen: calendar, section: "calendar" },
  caseload: { screen: caseload, section: "caseload" },
  couple: { screen: couple, section: "caseload" },
  client: { screen: clientRecord, section: "caseload" },
  measures: { screen: measures, section: "caseload" },
  "client-measures": { screen: measures, section: "caseload" },
  consent: { screen: consent, section: "caseload" },
  releases: { screen: releases, section: "caseload" },
  "client-releases": { screen: releases, section: "caseload" },
  letters: { screen: letters, section: "caseload" },
  plan: { screen: plan, section: "caseload" },
  activities: { screen: activities, section: "caseload" },
  practice: { screen: practiceScreen, section: "practice" },
  account: { screen: accountScreen, section: "account" },
};

/** A 403 that says the practice requires two-factor sign-in and this person has not turned it on. */
const isEnrolmentDue = (e) => e instanceof ApiError && e.status === 403 &&
  String((e.problem && e.problem.type) || "").endsWith("/mfa-enrollment-required");

const client = createClient({
  notice,
  warning: "For privacy, you will be signed out in 2 minutes unless you keep working.",
  onSignedOut: signedOutLocally,
});

function say(message) {
  if (client.warned()) return;
  notice.replaceChildren(h("p", { text: message }));
  window.clearTimeout(say.timer);
  say.timer = window.setTimeout(() => notice.replaceChildren(), 12000);
}

function shout(message) {
  alertBox.replaceChildren(h("p", { text: [message].flat().join(" ") }));
  alertBox.focus();
}

/** Forgets everything in memory and shows the sign-in form (the client has dropped the tokens). */
function signedOutLocally(message) {
  me = null;
  practice = null;
  enrolmentDue = false;
  renderSeq++;
  nav.hidden = true;
  navPractice.hidden = true;
  account.hidden = true;
  who.textContent = "";
  practiceName.textContent = BRAND;
  zoneNote.textContent = "";
  notice.replaceChildren();
  alertBox.replaceChildren();
  if (location.hash) history.replaceState(null, "", location.pathname);
  showSignIn(message);
}

const signOut = (message) => client.signOut(message || "You are signed out.");
document.getElementById("sign-out").addEventListener("click", () => signOut());

// ---- signing in ----
function screen(title, ...kids) {
  document.title = `${title} · ${BRAND}`;
  put(main, h("h1", { tabindex: "-1", text: title }), kids);
  main.querySelector("h1").focus();
}

const showSignIn = (message) => screen("Sign in", signIn(message, {
  client,
  onSignedIn: start,
  onSecondStep: (mfaToken) => screen("Your code", steps.secondStep(mfaToken, { client, onSignedIn: start, onBack: () => showSignIn(), explain, home: "/app" })),
  onForgot: () => screen("Forgot your password", steps.forgot({ onBack: () => showSignIn(), explain, home: "/app" })),
}));
const showInvite = (token) => screen("Welcome", invite(token, { client, onSignedIn: start }));

/** After a token pair: who is this, the practice's zone, then the first screen. */
async function start() {
  client.touched();
  const user = await client.call("GET", "/me");
  if (user.role === "client") {
    await signOut("This screen is for the practice's staff. Clients and partners use the client portal at /portal.");
    return;
  }
  me = user;
  who.textContent = me.display_name;
  who.setAttribute("aria-label", `${me.display_name}: your account`);
  account.hidden = false;
  try {
    practice = await client.call("GET", "/practice");
  } catch (e) {
    if (!isEnrolmentDue(e)) throw e;
    enrolFirst();
    return;
  }
  enrolmentDue = false;
  showPractice(practice);
  navPractice.hidden = me.role !== "admin";
  nav.hidden = false;
  if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/today");
  render();
}

/** The practice's name and time zone in the header and footer (at sign-in, and after a change). */
function showPractice(p) {
  practice = p;
  time = dates({ timeZone: practice.timezone });
  practiceName.textContent = p.name;
  zoneNote.textContent = `Times are in the practice's time zone: ${time.timeZone} (${time.zone()}).`;
}

/**
 * The practice requires two-factor sign-in and this person has not turned it on: every screen but
 * "Your account" is closed (the API answers 403 `mfa-enrollment-required`), so that is where they go.
 */
function enrolFirst() {
  enrolmentDue = true;
  nav.hidden = true;
  if (location.hash !== "#/account") history.replaceState(null, "", "#/account");
  render();
}

/** Two-factor sign-in is on now: a new token (which no longer says it is due), then the day. */
async function enrolled() {
  await client.renew();
  history.replaceState(null, "", "#/today");
  await start();
}

// ---- routing ----
/** `#/couple/ID?session=SID` → {name: "couple", id: "ID", params}. */
function route() {
  const [path, query] = location.hash.slice(2).split("?");
  const [name, id] = path.split("/");
  return { name: screens[name] ? name : "today", id: id || null, params: new URLSearchParams(query || "") };
}

/** Loads the current screen's data and draws it; `keepFocus` after an action on the same screen. */
async function render(keepFocus) {
  if (!client.signedIn() || !me) return;
  const r = enrolmentDue ? { name: "account", id: null, params: new URLSearchParams() } : route();
  const entry = screens[r.name];
  for (const a of nav.querySelectorAll("a")) {
    if (a.getAttribute("href") === `#/${entry.section}`) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (entry.section === "account") who.setAttribute("aria-current", "page");
  else who.removeAttribute("aria-current");
  const seq = ++renderSeq;
  const ctx = context(r);
  if (!keepFocus) {
    const slow = window.setTimeout(() => {
      if (seq === renderSeq) put(main, h("p", { class: "loading", text: "Loading…" }));
    }, 150);
    ctx.done = () => window.clearTimeout(slow);
  }
  let data;
  try {
    data = await entry.screen.load(client, r, ctx);
  } catch (e) {
    if (ctx.done) ctx.done();
    if (seq !== renderSeq || !client.signedIn()) return;
    if (isEnrolmentDue(e) && !enrolmentDue) {
      enrolFirst();
      return;
    }
    const heading = h("h1", { tabindex: "-1", text: e instanceof ApiError && e.status === 404 ? "Not found" : "Could not load" });
    put(main, heading, h("p", { class: "form-error", text: [explain(e)].flat().join(" ") }),
      h("p", {}, h("a", { href: "#/today" }, "Back to Today")));
    document.title = `${heading.textContent} · ${BRAND}`;
    heading.focus();
    return;
  }
  if (ctx.done) ctx.done();
  if (seq !== renderSeq) return;
  const title = entry.screen.title(data, ctx);
  document.title = `${title} · ${BRAND}`;
  const heading = h("h1", { tabindex: "-1", text: title });
  put(main, heading, entry.screen.draw(data, ctx));
  if (!keepFocus) {
    const target = r.params.get("session") && document.getElementById(`session-${r.params.get("session")}`);
    if (target) {
      target.scrollIntoView({ block: "start" });
      (target.querySelector("h3") || heading).focus({ preventScroll: true });
    } else {
      heading.focus();
    }
  }
}

function context(r) {
  return {
    me,
    practice,
    time,
    route: r,
    isAdmin: me.role === "admin",
    enrolmentDue,
    enrolled,
    practiceChanged: showPractice,
    api: client,
    act,
    go,
    later: (slot, load, draw) => later(slot, renderSeq, load, draw),
  };
}

// A section's link while it is open reloads it (the browser fires no hashchange for the same hash).
nav.addEventListener("click", (e) => {
  const link = e.target.closest("a");
  if (link && link.getAttribute("href") === location.hash) render();
});

/** Opens the screen at `hash`; `message` is said once it is drawn. */
function go(hash, message) {
  carried = message || null;
  if (location.hash === hash) render().then(sayCarried);
  else location.hash = hash;
}

function sayCarried() {
  if (!carried) return;
  say(carried);
  carried = null;
}

window.addEventListener("hashchange", () => {
  if (!location.hash.startsWith("#/")) return; // the skip link
  alertBox.replaceChildren();
  if (!client.warned()) notice.replaceChildren();
  render().then(sayCarried);
});

/**
 * Runs an action from a button or form, then redraws the screen with fresh data; errors in words
 * (in `box` when the form has one, else at the top). `opts.done` is said when it worked,
 * `opts.explain` overrides the words for an error, `opts.then` runs after it worked instead of the
 * redraw, `opts.goTo(result)` opens another screen instead (and says `done` there).
 */
async function act(box, work, opts) {
  const o = opts || {};
  try {
    const result = await work();
    if (o.goTo) {
      go(o.goTo(result), typeof o.done === "function" ? o.done(result) : o.done);
      return result;
    }
    if (o.then) o.then(result);
    else await render(true);
    if (o.done) {
      say(typeof o.done === "function" ? o.done(result) : o.done);
      notice.focus();
    }
    return result;
  } catch (e) {
    if (!client.signedIn()) return null; // signed out; the sign-in form says why
    if (isEnrolmentDue(e) && !enrolmentDue) {
      enrolFirst();
      return null;
    }
    const message = (o.explain && o.explain(e)) || explain(e, o.words);
    if (e instanceof ApiError && [404, 412].includes(e.status)) {
      await render(true);
      shout(message);
    } else if (box && box.isConnected) {
      showError(box, message);
    } else {
      shout(message);
    }
    return null;
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
  screen("Choose a new password", steps.reset(token, { onDone: (message) => showSignIn(message), explain, lead: "Choose a new password for your account at the practice." }));
} else {
  showSignIn();
}
