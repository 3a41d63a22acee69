#!/usr/bin/env python3
"""A stand-in Web Push service for the notification tests.

It plays the push service and the browser behind it. At start it makes a
subscription as a browser does: a P-256 key pair and a 16-byte auth secret.
It prints "ready PORT <subscription JSON>", the JSON shaped like
PushSubscription.toJSON(): {"endpoint", "keys": {"p256dh", "auth"}}.

Each POST to the endpoint is checked as a push service and a browser would:
- VAPID (RFC 8292): "Authorization: vapid t=<JWT>, k=<public key>". The
  ES256 signature must verify under k, aud must be the endpoint's origin,
  exp must be in the future and within 24 hours, and sub must be a mailto:
  or https: address. Otherwise the answer is 401.
- RFC 8291: "Content-Encoding: aes128gcm" and a TTL header. The body is
  decrypted with Mozilla's http_ece (PyPI http-ece) and the subscription's
  private key and auth secret. If it does not decrypt, the answer is 400.

Every request is written as one JSON line to --out: {"received_at", "path",
"vapid_ok", "vapid_error", "claims", "ttl", "urgency", "content_encoding",
"payload" (decrypted text), "decrypt_error"}. Good requests get 201.
--fail N answers the first N good ones with 500. --gone answers every one
with 410, as a browser that unsubscribed. Runs until its stdin closes.
"""
import argparse, base64, json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--fail", type=int, default=0)
ap.add_argument("--gone", action="store_true")
a = ap.parse_args()
lock = threading.Lock()
state = {"fail": a.fail}


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# The browser's side of the subscription.
private_key = ec.generate_private_key(ec.SECP256R1())
p256dh = private_key.public_key().public_bytes(
    serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
auth_secret = os.urandom(16)
origin = f"http://127.0.0.1:{a.port}"
path = "/push/" + b64e(os.urandom(12))
subscription = {"endpoint": origin + path, "keys": {"p256dh": b64e(p256dh), "auth": b64e(auth_secret)}}


def check_vapid(header):
    """The token's claims, or raises ValueError with the reason."""
    if not header or not header.startswith("vapid "):
        raise ValueError("no vapid authorization")
    fields = dict(part.strip().split("=", 1) for part in header[len("vapid "):].split(","))
    token, key = fields.get("t"), fields.get("k")
    if not token or not key:
        raise ValueError("vapid needs t= and k=")
    head64, claims64, sig64 = token.split(".")
    head = json.loads(b64d(head64))
    if head.get("alg") != "ES256":
        raise ValueError(f"alg {head.get('alg')}, not ES256")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
    sig = b64d(sig64)
    if len(sig) != 64:
        raise ValueError("an ES256 signature is 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        public.verify(der, f"{head64}.{claims64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("bad signature")
    claims = json.loads(b64d(claims64))
    if claims.get("aud") != origin:
        raise ValueError(f"aud {claims.get('aud')!r} is not {origin!r}")
    now = time.time()
    if not (now < claims.get("exp", 0) <= now + 24 * 3600):
        raise ValueError("exp not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub is not mailto: or https:")
    return claims


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        record = {"received_at": time.time(), "path": self.path,
                  "ttl": self.headers.get("TTL"), "urgency": self.headers.get("Urgency"),
                  "content_encoding": self.headers.get("Content-Encoding"),
                  "vapid_ok": False, "vapid_error": None, "claims": None,
                  "payload": None, "decrypt_error": None}
        status = 201
        try:
            record["claims"] = check_vapid(self.headers.get("Authorization"))
            record["vapid_ok"] = True
        except Exception as e:  # noqa: BLE001 - every reason is reported
            record["vapid_error"] = str(e)
            status = 401
        if self.path != path:
            status = 404
        if status == 201:
            try:
                if record["content_encoding"] != "aes128gcm" or record["ttl"] is None:
                    raise ValueError("needs Content-Encoding: aes128gcm and a TTL")
                plain = http_ece.decrypt(body, private_key=private_key,
                                         auth_secret=auth_secret, version="aes128gcm")
                record["payload"] = plain.decode()
            except Exception as e:  # noqa: BLE001
                record["decrypt_error"] = repr(e)
                status = 400
        with lock:
            if status == 201 and a.gone:
                status = 410
            elif status == 201 and state["fail"] > 0:
                state["fail"] -= 1
                status = 500
            record["status"] = status
            with open(a.out, "a") as f:
                f.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"" if status == 201 else f"status {status}".encode())

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"ready {a.port} {json.dumps(subscription)}", flush=True)
sys.stdin.read()
server.shutdown()
