#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd, from PyPI) for the notification tests.

It requires STARTTLS before anything else (with the certificate given) and,
with --user/--password, AUTH PLAIN/LOGIN after it. Every message received is
parsed here, with Python's own email package (not the sender's code), and
written as one JSON line to --out:
  {"received_at": unix seconds, "tls": bool, "mail_from", "rcpt_tos",
   "subject", "to", "from", "message_id", "list_unsubscribe",
   "list_unsubscribe_post", "text", "html", "raw", "parts"}
"parts" lists every leaf part: {"content_type", "disposition", "filename",
"content_id", "size", "saved"}; each part's decoded bytes are saved beside
--out (at "saved"), for the tests to open the images and the PDF.
--fail N answers the first N messages with a temporary failure (451);
--reject answers every message with a permanent one (550).
Prints "ready PORT" on stdout when it listens.
"""
import argparse, json, os, ssl, sys, time
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out, fail, reject):
        self.out, self.fail, self.reject = out, fail, reject

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return "550 5.7.1 refused by the test relay"
        if self.fail > 0:
            self.fail -= 1
            return "451 4.3.0 try again later (test relay)"
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        record = {
            "received_at": time.time(),
            "tls": session.ssl is not None,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "to": str(msg["to"]),
            "from": str(msg["from"]),
            "message_id": str(msg["message-id"]),
            "list_unsubscribe": str(msg["list-unsubscribe"]),
            "list_unsubscribe_post": str(msg["list-unsubscribe-post"]),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "raw": envelope.original_content.decode("utf-8", "replace"),
        }
        self.count = getattr(self, "count", 0) + 1
        parts = []
        for i, part in enumerate(p for p in msg.walk() if not p.is_multipart()):
            data = part.get_payload(decode=True) or b""
            saved = os.path.join(os.path.dirname(os.path.abspath(self.out)),
                                 f"message-{self.count}-part-{i}")
            with open(saved, "wb") as f:
                f.write(data)
            parts.append({"content_type": part.get_content_type(),
                          "disposition": part.get_content_disposition(),
                          "filename": part.get_filename(),
                          "content_id": part["content-id"] and str(part["content-id"]),
                          "size": len(data), "saved": saved})
        record["parts"] = parts
        with open(self.out, "a") as f:
            f.write(json.dumps(record) + "\n")
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--reject", action="store_true")
    a = ap.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(a.cert, a.key)
    kwargs = dict(tls_context=context, require_starttls=True)
    if a.user:
        def auth(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == a.user \
                and data.password.decode() == a.password
            return AuthResult(success=ok)
        kwargs.update(authenticator=auth, auth_required=True, auth_require_tls=True)
    controller = Controller(Handler(a.out, a.fail, a.reject), hostname="127.0.0.1",
                            port=a.port, **kwargs)
    controller.start()
    print(f"ready {a.port}", flush=True)
    try:
        # Runs until the test closes our stdin (or ends).
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
