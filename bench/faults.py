"""The quiz flow under load while things break: two gunicorn servers behind nginx, then a worker
killed with SIGKILL, PostgreSQL restarted and Redis stopped for 10 s.

    .venv/bin/python bench/faults.py                    # private PostgreSQL cluster and Redis
    .venv/bin/python bench/faults.py --shared           # the machine's own (disturbs others)

Reuses the entrant flow of ``bench/quiz_flow.py`` (log in, round page, start, attempt page,
JSON saves, submit, result page) with a few entrants through nginx (``deploy/nginx``'s timeouts,
retry rule and 50x page) in front of two app servers on this machine. While the load runs:

1. at 4 s one gunicorn worker of the first server is killed with SIGKILL (the master starts
   another; requests in its hands are cut);
2. at 10 s PostgreSQL is restarted (``pg_ctlcluster --skip-systemctl-redirect VER NAME
   restart``); the app answers 503 with its own page while it is down, and the first use of
   each pooled connection afterwards fails once more (no pre-ping) before the pool renews it;
3. at 20 s Redis is stopped for 10 s, during which log-in attempts are sent as well, to see how
   the rate limiter behaves without its storage.

Afterwards it prints: acknowledged submits stored exactly once and scored as a recomputation
scores them, attempts lost (acknowledged but not stored; must be 0), the responses while
PostgreSQL restarted by status (503 pages of the app, 502 pages of nginx), and the log-in answers
while Redis was down. PostgreSQL and Redis are always started again in a ``finally`` block.

By default a private PostgreSQL cluster (``pg_createcluster``, port 5499, dropped afterwards) and
a private ``redis-server`` (port 6399) are used, so that nobody else on the machine sees the
restarts; ``--shared`` uses the ``main`` cluster on 5432 and the Redis on 6379 instead. Needs
root (pg_ctlcluster, nginx), nginx and the dev extras (httpx). Keep it short on a shared
machine: the defaults run about 45 s of load with 8 entrants (4 accounts each).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import quiz_flow  # noqa: E402

NGINX_CONF = """
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream contest_app {{
        server 127.0.0.1:{a} max_fails=3 fail_timeout=10s;
        server 127.0.0.1:{b} max_fails=3 fail_timeout=10s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        gzip off;
        client_max_body_size 70m;
        proxy_connect_timeout 5s;
        proxy_send_timeout 35s;
        proxy_read_timeout 35s;
        proxy_next_upstream error timeout http_502;
        proxy_next_upstream_tries 2;
        error_page 502 503 504 /50x.html;
        location = /50x.html {{ root {pages}; internal; }}
        location / {{
            proxy_pass http://contest_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""


class Recorder:
    """Every response seen by the entrants: when, which status, whose page."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[float, int, str]] = []

    def hook(self, response: httpx.Response) -> None:
        response.read()
        text = response.text if response.status_code >= 500 else ""
        origin = ("app" if 'class="error-code">503' in text
                  else "nginx" if "Hệ thống đang bận, xin thử lại" in text else "")
        with self.lock:
            self.seen.append((time.monotonic(), response.status_code, origin))

    def between(self, start: float, end: float) -> Counter:
        with self.lock:
            return Counter((s, o) for t, s, o in self.seen if start <= t <= end)


# --- services --------------------------------------------------------------------------------


class Postgres:
    def __init__(self, version: str, cluster: str, port: int, private: bool) -> None:
        self.version, self.cluster, self.port, self.private = version, cluster, port, private

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/contest_faults_bench"

    def ctl(self, action: str) -> None:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version,
                        self.cluster, action], check=True, capture_output=True)

    def running(self) -> bool:
        done = subprocess.run(["pg_ctlcluster", self.version, self.cluster, "status"],
                              capture_output=True)
        return done.returncode == 0

    def setup(self) -> None:
        if self.private:
            subprocess.run(["pg_createcluster", "-p", str(self.port), self.version, self.cluster,
                            "--", "--auth=trust"], check=True, capture_output=True)
            self.ctl("start")

    def ensure_up(self) -> None:
        if not self.running():
            self.ctl("start")

    def teardown(self) -> None:
        if self.private:
            subprocess.run(["pg_dropcluster", "--stop", self.version, self.cluster],
                           capture_output=True)


class Redis:
    def __init__(self, port: int, private: bool) -> None:
        self.port, self.private = port, private
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/15"

    def ping(self) -> bool:
        done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True)
        return done.stdout.strip() == "PONG"

    def start(self) -> None:
        if self.private:
            self.proc = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif Path("/etc/redis/redis.conf").exists():
            subprocess.run(["redis-server", "/etc/redis/redis.conf"], check=True)
        else:
            subprocess.run(["redis-server", "--port", str(self.port), "--daemonize", "yes"],
                           check=True)
        deadline = time.monotonic() + 10
        while not self.ping() and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        if self.private and self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
        else:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
                           capture_output=True)

    def ensure_up(self) -> None:
        if not self.ping():
            self.start()


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The app under gunicorn as ``bench/quiz_flow.py`` starts it, its log kept in ``log``."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT, env={**os.environ, **env, "BIND": f"127.0.0.1:{port}"},
            stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    quiz_flow.stop_server(proc)
    raise SystemExit(f"the app did not start on port {port}; see {log}")


def logged_errors(logs: list[Path]) -> Counter:
    """The last line of each traceback in the servers' logs (what made the 500s)."""
    found: Counter = Counter()
    for log in logs:
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                j = i + 1
                while j < len(lines) and (lines[j].startswith((" ", "The above", "During"))
                                          or not lines[j].strip() or lines[j] == "Traceback "
                                          "(most recent call last):"):
                    j += 1
                if j < len(lines):
                    found[lines[j][:110]] += 1
    return found


def gunicorn_workers(master: int) -> list[int]:
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            pids.append(int(status.parent.name))
    return sorted(pids)


# --- the run ---------------------------------------------------------------------------------


def load(base: str, round_id: int, phones: list[list[str]], recorder: Recorder,
         stop: threading.Event, stats: quiz_flow.Stats) -> list[threading.Thread]:
    """One thread per entrant, each running flows until ``stop`` with its accounts in turn
    (one account alone would use up the round's attempts)."""
    threads = []
    for i, mine in enumerate(phones):
        clients = []
        for phone in mine:
            client = httpx.Client(base_url=base, timeout=40,
                                  headers={"Accept-Encoding": "identity"},
                                  event_hooks={"response": [recorder.hook]})
            quiz_flow.login(client, phone)
            clients.append(client)

        def run(clients: list[httpx.Client] = clients, seed: int = i) -> None:
            rng = random.Random(seed)
            n = 0
            while not stop.is_set():
                try:
                    quiz_flow.flow(clients[n % len(clients)], round_id, stats, rng)
                except (quiz_flow.Failed, httpx.HTTPError, AttributeError, TypeError) as exc:
                    with stats.lock:
                        stats.errors[str(exc)[:60]] += 1
                    stop.wait(0.2)  # a failing site is not hammered
                n += 1
            for client in clients:
                client.close()

        threads.append(threading.Thread(target=run, name=f"entrant-{i}"))
    return threads


def probe_logins(base: str, phone: str, count: int) -> Counter:
    """``count`` wrong-password log-ins (a rate-limited route) and their statuses."""
    answers: Counter = Counter()
    with httpx.Client(base_url=base, timeout=20) as client:
        for _ in range(count):
            try:
                page = client.get("/login")
                match = quiz_flow.CSRF.search(page.text)
                data = {"identifier": phone, "password": "wrong password",
                        "csrf_token": match.group(1) if match else ""}
                answers[client.post("/login", data=data).status_code] += 1
            except httpx.HTTPError as exc:
                answers[type(exc).__name__] += 1
    return answers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entrants", type=int, default=8)
    parser.add_argument("--accounts", type=int, default=4, help="accounts per entrant")
    parser.add_argument("--duration", type=float, default=45, help="seconds of load")
    parser.add_argument("--port", type=int, default=8720, help="first of three ports")
    parser.add_argument("--shared", action="store_true",
                        help="restart the machine's main PostgreSQL and Redis, not private ones")
    parser.add_argument("--pg-version", default="15")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the servers' logs (their folder is printed)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if shutil.which("nginx") is None:
        raise SystemExit("nginx is not installed (apt-get install nginx-light)")

    pg = Postgres(args.pg_version, "main" if args.shared else "faults",
                  5432 if args.shared else 5499, private=not args.shared)
    redis = Redis(6379 if args.shared else 6399, private=not args.shared)
    tmp = Path(tempfile.mkdtemp(prefix="contest-faults-"))
    servers: list[subprocess.Popen] = []
    nginx: subprocess.Popen | None = None
    stop = threading.Event()
    entrants: list[threading.Thread] = []
    stats = quiz_flow.Stats()
    recorder = Recorder()
    marks: dict[str, float] = {}
    login_probe: Counter = Counter()
    errors: Counter = Counter()
    round_id = 0
    try:
        pg.setup()
        if not redis.ping():
            redis.start()
        quiz_flow.ensure_database(pg.url)
        accounts = args.entrants * args.accounts + 1
        print(f"building a round and {accounts} entrants in {pg.url.rsplit('@')[-1]}")
        round_id = quiz_flow.build(pg.url, accounts)
        phones = [f"+8497{n:07d}" for n in range(accounts)]
        env = {"DATABASE_URL": pg.url, "SECRET_KEY": "bench-faults-" + "x" * 32,
               "RATELIMIT_STORAGE_URI": redis.url, "RATELIMIT_LOGIN": "100000 per minute",
               "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "4", "FLASK_DEBUG": "0",
               "OUTBOX_DELIVERY": "worker"}
        a, b, front = args.port, args.port + 1, args.port + 2
        servers = [start_server(a, env, tmp / "server-a.log"),
                   start_server(b, env, tmp / "server-b.log")]
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(
            tmp=tmp, a=a, b=b, port=front, pages=ROOT / "deploy" / "nginx"))
        nginx = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{front}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        per = args.accounts
        entrants = load(base, round_id,
                        [phones[1 + i * per:1 + (i + 1) * per] for i in range(args.entrants)],
                        recorder, stop, stats)
        began = time.monotonic()
        for t in entrants:
            t.start()

        def at(second: float) -> None:
            stop.wait(max(0.0, began + second - time.monotonic()))

        at(4)
        victim = gunicorn_workers(servers[0].pid)[0]
        os.kill(victim, signal.SIGKILL)
        marks["kill"] = time.monotonic()
        print(f"{marks['kill'] - began:5.1f} s  SIGKILL to gunicorn worker {victim}")
        at(10)
        marks["pg_down"] = time.monotonic()
        pg.ctl("restart")
        marks["pg_up"] = time.monotonic()
        print(f"{marks['pg_down'] - began:5.1f} s  PostgreSQL restarted in "
              f"{marks['pg_up'] - marks['pg_down']:.1f} s")
        at(20)
        redis.stop()
        marks["redis_down"] = time.monotonic()
        print(f"{marks['redis_down'] - began:5.1f} s  Redis stopped")
        login_probe = probe_logins(base, phones[0], 5)
        at(30)
        redis.start()
        marks["redis_up"] = time.monotonic()
        print(f"{marks['redis_up'] - began:5.1f} s  Redis started again")
        at(args.duration)
    finally:
        stop.set()
        for t in entrants:
            t.join(timeout=60)
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for proc in servers:
            quiz_flow.stop_server(proc)
        # Never leave a service stopped, whatever happened above.
        pg.ensure_up()
        redis.ensure_up()
        errors = logged_errors([tmp / "server-a.log", tmp / "server-b.log"])
        if args.keep_logs:
            print(f"server logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    try:
        faults = quiz_flow.check_integrity(pg.url, round_id, stats.acknowledged)
    finally:
        if not args.shared:
            redis.stop()
            pg.teardown()
    lost = [f for f in faults if "is not stored as submitted" in f]
    statuses = Counter(s for _, s, _ in recorder.seen)
    print(f"\nresponses: {len(recorder.seen):,} "
          f"({', '.join(f'{s}: {n}' for s, n in sorted(statuses.items()))}); "
          f"flows completed {stats.flows}")
    print(f"acknowledged submits: {len(stats.acknowledged)}; stored exactly once and scored "
          f"right: {len(stats.acknowledged) - len(set(lost))}; integrity faults: {len(faults)}")
    print(f"attempts lost (acknowledged, not stored): {len(lost)}")
    window = recorder.between(marks.get("pg_down", 0), marks.get("pg_up", 0) + 3)
    print("responses while PostgreSQL restarted (and 3 s after): " + (", ".join(
        f"{s}{' ' + o + ' page' if o else ''}: {n}" for (s, o), n in sorted(window.items()))
        or "none"))
    friendly = sum(n for (s, o), n in window.items() if s == 503 and o == "app")
    print(f"  of which the app's own 503 page: {friendly}")
    after_kill = recorder.between(marks.get("kill", 0), marks.get("kill", 0) + 2)
    print("responses in the 2 s after the SIGKILL: " + ", ".join(
        f"{s}{' ' + o + ' page' if o else ''}: {n}" for (s, o), n in sorted(after_kill.items())))
    redis_window = recorder.between(marks.get("redis_down", 0), marks.get("redis_up", 0))
    print("entrant responses while Redis was down: " + ", ".join(
        f"{s}{' ' + o + ' page' if o else ''}: {n}" for (s, o), n in sorted(redis_window.items())))
    print("wrong-password log-ins while Redis was down (rate-limited route): " + ", ".join(
        f"{s}: {n}" for s, n in sorted(login_probe.items(), key=str)))
    for fault in faults[:10]:
        print("  FAULT", fault)
    print("errors seen by entrants:", dict(Counter(stats.errors).most_common(6)))
    for line, n in errors.most_common(6):
        print(f"  server traceback ×{n}: {line}")
    return 1 if lost or faults else 0


if __name__ == "__main__":
    sys.exit(main())
