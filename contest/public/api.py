"""The public JSON API under /api/ for news sites to embed (README.md, "Public JSON API").

Read-only GETs of public data: names are masked, no contact or identity data. Responses allow
cross-origin reads and short shared caching, since thousands read the same page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _

from contest import timeutil
from contest.extensions import csrf, db
from contest.params import whole_number
from contest.public.leaderboards import (
    PER_PAGE,
    UNIT_TTL,
    cursor_arg,
    entrants_of,
    live_rule_text,
    prize_label,
    ranking_rule_text,
    sealed,
    visible_round,
)
from contest.public.shared import shared
from contest.public.views import bp
from contest.quiz import board, leaderboard, units
from contest.quiz.models import Round
from contest.quiz.rounds import Phase, phase, public_rounds, question_count

MAX_PER_PAGE = 100
RANKING_KEYS = ["score desc", "prediction_distance asc (missing last)", "time_ms asc",
                "submitted_at asc"]
LIVE_KEYS = ["score desc", "time_ms asc", "submitted_at asc"]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def _json(payload: Any, max_age: int, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    # Shared caches may keep what an anonymous reader gets; a request that carries cookies
    # might be answered with a refreshed session cookie, which must never be shared.
    scope = "private" if request.cookies else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _not_available(message: str) -> Response:
    return _json({"error": "not_available", "message": message, "status": 404}, 30, 404)


def _round_summary(rnd: Round, now: datetime) -> dict[str, Any]:
    return {
        "id": rnd.id,
        "title": rnd.title,
        "status": str(phase(rnd, now)),
        "opens_at": _iso(rnd.opens_at),
        "closes_at": _iso(rnd.closes_at),
        "published_at": _iso(rnd.published_at),
        "url": url_for("public.round_detail", round_id=rnd.id, _external=True),
        "api_url": url_for("public.api_round", round_id=rnd.id, _external=True),
    }


def _rule(rnd: Round, perfect_count: int | None) -> dict[str, Any]:
    """The published ranking rule: its keys, its text and the choices it makes."""
    return {
        "keys": RANKING_KEYS if rnd.prediction_enabled else
        [k for k in RANKING_KEYS if not k.startswith("prediction")],
        "text": ranking_rule_text(perfect_count),
        # Which attempt's prediction is ranked, and whom the perfect count C includes.
        "prediction_counted": "best_attempt" if rnd.prediction_enabled else None,
        "perfect_count_includes_excluded": False,
    }


def added_places(rnd: Round) -> list[dict[str, Any]]:
    """Places the organizers added to a prize tier, with their reasons (published)."""
    return [{"tier": name, "label": prize_label(name), "places": int(extra["places"]),
             "reason": str(extra.get("reason", ""))}
            for name, extra in sorted((rnd.extra_places or {}).items())]


def _per_page() -> int:
    value = request.args.get("per_page", type=whole_number) or PER_PAGE
    return max(1, min(value, MAX_PER_PAGE))


def _entry(row: board.BoardRow, final: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "rank": row.rank,
        "tied": row.tied,
        "name": row.name,
        "unit": row.unit,
        "score": row.score,
        "max_score": row.max_score,
        "time_ms": row.time_ms,
    }
    if final:
        entry.update(prediction=row.prediction, prediction_distance=row.distance,
                     prize=row.prize)
    return entry


@bp.get("/api/rounds")
@csrf.exempt
def api_rounds():
    """Every public round, newest first."""
    now = timeutil.utcnow()
    rounds = db.session.execute(public_rounds().order_by(Round.opens_at.desc())).scalars()
    return _json({"rounds": [_round_summary(r, now) for r in rounds]}, 60)


@bp.get("/api/rounds/<int:round_id>")
@csrf.exempt
def api_round(round_id: int):
    """One round: rules, times, status and counts."""
    rnd = visible_round(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    published = current == Phase.PUBLISHED
    payload = _round_summary(rnd, now)
    payload.update(
        rules=rnd.rules,
        questions=question_count(rnd),
        time_limit_seconds=rnd.time_limit_seconds,
        attempts_allowed=rnd.attempts_allowed,
        prediction_question=rnd.prediction_text if rnd.prediction_enabled else None,
        prize_tiers=[{"tier": str(name), "label": prize_label(str(name)), "places": int(n)}
                     for name, n in (rnd.prize_tiers or [])],
        ranking_rule=_rule(rnd, rnd.perfect_count if published else None),
        allow_exposed_questions=rnd.allow_exposed,
        counts={"entrants": entrants_of(rnd, current)},
        perfect_count=rnd.perfect_count if published else None,
        links={
            "leaderboard": url_for("public.api_leaderboard", round_id=rnd.id, _external=True),
            "results": url_for("public.api_results", round_id=rnd.id, _external=True),
            "units": url_for("public.api_units", round_id=rnd.id, _external=True),
        },
    )
    return _json(payload, 60)


@bp.get("/api/rounds/<int:round_id>/leaderboard")
@csrf.exempt
@shared(10)  # published max-age: 30 s
def api_leaderboard(round_id: int):
    """The live leaderboard while the round runs, the final ranking once published."""
    rnd = visible_round(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    per_page = _per_page()
    page_no = request.args.get("page", type=whole_number)
    if current == Phase.RUNNING:
        page = leaderboard.live_page(
            rnd.id, page=page_no, after=cursor_arg(board.LiveKey, "after", rnd.id),
            before=cursor_arg(board.LiveKey, "before", rnd.id), per_page=per_page,
        )
        rule = {"keys": LIVE_KEYS, "text": live_rule_text()}
    elif current == Phase.PUBLISHED:
        page = leaderboard.final_page(
            rnd, page=page_no, after=cursor_arg(board.FinalCursor, "after", rnd.id),
            before=cursor_arg(board.FinalCursor, "before", rnd.id), per_page=per_page,
        )
        rule = _rule(rnd, rnd.perfect_count)
    elif current == Phase.UPCOMING:
        return _not_available(_("The round has not opened yet."))
    else:
        return _not_available(_("The round has closed; the results are being checked and "
                                "will be published here."))

    def link(**kw: Any) -> str:
        if per_page != PER_PAGE:
            kw["per_page"] = per_page
        return url_for("public.api_leaderboard", round_id=rnd.id, _external=True, **kw)

    page = sealed(page, rnd.id)
    final = page.kind == "final"
    return _json({
        "round_id": rnd.id,
        "kind": page.kind,
        "status": str(current),
        "total": page.total,
        "page": page.page,
        "per_page": per_page,
        "perfect_count": rnd.perfect_count if final else None,
        "ranking_rule": rule,
        "entries": [_entry(r, final) for r in page.rows],
        "next": link(page=page.next_page) if page.next_page else
        link(after=page.next_cursor) if page.next_cursor else None,
        "prev": link(page=page.prev_page) if page.prev_page else
        link(before=page.prev_cursor) if page.prev_cursor else None,
    }, 30)


@bp.get("/api/rounds/<int:round_id>/results")
@csrf.exempt
@shared(60)  # published max-age: 300 s
def api_results(round_id: int):
    """The published results: true perfect count, rule, prize winners per tier."""
    rnd = visible_round(round_id)
    if phase(rnd, timeutil.utcnow()) != Phase.PUBLISHED:
        return _not_available(_("The results of this round are not published yet."))
    prizes = [
        {"tier": name, "label": prize_label(name),
         "winners": [_entry(r, True) for r in rows]}
        for name, rows in leaderboard.prize_list(rnd)
    ]
    return _json({
        "round_id": rnd.id,
        "title": rnd.title,
        "published_at": _iso(rnd.published_at),
        "entrants": board.ranked_count(rnd),
        "perfect_count": rnd.perfect_count,
        "ranking_rule": _rule(rnd, rnd.perfect_count),
        "added_places": added_places(rnd),
        "prizes": prizes,
        "ranking": url_for("public.api_leaderboard", round_id=rnd.id, _external=True),
    }, 300)


@bp.get("/api/rounds/<int:round_id>/units")
@csrf.exempt
def api_units(round_id: int):
    """Participants per unit, with the participation rate where the unit's size is known."""
    rnd = visible_round(round_id)
    order = "rate" if request.args.get("order") == "rate" else "participants"
    rows = units.unit_participation(rnd.id, order=order, ttl=UNIT_TTL)
    return _json({
        "round_id": rnd.id,
        "order": order,
        "participants": sum(r.participants for r in rows),
        "units": [
            {"code": r.code, "name": r.name, "belongs_to": r.parent,
             "participants": r.participants, "size": r.size,
             "rate_percent": None if r.rate is None else round(r.rate, 2)}
            for r in rows
        ],
    }, 60)
