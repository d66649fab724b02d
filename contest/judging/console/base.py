"""The judging console's blueprint and what its screens share: finding the row a URL names,
times as the organizer types them, the round's navigation and the labels its templates use.

The screens are split by concern (rubrics, rounds, jury, scoring, results); each module adds its
routes to the one blueprint defined here, so endpoint names stay ``judging_console.*``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from contest import timeutil
from contest.accounts.models import User
from contest.console import console_link
from contest.extensions import db
from contest.judging import rounds
from contest.judging.console.forms import (
    ADVANCEMENT_LABELS,
    AGGREGATION_LABELS,
    PANEL_LABELS,
    ROUND_STATUS_LABELS,
    SOURCE_LABELS,
    TIER_LABELS,
)
from contest.judging.messages import CONFLICT_LABELS, SHORTFALL_LABELS
from contest.judging.models import JudgingRound
from contest.writing.messages import MEDIUM_LABELS
from contest.writing.models import WritingContest

bp = Blueprint("judging_console", __name__, url_prefix="/organizer")

console_link("judging_console.judging_index", lazy_pgettext("menu", "Judging"),
             _l("Rubrics, judging rounds, invitations to the jury, conflicts, assignment, "
                "progress, results, shortlists and prizes."), order=60)


@bp.app_context_processor
def _judging_helpers() -> dict:
    return {"round_status_labels": ROUND_STATUS_LABELS, "tier_labels": TIER_LABELS,
            "aggregation_labels": AGGREGATION_LABELS, "panel_labels": PANEL_LABELS,
            "advancement_labels": ADVANCEMENT_LABELS, "source_labels": SOURCE_LABELS,
            "conflict_labels": CONFLICT_LABELS, "shortfall_labels": SHORTFALL_LABELS}


def get_or_404(model: Any, ident: int) -> Any:
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def contest_or_404(contest_id: int) -> WritingContest:
    return get_or_404(WritingContest, contest_id)


def round_or_404(round_id: int) -> JudgingRound:
    return get_or_404(JudgingRound, round_id)


def chosen_user(value: str | None) -> User | None:
    """The account a select posted by id, or None."""
    return db.session.get(User, int(value)) if (value or "").isdigit() else None


def now() -> datetime:
    return timeutil.utcnow()


def nav(rnd: JudgingRound) -> dict[str, Any]:
    """What the round's pages need for their heading and tabs."""
    return {"rnd": rnd, "contest": db.session.get(WritingContest, rnd.contest_id)}


def round_url(rnd: JudgingRound, endpoint: str = "judging_console.judging_round",
              **kw: Any) -> str:
    return url_for(endpoint, round_id=rnd.id, **kw)


def back_to_round(rnd: JudgingRound, endpoint: str = "judging_console.judging_round",
                  **kw: Any):  # noqa: ANN201
    return redirect(round_url(rnd, endpoint, **kw))


def panel_names(rnd: JudgingRound) -> dict[str, str]:
    """The round's sub-panels by key, "" standing for all of them."""
    names = {"": _("All panels")}
    for key, category in rounds.panels(rnd):
        if key:
            names[key] = category.name if rnd.panels_by == "category" else \
                str(MEDIUM_LABELS.get(key, key))
    return names


def show(messages: Iterable[str]) -> None:
    """Messages about the whole form, on a page whose template has no place for them."""
    for message in messages:
        flash(message, "error")


def naive_local(value: datetime | None) -> datetime | None:
    """A stored time as the organizer's form shows it: Vietnam time, to the minute."""
    if value is None:
        return None
    return timeutil.to_local(value).replace(tzinfo=None, second=0, microsecond=0)


def moment(field: Any, stored: datetime | None) -> datetime | None:
    """The posted time in UTC; the stored one when the form shows it unchanged (minutes)."""
    if field.data is None:
        return None
    if stored is not None and naive_local(stored) == field.data:
        return stored
    return timeutil.local_to_utc(field.data)
