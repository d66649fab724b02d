"""Leaderboard and rank latency at 10,000 and 1,000,000 quiz attempts on PostgreSQL.

    .venv/bin/python bench/quiz_leaderboard.py            # build the data, then measure
    .venv/bin/python bench/quiz_leaderboard.py --reuse    # measure again on the data left behind

Fills the database named by BENCH_DATABASE_URL (default: ``contest_bench`` on 127.0.0.1, created
if missing, schema rebuilt by the migrations) with two rounds: 5,000 entrants x 2 attempts and
500,000 entrants x 2 attempts, loaded with COPY; builds each entrant's ``quiz_results`` row from
its best attempt in SQL, then times the leaderboard functions of :mod:`contest.quiz` that the pages
call: the live leaderboard's first page, a deep page (keyset), an entrant's own live standing;
the finalisation; and the same three on the final ranking. See bench/README.md.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/contest_bench"
QUESTIONS = 100  # in the bank
PER_PAPER = 20  # drawn for each attempt
OPTIONS = 4
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Lò", "Hà"]
MIDDLE = ["Thị", "Văn", "Minh", "Thu", "Đức", "Ngọc", "Hữu", "Thanh"]
NULL = "\\N"  # COPY's text format
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hoa", "Khánh", "Lan", "Mai", "Nam", "Phương",
         "Quân", "Trang", "Tuấn", "Xuân", "Yến"]


def plain_url(url: str) -> str:
    """The libpq form of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = plain_url(url).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def make_app(url: str):  # noqa: ANN201
    os.environ.setdefault("SECRET_KEY", "bench")
    from contest import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False}})


def rebuild_schema(app, url: str) -> None:  # noqa: ANN001
    from flask_migrate import upgrade

    from contest.extensions import db

    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    with app.app_context():
        upgrade()
        db.engine.dispose()


def ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def copy_rows(conn: psycopg.Connection, table: str, columns: str, lines) -> int:  # noqa: ANN001
    """COPY text lines (tab-separated, newline-terminated) into ``table``; return the count."""
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            n += 1
            if n % 20_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return n


def load(url: str, small: int, large: int, seed: int) -> dict[str, int]:
    """Units, users, a question bank, two rounds, their attempts and results. Returns ids."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    users = max(small, large)
    with psycopg.connect(plain_url(url)) as conn:
        sizes = ["200", "500", "1500", "4000", NULL]
        copy_rows(conn, "units", "id, code, name, kind, size, active", (
            f"{i}\tU{i:04d}\tXã Số {i}\tcommune\t{rng.choice(sizes)}\tt\n"
            for i in range(1, 301)
        ))
        created = ts(now - timedelta(days=30))
        copy_rows(conn, "users", "id, full_name, phone, password_hash, unit_id, birth_date, "
                  "created_at, session_token, active", (
                      f"{i}\t{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}\t"
                      f"+8490{i:07d}\tx\t{rng.randint(1, 300)}\t1990-01-01\t{created}\tt{i}\tt\n"
                      for i in range(1, users + 1)
                  ))
        conn.execute("INSERT INTO quiz_topics (id, name) VALUES (1, 'Bình đẳng giới')")
        copy_rows(conn, "quiz_questions", "id, topic_id, kind, title, text, text_format, "
                  "explanation, source, difficulty, tags_text, active, used, retired, "
                  "created_at, updated_at", (
                      f"{q}\t1\tsingle\tCâu {q}\tCâu hỏi số {q}?\tplain\t\t\t\t\tt\tt\tf\t"
                      f"{created}\t{created}\n" for q in range(1, QUESTIONS + 1)
                  ))
        copy_rows(conn, "quiz_options", "id, question_id, position, text, fraction, feedback", (
            f"{(q - 1) * OPTIONS + k + 1}\t{q}\t{k}\tPhương án {k}\t{1.0 if k == 0 else 0.0}\t\n"
            for q in range(1, QUESTIONS + 1) for k in range(OPTIONS)
        ))
        rounds = {}
        for key, title in (("small", "Bench 10k attempts"), ("large", "Bench 1M attempts")):
            rounds[key] = conn.execute(
                "INSERT INTO quiz_rounds (title, rules, status, opens_at, closes_at, selection, "
                "shuffle_questions, shuffle_options, time_limit_seconds, attempts_allowed, "
                "multi_scoring, prediction_enabled, prediction_text, required_fields, "
                "prize_tiers, created_at) VALUES (%s, '', 'open', %s, %s, 'quota', true, true, "
                "1200, 2, 'all_or_nothing', true, '', '[]', %s, %s) RETURNING id",
                (title, now - timedelta(days=6), now + timedelta(days=1),
                 json.dumps([["first", 1], ["second", 2], ["third", 5], ["consolation", 8]]),
                 now),
            ).fetchone()[0]
        conn.commit()

        draws = {q: f"[{q}, [{', '.join(str((q - 1) * OPTIONS + k + 1) for k in range(OPTIONS))}]]"
                 for q in range(1, QUESTIONS + 1)}
        window = int(timedelta(days=6).total_seconds())

        def attempts(round_id: int, entrants: int):  # noqa: ANN202
            opens = now - timedelta(days=6)
            for user_id in range(1, entrants + 1):
                skill = 0.55 + 0.45 * rng.random() ** 0.35
                prediction = rng.choice([None] + [rng.randint(1, entrants // 2)] * 9)
                for number in (1, 2):
                    paper = rng.sample(range(1, QUESTIONS + 1), PER_PAPER)
                    right = [rng.random() < skill for _ in paper]
                    correct = sum(right)
                    time_ms = rng.randint(45_000, 1_199_000)
                    submitted = opens + timedelta(seconds=rng.randint(60, window - 3600),
                                                  microseconds=rng.randint(0, 999_999))
                    started = submitted - timedelta(milliseconds=time_ms)
                    answers = ", ".join(
                        f'"{q}": [{(q - 1) * OPTIONS + (1 if ok else rng.randint(2, OPTIONS))}]'
                        for q, ok in zip(paper, right, strict=True))
                    items = ", ".join(f'"{q}": {1.0 if ok else 0.0}'
                                      for q, ok in zip(paper, right, strict=True))
                    draw = ", ".join(draws[q] for q in paper)
                    pred = NULL if prediction is None else prediction
                    yield (f"{round_id}\t{user_id}\t{number}\tsubmitted\t{ts(started)}\t"
                           f"{ts(started + timedelta(minutes=20))}\t{ts(submitted)}\t[{draw}]\t"
                           f"{{{answers}}}\t{pred}\t{float(correct)}\t{float(PER_PAPER)}\t"
                           f"{correct}\t{time_ms}\t{{{items}}}\tf\n")

        columns = ("round_id, user_id, number, status, started_at, deadline_at, submitted_at, "
                   "draw, answers, prediction, score, max_score, correct_count, time_ms, "
                   "item_scores, auto_submitted")
        for key, entrants in (("small", small), ("large", large)):
            started = time.perf_counter()
            n = copy_rows(conn, "quiz_attempts", columns, attempts(rounds[key], entrants))
            conn.commit()
            print(f"  {n:>9,} attempts copied in {time.perf_counter() - started:6.1f} s",
                  flush=True)

        started = time.perf_counter()
        # Each entrant's best attempt (score desc, time asc, submission asc) becomes the result,
        # as the submit code keeps it.
        conn.execute("""
            INSERT INTO quiz_results (round_id, user_id, unit_id, best_attempt_id,
                attempts_count, score, max_score, time_ms, submitted_at, prediction, perfect,
                excluded, exclusion_reason, tied)
            SELECT DISTINCT ON (a.round_id, a.user_id) a.round_id, a.user_id, u.unit_id, a.id,
                2, a.score, a.max_score, a.time_ms, a.submitted_at, a.prediction,
                a.score = a.max_score, false, '', false
            FROM quiz_attempts a JOIN users u ON u.id = a.user_id
            WHERE a.status = 'submitted'
            ORDER BY a.round_id, a.user_id, a.score DESC, a.time_ms, a.submitted_at, a.id
        """)
        for table in ("units", "users", "quiz_questions", "quiz_options", "quiz_topics"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
        conn.commit()
        print(f"  results built in {time.perf_counter() - started:6.1f} s", flush=True)
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) quiz_results")
        conn.execute("VACUUM (ANALYZE) quiz_attempts")
        conn.execute("VACUUM (ANALYZE) users")
        print(f"  vacuum analyze in {time.perf_counter() - started:6.1f} s", flush=True)
    return rounds


def vacuum(url: str, checkpoint: bool = False) -> None:
    with psycopg.connect(plain_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) quiz_results")
        if checkpoint:
            conn.execute("CHECKPOINT")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def measure(fns: dict[str, Callable[[int], object]], runs: int,
            warmup: int = 20) -> dict[str, tuple[float, float]]:
    """p50 and p99 in milliseconds of each ``fn(i)``; each call ends its transaction, as a
    request does. The functions are called in turn, so that the sizes compared see the same
    background load."""
    from contest.extensions import db

    samples: dict[str, list[float]] = {key: [] for key in fns}
    for i in range(warmup + runs):
        for key, fn in fns.items():
            started = time.perf_counter()
            fn(i)
            db.session.rollback()
            if i >= warmup:
                samples[key].append((time.perf_counter() - started) * 1000)
    return {key: (statistics.median(s), percentile(s, 99)) for key, s in samples.items()}


def bench(rounds: dict[str, int], runs: int) -> dict[str, dict]:
    """Measure the live figures of both rounds, finalise both, measure the final figures."""
    from sqlalchemy import select, text, update

    from contest.extensions import db
    from contest.quiz import board, finalise, leaderboard, ranks
    from contest.quiz.models import Result, Round

    out: dict[str, dict] = {key: {} for key in rounds}
    keys: dict[str, list] = {}
    users: dict[str, list[int]] = {}
    for key, round_id in rounds.items():
        out[key]["entrants"] = board.entrant_count(round_id)
        sample = db.session.execute(
            select(Result.user_id, Result.score, Result.time_ms, Result.submitted_at)
            .where(Result.round_id == round_id).order_by(text("random()")).limit(runs)
        ).all()
        keys[key] = [board.LiveKey(r.score, r.time_ms, r.submitted_at, r.user_id)
                     for r in sample]
        users[key] = [r.user_id for r in sample]
        db.session.rollback()
        board.clear_rank_cache()
        started = time.perf_counter()
        ranks.count_ahead(round_id, keys[key][0])
        out[key]["rank snapshot build"] = (time.perf_counter() - started) * 1000
        db.session.rollback()

    def each(name: str, call: Callable[[str, int, int], object]) -> None:
        figures = measure({key: (lambda i, key=key: call(key, rounds[key], i))
                           for key in rounds}, runs)
        for key, value in figures.items():
            out[key][name] = value

    now = datetime.now(UTC)
    each("live: first page", lambda key, rid, i: leaderboard.live_page(rid, page=1))
    each("live: deep page (keyset)",
         lambda key, rid, i: leaderboard.live_page(rid, after=keys[key][i % runs]))
    each("live: own standing", lambda key, rid, i: ranks.standing(
        db.session.get(Round, rid), users[key][i % runs], now))

    cursors: dict[str, list] = {}
    for key, round_id in rounds.items():
        db.session.execute(update(Round).where(Round.id == round_id).values(
            closes_at=datetime.now(UTC) - timedelta(minutes=5), finalized_at=None))
        db.session.commit()
        started = time.perf_counter()
        out[key]["finalise report"] = finalise.finalise(round_id, datetime.now(UTC))
        db.session.commit()
        out[key]["finalise (s)"] = time.perf_counter() - started
    # Rewriting every rank leaves a dead version of each row and a gigabyte of dirty pages:
    # autovacuum and the checkpointer deal with them within minutes, and the final ranking is
    # read for days, so measure it after that.
    vacuum(db.engine.url.render_as_string(hide_password=False), checkpoint=True)
    for key, round_id in rounds.items():
        deep = db.session.execute(
            select(Result.final_rank, Result.user_id)
            .where(Result.round_id == round_id, Result.final_rank.is_not(None))
            .order_by(text("random()")).limit(runs)
        ).all()
        cursors[key] = [board.FinalCursor(r.final_rank, r.user_id) for r in deep]
        db.session.rollback()

    each("final: first page", lambda key, rid, i: leaderboard.final_page(
        db.session.get(Round, rid), page=1))
    each("final: deep page (keyset)", lambda key, rid, i: leaderboard.final_page(
        db.session.get(Round, rid), after=cursors[key][i % runs]))
    each("final: own standing", lambda key, rid, i: ranks.standing(
        db.session.get(Round, rid), users[key][i % runs], datetime.now(UTC)))
    return out


def reset_rounds(reused: bool) -> None:
    """Put both rounds back to running and unranked."""
    from sqlalchemy import update

    from contest.extensions import db
    from contest.quiz.models import Result, Round

    db.session.execute(update(Round).values(
        status="open", closes_at=datetime.now(UTC) + timedelta(days=1), finalized_at=None,
        perfect_count=None, published_at=None))
    if reused:
        db.session.execute(update(Result).where(Result.final_rank.is_not(None))
                           .values(final_rank=None, tied=False, prize=None))
    db.session.commit()
    if reused:
        vacuum(db.engine.url.render_as_string(hide_password=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="measure the data already loaded")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--small", type=int, default=5_000, help="entrants of the small round")
    parser.add_argument("--large", type=int, default=500_000, help="entrants of the large round")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    ensure_database(url)
    app = make_app(url)
    if not args.reuse:
        print(f"building {args.small * 2:,} + {args.large * 2:,} attempts in {url.rsplit('@')[-1]}")
        started = time.perf_counter()
        rebuild_schema(app, url)
        load(url, args.small, args.large, args.seed)
        print(f"  loaded in {time.perf_counter() - started:.1f} s")
    with app.app_context():
        from sqlalchemy import select

        from contest.extensions import db
        from contest.quiz.models import Round

        ids = {r.title: r.id for r in db.session.execute(select(Round)).scalars()}
        rounds = {"small": ids["Bench 10k attempts"], "large": ids["Bench 1M attempts"]}
        reset_rounds(reused=args.reuse)

        figures = bench(rounds, args.runs)
    report(figures, args.runs)
    return 0


def report(figures: dict, runs: int) -> None:
    from contest.quiz.ranks import FENCE_TTL

    small, large = figures["small"], figures["large"]
    attempts = {k: f"{2 * figures[k]['entrants']:,} attempts" for k in figures}
    print()
    print(f"{'(ms, ' + str(runs) + ' runs each)':<28}{attempts['small']:>24}"
          f"{attempts['large']:>28}   p50 ratio  p99<=20")
    print(f"{'':<28}{'p50':>12}{'p99':>12}{'p50':>14}{'p99':>14}")
    verdict = True
    for name in ("live: first page", "live: deep page (keyset)", "live: own standing",
                 "final: first page", "final: deep page (keyset)", "final: own standing"):
        (s50, s99), (l50, l99) = small[name], large[name]
        ratio = l50 / s50
        ok = l99 <= 20 and ratio <= 1.5
        verdict &= ok
        print(f"{name:<28}{s50:>12.2f}{s99:>12.2f}{l50:>14.2f}{l99:>14.2f}"
              f"{ratio:>11.2f}   {'ok' if ok else 'MISSED'}")
    for key in ("small", "large"):
        r = figures[key]["finalise report"]
        print(f"finalise {attempts[key]}: {figures[key]['finalise (s)']:.2f} s "
              f"({r.ranked:,} ranked, perfect count {r.perfect_count:,}, "
              f"{r.conflicts} tie conflict(s))")
        print(f"rank snapshot build {attempts[key]}: "
              f"{figures[key]['rank snapshot build']:.1f} ms (once per {FENCE_TTL:.0f} s per "
              "process and round)")
    print("all targets met" if verdict else "SOME TARGETS MISSED")


if __name__ == "__main__":
    sys.exit(main())
