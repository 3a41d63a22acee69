#!/usr/bin/env python3
"""A webhook receiver for the notification tests (Python standard library).

It checks each request's signature the way a receiver should
(docs/notifications.md): HMAC-SHA256 under --secret of
"<X-RPM-Timestamp>.<raw body>", compared in constant time, timestamp within
five minutes. A bad signature gets 401. Every request is written as one JSON
line to --out: {"received_at", "path", "signature_ok", "content_type",
"authorization", "idempotency_key", "body"}. --fail N answers the first N
good requests with 500; --status CODE answers every good one with CODE.
Prints "ready PORT"; runs until its stdin closes.
"""
import argparse, hashlib, hmac, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--secret", required=True)
ap.add_argument("--fail", type=int, default=0)
ap.add_argument("--status", type=int, default=200)
a = ap.parse_args()
lock = threading.Lock()
state = {"fail": a.fail}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ts = self.headers.get("X-RPM-Timestamp", "")
        sig = self.headers.get("X-RPM-Signature", "")
        want = "v1=" + hmac.new(a.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
        ok = fresh and hmac.compare_digest(sig, want)
        with lock:
            with open(a.out, "a") as f:
                f.write(json.dumps({
                    "received_at": time.time(), "path": self.path, "signature_ok": ok,
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization"),
                    "idempotency_key": self.headers.get("Idempotency-Key"),
                    "body": body.decode("utf-8", "replace")}) + "\n")
            status = 401 if not ok else a.status
            if ok and state["fail"] > 0:
                state["fail"] -= 1
                status = 500
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"bad signature" if status == 401 else b"ok")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"ready {a.port}", flush=True)
sys.stdin.read()
server.shutdown()
