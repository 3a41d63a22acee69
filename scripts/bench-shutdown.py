"""Opens N /events streams against a fresh `rpm-cockpit serve`, sends SIGTERM
and reports the exit (see scripts/bench-shutdown.sh)."""
import asyncio, os, signal, subprocess, sys, time, urllib.error, urllib.request

BIN, N, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ADDR = os.environ["RPM_SITE_ADDR"]  # with the rest of the environment, from bench_init
server = subprocess.Popen([BIN, "serve"], stdout=subprocess.DEVNULL, stderr=open(LOG, "w"))
for _ in range(600):
    try:
        if urllib.request.urlopen(f"http://{ADDR}/readyz", timeout=1).status == 200:
            break
    except Exception:
        time.sleep(0.2)
else:
    sys.exit("the server did not become ready; see " + LOG)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


request = urllib.request.Request(f"http://{ADDR}/auth/demo", data=b"email=vera%40example.com",
                                 headers={"Origin": f"http://{ADDR}"})
try:
    answer = urllib.request.build_opener(NoRedirect).open(request)
except urllib.error.HTTPError as e:
    answer = e
cookie = next(v.split(";")[0] for k, v in answer.headers.items()
              if k.lower() == "set-cookie" and "rpm_session" in v)


async def stream(ended):
    reader, writer = await asyncio.open_connection(*ADDR.split(":"))
    writer.write(f"GET /events HTTP/1.1\r\nHost: {ADDR}\r\nCookie: {cookie}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0], head[:80]
    while await reader.read(4096):
        pass
    ended.append(time.monotonic())


async def main():
    ended = []
    tasks = [asyncio.create_task(stream(ended)) for _ in range(N)]
    await asyncio.sleep(5)
    still_open = sum(1 for t in tasks if not t.done())
    sent = time.monotonic()
    server.send_signal(signal.SIGTERM)
    while server.poll() is None and time.monotonic() - sent < 20:
        await asyncio.sleep(0.01)
    took = time.monotonic() - sent
    await asyncio.wait(tasks, timeout=5)
    errors = sum(1 for t in tasks if not t.done() or t.exception())
    print(f"{still_open} streams open; SIGTERM -> exit status {server.poll()} after {took * 1000:.0f} ms")
    print(f"{len(ended)} streams ended cleanly, {errors} errors"
          + (f"; the last {max(ended) - sent:.3f} s after SIGTERM" if ended else ""))


asyncio.run(main())
