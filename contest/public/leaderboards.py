"""Public quiz pages: rounds and rules, leaderboards, prize lists, unit participation, own rank.

Names are masked and no contact or identity data is shown. The live leaderboard is read while a
round runs; once the round is published the final ranking and the prizes replace it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from flask import (
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from contest import timeutil
from contest.extensions import db
from contest.params import whole_number
from contest.public.cursors import open_cursor, seal_cursor
from contest.public.shared import shared
from contest.public.views import bp
from contest.quiz import board, finalise, ranks, units
from contest.quiz import leaderboard as boards
from contest.quiz.models import Round, RoundStatus
from contest.quiz.rounds import Phase, phase, public_round, public_rounds, question_count

PER_PAGE = 50


# --------------------------------------------------------------------------- shared helpers


def prize_label(name: str | None) -> str:
    """The reader's words for a prize tier; unknown tier names are shown as written."""
    if not name:
        return ""
    labels = {
        "first": _("First prize"),
        "second": _("Second prize"),
        "third": _("Third prize"),
        "consolation": _("Consolation prize"),
        "a": _("Prize A"),
        "b": _("Prize B"),
        "c": _("Prize C"),
        "unit": _("Unit prize"),
    }
    return labels.get(name.lower(), name)


def phase_label(value: str) -> str:
    return {
        Phase.DRAFT: _("Draft"),
        Phase.UPCOMING: _("Upcoming"),
        Phase.RUNNING: _("Running"),
        Phase.CLOSED: _("Closed, results being checked"),
        Phase.PUBLISHED: _("Results published"),
    }.get(value, value)


def format_duration(ms: int | None) -> str:
    """Time taken as minutes:seconds with hundredths, e.g. 4:05.12."""
    if ms is None:
        return ""
    minutes, rest = divmod(int(ms), 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{minutes}:{seconds:02d}.{millis // 10:02d}"


def format_score(value: float | None) -> str:
    if value is None:
        return ""
    return format_decimal(round(value, 2), format="#,##0.##")


def format_rate(value: float | None) -> str:
    if value is None:
        return ""
    return format_percent(value / 100.0, format="#,##0.0%")


@bp.app_context_processor
def _quiz_helpers() -> dict:
    return {
        "quiz_prize_label": prize_label,
        "quiz_phase_label": phase_label,
        "board_duration": format_duration,
        "board_score": format_score,
        "board_rate": format_rate,
        "ranking_rule_text": ranking_rule_text,
        "live_rule_text": live_rule_text,
    }


def grace_seconds() -> float | None:
    """The submission grace after a deadline, as configured for the quiz pages."""
    value = current_app.config.get("QUIZ_GRACE_SECONDS")
    return None if value is None else float(value)


def entrants_of(rnd: Round, current: Phase) -> int:
    """Ranked entrants once published, else entrants with a result (from the rank snapshot)."""
    if current == Phase.PUBLISHED:
        return board.ranked_count(rnd)
    return ranks.live_total(rnd.id)


UNIT_TTL = 60.0  # seconds the public unit counts are reused


def visible_round(round_id: int) -> Round:
    """The round, or 404 when it does not exist or is still a draft."""
    rnd = public_round(round_id)
    if rnd is None:
        abort(404)
    return rnd


def grouped_rounds(now: datetime) -> dict[Phase, list[Round]]:
    """Rounds the public may see, grouped: running, upcoming, past (closed or published)."""
    groups: dict[Phase, list[Round]] = {Phase.RUNNING: [], Phase.UPCOMING: [], Phase.CLOSED: []}
    rounds = db.session.execute(public_rounds().order_by(Round.opens_at.desc())).scalars()
    for rnd in rounds:
        current = phase(rnd, now)
        groups[Phase.CLOSED if current == Phase.PUBLISHED else current].append(rnd)
    groups[Phase.RUNNING].sort(key=lambda r: r.closes_at)
    groups[Phase.UPCOMING].sort(key=lambda r: r.opens_at)
    return groups


def ranking_rule_text(perfect_count: int | None = None) -> str:
    """The published ranking rule, with the true count when it is known."""
    rule = _(
        "Higher score first; then the prediction closest to the number of entrants who answered "
        "every question right (no prediction comes last); then the shorter time taken; then the "
        "earlier submission. Entrants equal on all four share a rank. With several attempts, "
        "the prediction of the entrant's best attempt (the one that gives the score) counts. "
        "Entrants excluded by the organizers (with a stated reason) are neither ranked nor "
        "counted among those who answered every question right."
    )
    if perfect_count is None:
        return rule
    return rule + " " + _("Entrants who answered every question right: %(n)s.",
                          n=format_decimal(perfect_count))


def live_rule_text() -> str:
    return _("While the round runs: higher score first, then the shorter time taken, then the "
             "earlier submission. The final ranking also uses the prediction question.")


@dataclass(frozen=True)
class Pager:
    """Links of a leaderboard page for the template."""

    numbers: list[tuple[int, str, bool]]
    prev_url: str | None
    next_url: str | None
    first_url: str | None


def pager(page: board.BoardPage, url: Callable[..., str]) -> Pager:
    pages = max(1, -(-page.total // page.per_page))
    numbers = [
        (n, url(page=n), n == page.page)
        for n in range(1, min(board.NUMBERED_PAGES, pages) + 1)
    ]
    prev_url = (url(page=page.prev_page) if page.prev_page
                else url(before=page.prev_cursor) if page.prev_cursor else None)
    next_url = (url(page=page.next_page) if page.next_page
                else url(after=page.next_cursor) if page.next_cursor else None)
    first_url = url(page=1) if page.page is None else None
    return Pager(numbers, prev_url, next_url, first_url)


def cursor_arg(kind: type[board.LiveKey] | type[board.FinalCursor], name: str,
               round_id: int):  # noqa: ANN201
    """The cursor in the query argument ``name`` (a LiveKey or FinalCursor), 400 unless it is an
    opaque cursor this app made for this round's board (see :mod:`contest.public.cursors`)."""
    text = request.args.get(name)
    if not text:
        return None
    which = "live" if kind is board.LiveKey else "final"
    try:
        plain = open_cursor(text, secret_key=current_app.secret_key or "", kind=which,
                            round_id=round_id)
        return kind.decode(plain)
    except ValueError:
        abort(400)


def sealed(page: board.BoardPage, round_id: int) -> board.BoardPage:
    """The page with its next/previous cursors made opaque, as the public may see them."""
    def seal(plain: str | None) -> str | None:
        if not plain:
            return plain
        return seal_cursor(plain, secret_key=current_app.secret_key or "", kind=page.kind,
                           round_id=round_id)

    return replace(page, next_cursor=seal(page.next_cursor), prev_cursor=seal(page.prev_cursor))


def _page_number() -> int | None:
    return request.args.get("page", type=whole_number)


def board_for(rnd: Round, now: datetime) -> board.BoardPage | None:
    """The page asked for in the query string: live while running, final once published."""
    current = phase(rnd, now)
    if current == Phase.RUNNING:
        start = None
        if request.args.get("me") and current_user.is_authenticated:
            mine = ranks.standing(rnd, current_user.id, now)
            if mine is not None:
                start = board.LiveKey(mine.score, mine.time_ms, mine.submitted_at,
                                        current_user.id)
        return sealed(boards.live_page(
            rnd.id, page=_page_number(), after=cursor_arg(board.LiveKey, "after", rnd.id),
            before=cursor_arg(board.LiveKey, "before", rnd.id), start=start,
            per_page=PER_PAGE,
        ), rnd.id)
    if current == Phase.PUBLISHED:
        from_rank = None
        if request.args.get("me") and current_user.is_authenticated:
            mine = ranks.standing(rnd, current_user.id, now)
            from_rank = mine.rank if mine is not None else None
        return sealed(boards.final_page(
            rnd, page=_page_number(), after=cursor_arg(board.FinalCursor, "after", rnd.id),
            before=cursor_arg(board.FinalCursor, "before", rnd.id), from_rank=from_rank,
            per_page=PER_PAGE,
        ), rnd.id)
    return None


def my_standing(rnd: Round, now: datetime) -> ranks.Standing | None:
    if not current_user.is_authenticated:
        return None
    return ranks.standing(rnd, current_user.id, now)


# --------------------------------------------------------------------------- pages


@bp.get("/rounds")
def rounds():
    now = timeutil.utcnow()
    return render_template("public/quiz/rounds.html", groups=grouped_rounds(now), now=now,
                           Phase=Phase)


@bp.get("/rounds/<int:round_id>")
def round_detail(round_id: int):
    rnd = visible_round(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    if current == Phase.CLOSED:
        finalise.ensure_finalised(rnd, now, grace_seconds())
    entrants = entrants_of(rnd, current)
    return render_template(
        "public/quiz/round.html", rnd=rnd, phase=current, Phase=Phase, entrants=entrants,
        questions=question_count(rnd), mine=my_standing(rnd, now),
        rule=ranking_rule_text(rnd.perfect_count if current == Phase.PUBLISHED else None),
    )


@bp.get("/rounds/<int:round_id>/leaderboard")
@shared(10)  # anonymous readers are told max-age=10 below
def leaderboard(round_id: int):
    rnd = visible_round(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    if current == Phase.PUBLISHED:
        return redirect(url_for("public.round_results", round_id=rnd.id, **request.args))
    if current == Phase.CLOSED:
        finalise.ensure_finalised(rnd, now, grace_seconds())
    page = board_for(rnd, now)
    nav = pager(page, lambda **kw: url_for("public.leaderboard", round_id=rnd.id, **kw)) \
        if page else None
    response = make_response(render_template(
        "public/quiz/leaderboard.html", rnd=rnd, phase=current, Phase=Phase, page=page,
        pager=nav, mine=my_standing(rnd, now), rule=live_rule_text(),
    ))
    if not request.cookies:
        response.headers["Cache-Control"] = "public, max-age=10"
    return response


@bp.get("/rounds/<int:round_id>/results")
def round_results(round_id: int):
    rnd = visible_round(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    if current != Phase.PUBLISHED:
        if current == Phase.CLOSED:
            finalise.ensure_finalised(rnd, now, grace_seconds())
        return render_template("public/quiz/results_pending.html", rnd=rnd, phase=current,
                               Phase=Phase, mine=my_standing(rnd, now))
    page = board_for(rnd, now)
    nav = pager(page, lambda **kw: url_for("public.round_results", round_id=rnd.id, **kw))
    show_prizes = page.page == 1
    return render_template(
        "public/quiz/results.html", rnd=rnd, phase=current, Phase=Phase, page=page, pager=nav,
        prizes=boards.prize_list(rnd) if show_prizes else None,
        mine=my_standing(rnd, now), rule=ranking_rule_text(rnd.perfect_count),
    )


@bp.get("/rounds/<int:round_id>/units")
def unit_board(round_id: int):
    rnd = visible_round(round_id)
    order = "rate" if request.args.get("order") == "rate" else "participants"
    rows = units.unit_participation(rnd.id, order=order, ttl=UNIT_TTL)
    return render_template("public/quiz/units.html", rnd=rnd, rows=rows, order=order,
                           phase=phase(rnd, timeutil.utcnow()), Phase=Phase,
                           total=sum(r.participants for r in rows))


@bp.get("/rounds/<int:round_id>/me")
@login_required
def my_rank(round_id: int):
    rnd = visible_round(round_id)
    now = timeutil.utcnow()
    current = phase(rnd, now)
    if current == Phase.CLOSED:
        finalise.ensure_finalised(rnd, now, grace_seconds())
    return render_template("public/quiz/me.html", rnd=rnd, phase=current, Phase=Phase,
                           mine=my_standing(rnd, now),
                           rule=ranking_rule_text(rnd.perfect_count)
                           if current == Phase.PUBLISHED else live_rule_text())


# --------------------------------------------------------------------------- home page section


def _home_section() -> Markup | str:
    now = timeutil.utcnow()
    running = db.session.execute(
        public_rounds()
        .where(Round.status == RoundStatus.OPEN, Round.opens_at <= now, Round.closes_at > now)
        .order_by(Round.closes_at)
        .limit(5)
    ).scalars().all()
    published = db.session.execute(
        public_rounds().where(Round.status == RoundStatus.PUBLISHED)
        .order_by(Round.published_at.desc()).limit(3)
    ).scalars().all()
    if not running and not published:
        return ""
    html = render_template("public/quiz/_home_rounds.html", running=running, published=published)
    return Markup(html)  # noqa: S704 - the output of an autoescaping template


@bp.record
def _register_home_section(state) -> None:  # noqa: ANN001
    sections = state.app.extensions.setdefault("home_sections", [])
    if _home_section not in sections:
        sections.append(_home_section)
