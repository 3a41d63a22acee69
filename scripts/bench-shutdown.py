"""Opens N /events streams against instance A of `rpm-cockpit serve`, keeps
changes coming through instance B (same database), sends A SIGTERM and
reports its exit; every stream then resumes on B from its Last-Event-ID,
and the script counts the events any stream missed (see
scripts/bench-shutdown.sh)."""
import asyncio, os, re, signal, subprocess, sys, time, urllib.error, urllib.request

BIN, N, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ADDR = os.environ["RPM_SITE_ADDR"]  # with the rest of the environment, from bench_init
ADDR_B = os.environ["BENCH_ADDR_B"]
DB_URL, PSQL = os.environ["BENCH_DB_URL"], os.environ.get("PSQL", "psql")
ID = re.compile(rb"(?m)^id: ?(\d+)")


def start(addr, log):
    env = dict(os.environ, RPM_SITE_ADDR=addr)
    server = subprocess.Popen([BIN, "serve"], stdout=subprocess.DEVNULL, stderr=open(log, "w"), env=env)
    for _ in range(600):
        try:
            if urllib.request.urlopen(f"http://{addr}/readyz", timeout=1).status == 200:
                return server
        except Exception:
            time.sleep(0.2)
    sys.exit("the server did not become ready; see " + log)


def sql(query):
    return subprocess.run([PSQL, DB_URL, "-qAtX", "-c", query], check=True,
                          capture_output=True, text=True).stdout.strip()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def sign_in(addr, email):
    request = urllib.request.Request(f"http://{addr}/auth/demo", data=f"email={email}".encode(),
                                     headers={"Origin": f"http://{addr}"})
    try:
        answer = urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as e:
        answer = e
    return next(v.split(";")[0] for k, v in answer.headers.items()
                if k.lower() == "set-cookie" and "rpm_session" in v)


class Stream:
    def __init__(self):
        self.ids, self.ended_a, self.resumed = set(), None, False

    async def read(self, addr, cookie, last_id, until):
        host, port = addr.split(":")
        reader, writer = await asyncio.open_connection(host, port)
        resume = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
        writer.write(f"GET /events HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n{resume}"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        assert b" 200 " in head.split(b"\r\n")[0], head[:80]
        carry = b""
        while True:
            try:
                chunk = await asyncio.wait_for(reader.read(1 << 16), max(0.01, until() - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not chunk:
                break
            data = carry + chunk
            cut = data.rfind(b"\n")
            carry = data[cut + 1:]
            self.ids.update(int(m) for m in ID.findall(data[:cut + 1]))
        writer.close()

    async def run(self, cookie, stop_at):
        await self.read(ADDR, cookie, None, lambda: time.monotonic() + 3600)
        self.ended_a = time.monotonic()
        # The browser's EventSource resumes from the last id it saw.
        await self.read(ADDR_B, cookie, max(self.ids, default=0), lambda: stop_at[0])
        self.resumed = True


async def main():
    server_a = start(ADDR, LOG)
    server_b = start(ADDR_B, LOG + ".b")
    vip, admin = sign_in(ADDR, "vera%40example.com"), sign_in(ADDR_B, "jesse%40example.com")
    actions = sql("select id from rpm_action_items where status in ('pending', 'in_progress') "
                  "and rpm_carried_to_week(id) is null "
                  "order by id limit 50").split()
    first_id = int(sql("select coalesce(max(id), 0) from events"))
    stop_at = [time.monotonic() + 3600]
    streams = [Stream() for _ in range(N)]
    tasks = [asyncio.create_task(s.run(vip, stop_at)) for s in streams]
    await asyncio.sleep(5)
    still_open = sum(1 for t in tasks if not t.done())

    writes, blocked, write_errors = [0], {a: False for a in actions}, [0]

    async def writer(until):
        host, port = ADDR_B.split(":")
        while time.monotonic() < until:
            action = actions[writes[0] % len(actions)]
            change = "change=reopen" if blocked[action] else "change=block&reason=drain"
            blocked[action] = not blocked[action]
            body = f"id={action}&{change}".encode()
            reader, w = await asyncio.open_connection(host, port)
            w.write(f"POST /api/change_action HTTP/1.1\r\nHost: {ADDR_B}\r\nCookie: {admin}\r\n"
                    f"Origin: http://{ADDR_B}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            await w.drain()
            status = (await reader.readline()).split()[1]
            await reader.read()
            w.close()
            writes[0] += 1
            if status != b"200":
                write_errors[0] += 1
            await asyncio.sleep(0.05)

    # Changes keep coming (about 20 a second) from 2 s before SIGTERM until
    # 5 s after it.
    sent = time.monotonic() + 2
    writing = asyncio.create_task(writer(sent + 5))
    await asyncio.sleep(2)
    server_a.send_signal(signal.SIGTERM)
    while server_a.poll() is None and time.monotonic() - sent < 20:
        await asyncio.sleep(0.01)
    took = time.monotonic() - sent
    await writing
    stop_at[0] = time.monotonic() + 3
    await asyncio.wait(tasks, timeout=30)
    errors = sum(1 for t in tasks if not t.done() or t.exception())
    ended = [s.ended_a for s in streams if s.ended_a]
    last_id = int(sql("select coalesce(max(id), 0) from events"))
    expected = set(int(x) for x in sql(
        f"select id from events where id > {first_id} and id <= {last_id}").split())
    resumed = [s for s in streams if s.resumed]
    lost = sum(len(expected - s.ids) for s in resumed)
    print(f"{still_open} streams open on A; SIGTERM -> exit status {server_a.poll()} after {took * 1000:.0f} ms")
    print(f"{len(ended)} streams ended cleanly on A"
          + (f", the last {max(ended) - sent:.3f} s after SIGTERM" if ended else "")
          + f"; {len(resumed)} resumed on B from their Last-Event-ID, {errors} errors")
    print(f"{writes[0]} changes made through B meanwhile ({write_errors[0]} failed), "
          f"{len(expected)} events appended; events lost: {lost} over {len(resumed)} streams")
    server_b.send_signal(signal.SIGTERM)
    server_b.wait(timeout=20)
    sys.exit(0 if server_a.poll() == 0 and errors == 0 and lost == 0 and write_errors[0] == 0
             and len(resumed) == N else 1)


asyncio.run(main())
