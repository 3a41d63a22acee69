#!/usr/bin/env python3
"""A small HTTP reverse proxy in front of a local object-store emulator.

Two jobs, both for the data-lake integration tests (stdlib only):

1. ``--gcs-xml-put``: fake-gcs-server (1.54) serves the XML-API GET/HEAD that
   the Rust ``object_store`` crate uses (``GET {base}/{bucket}/{object}``) but
   answers its XML-API upload (``PUT {base}/{bucket}/{object}`` with the raw
   bytes as body, no query) with ``400 invalid uploadType``.  This proxy turns
   such a PUT into the JSON-API media upload
   ``POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name={object}`` and
   answers like the real XML API: 200, empty body, ``ETag`` and
   ``x-goog-generation`` headers (object_store needs the ETag).
   ``x-goog-if-generation-match`` becomes ``ifGenerationMatch``.

2. Fault injection for retry tests (any upstream, S3 or GCS):
       POST /__lake_proxy/fail?count=N&status=503&match=SUBSTR
   makes the next N requests whose URL-decoded path contains SUBSTR (all
   requests when ``match`` is empty) fail with that status, or with
   ``status=drop``: the connection is closed without a response.
       GET  /__lake_proxy/stats  -> JSON {"requests":…, "injected":…, "pending":…}
       POST /__lake_proxy/reset[?match=SUBSTR]  -> clears pending faults
            (only those of that match) and counters
   Several fault rules can be pending at once; each has its own counter.

Usage: lake_proxy.py --listen PORT --upstream http://127.0.0.1:UPSTREAM [--gcs-xml-put]
"""

import argparse
import http.client
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    # the proxy sends its own
    "date",
    "server",
}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []  # dicts: match, status, left
        self.requests = 0
        self.injected = 0

    def take_fault(self, path):
        decoded = unquote(path)
        with self.lock:
            self.requests += 1
            for rule in self.rules:
                if rule["left"] > 0 and rule["match"] in decoded:
                    rule["left"] -= 1
                    self.injected += 1
                    status = rule["status"]
                    self.rules = [r for r in self.rules if r["left"] > 0]
                    return status
        return None


def make_handler(upstream, gcs_xml_put, state):
    up = urlsplit(upstream)
    up_host, up_port = up.hostname, up.port or 80
    up_hostport = f"{up_host}:{up_port}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "lake-proxy"

        def log_message(self, fmt, *args):
            sys.stderr.write("lake_proxy: " + (fmt % args) + "\n")

        def _body(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                data = b""
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def _reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)

        def _control(self, parts, body):
            q = parse_qs(parts.query)
            action = parts.path[len("/__lake_proxy/") :]
            if action == "fail":
                status = q.get("status", ["503"])[0]
                rule = {
                    "match": q.get("match", [""])[0],
                    "status": status if status == "drop" else int(status),
                    "left": int(q.get("count", ["1"])[0]),
                }
                with state.lock:
                    state.rules.append(rule)
            elif action == "reset" and q.get("match"):
                # Only the faults of one test (parallel tests use others).
                with state.lock:
                    state.rules = [r for r in state.rules if r["match"] != q["match"][0]]
            elif action == "reset":
                with state.lock:
                    state.rules, state.requests, state.injected = [], 0, 0
            elif action != "stats":
                return self._reply(404, b"unknown control action\n")
            with state.lock:
                out = {
                    "requests": state.requests,
                    "injected": state.injected,
                    "pending": sum(r["left"] for r in state.rules),
                }
            self._reply(200, json.dumps(out).encode() + b"\n", [("Content-Type", "application/json")])

        def _forward(self, method, target, headers, body):
            conn = http.client.HTTPConnection(up_host, up_port, timeout=60)
            try:
                headers = dict(headers)
                headers["Host"] = up_hostport
                headers["Content-Length"] = str(len(body))
                conn.request(method, target, body=body if (body or method in ("PUT", "POST", "PATCH")) else None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, resp.getheaders(), data
            finally:
                conn.close()

        def _gcs_xml_put(self, parts, body):
            # /{bucket}/{object...}; object_store percent-encodes both.
            _, bucket, obj = parts.path.split("/", 2)
            bucket, obj = unquote(bucket), unquote(obj)
            query = "uploadType=media&name=" + quote(obj, safe="")
            gen = self.headers.get("x-goog-if-generation-match")
            if gen is not None:
                query += "&ifGenerationMatch=" + quote(gen, safe="")
            headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
            if not any(k.lower() == "content-type" for k, _ in headers):
                headers.append(("Content-Type", "application/octet-stream"))
            target = f"/upload/storage/v1/b/{quote(bucket, safe='')}/o?{query}"
            status, _, data = self._forward("POST", target, headers, body)
            if status != 200:
                return self._reply(status, data, [("Content-Type", "application/json")])
            meta = json.loads(data)
            out = [("ETag", '"%s"' % meta.get("etag", meta.get("md5Hash", "")))]
            if "generation" in meta:
                out.append(("x-goog-generation", str(meta["generation"])))
            if "metageneration" in meta:
                out.append(("x-goog-metageneration", str(meta["metageneration"])))
            self._reply(200, b"", out)

        def _handle(self):
            parts = urlsplit(self.path)
            body = self._body()
            if parts.path.startswith("/__lake_proxy/"):
                return self._control(parts, body)
            fault = state.take_fault(parts.path)
            if fault == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(2)
                except OSError:
                    pass
                return
            if fault is not None:
                msg = b"<Error><Code>InjectedFault</Code><Message>lake_proxy injected fault</Message></Error>"
                return self._reply(fault, msg, [("Content-Type", "application/xml")])
            if (
                gcs_xml_put
                and self.command == "PUT"
                and not parts.query
                and parts.path.count("/") >= 2
                and not parts.path.startswith(("/storage/", "/upload/", "/download/", "/_internal/", "/batch/"))
            ):
                return self._gcs_xml_put(parts, body)
            headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
            try:
                status, rheaders, data = self._forward(self.command, self.path, headers, body)
            except OSError as e:
                return self._reply(502, f"lake_proxy: upstream error: {e}\n".encode())
            out = [(k, v) for k, v in rheaders if k.lower() not in HOP_BY_HOP]
            # HEAD: keep the upstream Content-Length (the object's size).
            if self.command == "HEAD":
                self.send_response(status)
                for k, v in rheaders:
                    if k.lower() not in HOP_BY_HOP or k.lower() == "content-length":
                        self.send_header(k, v)
                self.end_headers()
                return
            self._reply(status, data, out)

        do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = _handle

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--gcs-xml-put", action="store_true")
    args = ap.parse_args()
    state = State()
    server = ThreadingHTTPServer((args.host, args.listen), make_handler(args.upstream, args.gcs_xml_put, state))
    server.daemon_threads = True
    sys.stderr.write(f"lake_proxy: listening on {args.host}:{args.listen} -> {args.upstream}\n")
    server.serve_forever()


if __name__ == "__main__":
    main()
