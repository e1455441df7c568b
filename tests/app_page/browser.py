#!/usr/bin/env python3
"""The staff screen (/app) in a real browser (headless Chromium through Selenium).

Seeds a practice through the JSON API: the practice's zone, two counselors (Dana, who has a
couple and an individual client whose first name is an XSS attempt, and Lee, who has a couple
of their own and is only invited), a session of Dana's couple that ended two hours ago and is
still `scheduled`, an earlier completed one with a signed note and a shared summary, tomorrow's
sessions, and an impact letter a partner submitted through the portal. Then drives the page:

- Dana signs in, finds the couple from Today's worklist (in words: "Sam's impact letter waits
  for your review"), opens the ended session from it, marks it completed, writes a note and signs
  it, drafts a summary and shares it, adds an addendum to the earlier signed note, schedules a
  session (shown at the wall time chosen in the practice's zone), is told in words when a time
  overlaps, reschedules and then cancels with a reason from the calendar's day view, finds the
  XSS client by name (the name shows as text and never runs), adds a client and invites a partner
  to the portal;
- Lee opens the staff invite link (the token leaves the address bar), sets a password, and
  visits every screen (and Dana's couple's chart by its address): no name of Dana's couple
  appears anywhere;
- the admin, assigned to nothing, opens Dana's couple's chart: partners and status only, no
  note or summary text; the calendar offers every counselor.

Requests are counted from the page's own resource timings: Today at most 3 API calls, a couple's
chart at most 6. axe-core runs on every screen at 768 px and 1280 px (no serious or critical
violation), and every screen is saved as a full-page PNG at both widths in --out.
Usage: browser.py --url URL --admin-email E --admin-password P --axe AXE_MIN_JS --out DIR
"""

import argparse
import datetime as dt
import importlib.util
import os
import sys
import time
import uuid
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

# The portal test's helpers: the API client for seeding, the browser (axe, screenshots, waits).
_spec = importlib.util.spec_from_file_location(
    "portal_browser", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "portal_page", "browser.py"))
portal = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(portal)
XSS, Api, check, fail, FAILURES = portal.XSS, portal.Api, portal.check, portal.fail, portal.FAILURES

ZONE = "America/Chicago"
API_CALLS = "return performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/')).map(e => new URL(e.name).pathname + new URL(e.name).search);"


class Browser(portal.Browser):
    WIDTHS = (768, 1280)

    def api_calls(self):
        return self.js(API_CALLS)

    def reset_calls(self):
        self.js("performance.setResourceTimingBufferSize(2000); performance.clearResourceTimings();")

    def go(self, hash_, title):
        self.js("location.hash = arguments[0];", hash_)
        self.heading(title)
        self.settled()

    def title_starts(self, prefix):
        self.wait(lambda: (self.js("return document.querySelector('main h1').textContent") or "").startswith(prefix), f"a heading {prefix}…")
        self.settled()

    def alert_text(self):
        return self.js("return document.getElementById('alert').innerText;") or ""

    def card_of(self, css, text):
        for el in self.driver.find_elements(By.CSS_SELECTOR, css):
            if text in el.text:
                return el
        fail(f"no {css} holding {text!r}")
        raise SystemExit(report(self))

    def click_in(self, scope, css, text):
        for el in scope.find_elements(By.CSS_SELECTOR, css):
            if text in el.text:
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
                el.click()
                return el
        fail(f"no {css} with {text!r} in {scope.text[:200]!r}")
        raise SystemExit(report(self))


def report(browser):
    print(f"screenshots: {browser.out} ({len(browser.shots)} files)")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s):")
        for f in FAILURES:
            print(f"  - {f}")
        return 1
    print("staff screen: all checks passed")
    return 0


def iso(t):
    return t.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def seed(api, admin_email, admin_password, run):
    admin = api.login(admin_email, admin_password)
    api.call("PATCH", "/practice", {"timezone": ZONE}, admin)
    made = api.call("POST", "/users", {"email": f"dana-{run}@app.test", "display_name": "Dana Rivera", "role": "counselor"}, admin)
    dana_password = "dana's counselor passphrase"
    dana = api.accept(made["invite_token"], dana_password)
    made_lee = api.call("POST", "/users", {"email": f"lee-{run}@app.test", "display_name": "Lee Park", "role": "counselor"}, admin)
    lee_invite = made_lee["invite_token"]
    a = api.call("POST", "/clients", {"first_name": "Alex", "last_name": "Marchetti", "email": f"alex-{run}@app.test"}, dana)
    b = api.call("POST", "/clients", {"first_name": "Samantha", "last_name": "Marchetti", "preferred_name": "Sam",
                                      "email": f"sam-{run}@app.test"}, dana)
    concern = f"Rebuilding trust after an affair. CONCERN-{run}"
    couple = api.call("POST", "/couples", {"partner_ids": [a["id"], b["id"]], "presenting_concern": concern}, dana)
    cid = couple["id"]
    name = " & ".join(p.get("preferred_name") or p["first_name"] for p in couple["partners"])
    x = api.call("POST", "/clients", {"first_name": XSS, "last_name": "Quinn", "pronouns": "they/them"}, dana)

    zone = ZoneInfo(ZONE)
    now = dt.datetime.now(zone)
    today = now.date()
    at = lambda day, hour, minute=0: dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    tomorrow = today + dt.timedelta(days=1)
    markers = {"old_note": f"OLD-NOTE-{run}", "old_summary": f"OLD-SUMMARY-{run}", "note": f"NEW-NOTE-{run}",
               "summary": f"NEW-SUMMARY-{run}", "addendum": f"ADDENDUM-{run}", "concern": concern}
    # Two weeks ago: completed, a signed note and a shared summary.
    old = api.call("POST", "/sessions", {"couple_id": cid, "starts_at": iso(at(today - dt.timedelta(days=14), 15)),
                                         "duration_minutes": 50, "modality": "in_person"}, dana)
    api.call("PATCH", f"/sessions/{old['id']}", {"status": "completed"}, dana)
    note = api.call("POST", f"/sessions/{old['id']}/notes", {"body": f"Both named the injury. {markers['old_note']}", "risk_level": "low"}, dana)
    api.call("POST", f"/notes/{note['id']}/sign", None, dana)
    api.call("PUT", f"/sessions/{old['id']}/summary", {"text": f"We named what happened. {markers['old_summary']}"}, dana)
    api.call("POST", f"/sessions/{old['id']}/summary/share", None, dana)
    # Ended two hours ago and still scheduled: on the worklist as a session to close.
    ended = api.call("POST", "/sessions", {"couple_id": cid, "starts_at": iso(now - dt.timedelta(hours=3)),
                                           "duration_minutes": 50, "modality": "telehealth"}, dana)
    # Tomorrow at 10:00 (the couple) and 13:00 (the XSS client), practice time.
    api.call("POST", "/sessions", {"couple_id": cid, "starts_at": iso(at(tomorrow, 10)), "duration_minutes": 50, "modality": "in_person"}, dana)
    api.call("POST", "/sessions", {"client_id": x["id"], "starts_at": iso(at(tomorrow, 13)), "duration_minutes": 50, "modality": "phone"}, dana)
    # Sam submits an impact letter through the portal: "Sam's impact letter waits for your review".
    sam_invite = api.call("POST", f"/clients/{b['id']}/portal-invite", None, dana)["invite_token"]
    sam = api.accept(sam_invite, "sam's long portal passphrase")
    letter = api.call("POST", "/portal/letters", {"couple_id": cid, "kind": "impact", "title": "What it was like",
                                                  "body": "I want you to understand."}, sam)
    api.call("POST", f"/portal/letters/{letter['id']}/submit", None, sam)
    return {"admin": admin, "dana": dana, "dana_email": f"dana-{run}@app.test", "dana_password": dana_password,
            "lee_invite": lee_invite, "couple_id": cid, "ended_id": ended["id"], "old_id": old["id"], "xss_id": x["id"],
            "tomorrow": tomorrow, "today": today, "markers": markers, "name": name}


def seed_lee(api, s, lee):
    c = api.call("POST", "/clients", {"first_name": "Jordan", "last_name": "Okafor"}, lee)
    d = api.call("POST", "/clients", {"first_name": "Casey", "last_name": "Okafor"}, lee)
    couple = api.call("POST", "/couples", {"partner_ids": [c["id"], d["id"]]}, lee)
    zone = ZoneInfo(ZONE)
    t = dt.datetime(s["tomorrow"].year, s["tomorrow"].month, s["tomorrow"].day, 10, tzinfo=zone)
    api.call("POST", "/sessions", {"couple_id": couple["id"], "starts_at": iso(t), "duration_minutes": 50, "modality": "in_person"}, lee)


def sign_in(b, email, password, title="Today"):
    b.driver.get(f"{b.url}/app")
    b.heading("Sign in")
    b.label_input("Email").send_keys(email)
    b.label_input("Password").send_keys(password)
    b.click("button[type=submit]")
    b.heading(title)
    b.settled()


def counselor(b, s):
    d = b.driver
    m = s["markers"]
    b.set_width(1280)
    d.get(f"{b.url}/app")
    b.heading("Sign in")
    b.screen("sign-in")
    b.label_input("Email").send_keys(s["dana_email"])
    b.label_input("Password").send_keys("not the password")
    b.click("button[type=submit]")
    b.wait(lambda: "do not match" in b.main_text(), "wrong-password message")
    check("{" not in b.find(".form-error").text, "the sign-in error is words, not JSON")
    sign_in(b, s["dana_email"], s["dana_password"])
    check("America/Chicago" in b.page_text(), "the practice's zone is named on the page")

    # Today, counted: at most 3 API calls.
    b.click("nav a", "Calendar")
    b.wait(lambda: (b.js("return document.querySelector('main h1').textContent") or "").startswith("Calendar"), "the calendar")
    b.settled()
    b.reset_calls()
    b.click("nav a", "Today")
    b.heading("Today")
    b.settled()
    time.sleep(0.5)
    calls = b.api_calls()
    print(f"  Today: {len(calls)} API calls: {calls}")
    check(0 < len(calls) <= 3, f"Today makes at most 3 API calls: {calls}")
    s["counts"] = {"today": len(calls)}
    text = b.main_text()
    check("Sam's impact letter waits for your review" in text, f"the worklist in words: {text[:800]!r}")
    check("A session has ended: mark it completed" in text, "the ended session is on the worklist")
    check(s["name"] in text, "worklist items name the couple")
    check("Tomorrow" in text and "10:00" in text, f"tomorrow's sessions in the practice's zone: {text!r}")
    check("Alex Marchetti & Sam Marchetti" in text or "Sam Marchetti & Alex Marchetti" in text, "tomorrow's session names its attendees")
    check(f"{XSS} Quinn" in text, "the XSS client's name shows as text on Today")
    b.screen("today")
    # By keyboard: from the heading, Tab reaches the first worklist link, with a visible focus ring.
    b.js("document.querySelector('main h1').focus();")
    for _ in range(4):
        d.switch_to.active_element.send_keys(Keys.TAB)
        if d.switch_to.active_element.get_attribute("href"):
            break
    active = d.switch_to.active_element
    check("waits for your review" in active.text, f"Tab from the heading reaches the first worklist item: {active.text!r}")
    outline = b.js("const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth;")
    check(not outline.startswith("none"), f"visible focus on the worklist link: {outline}")

    # From the worklist to the chart, at the session; counted: at most 6 API calls.
    b.reset_calls()
    item = b.card_of("li.work", "A session has ended")
    b.click_in(item, "a", "A session has ended")
    b.heading(s["name"])
    b.settled()
    b.wait(lambda: "Loading" not in b.main_text(), "the session's notes")
    time.sleep(0.5)
    calls = b.api_calls()
    print(f"  couple's chart: {len(calls)} API calls: {calls}")
    check(0 < len(calls) <= 6, f"a couple's chart makes at most 6 API calls: {calls}")
    s["counts"]["chart"] = len(calls)
    check(f"#/couple/{s['couple_id']}?session={s['ended_id']}" in d.current_url, f"the worklist item opens the session: {d.current_url}")
    text = b.main_text()
    check(m["concern"] in text and "Progress at a glance" in text, "the chart's head: concern and progress")
    check(m["old_summary"] in text, "the earlier shared summary is in the chart")
    check("with Dana Rivera. Attending: Alex Marchetti & Sam Marchetti" in text or "with Dana Rivera. Attending: Sam Marchetti & Alex Marchetti" in text,
          "sessions name their counselor and attendees")
    b.screen("couple-chart")

    session = lambda sid: b.find(f"#session-{sid}").find_element(By.XPATH, "..")
    b.click_in(session(s["ended_id"]), "button", "Mark completed")
    b.notice("marked completed")
    check("Completed" in session(s["ended_id"]).text, "the session shows as completed")

    # A note for it (its notes are open: the worklist pointed here): write, then sign in two steps.
    b.wait(lambda: "Write a note" in session(s["ended_id"]).text, "the session's notes")
    if not session(s["ended_id"]).find_elements(By.CSS_SELECTOR, "details.inline-form[open] textarea[name=note]"):
        b.click_in(session(s["ended_id"]), "summary", "Write a note")
    b.label_input("Note", session(s["ended_id"])).send_keys(f"Sam asked for transparency about phone use; Alex agreed. {m['note']}")
    b.click_in(session(s["ended_id"]), "button", "Save the draft note")
    b.notice("saved as a draft")
    b.wait(lambda: m["note"] in session(s["ended_id"]).text, "the draft note")
    b.click_in(session(s["ended_id"]), "button", "Sign the note")
    b.click_in(session(s["ended_id"]), "button", "Yes, sign and lock it")
    b.notice("The note is signed")
    b.wait(lambda: "Signed" in session(s["ended_id"]).text and m["note"] in session(s["ended_id"]).text, "the signed note")
    check("By Dana Rivera (you), signed" in session(s["ended_id"]).text, "the note names its author")

    # The summary: draft, then share in two steps.
    b.click_in(session(s["ended_id"]), "summary", "Draft a summary")
    b.label_input("Summary", session(s["ended_id"])).send_keys(f"We talked about transparency and agreed on phones. {m['summary']}")
    b.click_in(session(s["ended_id"]), "button", "Save draft")
    b.notice("summary draft is saved")
    check("Summary draft (not shared yet)" in session(s["ended_id"]).text, "the draft is marked as not shared")
    b.click_in(session(s["ended_id"]), "button", "Share with the attendees")
    b.click_in(session(s["ended_id"]), "button", "Yes, share it now")
    b.notice("The summary is shared")
    text = session(s["ended_id"]).text
    check("Summary, shared with the attendees" in text and m["summary"] in text, "the shared summary")
    b.wait(lambda: m["note"] in session(s["ended_id"]).text, "the signed note after the redraw")
    b.screen("couple-chart-after-session")

    # An addendum to the earlier signed note.
    b.click_in(session(s["old_id"]), "summary", "Mediation notes")
    b.wait(lambda: m["old_note"] in session(s["old_id"]).text, "the earlier note")
    b.click_in(session(s["old_id"]), "summary", "Add an addendum")
    b.label_input("Addendum", session(s["old_id"])).send_keys(f"Correction: the session was 50 minutes. {m['addendum']}")
    b.click_in(session(s["old_id"]), "button", "Add the addendum")
    b.notice("addendum is added")
    b.wait(lambda: m["addendum"] in session(s["old_id"]).text, "the addendum under the signed note")
    check("Addendum by Dana Rivera" in session(s["old_id"]).text, "the addendum names its author")

    # Scheduling: a clash with tomorrow's 10:00 is told in words; 14:00 the day after is kept at 2:00 PM.
    def schedule(day, hhmm):
        b.click("summary", "Schedule a session")
        form = b.find("form.schedule")
        date = b.label_input("Date", form)
        d.execute_script("arguments[0].value = arguments[1]", date, day.isoformat())
        at = b.label_input("Start time", form)
        d.execute_script("arguments[0].value = arguments[1]", at, hhmm)
        b.click_in(form, "button", "Schedule the session")
        return form
    form = schedule(s["tomorrow"], "10:30")
    b.wait(lambda: "overlaps a session already scheduled" in form.text, "the overlap in words")
    check("Sam Marchetti" in form.text or "10:00" in form.text, f"the overlap names the session: {form.text!r}")
    b.screen("schedule-conflict")
    later = s["tomorrow"] + dt.timedelta(days=1)
    form = b.find("form.schedule")
    d.execute_script("arguments[0].value = arguments[1]", b.label_input("Date", form), later.isoformat())
    d.execute_script("arguments[0].value = arguments[1]", b.label_input("Start time", form), "14:00")
    b.click_in(form, "button", "Schedule the session")
    b.notice("The session is scheduled")
    check("2:00 PM" in b.page_text(), "the new session at 2:00 PM practice time")

    # Calendar: the week, then the day: reschedule, then cancel with a reason.
    b.click("nav a", "Calendar")
    b.title_starts("Calendar: week of")
    b.screen("calendar-week")
    b.js("location.hash = arguments[0];", f"#/calendar?day={later.isoformat()}&view=day")
    b.title_starts("Calendar: Monday") if later.weekday() == 0 else b.title_starts("Calendar: ")
    b.wait(lambda: "2:00 PM" in b.main_text(), "the day view with the new session")
    entry = b.card_of("main article.card", "2:00 PM")
    b.click_in(entry, "summary", "Reschedule")
    d.execute_script("arguments[0].value = arguments[1]", b.label_input("Start time", entry), "15:00")
    b.click_in(entry, "button", "Move the session")
    b.notice("The session is moved")
    entry = b.card_of("main article.card", "3:00 PM")
    b.click_in(entry, "summary", "Cancel the session")
    b.label_input("Reason for cancelling", entry).send_keys("The couple asked to move to next week.")
    b.click_in(entry, "button", "Cancel the session")
    b.notice("The session is cancelled")
    check("Cancelled" in b.main_text() and "The couple asked to move to next week." in b.main_text(), "the cancelled session and its reason")
    b.screen("calendar-day")

    # Caseload: the XSS client's name is text; search by name; a new client; a portal invite.
    b.nav("Caseload", "Caseload")
    check(s["name"] in b.main_text() and "Quinn" in b.main_text(), "the caseload lists the couple and the client")
    check(XSS in b.main_text(), "the client's name with markup shows as text")
    b.screen("caseload")
    box = b.label_input("Find by name")
    box.send_keys("quinn")
    b.click("form.search button[type=submit]")
    b.wait(lambda: "whose names contain" in b.main_text(), "search results")
    b.settled()
    check("Quinn" in b.main_text() and s["name"] not in b.main_text(), "search by name")
    b.click("main a", "Quinn")
    b.wait(lambda: "Quinn" in (b.js("return document.querySelector('main h1').textContent") or ""), "the client's record")
    b.settled()
    check(XSS in b.js("return document.querySelector('main h1').textContent"), "the record's title shows the name as text")
    b.screen("client-record")
    b.nav("Caseload", "Caseload")
    b.click("summary", "Add a client")
    form = b.find("#add-client")
    b.label_input("First name", form).send_keys("Riley")
    b.label_input("Last name", form).send_keys("Nakamura")
    b.label_input("Email", form).send_keys("riley@app.test")
    b.click("#add-client button[type=submit]")
    b.heading("Riley Nakamura")
    b.notice("is added to your caseload")
    b.click("button", "Invite to the portal")
    b.wait(lambda: "Portal invite link" in b.main_text(), "the invite link")
    check("/portal?invite=" in (b.label_input("Portal invite link").get_attribute("value") or ""), "the invite link to hand over")
    b.screen("client-invited")

    # Form a couple of the new client and the one whose name holds markup: the chart's title is text.
    b.nav("Caseload", "Caseload")
    b.click("summary", "Form a couple")
    form = b.find("#form-couple")
    for label, name in (("First partner", "Riley Nakamura"), ("Second partner", "Quinn")):
        select = b.label_input(label, form)
        option = [o for o in select.find_elements(By.CSS_SELECTOR, "option") if name in o.text][0]
        option.click()
    b.label_input("Presenting concern", form).send_keys("Communication after a move.")
    b.click("#form-couple button[type=submit]")
    b.wait(lambda: (b.js("return document.querySelector('main h1').textContent") or "").startswith("Riley & "), "the new couple's chart")
    b.notice("The couple is formed")
    check(b.js("return document.querySelector('main h1').textContent") == f"Riley & {XSS}", "the couple's name shows the markup as text")
    b.screen("couple-formed")

    b.click("#sign-out")
    b.heading("Sign in")
    check("You are signed out" in b.main_text(), "signed out")


def other_counselor(b, s, api):
    d = b.driver
    d.get(f"{b.url}/app?invite={s['lee_invite']}")
    b.heading("Welcome")
    check("invite" not in d.current_url, f"the invite token left the address bar: {d.current_url}")
    b.screen("staff-invite")
    b.label_input("Choose a password").send_keys("lee's long counselor passphrase")
    b.label_input("Type it again").send_keys("lee's long counselor passphrase")
    b.click("button[type=submit]")
    b.heading("Today")
    b.settled()
    # Lee's own couple, seeded now that Lee has a login.
    seed_lee(api, s, api.login(s["lee_email"], "lee's long counselor passphrase"))
    b.nav("Today", "Today")
    # Today was open already: the click redraws it with the session seeded just now.
    b.wait(lambda: "Jordan Okafor & Casey Okafor" in b.main_text(), "Lee's session tomorrow on the redrawn Today")
    markers = ["Marchetti", "Samantha", "Alex", s["markers"]["concern"], s["markers"]["note"], s["markers"]["summary"], "Quinn"]
    def clean(where):
        source = d.page_source + b.page_text()
        for marker in markers:
            check(marker not in source, f"Lee's {where} shows Dana's {marker!r}")
    clean("Today")
    check("Jordan Okafor & Casey Okafor" in b.main_text(), "Lee's Today lists Lee's own session tomorrow")
    b.screen("lee-today")
    b.click("nav a", "Calendar")
    b.wait(lambda: (b.js("return document.querySelector('main h1').textContent") or "").startswith("Calendar"), "Lee's calendar")
    b.settled()
    clean("Calendar")
    b.screen("lee-calendar")
    b.nav("Caseload", "Caseload")
    check("Jordan & Casey" in b.main_text(), "Lee's caseload lists Lee's couple")
    clean("Caseload")
    b.screen("lee-caseload")
    b.go(f"#/couple/{s['couple_id']}", "Not found")
    clean("view of Dana's couple's chart")
    check("not on your caseload" in b.main_text(), "another counselor's couple is not found, in words")
    b.screen("lee-not-found")
    b.click("#sign-out")
    b.heading("Sign in")


def admin(b, s, admin_email, admin_password):
    d = b.driver
    m = s["markers"]
    sign_in(b, admin_email, admin_password)
    b.nav("Caseload", "Caseload")
    check(s["name"] in b.main_text() and "Not assigned to you" in b.main_text(), "the admin finds every couple, unassigned")
    b.screen("admin-caseload")
    b.reset_calls()
    b.go(f"#/couple/{s['couple_id']}", s["name"])
    calls = b.api_calls()
    check(calls == [f"/api/v1/couples/{s['couple_id']}"], f"an unassigned admin's chart asks for the couple only: {calls}")
    source = d.page_source + b.page_text()
    for key in ("old_note", "old_summary", "note", "summary", "addendum", "concern"):
        check(m[key] not in source, f"the admin sees no {key} text")
    check("You are not assigned to this couple" in b.main_text(), "the admin is told why, in words")
    b.screen("admin-couple")
    b.click("nav a", "Calendar")
    b.wait(lambda: (b.js("return document.querySelector('main h1').textContent") or "").startswith("Calendar"), "the admin's calendar")
    b.settled()
    options = [o.text for o in d.find_elements(By.CSS_SELECTOR, "select[name=counselor] option")]
    check(any("Dana Rivera" in o for o in options) and any("Lee Park" in o for o in options), f"the admin picks any counselor: {options}")
    b.screen("admin-calendar")

    # 15 minutes without use: a warning 2 minutes before, then the sign-out, in words.
    b.js("window.__clockOffset = 13.5 * 60 * 1000;")
    b.notice("signed out in 2 minutes unless you keep working", timeout=20)
    b.screen("idle-warning")
    b.js("window.__clockOffset = 30 * 60 * 1000;")
    b.heading("Sign in", timeout=20)
    check("15 minutes without activity" in b.main_text(), "the idle sign-out says why")
    check(not d.find_element(By.ID, "nav").is_displayed(), "nothing of the admin's stays on screen")


def two_factor_and_reset(b, api, s, run):
    """A counselor with two-factor sign-in on signs in with a code; a bad reset link is told in
    words and leaves the address bar; "Forgot your password?" sends (or pretends to send) a link."""
    email, password = f"mfa-{run}@app.test", "a counselor passphrase for mfa"
    made = api.call("POST", "/users", {"email": email, "display_name": "Robin Okafor", "role": "counselor"}, s["admin"])
    token = api.accept(made["invite_token"], password)
    enrol = api.call("POST", "/me/mfa/totp", {}, token)
    api.call("POST", "/me/mfa/totp/confirm", {"code": portal.totp(enrol["secret"])}, token)
    b.driver.get(f"{b.url}/app")
    b.heading("Sign in")
    b.label_input("Email").send_keys(email)
    b.label_input("Password").send_keys(password)
    b.click("button[type=submit]")
    b.heading("Your code")
    b.screen("mfa-second-step")
    # The code of the next 30 s step (one step of drift is allowed): the one used to confirm
    # enrolment may not be used again.
    b.label_input("Code from your authenticator app").send_keys(portal.totp(enrol["secret"], 1))
    b.click("button[type=submit]", "Sign in")
    b.heading("Today")
    b.settled()
    check("Robin Okafor" in (b.js("return document.body.innerText;") or ""), "signed in with a code, named")
    b.click("#sign-out")
    b.heading("Sign in")

    b.driver.get(f"{b.url}/app?reset=not-a-real-link")
    b.heading("Choose a new password")
    check("reset=" not in b.driver.current_url, "the reset token leaves the address bar")
    b.label_input("Choose a new password").send_keys("a fresh passphrase 2026")
    b.label_input("Type it again").send_keys("a fresh passphrase 2026")
    b.click("button[type=submit]", "Set my new password")
    b.wait(lambda: "expired or was already used" in b.main_text(), "a bad reset link in words")
    b.screen("reset-bad-link")

    b.driver.get(f"{b.url}/app")
    b.heading("Sign in")
    b.click("#forgot")
    b.heading("Forgot your password")
    b.label_input("Email").send_keys(email)
    b.click("button[type=submit]", "Send me a link")
    b.wait(lambda: "link to choose a new password is on its way" in b.main_text(), "the same answer for every email")
    b.screen("forgot-password")


def front_door(b):
    d = b.driver
    d.get(f"{b.url}/")
    b.heading("Welcome")
    b.click("#to-staff")
    b.heading("Sign in")
    check(d.current_url == f"{b.url}/app", f"the staff link opens /app: {d.current_url}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-email", required=True)
    ap.add_argument("--admin-password", required=True)
    ap.add_argument("--axe", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    api = Api(args.url)
    run = uuid.uuid4().hex[:6]
    s = seed(api, args.admin_email, args.admin_password, run)
    s["lee_email"] = f"lee-{run}@app.test"
    b = Browser(args.url, args.axe, args.out)
    try:
        counselor(b, s)
        other_counselor(b, s, api)
        admin(b, s, args.admin_email, args.admin_password)
        two_factor_and_reset(b, api, s, run)
        front_door(b)
        for problem in b.console_problems():
            fail(f"browser console: {problem}")
    finally:
        b.driver.quit()
    print(f"API calls: Today {s.get('counts', {}).get('today')}, a couple's chart {s.get('counts', {}).get('chart')}")
    return report(b)


if __name__ == "__main__":
    sys.exit(main())
