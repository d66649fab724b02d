"""Demo content for a local installation: units, one account per role, the starter question bank,
a quiz round with published results, and a writing contest being judged.

Idempotent: every item is looked up by its natural key first, so running it twice adds nothing.
The accounts and the helpers each domain's demo uses to create its own are in
:mod:`contest.demo_accounts`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from contest import demo_accounts
from contest.accounts.units import DEFAULT_FILE, load_units, parse_units
from contest.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_accounts, organizer
from contest.extensions import db


def load_demo(echo: Callable[[str], None]) -> None:
    """Load everything and print the demo accounts; safe to run again."""
    from contest.judging.demo import DEMO_JUDGES
    from contest.judging.demo import load as load_judging_demo
    from contest.quiz.demo import ENTRANT_PHONES, load_past_round
    from contest.quiz.demo import load as load_quiz_demo
    from contest.reports.demo import DEMO_COORDINATORS
    from contest.reports.demo import load as load_reports_demo
    from contest.writing.demo import DEMO_JOURNALISTS, load_judged_contest
    from contest.writing.demo import load as load_writing_demo

    started = time.perf_counter()
    demo_accounts.begin_run()
    created, updated = load_units(parse_units(DEFAULT_FILE.read_text(encoding="utf-8")))
    echo(f"units: {created} created, {updated} already present")
    ensure_accounts(DEMO_ACCOUNTS, "demo accounts", echo)
    load_quiz_demo(echo)
    load_past_round(echo)
    load_writing_demo(echo)
    contest = load_judged_contest(echo)
    if contest is not None:
        load_judging_demo(echo, contest)
    load_reports_demo(echo)
    from contest.campaign.demo import load as load_campaign_demo

    demo_organizer = organizer()
    load_campaign_demo(echo, demo_organizer.id if demo_organizer else None)
    db.session.commit()
    demo_accounts.end_run()
    echo(f"demo content ready in {time.perf_counter() - started:.1f} s")
    echo("")
    echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for acc in [*DEMO_ACCOUNTS, *DEMO_JOURNALISTS, *DEMO_JUDGES, *DEMO_COORDINATORS]:
        who = ", ".join(acc.roles) or "entrant"
        echo(f"  {who:<16} {acc.email or '(no e-mail)':<28} phone {acc.phone}")
    if ENTRANT_PHONES:
        echo(f"  {len(ENTRANT_PHONES)} more quiz entrants, phones {ENTRANT_PHONES[0]} to "
             f"{ENTRANT_PHONES[-1]}")
