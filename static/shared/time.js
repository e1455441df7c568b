// Dates and times for Mend's front ends, in the person's language and in a given IANA time zone.
//
//   const t = dates({ timeZone: "America/Chicago" });
//   t.when("2027-01-05T23:00:00Z")  // "Tuesday, January 5, 2027 at 5:00 PM CST" (the zone is shown)
//   t.on("2027-01-05T23:00:00Z")    // "January 5, 2027" (the day of that instant in the zone)
//   t.day("2027-01-05")             // "January 5, 2027" (a calendar date: no zone at all)
//   t.today()                       // "2027-01-05", today in the zone (for <input type=date>)
//   t.clock("2027-01-05T23:00:00Z") // "5:00 PM" (the time of day in the zone, no date, no zone)
//   t.brief("2027-01-05T23:00:00Z") // "Tue, Jan 5, 5:00 PM" (for tables whose heading names the zone)
//   t.dateOf("2027-01-05T23:00:00Z")// "2027-01-05" (the day of that instant in the zone)
//   t.instant("2027-01-05", "17:00")// "2027-01-05T23:00:00.000Z" (a wall time in the zone, as UTC)
//   t.zone()                        // "CST" (the zone's short name now)
//   addDays("2027-01-05", 1), weekday("2027-01-05"), mondayOf("2027-01-05") work on calendar dates.
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

  const clockOnly = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", timeZone });
  const briefly = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZone });
  const wall = new Intl.DateTimeFormat("en-US", {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone,
  });
  const partsOf = (date) => Object.fromEntries(wall.formatToParts(date).map((p) => [p.type, p.value]));

  /** The time of day of an instant in the zone ("5:00 PM"). */
  const clock = (iso) => (iso ? clockOnly.format(new Date(iso)) : "");

  /** An instant briefly, without the zone ("Tue, Jan 5, 5:00 PM"): the zone must be named nearby. */
  const brief = (iso) => (iso ? briefly.format(new Date(iso)) : "");

  /** The calendar date of an instant in the zone, "YYYY-MM-DD". */
  function dateOf(iso) {
    const p = partsOf(new Date(iso));
    return `${p.year}-${p.month}-${p.day}`;
  }

  /** The wall time "HH:MM" of an instant in the zone (for <input type=time>). */
  function hhmm(iso) {
    const p = partsOf(new Date(iso));
    return `${p.hour}:${p.minute}`;
  }

  /** The instant (ISO 8601, UTC) at which the zone's clocks read `date` ("YYYY-MM-DD") `time` ("HH:MM"). */
  function instant(date, time) {
    const [y, mo, d] = date.split("-").map(Number);
    const [hh, mm] = time.split(":").map(Number);
    const target = Date.UTC(y, mo - 1, d, hh, mm);
    let guess = target;
    // Two corrections settle it, daylight-saving changes included.
    for (let i = 0; i < 3; i++) {
      const p = partsOf(new Date(guess));
      const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
      guess += target - shown;
    }
    return new Date(guess).toISOString();
  }

  /** The zone's short name now ("CST"). */
  const zone = () => zoneAt(new Date());

  return { when, on, day, today, clock, brief, dateOf, hhmm, instant, zone, timeZone: dateTime.resolvedOptions().timeZone, showZone };
}

// ---- calendar dates ("YYYY-MM-DD"), which have no zone ----

/** `date` plus `n` days. */
export function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The Monday of the week of `date`. */
export function mondayOf(date) {
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(date, dow === 0 ? -6 : 1 - dow);
}

const weekdayName = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", timeZone: "UTC" });
const shortDay = new Intl.DateTimeFormat(undefined, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" });

/** "Tuesday, January 5" for a calendar date. */
export const weekday = (date) => weekdayName.format(new Date(`${date}T00:00:00Z`));

/** "Tue, Jan 5" for a calendar date. */
export const shortDate = (date) => shortDay.format(new Date(`${date}T00:00:00Z`));
