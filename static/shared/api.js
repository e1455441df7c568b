// The client of Mend's public JSON API for the front ends in the binary (/portal and /app).
//
// - Tokens live in this client's memory only: never localStorage, sessionStorage or a cookie.
//   Reloading the page or closing the tab signs the person out.
// - While the page is in use, the access token is refreshed before it expires; a 401 is retried
//   once after a refresh, and then signs the person out (`onSignedOut`).
// - After 15 minutes without use the person is signed out and the login is revoked on the server
//   (HIPAA automatic logoff); 2 minutes before, a warning with a "Stay signed in" button is shown.
// - It talks only to the API of this origin, under /api/v1.

import { h } from "./h.js";

export const API = "/api/v1";
export const IDLE_MS = 15 * 60 * 1000;
export const WARN_MS = 2 * 60 * 1000;
const REFRESH_AHEAD_MS = 2 * 60 * 1000;
const TICK_MS = 5000;
const PAGE_LIMIT = 100;
const MAX_PAGES = 20;

/** An answer other than 2xx: its status, its problem+json body (or {}) and Retry-After. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(`HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = retryAfter;
  }
}

/** A fresh Idempotency-Key (128 random bits, hex). */
export function newKey() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One request to the API, without a token. */
export async function send(method, path, body, headers) {
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

/** The JSON of a 2xx answer (null for 204); otherwise throws an ApiError. */
export async function read(res) {
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

/**
 * The signed-in person's session with the API.
 *
 * - `notice`: the element (a polite live region) where the idle warning is shown;
 * - `warning`: its sentence ("…you will be signed out in 2 minutes unless you keep using …");
 * - `onSignedOut(message)`: called once the tokens are forgotten (idle, a 401, `signOut`); the
 *   page forgets what it shows and brings back its sign-in form with `message`.
 */
export function createClient({ notice, warning, onSignedOut }) {
  let auth = null; // {access, refresh, expiresAt}
  let refreshing = null;
  let lastActivity = Date.now();
  let warned = false;

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

  /** Forgets the tokens and the warning, then tells the page. */
  function signedOutLocally(message) {
    auth = null;
    warned = false;
    notice.classList.remove("warn");
    onSignedOut(message);
  }

  /** A call with the person's token: refreshed first when close to expiry, retried once after a 401. */
  async function call(method, path, body, extra) {
    return read(await authorized(method, path, body, extra));
  }

  /**
   * A file the API answers (a chart, a document) as a Blob, fetched with the person's token like
   * any call; an answer other than 2xx throws an ApiError. `type` is the Accept header.
   */
  async function file(path, type) {
    const res = await authorized("GET", path, undefined, { accept: type });
    if (!res.ok) await read(res);
    return res.blob();
  }

  /** The response to a request with the person's token (a 401 after a refresh signs them out). */
  async function authorized(method, path, body, extra) {
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
    return res;
  }

  /** Every item of a cursor-paged list (up to 2,000). */
  async function listAll(path) {
    const items = [];
    let cursor = null;
    for (let i = 0; i < MAX_PAGES; i++) {
      const sep = path.includes("?") ? "&" : "?";
      const page = await call("GET", `${path}${sep}limit=${PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
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
      notice.replaceChildren(h("p", { text: warning }),
        h("button", { type: "button", class: "button", onclick: touched }, "Stay signed in"));
    }
    if (auth.expiresAt - Date.now() < REFRESH_AHEAD_MS) refresh();
  }
  window.setInterval(tick, TICK_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") tick();
  });

  /** Signs out here at once, then revokes the login on the server. */
  async function signOut(message) {
    const token = auth && auth.refresh;
    signedOutLocally(message);
    if (token) {
      try {
        await send("POST", "/auth/logout", { refresh_token: token });
      } catch (_) {
        // The refresh token is gone from memory either way; it expires on the server.
      }
    }
  }

  return {
    call,
    file,
    listAll,
    signOut,
    /**
     * `POST /auth/login`; keeps the token pair (an ApiError when refused). With two-factor
     * sign-in on there is no pair yet: answers `{mfaToken}` for `completeSignIn`.
     */
    async signIn(email, password) {
      const answer = await read(await send("POST", "/auth/login", { email, password }));
      if (answer && answer.mfa_required) return { mfaToken: answer.mfa_token };
      setTokens(answer);
      return {};
    },
    /** `POST /auth/mfa` with `{mfa_token, code | recovery_code}`: keeps the token pair. */
    async completeSignIn(body) {
      setTokens(await read(await send("POST", "/auth/mfa", body)));
    },
    /** `POST /auth/accept-invite`: chooses the password and keeps the token pair. */
    async acceptInvite(token, password) {
      setTokens(await read(await send("POST", "/auth/accept-invite", { token, password })));
    },
    /** Forgets the tokens without telling the page (a sign-in that failed half way). */
    drop() {
      auth = null;
    },
    /** A new token pair now (after turning on two-factor sign-in, which the next token records). */
    renew: refresh,
    /** The person is active now (the idle clock restarts). */
    touched,
    signedIn: () => auth !== null,
    /** Whether the idle warning is on screen (other notices wait until it is gone). */
    warned: () => warned,
  };
}
