"""A judge who gives every entry the same total is left out of the z-score average, and the
results pages say so: the console names the judge and the reason, the public page says how many
and why without naming anyone."""

from __future__ import annotations

from contest.extensions import db
from contest.judging import assignments, awards, lifecycle
from tests.web.judging.judgekit import anonymous, client_of, main_text, now
from tests.web.judging.judgingkit import scene

FLAT = "Giám khảo Đều Tay"


def zscore_round(app, make_user, *, flat_total: float | None = 8):  # noqa: ANN001, ANN202
    s = scene(app, make_user, categories=1)
    entries = [s.entry(0, title=f"Bài {i}") for i in range(4)]
    a = s.judge("Giám khảo An")
    b = s.judge("Giám khảo Bình")
    c = s.judge(FLAT)
    rnd = s.round(name="Chung khảo", judges_per_entry=3, aggregation="zscore",
                  prize_counts={"A": 1, "B": 1, "C": 0, "KK": 0})
    s.seat(rnd)
    assignments.auto_assign(rnd, s.organizer.id)
    db.session.commit()
    s.open(rnd)
    for entry, (ta, tb, tc) in zip(entries, [(9.5, 9.5, 8), (9, 9, 7), (6, 6, 6), (5, 5, 5)],
                                   strict=True):
        s.score(rnd, entry, a, ta)
        s.score(rnd, entry, b, tb)
        s.score(rnd, entry, c, flat_total if flat_total is not None else tc)
    lifecycle.close_round(rnd, s.organizer.id, now())
    db.session.commit()
    client = client_of(app, s.organizer)
    r = client.post(f"/organizer/judging/rounds/{rnd.id}/aggregate",
                    data={"csrf_token": _token(client, rnd)})
    assert r.status_code == 302
    return s, rnd, client


def _token(client, rnd) -> str:  # noqa: ANN001
    from tests.conftest import csrf_token_from
    return csrf_token_from(client.get(f"/organizer/judging/rounds/{rnd.id}/results")
                           .get_data(as_text=True))


def test_console_results_name_the_flat_judge_and_why(app, make_user):
    s, rnd, client = zscore_round(app, make_user)
    page = main_text(client.get(f"/organizer/judging/rounds/{rnd.id}/results"))
    assert "1 judge left out of the z-score average" in page
    assert FLAT in page
    assert "gave every entry the same total (8) on 4 sheets" in page
    section = page.split("left out of the z-score average")[1].split("</section>")[0]
    assert "Giám khảo An" not in section


def test_no_note_when_every_judge_spreads_the_scale(app, make_user):
    s, rnd, client = zscore_round(app, make_user, flat_total=None)
    page = main_text(client.get(f"/organizer/judging/rounds/{rnd.id}/results"))
    assert "left out of the z-score average" not in page
    assert FLAT not in page


def test_published_results_say_how_many_judges_were_left_out_without_names(app, make_user):
    s, rnd, _client = zscore_round(app, make_user)
    awards.propose_prizes(rnd, s.organizer)
    lifecycle.publish(rnd, s.organizer)
    db.session.commit()
    page = main_text(anonymous(app).get(f"/judging/contests/{s.contest.id}/results"))
    assert ("1 judge who gave every entry the same total was left out of that average"
            in page)
    assert FLAT not in page and "Giám khảo" not in page
    vi = main_text(app.test_client().get(f"/judging/contests/{s.contest.id}/results"))
    assert "1 giám khảo cho mọi tác phẩm cùng một tổng điểm" in vi
