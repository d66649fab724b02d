"""Campaign dashboard and summary PDF times on the data of bench/quiz_leaderboard.py.

    .venv/bin/python bench/reports.py            # build the data (500,000 entrants), measure
    .venv/bin/python bench/reports.py --reuse    # measure again on the data left behind

The data are built by :func:`quiz_leaderboard.load` (300 units, 505,000 users, 1,010,000
attempts and their ``quiz_results`` rows) in BENCH_DATABASE_URL (default ``contest_bench``).
Times the dashboard's figures (:meth:`contest.reports.figures.Reader.report`, every aggregate
of the page), the dashboard page itself through the test client, and the summary PDF. Targets
of issue 12: dashboard <= 2 s, summary PDF <= 15 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import quiz_leaderboard as data  # noqa: E402


def timed(fn, runs: int) -> tuple[float, float]:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="measure the data already loaded")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", data.DEFAULT_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    data.ensure_database(url)
    app = data.make_app(url)
    if not args.reuse:
        print(f"building {args.small * 2:,} + {args.large * 2:,} attempts")
        started = time.perf_counter()
        data.rebuild_schema(app, url)
        data.load(url, args.small, args.large, args.seed)
        print(f"  loaded in {time.perf_counter() - started:.1f} s")
    app.config.update(WTF_CSRF_ENABLED=False, SERVER_NAME="localhost")
    with app.app_context():
        from flask_babel import force_locale
        from sqlalchemy import select

        from contest.accounts.models import Role, User, UserRole
        from contest.extensions import db
        from contest.reports import exports, service
        from contest.reports.console import label_of
        from contest.reports.figures import Filters, Reader, Scope, UnitTree

        settings = service.settings()
        db.session.commit()

        def figures():  # noqa: ANN202
            return Reader(Scope(UnitTree.load()), Filters()).report()

        report = figures()
        print(f"{report.participants:,} participants, "
              f"{sum(r.attempts for r in report.rounds):,} attempts, {len(report.units)} units")
        dash = timed(figures, args.runs)

        organizer = db.session.execute(select(User).where(User.id == 1)).scalar_one()
        if all(r.role != Role.ORGANIZER for r in organizer.role_rows):
            db.session.add(UserRole(user_id=organizer.id, role=Role.ORGANIZER))
            db.session.commit()

        def page() -> None:
            with app.test_request_context("/organizer/reports"):
                from flask_login import login_user

                login_user(organizer)
                from contest.reports.console import dashboard

                body, status = dashboard()
                assert status == 200 and "<svg" in body

        page_times = timed(page, args.runs)

        def pdf() -> bytes:
            with app.test_request_context("/"), force_locale("vi"):
                return exports.summary_pdf(figures(), settings, label_of)

        pdf_times = timed(pdf, max(1, args.runs // 2))
        size = len(pdf())
    print()
    print(f"{'(s)':<34}{'median':>10}{'max':>10}   target")
    for name, (median, worst), target in (("dashboard figures (all aggregates)", dash, 2.0),
                                          ("dashboard page (rendered)", page_times, 2.0),
                                          ("summary PDF", pdf_times, 15.0)):
        print(f"{name:<34}{median:>10.2f}{worst:>10.2f}   <= {target:g} "
              f"{'ok' if worst <= target else 'MISSED'}")
    print(f"summary PDF size: {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
