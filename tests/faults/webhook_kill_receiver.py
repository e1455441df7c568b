"""A webhook receiver for tests/faults/webhook_kill.sh, on 127.0.0.1 only.

Every POST is verified with the Standard Webhooks reference library (PyPI `standardwebhooks`)
against each secret the script has issued for its path (`secrets.json` in the work folder, read
on each request): a delivery no secret verifies is written to `bad.jsonl` (the script fails the
run on any) and answered 400. Each delivery is appended to `deliveries.jsonl` with which secrets
verified it. While the file `slow` exists, answers wait 2 s (so a claim is visibly in flight).

Usage: python webhook_kill_receiver.py WORK_DIR PORT
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

WORK = sys.argv[1]
PORT = int(sys.argv[2])
LOCK = threading.Lock()


def secrets_for(path):
    try:
        with open(os.path.join(WORK, "secrets.json")) as f:
            return json.load(f).get(path, [])
    except (OSError, ValueError):
        return []


def append(name, record):
    with LOCK, open(os.path.join(WORK, name), "a") as f:
        f.write(json.dumps(record) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k: self.headers.get(k, "") for k in ("webhook-id", "webhook-timestamp", "webhook-signature")}
        verified = []
        for secret in secrets_for(self.path):
            try:
                Webhook(secret).verify(body, headers)
                verified.append(secret)
            except WebhookVerificationError:
                pass
        record = {"path": self.path, "headers": headers, "body": body.decode("utf-8", "replace"),
                  "verified": verified, "at": time.time()}
        append("deliveries.jsonl", record)
        if not verified:
            append("bad.jsonl", record)
        if os.path.exists(os.path.join(WORK, "slow")):
            time.sleep(2)
        status = 200 if verified else 400
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
with open(os.path.join(WORK, "receiver.ready"), "w") as f:
    f.write("ok\n")
server.serve_forever()
