#!/usr/bin/env python3
"""Writes weekly plan files (docs/plan-format.md) and, with --catalog, the
agent snapshots, song catalog and deliverables that go with them.

The demo data set in demo/ was written by

    scripts/gen-plans.py --weeks 12 --out demo --catalog

and the sync benchmark writes 1,000 weeks into a temporary directory with

    scripts/gen-plans.py --weeks 1000 --out /tmp/plans

Output is deterministic for a given --seed. Plans vary the way hand-written
ones do (front matter or a Week line, bold or plain labels, a table of
actions, checkbox lists), so the demo also exercises the parser.
"""

import argparse
import datetime as dt
import json
import os
import random

DEMO_NOW = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.timezone.utc)
AGENTS = ["Artifacts", "QA", "Planning", "Research", "ExecMon", "Suno"]

# (prefix, title, purpose, category, revenue target, [(action, stage, hours)])
THEMES = [
    ("ARCH-BOOT", "Boot System Fixed",
     "Every agent session starts clean, so no hour is lost to a broken boot.", "ARCH", 0,
     [("Fix the boot script's environment check", "bottom", 2),
      ("Verify the boot on a clean machine", "bottom", 1),
      ("Voice greeting implementation", "middle", 3),
      ("Cache the toolchain between sessions", "middle", 2),
      ("Write the boot runbook", "top", 1.5),
      ("Alert when a boot takes over five minutes", "middle", 2),
      ("Remove the stale session files", "bottom", 0.5)]),
    ("INFRA", "Cloud RPM Infrastructure",
     "One source of truth for plans, so VIPs see progress without asking.", "ARCH", 60000,
     [("Create the transactional schema", "middle", 4),
      ("Set up the analytics warehouse", "middle", 6),
      ("Data lake buckets and lifecycle rules", "top", 2),
      ("API authentication for agents", "middle", 3),
      ("Sync the markdown plans hourly", "bottom", 3),
      ("Load-test the cockpit API", "bottom", 2),
      ("Document the disaster recovery drill", "top", 1)]),
    ("ALBUM", "21 Album Release",
     "The catalog earns only once it is released and in front of listeners.", "DELIVER", 75000,
     [("Master the next six songs", "bottom", 6),
      ("Write liner notes and credits", "top", 2),
      ("Submit the album to distribution", "bottom", 1),
      ("Commission the cover art", "middle", 2),
      ("Sequence the track list", "middle", 1.5),
      ("Pitch the lead single to playlists", "bottom", 3),
      ("Register the songs with the PRO", "middle", 1)]),
    ("TIME-EST", "Time Estimation Protocol",
     "Honest estimates make every later plan believable.", "PLAN", 0,
     [("Record estimated vs actual hours for a week", "top", 1),
      ("Publish the estimation accuracy report", "top", 2),
      ("Calibrate agent estimates against history", "middle", 3),
      ("Add buffers to multi-day actions", "middle", 1),
      ("Review last week's misses with the owners", "bottom", 1)]),
    ("VIP-COCKPIT", "Heritage.com VIP Cockpit",
     "Stakeholders trust what they can watch live.", "DEV", 40000,
     [("Weekly overview page", "middle", 4),
      ("Live action feed", "middle", 5),
      ("Revenue panel with the eight-week trend", "middle", 4),
      ("Agent health cards", "middle", 3),
      ("iPhone layout review with two VIPs", "bottom", 2),
      ("Add to home screen icons", "top", 1)]),
    ("SUNO-GEN", "Song Generation Pipeline",
     "A steady flow of finished songs is what every album is made of.", "DELIVER", 25000,
     [("Generate twenty candidate songs", "top", 3),
      ("Score the candidates against the album brief", "middle", 2),
      ("Regenerate the weakest bridges", "middle", 2),
      ("Export stems for mastering", "bottom", 1),
      ("Tag genre, BPM and key", "top", 1),
      ("Archive prompts with the songs", "top", 0.5)]),
    ("MKT-LAUNCH", "Launch Campaign",
     "Listeners only find the music we put in front of them.", "MARKETING", 30000,
     [("Draft the launch email", "top", 2),
      ("Cut three short videos", "middle", 4),
      ("Schedule posts for release week", "middle", 1.5),
      ("Brief two playlist curators", "bottom", 2),
      ("Measure pre-saves against target", "bottom", 1),
      ("Collect listener quotes", "top", 1)]),
    ("DOCS-KB", "Knowledge Base",
     "Agents that can look things up stop asking Jesse.", "DOCS", 0,
     [("Write the agent onboarding guide", "top", 3),
      ("Document the release checklist", "middle", 2),
      ("Record the weekly review ritual", "top", 1),
      ("Link every runbook from the cockpit", "middle", 1),
      ("Prune outdated pages", "bottom", 1)]),
    ("REV-OPS", "Revenue Operations",
     "Revenue we cannot see is revenue we cannot grow.", "REVENUE", 20000,
     [("Reconcile streaming payouts", "bottom", 2),
      ("Attribute revenue to songs and albums", "middle", 3),
      ("Invoice the sync licence", "bottom", 1),
      ("Forecast next month's revenue", "top", 2),
      ("Chase unpaid licence fees", "bottom", 1)]),
]
CURRENT_THEMES = [0, 1, 2, 3, 4]
BLOCKERS = [
    "Waiting for the OAuth client to be approved",
    "Distributor portal is down for maintenance",
    "Needs Jesse's sign-off on the budget",
    "Mastering engineer is unavailable until next week",
    "API quota exceeded; waiting for the reset",
    "Blocked by a failing dependency upgrade",
]


def week_label(monday):
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


def fmt_hours(h, rng, plain=False):
    if plain or rng.random() < 0.5:
        return f"{h:g}"
    return rng.choice([f"{h:g}h", f"{h:g} hours"])


def fmt_date(d, rng):
    return d.strftime("%b %-d") if rng.random() < 0.5 else d.isoformat()


class Week:
    """Actions of one week with their states, before formatting."""

    def __init__(self, monday, age, rng, counters):
        self.monday, self.age, self.rng = monday, age, rng
        themes = CURRENT_THEMES if age == 0 else rng.sample(range(len(THEMES)), 5)
        self.results = []
        for n, t in enumerate(themes, start=1):
            prefix, title, purpose, category, revenue, templates = THEMES[t]
            count = min(len(templates), rng.choice([5, 6, 6, 7]))
            picked = templates[:3] + rng.sample(templates[3:], count - 3) if age else templates[:count]
            counters[prefix] = counters.get(prefix, 0) + 1
            number = counters[prefix]
            actions = []
            for i, (text, stage, hours) in enumerate(picked):
                code = f"{prefix}-{number:03d}{chr(ord('a') + i)}"
                actions.append(self.action(code, text, stage, hours, i, actions))
            self.results.append(dict(code=f"R{n}", title=title, purpose=purpose,
                                     category=category, priority=n,
                                     revenue=revenue, actions=actions))

    def action(self, code, text, stage, hours, i, earlier):
        rng = self.rng
        due = self.monday + dt.timedelta(days=min(6, i + rng.choice([0, 0, 1, 2])))
        owner = "Jesse" if rng.random() < 0.22 else rng.choice(AGENTS)
        est = max(0.5, round(hours * rng.choice([0.75, 1, 1, 1.25]) * 2) / 2)
        now = DEMO_NOW.date() - dt.timedelta(weeks=self.age)
        r = rng.random()
        if self.age == 0:
            if due < now:
                status = "completed" if r < 0.75 else ("blocked" if r < 0.87 else "in_progress")
            elif due == now:
                status = "in_progress" if r < 0.6 else "completed"
            else:
                status = "pending" if r < 0.75 else ("in_progress" if r < 0.9 else "blocked")
        else:
            status = ("completed" if r < 0.82 else "blocked" if r < 0.9
                      else "pending" if r < 0.95 else "in_progress")
        a = dict(code=code, text=text, owner=owner, due=due, stage=stage, status=status,
                 est=est, actual=None, completed=None, deps=[], blocker=None,
                 verification=None, evidence=None)
        if status == "completed":
            factor = rng.lognormvariate(0.12, 0.3)
            a["actual"] = max(0.5, round(est * factor * 2) / 2)
            a["completed"] = min(due, now) - dt.timedelta(days=rng.choice([0, 0, 1]))
            a["completed"] = max(a["completed"], self.monday)
            if rng.random() < 0.5:
                a["evidence"] = f"gs://rpm-evidence/{week_label(self.monday)}/{code}.md"
        elif status == "in_progress" and rng.random() < 0.4:
            a["actual"] = max(0.5, round(est * 0.5 * 2) / 2)
        if status == "blocked":
            a["blocker"] = rng.choice(BLOCKERS)
        if earlier and rng.random() < 0.35:
            a["deps"] = [earlier[-1]["code"]]
        if rng.random() < 0.3:
            a["verification"] = f"{text} is checked by QA and linked as evidence"
        return a


def write_week(week, style):
    rng = week.rng
    monday, sunday = week.monday, week.monday + dt.timedelta(days=6)
    b = "" if style == "plain" else "**"
    out = []
    if style == "weekline":
        out += [f"# RPM Weekly Plan – {week_label(monday)}", "",
                f"{b}Week:{b} {monday.strftime('%b %-d')} – {sunday.strftime('%b %-d, %Y')}",
                f"{b}Owner:{b} Jesse CEO",
                f"{b}Classification:{b} TIER 1 ABSOLUTE STANDARD", ""]
    else:
        status = "active" if week.age == 0 else "completed"
        out += ["---", f"week_start: {monday.isoformat()}", f"week_end: {sunday.isoformat()}",
                "owner: Jesse CEO", "classification: TIER 1 ABSOLUTE STANDARD",
                f"version: v{week.age % 3 + 1}.0", f"status: {status}", "---",
                f"# RPM Weekly Plan – {week_label(monday)}", ""]
    for n, r in enumerate(week.results):
        out += [f"## {r['code']}: {r['title']}", f"{b}Purpose:{b} {r['purpose']}",
                f"{b}Priority:{b} {r['priority']}", f"{b}Category:{b} {r['category']}"]
        if r["revenue"]:
            out.append(f"{b}Revenue target:{b} ${r['revenue'] // 4:,}")
        out.append("")
        if style == "table" and n == 2:
            out += table(r["actions"], rng)
        elif style == "checkbox" and n == 1:
            out += checkboxes(r["actions"], rng)
        else:
            for a in r["actions"]:
                out += labelled(a, b, rng)
    return "\n".join(out).rstrip() + "\n"


def labelled(a, b, rng):
    lines = [f"### {a['code']}: {a['text']}", f"{b}Owner:{b} {a['owner']}",
             f"{b}Due:{b} {fmt_date(a['due'], rng)}", f"{b}Stage:{b} {a['stage']}",
             f"{b}Status:{b} {a['status'].replace('_', ' ')}",
             f"{b}Estimate:{b} {fmt_hours(a['est'], rng)}"]
    if a["actual"] is not None:
        lines.append(f"{b}Actual:{b} {fmt_hours(a['actual'], rng)}")
    if a["completed"]:
        lines.append(f"{b}Completed on:{b} {a['completed'].isoformat()}")
    lines.append(f"{b}Dependencies:{b} {', '.join(a['deps']) or 'None'}")
    for label, key in [("Blocker", "blocker"), ("Verification", "verification"),
                       ("Evidence", "evidence")]:
        if a[key]:
            lines.append(f"{b}{label}:{b} {a[key]}")
    return lines + [""]


def table(actions, rng):
    rows = ["| Code | Action | Owner | Due | Stage | Status | Est | Actual | Completed on | Depends on | Blocker |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for a in actions:
        rows.append("| " + " | ".join([
            a["code"], a["text"], a["owner"], a["due"].isoformat(), a["stage"],
            a["status"].replace("_", " "), fmt_hours(a["est"], rng),
            "" if a["actual"] is None else fmt_hours(a["actual"], rng),
            a["completed"].isoformat() if a["completed"] else "",
            ", ".join(a["deps"]) or "—", a["blocker"] or ""]) + " |")
    return rows + [""]


def checkboxes(actions, rng):
    lines = []
    for a in actions:
        # The box says the status (GitHub, Obsidian Tasks and Obsidian themes).
        mark = {"completed": "x", "in_progress": "/", "blocked": "!"}.get(a["status"], " ")
        lines += [f"- [{mark}] {a['code']}: {a['text']}", f"  - Owner: {a['owner']}",
                  f"  - Due: {a['due'].isoformat()}", f"  - Stage: {a['stage']}",
                  f"  - Estimate: {fmt_hours(a['est'], rng)}"]
        if a["actual"] is not None:
            lines.append(f"  - Actual: {fmt_hours(a['actual'], rng)}")
        if a["completed"]:
            lines.append(f"  - Completed on: {a['completed'].isoformat()}")
        if a["blocker"]:
            lines.append(f"  - Blocker: {a['blocker']}")
    return lines + [""]


def style_of(age):
    return {3: "table", 5: "plain", 7: "checkbox", 9: "weekline"}.get(age % 10, "canonical")


def catalog(weeks, out, rng):
    last = weeks[0]
    agents_dir = os.path.join(out, "agents")
    os.makedirs(agents_dir, exist_ok=True)
    states = {"Artifacts": ("active", 98, 0), "QA": ("active", 95, 1),
              "Planning": ("active", 92, 2), "Research": ("error", 64, 6),
              "ExecMon": ("idle", 96, 1), "Suno": ("active", 84, 3),
              "Voice": ("offline", 41, 185)}
    done = [a for w in weeks for r in w.results for a in r["actions"] if a["status"] == "completed"]
    for name, (status, health, minutes) in states.items():
        mine = [a for r in last.results for a in r["actions"]
                if a["owner"] == name and a["status"] == "in_progress"]
        beat = DEMO_NOW - dt.timedelta(minutes=minutes, seconds=rng.randint(0, 50))
        snap = {
            "agent_name": name, "status": status, "health_score": health,
            "last_heartbeat": beat.isoformat().replace("+00:00", "Z"),
            "current_action": mine[0]["code"] if mine and status == "active" else None,
            "session_start": (beat - dt.timedelta(hours=rng.randint(2, 9))).isoformat().replace("+00:00", "Z"),
            "total_actions_completed": sum(1 for a in done if a["owner"] == name),
            "total_hours_worked": sum(a["actual"] for a in done if a["owner"] == name),
            "error_log": ("2026-11-20T14:51Z ERROR rate limit from the search API (429); "
                          "backing off 60 s") if status == "error" else None,
            "metadata": {"cpu_percent": rng.randint(3, 70), "memory_mb": rng.randint(180, 900),
                         "process_id": rng.randint(2000, 60000), "version": "1.4.2"},
        }
        with open(os.path.join(agents_dir, f"{name.lower()}.json"), "w") as f:
            json.dump(snap, f, indent=2)
            f.write("\n")

    albums = ["Heritage Roots", "Midnight Ledger", "Copper Skies", "Open Road Hymns",
              "Neon Harvest", "Salt and Static", "Paper Lanterns", "Quiet Engines"]
    genres = [("Americana", "laid-back shuffle"), ("Synthwave", "driving eighths"),
              ("Soul", "pocket groove"), ("Folk", "fingerpicked waltz"),
              ("Hip-Hop", "boom bap"), ("Indie Rock", "four on the floor"),
              ("Lo-Fi", "swung sixteenths"), ("Gospel", "call and response")]
    keys = ["C major", "G major", "D minor", "A minor", "E minor", "F major", "B♭ major", "E♭ major"]
    words = ["River", "Lantern", "Ledger", "Harvest", "Engine", "Static", "Copper", "Hymn",
             "Midnight", "Paper", "Salt", "Road", "Mercy", "Signal", "Ember", "Orchard"]
    songs, deliverables = [], []
    for n, album in enumerate(albums):
        genre, groove = genres[n]
        size = 9 if n < 6 else 8
        released_album = n < 3
        for i in range(size):
            song_id = f"suno-{n + 1:02d}{i + 1:02d}-{rng.getrandbits(24):06x}"
            title = f"{rng.choice(words)} {rng.choice(words)}".replace(" ", " of the ", rng.random() < 0.3)
            status = ("released" if released_album else
                      rng.choice(["mastered", "mastered", "reviewed"]) if n < 6 else
                      rng.choice(["generated", "reviewed"]))
            released = (DEMO_NOW - dt.timedelta(weeks=10 - 3 * n, days=rng.randint(0, 3))
                        if status == "released" else None)
            target = rng.choice([300, 500, 800, 1200])
            actual = round(target * rng.uniform(0.3, 1.6), 2) if released else None
            path = f"gs://rpm-songs/{album.lower().replace(' ', '-')}/{song_id}.mp3"
            songs.append({
                "song_id": song_id, "title": title, "genre": genre,
                "bpm": rng.randint(68, 132), "key": rng.choice(keys), "groove": groove,
                "duration_seconds": rng.randint(150, 280), "album": album, "status": status,
                "revenue_target": target, "revenue_actual": actual, "storage_path": path,
                "prompt": f"{genre.lower()}, {groove}, warm vocals, about {title.lower()}",
                "released_at": released.isoformat().replace("+00:00", "Z") if released else None,
            })
            if released:
                deliverables.append({
                    "type": "song", "title": title, "storage_path": path,
                    "status": "published", "revenue_target": target, "revenue_actual": actual,
                    "metadata": {"album": album, "genre": genre, "song_id": song_id},
                    "created_at": (released - dt.timedelta(days=2)).isoformat().replace("+00:00", "Z"),
                    "published_at": released.isoformat().replace("+00:00", "Z"),
                })
        if released_album:
            when = DEMO_NOW - dt.timedelta(weeks=10 - 3 * n)
            deliverables.append({
                "type": "album", "title": album,
                "storage_path": f"gs://rpm-albums/{album.lower().replace(' ', '-')}/",
                "status": "published", "revenue_target": 6000,
                "revenue_actual": round(rng.uniform(2500, 7000), 2),
                "metadata": {"songs": size, "album_number": n + 1},
                "created_at": (when - dt.timedelta(days=3)).isoformat().replace("+00:00", "Z"),
                "published_at": when.isoformat().replace("+00:00", "Z"),
            })
    kinds = {"ARCH": "code", "DEV": "code", "DOCS": "document", "PLAN": "document",
             "MARKETING": "video", "REVENUE": "document", "DELIVER": "document"}
    for w in weeks:
        for r in w.results:
            for a in r["actions"]:
                if a["status"] != "completed" or rng.random() > 0.22:
                    continue
                kind = kinds[r["category"]]
                ext = {"code": "diff", "document": "md", "video": "mp4"}[kind]
                when = dt.datetime.combine(a["completed"], dt.time(16, rng.randint(0, 59)),
                                           tzinfo=dt.timezone.utc)
                revenue = r["revenue"] and round(rng.uniform(0, r["revenue"] / 40), 2)
                status = "published" if rng.random() < 0.7 else rng.choice(["review", "approved"])
                deliverables.append({
                    "type": kind, "title": a["text"], "action": a["code"],
                    "storage_path": f"gs://rpm-deliverables/{week_label(w.monday)}/{a['code']}.{ext}",
                    "status": status, "revenue_target": (r["revenue"] // 40) or None,
                    "revenue_actual": revenue or None,
                    "created_at": when.isoformat().replace("+00:00", "Z"),
                    "published_at": when.isoformat().replace("+00:00", "Z") if status == "published" else None,
                })
    for name, data in [("songs.json", songs), ("deliverables.json", deliverables)]:
        with open(os.path.join(out, name), "w") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
            f.write("\n")
    return len(songs), len(deliverables)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weeks", type=int, default=12)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--catalog", action="store_true",
                   help="also write agents/, songs.json and deliverables.json")
    args = p.parse_args()
    rng = random.Random(args.seed)
    last_monday = DEMO_NOW.date() - dt.timedelta(days=DEMO_NOW.weekday())
    plans = os.path.join(args.out, "plans")
    os.makedirs(plans, exist_ok=True)
    counters, weeks = {}, []
    # Oldest first, so action numbers grow with time.
    for age in reversed(range(args.weeks)):
        weeks.append(Week(last_monday - dt.timedelta(weeks=age), age, rng, counters))
    for w in weeks:
        with open(os.path.join(plans, f"{week_label(w.monday)}.md"), "w") as f:
            f.write(write_week(w, style_of(w.age)))
    actions = sum(len(r["actions"]) for w in weeks for r in w.results)
    print(f"{len(weeks)} plans, {actions} actions in {plans}")
    if args.catalog:
        s, d = catalog(list(reversed(weeks)), args.out, rng)
        print(f"{s} songs, {d} deliverables, agents in {args.out}")


if __name__ == "__main__":
    main()
