"""The soak of scripts/soak.sh: N open live-update streams, W writes/s and
R reads/s for D seconds against a running `rpm-cockpit serve` (its pid and
address from the environment bench_init / bench_serve made), then prints
errors, events lost, RSS and the reads' latency.

Writes are Jesse's inline changes (server function `change_action`:
block, then reopen, the same action in turn), each appending one live
event. Reads alternate the server function a panel calls (`current_week`)
and the REST API (`/api/v1/rpm/current-week`). Every stream counts the
event ids it receives; an event is lost when a stream open for the whole
run misses an id the database appended meanwhile."""
import asyncio, json, os, re, subprocess, sys, time

ADDR = os.environ["RPM_SITE_ADDR"]
HOST, PORT = ADDR.split(":")
PID = int(os.environ["SOAK_PID"])
SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
STREAMS = int(os.environ.get("SOAK_STREAMS", "1000"))
WRITES = float(os.environ.get("SOAK_WRITES", "50"))
READS = float(os.environ.get("SOAK_READS", "200"))
WARM_UP = float(os.environ.get("SOAK_WARM_UP", "60"))
ADMIN, VIP, TOKEN = os.environ["SOAK_ADMIN"], os.environ["SOAK_VIP"], os.environ["SOAK_TOKEN"]
DB_URL = os.environ["SOAK_DB_URL"]
PSQL = os.environ.get("PSQL", "psql")
ID = re.compile(rb"(?m)^id: ?(\d+)")


def sql(query):
    return subprocess.run([PSQL, DB_URL, "-qAtX", "-c", query], check=True,
                          capture_output=True, text=True).stdout.strip()


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


class Conn:
    """One keep-alive HTTP/1.1 connection; answers are read whole."""

    def __init__(self):
        self.reader = self.writer = None

    async def request(self, method, path, headers, body=b""):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, PORT)
        head = f"{method} {path} HTTP/1.1\r\nHost: {ADDR}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        fields = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            k, _, v = line.decode().partition(":")
            fields[k.strip().lower()] = v.strip()
        if "content-length" in fields:
            await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while (size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if fields.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return int(status_line.split()[1])


class Stream:
    """Counts the events it receives; `exact` streams also keep their ids
    (parsing every id of 1,000 streams would make this client, not the
    server, the bottleneck)."""

    def __init__(self, exact):
        self.exact, self.ids, self.count, self.ended, self.carry = exact, set(), 0, False, b""

    async def run(self, opened):
        reader, writer = await asyncio.open_connection(HOST, PORT)
        writer.write(f"GET /events HTTP/1.1\r\nHost: {ADDR}\r\nCookie: {VIP}\r\n"
                     "Accept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if b" 200 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(head[:80])
        opened.append(1)
        while chunk := await reader.read(1 << 16):
            data = self.carry + chunk
            cut = data.rfind(b"\n")
            self.carry = data[cut + 1:]
            whole = data[:cut + 1]
            if self.exact:
                self.ids.update(int(m) for m in ID.findall(whole))
            else:
                self.count += whole.count(b"\nid:") + whole.startswith(b"id:")
        self.ended = True


async def paced(rate, seconds, job, stats):
    """Calls job() `rate` times a second on a fixed schedule."""
    if rate <= 0:
        return
    start, n, pending = time.monotonic(), 0, set()
    while (now := time.monotonic()) - start < seconds:
        due = start + n / rate
        if due > now:
            await asyncio.sleep(due - now)
        pending.add(asyncio.create_task(job(stats)))
        pending = {t for t in pending if not t.done()}
        n += 1
    await asyncio.gather(*pending)


async def main():
    actions = sql("select id from rpm_action_items where status in ('pending', 'in_progress') "
                  "and rpm_carried_to_week(id) is null "
                  "order by id limit 200").split()
    if not actions:
        sys.exit("no open action to change")
    streams, opened = [Stream(exact=i % 20 == 0) for i in range(STREAMS)], []
    tasks = [asyncio.create_task(s.run(opened)) for s in streams]
    for _ in range(300):
        if len(opened) + sum(t.done() for t in tasks) >= STREAMS:
            break
        await asyncio.sleep(0.1)
    stream_errors = sum(1 for t in tasks if t.done() and t.exception())
    print(f"{len(opened)} streams open ({stream_errors} refused)", flush=True)
    first_id = int(sql("select coalesce(max(id), 0) from events"))

    pool, write_pool = [Conn() for _ in range(64)], [Conn() for _ in range(16)]
    blocked = {a: False for a in actions}
    turn = {"write": 0, "read": 0}
    stats = {"writes": 0, "reads": 0, "errors": {}, "latency": [], "rss": []}

    def error(kind):
        stats["errors"][kind] = stats["errors"].get(kind, 0) + 1

    async def write(stats):
        i = turn["write"]
        turn["write"] += 1
        action = actions[i % len(actions)]
        change = "change=reopen" if blocked[action] else "change=block&reason=soak+test"
        blocked[action] = not blocked[action]
        conn = write_pool.pop() if write_pool else Conn()
        try:
            status = await conn.request("POST", "/api/change_action", {
                "Cookie": ADMIN, "Origin": f"http://{ADDR}",
                "Content-Type": "application/x-www-form-urlencoded"},
                f"id={action}&{change}".encode())
            stats["writes"] += 1
            if status != 200:
                error(f"write {status}")
        except Exception as e:
            error(f"write {type(e).__name__}")
            conn = Conn()
        write_pool.append(conn)

    async def read(stats):
        i = turn["read"]
        turn["read"] += 1
        conn = pool.pop() if pool else Conn()
        started = time.monotonic()
        try:
            if i % 2:
                status = await conn.request("GET", "/api/v1/rpm/current-week",
                                            {"Authorization": f"Bearer {TOKEN}"})
            else:
                status = await conn.request("POST", "/api/current_week", {
                    "Cookie": VIP, "Origin": f"http://{ADDR}",
                    "Content-Type": "application/x-www-form-urlencoded"})
            stats["reads"] += 1
            stats["latency"].append(time.monotonic() - started)
            if status != 200:
                error(f"read {status}")
        except Exception as e:
            error(f"read {type(e).__name__}")
            conn = Conn()
        pool.append(conn)

    async def sample_rss():
        start = time.monotonic()
        while time.monotonic() - start < SECONDS:
            at, kib = time.monotonic() - start, rss_kib()
            stats["rss"].append((at, kib))
            if len(stats["rss"]) % 6 == 1:
                print(f"  {at:5.0f} s: RSS {kib / 1024:.1f} MiB, {stats['writes']} writes, "
                      f"{stats['reads']} reads", flush=True)
            await asyncio.sleep(10)

    rss_start = rss_kib()
    began = time.monotonic()
    await asyncio.gather(paced(WRITES, SECONDS, write, stats),
                         paced(READS, SECONDS, read, stats), sample_rss())
    took = time.monotonic() - began
    rss_end = rss_kib()
    await asyncio.sleep(5)  # the last events reach every stream
    last_id = int(sql("select coalesce(max(id), 0) from events"))
    expected = set(int(x) for x in sql(
        f"select id from events where id > {first_id} and id <= {last_id}").split())
    appended = len(expected)
    whole = [s for s, t in zip(streams, tasks) if not s.ended and not t.done()]
    # Exact streams: every id there; the others: as many events (a stream
    # gets each event once, in order, so a shortfall is a loss).
    lost = sum(len(expected - s.ids) if s.exact else max(0, len(expected) - s.count)
               for s in whole)
    stream_errors = sum(1 for t in tasks if t.done() and t.exception())
    for t in tasks:
        t.cancel()

    lat = sorted(stats["latency"])
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    warm = [kib for at, kib in stats["rss"] if at >= WARM_UP] or [rss_start]
    errors = sum(stats["errors"].values()) + stream_errors
    print(f"ran {took:.0f} s: {stats['writes']} writes ({stats['writes'] / took:.1f}/s), "
          f"{stats['reads']} reads ({stats['reads'] / took:.1f}/s), {len(whole)} streams open throughout")
    print(f"errors: {errors} {json.dumps(stats['errors'])}"
          + (f" + {stream_errors} streams failed" if stream_errors else "") + " (goal 0)")
    print(f"events appended: {appended}; events lost: {lost} over {len(whole)} streams (goal 0)")
    print(f"reads: p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, "
          f"max {lat[-1] * 1000 if lat else float('nan'):.1f} ms")
    growth = (rss_end - warm[0]) / warm[0] * 100
    print(f"RSS: start {rss_start / 1024:.1f} MiB, after warm-up ({WARM_UP:.0f} s) "
          f"{warm[0] / 1024:.1f} MiB, end {rss_end / 1024:.1f} MiB: {growth:+.1f} % after warm-up "
          f"(goal <= 10 %)")
    ok = errors == 0 and lost == 0 and growth <= 10
    print("soak: " + ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


asyncio.run(main())
