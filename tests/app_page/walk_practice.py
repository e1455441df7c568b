#!/usr/bin/env python3
"""Running the practice in /app (the Practice section, for admins) and "Your account".

Seeds through the API: a counselor (Dana) with a couple whose presenting concern holds a marker,
and a second admin (Mira) with two-factor sign-in on, whose token puts the practice's settings
back at the end. Then, in the browser:

- the admin finds the Practice section, invites a counselor (Noor) and reads the invite link;
  Noor accepts it through /app?invite=, has no Practice section, and `#/practice…` addresses say
  in words that they are not for her (no API call is made);
- the admin assigns Noor to Dana's couple (found by a partner's name); Noor reads the chart; the
  admin opens a partner's access report: the assignment (by the admin) and Noor's reading appear
  with names; the admin's screens never show the couple's presenting concern;
- the audit trail, filtered by who, paged with the cursor;
- the admin registers a webhook: the secret is shown once with words saying so, and is gone when
  the screen is opened again; a delivery is listed and retried; the secret is rotated; deleted;
- settings: the time zone changes the header's note; requiring two-factor sign-in warns the admin
  (who has none), and Noor, signing in, is sent to "Your account" with words saying why, turns it
  on (QR code, the code computed here), keeps the recovery codes and continues to Today;
- the admin's own account screen, from the link by their name.

axe + screenshots at 768 and 1280 px on every screen; API calls per screen are counted and printed.
Usage: walk_practice.py --url URL --admin-email E --admin-password P --axe AXE_MIN_JS --out DIR
"""

import argparse
import importlib.util
import os
import sys
import time
import uuid

from selenium.webdriver.common.by import By

_spec = importlib.util.spec_from_file_location("app_browser", os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser.py"))
app = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(app)
portal = app.portal
Api, check, fail, FAILURES = app.Api, app.check, app.fail, app.FAILURES

ZONE = "America/Chicago"
COUNTS = {}


def letters(run):
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in run)


def seed(api, admin_email, admin_password, run):
    admin = api.login(admin_email, admin_password)
    me = api.call("GET", "/me", None, admin)
    dana = api.accept(api.call("POST", "/users", {"email": f"dana-p-{run}@app.test", "display_name": "Dana Whitfield", "role": "counselor"},
                               admin)["invite_token"], "dana's practice walk passphrase")
    last = "Ash" + letters(run)
    a = api.call("POST", "/clients", {"first_name": "Morgan", "last_name": last}, dana)
    b = api.call("POST", "/clients", {"first_name": "Jamie", "last_name": last}, dana)
    concern = f"CONCERN-PRACTICE-{run}"
    couple = api.call("POST", "/couples", {"partner_ids": [a["id"], b["id"]], "presenting_concern": concern}, dana)
    # Mira: a second admin with two-factor sign-in on (a requirement of it does not end her login).
    mira_password = "mira's admin passphrase 2026"
    mira = api.accept(api.call("POST", "/users", {"email": f"mira-{run}@app.test", "display_name": "Mira Osei", "role": "admin"},
                               admin)["invite_token"], mira_password)
    enrol = api.call("POST", "/me/mfa/totp", {}, mira)
    api.call("POST", "/me/mfa/totp/confirm", {"code": portal.totp(enrol["secret"])}, mira)
    return {"admin": admin, "admin_name": me["display_name"], "mira": mira, "couple_id": couple["id"], "last": last,
            "partner_id": a["id"], "concern": concern, "noor_email": f"noor-{run}@app.test", "noor_password": "noor's long counselor passphrase"}


def count(b, name, open_screen):
    """Opens a screen with `open_screen()` and counts the API calls it made."""
    b.reset_calls()
    open_screen()
    b.settled()
    time.sleep(0.4)
    calls = b.api_calls()
    COUNTS[name] = len(calls)
    print(f"  {name}: {len(calls)} API calls: {calls}")
    return calls


def refresh(b):
    """Opens the current screen again (a new address, so the page loads it afresh)."""
    n = int(time.time() * 1000) % 100000
    b.js("location.hash = location.hash.replace(/&r=[0-9]+$/, '') + '&r=' + arguments[0];", n)
    b.wait(lambda: b.js("return location.hash").endswith(f"&r={n}"), "the new address")
    time.sleep(0.2)
    b.settled()


def no_concern(b, s, where):
    check(s["concern"] not in b.driver.page_source, f"{where}: the couple's presenting concern is not shown to an unassigned admin")


def admin_invites(b, s, admin_email, admin_password):
    b.set_width(1280)
    app.sign_in(b, admin_email, admin_password)
    check(b.find("#nav-practice").is_displayed(), "an admin has the Practice section")
    calls = count(b, "staff", lambda: b.nav("Practice", "Practice: Staff"))
    check(0 < len(calls) <= 2, f"the staff screen makes at most 2 calls: {calls}")
    b.screen("practice-staff")
    b.click("summary", "Invite a staff member")
    form = b.find("#invite-staff")
    b.label_input("Name", form).send_keys("Noor Haddad")
    b.label_input("Email", form).send_keys(s["noor_email"])
    b.click("#invite-staff button[type=submit]")
    b.notice("Noor Haddad is invited")
    b.wait(lambda: b.driver.find_elements(By.ID, "invite-link"), "the invite link")
    link = b.find("#invite-link").get_attribute("value")
    check(link.startswith(f"{b.url}/app?invite="), f"the invite link to hand over: {link!r}")
    check("Noor Haddad" in b.find("#staff").text, "the new counselor is listed")
    b.screen("practice-invited")
    s["invite_link"] = link
    b.click("#sign-out")
    b.heading("Sign in")


def counselor_accepts(b, s, api):
    d = b.driver
    d.get(s["invite_link"])
    b.heading("Welcome")
    check("invite" not in d.current_url, "the invite token left the address bar")
    b.label_input("Choose a password").send_keys(s["noor_password"])
    b.label_input("Type it again").send_keys(s["noor_password"])
    b.click("button[type=submit]")
    b.heading("Today")
    b.settled()
    check(not b.find("#nav-practice").is_displayed(), "a counselor has no Practice section")
    check("Practice" not in b.find("#nav").text, "no Practice link in a counselor's navigation")
    for where in ("#/practice", "#/practice/audit", "#/practice/webhooks"):
        calls = count(b, f"counselor at {where}", lambda: b.go(where, "Not found"))
        check(calls == [], f"no API call for a counselor at {where}: {calls}")
        check("for the practice's administrators" in b.main_text(), f"{where} is refused in words")
    b.screen("counselor-practice-refused")
    noor = api.login(s["noor_email"], s["noor_password"])
    r = api.call("GET", "/users", None, noor, expect=(403,))
    check(r and r.get("status") == 403, "the API refuses a counselor the staff list")
    b.click("#sign-out")
    b.heading("Sign in")


def admin_assigns(b, s, api, admin_email, admin_password):
    app.sign_in(b, admin_email, admin_password)
    b.nav("Practice", "Practice: Staff")
    calls = count(b, "assignments", lambda: b.click(".subnav a", "Assignments") and b.heading("Practice: Assignments"))
    check(0 < len(calls) <= 4, f"assignments: at most 4 calls: {calls}")
    b.label_input("Find a couple or client by name").send_keys(s["last"])
    b.click("form.search button[type=submit]")
    b.wait(lambda: "whose names contain" in b.main_text(), "the search")
    b.settled()
    row = b.card_of("#couple-assignments tbody tr", "Morgan")
    check("Dana Whitfield" in row.text and "Noor" not in row.text, f"the couple's counselors before: {row.text!r}")
    b.click_in(row, "summary", "Change counselors")
    b.click_in(row, "label", "Noor Haddad")
    b.click_in(row, "button", "Save the assignment")
    b.notice("Dana Whitfield, Noor Haddad")
    row = b.card_of("#couple-assignments tbody tr", "Morgan")
    check("Noor Haddad" in row.text, f"Noor is assigned: {row.text!r}")
    no_concern(b, s, "assignments")
    b.screen("practice-assignments")
    # Noor reads the chart (through the API: her reading is what the report must name).
    noor = api.login(s["noor_email"], s["noor_password"])
    couple = api.call("GET", f"/couples/{s['couple_id']}", None, noor)
    check(couple.get("presenting_concern") == s["concern"], "Noor, assigned, reads the couple's chart")

    # The partner's access report, from the assignments table: both events, with names.
    b.click_in(row, "a", "Morgan")
    b.title_starts("Practice: Access report for Morgan")
    want = lambda t: s["admin_name"] in t and "Changed assignment" in t and "Noor Haddad" in t and "Opened" in t
    for _ in range(20):
        if want(b.main_text()):
            break
        time.sleep(0.5)
        refresh(b)
    text = b.main_text()
    check(want(text), f"the access report names the assignment and Noor's reading: {text[:1500]!r}")
    lines = [r.text for r in b.driver.find_elements(By.CSS_SELECTOR, "#access-report tbody tr")]
    check(any("Noor Haddad" in line and "Counselor" in line and "Opened" in line and "Couple" in line for line in lines), f"Noor opened the couple: {lines[:6]}")
    check(any(s["admin_name"] in line and "Changed assignment" in line and "Couple" in line for line in lines), f"the admin's assignment: {lines[:6]}")
    calls = count(b, "access report", lambda: refresh(b))
    check(len(calls) <= 2, f"the access report: at most 2 calls: {calls}")
    no_concern(b, s, "access report")
    b.screen("practice-access-report")

    # The audit trail: filtered by who, then paged.
    calls = count(b, "audit trail", lambda: b.click(".subnav a", "Audit trail") and b.heading("Practice: Audit trail"))
    check(0 < len(calls) <= 4, f"the audit trail: at most 4 calls: {calls}")
    first_page = [r.text for r in b.driver.find_elements(By.CSS_SELECTOR, "#audit-events tbody tr")]
    check(len(first_page) == 50, f"a page of 50 events: {len(first_page)}")
    b.screen("practice-audit")
    b.click("#older")
    b.wait(lambda: "Back to the newest" in b.main_text(), "the older page")
    b.settled()
    older = [r.text for r in b.driver.find_elements(By.CSS_SELECTOR, "#audit-events tbody tr")]
    check(older and older != first_page, "the older page holds other events")
    select = b.label_input("Who")
    [o for o in select.find_elements(By.CSS_SELECTOR, "option") if o.text == "Noor Haddad"][0].click()
    b.click("#audit-filters button[type=submit]")
    b.wait(lambda: "Clear the filters" in b.main_text() and "Back to the newest" not in b.main_text(), "the filtered trail")
    b.settled()
    rows = [r.text for r in b.driver.find_elements(By.CSS_SELECTOR, "#audit-events tbody tr")]
    check(rows and all("Noor Haddad" in r for r in rows), f"only Noor's events: {rows[:4]}")
    check(any("Opened" in r and "Couple" in r and f"Jamie {s['last']}" in r for r in rows), f"Noor's reading of the couple, with whose record: {rows[:6]}")
    no_concern(b, s, "audit trail")
    b.screen("practice-audit-filtered")


def admin_webhooks(b, s, api, run):
    calls = count(b, "webhooks", lambda: b.click(".subnav a", "Webhooks") and b.heading("Practice: Webhooks"))
    check(0 < len(calls) <= 1, f"webhooks: one call: {calls}")
    if not b.driver.find_elements(By.CSS_SELECTOR, "#register-webhook"):
        fail("no register form")
    if not b.find("#register-webhook").is_displayed():
        b.click("summary", "Register a webhook")
    form = b.find("#register-webhook")
    b.label_input("Address", form).send_keys(f"https://hooks-{run}.example.invalid/mend")
    b.label_input("What it is for", form).send_keys("Billing system")
    b.click_in(form, "label", "A client is added")
    b.click("#register-webhook button[type=submit]")
    b.notice("The webhook is registered")
    b.wait(lambda: b.driver.find_elements(By.ID, "webhook-secret"), "the secret")
    secret = b.find("#webhook-secret").text
    check(secret.startswith("whsec_") and len(secret) > 40, f"the signing secret is shown: {secret[:10]}…")
    check("will not be shown again" in b.main_text(), "words say the secret is shown once")
    b.screen("practice-webhook-secret")
    b.click(".subnav a", "Webhooks")
    b.wait(lambda: not b.driver.find_elements(By.ID, "webhook-secret"), "the secret gone after the screen is opened again")
    b.settled()
    check(secret not in b.driver.page_source, "the secret is not on the page any more")
    check(f"hooks-{run}.example.invalid" in b.main_text(), "the webhook is listed")
    b.screen("practice-webhooks")
    # An event for it, then its deliveries.
    api.call("POST", "/clients", {"first_name": "Webhook", "last_name": "Trigger"}, s["mira"])
    card = b.card_of("article.webhook", f"hooks-{run}")
    calls = count(b, "deliveries", lambda: b.click_in(card, "a", "Deliveries") and b.heading("Practice: Deliveries"))
    check(0 < len(calls) <= 2, f"deliveries: at most 2 calls: {calls}")
    for _ in range(20):
        if b.driver.find_elements(By.CSS_SELECTOR, "#deliveries tbody tr"):
            break
        time.sleep(0.5)
        refresh(b)
    row = b.card_of("#deliveries tbody tr", "client.created")
    b.screen("practice-deliveries")
    b.click_in(row, "button", "Retry now")
    b.notice("queued to be sent again")
    # Rotate, then delete (each asks once more).
    b.click(".subnav a", "Webhooks")
    b.heading("Practice: Webhooks")
    b.settled()
    card = b.card_of("article.webhook", f"hooks-{run}")
    b.click_in(card, "button", "Rotate the secret")
    b.click_in(card, "button", "Yes, make a new secret")
    b.notice("A new signing secret is made")
    b.wait(lambda: b.driver.find_elements(By.ID, "webhook-secret"), "the new secret")
    rotated = b.find("#webhook-secret").text
    check(rotated.startswith("whsec_") and rotated != secret, "a new secret, shown once")
    card = b.card_of("article.webhook", f"hooks-{run}")
    b.click_in(card, "button", "Delete")
    b.click_in(card, "button", "Yes, delete this webhook")
    b.notice("The webhook is deleted")
    check(f"hooks-{run}" not in b.main_text() and rotated not in b.driver.page_source, "the webhook and its secret are gone")


def admin_settings(b, s):
    calls = count(b, "settings", lambda: b.click(".subnav a", "Settings") and b.heading("Practice: Settings"))
    check(0 < len(calls) <= 2, f"settings: at most 2 calls: {calls}")
    zone = b.label_input("Time zone")
    [o for o in zone.find_elements(By.CSS_SELECTOR, "option") if o.get_attribute("value") == "Europe/Berlin"][0].click()
    b.click("#practice-settings button[type=submit]")
    b.notice("Times are now shown in Europe/Berlin")
    check("Europe/Berlin" in b.find("#zone-note").text, f"the header's zone note follows: {b.find('#zone-note').text!r}")
    b.screen("practice-settings")
    # Requiring two-factor sign-in: the admin, who has none, is warned before saving.
    box = b.find("#require-mfa")
    check(not b.find("#mfa-self-warning").is_displayed(), "no warning before the box is ticked")
    box.click()
    check(b.find("#mfa-self-warning").is_displayed(), "the admin without two-factor sign-in is warned")
    b.screen("practice-settings-mfa-warning")
    b.click("#practice-settings button[type=submit]")
    b.notice("The settings are saved")
    # The admin's own account, from the link by their name.
    count(b, "your account", lambda: b.click("#who") and b.heading("Your account"))
    check("Two-factor sign-in is off" in b.main_text(), "the admin's own two-factor state")
    b.screen("account-admin")
    b.click("#sign-out")
    b.heading("Sign in")


def counselor_enrols(b, s):
    """Two-factor sign-in is required now: Noor is sent to Your account, with words, and turns it on."""
    d = b.driver
    b.driver.get(f"{b.url}/app")
    b.heading("Sign in")
    b.label_input("Email").send_keys(s["noor_email"])
    b.label_input("Password").send_keys(s["noor_password"])
    b.click("button[type=submit]")
    b.heading("Your account")
    b.settled()
    check("requires two-factor sign-in" in b.main_text(), f"the words say why: {b.main_text()[:300]!r}")
    check(not b.find("#nav").is_displayed(), "the other screens are closed meanwhile")
    b.js("location.hash = '#/caseload';")
    time.sleep(0.5)
    b.heading("Your account")
    b.click("#mfa-start")
    b.wait(lambda: d.find_elements(By.ID, "mfa-secret"), "the key")
    key = b.find("#mfa-secret").text.strip()
    cells = b.js("return document.querySelector('#mfa-qr path').getAttribute('d').split('M').length - 1;")
    check(cells > 200, f"the QR code is drawn ({cells} dark modules)")
    b.screen("account-mfa-enrol")
    b.label_input("Code from your authenticator app").send_keys(portal.totp(key))
    b.click("#mfa-confirm button[type=submit]")
    b.wait(lambda: d.find_elements(By.CSS_SELECTOR, "#recovery-codes li"), "the recovery codes")
    check(len(d.find_elements(By.CSS_SELECTOR, "#recovery-codes li")) == 10, "ten recovery codes")
    check("will not be shown again" in b.main_text(), "the codes are shown once, in words")
    b.screen("account-recovery-codes")
    b.click("button", "continue to Today")
    b.heading("Today")
    b.settled()
    check(b.find("#nav").is_displayed() and not b.find("#nav-practice").is_displayed(), "Noor continues, still without the Practice section")
    b.click("#sign-out")
    b.heading("Sign in")


def put_back(api, s):
    """The practice as the other walks expect it: its zone, no two-factor requirement."""
    api.call("PATCH", "/practice", {"timezone": ZONE, "require_staff_mfa": False}, s["mira"])


def main():
    ap = argparse.ArgumentParser()
    for a in ("--url", "--admin-email", "--admin-password", "--axe", "--out"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    api = Api(args.url)
    run = uuid.uuid4().hex[:6]
    s = seed(api, args.admin_email, args.admin_password, run)
    b = app.Browser(args.url, args.axe, args.out)
    started = time.time()
    try:
        admin_invites(b, s, args.admin_email, args.admin_password)
        counselor_accepts(b, s, api)
        admin_assigns(b, s, api, args.admin_email, args.admin_password)
        admin_webhooks(b, s, api, run)
        admin_settings(b, s)
        counselor_enrols(b, s)
        for problem in b.console_problems():
            fail(f"browser console: {problem}")
    finally:
        put_back(api, s)
        b.driver.quit()
    print(f"API calls per screen: {COUNTS}")
    print(f"practice walk: {time.time() - started:.0f} s")
    return app.report(b)


if __name__ == "__main__":
    sys.exit(main())
