// Dates and times for Mend's front ends, in the person's language and in a given IANA time zone.
//
//   const t = dates({ timeZone: "America/Chicago" });
//   t.when("2027-01-05T23:00:00Z")  // "Tuesday, January 5, 2027 at 5:00 PM CST" (the zone is shown)
//   t.on("2027-01-05T23:00:00Z")    // "January 5, 2027" (the day of that instant in the zone)
//   t.day("2027-01-05")             // "January 5, 2027" (a calendar date: no zone at all)
//   t.today()                       // "2027-01-05", today in the zone (for <input type=date>)
//
// `dates()` without a zone uses the browser's own zone and does not name it (the portal does this:
// the API does not tell a client the practice's zone yet). Pass `showZone: false` to hide the zone,
// `true` to show the browser's. An unknown zone name falls back to UTC, which is then shown.

export function dates(options) {
  const opts = options || {};
  let timeZone = opts.timeZone || undefined;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
  } catch (_) {
    timeZone = "UTC";
  }
  const showZone = opts.showZone === undefined ? Boolean(opts.timeZone) : Boolean(opts.showZone);
  const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short", timeZone });
  const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone });
  const dayOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: "UTC" });
  // The zone's short name at a given instant ("CST", "CDT", "GMT+1"): it changes with daylight saving.
  const zoneName = new Intl.DateTimeFormat(undefined, { hour: "numeric", timeZoneName: "short", timeZone });
  const ymd = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "2-digit", day: "2-digit", timeZone });

  const zoneAt = (date) => (zoneName.formatToParts(date).find((p) => p.type === "timeZoneName") || {}).value || "";

  /** An instant (ISO 8601) as a full date and time, with the zone when it is shown. */
  function when(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    const text = dateTime.format(date);
    return showZone ? `${text} ${zoneAt(date)}`.trim() : text;
  }

  /** The day of an instant (ISO 8601) in the zone. */
  const on = (iso) => (iso ? dateOnly.format(new Date(iso)) : "");

  /** A calendar date ("2027-01-05") as words; it has no zone. */
  const day = (date) => (date ? dayOnly.format(new Date(`${date}T00:00:00Z`)) : "");

  /** Today in the zone, as "YYYY-MM-DD". */
  function today() {
    const parts = Object.fromEntries(ymd.formatToParts(new Date()).map((p) => [p.type, p.value]));
    return `${parts.year}-${parts.month}-${parts.day}`;
  }

  return { when, on, day, today, timeZone: dateTime.resolvedOptions().timeZone, showZone };
}
