"""Organizer console of the writing contests: contests, categories, status changes, jury, and
who may open each page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from contest.accounts.models import Role
from contest.extensions import db
from contest.writing import contests
from contest.writing.models import (
    Category,
    ContestJuror,
    ContestStatus,
    EntryStatus,
    WritingContest,
)
from tests.web.writing import organizer_kit as kit
from tests.web.writing.organizer_kit import (
    PDF,
    events,
    field_error,
    flashes,
    make_contest,
    make_entry,
    now,
    reload,
    text,
)

organizer = kit.organizer


def contest_form(**changes: str) -> dict[str, str]:
    data = {
        "title": "Giải báo chí Nghệ An 2026",
        "rules": "Tác phẩm đăng từ 1/1/2025.",
        "submission_opens_at": "2026-03-09T08:00",
        "submission_closes_at": "2026-05-31T17:00",
        "publication_from": "2025-01-01",
        "publication_to": "2026-04-30",
        "max_entries_per_author": "3",
        "code_prefix": "bc",
        "blind": "y",
        "allow_prior_awards": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def category_form(**changes) -> dict:  # noqa: ANN003
    data = {
        "name": "Báo in", "medium": "print", "description": "", "min_words": "",
        "max_words": "", "series_allowed": "y", "max_series_parts": "5",
        "accepted_kinds": ["pdf", "docx"], "max_file_mb": "20", "max_files": "5",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def contest_count() -> int:
    return db.session.execute(select(func.count()).select_from(WritingContest)).scalar_one()


# --- contests ------------------------------------------------------------------------------


def test_dashboard_has_the_writing_tile(organizer):
    page = text(organizer.get("/organizer/"))
    assert "Writing contests" in page
    assert "/organizer/writing" in page


def test_organizer_creates_a_contest_in_vietnam_time(organizer):
    assert organizer.get("/organizer/writing/new").status_code == 200
    response = organizer.post("/organizer/writing/new", data=contest_form())
    assert response.status_code == 302
    contest = db.session.execute(select(WritingContest)).scalar_one()
    assert contest.status == ContestStatus.DRAFT
    # 08:00 in Hà Nội is 01:00 UTC
    assert contest.submission_opens_at == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    assert contest.submission_closes_at == datetime(2026, 5, 31, 10, 0, tzinfo=UTC)
    assert contest.code_prefix == "BC"
    assert contest.max_entries_per_author == 3
    assert contest.blind and contest.allow_prior_awards and not contest.jury_may_enter
    assert [e.action for e in events(subject_type="writing_contest")] == [
        "writing_contest.create"]
    page = text(organizer.get(response.headers["Location"]))
    assert "Giải báo chí Nghệ An 2026" in page and "Draft" in page


def test_the_new_contest_form_has_the_defaults(organizer):
    page = text(organizer.get("/organizer/writing/new"))
    assert re.search(r'<input [^>]*name="max_entries_per_author"[^>]*value="3"', page)
    assert re.search(r'<input [^>]*name="code_prefix"[^>]*value="BC"', page)
    jury = re.search(r'<input [^>]*name="jury_may_enter"[^>]*>', page).group(0)
    blind = re.search(r'<input [^>]*name="blind"[^>]*>', page).group(0)
    assert "checked" not in jury and "checked" in blind


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Enter a title."),
    ({"submission_closes_at": "2026-03-01T08:00"}, "submission_closes_at",
     "Entries must close after they open."),
    ({"publication_to": "2024-12-31"}, "publication_to",
     "The end of the publication period must not be before its start."),
    ({"publication_from": "2026-06-01", "publication_to": "2026-07-01"}, "publication_from",
     "The publication period must start before entries close."),
    ({"max_entries_per_author": "0"}, "max_entries_per_author",
     "Allow from 1 to 20 entries per author."),
    ({"code_prefix": "B-C"}, "code_prefix", "Use 1 to 8 capital letters or digits"),
    ({"submission_opens_at": "09/03/2026"}, "submission_opens_at", ""),
])
def test_bad_contest_input_is_refused_and_nothing_saved(organizer, changes, field, message):
    response = organizer.post("/organizer/writing/new", data=contest_form(**changes))
    assert response.status_code == 400
    assert field_error(response, field).startswith(message)
    assert field_error(response, field)
    assert contest_count() == 0


def test_editing_a_contest(organizer):
    contest = make_contest(status="draft")
    page = text(organizer.get(f"/organizer/writing/{contest.id}/edit"))
    assert contest.title in page
    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=contest_form(title="Giải mới", max_entries_per_author="5"))
    assert response.status_code == 302
    contest = reload(WritingContest, contest.id)
    assert contest.title == "Giải mới" and contest.max_entries_per_author == 5
    event = events("writing_contest.update")[0]
    assert "title" in event.details["changed"]


def _form_of(contest: WritingContest, **changes: str) -> dict[str, str]:
    def local(value: datetime) -> str:
        return (value + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")

    data = contest_form(
        title=contest.title, submission_opens_at=local(contest.submission_opens_at),
        submission_closes_at=local(contest.submission_closes_at),
        publication_from=contest.publication_from.isoformat(),
        publication_to=contest.publication_to.isoformat(), code_prefix=contest.code_prefix,
        max_entries_per_author=str(contest.max_entries_per_author),
    )
    data.update(changes)
    return data


def test_after_entries_the_window_may_only_grow(app, organizer, make_user):
    contest = make_contest()
    make_entry(app, contest, contest.categories[0], make_user(Role.JOURNALIST))
    closes = contest.submission_closes_at
    local_close = closes + timedelta(hours=7)

    earlier = (local_close - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=_form_of(contest, submission_closes_at=earlier))
    assert response.status_code == 400
    assert "not open later or close earlier" in field_error(response, "submission_closes_at")
    assert reload(WritingContest, contest.id).submission_closes_at == closes

    narrower = _form_of(contest, publication_from="2024-06-01")
    response = organizer.post(f"/organizer/writing/{contest.id}/edit", data=narrower)
    assert response.status_code == 400
    assert "may only grow" in field_error(response, "publication_from")

    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=_form_of(contest, code_prefix="XY"))
    assert response.status_code == 400
    assert "can no longer change" in field_error(response, "code_prefix")

    later = (local_close + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=_form_of(contest, submission_closes_at=later))
    assert response.status_code == 302
    assert reload(WritingContest, contest.id).submission_closes_at == \
        closes.replace(second=0) + timedelta(days=7)
    event = events("writing_contest.update")[-1]
    assert "submission_closes_at" in event.details


def test_a_closed_contest_keeps_its_rules_but_not_its_title(app, organizer):
    contest = make_contest(status="closed")
    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=_form_of(contest, max_entries_per_author="9"))
    assert response.status_code == 400
    assert "only its title, rules text" in text(response)
    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=_form_of(contest, title="Tên mới"))
    assert response.status_code == 302
    assert reload(WritingContest, contest.id).title == "Tên mới"


def test_clone_copies_settings_and_categories_as_a_draft(organizer):
    contest = make_contest(categories=2, status="published", max_entries_per_author=4,
                           opens=timedelta(days=-400), closes=timedelta(days=-300))
    response = organizer.post(f"/organizer/writing/{contest.id}/clone")
    assert response.status_code == 302
    clone = db.session.execute(
        select(WritingContest).where(WritingContest.id != contest.id)).scalar_one()
    assert response.headers["Location"].endswith(f"/organizer/writing/{clone.id}/edit")
    assert clone.status == ContestStatus.DRAFT
    assert clone.title == f"{contest.title} (copy)"
    assert clone.max_entries_per_author == 4
    assert [c.name for c in clone.categories] == [c.name for c in contest.categories]
    assert clone.categories[0].accepted_kinds == ["pdf", "docx", "jpeg"]
    # The window moved forward by whole years so that it opens in the future.
    assert clone.submission_opens_at > now()
    assert (clone.submission_opens_at - contest.submission_opens_at).days in (365, 366, 730, 731)
    assert events("writing_contest.clone")[0].details["source"] == contest.id



# --- the readers' vote ----------------------------------------------------------------------


def test_setting_the_readers_vote_saves_its_window_in_vietnam_time(organizer):
    contest = make_contest(status="draft")
    page = text(organizer.get(f"/organizer/writing/{contest.id}/edit"))
    assert "no votes are taken from the start of judging" in page
    response = organizer.post(f"/organizer/writing/{contest.id}/edit", data=_form_of(
        contest, readers_vote="y", vote_opens_at="2026-06-01T08:00",
        vote_closes_at="2026-06-15T17:00"))
    assert response.status_code == 302
    contest = reload(WritingContest, contest.id)
    assert contest.readers_vote
    assert contest.vote_opens_at == datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
    assert contest.vote_closes_at == datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
    event = events("writing_contest.update")[-1]
    assert {"readers_vote", "vote_opens_at", "vote_closes_at"} <= set(event.details["changed"])
    assert event.details["vote_opens_at"] == [None, "2026-06-01T01:00:00+00:00"]
    # The edit form shows the window back in Vietnam time, and the contest page shows it.
    page = text(organizer.get(f"/organizer/writing/{contest.id}/edit"))
    assert re.search(r'<input [^>]*name="vote_opens_at"[^>]*value="2026-06-01T08:00"', page)
    page = text(organizer.get(f"/organizer/writing/{contest.id}"))
    assert "Readers' vote" in page
    assert "Not shown while the blind judging is under way." in page


def test_readers_vote_without_a_window_is_refused_and_changes_nothing(organizer):
    contest = make_contest(status="draft")
    before = contests.ContestSettings.of(contest)
    response = organizer.post(f"/organizer/writing/{contest.id}/edit", data=_form_of(
        contest, title="Tên mới", readers_vote="y", vote_opens_at="", vote_closes_at=""))
    assert response.status_code == 400
    assert field_error(response, "vote_opens_at").startswith(
        "Enter when the readers' vote opens")
    assert "vote closes" in field_error(response, "vote_closes_at")
    assert contests.ContestSettings.of(reload(WritingContest, contest.id)) == before
    assert events("writing_contest.update") == []

    response = organizer.post("/organizer/writing/new", data=contest_form(readers_vote="y"))
    assert response.status_code == 400
    assert "vote opens" in field_error(response, "vote_opens_at")
    assert contest_count() == 1


def test_a_vote_closing_before_it_opens_is_refused(organizer):
    contest = make_contest(status="draft")
    response = organizer.post(f"/organizer/writing/{contest.id}/edit", data=_form_of(
        contest, readers_vote="y", vote_opens_at="2026-06-15T17:00",
        vote_closes_at="2026-06-15T17:00"))
    assert response.status_code == 400
    assert "must close after it opens" in field_error(response, "vote_closes_at")
    contest = reload(WritingContest, contest.id)
    assert not contest.readers_vote and contest.vote_opens_at is None
    assert contest.vote_closes_at is None


def test_an_opened_vote_stays_on(organizer):
    start = now()
    contest = make_contest(status="closed", readers_vote=True,
                           vote_opens_at=start - timedelta(days=1),
                           vote_closes_at=start + timedelta(days=5))
    response = organizer.post(f"/organizer/writing/{contest.id}/edit",
                              data=_form_of(contest, vote_opens_at="", vote_closes_at=""))
    assert response.status_code == 400
    assert "has opened" in field_error(response, "readers_vote")
    assert reload(WritingContest, contest.id).readers_vote



def test_the_public_pages_link_to_the_vote_and_the_results(login_as):
    start = now()
    contest = make_contest(readers_vote=True, vote_opens_at=start + timedelta(days=21),
                           vote_closes_at=start + timedelta(days=30))
    plain = make_contest(title="Không bình chọn")
    journalist = login_as(Role.JOURNALIST)
    journalist.set_cookie("lang", "en")
    page = text(journalist.get(f"/writing/contests/{contest.id}"))
    assert f'href="/judging/contests/{contest.id}/vote"' in page
    assert f'href="/judging/contests/{contest.id}/results"' in page
    page = text(journalist.get(f"/writing/contests/{plain.id}"))
    assert "/vote" not in page and f'href="/judging/contests/{plain.id}/results"' in page
    assert 'href="/judging/my-results"' in text(journalist.get("/writing/entries"))


# --- status ---------------------------------------------------------------------------------


def move(client, contest, to: str):  # noqa: ANN001, ANN201
    return client.post(f"/organizer/writing/{contest.id}/status",
                       data={"to": to, "confirmed": "1", "understood": "1"},
                       follow_redirects=True)


def test_a_contest_cannot_open_without_a_category(organizer):
    contest = make_contest(status="draft", categories=0)
    response = move(organizer, contest, "open")
    assert "Add at least one category before opening the contest." in flashes(response)
    assert reload(WritingContest, contest.id).status == ContestStatus.DRAFT


def test_a_contest_cannot_open_after_its_window(organizer):
    contest = make_contest(status="draft", opens=timedelta(days=-20), closes=timedelta(days=-1))
    response = move(organizer, contest, "open")
    assert any("The closing time has passed" in m for m in flashes(response))
    assert reload(WritingContest, contest.id).status == ContestStatus.DRAFT


def test_life_cycle_with_guards(app, organizer, make_user):
    contest = make_contest(status="draft")
    assert "The contest is open." in flashes(move(organizer, contest, "open"))
    assert reload(WritingContest, contest.id).status == ContestStatus.OPEN

    # Nobody entered yet: it may go back to draft, and open again.
    assert "The contest is a draft again." in flashes(move(organizer, contest, "draft"))
    move(organizer, contest, "open")

    # Judging and publishing need the steps before them.
    assert "Close the contest before judging starts." in flashes(move(organizer, contest,
                                                                      "judging"))
    assert "Only a contest being judged can be published." in flashes(
        move(organizer, contest, "publish"))

    make_entry(app, contest, contest.categories[0], make_user(Role.JOURNALIST))
    assert any("cannot go back to draft" in m for m in flashes(move(organizer, contest,
                                                                    "draft")))

    before = now()
    assert any("closed" in m for m in flashes(move(organizer, contest, "close")))
    contest = reload(WritingContest, contest.id)
    assert contest.status == ContestStatus.CLOSED
    # Closing before the end of the window ends it now.
    assert before - timedelta(seconds=5) <= contest.submission_closes_at <= now() + \
        timedelta(seconds=5)

    assert "Judging has started." in flashes(move(organizer, contest, "judging"))
    assert "The contest is published." in flashes(move(organizer, contest, "publish"))
    assert reload(WritingContest, contest.id).status == ContestStatus.PUBLISHED
    actions = [e.action for e in events(subject_type="writing_contest")]
    assert actions[-3:] == ["writing_contest.closed", "writing_contest.judging",
                            "writing_contest.published"]


def test_judging_needs_a_submitted_entry(app, organizer, make_user):
    contest = make_contest(status="closed")
    make_entry(app, contest, contest.categories[0], make_user(Role.JOURNALIST),
               status=EntryStatus.DRAFT)
    response = move(organizer, contest, "judging")
    assert "No entry was submitted: there is nothing to judge." in flashes(response)
    assert reload(WritingContest, contest.id).status == ContestStatus.CLOSED


def test_closing_before_the_window_begins_is_refused(organizer):
    contest = make_contest(opens=timedelta(days=2), closes=timedelta(days=9))
    response = move(organizer, contest, "close")
    assert any("Entries have not opened yet" in m for m in flashes(response))
    assert reload(WritingContest, contest.id).status == ContestStatus.OPEN


def test_closing_after_the_window_keeps_its_end(organizer):
    contest = make_contest(opens=timedelta(days=-9), closes=timedelta(days=-1))
    end = contest.submission_closes_at
    move(organizer, contest, "close")
    contest = reload(WritingContest, contest.id)
    assert contest.status == ContestStatus.CLOSED and contest.submission_closes_at == end


def test_unknown_transition_is_a_bad_request(organizer):
    contest = make_contest()
    assert organizer.post(f"/organizer/writing/{contest.id}/status",
                          data={"to": "nowhere"}).status_code == 400


# --- categories ----------------------------------------------------------------------------


def test_organizer_adds_and_edits_a_category(organizer):
    contest = make_contest(status="draft", categories=0)
    assert organizer.get(f"/organizer/writing/{contest.id}/categories/new").status_code == 200
    response = organizer.post(f"/organizer/writing/{contest.id}/categories/new",
                              data=category_form(min_words="800", max_words="3000",
                                                 file_required="y"))
    assert response.status_code == 302
    category = db.session.execute(select(Category)).scalar_one()
    assert (category.name, category.medium, category.min_words, category.max_words) == \
        ("Báo in", "print", 800, 3000)
    assert category.accepted_kinds == ["pdf", "docx"]
    assert category.file_required and category.series_allowed
    assert category.max_series_parts == 5

    url = f"/organizer/writing/{contest.id}/categories/{category.id}"
    assert "Báo in" in text(organizer.get(url))
    response = organizer.post(url, data=category_form(name="Ảnh báo chí", medium="photo",
                                                      accepted_kinds=["jpeg", "png"],
                                                      series_allowed=None))
    assert response.status_code == 302
    category = reload(Category, category.id)
    assert (category.name, category.medium, category.accepted_kinds, category.series_allowed) \
        == ("Ảnh báo chí", "photo", ["jpeg", "png"], False)
    assert [e.action for e in events(subject_type="writing_category")] == [
        "writing_category.create", "writing_category.update"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter the name."),
    ({"min_words": "3000", "max_words": "800"}, "max_words",
     "The most words must not be fewer than the fewest."),
    ({"min_words": "0"}, "min_words", "Enter a number from 1"),
    ({"max_series_parts": "50"}, "max_series_parts", "Allow from 1 to 20 parts."),
    ({"file_required": "y", "accepted_kinds": []}, "accepted_kinds",
     "A file is required: tick at least one kind of file."),
    ({"file_required": "y", "max_files": "0"}, "max_files",
     "A file is required: allow at least one file per entry."),
    ({"max_file_mb": "0"}, "max_file_mb", "Enter 1 to 2048 MB."),
    ({"medium": "cinema"}, "medium", ""),
    ({"accepted_kinds": ["exe"]}, "accepted_kinds", ""),
])
def test_bad_category_input_is_refused(organizer, changes, field, message):
    contest = make_contest(status="draft", categories=0)
    response = organizer.post(f"/organizer/writing/{contest.id}/categories/new",
                              data=category_form(**changes))
    assert response.status_code == 400
    assert field_error(response, field).startswith(message)
    assert field_error(response, field)
    assert db.session.execute(select(func.count()).select_from(Category)).scalar_one() == 0


def test_category_names_are_unique_in_a_contest(organizer):
    contest = make_contest(status="draft")
    response = organizer.post(f"/organizer/writing/{contest.id}/categories/new",
                              data=category_form(name=" báo in "))
    assert response.status_code == 400
    assert field_error(response, "name") == "Another category of this contest has this name."


def test_a_category_with_entries_cannot_be_removed(app, organizer, make_user):
    contest = make_contest(categories=2)
    used, unused = contest.categories
    make_entry(app, contest, used, make_user(Role.JOURNALIST), status=EntryStatus.WITHDRAWN)
    response = organizer.post(
        f"/organizer/writing/{contest.id}/categories/{used.id}/remove", follow_redirects=True)
    assert "This category has 1 entries: it cannot be removed." in flashes(response)
    assert reload(Category, used.id) is not None

    response = organizer.post(
        f"/organizer/writing/{contest.id}/categories/{unused.id}/remove", follow_redirects=True)
    assert "Category removed." in flashes(response)
    assert reload(Category, unused.id) is None
    assert events("writing_category.delete")[0].subject_id == str(unused.id)


def test_an_open_contest_keeps_one_category(organizer):
    contest = make_contest()
    only = contest.categories[0]
    response = organizer.post(
        f"/organizer/writing/{contest.id}/categories/{only.id}/remove", follow_redirects=True)
    assert "An open contest keeps at least one category." in flashes(response)
    assert reload(Category, only.id) is not None


def test_categories_are_locked_once_closed(organizer):
    contest = make_contest(status="closed")
    category = contest.categories[0]
    response = organizer.post(f"/organizer/writing/{contest.id}/categories/{category.id}",
                              data=category_form(name="Khác"))
    assert response.status_code == 400
    assert "its categories can no longer change" in text(response)
    assert reload(Category, category.id).name == "Báo in"


def test_category_of_another_contest_is_404(organizer):
    one, other = make_contest(), make_contest("Khác")
    url = f"/organizer/writing/{one.id}/categories/{other.categories[0].id}"
    assert organizer.get(url).status_code == 404
    assert organizer.post(url + "/remove").status_code == 404


# --- jury ----------------------------------------------------------------------------------


def test_jury_members_are_added_by_email_and_removed(organizer, make_user):
    contest = make_contest()
    judge = make_user(Role.JUDGE, email="Giam.Khao@example.org", full_name="Trần Văn Bình")
    response = organizer.post(f"/organizer/writing/{contest.id}/jury",
                              data={"email": " giam.khao@EXAMPLE.org "}, follow_redirects=True)
    assert "Trần Văn Bình is on the jury." in flashes(response)
    assert db.session.get(ContestJuror, (contest.id, judge.id)) is not None
    assert "Trần Văn Bình" in text(organizer.get(f"/organizer/writing/{contest.id}/jury"))

    response = organizer.post(f"/organizer/writing/{contest.id}/jury",
                              data={"email": "giam.khao@example.org"})
    assert response.status_code == 400
    assert field_error(response, "email") == "This person is already on the jury."

    response = organizer.post(f"/organizer/writing/{contest.id}/jury/{judge.id}/remove",
                              follow_redirects=True)
    assert "Removed from the jury." in flashes(response)
    assert reload(ContestJuror, (contest.id, judge.id)) is None
    assert [e.action for e in events(subject_type="writing_contest")][-2:] == [
        "writing_jury.add", "writing_jury.remove"]


def test_jury_refusals(app, organizer, make_user):
    contest = make_contest()
    response = organizer.post(f"/organizer/writing/{contest.id}/jury",
                              data={"email": "nobody@example.org"})
    assert response.status_code == 400
    assert field_error(response, "email") == "No account has this e-mail address."

    author = make_user(Role.JOURNALIST, Role.JUDGE)
    make_entry(app, contest, contest.categories[0], author)
    response = organizer.post(f"/organizer/writing/{contest.id}/jury",
                              data={"email": author.email})
    assert response.status_code == 400
    assert field_error(response, "email") == ("This person has entered the contest, and jury "
                                              "members may not enter.")
    assert db.session.execute(select(func.count()).select_from(ContestJuror)).scalar_one() == 0


def test_jury_member_without_judge_role_is_marked(organizer, make_user):
    contest = make_contest()
    person = make_user(Role.JOURNALIST)
    organizer.post(f"/organizer/writing/{contest.id}/jury", data={"email": person.email})
    assert "no judge role" in text(organizer.get(f"/organizer/writing/{contest.id}/jury"))


def test_jury_may_enter_cannot_be_switched_off_under_jurors_with_entries(app, organizer,
                                                                          make_user):
    contest = make_contest(jury_may_enter=True)
    author = make_user(Role.JOURNALIST, Role.JUDGE)
    make_entry(app, contest, contest.categories[0], author)
    organizer.post(f"/organizer/writing/{contest.id}/jury", data={"email": author.email})
    assert db.session.get(ContestJuror, (contest.id, author.id)) is not None
    data = _form_of(contest, jury_may_enter=None)
    data.pop("jury_may_enter", None)
    response = organizer.post(f"/organizer/writing/{contest.id}/edit", data=data)
    assert response.status_code == 400
    assert "Some jury members have entered this contest" in field_error(response,
                                                                        "jury_may_enter")


# --- the service on its own -----------------------------------------------------------------


def test_settings_problems_are_codes():
    start = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    settings = contests.ContestSettings(
        title=" ", submission_opens_at=start, submission_closes_at=start,
        publication_from=date(2026, 2, 1), publication_to=date(2026, 1, 1),
        max_entries_per_author=0, code_prefix="bc-1")
    assert [p.code for p in contests.settings_problems(settings)] == [
        "contest_title_missing", "closes_before_opens", "publication_order", "cap_out_of_range",
        "bad_code_prefix"]


def test_vote_settings_problems_are_codes():
    start = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    settings = contests.ContestSettings(
        title="x", submission_opens_at=start, submission_closes_at=start + timedelta(days=30),
        publication_from=date(2026, 1, 1), publication_to=date(2026, 2, 1), readers_vote=True)
    assert [p.code for p in contests.settings_problems(settings)] == [
        "vote_opens_missing", "vote_closes_missing"]
    settings.vote_opens_at = settings.vote_closes_at = start
    assert [(p.code, p.field) for p in contests.settings_problems(settings)] == [
        ("vote_closes_before_opens", "vote_closes_at")]


def test_category_settings_keep_kinds_in_a_stable_order():
    settings = contests.CategorySettings(name="x", medium="print",
                                         accepted_kinds=["png", "pdf", "png"]).normalised()
    assert settings.accepted_kinds == ["pdf", "png"]


# --- who may open the pages ----------------------------------------------------------------


def _routes(app, make_user) -> list[tuple[str, str]]:
    contest = make_contest()
    category = contest.categories[0]
    entry = make_entry(app, contest, category, make_user(Role.JOURNALIST),
                       files=[("bai.pdf", PDF, "pdf")])
    file_id = entry.files[0].id
    juror = make_user(Role.JUDGE)
    db.session.add(ContestJuror(contest_id=contest.id, user_id=juror.id))
    db.session.commit()
    c, k, e = contest.id, category.id, entry.id
    return [
        ("GET", "/organizer/writing"),
        ("GET", "/organizer/writing/new"),
        ("POST", "/organizer/writing/new"),
        ("GET", f"/organizer/writing/{c}"),
        ("GET", f"/organizer/writing/{c}/edit"),
        ("POST", f"/organizer/writing/{c}/edit"),
        ("POST", f"/organizer/writing/{c}/clone"),
        ("POST", f"/organizer/writing/{c}/status"),
        ("GET", f"/organizer/writing/{c}/categories/new"),
        ("POST", f"/organizer/writing/{c}/categories/new"),
        ("GET", f"/organizer/writing/{c}/categories/{k}"),
        ("POST", f"/organizer/writing/{c}/categories/{k}"),
        ("POST", f"/organizer/writing/{c}/categories/{k}/remove"),
        ("GET", f"/organizer/writing/{c}/jury"),
        ("POST", f"/organizer/writing/{c}/jury"),
        ("POST", f"/organizer/writing/{c}/jury/{juror.id}/remove"),
        ("GET", f"/organizer/writing/{c}/entries"),
        ("GET", f"/organizer/writing/{c}/entries.csv"),
        ("GET", f"/organizer/writing/{c}/entries.xlsx"),
        ("GET", f"/organizer/writing/{c}/categories/{k}/files.zip"),
        ("GET", f"/organizer/writing/entries/{e}"),
        ("GET", f"/organizer/writing/entries/{e}/files/{file_id}"),
        ("POST", f"/organizer/writing/entries/{e}/disqualify"),
        ("POST", f"/organizer/writing/entries/{e}/reinstate"),
        ("GET", f"/organizer/writing/entries/{e}/edit"),
        ("POST", f"/organizer/writing/entries/{e}/edit"),
        ("POST", f"/organizer/writing/entries/{e}/files/{file_id}/remove"),
        ("GET", f"/organizer/writing/entries/{e}/history"),
        ("POST", f"/organizer/writing/entries/{e}/words"),
    ]


def _every_writing_route_is_listed(app, routes) -> None:
    adapter = app.url_map.bind("localhost")
    listed = {adapter.match(url, method=method)[0] for method, url in routes}
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("writing_console.")}
    assert listed == endpoints


@pytest.mark.parametrize("roles", [(), (Role.JOURNALIST,), (Role.JUDGE,),
                                   (Role.UNIT_COORDINATOR,)],
                         ids=["entrant", "journalist", "judge", "coordinator"])
def test_other_accounts_get_403_everywhere(app, login_as, make_user, roles):
    routes = _routes(app, make_user)
    _every_writing_route_is_listed(app, routes)
    client = login_as(*roles)
    for method, url in routes:
        response = client.open(url, method=method, data={"to": "open", "reason": "x",
                                                          "email": "a@example.org"})
        assert response.status_code == 403, (method, url)
    assert contest_count() == 1
    # Nothing was done by anyone who signed in.
    assert all(e.actor_id is None for e in events())


def test_anonymous_is_sent_to_login_everywhere(app, client, make_user):
    for method, url in _routes(app, make_user):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"], (method, url)


def test_organizer_opens_every_page(app, organizer, make_user):
    for method, url in _routes(app, make_user):
        if method == "GET":
            response = organizer.get(url)
            assert response.status_code == 200, url
            response.close()


def test_unknown_contest_and_entry_are_404(organizer):
    for url in ("/organizer/writing/999", "/organizer/writing/999/edit",
                "/organizer/writing/999/entries", "/organizer/writing/999/jury",
                "/organizer/writing/entries/999", "/organizer/writing/entries/999/history"):
        assert organizer.get(url).status_code == 404, url
