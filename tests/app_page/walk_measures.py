#!/usr/bin/env python3
"""The staff screen (/app), part two: questionnaires, the confidentiality policy and releases of
records, with the partners' side in the client portal (/portal), in a real browser.

Seeds its own counselor (Mina) and couple (Jordan and Priya Whitfield, both with portal logins)
through the API, then:

- Mina opens the couple's chart and, from its links, sends the CSI-4 to both partners (opening
  today), writes the confidentiality policy (version 1) and creates a release of the couple's
  records to a doctor;
- Jordan answers the CSI-4 in the portal, signs version 1 and authorizes the release;
- Mina follows Today's worklist (the completed questionnaire and the unsigned policy open these
  screens), sees Jordan's point in the table and the chart, enters Priya's paper form dated 20
  days ago and sees that date, and revises the policy (version 2: nobody has signed it yet);
- Priya (whose score is on her paper form) and Jordan each see only their own score in the portal,
  never the other's; both sign version 2, Priya authorizes the release;
- Mina sees both signatures of version 2, opens the release from Today (release ready), discloses
  it and downloads the PDF: pdftotext finds the recipient and both partners' names in it; the
  accounting of disclosures of Jordan lists it; the client's questionnaires show Jordan's point;
- the admin, assigned to nothing, opens each of these screens: one call (the couple or client),
  told in words, none of the policy, scores or release.

API calls are counted on every screen and printed; axe-core and screenshots at 768 and 1280 px.
Usage: walk_measures.py --url URL --admin-email E --admin-password P --axe AXE_MIN_JS --out DIR
"""

import argparse
import datetime as dt
import glob
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import uuid
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By

_spec = importlib.util.spec_from_file_location(
    "app_browser", os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser.py"))
app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(app)
portal, Api, check, fail, FAILURES = app.portal, app.Api, app.check, app.fail, app.FAILURES

ZONE = app.ZONE
CHART = "main img.chart-image"


class Browser(app.Browser):
    def no_xss(self, where):
        check(self.js("return window.__xss;") is None, f"{where}: window.__xss was set")
        # The only images: the icon, and a chart shown from memory (a blob: URL made by the page).
        stray = self.js("return Array.from(document.images).filter(i => i.getAttribute('src') !== '/portal/icon.svg'"
                        " && !(i.classList.contains('chart-image') && i.src.startsWith('blob:'))).map(i => i.getAttribute('src'));")
        check(stray == [], f"{where}: images from API text in the DOM: {stray}")

    def screen(self, name):
        super().screen(f"measures-{name}")

    def count(self, label, counts, most):
        time.sleep(0.4)
        calls = self.api_calls()
        print(f"  {label}: {len(calls)} API calls: {calls}")
        check(0 < len(calls) <= most, f"{label} makes at most {most} API calls: {calls}")
        counts[label] = len(calls)
        return calls

    def open_link(self, text, title_prefix):
        self.reset_calls()
        self.click("main nav.sections a", text)
        self.title_starts(title_prefix)

    def pick(self, scope, values):
        """Answers a questionnaire form: option `values[i]` in the i-th group of radio buttons."""
        groups = scope.find_elements(By.CSS_SELECTOR, "fieldset.choices")
        check(len(groups) == len(values), f"{len(values)} questions in the form, found {len(groups)}")
        for group, value in zip(groups, values):
            choice = group.find_element(By.CSS_SELECTOR, f"input[value='{value}']")
            label = group.find_element(By.CSS_SELECTOR, f"label[for='{choice.get_attribute('id')}']")
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
            label.click()

    def set_value(self, element, value):
        self.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", element, value)

    def chart_loaded(self):
        return self.js(f"const i = document.querySelector('{CHART}'); return Boolean(i && i.complete && i.naturalWidth > 0);")


def words_day(d):
    return f"{d:%B} {d.day}, {d.year}"


def seed(api, admin_email, admin_password, run):
    admin = api.login(admin_email, admin_password)
    api.call("PATCH", "/practice", {"timezone": ZONE}, admin)
    email = f"mina-{run}@app.test"
    made = api.call("POST", "/users", {"email": email, "display_name": "Mina Castellanos", "role": "counselor"}, admin)
    password = "mina's counselor passphrase"
    mina = api.accept(made["invite_token"], password)
    people = {}
    for first in ("Jordan", "Priya"):
        c = api.call("POST", "/clients", {"first_name": first, "last_name": "Whitfield", "email": f"{first.lower()}-{run}@app.test"}, mina)
        invite = api.call("POST", f"/clients/{c['id']}/portal-invite", None, mina)["invite_token"]
        api.accept(invite, f"{first.lower()}'s long portal passphrase")
        people[first] = {"id": c["id"], "email": f"{first.lower()}-{run}@app.test", "password": f"{first.lower()}'s long portal passphrase",
                         "name": f"{first} Whitfield"}
    couple = api.call("POST", "/couples", {"partner_ids": [people["Jordan"]["id"], people["Priya"]["id"]],
                                           "presenting_concern": "Trust after a hidden debt."}, mina)
    return {"admin": admin, "mina": mina, "email": email, "password": password, "people": people, "couple_id": couple["id"],
            "name": "Jordan & Priya", "today": dt.datetime.now(ZoneInfo(ZONE)).date(), "counts": {},
            "markers": {"v1": f"POLICY-ONE-{run}", "v2": f"POLICY-TWO-{run}", "recipient": f"Dr. Imani Okonkwo {run}",
                        "org": "Lakeside Family Medicine", "purpose": f"Care planning with the family doctor. PURPOSE-{run}"}}


def app_sign_in(b, s):
    b.set_width(1280)
    app.sign_in(b, s["email"], s["password"])


def sign_out(b):
    b.click("#sign-out")
    b.heading("Sign in")


def portal_sign_in(b, who):
    b.set_width(1280)
    b.driver.get(f"{b.url}/portal")
    b.heading("Sign in")
    b.label_input("Email").send_keys(who["email"])
    b.label_input("Password").send_keys(who["password"])
    b.click("button[type=submit]")
    b.heading("Overview")
    b.settled()


def first_visit(b, s):
    """Mina sends the CSI-4, writes the policy and creates a release, from the chart's links."""
    d, m, counts = b.driver, s["markers"], s["counts"]
    app_sign_in(b, s)
    b.go(f"#/couple/{s['couple_id']}", s["name"])
    links = [a.text for a in d.find_elements(By.CSS_SELECTOR, "main nav.sections a")]
    check(links == ["Chart", "Letters", "Boundaries and plan", "Activities", "Questionnaires", "Confidentiality policy", "Releases of records"], f"the chart links to its screens: {links}")

    b.open_link("Questionnaires", "Questionnaires: ")
    b.count("questionnaires (none sent)", counts, 3)
    check("No questionnaire has been sent yet." in b.main_text(), "no questionnaire yet, in words")
    form = b.find("#send-questionnaire")
    b.set_value(b.label_input("Answer by", form), (s["today"] + dt.timedelta(days=7)).isoformat())
    check(b.label_input("Opens on", form).get_attribute("value") == s["today"].isoformat(), "opens today by default (practice zone)")
    b.screen("send-questionnaire")
    b.click("#send-questionnaire button[type=submit]")
    b.notice("sent to both partners")
    cards = d.find_elements(By.CSS_SELECTOR, "main li.assessment")
    check(len(cards) == 2 and all("Waiting" in c.text for c in cards), f"one questionnaire waiting per partner: {[c.text for c in cards]}")
    for p in s["people"].values():
        check(any(p["name"] in c.text for c in cards), f"a questionnaire for {p['name']}")

    b.open_link("Confidentiality policy", "Confidentiality policy: ")
    b.count("confidentiality policy (none yet)", counts, 2)
    check("No confidentiality policy yet" in b.main_text(), "no policy yet, in words")
    form = b.find("#policy-form")
    b.label_input("Text the partners sign", form).send_keys(
        f"What either of you tells me alone stays private unless it affects safety or our joint work. {m['v1']}")
    b.screen("policy-write")
    b.click("#policy-form button[type=submit]")
    b.notice("Version 1 of the policy is saved")
    check(m["v1"] in b.main_text() and "Not signed version 1 yet" in b.main_text(), "version 1 waits for both signatures")

    b.open_link("Releases of records", "Releases of records: ")
    b.count("releases (none yet)", counts, 2)
    form = b.find("#new-release")
    b.label_input("Recipient's name", form).send_keys(m["recipient"])
    b.label_input("Organization", form).send_keys(m["org"])
    b.label_input("Purpose", form).send_keys(m["purpose"])
    for label in ("Session dates and attendance", "Questionnaire answers and scores"):
        b.click("#new-release label", label)
    b.screen("release-create")
    b.click("#new-release button[type=submit]")
    b.notice("Both partners are asked to authorize it")
    card = b.card_of("main li.release", m["recipient"])
    check("Waiting for authorization" in card.text and card.text.count("not authorized yet") == 2, f"the release waits for both: {card.text!r}")
    sign_out(b)


def jordan_answers(b, s):
    """Jordan answers the CSI-4 (4 on every item), signs version 1, authorizes the release."""
    j = s["people"]["Jordan"]
    portal_sign_in(b, j)
    b.nav("Questionnaires", "Questionnaires")
    b.wait(lambda: "Send my answers" in b.main_text(), "the CSI-4 form")
    b.pick(b.find("main form"), ["4", "4", "4", "4"])
    b.click("button[type=submit]", "Send my answers")
    b.notice("answers are saved")
    b.settled()
    b.nav("Consent and records", "Consent and records")
    check(s["markers"]["v1"] in b.main_text(), "Jordan reads version 1")
    b.label_input("Type your full name to sign").send_keys(j["name"])
    b.click("button[type=submit]", "Sign this agreement")
    b.notice("signature is saved")
    b.settled()
    b.label_input("Type your full name to give permission").send_keys(j["name"])
    b.click("button[type=submit]", "Give permission")
    b.notice("permission is saved")
    b.settled()
    b.click("#sign-out")
    b.heading("Sign in")


def trend_and_paper(b, s, api):
    """Mina follows Today to the trend, enters Priya's paper form, revises the policy."""
    d, m, counts, cid = b.driver, s["markers"], s["counts"], s["couple_id"]
    app_sign_in(b, s)
    items = {a.text: a.get_attribute("href").split("#", 1)[1] for a in d.find_elements(By.CSS_SELECTOR, "main .worklist a")}
    print(f"  worklist: {items}")
    b.screen("today-worklist")
    check(f"/measures/{cid}" in list(items.values()) and any(v == f"/consent/{cid}" for v in items.values()),
          f"the completed questionnaire and the unsigned policy open their screens: {items}")
    link = [a for a in d.find_elements(By.CSS_SELECTOR, "main .worklist a") if a.get_attribute("href").endswith(f"#/measures/{cid}")][0]
    b.reset_calls()
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    b.title_starts("Questionnaires: ")
    b.wait(b.chart_loaded, "the chart")
    b.count("questionnaires (one answered)", counts, 6)
    theirs = api.call("GET", f"/couples/{cid}/assessments", None, s["mina"])["items"]
    jordan = [a for a in theirs if a["client_id"] == s["people"]["Jordan"]["id"]][0]
    s["jordan_score"] = jordan["score"]
    table = b.find("main table.points")
    check(s["people"]["Jordan"]["name"] in table.text and str(jordan["score"]) in table.text, f"Jordan's point in the table: {table.text!r}")
    check(words_day(s["today"]) in table.text, f"the point's day in the practice's zone: {table.text!r}")
    check("Date (America/Chicago)" in table.text, "the table names the zone")
    check(("Below the cutoff" if jordan["score"] < 13.5 else "At or above the cutoff") in table.text, "the cutoff in words")
    alt = b.js(f"return document.querySelector('{CHART}').alt;")
    check("Jordan Whitfield" in alt and "Priya Whitfield" in alt and "cutoff" in alt, f"the chart's alt text says what it shows: {alt!r}")

    # Priya's paper form, filled in 20 days ago: 1 on every item.
    past = s["today"] - dt.timedelta(days=20)
    card = b.card_of("main li.assessment", "Priya Whitfield")
    b.click_in(card, "summary", "Enter a paper form")
    form = card.find_element(By.CSS_SELECTOR, "form.paper")
    b.pick(form, ["1", "1", "1", "1"])
    b.set_value(b.label_input("Day the form was filled in", form), past.isoformat())
    b.screen("paper-form")
    b.click_in(form, "button", "Save the paper form")
    b.notice("The paper form is saved")
    b.wait(b.chart_loaded, "the redrawn chart")
    theirs = api.call("GET", f"/couples/{cid}/assessments", None, s["mina"])["items"]
    priya = [a for a in theirs if a["client_id"] == s["people"]["Priya"]["id"]][0]
    s["priya_score"] = priya["score"]
    check(priya["score"] != jordan["score"], "the partners' scores differ (they mark whose is whose)")
    rows = [r.text for r in d.find_elements(By.CSS_SELECTOR, "main table.points tbody tr")]
    check(len(rows) == 2, f"two points in the table: {rows}")
    check(rows and words_day(past) in rows[0] and "Priya Whitfield" in rows[0] and str(priya["score"]) in rows[0],
          f"Priya's point dated the day the form was filled in, first: {rows}")
    check(f"filled in on {words_day(past)}" in b.main_text(), "the paper form's day on its card")
    b.click("main nav.sections a", "Chart")
    b.heading(s["name"])
    b.settled()
    b.open_link("Questionnaires", "Questionnaires: Jordan & Priya")
    b.wait(b.chart_loaded, "the chart")
    b.count("questionnaires (both answered)", counts, 6)
    svg = api.call_text(f"/couples/{cid}/measures/csi-4/chart.svg", s["mina"])
    check("Jordan Whitfield" in svg and "Priya Whitfield" in svg, "the chart shown is the one naming both partners")
    b.screen("trend")

    # Revise the policy: version 2, which nobody has signed yet.
    b.open_link("Confidentiality policy", "Confidentiality policy: ")
    b.count("confidentiality policy (version 1)", counts, 2)
    check("Version 1" in b.main_text() and "Jordan Whitfield" in b.main_text(), "Jordan signed version 1")
    check("Not signed version 1 yet" in b.main_text(), "Priya has not")
    b.click("summary", "Revise the policy")
    text = b.label_input("Text the partners sign", b.find("#policy-form"))
    text.send_keys(f"\n\nLetters you write stay with me unless you choose to share them. {m['v2']}")
    b.click("#policy-form button[type=submit]", "Save as version 2")
    b.notice("Version 2 of the policy is saved")
    check(m["v2"] in b.main_text() and b.main_text().count("Not signed version 2 yet") == 2, "version 2: both partners sign again")
    b.screen("policy-revised")
    sign_out(b)


def partners_sign(b, s):
    """Each partner sees only their own score; both sign version 2; Priya authorizes."""
    for first, other in (("Priya", "Jordan"), ("Jordan", "Priya")):
        p = s["people"][first]
        portal_sign_in(b, p)
        b.nav("Questionnaires", "Questionnaires")
        b.wait(lambda: "Your score:" in b.main_text(), f"{first}'s score")
        mine, theirs = s[f"{first.lower()}_score"], s[f"{other.lower()}_score"]
        text = b.main_text()
        check(f"Your score: {mine} out of 21" in text, f"{first} sees their own score {mine}: {text[:400]!r}")
        check(f"score: {theirs} " not in text and f"Your score: {theirs}" not in text, f"{first} never sees {other}'s score {theirs}")
        check(s["people"][other]["name"] not in b.driver.page_source, f"{first}'s questionnaires never name {other}")
        b.screen(f"portal-{first.lower()}-questionnaires")
        b.nav("Consent and records", "Consent and records")
        check(s["markers"]["v2"] in b.main_text(), f"{first} reads version 2")
        b.label_input("Type your full name to sign").send_keys(p["name"])
        b.click("button[type=submit]", "Sign this agreement")
        b.notice("signature is saved")
        b.settled()
        if first == "Priya":
            check(s["markers"]["recipient"] in b.main_text(), "Priya sees the request to share records")
            b.label_input("Type your full name to give permission").send_keys(p["name"])
            b.click("button[type=submit]", "Give permission")
            b.notice("permission is saved")
            b.settled()
        b.click("#sign-out")
        b.heading("Sign in")


def disclose(b, s, downloads):
    d, m, counts, cid = b.driver, s["markers"], s["counts"], s["couple_id"]
    app_sign_in(b, s)
    items = {a.text: a.get_attribute("href").split("#", 1)[1] for a in d.find_elements(By.CSS_SELECTOR, "main .worklist a")}
    check(f"/releases/{cid}" in items.values(), f"a release ready to disclose opens the releases screen: {items}")
    check(f"/consent/{cid}" not in items.values(), f"the policy is signed: no longer on the worklist: {items}")
    b.go(f"#/consent/{cid}", "Confidentiality policy: Jordan & Priya")
    check("Both partners have signed version 2." in b.main_text(), "both signed version 2")
    rows = [r.text for r in d.find_elements(By.CSS_SELECTOR, "main table tbody tr")]
    for p in s["people"].values():
        check(any(p["name"] in r and "Version 2" in r and r.count(p["name"]) == 2 for r in rows), f"{p['name']} signed version 2 with their name: {rows}")
    b.screen("policy-signed")

    b.go("#/today", "Today")
    link = [a for a in d.find_elements(By.CSS_SELECTOR, "main .worklist a") if a.get_attribute("href").endswith(f"#/releases/{cid}")][0]
    b.reset_calls()
    d.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
    link.click()
    b.title_starts("Releases of records: ")
    b.count("releases (authorized)", counts, 2)
    card = b.card_of("main li.release", m["recipient"])
    check("Authorized: ready to disclose" in card.text, f"the release is authorized: {card.text!r}")
    for p in s["people"].values():
        check(f"{p['name']}: authorized" in card.text and f"signed “{p['name']}”" in card.text, f"{p['name']}'s authorization: {card.text!r}")
    b.screen("release-authorized")
    b.click_in(card, "button", "Disclose the records")
    b.click_in(b.card_of("main li.release", m["recipient"]), "button", "Yes, disclose them now")
    b.notice("The records are disclosed")
    card = b.card_of("main li.release", m["recipient"])
    check("Disclosed" in card.text, "disclosed")
    before = set(glob.glob(os.path.join(downloads, "*")))
    b.click_in(card, "button", "Download the document (PDF)")
    b.notice("The document (PDF) is downloaded")
    pdf = b.wait(lambda: next((f for f in set(glob.glob(os.path.join(downloads, "*.pdf"))) - before
                               if os.path.getsize(f) > 0), None), "the downloaded PDF", timeout=20)
    if pdf:
        time.sleep(0.3)
        text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=False).stdout
        flat = " ".join(text.split())
        check(m["recipient"] in flat, f"the PDF names the recipient: {flat[:600]!r}")
        for p in s["people"].values():
            check(p["name"] in flat, f"the PDF names {p['name']}")
        print(f"  the PDF: {os.path.basename(pdf)}, {os.path.getsize(pdf)} bytes, {len(flat)} characters of text")
    b.screen("release-disclosed")

    # The accounting of disclosures of Jordan, from the couple's releases screen.
    b.reset_calls()
    b.click("main a", "Jordan Whitfield")
    b.title_starts("Releases of records: Jordan")
    b.count("a client's releases and disclosures", counts, 4)
    table = b.find("main table")
    check(m["recipient"] in table.text and m["purpose"] in table.text, f"the accounting lists the disclosure: {table.text!r}")
    b.screen("accounting")
    # The client's questionnaires, from the client's record.
    b.go(f"#/client/{s['people']['Jordan']['id']}", "Jordan Whitfield")
    b.open_link("Questionnaires", "Questionnaires: Jordan")
    b.count("a client's questionnaires", counts, 3)
    table = b.find("main table.points")
    check(str(s["jordan_score"]) in table.text and "Priya" not in table.text, f"the client's own points only: {table.text!r}")
    b.screen("client-questionnaires")
    sign_out(b)


def admin_sees_none(b, s, admin_email, admin_password):
    d, m, cid, jid = b.driver, s["markers"], s["couple_id"], s["people"]["Jordan"]["id"]
    app.sign_in(b, admin_email, admin_password)
    for hash_, title, path in ((f"#/measures/{cid}", "Questionnaires: Jordan & Priya", f"/couples/{cid}"),
                               (f"#/consent/{cid}", "Confidentiality policy: Jordan & Priya", f"/couples/{cid}"),
                               (f"#/releases/{cid}", "Releases of records: Jordan & Priya", f"/couples/{cid}"),
                               (f"#/client-measures/{jid}", "Questionnaires: Jordan Whitfield", f"/clients/{jid}"),
                               (f"#/client-releases/{jid}", "Releases of records: Jordan Whitfield", f"/clients/{jid}")):
        b.reset_calls()
        b.go(hash_, title)
        time.sleep(0.3)
        calls = b.api_calls()
        check(calls == [f"/api/v1{path}"], f"an unassigned admin's {hash_} asks for {path} only: {calls}")
        check("You are not assigned" in b.main_text(), f"the admin is told why on {hash_}")
        source = d.page_source + b.page_text()
        for marker in (m["v1"], m["v2"], m["recipient"], m["purpose"], "Your score", "Score "):
            check(marker not in source, f"the admin sees no {marker!r} on {hash_}")
        check(not d.find_elements(By.CSS_SELECTOR, "main form, main table, main img"), f"no form, table or chart for the admin on {hash_}")
    b.screen("admin-not-assigned")
    sign_out(b)


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
    api.call_text = lambda path, token: call_text(args.url, path, token)
    run = uuid.uuid4().hex[:6]
    s = seed(api, args.admin_email, args.admin_password, run)
    downloads = tempfile.mkdtemp(prefix="mend-downloads-")
    b = Browser(args.url, args.axe, args.out)
    try:
        try:
            b.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        except Exception:  # older drivers: the page-level command
            b.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        first_visit(b, s)
        jordan_answers(b, s)
        trend_and_paper(b, s, api)
        partners_sign(b, s)
        disclose(b, s, downloads)
        admin_sees_none(b, s, args.admin_email, args.admin_password)
        for problem in b.console_problems():
            fail(f"browser console: {problem}")
    finally:
        b.driver.quit()
        for f in glob.glob(os.path.join(downloads, "*")):
            os.remove(f)
        os.rmdir(downloads)
    print("API calls per screen: " + ", ".join(f"{k} {v}" for k, v in s["counts"].items()))
    return app.report(b)


def call_text(base, path, token):
    import urllib.request
    req = urllib.request.Request(base.rstrip("/") + "/api/v1" + path, headers={"authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as res:
        return res.read().decode()


if __name__ == "__main__":
    sys.exit(main())
