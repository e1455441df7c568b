// The portal's words: what the API's codes mean to a client, and what to tell them when a call
// fails (sentences, never the API's JSON).

import { ApiError } from "/shared/api.js";

export const words = {
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

export function cadence(a) {
  const n = a.times_per_period;
  if (a.cadence === "once") return "Once";
  const per = a.cadence === "daily" ? "a day" : "a week";
  if (n === 1) return a.cadence === "daily" ? "Every day" : "Once a week";
  return `${n} times ${per}`;
}

// ---- errors, in words ----
/**
 * What to tell the person. `ctx.labels` names the form's fields; `ctx[status]` overrides the
 * general sentence for one status.
 */
export function explain(err, ctx) {
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
