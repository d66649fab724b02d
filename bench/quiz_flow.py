"""The entrant's whole quiz flow under load, on gunicorn + PostgreSQL + Redis, beside bare Flask.

    .venv/bin/python bench/quiz_flow.py                      # 16 and 64 entrants, 20 s each
    .venv/bin/python bench/quiz_flow.py --levels 16 --duration 10

Builds the database named by BENCH_FLOW_DATABASE_URL (default ``contest_flow_bench`` on
127.0.0.1, created if missing, schema rebuilt by the migrations), a question bank, an open round
and entrants; starts the application under gunicorn with the project's ``gunicorn.conf.py``
(rate limits in Redis) and ``bench/bare_flask.py`` under the same settings; logs every entrant in
through the login form, then drives, per concurrency level, real flows with cookies and CSRF
tokens: round page -> start -> attempt page -> 3 JSON saves -> submit -> result page. Prints
flows/s, requests/s, p50/p95/p99 per step, SQL statements per step (from the X-SQL-Statements
header that SQL_COUNT_HEADER=1 turns on), the bytes of the attempt page as sent, worker memory,
and the ratio to bare Flask; then checks that every acknowledged submission is stored once and
scored as a recomputation scores it. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import math
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import brotli
import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/contest_flow_bench"
PASSWORD = "bench flow password"
STEPS = ("round page", "start", "attempt page", "json save", "submit", "result page")
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SHOWN = re.compile(r'name="shown" value="(\d+)"')
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def plain_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = plain_url(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# --- data ---------------------------------------------------------------------------------


def build(url: str, users: int) -> int:
    """A fresh schema, a 40-question bank, one open round of 10 questions, ``users`` entrants.
    Returns the round id."""
    os.environ.setdefault("SECRET_KEY", "bench-flow")
    from flask_migrate import upgrade

    from contest import create_app
    from contest.accounts import service
    from contest.extensions import db
    from contest.quiz import rounds
    from contest.quiz.models import Option, Question, Topic
    from contest.timeutil import utcnow

    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        topic = Topic(name="Bình đẳng giới trong chính trị")
        db.session.add(topic)
        db.session.flush()
        for i in range(40):
            multiple = i % 5 == 0
            weights = [0.5, 0.5, -1.0, 0.0] if multiple else [1.0, 0.0, 0.0, 0.0]
            q = Question(topic_id=topic.id, kind="multiple" if multiple else "single",
                         text=f"Câu hỏi {i + 1}: theo Luật Bình đẳng giới 2006, điều nào đúng "
                              "về tỷ lệ nữ đại biểu Hội đồng nhân dân?",
                         explanation="Điều 11.", source="Luật Bình đẳng giới 2006")
            q.options = [Option(position=k, text=f"Phương án {k + 1} của câu {i + 1}",
                                fraction=w) for k, w in enumerate(weights)]
            db.session.add(q)
        db.session.flush()
        now = utcnow()
        rnd = rounds.create_round(rounds.RoundRules(
            title="Tuần thi đo tải", opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=2), quotas={topic.id: 10},
            time_limit_seconds=20 * 60, attempts_allowed=rounds.MAX_ATTEMPTS))
        rounds.open_round(rnd, now)
        for n in range(users):
            service.register(service.Registration(
                full_name=f"Nguyễn Thị Bench {n}", phone=f"+8497{n:07d}", password=PASSWORD,
                birth_date=date(1990, 1, 1), consent_version="bench"), "pbkdf2:sha256:1000")
        db.session.commit()
        round_id = rnd.id
        db.engine.dispose()
    return round_id


# --- servers ------------------------------------------------------------------------------


def start_server(target: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    except httpx.HTTPError:
        pass
    else:
        raise SystemExit(f"port {port} is already served: stop that server or pass --port")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(
        [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), target],
        cwd=ROOT, env={**os.environ, **env, "BIND": f"127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code < 500:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"{target} did not start on port {port}")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of each gunicorn worker (children of ``master``) in MB."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master):
            out.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(out)


# --- load ---------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.sql: dict[str, list[int]] = defaultdict(list)
        self.checkouts: dict[str, list[int]] = defaultdict(list)
        self.requests = 0
        self.flows = 0
        self.errors: dict[str, int] = defaultdict(int)
        self.acknowledged: list[int] = []

    def add(self, step: str, started: float, response: httpx.Response) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.requests += 1
            self.latency[step].append(elapsed)
            if "X-SQL-Statements" in response.headers:
                self.sql[step].append(int(response.headers["X-SQL-Statements"]))
                self.checkouts[step].append(int(response.headers["X-DB-Checkouts"]))


class Failed(Exception):
    pass


def login(client: httpx.Client, phone: str) -> None:
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)
    r = client.post("/login", data={"identifier": phone, "password": PASSWORD,
                                    "csrf_token": token})
    if r.status_code != 302:
        raise Failed(f"login {r.status_code}")


def expect(response: httpx.Response, status: int, step: str) -> httpx.Response:
    if response.status_code != status:
        raise Failed(f"{step}: HTTP {response.status_code}")
    return response


def flow(client: httpx.Client, round_id: int, stats: Stats, rng: random.Random,
         think: float = 0.0) -> None:
    """One attempt from the round page to the result page; ``think`` seconds (on average,
    exponentially distributed) pass before each step, as a reader pauses, so that entrants
    also arrive at random moments rather than all at once."""

    def pause() -> None:
        if think > 0:
            time.sleep(rng.expovariate(1 / think))

    pause()
    t = time.perf_counter()
    page = expect(client.get(f"/quiz/rounds/{round_id}"), 200, "round page")
    stats.add("round page", t, page)
    token = CSRF.search(page.text).group(1)
    pause()
    t = time.perf_counter()
    r = expect(client.post(f"/quiz/rounds/{round_id}/start", data={"csrf_token": token}),
               302, "start")
    stats.add("start", t, r)
    location = r.headers["location"]
    match = re.search(r"/quiz/attempts/(\d+)$", location)
    if not match:
        raise Failed(f"start: went to {location}")
    attempt_id = int(match.group(1))
    pause()
    t = time.perf_counter()
    page = expect(client.get(f"/quiz/attempts/{attempt_id}"), 200, "attempt page")
    stats.add("attempt page", t, page)
    token = CSRF.search(page.text).group(1)
    questions = [int(q) for q in SHOWN.findall(page.text)]
    answers = {q: [rng.randrange(4)] for q in questions}
    for q in rng.sample(questions, 3):
        pause()
        t = time.perf_counter()
        r = expect(client.post(f"/quiz/attempts/{attempt_id}/answers",
                               json={"question": q, "choices": answers[q]},
                               headers={"X-CSRFToken": token, "Accept": "application/json"}),
                   200, "json save")
        stats.add("json save", t, r)
    body: dict[str, str | list[str]] = {"csrf_token": token,
                                        "prediction": str(rng.randint(0, 500)),
                                        "shown": [str(q) for q in answers]}
    for q, positions in answers.items():
        body[f"q{q}"] = [str(p) for p in positions]
    pause()
    t = time.perf_counter()
    r = expect(client.post(f"/quiz/attempts/{attempt_id}/submit", data=body), 302, "submit")
    stats.add("submit", t, r)
    if not r.headers["location"].endswith(f"/quiz/attempts/{attempt_id}/result"):
        raise Failed(f"submit: went to {r.headers['location']}")
    with stats.lock:
        stats.acknowledged.append(attempt_id)
    pause()
    t = time.perf_counter()
    r = expect(client.get(f"/quiz/attempts/{attempt_id}/result"), 200, "result page")
    stats.add("result page", t, r)
    with stats.lock:
        stats.flows += 1


def run_level(base: str, round_id: int, phones: list[str], threads: int,
              duration: float, think: float = 0.0) -> tuple[Stats, float]:
    """``threads`` entrants, each cycling over its own accounts, for ``duration`` seconds."""
    stats = Stats()
    per = len(phones) // threads
    clients: list[list[httpx.Client]] = []
    for i in range(threads):
        mine = []
        for phone in phones[i * per:(i + 1) * per]:
            c = httpx.Client(base_url=base, timeout=30, headers={"Accept-Encoding": "identity"})
            login(c, phone)
            mine.append(c)
        clients.append(mine)
    start = threading.Barrier(threads + 1)
    stop_at = [0.0]

    def entrant(i: int) -> None:
        rng = random.Random(i)
        start.wait()
        n = 0
        while time.perf_counter() < stop_at[0]:
            try:
                flow(clients[i][n % per], round_id, stats, rng, think)
            except (Failed, httpx.HTTPError, AttributeError, TypeError) as exc:
                with stats.lock:
                    stats.errors[str(exc)[:80]] += 1
            n += 1

    workers = [threading.Thread(target=entrant, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    stop_at[0] = time.perf_counter() + duration
    began = time.perf_counter()
    start.wait()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    for mine in clients:
        for c in mine:
            c.close()
    return stats, elapsed


def run_bare(base: str, threads: int, duration: float) -> tuple[float, float]:
    """Requests per second and p99 latency (ms) of bare Flask at ``threads`` concurrent
    clients: what the machine, the server and this client allow with no application work."""
    count, errors = [0], [0]
    samples: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def hammer() -> None:
        mine: list[float] = []
        with httpx.Client(base_url=base, timeout=30,
                          headers={"Accept-Encoding": "identity"}) as c:
            n = 0
            while time.perf_counter() < stop_at:
                t = time.perf_counter()
                try:
                    if c.get("/").status_code == 200:
                        n += 1
                        mine.append((time.perf_counter() - t) * 1000)
                except httpx.HTTPError:
                    errors[0] += 1
        with lock:
            count[0] += n
            samples.extend(mine)

    began = time.perf_counter()
    workers = [threading.Thread(target=hammer) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors[0]:
        print(f"  bare Flask: {errors[0]} failed requests at {threads} clients")
    return count[0] / (time.perf_counter() - began), percentile(samples, 99)


def run_public(base: str, round_id: int, threads: int, duration: float) -> dict[str, tuple]:
    """Anonymous readers of the leaderboard page and API: requests/s, p99 ms, cookies set."""
    paths = {"leaderboard page": f"/rounds/{round_id}/leaderboard",
             "leaderboard API": f"/api/rounds/{round_id}/leaderboard"}
    out = {}
    lock = threading.Lock()
    for name, path in paths.items():
        samples: list[float] = []
        cookies = [0]
        stop_at = time.perf_counter() + duration

        def read(path: str = path, samples: list[float] = samples,
                 cookies: list[int] = cookies, stop_at: float = stop_at) -> None:
            with httpx.Client(base_url=base, timeout=30,
                              headers={"Accept-Encoding": "gzip, br"}) as c:
                mine, set_cookie = [], 0
                while time.perf_counter() < stop_at:
                    t = time.perf_counter()
                    try:
                        r = c.get(path)
                    except httpx.HTTPError:
                        continue
                    mine.append((time.perf_counter() - t) * 1000)
                    set_cookie += "set-cookie" in r.headers
                    c.cookies.clear()
            with lock:
                samples.extend(mine)
                cookies[0] += set_cookie

        began = time.perf_counter()
        workers = [threading.Thread(target=read) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        out[name] = (len(samples) / (time.perf_counter() - began), percentile(samples, 99),
                     cookies[0])
    return out


def page_weight(base: str, round_id: int, phone: str) -> dict[str, int]:
    """Bytes on the wire for the attempt page (HTML + CSS + JS), first and repeat visit, as a
    phone's browser asks for them (gzip, deflate, br), honouring Cache-Control: immutable."""
    with httpx.Client(base_url=base, timeout=30,
                      headers={"Accept-Encoding": "gzip, deflate, br"}) as c:
        login(c, phone)
        page = c.get(f"/quiz/rounds/{round_id}")
        token = CSRF.search(page.text).group(1)
        r = c.post(f"/quiz/rounds/{round_id}/start", data={"csrf_token": token})
        path = r.headers["location"]

        def wire(url: str) -> tuple[bytes, str, httpx.Headers]:
            """The body as sent, its decoded text and the headers."""
            with c.stream("GET", url) as s:
                raw = b"".join(s.iter_raw())
            encoding = s.headers.get("content-encoding", "")
            body = gzip.decompress(raw) if encoding == "gzip" else \
                brotli.decompress(raw) if encoding == "br" else raw
            return raw, body.decode("utf-8", "replace"), s.headers

        def visit(cached: set[str]) -> tuple[int, set[str]]:
            raw, html, _ = wire(path)
            total = len(raw)
            fetched = set()
            for asset in ASSET.findall(html):
                if asset in cached:
                    continue
                raw, _, headers = wire(asset)
                total += len(raw)
                if "immutable" in headers.get("cache-control", ""):
                    fetched.add(asset)
            return total, fetched

        first, cached = visit(set())
        repeat, _ = visit(cached)
    return {"first": first, "repeat": repeat}


# --- integrity ----------------------------------------------------------------------------


def check_integrity(url: str, round_id: int, acknowledged: list[int]) -> list[str]:
    """Every acknowledged submission stored once and scored as a recomputation scores it; each
    entrant's result follows the best of their submitted attempts."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from contest import create_app
    from contest.extensions import db
    from contest.quiz import ranking
    from contest.quiz.models import Attempt, AttemptStatus, Question, Result, Round
    from contest.quiz.scoring import ItemKey, score_attempt

    faults: list[str] = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
    with app.app_context():
        rnd = db.session.get(Round, round_id)
        keys = {q.id: ItemKey(q.id, q.kind, {o.id: o.fraction for o in q.options})
                for q in db.session.execute(
                    select(Question).options(selectinload(Question.options))).scalars()}
        attempts = db.session.execute(
            select(Attempt).where(Attempt.round_id == round_id)).scalars().all()
        by_id = {a.id: a for a in attempts}
        if len(set(acknowledged)) != len(acknowledged):
            faults.append("an attempt was acknowledged twice")
        submitted = [a for a in attempts if a.status == AttemptStatus.SUBMITTED]
        for attempt_id in acknowledged:
            a = by_id.get(attempt_id)
            if a is None or a.status != AttemptStatus.SUBMITTED:
                faults.append(f"acknowledged attempt {attempt_id} is not stored as submitted")
        numbers: dict[int, list[int]] = defaultdict(list)
        for a in attempts:
            numbers[a.user_id].append(a.number)
        for user_id, ns in numbers.items():
            if sorted(ns) != list(range(1, len(ns) + 1)):
                faults.append(f"entrant {user_id}: attempt numbers {sorted(ns)}")
        for a in submitted:
            answers = {int(k): v for k, v in (a.answers or {}).items()}
            again = score_attempt([keys[qid] for qid, _ in a.draw], answers, rnd.multi_scoring)
            if abs(again.score - a.score) > 1e-6 or a.correct_count != again.correct_count:
                faults.append(f"attempt {a.id}: stored {a.score}, recomputed {again.score}")
        results = {r.user_id: r for r in db.session.execute(
            select(Result).where(Result.round_id == round_id)).scalars()}
        mine: dict[int, list[Attempt]] = defaultdict(list)
        for a in submitted:
            mine[a.user_id].append(a)
        for user_id, own in mine.items():
            r = results.get(user_id)
            if r is None:
                faults.append(f"entrant {user_id}: no result")
                continue
            if r.attempts_count != len(own):
                faults.append(f"entrant {user_id}: {r.attempts_count} counted, {len(own)} stored")
            best = own[0]
            for a in own[1:]:
                if ranking.better(
                        ranking.AttemptResult(a.id, a.user_id, a.score, a.max_score, a.time_ms,
                                              a.submitted_at),
                        ranking.AttemptResult(best.id, best.user_id, best.score, best.max_score,
                                              best.time_ms, best.submitted_at)):
                    best = a
            if abs(r.score - best.score) > 1e-6 or r.time_ms != best.time_ms:
                faults.append(f"entrant {user_id}: result {r.score}/{r.time_ms} ms, best "
                              f"attempt {best.score}/{best.time_ms} ms")
        print(f"integrity: {len(acknowledged):,} acknowledged submits, {len(submitted):,} "
              f"submitted attempts, {len(results):,} results checked")
        db.engine.dispose()
    return faults


# --- report -------------------------------------------------------------------------------


def report(level: int, stats: Stats, elapsed: float, bare: tuple[float, float],
           think: float = 0.0) -> None:
    think_note = f", {think:g} s mean pause between steps" if think else ""
    rps = stats.requests / elapsed
    bare_rps, bare_p99 = bare
    print(f"\n== {level} concurrent entrants, {elapsed:.1f} s{think_note} ==")
    # With pauses the entrants, not the server, set the rate: no ratio to compare.
    ratio = f"{100 * rps / max(bare_rps, 1e-9):5.1f} %" if not think else "- (paced)"
    print(f"flows/s {stats.flows / elapsed:8.1f}   requests/s {rps:8.1f}   bare Flask "
          f"requests/s {bare_rps:8.1f} (p99 {bare_p99:.1f} ms)   ratio {ratio}")
    print(f"{'step':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'SQL':>6}"
          f"{'SQL max':>9}{'pool':>6}")
    for step in STEPS:
        lat = stats.latency.get(step, [])
        sql = stats.sql.get(step, [])
        pool = stats.checkouts.get(step, [])
        print(f"{step:<14}{len(lat):>7}{percentile(lat, 50):>9.1f}{percentile(lat, 95):>9.1f}"
              f"{percentile(lat, 99):>9.1f}"
              f"{statistics.median(sql) if sql else float('nan'):>6.0f}"
              f"{max(sql) if sql else 0:>9}"
              f"{statistics.median(pool) if pool else float('nan'):>6.0f}")
    if stats.errors:
        for message, n in sorted(stats.errors.items(), key=lambda kv: -kv[1]):
            print(f"  error x{n}: {message}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="16,64", help="concurrent entrants, comma-separated")
    parser.add_argument("--duration", type=float, default=20, help="seconds per level")
    parser.add_argument("--accounts", type=int, default=3, help="accounts per entrant thread")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in seconds before each step "
                             "(0: each entrant sends its next request at once)")
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL",
                                                          "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    # A SIGTERM (e.g. from `timeout`) still stops the servers in the finally block below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    logging.getLogger("httpx").setLevel(logging.WARNING)

    url = os.environ.get("BENCH_FLOW_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    total_accounts = sum(levels) * args.accounts + 1
    print(f"building the round and {total_accounts} entrants in {url.rsplit('@')[-1]}")
    round_id = build(url, total_accounts)
    phones = [f"+8497{n:07d}" for n in range(total_accounts)]

    env = {"DATABASE_URL": url, "SECRET_KEY": "bench-flow-" + "x" * 32,
           "RATELIMIT_STORAGE_URI": args.redis, "RATELIMIT_LOGIN": "100000 per minute",
           "SQL_COUNT_HEADER": "1", "FLASK_DEBUG": "0"}
    app_port, bare_port = args.port, args.port + 1
    app = start_server("wsgi:app", app_port, env)
    try:
        bare = start_server("bench.bare_flask:app", bare_port, {})
    except SystemExit:
        stop_server(app)
        raise
    try:
        rss = worker_rss_mb(app.pid)
        print(f"app workers at start: {len(rss)}, RSS {', '.join(f'{m:.0f}' for m in rss)} MB")
        acknowledged: list[int] = []
        used = 1  # the first account measures the page weight
        weight = page_weight(f"http://127.0.0.1:{app_port}", round_id, phones[0])
        for level in levels:
            accounts = phones[used:used + level * args.accounts]
            used += level * args.accounts
            bare_figures = run_bare(f"http://127.0.0.1:{bare_port}", level, args.duration / 2)
            stats, elapsed = run_level(f"http://127.0.0.1:{app_port}", round_id, accounts,
                                       level, args.duration, args.think)
            report(level, stats, elapsed, bare_figures, args.think)
            acknowledged.extend(stats.acknowledged)
        bare_rps, bare_p99 = run_bare(f"http://127.0.0.1:{bare_port}", 32, args.duration / 2)
        public = run_public(f"http://127.0.0.1:{app_port}", round_id, 32, args.duration / 2)
        print(f"\n== anonymous readers, 32 connections (bare Flask {bare_rps:.1f} req/s, "
              f"p99 {bare_p99:.1f} ms) ==")
        for name, (rps, p99, cookies) in public.items():
            print(f"{name:<18} requests/s {rps:8.1f}  ratio {100 * rps / max(bare_rps, 1e-9):5.1f}"
                  f" %  p99 {p99:7.1f} ms  cookies set {cookies}")
        rss = worker_rss_mb(app.pid)
        print(f"\napp workers after the load: RSS {', '.join(f'{m:.0f}' for m in rss)} MB")
        print(f"attempt page as sent (HTML + CSS + JS, gzip/br accepted): first visit "
              f"{weight['first'] / 1024:.1f} KB, repeat visit {weight['repeat'] / 1024:.1f} KB")
    finally:
        stop_server(app)
        stop_server(bare)
    faults = check_integrity(url, round_id, acknowledged)
    for fault in faults[:20]:
        print("  FAULT", fault)
    print("integrity ok" if not faults else f"{len(faults)} INTEGRITY FAULTS")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
