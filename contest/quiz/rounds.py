"""Round life cycle on the server clock: what phase a round is in and which changes it allows."""

from __future__ import annotations

import enum
from datetime import datetime

from contest.quiz.models import Round, RoundStatus


class Phase(enum.StrEnum):
    DRAFT = "draft"  # being prepared, invisible to the public
    UPCOMING = "upcoming"  # opened by the organizer, opens_at still ahead
    RUNNING = "running"  # attempts may start and be submitted
    CLOSED = "closed"  # past its close (or closed by hand), results not yet published
    PUBLISHED = "published"  # results and prizes public


def phase(rnd: Round, now: datetime) -> Phase:
    """The phase of ``rnd`` at ``now``; closing is decided by the clock, not by a job."""
    if rnd.status == RoundStatus.DRAFT:
        return Phase.DRAFT
    if rnd.status == RoundStatus.PUBLISHED:
        return Phase.PUBLISHED
    if rnd.status == RoundStatus.CLOSED or now >= rnd.closes_at:
        return Phase.CLOSED
    if now < rnd.opens_at:
        return Phase.UPCOMING
    return Phase.RUNNING
