"""What every judging module shares: how a refusal is made, the audit subjects, the limits and
choices of the settings, the guards of a round's state, and the reading of typed numbers.

The modules of contest.judging that change data (rubrics, lifecycle, jury, invitations,
conflicts, assignments, sheets, progress, results, awards) work in the current session and
never commit: the caller commits the unit of work, or rolls it back when a
:class:`contest.problems.Refused` is raised. A refused change raises before it writes anything;
its problems carry a ``code`` (the message in contest.judging.messages), the form ``field`` it
concerns and ``params``. Every change is recorded in the audit log; events of a round have the
subject ("judging_round", round id) so that a round's trail is one query.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import select

from contest import audit
from contest.extensions import db
from contest.judging.models import JudgingRound, JudgingRoundStatus
from contest.problems import Problem, Refused

ROUND_SUBJECT = "judging_round"
CONTEST_SUBJECT = "writing_contest"
RUBRIC_SUBJECT = "judging_rubric"

AGGREGATION_METHODS = ("mean", "trimmed", "zscore")
PANELS = ("none", "category", "medium")
ADVANCEMENT = ("top_n", "threshold")
PRIZE_TIERS = ("A", "B", "C", "KK")

MAX_NAME = 200
MAX_TEXT = 5000
MAX_REASON = 500
MAX_CRITERIA = 20
MAX_LEVELS = 10
MAX_K = 20
MAX_PRIZES = 100
MAX_SCALE = 1000.0
MAX_POINTS = 1000.0
MAX_WEIGHT = 100.0
INVITATION_DAYS = 14

OPEN_OR_CLOSED = (JudgingRoundStatus.OPEN, JudgingRoundStatus.CLOSED)
CHANGEABLE = (JudgingRoundStatus.DRAFT, JudgingRoundStatus.OPEN)


def N_(message: str) -> str:  # noqa: N802 - the usual name of the gettext no-op marker
    """Mark a message for translation without translating it here."""
    return message


def untranslated(text: str) -> str:
    return text


def refuse(code: str, field_name: str | None = None, **params: Any) -> Refused:
    """A refusal with one problem, to raise."""
    return Refused(Problem(code, field_name, params))


def round_event(actor_id: int | None, action: str, rnd: JudgingRound, reason: str = "",
                **details: Any) -> None:
    audit.record(actor_id, action, ROUND_SUBJECT, rnd.id, reason[:MAX_REASON], **details)


def contest_event(actor_id: int | None, action: str, contest_id: int, reason: str = "",
                  **details: Any) -> None:
    audit.record(actor_id, action, CONTEST_SUBJECT, contest_id, reason[:MAX_REASON], **details)


def actor_id_of(actor: Any) -> int | None:
    """The id of whoever acts: a user, an id, or None (the system)."""
    if actor is None:
        return None
    return actor if isinstance(actor, int) else actor.id


def clean_reason(reason: str | None, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise refuse("reason_missing", "reason")
    if len(text) > MAX_REASON:
        raise refuse("reason_too_long", "reason", max=MAX_REASON)
    return text


def to_number(value: Any) -> float | None:
    """A finite number from a number or a typed text ("7,5" as in Vietnamese); else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None


def name_problems(name: str | None, field_name: str) -> list[Problem]:
    """What is wrong with a name typed for a rubric, a criterion or a round."""
    name = (name or "").strip()
    if not name:
        return [Problem("name_missing", field_name)]
    if len(name) > MAX_NAME:
        return [Problem("name_too_long", field_name, {"max": MAX_NAME})]
    return []


def normalise_name(text: str | None) -> str:
    """Names and outlets as compared for conflicts: Unicode NFC, trimmed, inner spaces
    collapsed, case-insensitive ("Báo  Nghệ An " and "báo nghệ an" are the same outlet)."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join(text.split()).casefold()


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# --- guards of a round's state -------------------------------------------------------------


def lock_round(rnd: JudgingRound) -> None:
    """Hold the round's row until the unit of work ends (PostgreSQL), re-reading it, so that
    two organizers acting at once are served one after the other and see each other's change.
    SQLite serialises writers by itself."""
    db.session.execute(
        select(JudgingRound).where(JudgingRound.id == rnd.id).with_for_update()
        .execution_options(populate_existing=True)
    )


def not_published(rnd: JudgingRound) -> None:
    if rnd.status == JudgingRoundStatus.PUBLISHED:
        raise refuse("round_published")


def changeable(rnd: JudgingRound) -> None:
    """Assignments change only before the round is closed."""
    not_published(rnd)
    if rnd.status not in CHANGEABLE:
        raise refuse("round_closed")


def accepting_scores(rnd: JudgingRound, now: datetime) -> bool:
    """Whether judges may save and submit sheets at ``now`` (server clock)."""
    if rnd.status != JudgingRoundStatus.OPEN:
        return False
    if rnd.opens_at is not None and now < rnd.opens_at:
        return False
    return rnd.closes_at is None or now < rnd.closes_at
