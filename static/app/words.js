// The staff screen's words: what the API's codes mean to a counselor, how to name people and
// sessions, and what to say when a call fails (sentences, never the API's JSON).

import { ApiError } from "/shared/api.js";

export const words = {
  modality: { in_person: "In person", telehealth: "Video", phone: "Phone" },
  session: { scheduled: "Scheduled", completed: "Completed", cancelled: "Cancelled", no_show: "No-show" },
  couple: { active: "Active", paused: "Paused", closed: "Closed" },
  client: { active: "Active", inactive: "Inactive", discharged: "Discharged" },
  note: { draft: "Draft", signed: "Signed" },
  risk: { none: "No risk noted", low: "Low risk", moderate: "Moderate risk", high: "High risk" },
};

/** A person as staff call them: preferred (or first) name and last name. */
export const personName = (p) => (p ? `${p.preferred_name || p.first_name} ${p.last_name}`.trim() : "");

/** A couple by its partners' preferred (or first) names: "Sam & Alex". */
export const coupleName = (c) => (c.partners || []).map((p) => p.preferred_name || p.first_name).join(" & ") || "A couple";

/** Who a session is with: its attendees' names, as the API gives them ("Sam Morgan & Alex Morgan"). */
export const attendeesOf = (s) => s.attendees.map((a) => a.name).join(" & ");

/** Where a session is done: the couple's chart or the client's record, opened at the session. */
export const sessionHref = (s) =>
  s.couple_id ? `#/couple/${s.couple_id}?session=${s.id}` : `#/client/${s.client_id}?session=${s.id}`;

export const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// ---- errors, in words ----
/**
 * What to tell the counselor. `ctx.labels` names the form's fields; `ctx[status]` overrides the
 * general sentence for one status.
 */
export function explain(err, ctx) {
  ctx = ctx || {};
  if (!(err instanceof ApiError)) return "Mend could not be reached. Please check the network connection and try again.";
  if (ctx[err.status]) return ctx[err.status];
  const detail = err.problem && typeof err.problem.detail === "string" ? err.problem.detail : "";
  switch (err.status) {
    case 400:
      return "Something in the form could not be read. Please check it and try again.";
    case 401:
      return "For privacy, please sign in again.";
    case 403:
      return detail || "Your role does not allow this.";
    case 404:
      return "This record was not found, or it is not on your caseload.";
    case 409:
      return detail || "This was already done or has changed since you opened it. The screen now shows the latest.";
    case 412:
      return "Someone changed this since you opened it. The screen now shows the latest version; please try again.";
    case 413:
      return "That is too long to save in one go. Please shorten it.";
    case 422: {
      const labels = ctx.labels || {};
      const fields = (err.problem.errors || []).map((e) => {
        const label = labels[e.field] || labels[String(e.field).split(".")[0]] || e.field || "A field";
        return `${label}: ${e.message}.`;
      });
      return fields.length ? ["Please check the form:", ...fields] : detail || "Please check the form and try again.";
    }
    case 429: {
      const minutes = Math.max(1, Math.ceil(Number(err.retryAfter || 60) / 60));
      return `Too many attempts in a short time. Please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`;
    }
    case 503:
      return "Mend is briefly unavailable. Please try again in a moment.";
    default:
      return "Something went wrong on the server. Please try again; if it keeps happening, tell your administrator.";
  }
}
