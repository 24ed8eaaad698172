#!/usr/bin/python3
"""bench_console's two halves (tests/bench/bench_console.sh runs them).

  bench_console.py fill DB MAP        1,000,000 fills, 10,000 cases, the
                                      registry, into a county database that
                                      gascounty created; the county map
  bench_console.py measure URL IDENTITY PASSWORD SESSIONS CYLINDERS
                                      sign SESSIONS people in, then measure
                                      page latency: one session alone, then
                                      every session at once

Latency is from the request sent to the last byte read, over keep-alive
HTTPS connections, one per session.  Printed, never asserted.
"""
import random
import re
import sqlite3
import ssl
import sys
import threading
import time
import uuid
import http.client
import os

DAY_MS = 86400000
FILLS = int(os.environ.get("FILLS", 1000000))  # a smaller knob for a quick look
DAYS = 500  # about 2,000 fills a day: a county like Longyou
STATIONS = 40
TOWNSHIPS = ["T%02d" % i for i in range(1, 9)]
CYLINDERS = 50000
CASES = 10000


def fill(db_path, map_path):
    now = int(time.time() * 1000)
    rnd = random.Random(7)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA synchronous = OFF")
    stations = [("S%02d" % i, TOWNSHIPS[i % len(TOWNSHIPS)]) for i in range(1, STATIONS + 1)]
    db.executemany("INSERT INTO stations (id, township, created_ms, last_seen_ms, hwm, max_seq)"
                   " VALUES (?, ?, 0, ?, 0, 0)", [(s, t, now) for s, t in stations])
    # the secondary indexes are made again after the rows: a bulk load's
    # usual order, several times faster than keeping them up row by row
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS"
                         " NOT NULL AND tbl_name IN ('records', 'fills', 'violations')").fetchall()
    for name, _ in indexes:
        db.execute("DROP INDEX %s" % name)
    seqs = {s: 0 for s, _ in stations}
    records, fills, viols = [], [], []
    start = now - DAYS * DAY_MS

    def flush():
        db.executemany("INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)"
                       " VALUES (?, ?, ?, 'fill', ?, ?)", records)
        db.executemany("INSERT INTO fills (uuid, station, seq, line, cylinder, buyer,"
                       " buyer_masked, buyer_township, buyer_kind, operator, started_ms,"
                       " ended_ms, net_kg, result) VALUES (?, ?, ?, 1, ?, ?, ?, ?, 'household',"
                       " 'OP-1', ?, ?, 14.9, 'ok')", fills)
        db.executemany("INSERT INTO violations (uuid, event, station, rule, severity, township,"
                       " cylinder, at_ms) VALUES (?, ?, ?, ?, 'alert', ?, ?, ?)", viols)
        records.clear()
        fills.clear()
        viols.clear()

    for i in range(FILLS):
        s, town = stations[rnd.randrange(STATIONS)]
        seqs[s] += 1
        at = start + i * (DAYS * DAY_MS // FILLS) + rnd.randrange(60000)
        u = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        cyl = "LY-%06d" % rnd.randrange(CYLINDERS)
        buyer = "" if rnd.random() < 0.005 else "%064x" % rnd.randrange(1 << 40)
        records.append((s, seqs[s], u, at, at))
        fills.append((u, s, seqs[s], cyl, buyer, "330***********%04d" % rnd.randrange(10000),
                      town, at, at + 90000))
        if rnd.random() < 0.02:
            viols.append(("v-" + u, u, s, rnd.choice(["R05", "R09", "R11", "R20", "R21"]), town,
                          cyl, at))
        if len(records) == 50000:
            flush()
    flush()
    for _, sql in indexes:
        db.execute(sql)
    db.executemany("UPDATE stations SET hwm = ?, max_seq = ? WHERE id = ?",
                   [(n, n, s) for s, n in seqs.items()])
    states = ["new", "accepted", "onsite", "decided", "closed", "closed", "closed", "dismissed"]
    cases = []
    for i in range(CASES):
        opened = now - rnd.randrange(90 * DAY_MS)
        state = rnd.choice(states)
        done = opened + rnd.randrange(1, 15 * DAY_MS)
        cases.append((rnd.choice(TOWNSHIPS), rnd.choice(["alert", "critical"]),
                      rnd.choice(["R05", "R20", "C01", "C02"]), "LY-%06d" % rnd.randrange(CYLINDERS),
                      "case %d" % i, state, opened, opened,
                      opened + 3600000 if state != "new" else 0,
                      done if state in ("closed", "dismissed") else 0, opened))
    db.executemany("INSERT INTO cases (township, severity, kind, cylinder, title, state, opened_ms,"
                   " last_alert_ms, accepted_ms, closed_ms, updated_ms)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cases)
    db.executemany("INSERT INTO registry (serial, status, last_inspection, next_inspection, owner,"
                   " version, updated_ms) VALUES (?, 'active', ?, ?, ?, ?, 0)",
                   [("LY-%06d" % i, "2023-01-01", "%d-%02d-01" % (2025 + i % 4, 1 + i % 12),
                     "Gas Co %d" % (i % 5), i + 1) for i in range(CYLINDERS)])
    db.commit()
    db.execute("ANALYZE")
    db.close()
    with open(map_path, "w") as f:
        feats = []
        for i, t in enumerate(TOWNSHIPS):
            x, y = 119.0 + 0.1 * (i % 4), 29.0 + 0.1 * (i // 4)
            feats.append('{"type": "Feature", "properties": {"code": "%s", "name": "%s镇",'
                         ' "name_en": "Town %s"}, "geometry": {"type": "Polygon", "coordinates":'
                         ' [[[%.2f, %.2f], [%.2f, %.2f], [%.2f, %.2f], [%.2f, %.2f], [%.2f, %.2f]]]}}'
                         % (t, t, t, x, y, x + .1, y, x + .1, y + .1, x, y + .1, x, y))
        f.write('{"type": "FeatureCollection", "features": [%s]}\n' % ",\n".join(feats))
    print("county database: %d fills over %d days at %d stations, %d cases, %d cylinders"
          % (FILLS, DAYS, STATIONS, CASES, CYLINDERS))


class Session:
    def __init__(self, host, port):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.conn = http.client.HTTPSConnection(host, port, context=ctx, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None):
        headers = {"Cookie": "; ".join("%s=%s" % kv for kv in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the server closed it (an idle timeout): once more
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        took = time.perf_counter() - t0
        for h, v in resp.getheaders():
            if h.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";")[0]
        return resp.status, data, took

    def signin(self, identity, password):
        import urllib.parse
        _, form, _ = self.request("GET", "/signin")
        csrf = re.search(rb'name="csrf" value="([^"]*)"', form).group(1).decode()
        status, _, _ = self.request("POST", "/signin", urllib.parse.urlencode(
            {"identity": identity, "password": password, "csrf": csrf}))
        if status != 303 and os.environ.get("DEBUG"):
            print("sign-in answered %d" % status)
        return status == 303


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * p / 100))] * 1000 if v else float("nan")


def measure(url, identity, password, sessions, cylinders):
    m = re.match(r"https://([^:/]+):(\d+)", url)
    host, port = m.group(1), int(m.group(2))
    rnd = random.Random(11)
    people = [Session(host, port) for _ in range(sessions)]
    t0 = time.time()
    ok = [False] * sessions

    def sign(lo, hi):
        for i in range(lo, hi):
            ok[i] = people[i].signin(identity, password)

    workers = [threading.Thread(target=sign, args=(i * sessions // 4, (i + 1) * sessions // 4))
               for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print("signed in: %d of %d sessions in %.1f s (argon2id each)"
          % (sum(ok), sessions, time.time() - t0))
    if not all(ok):
        print("!! some sign-ins failed")
        return 1
    pages = [("static", lambda: "/static/app.css"), ("map", lambda: "/map"),
             ("trace", lambda: "/trace?kind=cylinder&key=LY-%06d" % rnd.randrange(cylinders)),
             ("figures", lambda: "/figures"), ("cases", lambda: "/cases")]
    status, _, _ = people[0].request("GET", "/cases")
    if status != 200:
        print("cases: /cases is not served by this gasweb (HTTP %d): not measured" % status)
        pages = [p for p in pages if p[0] != "cases"]

    # 1. one session alone: what a page costs the server
    alone = {}
    for name, path in pages:
        times = []
        for _ in range(20):
            status, _, took = people[0].request("GET", path())
            if status != 200:
                print("!! %s answered %d" % (name, status))
                return 1
            times.append(took)
        alone[name] = times
    # 2. every session at once, each going round the pages
    rounds = 3
    lock = threading.Lock()
    loaded = {name: [] for name, _ in pages}
    errors = []

    def visit(s):
        mine = {name: [] for name, _ in pages}
        order = list(pages)
        random.Random(s).shuffle(order)
        for _ in range(rounds):
            for name, path in order:
                status, _, took = people[s].request("GET", path())
                if status != 200:
                    errors.append("%s %d" % (name, status))
                    if os.environ.get("DEBUG"):
                        print("session %d: %s %d %r" % (s, name, status, people[s].cookies))
                mine[name].append(took)
        with lock:
            for k, v in mine.items():
                loaded[k].extend(v)

    t0 = time.time()
    workers = [threading.Thread(target=visit, args=(s,)) for s in range(sessions)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.time() - t0
    total = sum(len(v) for v in loaded.values())
    print("%-8s %12s %12s %14s %14s %10s" % ("page", "alone p50", "alone p99",
                                            "%d-at-once p50" % sessions,
                                            "%d-at-once p99" % sessions, "p99/static"))
    ref = pct(loaded["static"], 99)
    for name, _ in pages:
        print("%-8s %10.1f ms %10.1f ms %11.1f ms %11.1f ms %9.1fx"
              % (name, pct(alone[name], 50), pct(alone[name], 99), pct(loaded[name], 50),
                 pct(loaded[name], 99), pct(loaded[name], 99) / ref if ref > 0 else 0))
    print("%d requests from %d sessions in %.1f s: %.0f requests/s; %d errors%s"
          % (total, sessions, wall, total / wall, len(errors),
             (" (" + ", ".join(sorted(set(errors))[:5]) + ")") if errors else ""))
    print("aim: p99 under 50 ms for the case list and the map (not asserted); the static"
          " file's p99 under the same load is the reference the last column divides by:"
          " the client's and TLS's share")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "fill":
        fill(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) == 7 and sys.argv[1] == "measure":
        sys.exit(measure(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
                         int(sys.argv[6])))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
