"""An entrant shares their own published quiz result only when they choose to: a public page
and a 1200×630 image with the masked name, score and rank, which they can take back."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from contest.audit import AuditEvent
from contest.campaign.models import ResultShare
from contest.extensions import db
from contest.quiz.models import RoundStatus
from contest.timeutil import utcnow
from tests.web.campaign.campaignkit import text
from tests.web.quiz.resultkit import add_result, finalise, make_round


def published_round(entrant):
    rnd = make_round("closed", title="Tuần 4: Luật Bầu cử")
    add_result(rnd, entrant, 9, time_ms=120_000)
    finalise(rnd)
    rnd.status = RoundStatus.PUBLISHED
    rnd.published_at = utcnow()
    db.session.commit()
    return rnd


def test_nothing_is_shared_until_the_entrant_asks(app, login_as, client):
    me = login_as(full_name="Phan Thị Hoa")
    me.set_cookie("lang", "en")
    rnd = published_round(me.user)
    page = text(me.get(f"/rounds/{rnd.id}/me"))
    assert "Share my result" in page
    assert db.session.execute(select(ResultShare)).scalar() is None
    response = me.post(f"/share/rounds/{rnd.id}")
    assert response.status_code == 302
    share = db.session.execute(select(ResultShare)).scalar_one()
    public = text(client.get(f"/share/{share.token}"))
    assert "Phan T. H." in public and "Phan Thị Hoa" not in public
    assert "rank 1" in public or "hạng 1" in public
    assert f"/share/{share.token}/image.png" in public
    image = client.get(f"/share/{share.token}/image.png")
    assert Image.open(io.BytesIO(image.data)).size == (1200, 630)
    assert db.session.execute(select(AuditEvent.action).where(
        AuditEvent.action == "campaign.result_shared")).scalar()
    # Someone else cannot take it back; the entrant can.
    other = login_as()
    assert other.post(f"/share/{share.token}/withdraw").status_code == 302
    assert client.get(f"/share/{share.token}").status_code == 200
    me.post(f"/share/{share.token}/withdraw")
    assert client.get(f"/share/{share.token}").status_code == 404


def test_no_share_before_results_are_published(app, login_as):
    me = login_as(full_name="Phan Thị Hoa")
    me.set_cookie("lang", "en")
    rnd = make_round("running")
    add_result(rnd, me.user, 9, time_ms=120_000)
    response = me.post(f"/share/rounds/{rnd.id}", follow_redirects=True)
    assert "once the round's results are published" in text(response)
    assert db.session.execute(select(ResultShare)).scalar() is None


def test_sharing_needs_a_login(client):
    response = client.post("/share/rounds/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
