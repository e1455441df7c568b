#!/usr/bin/env python3
"""The work between sessions on the staff screen (/app), with the partners' portal (/portal), in a
real browser: letters, boundaries and the trust-repair plan, activities.

Seeds (through the JSON API) a counselor, a couple whose partners both have portal logins, a
letter Alex sent, a draft Alex never sent, and a daily check-in activity with Alex's private
reflection and Jamie's shared one. Then, in the browser:

- the counselor opens Alex's letter from Today's worklist and returns it with a comment;
- Alex, in /portal, reads the comment, revises the letter and sends it again;
- the counselor reads the revision beside the first one and releases it;
- the counselor proposes a boundary; Alex acknowledges it (API); the counselor sees one
  acknowledgement, sets it active; Jamie acknowledges (API); the counselor records a check-in not
  kept and one kept, and opens the "not kept" worklist item, which leads to the boundary;
- the counselor creates the trust-repair plan, moves a milestone to in progress and to reached,
  and hides another from the partners;
- the counselor assigns an activity from a template (for Alex only) and one written (for both),
  and reads the logs: Alex's private reflection marked private, Jamie's shared one marked shared;
- an admin who is not assigned opens each screen: the couple is the only call, nothing clinical;
- Jamie, in /portal, reads the released revision, does not see the hidden milestone, Alex's
  private reflection, the draft, or the counselor's comment to Alex.

Markers: Alex's never-sent draft never appears in /app; what Alex typed after the return is not
given to staff until it is sent again (checked on the API); Alex's private reflection never
reaches Jamie's portal; the hidden milestone never reaches the portal. axe at 768 and 1280 px
and screenshots of every screen; API calls per screen printed and bounded.
Usage: walk_between.py --url URL --admin-email E --admin-password P --axe AXE_MIN_JS --out DIR
"""

import argparse
import datetime as dt
import importlib.util
import os
import sys
import time
import uuid

from selenium.webdriver.common.by import By

_spec = importlib.util.spec_from_file_location("app_browser", os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser.py"))
app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(app)
Api, Browser, check, fail, report, sign_in = app.Api, app.Browser, app.check, app.fail, app.report, app.sign_in

HIDDEN_MILESTONE = "How it came to happen is understood"
MOVED_MILESTONE = "The hurt is named and acknowledged"


def seed(api, admin_email, admin_password, run):
    admin = api.login(admin_email, admin_password)
    email = f"robin-{run}@between.test"
    made = api.call("POST", "/users", {"email": email, "display_name": "Robin Ames", "role": "counselor"}, admin)
    password = "robin's counselor passphrase"
    counselor = api.accept(made["invite_token"], password)
    a = api.call("POST", "/clients", {"first_name": "Alex", "last_name": "Brandt", "email": f"alex-{run}@between.test"}, counselor)
    b = api.call("POST", "/clients", {"first_name": "Jamie", "last_name": "Brandt", "email": f"jamie-{run}@between.test"}, counselor)
    couple = api.call("POST", "/couples", {"partner_ids": [a["id"], b["id"]], "presenting_concern": "Rebuilding trust"}, counselor)
    cid = couple["id"]
    a_password, b_password = "alex's long portal passphrase", "jamie's long portal passphrase"
    a_token = api.accept(api.call("POST", f"/clients/{a['id']}/portal-invite", None, counselor)["invite_token"], a_password)
    b_token = api.accept(api.call("POST", f"/clients/{b['id']}/portal-invite", None, counselor)["invite_token"], b_password)
    m = {k: f"{k.upper()}-{run}" for k in ("letter", "draft", "comment", "revision", "private", "shared", "checkin", "boundary")}
    letter = api.call("POST", "/portal/letters", {"couple_id": cid, "kind": "accountability", "title": "What I owe you",
                                                  "body": f"I did this and I own it. {m['letter']}"}, a_token)
    api.call("POST", f"/portal/letters/{letter['id']}/submit", None, a_token)
    api.call("POST", "/portal/letters", {"couple_id": cid, "kind": "other", "title": "Only for me",
                                         "body": f"Not ready to send this. {m['draft']}"}, a_token)
    today = dt.date.today()
    review = api.call("POST", f"/couples/{cid}/boundaries", {"title": "Phones stay open to each other", "responsible_ids": [a["id"], b["id"]],
                                                          "review_on": (today - dt.timedelta(days=2)).isoformat()}, counselor)
    activity = api.call("POST", f"/couples/{cid}/activities/from-template",
                        {"template": "daily-check-in", "starts_on": (today - dt.timedelta(days=4)).isoformat()}, counselor)
    day = (today - dt.timedelta(days=1)).isoformat()
    api.call("POST", f"/portal/activities/{activity['id']}/logs", {"done_on": day, "completed": True,
             "reflection": f"I felt defensive and said so. {m['private']}", "share_with_partner": False}, a_token)
    api.call("POST", f"/portal/activities/{activity['id']}/logs", {"done_on": day, "completed": True,
             "reflection": f"It helped to hear it. {m['shared']}", "share_with_partner": True}, b_token)
    return {"admin": admin, "counselor": counselor, "email": email, "password": password, "cid": cid, "a": a, "b": b,
            "a_token": a_token, "b_token": b_token, "a_email": f"alex-{run}@between.test", "b_email": f"jamie-{run}@between.test",
            "a_password": a_password, "b_password": b_password, "letter_id": letter["id"], "review_id": review["id"], "m": m, "name": "Alex & Jamie", "counts": {}}


def counted(b, s, name, open_screen, limit):
    """Opens a screen with the request count reset; prints and bounds the API calls it made."""
    b.reset_calls()
    open_screen()
    b.settled()
    time.sleep(0.5)
    calls = b.api_calls()
    print(f"  {name}: {len(calls)} API calls: {calls}")
    check(0 < len(calls) <= limit, f"{name} makes at most {limit} API calls: {calls}")
    s["counts"][name] = len(calls)


def never_in_app(b, s, where):
    source = b.driver.page_source + b.page_text()
    check(s["m"]["draft"] not in source, f"{where}: Alex's unsent draft appears in /app")


def portal_sign_in(b, email, password):
    b.driver.get(f"{b.url}/portal")
    b.heading("Sign in")
    b.label_input("Email").send_keys(email)
    b.label_input("Password").send_keys(password)
    b.click("button[type=submit]")
    b.heading("Overview")
    b.settled()


def sign_out(b):
    b.click("#sign-out")
    b.heading("Sign in")


def letter_card(b, s):
    return b.find(f"#letter-{s['letter_id']}")


def card_text(b, css, needle):
    """The text of the first `css` element holding `needle`, read in one step ('' when none)."""
    return b.js("return (Array.from(document.querySelectorAll(arguments[0])).map((e) => e.innerText)"
                ".find((t) => t.includes(arguments[1]))) || '';", css, needle) or ""


def quiet(b):
    """Clears the notice, so the next wait reads the notice of the next action only."""
    b.js("document.getElementById('notice').replaceChildren();")


def text_of(b, element_id):
    """The text of an element by id, read in one step (a redraw cannot make it stale)."""
    return b.js("const e = document.getElementById(arguments[0]); return e ? e.innerText : '';", element_id) or ""


def review_and_return(b, s):
    m = s["m"]
    b.set_width(1280)
    sign_in(b, s["email"], s["password"])
    item = b.card_of("li.work", "letter waits for your review")
    check(s["name"] in item.text, "the letter's worklist item names the couple")
    counted(b, s, "letters (from Today)", lambda: (b.click_in(item, "a", "waits for your review"), b.title_starts("Letters: ")), 2)
    check(f"#/letters/{s['cid']}?status=submitted&letter={s['letter_id']}" in b.driver.current_url, f"the worklist opens the letter: {b.driver.current_url}")
    card = letter_card(b, s)
    check(m["letter"] in card.text and "Waiting for your review" in card.text, "the submitted letter is open, in words")
    check("Accountability letter by Alex Brandt" in card.text, "the letter names its kind and author")
    never_in_app(b, s, "letters")
    b.screen("between-letter-submitted")
    b.click_in(card, "summary", "Return to Alex Brandt with a comment")
    b.label_input("Comment for Alex Brandt", card).send_keys(f"Say more about how it felt for Jamie. {m['comment']}")
    b.click_in(card, "button", "Return the letter")
    b.notice("returned to Alex Brandt")
    b.wait(lambda: "Returned to the author" in text_of(b, f"letter-{s['letter_id']}"), "the returned letter")
    check(m["comment"] in text_of(b, f"letter-{s['letter_id']}"), "the comment shows on the returned letter")
    b.js("location.hash = arguments[0];", f"#/letters/{s['cid']}")
    b.wait(lambda: "1 letter in all." in b.main_text(), "all letters: the draft is not counted")
    never_in_app(b, s, "all letters")
    b.screen("between-letter-returned")
    sign_out(b)


def revise_in_portal(b, s, api):
    m = s["m"]
    portal_sign_in(b, s["a_email"], s["a_password"])
    b.nav("Letters", "Letters")
    card = b.card_of("main article.card", "What I owe you")
    check(m["comment"] in card.text, "Alex reads the counselor's comment")
    edit = [x for x in card.find_elements(By.CSS_SELECTOR, "summary") if x.text.strip().endswith("Edit")][0]
    b.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", edit)
    edit.click()
    box = b.label_input("Your letter", card)
    box.send_keys(f"\n\nIt hurt you most that I lied for months. {m['revision']}")
    b.click_in(card, "button", "Save changes")
    b.notice("changes are saved")
    b.settled()
    # What Alex typed after the return is Alex's until it is sent again: staff are not given it.
    staff = api.call("GET", f"/couples/{s['cid']}/letters", None, s["counselor"])
    check(m["revision"] not in str(staff) and m["draft"] not in str(staff), "staff are given neither the unsent revision nor the draft")
    card = b.card_of("main article.card", "What I owe you")
    b.click_in(card, "button", "Send it again to my counselor")
    b.notice("with your counselor now")
    b.settled()
    b.screen("between-portal-alex-resubmitted")
    b.click("#sign-out")
    b.heading("Sign in")


def release(b, s):
    m = s["m"]
    sign_in(b, s["email"], s["password"])
    item = b.card_of("li.work", "letter waits for your review")
    b.click_in(item, "a", "waits for your review")
    b.title_starts("Letters: ")
    b.settled()
    card = letter_card(b, s)
    check("revision 2" in card.text and "Revision 2, sent" in card.text, f"the revision is numbered: {card.text[:400]!r}")
    latest = card.find_element(By.CSS_SELECTOR, ".revision.latest").text
    earlier = card.find_element(By.CSS_SELECTOR, ".revision.earlier").text
    check(m["revision"] in latest, "the latest revision holds the new text")
    check("Revision 1, sent" in earlier and m["letter"] in earlier and m["revision"] not in earlier, "the first revision beside it, as it was sent")
    never_in_app(b, s, "the revised letter")
    b.screen("between-letter-revisions")
    b.click_in(card, "button", "Release to Jamie")
    b.click_in(letter_card(b, s), "button", "Yes, release it to Jamie now")
    b.notice("Jamie can read it in their portal")
    b.wait(lambda: "Released to the partner" in text_of(b, f"letter-{s['letter_id']}"), "the released letter")
    b.js("location.hash = arguments[0];", f"#/letters/{s['cid']}?status=released")
    b.wait(lambda: "1 letter released to the partner." in b.main_text(), "letters by status: released")
    b.js("location.hash = arguments[0];", f"#/letters/{s['cid']}?status=submitted")
    b.wait(lambda: "No letter is waiting for your review." in b.main_text(), "letters by status: none waits any more")
    b.screen("between-letters-none-waiting")


def boundaries(b, s, api):
    m = s["m"]
    # From the couple's chart, by its link.
    b.js("location.hash = arguments[0];", f"#/couple/{s['cid']}")
    b.heading(s["name"])
    b.settled()
    check("Between sessions" in b.main_text(), "the chart leads to the work between sessions")
    counted(b, s, "boundaries and plan", lambda: (b.click("main .between-links a", "Boundaries and plan"), b.title_starts("Boundaries and plan: ")), 4)
    b.screen("between-plan-empty")
    b.click("summary", "Propose a boundary")
    form = b.find("#propose-boundary")
    b.label_input("Boundary", form).send_keys(f"No contact with the other person {m['boundary']}")
    b.label_input("What it means in practice", form).send_keys("Alex tells Jamie the same day if they make contact.")
    select = b.label_input("Asked for by", form)
    [o for o in select.find_elements(By.CSS_SELECTOR, "option") if "Jamie" in o.text][0].click()
    b.click_in(form, ".choice label", "Alex Brandt")
    b.click("#propose-boundary button[type=submit]")
    b.notice("The boundary is proposed")
    bid = [x for x in api.call("GET", f"/couples/{s['cid']}/boundaries", None, s["counselor"])["items"] if m["boundary"] in x["title"]][0]["id"]
    card = lambda: b.find(f"#boundary-{bid}")
    btext = lambda: text_of(b, f"boundary-{bid}")
    check("Proposed" in btext() and "Alex Brandt: not acknowledged yet" in btext(), "a proposed boundary, nobody has acknowledged")
    api.call("POST", f"/portal/boundaries/{bid}/acknowledge", None, s["a_token"])
    b.js("location.hash = arguments[0];", f"#/plan/{s['cid']}?boundary={bid}")
    b.wait(lambda: "Alex Brandt: acknowledged" in btext(), "Alex's acknowledgement")
    check("Jamie Brandt: not acknowledged yet" in btext(), "Jamie has not acknowledged yet")
    b.click_in(card(), "button", "Set it active")
    b.notice("is active")
    check("Active" in btext(), "the boundary is active")
    api.call("POST", f"/portal/boundaries/{bid}/acknowledge", None, s["b_token"])
    b.js("location.hash = arguments[0];", f"#/plan/{s['cid']}")
    b.title_starts("Boundaries and plan: ")
    b.wait(lambda: "Jamie Brandt: acknowledged" in btext(), "both acknowledgements")
    for kept, note in ((False, f"A message was answered. {m['checkin']}"), (True, None)):
        b.click_in(card(), "summary", "Record a check-in")
        b.click_in(card(), ".choice label", "Jamie Brandt")
        b.click_in(card(), ".choice label", "Kept" if kept else "Not kept")
        if note:
            b.label_input("Note", card()).send_keys(note)
        quiet(b)
        b.click_in(card(), "button", "Save the check-in")
        b.notice("The check-in is saved")
        b.settled()
    b.wait(lambda: "1 check-in kept, 1 not kept" in btext(), "check-ins kept and not kept")
    text = btext()
    check(m["checkin"] in text and "reported by Jamie Brandt (recorded in session)" in text, f"the check-ins name who reported them: {text!r}")
    check(len(b.driver.find_elements(By.CSS_SELECTOR, f"#boundary-{bid} .strip li")) == 2, "the strip of check-ins over time")
    b.screen("between-boundary-checkins")
    # Today's "not kept" item leads to the boundary.
    b.nav("Today", "Today")
    item = b.card_of("li.work", "as not kept")
    b.click_in(item, "a", "as not kept")
    b.title_starts("Boundaries and plan: ")
    check(f"#/plan/{s['cid']}?boundary={bid}" in b.driver.current_url, f"the worklist item opens the boundary: {b.driver.current_url}")
    b.wait(lambda: "1 check-in kept, 1 not kept" in btext(), "the boundary's check-ins, opened by the route")
    # The review that is due: its worklist item opens that boundary, which says so.
    b.nav("Today", "Today")
    item = b.card_of("li.work", "is due for review")
    b.click_in(item, "a", "is due for review")
    b.title_starts("Boundaries and plan: ")
    check(f"#/plan/{s['cid']}?boundary={s['review_id']}" in b.driver.current_url, f"the review item opens the boundary: {b.driver.current_url}")
    b.wait(lambda: "(due for review)" in text_of(b, f"boundary-{s['review_id']}"), "the boundary due for review")
    focused = b.js("return document.activeElement && document.activeElement.textContent;")
    check(focused == "Phones stay open to each other", f"focus moves to the boundary the worklist named: {focused!r}")
    s["boundary_id"] = bid


def plan(b, s):
    b.click("button", "Create the trust-repair plan")
    b.notice("The plan is created with 10 milestones")
    row = lambda title: b.card_of("li.milestone", title)
    b.click_in(row(MOVED_MILESTONE), "button", "Start it")
    b.notice("in progress")
    check("In progress" in card_text(b, "li.milestone", MOVED_MILESTONE), "the milestone is in progress")
    quiet(b)
    b.click_in(row(MOVED_MILESTONE), "button", "Mark reached")
    b.notice("reached")
    check("Reached" in card_text(b, "li.milestone", MOVED_MILESTONE), "the milestone is reached, with its day")
    b.click_in(row(HIDDEN_MILESTONE), "button", "Hide from the partners")
    b.notice("hidden from the partners")
    check("Hidden from the partners" in card_text(b, "li.milestone", HIDDEN_MILESTONE), "the hidden milestone says so")
    check("1 hidden from the partners" in b.main_text() and "1 of 10 milestones reached" in b.main_text(), "the plan's counts")
    never_in_app(b, s, "plan")
    b.screen("between-plan")


def activities(b, s):
    m = s["m"]
    counted(b, s, "activities", lambda: (b.click("main nav.sections a", "Activities"), b.title_starts("Activities: ")), 4)
    b.click("summary", "From a template")
    form = b.find("#assign-template")
    select = b.label_input("Activity", form)
    [o for o in select.find_elements(By.CSS_SELECTOR, "option") if o.text.startswith("Walk together")][0].click()
    b.click_in(form, ".choice label", "Alex Brandt only")
    b.click("#assign-template button[type=submit]")
    b.notice("“Walk together” is assigned. Alex sees it in the portal.")
    b.click("summary", "Write your own")
    form = b.find("#assign-written")
    b.label_input("Title", form).send_keys("A letter of appreciation each week")
    b.label_input("Instructions", form).send_keys("Write down one thing your partner did that you valued.")
    select = b.label_input("How often", form)
    [o for o in select.find_elements(By.CSS_SELECTOR, "option") if o.text == "Weekly"][0].click()
    quiet(b)
    b.click("#assign-written button[type=submit]")
    b.notice("“A letter of appreciation each week” is assigned.")
    text = b.main_text()
    check("Walk together" in text and "for Alex only" in text, "the template activity for one partner")
    check("Once a week, for both partners" in text, f"the written activity for both: {text!r}")
    card = b.card_of("article.activity", "Daily check-in")
    b.click_in(card, "summary", "Logs and reflections")
    b.wait(lambda: m["private"] in card_text(b, "article.activity", "Daily check-in"), "the logs")
    text = card_text(b, "article.activity", "Daily check-in")
    check("Private: for the counselors only; Jamie does not see it." in text, "Alex's reflection is marked private")
    check(m["shared"] in text and "Shared: Alex reads it too." in text, "Jamie's reflection is marked shared")
    check("Last 30 days: Alex: 1 time done; Jamie: 1 time done." in text, f"adherence per partner: {text!r}")
    check("Missed" in b.main_text() and "Done" in b.main_text(), "adherence over 30 days, as the API counts it")
    never_in_app(b, s, "activities")
    b.screen("between-activities")
    card = b.card_of("article.activity", "Walk together")
    b.click_in(card, "button", "Pause")
    b.notice("is paused")
    check("Paused" in card_text(b, "article.activity", "Walk together"), "the activity is paused")
    sign_out(b)


def admin_sees_none(b, s, admin_email, admin_password):
    m = s["m"]
    sign_in(b, admin_email, admin_password)
    for screen, title in (("letters", "Letters: "), ("plan", "Boundaries and plan: "), ("activities", "Activities: ")):
        b.reset_calls()
        b.js("location.hash = arguments[0];", f"#/{screen}/{s['cid']}")
        b.title_starts(title)
        time.sleep(0.3)
        calls = b.api_calls()
        check(calls == [f"/api/v1/couples/{s['cid']}"], f"an unassigned admin's {screen} asks for the couple only: {calls}")
        source = b.driver.page_source + b.page_text()
        for key in ("letter", "revision", "comment", "private", "shared", "checkin", "boundary", "draft"):
            check(m[key] not in source, f"the admin's {screen} shows {key}")
        check("You are not assigned to this couple" in b.main_text(), "the admin is told why")
        check(not b.driver.find_elements(By.CSS_SELECTOR, "main nav.sections"), f"the admin's {screen} offers no links to the couple's clinical screens")
        if screen == "letters":
            b.screen("between-admin-not-assigned")
    b.js("location.hash = arguments[0];", f"#/couple/{s['cid']}")
    b.heading(s["name"])
    check("Between sessions" not in b.main_text(), "the admin's chart has no links to the work between sessions")
    sign_out(b)


def jamie_in_portal(b, s):
    m = s["m"]
    portal_sign_in(b, s["b_email"], s["b_password"])
    forbidden = {"Alex's draft": m["draft"], "the comment to Alex": m["comment"], "Alex's private reflection": m["private"],
                 "the hidden milestone": HIDDEN_MILESTONE}
    for link in ("Letters", "Your plan", "Activities", "Agreements"):
        b.nav(link, link)
        b.settled()
        if link == "Letters":
            check(m["revision"] in b.driver.page_source and m["letter"] in b.driver.page_source, "Jamie reads the released revision")
        if link == "Your plan":
            check(MOVED_MILESTONE in b.main_text() and "Reached" in b.main_text(), "Jamie sees the reached milestone")
        if link == "Activities":
            check(m["shared"] in b.main_text(), "Jamie sees their own shared reflection")
        if link == "Agreements":
            check(m["boundary"] in b.main_text(), "Jamie sees the boundary")
        source = b.driver.page_source + b.page_text()
        for what, marker in forbidden.items():
            check(marker not in source, f"Jamie's portal {link} shows {what}")
        b.screen(f"between-portal-jamie-{link.lower().replace(' ', '-')}")
    b.click("#sign-out")
    b.heading("Sign in")


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
    b = Browser(args.url, args.axe, args.out)
    started = time.time()
    try:
        review_and_return(b, s)
        revise_in_portal(b, s, api)
        release(b, s)
        boundaries(b, s, api)
        plan(b, s)
        activities(b, s)
        admin_sees_none(b, s, args.admin_email, args.admin_password)
        jamie_in_portal(b, s)
        for problem in b.console_problems():
            fail(f"browser console: {problem}")
    finally:
        b.driver.quit()
    print(f"API calls per screen: {s['counts']} ({time.time() - started:.0f} s)")
    return report(b)


if __name__ == "__main__":
    sys.exit(main())
