"""Seeds a couple through Mend's JSON API, then validates every FHIR R4 answer with fhir.resources.

Run by tests/fhir/run.sh (which starts the server). Exit status 1 on any invalid resource, any
dangling reference in $everything, or an unexpected status.
"""

import datetime
import json
import os
import sys
import urllib.error
import urllib.request

from fhir.resources.R4B import get_fhir_model_class

URL = os.environ["MEND_URL"]
FHIR = URL + "/fhir/R4"
failures = []


def call(method, path, token=None, body=None, base=URL):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.headers.get("content-type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type"), e.read().decode()


def api(method, path, token, body=None, expect=(200, 201)):
    status, _, text = call(method, "/api/v1" + path, token, body)
    if status not in expect:
        sys.exit(f"seeding failed: {method} {path} -> {status} {text}")
    return json.loads(text) if text else None


def login(email, password):
    return api("POST", "/auth/login", None, {"email": email, "password": password})["access_token"]


def day(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


# ---- seed: a counselor, two clients with portal accounts, their couple and its records ----
admin = login("admin@fhir.example.org", os.environ.get("MEND_ADMIN_PASSWORD", ""))
inv = api("POST", "/users", admin, {"email": "counselor@fhir.example.org", "display_name": "C", "role": "counselor"})
counselor = api("POST", "/auth/accept-invite", None, {"token": inv["invite_token"], "password": "fhir counselor password"})[
    "access_token"
]
clients, portal = [], []
for first, last in [("Sam", "Rivera"), ("Alex", "O'Brien <&>")]:
    c = api(
        "POST",
        "/clients",
        counselor,
        {"first_name": first, "last_name": last, "preferred_name": first[:2], "date_of_birth": "1985-04-12",
         "email": f"{first.lower()}@fhir.example.org", "phone": "+1 555 0100"},
    )
    clients.append(c["id"])
    pi = api("POST", f"/clients/{c['id']}/portal-invite", counselor)
    portal.append(api("POST", "/auth/accept-invite", None, {"token": pi["invite_token"], "password": "fhir client password"})[
        "access_token"
    ])
couple = api("POST", "/couples", counselor, {"partner_ids": clients, "presenting_concern": "Affair"})["id"]
sessions = []
for n, modality in [(2, "in_person"), (4, "telehealth"), (6, "phone")]:
    s = api("POST", "/sessions", counselor,
            {"couple_id": couple, "starts_at": f"{day(n)}T15:00:00Z", "duration_minutes": 60, "modality": modality})
    sessions.append(s["id"])
api("PATCH", f"/sessions/{sessions[2]}", counselor, {"status": "cancelled", "cancellation_reason": "Illness"})
solo = api("POST", "/sessions", counselor,
           {"client_id": clients[0], "starts_at": f"{day(3)}T09:00:00Z", "duration_minutes": 50, "modality": "in_person"})["id"]
note = api("POST", f"/sessions/{sessions[0]}/notes", counselor, {"body": "FHIR-NOTE-MARKER"})
api("PUT", f"/sessions/{sessions[0]}/summary", counselor, {"text": "FHIR-SUMMARY-MARKER"})
plan = api("POST", f"/couples/{couple}/milestones/from-template", counselor, {"template": "trust-repair"})["items"]
m = api("POST", f"/couples/{couple}/milestones", counselor,
        {"title": "Weekly check-in held", "description": "Both attend", "phase": "rebuild", "target_on": day(40)})
api("PATCH", f"/milestones/{plan[0]['id']}", counselor, {"status": "achieved", "achieved_on": day(0)})
api("PATCH", f"/milestones/{plan[1]['id']}", counselor, {"status": "in_progress"})
api("PATCH", f"/milestones/{plan[2]['id']}", counselor, {"status": "set_aside"})
goals = [x["id"] for x in plan] + [m["id"]]
api("POST", f"/couples/{couple}/activities", counselor,
    {"title": "Daily check-in", "assigned_to": "both", "cadence": "daily", "starts_on": day(-5), "ends_on": day(30),
     "instructions": "Ten minutes, phones away."})
api("POST", f"/couples/{couple}/activities", counselor,
    {"title": "Letter draft", "assigned_to": clients[1], "cadence": "weekly", "times_per_period": 2, "starts_on": day(-1)})
api("POST", f"/couples/{couple}/activities", counselor,
    {"title": "Walk together", "assigned_to": "both", "cadence": "once", "starts_on": day(1)})
items = api("POST", f"/couples/{couple}/assessments", counselor, {"instrument": "csi-4"})["items"]
done = items[0]["id"]
api("POST", f"/assessments/{done}/responses", counselor, {"answers": {"q1": 4, "q2": 3, "q3": 5, "q4": 2}})
pending = items[1]["id"]
rel = api("POST", "/releases", counselor,
          {"couple_id": couple, "recipient": {"name": "Dr. Lee", "organization": "Valley <Clinic> & Co"},
           "purpose": "Continuity of care \"urgent\"", "include": ["sessions", "milestones", "assessments"],
           "include_mediation_notes": True, "from": day(-30), "to": day(30), "expires_on": day(90)})["id"]
api("POST", f"/portal/releases/{rel}/authorize", portal[0], {"signed_name": "Sam Rivera"})
own = api("POST", "/releases", counselor,
          {"client_id": clients[0], "recipient": {"name": "Dr. Kim"}, "purpose": "Referral", "include": ["sessions"],
           "expires_on": day(30)})["id"]
api("POST", f"/portal/releases/{own}/authorize", portal[0], {"signed_name": "Sam Rivera"})


# ---- validate ----
def validate(obj, where):
    kind = obj.get("resourceType")
    try:
        get_fhir_model_class(kind).model_validate(obj)
    except Exception as e:  # noqa: BLE001 - any refusal is a failure to report
        failures.append(f"{where}: invalid {kind}: {str(e)[:600]}")
        return
    for i, entry in enumerate(obj.get("entry", []) if kind == "Bundle" else []):
        validate(entry["resource"], f"{where} entry {i}")


def fetch(path, token=counselor, status=200, kind=None):
    got, ctype, text = call("GET", path, token, base=FHIR)
    where = f"GET /fhir/R4{path}"
    if got != status or ctype != "application/fhir+json":
        failures.append(f"{where}: {got} {ctype}, wanted {status} application/fhir+json: {text[:300]}")
        return None
    obj = json.loads(text)
    if kind and obj.get("resourceType") != kind:
        failures.append(f"{where}: a {obj.get('resourceType')}, wanted {kind}")
    validate(obj, where)
    for marker in ("FHIR-NOTE-MARKER", "FHIR-SUMMARY-MARKER", note["id"]):
        if marker in text:
            failures.append(f"{where}: a mediation note or an unshared summary left through FHIR ({marker})")
    return obj


# The validator refuses an invalid resource (so a pass means something): a Group without `actual`.
try:
    get_fhir_model_class("Group").model_validate({"resourceType": "Group", "type": "person"})
    failures.append("fhir.resources accepted a Group without actual: the validator is not checking")
except Exception:  # noqa: BLE001
    pass

fetch("/metadata", token=None, kind="CapabilityStatement")
for c in clients:
    fetch(f"/Patient/{c}", kind="Patient")
fetch(f"/Group/{couple}", kind="Group")
for s in sessions + [solo]:
    fetch(f"/Encounter/{s}", kind="Encounter")
fetch(f"/Encounter?subject=Group/{couple}", kind="Bundle")
page = fetch(f"/Encounter?subject=Group/{couple}&_count=1", kind="Bundle")
nxt = [l["url"] for l in (page or {}).get("link", []) if l["relation"] == "next"]
if not nxt:
    failures.append("a first page of one encounter has no next link")
else:
    fetch(nxt[0].split("/fhir/R4", 1)[1], kind="Bundle")
fetch(f"/Encounter?subject=Patient/{clients[0]}", kind="Bundle")
fetch(f"/CarePlan/{couple}", kind="CarePlan")
for g in goals:
    fetch(f"/Goal/{g}", kind="Goal")
fetch(f"/Goal?subject=Group/{couple}", kind="Bundle")
fetch(f"/QuestionnaireResponse/{done}", kind="QuestionnaireResponse")
fetch(f"/Observation/{done}", kind="Observation")
fetch(f"/Consent/{rel}", kind="Consent")
fetch(f"/Consent/{own}", kind="Consent")
# Errors are valid OperationOutcomes too.
fetch(f"/QuestionnaireResponse/{pending}", status=404, kind="OperationOutcome")
fetch("/Patient/not-a-uuid", status=400, kind="OperationOutcome")
fetch(f"/Group/{couple}", token=None, status=401, kind="OperationOutcome")
fetch(f"/Group/{couple}", token=portal[0], status=403, kind="OperationOutcome")
fetch("/Nothing/here", status=404, kind="OperationOutcome")
fetch("/Encounter?subject=Nope", status=400, kind="OperationOutcome")

everything = fetch(f"/Group/{couple}/$everything", kind="Bundle") or {"entry": []}
held = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in everything["entry"]}
counts = {}
for e in everything["entry"]:
    counts[e["resource"]["resourceType"]] = counts.get(e["resource"]["resourceType"], 0) + 1
    if not e.get("fullUrl", "").endswith("/fhir/R4/" + f"{e['resource']['resourceType']}/{e['resource']['id']}"):
        failures.append(f"$everything: fullUrl {e.get('fullUrl')} is not the entry's own")
want = {"Group": 1, "Patient": 2, "Encounter": 3, "CarePlan": 1, "Goal": len(goals), "QuestionnaireResponse": 1,
        "Observation": 1, "Consent": 1}
if counts != want:
    failures.append(f"$everything holds {counts}, wanted {want}")


def references(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "reference" and isinstance(x, str):
                yield x
            else:
                yield from references(x)
    elif isinstance(v, list):
        for x in v:
            yield from references(x)


refs = list(references(everything))
for r in refs:
    if r not in held:
        failures.append(f"$everything: reference {r} does not resolve within the bundle")
if solo in json.dumps(everything):
    failures.append("$everything holds a partner's individual session")

checked = len(held)
if failures:
    print(f"FHIR validation: {len(failures)} failure(s)")
    for f in failures:
        print(" -", f)
    sys.exit(1)
print(f"FHIR validation: every resource valid (fhir.resources R4B); $everything: {checked} resources, "
      f"{len(refs)} references, all resolved")
