"""Public results of a writing contest once its final round is published (tiers A, B, C and
Khuyến khích, a tier may stay empty, authors named as press awards do, no scores), and each
author's own results: placement and the comments meant for them, never a judge's name or a
private comment."""

from __future__ import annotations

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.judging import awards, lifecycle, published
from contest.timeutil import utcnow
from tests.web.judging.judgekit import (
    COAUTHOR,
    FOR_ENTRANT,
    PRIVATE,
    Final,
    anonymous,
    client_of,
    main_text,
    now,
)
from tests.web.judging.judgingkit import scene

AUTHOR = Final.AUTHOR
PEN_NAME = Final.PEN_NAME

@pytest.fixture
def f(app, make_user):
    return Final(app, make_user)


def tier_section(page: str, label: str, next_label: str | None) -> str:
    start = page.index(f"<h3>{label}</h3>")
    end = page.index(f"<h3>{next_label}</h3>", start) if next_label else len(page)
    return page[start:end]


def test_nothing_is_public_before_the_final_round_is_published(app, f):
    page = main_text(anonymous(app).get(f.url()))
    assert "The results have not been published yet." in page
    assert f.winner.title not in page and AUTHOR not in page
    lifecycle.close_round(f.rnd, f.s.organizer.id, now())
    awards.propose_prizes(f.rnd, f.s.organizer)
    db.session.commit()
    assert f.winner.title not in main_text(anonymous(app).get(f.url()))
    assert published.prize_list(f.s.contest) is None


def test_published_results_list_the_tiers_with_an_empty_one(app, f):
    f.publish()
    r = anonymous(app).get(f.url())
    assert r.status_code == 200
    page = main_text(r)
    first_category = page[:page.index("Phát thanh")] if "Phát thanh" in page else page
    a_prize = tier_section(first_category, "A prize", "B prize")
    assert "Not awarded." in a_prize
    b_prize = tier_section(first_category, "B prize", "C prize")
    assert f.winner.title in b_prize and AUTHOR in b_prize and COAUTHOR in b_prize
    assert PEN_NAME in b_prize and "Báo Nghệ An" in b_prize
    assert f.second.title in tier_section(first_category, "C prize", "Consolation prize")
    assert f.third.title in tier_section(first_category, "Consolation prize", None)
    assert f.fourth.title not in page
    assert f.radio.title in page
    # Scores and judges stay confidential.
    assert "Giám khảo" not in page and PRIVATE not in page and FOR_ENTRANT not in page
    assert "score" not in page.lower()
    # The Vietnamese page names the tiers as press awards do.
    vi = main_text(app.test_client().get(f.url()))
    assert "Giải A" in vi and "Giải Khuyến khích" in vi and "Không trao." in vi


def test_an_unpublished_contest_has_no_results_page(app, make_user):
    s = scene(app, make_user)
    s.contest.status = "draft"
    db.session.commit()
    assert app.test_client().get(f"/judging/contests/{s.contest.id}/results").status_code == 404
    assert app.test_client().get("/judging/contests/999999/results").status_code == 404


def test_the_author_sees_placement_and_comments_for_entrants_only(app, f):
    author = client_of(app, f.author)
    page = main_text(author.get("/judging/my-results"))
    assert "No results yet" in page and FOR_ENTRANT not in page
    f.publish()
    r = author.get("/judging/my-results")
    assert r.status_code == 200
    page = main_text(r)
    assert f.winner.title in page and "B prize" in page and "Rank 1 in the category" in page
    assert FOR_ENTRANT in page
    assert PRIVATE not in page
    for judge in (f.j1, f.j2):
        assert judge.full_name not in page and judge.email not in page
    assert f.second.title not in page  # only one's own entries
    # The nav leads journalists there.
    assert 'href="/judging/my-results"' in author.get("/").get_data(as_text=True)


def test_a_linked_coauthor_sees_the_results_too_and_others_see_nothing(app, f, make_user):
    f.publish()
    coauthor = make_user(Role.JOURNALIST, full_name=COAUTHOR, email="hung@example.org",
                         email_verified_at=utcnow())
    f.winner.coauthors[0].user_id = coauthor.id
    db.session.commit()
    assert FOR_ENTRANT in main_text(client_of(app, coauthor).get("/judging/my-results"))
    stranger = client_of(app, make_user(Role.JOURNALIST))
    page = main_text(stranger.get("/judging/my-results"))
    assert f.winner.title not in page and FOR_ENTRANT not in page
    assert app.test_client().get("/judging/my-results").status_code == 302
