#!/usr/bin/env python3
"""The client portal page in a real browser (headless Chromium through Selenium).

Seeds a practice through the JSON API (a counselor, a couple, both partners invited, a shared
summary holding an XSS attempt, a boundary, the plan, an activity, a CSI-4, a confidentiality
policy, a release, a letter released to partner A), then drives the page:

- partner A opens the invite link (the token leaves the address bar), sets a password, reads the
  shared summary (the markup in it is text: no <img> from it, window.__xss never set),
  acknowledges the boundary and checks in, logs the activity with a private reflection, answers
  the CSI-4, writes and submits a letter and keeps another as a draft, signs the policy and
  authorizes the release, signs out;
- partner B signs in by keyboard after a wrong password (an error in words, not JSON) and visits
  every screen: none of A's private markers appears anywhere in B's pages;
- the clock is moved forward: the access token is refreshed while in use, and 15 minutes without
  use sign B out (the logout reaches the server: audited);
- B is deactivated: the next API call's 401 brings back the sign-in form;
- the front door `/` links clients to the portal (and staff to /app), and its link opens the portal.

axe-core runs on every screen at 375 px and 1280 px (no serious or critical violation allowed),
and every screen is saved as a full-page PNG at both widths in --out.
Usage: browser.py --url URL --admin-email E --admin-password P --axe AXE_MIN_JS --out DIR
"""

import argparse
import base64
import datetime as dt
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

FAILURES = []
XSS = "<img src=x onerror=window.__xss=1>"


def fail(message):
    print(f"FAIL: {message}", flush=True)
    FAILURES.append(message)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


# ---- the JSON API, for seeding ----
class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, token=None, expect=(200, 201, 204)):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + "/api/v1" + path, data=data, method=method)
        if body is not None:
            req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        if status not in expect:
            raise SystemExit(f"seeding: {method} {path} answered {status}: {text}")
        return json.loads(text) if text else None

    def login(self, email, password):
        return self.call("POST", "/auth/login", {"email": email, "password": password})["access_token"]

    def accept(self, token, password):
        return self.call("POST", "/auth/accept-invite", {"token": token, "password": password})["access_token"]


def seed(api, admin_email, admin_password, run):
    admin = api.login(admin_email, admin_password)
    made = api.call("POST", "/users", {"email": f"counselor-{run}@portal.test", "display_name": "Dana Rivera", "role": "counselor"}, admin)
    counselor_password = "counselor passphrase 2026"
    counselor = api.accept(made["invite_token"], counselor_password)
    a = api.call("POST", "/clients", {"first_name": "Alex", "last_name": "Morgan", "email": f"alex-{run}@portal.test"}, counselor)
    b = api.call("POST", "/clients", {"first_name": "Samantha", "last_name": "Morgan", "preferred_name": "Sam",
                                      "email": f"sam-{run}@portal.test"}, counselor)
    couple = api.call("POST", "/couples", {"partner_ids": [a["id"], b["id"]], "presenting_concern": "Rebuilding trust"}, counselor)
    cid = couple["id"]
    invite_a = api.call("POST", f"/clients/{a['id']}/portal-invite", None, counselor)["invite_token"]
    invite_b = api.call("POST", f"/clients/{b['id']}/portal-invite", None, counselor)["invite_token"]
    b_password = "sam's long portal passphrase"
    b_token = api.accept(invite_b, b_password)
    b_user = api.call("GET", "/me", None, b_token)

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    today = dt.date.today()
    past = api.call("POST", "/sessions", {"couple_id": cid, "starts_at": (now - dt.timedelta(days=7)).isoformat().replace("+00:00", "Z"),
                                          "duration_minutes": 50, "modality": "in_person"}, counselor)
    summary = ("Today we named what happened and how much it hurt. Sam spoke about the nights she could not sleep; "
               f"Alex listened without defending. {XSS}\n\nFor next time: one honest check-in each evening, ten minutes, phones away.")
    api.call("PUT", f"/sessions/{past['id']}/summary", {"text": summary}, counselor)
    api.call("POST", f"/sessions/{past['id']}/summary/share", None, counselor)
    api.call("PATCH", f"/sessions/{past['id']}", {"status": "completed"}, counselor)
    api.call("POST", "/sessions", {"couple_id": cid, "starts_at": (now + dt.timedelta(days=6)).replace(hour=17, minute=0, second=0).isoformat().replace("+00:00", "Z"),
                                   "duration_minutes": 50, "modality": "telehealth"}, counselor)
    api.call("POST", f"/couples/{cid}/boundaries", {
        "title": "No contact with the affair partner",
        "description": "Alex will not contact them in any way. If they make contact, Alex tells Sam the same day.",
        "requested_by": b["id"], "responsible_ids": [a["id"]],
        "review_on": (today + dt.timedelta(days=30)).isoformat()}, counselor)
    api.call("POST", f"/couples/{cid}/milestones/from-template", {"template": "trust-repair"}, counselor)
    activity = api.call("POST", f"/couples/{cid}/activities/from-template",
                        {"template": "daily-check-in", "starts_on": (today - dt.timedelta(days=3)).isoformat()}, counselor)
    api.call("POST", f"/couples/{cid}/assessments", {"instrument": "csi-4"}, counselor)
    api.call("PUT", f"/couples/{cid}/confidentiality-policy", {"kind": "limited_secrets", "text":
             "What each of you tells me alone stays between us, unless it puts someone at risk or it is something "
             "your partner needs to know for the work we do together. In that case I will help you tell them.\n\n"
             "Letters and reflections you write are for me unless you choose to share them."}, counselor)
    api.call("POST", "/releases", {"couple_id": cid, "recipient": {"name": "Dr. Jamie Lee", "organization": "Riverside Family Medicine"},
                                   "purpose": "So your doctor knows about the counseling when planning your care.",
                                   "include": ["sessions", "summaries"], "include_mediation_notes": False,
                                   "expires_on": (today + dt.timedelta(days=60)).isoformat()}, counselor)
    # B's released letter (A reads it) and B's logs: one shared reflection, one private.
    markers = {"b_private": f"SAM-PRIVATE-{uuid.uuid4().hex[:8]}", "b_shared": f"SAM-SHARED-{uuid.uuid4().hex[:8]}",
               "b_letter": f"SAM-LETTER-{uuid.uuid4().hex[:8]}"}
    letter = api.call("POST", "/portal/letters", {"couple_id": cid, "kind": "impact", "title": "What the last months were like",
                                                  "body": f"I want you to understand what it was like for me.\n\n{markers['b_letter']}"}, b_token)
    api.call("POST", f"/portal/letters/{letter['id']}/submit", None, b_token)
    api.call("POST", f"/letters/{letter['id']}/release", None, counselor)
    api.call("POST", f"/portal/activities/{activity['id']}/logs", {"done_on": (today - dt.timedelta(days=1)).isoformat(), "completed": True,
                                                                  "reflection": f"We laughed for the first time in a while. {markers['b_shared']}",
                                                                  "share_with_partner": True}, b_token)
    api.call("POST", f"/portal/activities/{activity['id']}/logs", {"done_on": (today - dt.timedelta(days=2)).isoformat(), "completed": True,
                                                                  "reflection": f"I still felt guarded. {markers['b_private']}"}, b_token)
    return {"admin": admin, "counselor": counselor, "counselor_email": f"counselor-{run}@portal.test",
            "counselor_password": counselor_password, "invite_a": invite_a, "b_email": f"sam-{run}@portal.test",
            "b_password": b_password, "b_user_id": b_user["id"], "markers": markers}


# ---- the browser ----
class Browser:
    # The widths every screen is checked and photographed at.
    WIDTHS = (375, 1280)

    def __init__(self, url, axe_path, out):
        self.url = url.rstrip("/")
        self.out = out
        self.axe = open(axe_path, encoding="utf-8").read()
        self.shots = []
        self.width = 375
        opts = webdriver.ChromeOptions()
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                     f"--user-data-dir={os.environ.get('PORTAL_PROFILE', '/tmp/mend-portal-profile')}", "--window-size=1280,900", "--lang=en-US"]:
            opts.add_argument(flag)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        self.driver.set_script_timeout(60)
        # A clock the test can move: Date.now() plus an offset (the page's idle and refresh timers read Date.now()).
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
            (() => { const real = Date.now.bind(Date); let offset = 0;
              Object.defineProperty(window, "__clockOffset", { get: () => offset, set: (v) => { offset = v; } });
              Date.now = () => real() + offset; })();"""})
        self.set_width(375)

    def set_width(self, width):
        self.width = width
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": 820 if width < 600 else 900, "deviceScaleFactor": 1, "mobile": width < 600})

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, predicate, what, timeout=15):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda d: predicate())
        except TimeoutException:
            fail(f"timed out waiting for {what}; main says: {self.main_text()[:600]!r}")
            return None

    def main_text(self):
        return self.js("const m = document.getElementById('main'); return m ? m.innerText : '';") or ""

    def page_text(self):
        return self.js("return document.body.innerText;") or ""

    def heading(self, text, timeout=15):
        return self.wait(lambda: self.js("const h = document.querySelector('main h1'); return h && h.textContent;") == text, f"heading {text!r}", timeout)

    def settled(self):
        self.wait(lambda: "Loading" not in self.main_text(), "lazy parts to load")

    def notice(self, text, timeout=15):
        return self.wait(lambda: text in (self.js("return document.getElementById('notice').innerText;") or ""), f"notice {text!r}", timeout)

    def find(self, css, text=None):
        for el in self.driver.find_elements(By.CSS_SELECTOR, css):
            if text is None or text in el.text:
                return el
        fail(f"no {css} with {text!r}")
        raise SystemExit(report(self))

    def click(self, css, text=None):
        el = self.find(css, text)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()
        return el

    def nav(self, link, title):
        self.click("nav a", link)
        self.heading(title)
        self.settled()

    def label_input(self, label_text, scope=None):
        """The control a <label> names (the page labels every control)."""
        root = scope or self.driver
        for label in root.find_elements(By.CSS_SELECTOR, "label"):
            if label.text.strip().startswith(label_text):
                return self.driver.find_element(By.ID, label.get_attribute("for"))
        fail(f"no control labelled {label_text!r}")
        raise SystemExit(report(self))

    def no_xss(self, where):
        check(self.js("return window.__xss;") is None, f"{where}: window.__xss was set")
        stray = self.js("return Array.from(document.images).map(i => i.getAttribute('src')).filter(s => s !== '/portal/icon.svg');")
        check(stray == [], f"{where}: images from API text in the DOM: {stray}")

    def axe_check(self, name):
        self.js(self.axe)
        result = self.driver.execute_async_script(
            "axe.run(document, {resultTypes: ['violations']}).then(r => arguments[0](r.violations)).catch(e => arguments[0]({error: String(e)}));")
        if isinstance(result, dict):
            fail(f"{name}: axe did not run: {result}")
            return
        bad = [v for v in result if v.get("impact") in ("serious", "critical")]
        minor = [v["id"] for v in result if v not in bad]
        if minor:
            print(f"  axe {name} @{self.width}px: minor/moderate: {minor}")
        for v in bad:
            nodes = "; ".join(n.get("html", "")[:120] for n in v.get("nodes", [])[:3])
            fail(f"axe {name} @{self.width}px: {v['impact']} {v['id']}: {v['help']} ({nodes})")

    def screen(self, name):
        """Screenshots at each of WIDTHS (full page) and axe at each; back to the width in use."""
        using = self.width
        self.no_xss(name)
        for width in self.WIDTHS:
            self.set_width(width)
            time.sleep(0.25)
            self.axe_check(name)
            height = int(self.js("return Math.ceil(document.documentElement.scrollHeight);"))
            png = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(max(height, 600), 12000), "scale": 1}})
            path = os.path.join(self.out, f"{len(self.shots) // 2 + 1:02d}-{name}-{width}.png")
            with open(path, "wb") as f:
                f.write(base64.b64decode(png["data"]))
            self.shots.append(path)
        self.set_width(using)
        time.sleep(0.1)

    def console_problems(self):
        bad = []
        for entry in self.driver.get_log("browser"):
            message = entry.get("message", "")
            if any(w in message for w in ("Content Security Policy", "Trusted Type", "Uncaught", "TypeError", "ReferenceError")):
                bad.append(message)
        return bad


def report(browser):
    print(f"screenshots: {browser.out} ({len(browser.shots)} files)")
    if FAILURES:
        print(f"{len(FAILURES)} failure(s):")
        for f in FAILURES:
            print(f"  - {f}")
        return 1
    print("portal page: all checks passed")
    return 0


def partner_a(b, s, markers):
    d = b.driver
    d.get(f"{b.url}/portal?invite={s['invite_a']}")
    b.heading("Welcome")
    check("invite" not in d.current_url, f"the invite token stayed in the address bar: {d.current_url}")
    check(b.js("return history.length") >= 1 and "invite=" not in b.js("return location.href"), "invite token in location")
    b.screen("invite")
    # Two different passwords are refused in words before anything is sent.
    b.label_input("Choose a password").send_keys("a long new passphrase for alex")
    b.label_input("Type it again").send_keys("a different passphrase")
    b.click("button[type=submit]")
    b.wait(lambda: "two passwords are different" in b.main_text(), "mismatch message")
    again = b.label_input("Type it again")
    again.clear()
    again.send_keys("a long new passphrase for alex")
    b.click("button[type=submit]")
    b.heading("Overview")
    text = b.main_text()
    check("Hello, Alex." in text, "greeting by name")
    check("Your next session" in text and "Waiting for you" in text, "overview sections")
    check("agreement" in text and "questionnaire" in text, f"the to-do list names the agreement and the questionnaire: {text!r}")
    b.screen("a-overview")

    b.nav("Sessions", "Sessions")
    text = b.main_text()
    check(XSS in text, "the summary's markup shows as text")
    check("Coming up" in text and "Past sessions" in text and "Summary from your counselor" in text, "sessions screen parts")
    check("Dana Rivera" in text, "counselor's name on the session")
    check("Together with your partner" in text, "a joint session says so")
    check("UTC" in text, "times name the practice's zone")
    check("Riverside Counseling" in (b.js("return document.getElementById('who').innerText;") or ""), "the practice's name is shown")
    b.screen("a-sessions")

    b.nav("Agreements", "Agreements")
    check("Check in on this agreement" not in b.main_text(), "no check-in before the agreement is acknowledged")
    b.click("button", "I have read this and I agree")
    b.notice("You acknowledged")
    check("You acknowledged this on" in b.main_text(), "acknowledged state shown")
    b.click("summary", "Check in on this agreement")
    b.click(".choice label", "Yes, it has been kept")
    b.label_input("Anything you want your counselor to know").send_keys(f"Hard week but kept it. {markers['a_checkin']}")
    b.click("button[type=submit]", "Save check-in")
    b.notice("check-in is saved")
    b.settled()
    b.click("summary", "Your check-ins")
    check(markers["a_checkin"] in b.main_text(), "A sees their own check-in")
    b.screen("a-agreements")

    b.nav("Your plan", "Your plan")
    check("Acknowledging what happened" in b.main_text(), "plan phases in words")
    b.screen("a-plan")

    b.nav("Activities", "Activities")
    text = b.main_text()
    check(markers["b_shared"] in text, "A sees B's shared reflection")
    check(markers["b_private"] not in b.driver.page_source, "A never sees B's private reflection")
    check("No reflection shared" in text, "B's private log shows without its reflection")
    b.click("summary", "Log this activity")
    b.click(".choice label", "Yes")
    b.label_input("Your reflection").send_keys(f"I noticed I wanted to explain instead of listen. {markers['a_private']}")
    private = b.find(".choice label", "Only my counselor")
    radio = d.find_element(By.ID, private.get_attribute("for"))
    check(radio.is_selected(), "private is the default for a reflection")
    check("Your partner sees it only if you choose" in b.main_text(), "the private/shared choice is stated plainly")
    b.screen("a-activity-log-form")
    b.click("button[type=submit]", "Save log")
    b.notice("log is saved")
    b.settled()
    check(markers["a_private"] in b.main_text() and "Private: only you and your counselor" in b.main_text(), "A's own log with its privacy")
    b.screen("a-activities")
    # A second log for the same day: the API's 409, told in words.
    # A second log for the same day: the API's 409, told in words beside the form, which keeps
    # what was typed.
    b.click("summary", "Log this activity")
    b.click(".choice label", "Not this time")
    kept_words = "These words must survive a refused save."
    b.label_input("Your reflection").send_keys(kept_words)
    b.click("button[type=submit]", "Save log")
    b.wait(lambda: "already logged this activity for that day" in b.main_text(), "the 409 in words")
    check(b.label_input("Your reflection").get_attribute("value") == kept_words, "a refused save keeps the text")
    errors = b.js("return Array.from(document.querySelectorAll('main .form-error')).map((e) => e.innerText).join(' ');") or ""
    check("already logged" in errors and "{" not in errors, f"the reason shows beside the form, no JSON: {errors!r}")
    b.screen("a-activity-refused-save")

    b.nav("Questionnaires", "Questionnaires")
    b.wait(lambda: "Send my answers" in b.main_text(), "the CSI-4 form")
    check("Your partner doesn't see them" in b.main_text() or "your partner doesn't see them" in b.main_text(), "privacy of answers stated")
    for fieldset in d.find_elements(By.CSS_SELECTOR, "main form fieldset.choices"):
        labels = fieldset.find_elements(By.CSS_SELECTOR, ".choice label")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", labels[len(labels) // 2])
        labels[len(labels) // 2].click()
    b.screen("a-questionnaire-form")
    b.click("button[type=submit]", "Send my answers")
    b.notice("answers are saved")
    b.settled()
    check("You answered this on" in b.main_text() and "out of 21" in b.main_text(), "the score after answering")
    b.screen("a-questionnaires")

    b.nav("Letters", "Letters")
    check(markers["b_letter"] in b.main_text(), "A reads the letter released to them")
    for title, body, send in (("What it did to me", f"I want to own what I did. {markers['a_letter']}", True),
                              ("Not ready yet", f"Notes for later. {markers['a_draft']}", False)):
        b.click("summary", "Write a new letter")
        form = b.find("#new-letter")
        b.label_input("Title", form).send_keys(title)
        b.label_input("Your letter", form).send_keys(body)
        b.click("#new-letter button[type=submit]")
        b.notice("draft is saved")
        b.settled()
        if send:
            card = [c for c in d.find_elements(By.CSS_SELECTOR, "main article.card") if title in c.text][0]
            button = [x for x in card.find_elements(By.CSS_SELECTOR, "button") if x.text == "Send to my counselor"][0]
            d.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
            button.click()
            b.notice("with your counselor now")
            b.settled()
    check("With your counselor" in b.main_text() and "Draft: only you can see it" in b.main_text(), "letter states in words")
    # Revise the draft (a PATCH with If-Match).
    card = [c for c in d.find_elements(By.CSS_SELECTOR, "main article.card") if "Not ready yet" in c.text][0]
    edit = [x for x in card.find_elements(By.CSS_SELECTOR, "summary") if x.text.strip().endswith("Edit")][0]
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", edit)
    edit.click()
    box = b.label_input("Your letter", card)
    box.send_keys(" A second thought.")
    b.click("button[type=submit]", "Save changes")
    b.notice("changes are saved")
    b.settled()
    check("A second thought." in d.page_source, "the revised draft is shown")
    b.screen("a-letters")

    b.nav("Consent and records", "Consent and records")
    b.label_input("Type your full name to sign").send_keys("Alex Morgan")
    b.click("button[type=submit]", "Sign this agreement")
    b.notice("signature is saved")
    b.settled()
    b.label_input("Type your full name to give permission").send_keys("Alex Morgan")
    b.click("button[type=submit]", "Give permission")
    b.notice("permission is saved")
    b.settled()
    check("You signed this version on" in b.main_text() and "You gave permission on" in b.main_text(), "signed states")
    b.screen("a-consent")

    b.nav("Who has seen my record", "Who has seen my record")
    b.wait(lambda: "You opened your personal details" in b.main_text(), "the client's own reads in the access report")
    check(s["b_email"] not in b.main_text(), "the report names no other client")
    b.screen("a-access")

    b.click("#sign-out")
    b.heading("Sign in")
    check("You are signed out" in b.main_text(), "signed-out message")
    check(not b.driver.find_element(By.ID, "nav").is_displayed(), "navigation hidden once signed out")
    b.screen("signed-out")


def partner_b(b, s, markers, api):
    d = b.driver
    b.set_width(1280)
    d.get(f"{b.url}/portal")
    b.heading("Sign in")
    # A wrong password: an error in words.
    b.label_input("Email").send_keys(s["b_email"])
    b.label_input("Password").send_keys("not the password at all")
    b.click("button[type=submit]")
    b.wait(lambda: "don't match" in b.main_text(), "wrong-password message")
    err = b.find(".form-error").text
    check("{" not in err and "problem" not in err.lower() and "401" not in err, f"the error is words, not JSON: {err!r}")
    b.screen("b-wrong-password")
    # By keyboard only: Tab to each control, Enter to send; the focused control shows a ring.
    d.get(f"{b.url}/portal")
    b.heading("Sign in")
    body = d.find_element(By.TAG_NAME, "body")
    seen = []
    for _ in range(12):
        body.send_keys(Keys.TAB) if not seen else d.switch_to.active_element.send_keys(Keys.TAB)
        active = d.switch_to.active_element
        seen.append(active.get_attribute("name") or active.tag_name)
        if active.get_attribute("name") == "email":
            break
    check(seen[-1] == "email", f"Tab reaches the email field: {seen}")
    outline = b.js("const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth;")
    check(not outline.startswith("none"), f"visible focus on the email field: {outline}")
    d.switch_to.active_element.send_keys(s["b_email"], Keys.TAB)
    d.switch_to.active_element.send_keys(s["b_password"], Keys.TAB)
    check(d.switch_to.active_element.text == "Sign in", "Tab reaches the sign-in button")
    d.switch_to.active_element.send_keys(Keys.ENTER)
    b.heading("Overview")
    check("Hello, Sam." in b.main_text(), "B greeted by preferred name")

    private = [markers[k] for k in ("a_private", "a_letter", "a_draft", "a_checkin")]
    for link, title in (("Overview", "Overview"), ("Sessions", "Sessions"), ("Agreements", "Agreements"), ("Your plan", "Your plan"),
                        ("Activities", "Activities"), ("Questionnaires", "Questionnaires"), ("Letters", "Letters"),
                        ("Consent and records", "Consent and records")):
        b.nav(link, title)
        b.wait(lambda: "Loading" not in b.main_text(), "B's screen to load")
        source = d.page_source + b.page_text()
        for marker in private:
            check(marker not in source, f"B's {title} screen shows A's private marker {marker}")
        if title == "Activities":
            check("No reflection shared" in b.main_text(), "A's private log reaches B without its reflection")
            check(markers["b_private"] in b.main_text(), "B sees B's own private reflection")
        if title == "Letters":
            check(markers["b_letter"] in d.page_source and "Shared with your partner" in b.main_text(), "B's released letter")
            b.click("summary", "Read the letter")
        if title == "Agreements":
            check("Your partner keeps this agreement." in b.main_text(), "who keeps the agreement, in words")
        if title == "Consent and records":
            check("Your partner has given permission." in b.main_text(), "B sees that A authorized")
        b.screen(f"b-{title.lower().replace(' ', '-')}")

    # Refreshing while in use, then the automatic sign-out after 15 minutes without use.
    count = "return performance.getEntriesByType('resource').filter(e => e.name.endsWith(arguments[0])).length;"
    before = b.js(count, "/api/v1/auth/refresh")
    b.js("window.__clockOffset = 14 * 60 * 1000;")
    b.wait(lambda: b.js(count, "/api/v1/auth/refresh") > before, "a token refresh before expiry", timeout=20)
    b.notice("signed out in 2 minutes", timeout=20)
    check(b.driver.find_element(By.ID, "account").is_displayed(), "still signed in after the refresh")
    b.screen("b-idle-warning")
    b.nav("Sessions", "Sessions")  # the refreshed token works
    check(XSS in b.main_text(), "B reads the shared summary as text")
    b.js("window.__clockOffset = 30 * 60 * 1000;")
    b.heading("Sign in", timeout=20)
    check("15 minutes without activity" in b.main_text(), "the idle sign-out says why")
    b.wait(lambda: b.js(count, "/api/v1/auth/logout") > 0, "the logout request")
    b.screen("b-idle-signed-out")
    time.sleep(1)
    events = api.call("GET", f"/audit-events?actor_id={s['b_user_id']}&action=logout", None, s["admin"])["items"]
    check(len(events) >= 1, "the idle sign-out revoked the login on the server (a logout event)")

    # A 401 from the API (the account is deactivated) brings back the sign-in form.
    b.label_input("Email").send_keys(s["b_email"])
    b.label_input("Password").send_keys(s["b_password"])
    b.click("button[type=submit]")
    b.heading("Overview")
    api.call("PATCH", f"/users/{s['b_user_id']}", {"active": False}, s["admin"])
    b.click("nav a", "Agreements")
    b.heading("Sign in", timeout=20)
    check("please sign in again" in b.main_text(), "a 401 sends the person back to sign in, in words")
    check(not b.driver.find_element(By.ID, "account").is_displayed(), "nothing of B's stays on screen")
    check("No contact" not in b.page_text(), "no data left on the page after a 401")
    b.screen("b-after-401")

    # Staff who sign in here are told, in words, that the portal is for clients; nothing loads.
    b.label_input("Email").send_keys(s["counselor_email"])
    b.label_input("Password").send_keys(s["counselor_password"])
    b.click("button[type=submit]")
    b.wait(lambda: "This portal is for clients" in b.main_text(), "the staff message")
    check(not b.driver.find_element(By.ID, "nav").is_displayed(), "no sections for staff")


def totp(secret_b32, offset=0):
    """RFC 6238 (SHA-1, 6 digits, 30 s): the code an authenticator app shows."""
    import hashlib
    import hmac
    import struct
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int(time.time()) // 30 + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[o:o + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def account(b, s, run):
    """A (Alex): changes the password on "Your account", turns two-factor sign-in on with the
    secret shown as text, signs in again with a code; a wrong code is refused in words."""
    d = b.driver
    b.set_width(1280)
    a_email, old, new = f"alex-{run}@portal.test", "a long new passphrase for alex", "alex's changed passphrase 2026"
    d.get(f"{b.url}/portal")
    b.heading("Sign in")
    b.label_input("Email").send_keys(a_email)
    b.label_input("Password").send_keys(old)
    b.click("button[type=submit]")
    b.heading("Overview")
    b.nav("Your account", "Your account")
    b.wait(lambda: "Two-factor sign-in is off" in b.main_text(), "the MFA state")
    # The password change: two different new passwords are refused before anything is sent.
    b.label_input("Current password").send_keys(old)
    b.label_input("New password").send_keys(new)
    b.label_input("Type it again").send_keys(new + "x")
    b.click("#change-password button[type=submit]")
    b.wait(lambda: "two new passwords are different" in b.main_text(), "the mismatch message")
    b.screen("a-account")
    again = b.label_input("Type it again")
    again.clear()
    again.send_keys(new)
    b.click("#change-password button[type=submit]")
    b.notice("Your password is changed")
    # Two-factor sign-in: the key is shown as text, and the setup link.
    b.click("#mfa-start")
    b.wait(lambda: b.driver.find_elements(By.ID, "mfa-secret"), "the secret")
    secret = b.find("#mfa-secret").text.strip()
    check(len(secret) == 32 and secret.isalnum(), f"a base32 secret: {secret!r}")
    cells = b.js("return document.querySelector('#mfa-qr path').getAttribute('d').split('M').length - 1;")
    check(cells > 200, f"the QR code is drawn as SVG ({cells} dark modules)")
    b.screen("a-mfa-enrol")
    b.click("summary", "The setup link")
    uri = b.find("#mfa-uri").text
    check(uri.startswith("otpauth://totp/") and f"secret={secret}" in uri, f"the otpauth URI: {uri!r}")
    b.label_input("Code from your authenticator app").send_keys("000000" if totp(secret) != "000000" else "111111")
    b.click("#mfa-confirm button[type=submit]")
    b.wait(lambda: "not the one your app shows" in b.main_text(), "a wrong code refused in words")
    code = b.label_input("Code from your authenticator app")
    code.clear()
    code.send_keys(totp(secret, -1))
    b.click("#mfa-confirm button[type=submit]")
    b.wait(lambda: b.driver.find_elements(By.CSS_SELECTOR, "#recovery-codes li"), "the recovery codes")
    check(len(d.find_elements(By.CSS_SELECTOR, "#recovery-codes li")) == 10, "ten recovery codes")
    b.screen("a-mfa-on")
    # Signing in again now takes the password and a code.
    b.click("#sign-out")
    b.heading("Sign in")
    b.label_input("Email").send_keys(a_email)
    b.label_input("Password").send_keys(new)
    b.click("button[type=submit]")
    b.heading("Your code")
    b.label_input("Code from your authenticator app").send_keys(totp(secret, 0))
    b.screen("a-second-step")
    b.click("#mfa-sign-in button[type=submit]")
    b.heading("Overview")
    b.nav("Your account", "Your account")
    b.wait(lambda: "Two-factor sign-in is on" in b.main_text(), "MFA shown as on")
    b.click("#sign-out")
    b.heading("Sign in")
    # Forgot password: the same words for any email.
    b.click("#forgot")
    b.heading("Forgot your password")
    b.label_input("Email").send_keys("nobody@portal.test")
    b.click("#forgot-password button[type=submit]")
    b.wait(lambda: b.driver.find_elements(By.ID, "forgot-sent"), "the forgot-password answer")
    b.screen("forgot-password")
    # A reset link: the token leaves the address bar; a used or unknown one is refused in words.
    d.get(f"{b.url}/portal?reset=not-a-real-token")
    b.heading("Choose a new password")
    check("reset=" not in b.js("return location.href"), "the reset token left the address bar")
    b.label_input("Choose a new password").send_keys("a password for nobody at all")
    b.label_input("Type it again").send_keys("a password for nobody at all")
    b.click("#reset-password button[type=submit]")
    b.wait(lambda: "expired or was already used" in b.main_text(), "the bad link message")
    b.screen("reset-bad-link")


def portal_sign_in(b, email, password):
    b.driver.get(f"{b.url}/portal")
    b.heading("Sign in")
    b.label_input("Email").send_keys(email)
    b.label_input("Password").send_keys(password)
    b.click("button[type=submit]")
    b.heading("Overview")
    b.settled()


def additions(b, api, s, run):
    """Part three's portal fixes, each seen in the browser: a review date that has passed in
    words that fit, a partner's own score trend (never the other partner's scores), and a client
    seen alone who gets no couple screens."""
    counselor = s["counselor"]
    today = dt.date.today()
    r = api.call("POST", "/clients", {"first_name": "Robin", "last_name": "Ellis", "email": f"robin-{run}@portal.test"}, counselor)
    k = api.call("POST", "/clients", {"first_name": "Kai", "last_name": "Ellis", "email": f"kai-{run}@portal.test"}, counselor)
    couple = api.call("POST", "/couples", {"partner_ids": [r["id"], k["id"]]}, counselor)
    cid = couple["id"]
    robin_password = "robin's long portal passphrase"
    robin = api.accept(api.call("POST", f"/clients/{r['id']}/portal-invite", None, counselor)["invite_token"], robin_password)
    # An agreement whose review day passed three days ago.
    passed = today - dt.timedelta(days=3)
    boundary = api.call("POST", f"/couples/{cid}/boundaries", {
        "title": "Phones stay face up at dinner", "description": "Both phones stay on the table, face up, during dinner.",
        "requested_by": k["id"], "responsible_ids": [r["id"]], "review_on": (today + dt.timedelta(days=10)).isoformat()}, counselor)
    api.call("PATCH", f"/boundaries/{boundary['id']}", {"review_on": passed.isoformat()}, counselor, expect=(200,))
    # Two paper forms each: Robin scores 4 then 17; Kai 11 then 9 (never on Robin's screen).
    scores = {r["id"]: [(1, 1, 1, 1), (5, 4, 4, 4)], k["id"]: [(3, 3, 3, 2), (3, 2, 2, 2)]}
    for i, days_ago in enumerate((20, 5)):
        made = api.call("POST", f"/couples/{cid}/assessments", {"instrument": "csi-4"}, counselor)
        for item in made["items"]:
            q = scores[item["client_id"]][i]
            api.call("POST", f"/assessments/{item['id']}/responses", {
                "answers": {"q1": q[0], "q2": q[1], "q3": q[2], "q4": q[3]},
                "completed_on": (today - dt.timedelta(days=days_ago)).isoformat()}, counselor, expect=(200,))

    b.set_width(1280)
    portal_sign_in(b, f"robin-{run}@portal.test", robin_password)
    b.nav("Agreements", "Agreements")
    card = b.find(".card", "Phones stay face up at dinner")
    check("You planned to look at it again together on" in card.text, f"a passed review day in past words: {card.text!r}")
    check("around" not in card.text, f"a passed review day is not 'around' a date: {card.text!r}")
    b.screen("review-passed")

    b.nav("Questionnaires", "Questionnaires")
    b.wait(lambda: "Your scores over time" in b.main_text(), "the own score trend")
    table = b.find(".card", "Your scores over time")
    cells = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(2)")]
    check(cells == ["4", "17"], f"Robin's own scores, oldest first: {cells}")
    check("went up 13" in table.text, f"the change in words: {table.text!r}")
    for other in ("11", "9"):
        check(other not in cells, f"the partner's score {other} is not in Robin's trend")
    dates = [td.text for td in table.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(1)")]
    check(len(dates) == 2 and all(dates), f"each point has its day: {dates}")
    check("You filled this in on paper on" in b.main_text(), "a paper form says the day it was filled in")
    check(dates[0] in b.main_text().split("Your scores over time")[0], f"the paper form's own day ({dates[0]}) is on its card")
    b.screen("score-trend")
    b.click("#sign-out")
    b.heading("Sign in")

    # A client seen alone: no couple screens, no couple picker.
    jo = api.call("POST", "/clients", {"first_name": "Jo", "last_name": "Alone", "email": f"jo-{run}@portal.test"}, counselor)
    jo_password = "jo's long portal passphrase"
    api.accept(api.call("POST", f"/clients/{jo['id']}/portal-invite", None, counselor)["invite_token"], jo_password)
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, second=0) + dt.timedelta(days=2)
    api.call("POST", "/sessions", {"client_id": jo["id"], "starts_at": start.isoformat().replace("+00:00", "Z"),
                                   "duration_minutes": 50, "modality": "phone"}, counselor)
    portal_sign_in(b, f"jo-{run}@portal.test", jo_password)
    shown = b.js("return [...document.querySelectorAll('nav a')].filter(a => a.offsetParent !== null).map(a => a.textContent);")
    for section in ("Agreements", "Your plan", "Activities", "Letters"):
        check(section not in shown, f"a client seen alone has no {section} screen: {shown}")
    check("Sessions" in shown and "Questionnaires" in shown, f"a client seen alone keeps their own screens: {shown}")
    check(not b.driver.find_elements(By.CSS_SELECTOR, "select[name=couple]"), "no couple picker for a client seen alone")
    b.js("location.hash = '#/letters';")
    b.heading("Overview")
    check("partner" not in b.main_text().lower(), f"no word about a partner on Jo's overview: {b.main_text()[:300]!r}")
    b.nav("Sessions", "Sessions")
    check("Just you" in b.main_text(), "an individual session says it is just them")
    b.screen("individual-client")
    b.click("#sign-out")
    b.heading("Sign in")


def front_door(b):
    """`/`: two ways in, in words; the client's goes to the portal (tests/app_page follows the staff's to /app)."""
    d = b.driver
    d.get(f"{b.url}/")
    b.heading("Welcome")
    links = {a.get_attribute("href").replace(b.url, ""): a.text for a in d.find_elements(By.CSS_SELECTOR, "main a")}
    check(links.get("/portal") == "I'm a client or partner: open my portal", f"the front door links to the portal: {links}")
    check(links.get("/app") == "I work at the practice: open Mend for staff", f"the front door links staff to /app: {links}")
    check(links.get("/docs/") == "/docs", f"the front door names the API docs: {links}")
    b.screen("front-door")
    b.click("#to-portal")
    b.heading("Sign in")
    check(d.current_url == f"{b.url}/portal", f"the client's link opens the portal: {d.current_url}")


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
    markers = dict(s["markers"])
    for k in ("a_private", "a_letter", "a_draft", "a_checkin"):
        markers[k] = f"ALEX-{k.upper()}-{uuid.uuid4().hex[:8]}"
    b = Browser(args.url, args.axe, args.out)
    try:
        partner_a(b, s, markers)
        partner_b(b, s, markers, api)
        account(b, s, run)
        additions(b, api, s, run)
        front_door(b)
        for problem in b.console_problems():
            fail(f"browser console: {problem}")
    finally:
        b.driver.quit()
    return report(b)


if __name__ == "__main__":
    sys.exit(main())
