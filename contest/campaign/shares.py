"""An entrant's opt-in share of their own published quiz result: a public page and image with
the masked name, score and rank, made only when they ask and removed when they take it back."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from contest import audit
from contest.accounts.identity import mask_name
from contest.accounts.models import User
from contest.campaign.models import ResultShare
from contest.extensions import db
from contest.problems import Problem, Refused
from contest.quiz import ranks
from contest.quiz.models import Round

SUBJECT = "campaign_result_share"


def share_result(user: User, rnd: Round, now: datetime) -> ResultShare:
    """The entrant's share of their result in ``rnd`` (made now, or the one made before).
    Refused unless the round's results are published and the entrant is ranked in it."""
    existing = db.session.execute(select(ResultShare).where(
        ResultShare.user_id == user.id, ResultShare.round_id == rnd.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    standing = ranks.standing(rnd, user.id, now)
    if standing is None or not standing.published or standing.rank is None:
        raise Refused(Problem("no_published_result"))
    share = ResultShare(token=secrets.token_urlsafe(16)[:22], user_id=user.id, round_id=rnd.id)
    db.session.add(share)
    db.session.flush()
    audit.record(user.id, "campaign.result_shared", SUBJECT, share.id, round_id=rnd.id)
    return share


def withdraw(share: ResultShare, user: User) -> None:
    if share.user_id != user.id:
        raise Refused(Problem("not_yours"))
    audit.record(user.id, "campaign.result_unshared", SUBJECT, share.id, round_id=share.round_id)
    db.session.delete(share)
    db.session.flush()


def shared(token: str, now: datetime) -> tuple[ResultShare, Round, ranks.Standing, str] | None:
    """A share with what it shows, or None when it is gone or no longer published."""
    share = db.session.execute(select(ResultShare).where(ResultShare.token == token)
                               ).scalar_one_or_none()
    if share is None:
        return None
    rnd = db.session.get(Round, share.round_id)
    user = db.session.get(User, share.user_id)
    if rnd is None or user is None:
        return None
    standing = ranks.standing(rnd, user.id, now)
    if standing is None or not standing.published or standing.rank is None:
        return None
    return share, rnd, standing, mask_name(user.full_name)


def share_of(user_id: int, round_id: int) -> ResultShare | None:
    return db.session.execute(select(ResultShare).where(
        ResultShare.user_id == user_id, ResultShare.round_id == round_id)).scalar_one_or_none()
