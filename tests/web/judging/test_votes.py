"""The readers' vote: verified accounts vote once per category for a submitted entry, inside the
window; counts stay hidden until it closes; the readers' choice keeps ties; votes are rate
limited; a blind contest being judged shows no ballot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from contest.extensions import db
from contest.judging import votes
from contest.judging.models import ReaderVote
from contest.timeutil import utcnow
from contest.writing.models import Coauthor, ContestJuror, EntryStatus
from tests.web.judging.judgekit import anonymous, client_of, main_text, now, text
from tests.web.judging.judgingkit import scene

VOTE_LIMIT = 4


@pytest.fixture
def app_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      RATELIMIT_VOTE=f"{VOTE_LIMIT} per minute",
                      RATELIMIT_LOGIN="1000 per minute")
    return app_config


class Ballot:
    def __init__(self, app, make_user, *, blind: bool = False,  # noqa: ANN001
                 opens: timedelta = timedelta(hours=-1),
                 closes: timedelta = timedelta(hours=1)) -> None:
        self.app, self.make_user = app, make_user
        self.s = scene(app, make_user, categories=2, blind=blind)
        self.contest = self.s.contest
        self.contest.readers_vote = True
        self.contest.vote_opens_at = now() + opens
        self.contest.vote_closes_at = now() + closes
        db.session.commit()
        s = self.s
        self.a1 = s.entry(0, title="Nữ đại biểu vùng cao", outlet="Báo Lào Cai")
        self.a2 = s.entry(0, title="Bầu cử và bình đẳng", outlet="Báo Yên Bái")
        self.a3 = s.entry(0, title="Chuyện ở Hội đồng xã", outlet="Báo Sơn La")
        self.gone = s.entry(0, title="Bài bị loại", status=EntryStatus.DISQUALIFIED)
        self.b1 = s.entry(1, title="Phát thanh: tiếng nói nữ", outlet="Đài Nghệ An")
        self.b2 = s.entry(1, title="Phát thanh: nữ lãnh đạo", outlet="Đài Hà Tĩnh")

    def voter(self, **fields):  # noqa: ANN003, ANN201
        fields.setdefault("email_verified_at", utcnow())
        return client_of(self.app, self.make_user(**fields))

    def url(self) -> str:
        return f"/judging/contests/{self.contest.id}/vote"

    def cast(self, client, entry):  # noqa: ANN001, ANN201
        return client.post(self.url(), data={"entry_id": str(entry.id)})

    def close(self) -> None:
        self.contest.vote_opens_at = now() - timedelta(days=2)
        self.contest.vote_closes_at = now() - timedelta(minutes=1)
        db.session.commit()


@pytest.fixture
def v(app, make_user):
    return Ballot(app, make_user)


def votes_of(entry=None) -> int:  # noqa: ANN001
    db.session.expire_all()
    stmt = select(func.count()).select_from(ReaderVote)
    if entry is not None:
        stmt = stmt.where(ReaderVote.entry_id == entry.id)
    return db.session.execute(stmt).scalar_one()


def alert(response) -> str:  # noqa: ANN001
    match = re.search(r'<div class="alert alert-error" role="alert"><p>(.*?)</p>', text(response))
    return match.group(1) if match else ""


def test_a_verified_account_votes_once_per_category(v):
    c = v.voter()
    page = main_text(c.get(v.url()))
    assert v.a1.title in page and "Báo Lào Cai" in page and v.a1.url in page
    assert v.gone.title not in page
    assert "Tác giả" not in page  # authors are not on the ballot
    r = v.cast(c, v.a1)
    assert r.status_code == 302
    assert "your vote is recorded" in text(c.get(v.url()))
    r = v.cast(c, v.a2)
    assert r.status_code == 400
    assert alert(r) == "You have already voted in this category. A vote cannot be changed."
    assert votes_of() == 1 and votes_of(v.a1) == 1
    assert v.cast(c, v.b2).status_code == 302
    assert votes_of() == 2
    page = main_text(c.get(v.url()))
    assert page.count("You have voted in this category.") == 2
    assert 'name="entry_id"' not in page


def test_who_may_not_vote(v, make_user):
    phone_only = v.voter(email=None)
    unconfirmed = v.voter(email_verified_at=None)
    for c in (phone_only, unconfirmed):
        r = v.cast(c, v.a1)
        assert r.status_code == 400
        assert alert(r).startswith("Only accounts with a confirmed e-mail address can vote.")
    juror = v.voter()
    db.session.add(ContestJuror(contest_id=v.contest.id, user_id=juror.user.id))
    db.session.commit()
    assert alert(v.cast(juror, v.a1)) == "Members of the contest's jury do not vote."
    author = client_of(v.app, v.s.authors[0])  # wrote a1
    author.user.email_verified_at = utcnow()
    db.session.commit()
    assert alert(v.cast(author, v.a1)) == "You cannot vote for your own work."
    coauthor = v.voter()
    v.a2.coauthors.append(Coauthor(name="Đồng tác giả", email=coauthor.user.email,
                                   user_id=coauthor.user.id))
    db.session.commit()
    assert alert(v.cast(coauthor, v.a2)) == "You cannot vote for your own work."
    voter = v.voter()
    r = v.cast(voter, v.gone)
    assert r.status_code == 400 and "not on the ballot" in alert(r)
    r = voter.post(v.url(), data={})
    assert r.status_code == 400 and alert(r) == "Choose a work to vote for."
    assert votes_of() == 0
    nobody = anonymous(v.app)
    assert nobody.post(v.url(), data={"entry_id": str(v.a1.id)}).status_code == 302
    assert votes_of() == 0


def test_votes_outside_the_window_are_refused(app, make_user):
    early = Ballot(app, make_user, opens=timedelta(hours=2), closes=timedelta(days=1))
    c = early.voter()
    page = main_text(c.get(early.url()))
    assert "Voting opens at" in page and 'name="entry_id"' not in page
    r = early.cast(c, early.a1)
    assert r.status_code == 400 and alert(r) == "The readers' vote has not opened yet."
    early.close()
    r = early.cast(c, early.a1)
    assert r.status_code == 400 and alert(r) == "The readers' vote has closed."
    assert votes_of() == 0


def test_counts_stay_hidden_until_the_window_closes(v):
    for entry in (v.a1, v.a2, v.a1, v.a2, v.a3, v.b1):
        assert v.cast(v.voter(), entry).status_code == 302
    watcher = v.voter()
    for client in (watcher, anonymous(v.app)):
        page = main_text(client.get(v.url()))
        assert not re.search(r"\d+ votes?\b", page)
        results = main_text(client.get(f"/judging/contests/{v.contest.id}/results"))
        assert "Readers' choice" not in results
    assert votes.counts(v.contest, now()) is None
    assert votes.readers_choice(v.contest, now()) is None
    v.close()
    page = main_text(watcher.get(v.url()))
    assert "2 votes" in page and "1 vote" in page and "Voting closed" in page
    choice = votes.readers_choice(v.contest, now())
    first, second = choice
    assert first.votes == 2 and {e.id for e in first.entries} == {v.a1.id, v.a2.id}
    assert second.votes == 1 and [e.id for e in second.entries] == [v.b1.id]
    results = main_text(watcher.get(f"/judging/contests/{v.contest.id}/results"))
    assert "Readers' choice" in results and "tied" in results
    assert v.a1.title in results and v.a2.title in results and v.a3.title not in results


def test_votes_for_an_entry_disqualified_later_do_not_count(v):
    v.cast(v.voter(), v.a1)
    v.cast(v.voter(), v.a2)
    v.cast(v.voter(), v.a2)
    v.a2.status = EntryStatus.DISQUALIFIED
    db.session.commit()
    v.close()
    (first, _second) = votes.readers_choice(v.contest, now())
    assert [e.id for e in first.entries] == [v.a1.id] and first.votes == 1


def test_a_second_vote_racing_the_first_is_refused_by_the_database(v, monkeypatch):
    c = v.voter()
    assert v.cast(c, v.a1).status_code == 302
    # As if two requests had both passed the check before either wrote its vote.
    monkeypatch.setattr(votes, "my_votes", lambda user, contest: {})
    r = v.cast(c, v.a2)
    assert r.status_code == 400
    assert alert(r) == "You have already voted in this category. A vote cannot be changed."
    assert votes_of() == 1 and votes_of(v.a1) == 1


def test_votes_are_rate_limited(v):
    c = v.voter()
    statuses = [v.cast(c, v.a1).status_code for _ in range(VOTE_LIMIT)]
    assert statuses[0] == 302 and set(statuses[1:]) == {400}
    r = v.cast(c, v.a2)
    assert r.status_code == 429
    assert votes_of() == 1
    # The limit is per account: another voter behind the same address still votes.
    assert v.cast(v.voter(), v.a2).status_code == 302


def test_a_blind_contest_being_judged_shows_no_ballot(app, make_user):
    blind = Ballot(app, make_user, blind=True)
    c = blind.voter()
    assert blind.a1.title in main_text(c.get(blind.url()))
    blind.contest.status = "judging"
    db.session.commit()
    page = main_text(c.get(blind.url()))
    assert "not shown until judging is over" in page
    assert blind.a1.title not in page and "Báo Lào Cai" not in page
    r = blind.cast(c, blind.a1)
    assert r.status_code == 400 and votes_of() == 0


def test_a_contest_without_a_vote_has_no_vote_page(app, make_user):
    s = scene(app, make_user)
    assert app.test_client().get(f"/judging/contests/{s.contest.id}/vote").status_code == 404
    s.contest.status = "draft"
    s.contest.readers_vote = True
    db.session.commit()
    assert app.test_client().get(f"/judging/contests/{s.contest.id}/vote").status_code == 404
