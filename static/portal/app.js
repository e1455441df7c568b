// Mend's client portal: one page, plain JavaScript, no library, no build step.
//
// Rules this file keeps (they are what makes it safe to show clinical text in a browser):
// - Every piece of text from the API goes into the page through textContent or a text node
//   (the `h` helper below); nothing is ever parsed as HTML. There is no innerHTML, no eval.
// - Tokens live in this module's memory only: never localStorage, sessionStorage or a cookie.
//   Reloading the page or closing the tab signs the person out.
// - After 15 minutes without use the person is signed out (HIPAA automatic logoff); while they
//   use the page, the access token is refreshed before it expires.
// - It talks only to the public JSON API under /api/v1.
"use strict";

(() => {
  const API = "/api/v1";
  const IDLE_MS = 15 * 60 * 1000;
  const WARN_MS = 2 * 60 * 1000;
  const REFRESH_AHEAD_MS = 2 * 60 * 1000;
  const TICK_MS = 5000;
  const PAGE_LIMIT = 100;
  const MAX_PAGES = 20;

  // ---- state (memory only) ----
  let auth = null; // {access, refresh, expiresAt}
  let refreshing = null;
  let lastActivity = Date.now();
  let warned = false;
  let me = null; // {id (client id), first_name, preferred_name, ...}
  let data = null; // the lists, loaded at sign-in
  let couple = null; // the selected couple id
  let inviteToken = null;
  let renderSeq = 0;
  let shown = "home"; // the section on screen

  const main = document.getElementById("main");
  const nav = document.getElementById("nav");
  const account = document.getElementById("account");
  const who = document.getElementById("who");
  const notice = document.getElementById("notice");
  const alertBox = document.getElementById("alert");

  // ---- building the page (text only, never HTML) ----
  let nextId = 0;
  const uid = (prefix) => `${prefix}-${++nextId}`;

  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
      else if (value === true) el.setAttribute(key, "");
      else el.setAttribute(key, String(value));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }

  /** Replaces the children of `parent` (arrays flattened; null, undefined and false left out). */
  function put(parent, ...kids) {
    parent.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
  }

  /** A labelled input; returns {wrap, input}. */
  function field(label, attrs, hint) {
    const id = uid("f");
    const hintId = hint ? uid("hint") : null;
    const input = h(attrs.tag || "input", { ...attrs, tag: null, id, "aria-describedby": hintId });
    const wrap = h("div", { class: "field" },
      h("label", { for: id, text: label }),
      hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
      input);
    return { wrap, input };
  }

  /** A group of radio buttons; returns {wrap, value()}. */
  function radios(legend, name, options, hint) {
    const hintId = hint ? uid("hint") : null;
    const inputs = [];
    const wrap = h("fieldset", { class: "choices", "aria-describedby": hintId },
      h("legend", { text: legend }),
      hint ? h("p", { class: "hint", id: hintId, text: hint }) : null,
      options.map((o) => {
        const id = uid("r");
        const input = h("input", { type: "radio", name, id, value: o.value, checked: o.checked, required: o.required });
        inputs.push(input);
        return h("div", { class: "choice" }, input,
          h("label", { for: id }, o.label, o.detail ? h("span", { class: "detail", text: o.detail }) : null));
      }));
    return { wrap, value: () => (inputs.find((i) => i.checked) || {}).value };
  }

  function button(text, onclick, cls) {
    return h("button", { type: "button", class: `button ${cls || ""}`.trim(), onclick }, text);
  }

  function errorBox() {
    return h("div", { class: "form-error", role: "alert", tabindex: "-1", hidden: true });
  }

  function showError(box, message) {
    box.replaceChildren(...(Array.isArray(message) ? message.map((m) => h("p", { text: m })) : [h("p", { text: message })]));
    box.hidden = false;
    box.focus();
  }

  function say(message) {
    if (warned) return;
    notice.replaceChildren(h("p", { text: message }));
    window.clearTimeout(say.timer);
    say.timer = window.setTimeout(() => notice.replaceChildren(), 12000);
  }

  function shout(message) {
    alertBox.replaceChildren(h("p", { text: message }));
  }

  function card(...kids) {
    return h("article", { class: "card" }, ...kids);
  }

  function paragraphs(text, cls) {
    return h("div", { class: `prose ${cls || ""}`.trim() }, String(text).split(/\n{2,}/).map((p) => h("p", { text: p })));
  }

  // ---- dates, in the person's own language and time zone ----
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });
  const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });
  const dayOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: "UTC" });
  const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
  const on = (iso) => (iso ? dateOnly.format(new Date(iso)) : "");
  const day = (ymd) => (ymd ? dayOnly.format(new Date(`${ymd}T00:00:00Z`)) : "");
  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  // ---- words for the API's codes ----
  const words = {
    modality: { in_person: "In person", telehealth: "Video call", phone: "Phone call" },
    session: { scheduled: "Planned", completed: "Took place", cancelled: "Cancelled", no_show: "Missed" },
    boundary: {
      proposed: "Waiting for both of you to acknowledge it",
      active: "In place",
      revised: "Being revised",
      retired: "No longer in place",
    },
    milestone: { not_started: "Not started yet", in_progress: "In progress", achieved: "Reached", set_aside: "Set aside for now" },
    phase: {
      acknowledge: "Acknowledging what happened",
      understand: "Understanding how it happened",
      amends: "Making amends",
      rebuild: "Rebuilding trust",
      reconnect: "Reconnecting",
      forgive: "Forgiveness",
      sustain: "Keeping it going",
    },
    phases: ["acknowledge", "understand", "amends", "rebuild", "reconnect", "forgive", "sustain"],
    letterKind: {
      impact: "Impact letter",
      accountability: "Accountability letter",
      response: "Response letter",
      other: "Letter",
    },
    letterStatus: {
      draft: "Draft: only you can see it",
      submitted: "With your counselor",
      returned: "Returned to you by your counselor",
      released: "Shared with your partner",
      withdrawn: "Withdrawn",
    },
    policy: {
      no_secrets: "No-secrets agreement",
      limited_secrets: "Limited-secrets agreement",
      accommodation: "Accommodation agreement",
    },
    release: {
      pending: "Waiting for permission",
      authorized: "Permission given",
      disclosed: "Records sent",
      revoked: "Permission withdrawn",
      expired: "Expired",
    },
    record: {
      sessions: "Dates of your sessions",
      summaries: "Session summaries your counselor shared with you",
      boundaries: "Your agreements (boundaries)",
      milestones: "Your plan and its milestones",
      activities: "Activities and what you logged",
      letters: "Letters shared between you",
      assessments: "Questionnaire answers and scores",
    },
  };

  function cadence(a) {
    const n = a.times_per_period;
    if (a.cadence === "once") return "Once";
    const per = a.cadence === "daily" ? "a day" : "a week";
    if (n === 1) return a.cadence === "daily" ? "Every day" : "Once a week";
    return `${n} times ${per}`;
  }

  // ---- errors, in words ----
  class ApiError extends Error {
    constructor(status, problem, retryAfter) {
      super(`HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
      this.retryAfter = retryAfter;
    }
  }

  /**
   * What to tell the person. `ctx.labels` names the form's fields; `ctx[status]` overrides the
   * general sentence for one status.
   */
  function explain(err, ctx) {
    ctx = ctx || {};
    if (!(err instanceof ApiError)) return "We couldn't reach the portal. Please check your internet connection and try again.";
    if (ctx[err.status]) return ctx[err.status];
    switch (err.status) {
      case 400:
        return "Something in the form couldn't be read. Please check it and try again.";
      case 401:
        return "For your privacy, please sign in again.";
      case 403:
        return "This portal is for clients of the practice. If you work at the practice, please use the practice's own system.";
      case 404:
        return "We couldn't find that. It may have been changed or removed; the page has been brought up to date.";
      case 409:
        return "This was already done or has changed since you opened it. The page has been brought up to date.";
      case 412:
        return "This changed since you opened it (perhaps in another window). The page now shows the latest version; please try again.";
      case 413:
        return "That is too long to save in one go. Please shorten it and try again.";
      case 422: {
        const labels = ctx.labels || {};
        const fields = (err.problem.errors || []).map((e) => {
          const label = labels[e.field] || labels[String(e.field).split(".")[0]] || "One of the answers";
          return `${label}: ${e.message}.`;
        });
        return fields.length ? ["Please check the form:", ...fields] : "Please check the form and try again.";
      }
      case 429: {
        const minutes = Math.max(1, Math.ceil(Number(err.retryAfter || 60) / 60));
        return `Too many tries in a short time. Please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`;
      }
      case 503:
        return "The portal is busy or briefly unavailable. Please try again in a moment.";
      default:
        return "Something went wrong on our side. Please try again; if it keeps happening, let your counselor know.";
    }
  }

  // ---- talking to the API ----
  function newKey() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function send(method, path, body, headers) {
    const init = {
      method,
      headers: { accept: "application/json", ...(headers || {}) },
      cache: "no-store",
      credentials: "omit",
      referrerPolicy: "no-referrer",
    };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init);
  }

  async function read(res) {
    if (res.ok) {
      if (res.status === 204) return null;
      return res.json();
    }
    let problem = null;
    try {
      problem = await res.json();
    } catch (_) {
      problem = null;
    }
    throw new ApiError(res.status, problem, res.headers.get("retry-after"));
  }

  function setTokens(pair) {
    auth = {
      access: pair.access_token,
      refresh: pair.refresh_token,
      expiresAt: Date.now() + Number(pair.expires_in || 900) * 1000,
    };
  }

  function refresh() {
    if (!refreshing) {
      refreshing = (async () => {
        if (!auth) return false;
        const res = await send("POST", "/auth/refresh", { refresh_token: auth.refresh });
        if (!res.ok) return false;
        setTokens(await res.json());
        return true;
      })()
        .catch(() => false)
        .finally(() => {
          refreshing = null;
        });
    }
    return refreshing;
  }

  /** A call with the person's token: refreshed first when close to expiry, retried once after a 401. */
  async function api(method, path, body, extra) {
    if (!auth) throw new ApiError(401);
    if (auth.expiresAt - Date.now() < REFRESH_AHEAD_MS) await refresh();
    if (!auth) throw new ApiError(401);
    const headers = { authorization: `Bearer ${auth.access}`, ...(extra || {}) };
    let res = await send(method, path, body, headers);
    if (res.status === 401 && (await refresh())) {
      headers.authorization = `Bearer ${auth.access}`;
      res = await send(method, path, body, headers);
    }
    if (res.status === 401) {
      signedOutLocally("For your privacy, please sign in again.");
      throw new ApiError(401);
    }
    return read(res);
  }

  async function listAll(path) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < MAX_PAGES; i++) {
      const sep = path.includes("?") ? "&" : "?";
      const page = await api("GET", `${path}${sep}limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      items.push(...page.items);
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    return items;
  }

  // ---- automatic sign-out after 15 minutes without use ----
  function touched() {
    lastActivity = Date.now();
    if (warned) {
      warned = false;
      notice.classList.remove("warn");
      notice.replaceChildren();
    }
  }
  for (const type of ["pointerdown", "keydown", "input", "wheel", "touchstart", "scroll"]) {
    window.addEventListener(type, touched, { passive: true, capture: true });
  }

  function tick() {
    if (!auth) return;
    const idle = Date.now() - lastActivity;
    if (idle >= IDLE_MS) {
      signOut("For your privacy, you were signed out after 15 minutes without activity.");
      return;
    }
    if (idle >= IDLE_MS - WARN_MS && !warned) {
      warned = true;
      notice.classList.add("warn");
      notice.replaceChildren(h("p", { text: "For your privacy, you will be signed out in 2 minutes unless you keep using the portal." }),
        button("Stay signed in", touched));
    }
    if (auth.expiresAt - Date.now() < REFRESH_AHEAD_MS) refresh();
  }
  window.setInterval(tick, TICK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tick();
  });

  /** Forgets everything in memory and shows the sign-in form. */
  function signedOutLocally(message) {
    auth = null;
    me = null;
    data = null;
    couple = null;
    warned = false;
    nav.hidden = true;
    account.hidden = true;
    who.textContent = "";
    notice.replaceChildren();
    alertBox.replaceChildren();
    if (location.hash) history.replaceState(null, "", location.pathname);
    showSignIn(message);
  }

  async function signOut(message) {
    const token = auth && auth.refresh;
    signedOutLocally(message || "You are signed out. Thank you for taking care of yourself.");
    if (token) {
      try {
        await send("POST", "/auth/logout", { refresh_token: token });
      } catch (_) {
        // The refresh token is gone from memory either way; it expires on the server.
      }
    }
  }
  document.getElementById("sign-out").addEventListener("click", () => signOut());

  // ---- signing in ----
  function screen(title, ...kids) {
    document.title = `${title} · Your counseling portal`;
    put(main, h("h1", { tabindex: "-1", text: title }), kids);
    const heading = main.querySelector("h1");
    if (heading) heading.focus();
  }

  function submitting(form, busyText, work) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const submit = form.querySelector("button[type=submit]");
      if (submit.disabled) return;
      const label = submit.textContent;
      submit.disabled = true;
      submit.textContent = busyText;
      try {
        await work();
      } finally {
        submit.disabled = false;
        submit.textContent = label;
      }
    });
  }

  function showSignIn(message) {
    const email = field("Email", { type: "email", name: "email", autocomplete: "username", required: true, inputmode: "email" });
    const password = field("Password", { type: "password", name: "password", autocomplete: "current-password", required: true });
    const err = errorBox();
    const form = h("form", { class: "stack", id: "sign-in" }, email.wrap, password.wrap, err,
      h("button", { type: "submit", class: "button primary" }, "Sign in"));
    submitting(form, "Signing in…", async () => {
      try {
        const res = await send("POST", "/auth/login", { email: email.input.value, password: password.input.value });
        setTokens(await read(res));
        await start();
      } catch (e) {
        auth = null;
        showError(err, explain(e, {
          401: "That email and password don't match. Please check them and try again.",
        }));
      }
    });
    screen("Sign in",
      message ? h("p", { class: "banner", text: message }) : null,
      h("p", { class: "lead", text: "Welcome. This is a private space for you, your partner and your counselor between sessions." }),
      form,
      h("p", { class: "hint", text: "First time here? Open the invite link your counselor sent you to choose a password." }));
  }

  function showInvite() {
    const password = field("Choose a password", {
      type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: 12, maxlength: 256,
    }, "At least 12 characters. A few words you will remember works well.");
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
        const res = await send("POST", "/auth/accept-invite", { token: inviteToken, password: password.input.value });
        setTokens(await read(res));
        inviteToken = null;
        await start();
      } catch (e) {
        auth = null;
        showError(err, explain(e, {
          401: "This invite link has expired or was already used. Please ask your counselor for a new one, or sign in if you already set a password.",
          labels: { password: "Password" },
        }));
      }
    });
    screen("Welcome",
      h("p", { class: "lead", text: "Your counselor invited you to your portal. Choose a password to finish setting it up." }),
      form,
      h("p", { class: "hint" }, "Already set a password? ", h("a", { href: "/portal", id: "to-sign-in" }, "Sign in instead"), "."));
  }

  /** After a token pair: who is this, then the first screen. */
  async function start() {
    lastActivity = Date.now();
    const user = await api("GET", "/me");
    if (user.role !== "client") {
      await signOut("This portal is for clients of the practice. If you work at the practice, please use the practice's own system.");
      return;
    }
    me = await api("GET", "/portal/me");
    who.textContent = me.preferred_name || me.first_name;
    account.hidden = false;
    nav.hidden = false;
    await loadAll();
    if (!location.hash.startsWith("#/")) history.replaceState(null, "", "#/home");
    render();
  }

  // ---- the data of every section ----
  const loaders = {
    sessions: () => listAll("/portal/sessions"),
    boundaries: () => listAll("/portal/boundaries"),
    milestones: () => listAll("/portal/milestones"),
    activities: () => listAll("/portal/activities"),
    assessments: () => listAll("/portal/assessments"),
    letters: () => listAll("/portal/letters"),
    consents: () => listAll("/portal/consents"),
    releases: () => listAll("/portal/releases"),
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

  function pickCouples() {
    const ids = new Set();
    for (const list of [data.boundaries, data.milestones, data.activities, data.letters, data.consents, data.releases, data.assessments]) {
      for (const item of list) if (item.couple_id) ids.add(item.couple_id);
    }
    data.couples = Array.from(ids).sort();
    if (!data.couples.includes(couple)) couple = data.couples[0] || null;
  }

  const ofCouple = (items) => items.filter((i) => !i.couple_id || i.couple_id === couple);

  // ---- routing ----
  const sections = {
    home: { title: "Overview", draw: drawHome },
    sessions: { title: "Sessions", draw: drawSessions },
    agreements: { title: "Agreements", draw: drawAgreements },
    plan: { title: "Your plan", draw: drawPlan },
    activities: { title: "Activities", draw: drawActivities },
    questionnaires: { title: "Questionnaires", draw: drawQuestionnaires },
    letters: { title: "Letters", draw: drawLetters },
    consent: { title: "Consent and records", draw: drawConsent },
    access: { title: "Who has seen my record", draw: drawAccess },
  };

  function current() {
    if (location.hash.startsWith("#/")) {
      const name = location.hash.slice(2);
      shown = sections[name] ? name : "home";
    }
    return shown; // a hash of another kind (the skip link) keeps the section
  }

  function render(keepFocus) {
    if (!auth || !data) return;
    const name = current();
    const section = sections[name];
    for (const a of nav.querySelectorAll("a")) {
      if (a.getAttribute("href") === `#/${name}`) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    document.title = `${section.title} · Your counseling portal`;
    const seq = ++renderSeq;
    const heading = h("h1", { tabindex: "-1", text: section.title });
    put(main, heading, couplePicker(), section.draw(seq));
    if (!keepFocus) heading.focus();
  }

  window.addEventListener("hashchange", () => {
    if (!location.hash.startsWith("#/")) return; // the skip link
    alertBox.replaceChildren();
    if (!warned) notice.replaceChildren();
    render();
  });

  function couplePicker() {
    if (!data.couples || data.couples.length < 2) return null;
    const f = field("Which of your counseling relationships", { tag: "select", name: "couple" });
    data.couples.forEach((id, i) => f.input.append(h("option", { value: id, selected: id === couple }, `Relationship ${i + 1}`)));
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
      if (!auth) return; // signed out; the sign-in form says why
      const message = explain(e, ctx);
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
        if (seq === renderSeq && auth) slot.replaceChildren(h("p", { class: "form-error", text: [explain(e)].flat().join(" ") }));
      });
    return slot;
  }

  const empty = (text) => h("p", { class: "empty", text });

  // ---- overview ----
  function drawHome() {
    const name = me.preferred_name || me.first_name;
    const now = Date.now();
    const next = data.sessions.find((s) => s.status === "scheduled" && new Date(s.starts_at).getTime() >= now);
    const todo = [];
    const boundaries = ofCouple(data.boundaries).filter((b) => !b.my_acknowledged_at && b.status !== "retired");
    if (boundaries.length) todo.push(["#/agreements", `${boundaries.length} agreement${boundaries.length === 1 ? "" : "s"} to read and acknowledge`]);
    const pending = ofCouple(data.assessments).filter((a) => a.status === "pending");
    if (pending.length) todo.push(["#/questionnaires", `${pending.length} short questionnaire${pending.length === 1 ? "" : "s"} to answer`]);
    const returned = ofCouple(data.letters).filter((l) => l.direction === "written" && l.status === "returned");
    if (returned.length) todo.push(["#/letters", `${returned.length} letter${returned.length === 1 ? "" : "s"} your counselor returned with a note`]);
    const unsigned = ofCouple(data.consents).filter((c) => !c.my_signed_at);
    if (unsigned.length) todo.push(["#/consent", "Your confidentiality agreement to read and sign"]);
    const releases = ofCouple(data.releases).filter((r) => r.status === "pending" && !r.my_authorized_at);
    if (releases.length) todo.push(["#/consent", `${releases.length} request${releases.length === 1 ? "" : "s"} to share records, waiting for your answer`]);
    const activities = ofCouple(data.activities).filter((a) => a.status === "active");
    return [
      h("p", { class: "lead", text: `Hello, ${name}. Take your time; nothing here has to be done all at once.` }),
      h("section", { "aria-labelledby": "next-h" },
        h("h2", { id: "next-h", text: "Your next session" }),
        next ? card(h("p", { class: "big", text: when(next.starts_at) }),
          h("p", { text: `${next.duration_minutes} minutes · ${words.modality[next.modality] || next.modality}${next.counselor_name ? ` · with ${next.counselor_name}` : ""}` }))
          : empty("No session is planned yet.")),
      h("section", { "aria-labelledby": "todo-h" },
        h("h2", { id: "todo-h", text: "Waiting for you" }),
        todo.length ? h("ul", { class: "todo" }, todo.map(([href, text]) => h("li", {}, h("a", { href }, text))))
          : empty("Nothing is waiting for you right now.")),
      activities.length ? h("section", { "aria-labelledby": "act-h" },
        h("h2", { id: "act-h", text: "Between sessions" }),
        h("p", {}, `You have ${activities.length} activit${activities.length === 1 ? "y" : "ies"} to do. `, h("a", { href: "#/activities" }, "Log how it went"), "."))
        : null,
    ];
  }

  // ---- sessions and shared summaries ----
  function drawSessions() {
    const now = Date.now();
    const upcoming = data.sessions.filter((s) => s.status === "scheduled" && new Date(s.starts_at).getTime() >= now);
    const past = data.sessions.filter((s) => !upcoming.includes(s)).reverse();
    const one = (s) => card(
      h("h3", { text: when(s.starts_at) }),
      h("p", { class: "meta", text: [`${s.duration_minutes} minutes`, words.modality[s.modality] || s.modality,
        s.counselor_name ? `with ${s.counselor_name}` : null, s.status === "scheduled" ? null : words.session[s.status]].filter(Boolean).join(" · ") }),
      s.summary ? h("section", { class: "summary", "aria-label": "Summary from your counselor" },
        h("h4", { text: "Summary from your counselor" }),
        paragraphs(s.summary.text),
        h("p", { class: "meta", text: `Shared with you on ${on(s.summary.shared_at)}` })) : null);
    return [
      h("h2", { text: "Coming up" }),
      upcoming.length ? upcoming.map(one) : empty("No session is planned yet. Your counselor will add the next one."),
      h("h2", { text: "Past sessions" }),
      past.length ? past.map(one) : empty("No past sessions yet."),
    ];
  }

  // ---- boundaries (agreements) ----
  function drawAgreements(seq) {
    const items = ofCouple(data.boundaries);
    return [
      h("p", { class: "lead", text: "Agreements are the boundaries you and your partner worked out with your counselor. Acknowledging one means you have read it and agree to it." }),
      items.length ? items.map((b) => agreement(b, seq)) : empty("There are no agreements yet."),
    ];
  }

  function agreement(b, seq) {
    const mine = b.responsible_ids.includes(me.id);
    const theirs = b.responsible_ids.some((id) => id !== me.id);
    const keeps = mine && theirs ? "You both keep this agreement." : mine ? "You keep this agreement." : theirs ? "Your partner keeps this agreement." : null;
    const asked = b.requested_by ? (b.requested_by === me.id ? "You asked for it." : "Your partner asked for it.") : null;
    const err = errorBox();
    const ack = b.my_acknowledged_at
      ? h("p", { class: "done", text: `You acknowledged this on ${on(b.my_acknowledged_at)}.` })
      : b.status === "retired" ? null
        : button("I have read this and I agree", () => act(err, () => api("POST", `/portal/boundaries/${b.id}/acknowledge`),
          ["boundaries"], {}, `Thank you. You acknowledged “${b.title}”.`), "primary");
    const parts = [
      h("h2", { text: b.title }),
      h("p", { class: "status", text: b.status === "proposed" && b.my_acknowledged_at ? "Waiting for your partner to acknowledge it" : words.boundary[b.status] || b.status }),
      b.description ? paragraphs(b.description) : null,
      h("p", { class: "meta", text: [keeps, asked, b.review_on ? `You will look at it again together around ${day(b.review_on)}.` : null].filter(Boolean).join(" ") }),
      ack, err,
    ];
    if (b.status !== "retired") parts.push(checkInForm(b));
    parts.push(later(h("div", { class: "history" }, h("p", { class: "meta", text: "Loading your check-ins…" })), seq,
      () => listAll(`/portal/boundaries/${b.id}/check-ins`),
      (list) => list.length ? h("details", {}, h("summary", {}, `Your check-ins (${list.length})`),
        h("ul", { class: "plain" }, list.map((c) => h("li", {}, `${on(c.created_at)}: ${c.kept ? "kept" : "not kept"}`,
          c.note ? h("span", { class: "quote", text: c.note }) : null))))
        : h("p", { class: "meta", text: "You haven't checked in on this agreement yet." })));
    return card(...parts);
  }

  function checkInForm(b) {
    const kept = radios("Since your last check-in, has this agreement been kept?", uid("kept"), [
      { value: "yes", label: "Yes, it has been kept", required: true },
      { value: "no", label: "No, not always" },
    ]);
    const note = field("Anything you want your counselor to know (optional)", { tag: "textarea", name: "note", maxlength: 2000, rows: 3 },
      "Your check-in is for your counselor. Your partner does not see it.");
    const err = errorBox();
    const form = h("form", { class: "stack" }, kept.wrap, note.wrap, err, h("button", { type: "submit", class: "button" }, "Save check-in"));
    submitting(form, "Saving…", () => act(err, () => api("POST", `/portal/boundaries/${b.id}/check-ins`,
      { kept: kept.value() === "yes", note: note.input.value.trim() ? note.input.value : null }, { "idempotency-key": newKey() }),
    ["boundaries"], { labels: { note: "Your note", kept: "Kept or not" } }, "Your check-in is saved."));
    return h("details", { class: "inline-form" }, h("summary", {}, "Check in on this agreement"), form);
  }

  // ---- milestones (the plan) ----
  function drawPlan() {
    const items = ofCouple(data.milestones);
    if (!items.length) return [empty("Your counselor hasn't shared a plan yet.")];
    const phases = [...words.phases, ...new Set(items.map((m) => m.phase).filter((p) => !words.phases.includes(p)))];
    return [
      h("p", { class: "lead", text: "The steps you are working through together, in order. It's normal for this to take time." }),
      phases.map((phase) => {
        const list = items.filter((m) => m.phase === phase).sort((a, b) => a.position - b.position);
        if (!list.length) return null;
        return h("section", { class: "phase" }, h("h2", { text: words.phase[phase] || phase }),
          h("ul", { class: "milestones" }, list.map((m) => h("li", { class: `milestone ${m.status}` },
            h("h3", { text: m.title }),
            h("p", { class: "status", text: m.status === "achieved" && m.achieved_on ? `Reached on ${day(m.achieved_on)}` : words.milestone[m.status] || m.status }),
            m.description ? paragraphs(m.description) : null,
            m.target_on && m.status !== "achieved" ? h("p", { class: "meta", text: `Aiming for ${day(m.target_on)}` }) : null))));
      }),
    ];
  }

  // ---- activities ----
  function drawActivities(seq) {
    const items = ofCouple(data.activities);
    return [
      h("p", { class: "lead", text: "Things to do between sessions. Log each time you do one, and how it went." }),
      items.length ? items.map((a) => activity(a, seq)) : empty("Your counselor hasn't given you any activities yet."),
    ];
  }

  function activity(a, seq) {
    const parts = [
      h("h2", { text: a.title }),
      h("p", { class: "meta", text: [`${cadence(a)}, ${a.assigned_to === "both" ? "for both of you" : "for you"}`,
        `from ${day(a.starts_on)}`, a.ends_on ? `until ${day(a.ends_on)}` : null].filter(Boolean).join(" · ") }),
      a.instructions ? paragraphs(a.instructions) : null,
    ];
    if (a.status === "active") parts.push(logForm(a));
    else parts.push(h("p", { class: "status", text: "Your counselor has paused this activity for now." }));
    parts.push(later(h("div", { class: "history" }, h("p", { class: "meta", text: "Loading the logs…" })), seq,
      () => listAll(`/portal/activities/${a.id}/logs`), (logs) => activityLogs(logs)));
    return card(...parts);
  }

  function activityLogs(logs) {
    const mine = logs.filter((l) => l.whose === "mine");
    const theirs = logs.filter((l) => l.whose === "partner");
    return [
      h("h3", { text: "What you logged" }),
      mine.length ? h("ul", { class: "plain logs" }, mine.map((l) => h("li", {},
        h("span", { class: "when", text: `${day(l.done_on)}: ${l.completed ? "done" : "not done"}` }),
        l.reflection ? h("span", { class: "quote", text: l.reflection }) : null,
        l.reflection ? h("span", { class: "meta block", text: l.shared_with_partner ? "Shared with your partner" : "Private: only you and your counselor" }) : null)))
        : empty("Nothing logged yet."),
      theirs.length ? [h("h3", { text: "What your partner logged" }),
        h("ul", { class: "plain logs" }, theirs.map((l) => h("li", {},
          h("span", { class: "when", text: `${day(l.done_on)}: ${l.completed ? "done" : "not done"}` }),
          l.reflection ? h("span", { class: "quote", text: l.reflection }) : h("span", { class: "meta block", text: "No reflection shared" }))))] : null,
    ];
  }

  function logForm(a) {
    const done = radios("Did you do it?", uid("done"), [
      { value: "yes", label: "Yes", required: true },
      { value: "no", label: "Not this time" },
    ]);
    const date = field("Which day?", { type: "date", name: "done_on", required: true, value: today(), max: today(), min: a.starts_on });
    const reflection = field("Your reflection (optional)", { tag: "textarea", name: "reflection", maxlength: 5000, rows: 4 },
      a.reflection_prompt || "How did it go? What did you notice?");
    const share = radios("Who can read your reflection?", uid("share"), [
      { value: "private", label: "Only my counselor", detail: "Private. Your partner will not see it.", checked: true },
      { value: "shared", label: "My counselor and my partner", detail: "Shared. Your partner will see it on their activities page." },
    ], "Your counselor can read every reflection. Your partner sees it only if you choose “shared”. You can't change this after saving.");
    const err = errorBox();
    const form = h("form", { class: "stack" }, done.wrap, date.wrap, reflection.wrap, share.wrap, err,
      h("button", { type: "submit", class: "button primary" }, "Save log"));
    submitting(form, "Saving…", () => act(err, () => api("POST", `/portal/activities/${a.id}/logs`, {
      done_on: date.input.value,
      completed: done.value() === "yes",
      reflection: reflection.input.value.trim() ? reflection.input.value : null,
      share_with_partner: share.value() === "shared",
    }, { "idempotency-key": newKey() }), ["activities"], {
      409: "You already logged this activity for that day. Pick another day, or leave it for today.",
      labels: { done_on: "The day", reflection: "Your reflection" },
    }, "Your log is saved."));
    return h("details", { class: "inline-form" }, h("summary", {}, "Log this activity"), form);
  }

  // ---- questionnaires (outcome measures) ----
  function drawQuestionnaires(seq) {
    const items = ofCouple(data.assessments);
    return [
      h("p", { class: "lead", text: "Short questionnaires help you and your counselor see how things change over time. Your answers are for you and your counselor only; your partner doesn't see them." }),
      items.length ? items.slice().reverse().map((a) => later(h("div", {}, card(h("p", { class: "meta", text: "Loading…" }))), seq,
        () => api("GET", `/portal/assessments/${a.id}`), (d) => questionnaire(d)))
        : empty("There are no questionnaires for you right now."),
    ];
  }

  function questionnaire(d) {
    const q = d.questionnaire;
    const title = q ? q.title : d.instrument;
    const parts = [h("h2", { text: title })];
    if (d.status === "completed") {
      const range = q ? ` out of ${q.score.max}` : "";
      parts.push(h("p", { class: "done", text: `You answered this on ${on(d.completed_at)}.` }),
        d.score !== null && d.score !== undefined ? h("p", { text: `Your score: ${d.score}${range}. Your counselor will go through it with you.` }) : null);
    } else if (d.status === "cancelled") {
      parts.push(h("p", { class: "status", text: "Your counselor cancelled this questionnaire." }));
    } else if (q) {
      const groups = q.items.map((item, i) => ({
        item,
        group: radios(`${i + 1}. ${item.text}`, uid(item.id), item.options.map((o) => ({ value: String(o.value), label: o.label, required: true }))),
      }));
      const err = errorBox();
      const form = h("form", { class: "stack" }, d.due_on ? h("p", { class: "meta", text: `Please answer by ${day(d.due_on)}.` }) : null,
        groups.map((g) => g.group.wrap), err, h("button", { type: "submit", class: "button primary" }, "Send my answers"));
      const labels = Object.fromEntries(q.items.map((item, i) => [`answers.${item.id}`, `Question ${i + 1}`]));
      submitting(form, "Sending…", () => act(err, () => {
        const answers = {};
        for (const g of groups) answers[g.item.id] = Number(g.group.value());
        return api("POST", `/portal/assessments/${d.id}/responses`, { answers });
      }, ["assessments"], { labels, 409: "You already answered this questionnaire." }, "Thank you. Your answers are saved."));
      parts.push(form, h("p", { class: "hint", text: `Source: ${q.citation}` }));
    }
    return card(...parts);
  }

  // ---- letters ----
  function drawLetters() {
    const items = ofCouple(data.letters);
    const written = items.filter((l) => l.direction === "written");
    const received = items.filter((l) => l.direction === "received");
    return [
      h("p", { class: "lead", text: "Letters are written over several drafts. Only you see a draft. When you send it, your counselor reads it first, and shares it with your partner when the time is right." }),
      h("h2", { text: "Letters to you" }),
      received.length ? received.map((l) => card(h("h3", { text: l.title }),
        h("p", { class: "meta", text: `${words.letterKind[l.kind] || "Letter"} from your partner · shared by your counselor on ${on(l.released_at)}` }),
        paragraphs(l.body, "letter"))) : empty("No letters have been shared with you yet."),
      h("h2", { text: "Your letters" }),
      couple ? newLetter() : empty("Your counselor hasn't set up your shared space yet, so there is nowhere to send a letter."),
      written.length ? written.map(letter) : empty("You haven't written a letter yet."),
    ];
  }

  function letterFields(l) {
    const title = field("Title", { name: "title", required: true, maxlength: 200, value: l ? l.title : null });
    const body = field("Your letter", { tag: "textarea", name: "body", required: true, maxlength: 50000, rows: 12 },
      "Only you can see it until you send it to your counselor.");
    if (l) body.input.value = l.body;
    return { title, body };
  }

  function newLetter() {
    const kind = field("What kind of letter is it?", { tag: "select", name: "kind", required: true });
    for (const [value, label] of [["impact", "An impact letter: how what happened has affected you"],
      ["accountability", "An accountability letter: taking responsibility for what you did"],
      ["response", "A response letter: answering a letter you received"], ["other", "Something else you want to say"]]) {
      kind.input.append(h("option", { value }, label));
    }
    const { title, body } = letterFields(null);
    const err = errorBox();
    const form = h("form", { class: "stack", id: "new-letter" }, kind.wrap, title.wrap, body.wrap, err,
      h("button", { type: "submit", class: "button primary" }, "Save as a draft"));
    submitting(form, "Saving…", () => act(err, () => api("POST", "/portal/letters",
      { couple_id: couple, kind: kind.input.value, title: title.input.value, body: body.input.value }, { "idempotency-key": newKey() }),
    ["letters"], { labels: { title: "Title", body: "Your letter", kind: "Kind" } }, "Your draft is saved. Only you can see it."));
    return h("details", { class: "inline-form" }, h("summary", {}, "Write a new letter"), form);
  }

  function letter(l) {
    const err = errorBox();
    const editable = l.status === "draft" || l.status === "returned";
    const parts = [
      h("h3", { text: l.title }),
      h("p", { class: "status", text: `${words.letterKind[l.kind] || "Letter"} · ${words.letterStatus[l.status] || l.status}` }),
      l.status === "returned" && l.counselor_comment ? h("div", { class: "comment" }, h("h4", { text: "A note from your counselor" }), paragraphs(l.counselor_comment)) : null,
      h("details", {}, h("summary", {}, "Read the letter"), paragraphs(l.body, "letter")),
      l.submitted_at && l.status === "submitted" ? h("p", { class: "meta", text: `Sent to your counselor on ${on(l.submitted_at)}. They will read it before anything is shared.` }) : null,
      l.released_at ? h("p", { class: "meta", text: `Shared with your partner on ${on(l.released_at)}.` }) : null,
    ];
    if (editable) {
      const { title, body } = letterFields(l);
      const editErr = errorBox();
      const form = h("form", { class: "stack" }, title.wrap, body.wrap, editErr, h("button", { type: "submit", class: "button" }, "Save changes"));
      submitting(form, "Saving…", () => act(editErr, () => api("PATCH", `/portal/letters/${l.id}`,
        { title: title.input.value, body: body.input.value }, { "if-match": `"${l.version}"` }),
      ["letters"], { labels: { title: "Title", body: "Your letter" } }, "Your changes are saved."));
      parts.push(h("details", { class: "inline-form" }, h("summary", {}, "Edit"), form));
    }
    const actions = h("div", { class: "actions" });
    if (editable) {
      actions.append(button(l.status === "returned" ? "Send it again to my counselor" : "Send to my counselor",
        () => act(err, () => api("POST", `/portal/letters/${l.id}/submit`), ["letters"], {},
          "Your letter is with your counselor now. Your partner won't see it until your counselor shares it."), "primary"));
    }
    if (l.status !== "released" && l.status !== "withdrawn") {
      actions.append(twoStep("Withdraw this letter", "Yes, withdraw it. This can't be undone.",
        () => act(err, () => api("POST", `/portal/letters/${l.id}/withdraw`), ["letters"], {}, "The letter is withdrawn.")));
    }
    if (actions.childElementCount) parts.push(actions);
    parts.push(err);
    return card(...parts);
  }

  /** A button that asks once more before it acts. */
  function twoStep(first, confirm, action) {
    const wrap = h("span", { class: "two-step" });
    const ask = button(first, () => {
      const yes = button(confirm, action, "danger");
      const no = button("No, keep it", () => {
        wrap.replaceChildren(ask);
        ask.focus();
      });
      wrap.replaceChildren(yes, no);
      yes.focus();
    }, "quiet");
    wrap.append(ask);
    return wrap;
  }

  // ---- consent and release of records ----
  function drawConsent() {
    const policies = ofCouple(data.consents);
    const releases = ofCouple(data.releases);
    return [
      h("h2", { text: "Your confidentiality agreement" }),
      h("p", { class: "lead", text: "This explains what your counselor keeps private and what may be shared between you and your partner. When it changes, you will be asked to sign the new version." }),
      policies.length ? policies.map(policy) : empty("Your counselor hasn't shared a confidentiality agreement yet."),
      h("h2", { text: "Requests to share your records" }),
      h("p", { class: "lead", text: "Nothing is sent to anyone outside the practice without your written permission. You can withdraw your permission any time before the records are sent." }),
      releases.length ? releases.map(release) : empty("There are no requests to share your records."),
    ];
  }

  function signature(label, action, work, done, ctx) {
    const name = field(label, { name: "signed_name", required: true, maxlength: 200, autocomplete: "name" },
      "Typing your name counts as your signature.");
    const err = errorBox();
    const form = h("form", { class: "stack" }, name.wrap, err, h("button", { type: "submit", class: "button primary" }, action));
    submitting(form, "Saving…", () => act(err, () => work(name.input.value), ["consents", "releases"],
      { labels: { signed_name: "Your name" }, ...(ctx || {}) }, done));
    return form;
  }

  function policy(p) {
    return card(
      h("h3", { text: words.policy[p.kind] || "Confidentiality agreement" }),
      h("p", { class: "meta", text: `Version ${p.version}` }),
      paragraphs(p.text),
      p.my_signed_at ? h("p", { class: "done", text: `You signed this version on ${on(p.my_signed_at)}.` })
        : signature("Type your full name to sign", "Sign this agreement",
          (name) => api("POST", `/portal/consents/${p.couple_id}/sign`, { signed_name: name, version: p.version }),
          "Thank you. Your signature is saved.",
          { 409: "The agreement was updated since you opened it. Please read the new version below and sign again." }));
  }

  function release(r) {
    const err = errorBox();
    const required = r.required_ids.includes(me.id);
    const others = r.authorizations.filter((a) => a.client_id !== me.id);
    const parts = [
      h("h3", {}, "To ", r.recipient.name, r.recipient.organization ? `, ${r.recipient.organization}` : ""),
      h("p", { class: "status", text: r.status === "disclosed" && r.disclosed_at ? `Records sent on ${on(r.disclosed_at)}`
        : r.status === "pending" && r.my_authorized_at ? "Waiting for your partner's permission" : words.release[r.status] || r.status }),
      h("h4", { text: "Why" }), paragraphs(r.purpose),
      h("h4", { text: "What would be shared" }),
      h("ul", {}, r.include.map((k) => h("li", { text: words.record[k] || k })),
        r.include_mediation_notes ? h("li", { text: "Your counselor's own notes from joint sessions" }) : null),
      h("p", { class: "meta", text: [r.from || r.to ? `Covering ${r.from ? `from ${day(r.from)}` : ""}${r.from && r.to ? " " : ""}${r.to ? `until ${day(r.to)}` : ""}.` : "Covering all dates.",
        `This permission ends on ${day(r.expires_on)}.`].join(" ") }),
      r.required_ids.length > 1 ? h("p", { class: "meta", text: "Both you and your partner need to give permission before anything is sent." }) : null,
      r.my_authorized_at ? h("p", { class: "done", text: `You gave permission on ${on(r.my_authorized_at)}.` }) : null,
      others.length ? h("p", { class: "meta", text: "Your partner has given permission." }) : null,
    ];
    if (required && r.status === "pending" && !r.my_authorized_at) {
      parts.push(signature("Type your full name to give permission", "Give permission",
        (name) => api("POST", `/portal/releases/${r.id}/authorize`, { signed_name: name }), "Thank you. Your permission is saved."));
    }
    if (required && (r.status === "pending" || r.status === "authorized")) {
      parts.push(h("div", { class: "actions" }, twoStep(r.my_authorized_at ? "Withdraw my permission" : "Say no to this request",
        "Yes, stop this request. This can't be undone.",
        () => act(err, () => api("POST", `/portal/releases/${r.id}/revoke`), ["releases"], {}, "The request is stopped. Nothing will be sent."))));
    }
    parts.push(err);
    return card(...parts);
  }

  // ---- who has seen my record ----
  const accessWords = {
    role: { admin: "Practice administrator", counselor: "Counselor", client: "A client" },
    action: { read: "opened", list: "looked through", create: "added", update: "changed", sign: "signed", share: "shared",
      acknowledge: "acknowledged", assign: "changed who works with", invite: "invited you to", submit: "sent",
      return: "returned", release: "released", withdraw: "withdrew", log: "logged", respond: "answered",
      disclose: "sent out", revoke: "stopped", authorize: "gave permission for" },
    kind: { client: "your personal details", couple: "your couple's record", session: "a session",
      note: "a session note", boundary: "an agreement", boundary_check_in: "an agreement check-in",
      milestone: "your plan", progress: "your progress", letter: "a letter", activity: "an activity",
      activity_log: "an activity log", assessment: "a questionnaire", measure: "questionnaire scores",
      confidentiality_policy: "your confidentiality agreement", release: "a request to share records",
      disclosure: "records that were shared", audit_event: "this report" },
  };

  function drawAccess(seq) {
    const slot = h("div", {}, h("p", { class: "meta", text: "Loading…" }));
    return [
      h("p", { class: "lead", text: "Every time someone opens, changes or tries to open your records, it is written down. Here you can see who it was and when. It shows staff by name; when it was you or your partner, it says so without a name. The last few seconds may not show yet." }),
      later(slot, seq, () => api("GET", "/portal/access-report?limit=100"), (report) => report.items.length
        ? h("ul", { class: "access" }, report.items.map((i) => h("li", {},
          h("p", { text: `${when(i.at)}: ${i.by_you ? "You" : i.actor_name || accessWords.role[i.actor_role] || "Someone"}${!i.by_you && i.actor_name && accessWords.role[i.actor_role] ? ` (${accessWords.role[i.actor_role]})` : ""} ${accessWords.action[i.action] || i.action} ${accessWords.kind[i.resource_type] || "a record"}.` }),
          i.outcome === "denied" ? h("p", { class: "meta", text: "This was refused: they were not allowed to see it." }) : null)))
        : empty("Nobody has opened your records yet.")),
    ];
  }

  // ---- first load ----
  const params = new URLSearchParams(location.search);
  if (params.has("invite")) {
    inviteToken = params.get("invite");
    // The token must not stay in the address bar, the history or a bookmark.
    history.replaceState(null, "", location.pathname);
  }
  if (inviteToken) showInvite();
  else showSignIn();
})();
