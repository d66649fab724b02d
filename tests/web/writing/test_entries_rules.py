"""Every eligibility rule of a writing contest, through the journalist's pages, at its edge."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

from datetime import date, timedelta

import pytest

from contest.accounts.models import Role
from contest.extensions import db
from contest.writing.models import ContestJuror, Entry, EntryStatus
from tests.web.writing.entrykit import (  # noqa: F401
    CLOSES,
    OPENS,
    PUBLISHED_FROM,
    PUBLISHED_TO,
    category,
    coauthor_rows,
    contest,
    count,
    docx_bytes,
    draft_entry,
    edit_entry,
    entries,
    entry_form,
    entry_id_from,
    main_text,
    mp3_bytes,
    new_entry,
    people,
    reload,
    series_rows,
    submitted_entry,
    text,
    verified,
    words,
)

SECOND = timedelta(seconds=1)


def submit(client, entry_id: int):  # noqa: ANN001, ANN201
    return client.post(f"/writing/entries/{entry_id}/submit")


# --- the submission window ------------------------------------------------------------------


def test_submitting_in_the_last_second_before_the_deadline_is_accepted(people, contest, clock):
    entry = draft_entry(people.author, contest)
    clock.now = CLOSES - SECOND
    response = submit(people.author, entry.id)
    assert response.status_code == 302
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.SUBMITTED
    assert entry.submitted_at == CLOSES - SECOND


def test_submitting_at_the_exact_deadline_second_is_refused(people, contest, clock):
    entry = draft_entry(people.author, contest)
    clock.now = CLOSES
    response = submit(people.author, entry.id)
    assert response.status_code == 400
    assert "The deadline has passed" in main_text(response)
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.DRAFT
    assert entry.receipt_code is None and entry.anon_code is None


def test_a_new_entry_at_the_deadline_is_refused_and_nothing_is_stored(people, contest, clock):
    clock.now = CLOSES
    response = new_entry(people.author, contest,
                         entry_form(category(contest, "print"), action="submit"))
    assert response.status_code == 400
    assert count(Entry) == 0


def test_submitting_before_the_opening_is_refused_but_a_draft_may_be_started(
        people, contest, clock):
    clock.now = OPENS - SECOND
    entry = draft_entry(people.author, contest)
    assert submit(people.author, entry.id).status_code == 400
    assert reload(Entry, entry.id).status == EntryStatus.DRAFT
    clock.now = OPENS
    assert submit(people.author, entry.id).status_code == 302
    assert reload(Entry, entry.id).status == EntryStatus.SUBMITTED


def test_the_author_cannot_edit_at_the_deadline_second(people, contest, clock):
    entry = submitted_entry(people.author, contest)
    clock.now = CLOSES - SECOND
    ok = edit_entry(people.author, entry.id,
                    entry_form(category(contest, "print"), title="Sửa lần cuối"))
    assert ok.status_code == 302
    clock.now = CLOSES
    late = edit_entry(people.author, entry.id,
                      entry_form(category(contest, "print"), title="Sửa quá hạn"))
    assert late.status_code == 400
    assert "Only the organizers can change the entry now" in main_text(late)
    assert reload(Entry, entry.id).title == "Sửa lần cuối"
    # The edit page itself sends the author back to the entry.
    assert people.author.get(f"/writing/entries/{entry.id}/edit").status_code == 302


# --- the publication window -------------------------------------------------------------------


@pytest.mark.parametrize("day, accepted", [
    (PUBLISHED_FROM, True),
    (PUBLISHED_TO, True),
    (PUBLISHED_FROM - timedelta(days=1), False),
    (PUBLISHED_TO + timedelta(days=1), False),
])
def test_publication_date_must_be_inside_the_window_both_ends_included(
        people, contest, clock, day, accepted):
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", published_on=day.isoformat()))
    if accepted:
        assert response.status_code == 302
        assert entries()[0].status == EntryStatus.SUBMITTED
    else:
        assert response.status_code == 400
        assert "it must have been published between" in main_text(response)
        assert count(Entry) == 0


def test_a_missing_publication_date_stops_submission(people, contest, clock):
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", published_on=""))
    assert response.status_code == 400
    assert "Enter the date the work was published" in main_text(response)


# --- series -------------------------------------------------------------------------------------


INSIDE = "2025-05-01"
BEFORE = (PUBLISHED_FROM - timedelta(days=3)).isoformat()


@pytest.mark.parametrize("dates, accepted", [
    ((INSIDE, INSIDE, BEFORE), True),  # 2 of 3: exactly two thirds
    ((INSIDE, BEFORE, BEFORE), False),  # 1 of 3
    ((INSIDE, INSIDE, INSIDE, BEFORE), True),  # 3 of 4
    ((INSIDE, INSIDE, INSIDE, BEFORE, BEFORE), False),  # 3 of 5 is less than two thirds
    ((INSIDE, INSIDE, INSIDE, INSIDE, BEFORE), True),  # 4 of 5
])
def test_a_series_needs_two_thirds_of_its_parts_inside_the_window(
        people, contest, clock, dates, accepted):
    parts = [(f"Kỳ {n + 1}", day) for n, day in enumerate(dates)]
    form = entry_form(category(contest, "print"), action="submit", published_on="",
                      **series_rows(*parts))
    response = new_entry(people.author, contest, form)
    if accepted:
        assert response.status_code == 302, main_text(response)[:2000]
        entry = entries()[0]
        assert entry.is_series and len(entry.parts) == len(dates)
        assert [p.position for p in entry.parts] == list(range(1, len(dates) + 1))
    else:
        assert response.status_code == 400
        assert "At least two thirds of the parts" in main_text(response)
        assert count(Entry) == 0


def test_a_series_has_two_to_the_categorys_maximum_parts(people, contest, clock):
    cat = category(contest, "print")
    cat.max_series_parts = 3
    db.session.commit()
    one = new_entry(people.author, contest, entry_form(
        cat, action="submit", **series_rows(("Kỳ 1", INSIDE))))
    assert one.status_code == 400 and "A series has at least 2 parts" in main_text(one)
    four = new_entry(people.author, contest, entry_form(
        cat, action="submit", **series_rows(*[(f"Kỳ {n}", INSIDE) for n in range(1, 5)])))
    assert four.status_code == 400 and "A series has at most 3 parts" in main_text(four)
    assert count(Entry) == 0


def test_a_category_without_series_refuses_one(people, contest, clock):
    form = entry_form(category(contest, "online"), action="submit",
                      **series_rows(("Kỳ 1", INSIDE), ("Kỳ 2", INSIDE)))
    response = new_entry(people.author, contest, form)
    assert response.status_code == 400
    assert "This category does not accept series" in main_text(response)


# --- entries per author, co-authored entries included ---------------------------------------


def test_the_cap_counts_co_authored_entries(people, contest, clock, login_as):
    colleague = login_as(Role.JOURNALIST, **verified(full_name="Phan Minh Châu",
                                                     email="chau.phan@example.org"))
    # The cap is 2. The author has one entry of her own and is co-author of a colleague's.
    submitted_entry(people.author, contest, title="Bài riêng")
    submitted_entry(colleague, contest, title="Bài chung",
                    **coauthor_rows(("Trần Thị Mai", people.author.user.email)))
    third = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", title="Bài thứ ba"))
    assert third.status_code == 400
    page = main_text(third)
    assert "Trần Thị Mai already has 2 submitted entries" in page
    assert "the limit is 2 per author" in page
    assert count(Entry) == 2

    # Naming her as a co-author is refused too: the entry would count for her.
    other = new_entry(colleague, contest, entry_form(
        category(contest, "print"), action="submit", title="Bài khác",
        **coauthor_rows(("Trần Thị Mai", people.author.user.email))))
    assert other.status_code == 400
    assert "Trần Thị Mai already has 2 submitted entries" in main_text(other)


def test_a_draft_and_a_withdrawn_entry_do_not_count_towards_the_cap(people, contest, clock):
    first = submitted_entry(people.author, contest, title="Một")
    draft_entry(people.author, contest, title="Nháp")
    submitted_entry(people.author, contest, title="Hai")
    refused = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", title="Ba"))
    assert refused.status_code == 400
    assert people.author.post(f"/writing/entries/{first.id}/withdraw").status_code == 302
    again = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", title="Ba"))
    assert again.status_code == 302


def test_adding_a_co_author_who_is_at_the_cap_to_a_submitted_entry_is_refused(
        people, contest, clock, login_as):
    colleague = login_as(Role.JOURNALIST, **verified(full_name="Phan Minh Châu",
                                                     email="chau.phan@example.org"))
    submitted_entry(colleague, contest, title="Một")
    submitted_entry(colleague, contest, title="Hai")
    entry = submitted_entry(people.author, contest, title="Của Mai")
    response = edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), title="Của Mai",
        **coauthor_rows(("Phan Minh Châu", "chau.phan@example.org"))))
    assert response.status_code == 400
    assert "Phan Minh Châu already has 2 submitted entries" in main_text(response)
    assert reload(Entry, entry.id).coauthors == []


# --- the jury -----------------------------------------------------------------------------------


def test_a_jury_member_may_not_enter_nor_be_a_co_author(people, contest, clock, login_as):
    juror = login_as(Role.JOURNALIST, **verified(full_name="Hồ Thị Thu",
                                                 email="thu.ho@example.org"))
    db.session.add(ContestJuror(contest_id=contest.id, user_id=juror.user.id))
    db.session.commit()
    own = new_entry(juror, contest, entry_form(category(contest, "print"), action="submit"))
    assert own.status_code == 400
    assert "jury members may not enter this contest" in main_text(own)
    shared = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit",
        **coauthor_rows(("Hồ Thị Thu", "thu.ho@example.org"))))
    assert shared.status_code == 400
    assert count(Entry) == 0
    contest.jury_may_enter = True
    db.session.commit()
    assert new_entry(juror, contest, entry_form(
        category(contest, "print"), action="submit")).status_code == 302


# --- the category's requirements --------------------------------------------------------------


@pytest.mark.parametrize("n, accepted, message", [
    (19, False, "The typed text has 19 words; this category takes 20 to 200 words."),
    (20, True, ""),
    (200, True, ""),
    (201, False, "The typed text has 201 words; this category takes 20 to 200 words."),
])
def test_word_limits_of_the_category(people, contest, clock, n, accepted, message):
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", body_source=words(n)))
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert message in main_text(response)


def test_words_are_counted_from_a_word_file_when_no_text_is_typed(people, contest, clock):
    short = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", body_source=""),
        [(docx_bytes(words(10)), "bai.docx")])
    assert short.status_code == 400
    assert "bai.docx: 10 words; this category takes 20 to 200 words." in main_text(short)
    assert count(Entry) == 0
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", body_source=""),
        [(docx_bytes(words(120)), "bai.docx")])
    assert response.status_code == 302
    assert entries()[0].word_count == 120


def test_a_text_category_needs_the_text_or_a_file(people, contest, clock):
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", body_source=""))
    assert response.status_code == 400
    assert "Paste the text of the work or upload it as a file" in main_text(response)


def test_the_online_category_needs_a_link(people, contest, clock):
    response = new_entry(people.author, contest, entry_form(
        category(contest, "online"), action="submit", url=""))
    assert response.status_code == 400
    assert "This category needs a link to the published work" in main_text(response)
    assert new_entry(people.author, contest, entry_form(
        category(contest, "online"), action="submit")).status_code == 302


def test_the_radio_category_needs_a_file(people, contest, clock):
    form = entry_form(category(contest, "radio"), action="submit", body_source="")
    response = new_entry(people.author, contest, form)
    assert response.status_code == 400
    assert "This category needs a file of the work" in main_text(response)
    assert new_entry(people.author, contest, form, [(mp3_bytes(), "phong-su.mp3")]
                     ).status_code == 302


# --- prior awards -----------------------------------------------------------------------------


def test_a_work_that_won_an_award_must_name_it(people, contest, clock):
    unnamed = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", has_prior_award="y", prior_award=""))
    assert unnamed.status_code == 400
    assert "Say which award the work won" in main_text(unnamed)
    named = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", has_prior_award="y",
        prior_award="Giải C, Giải báo chí tỉnh Nghệ An 2025"))
    assert named.status_code == 302
    assert entries()[0].prior_award == "Giải C, Giải báo chí tỉnh Nghệ An 2025"


def test_a_contest_may_refuse_works_that_won_another_award(people, contest, clock):
    contest.allow_prior_awards = False
    db.session.commit()
    response = new_entry(people.author, contest, entry_form(
        category(contest, "print"), action="submit", has_prior_award="y",
        prior_award="Giải B báo chí tỉnh"))
    assert response.status_code == 400
    assert "does not accept works that have already won another award" in main_text(response)


# --- drafts keep what is valid, submitting is all or nothing ---------------------------------


def test_a_draft_stores_the_valid_fields_and_reports_the_problems(people, contest, clock):
    entry = draft_entry(people.author, contest, title="Tiêu đề cũ", published_on="2025-06-15")
    response = edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), title="Tiêu đề mới", outlet="Báo Hà Tĩnh",
        published_on="2024-06-15", url="not a link",
        **coauthor_rows(("Người thiếu thư", ""))))
    assert response.status_code == 200
    page = main_text(response)
    assert "Saved, except the changes marked below" in page
    assert "it must have been published between" in page
    assert "Enter a full web address" in page
    assert "Co-author 1: enter the e-mail address." in page
    # What was typed is shown again so that it can be fixed ...
    assert 'value="2024-06-15"' in page
    entry = reload(Entry, entry.id)
    # ... while the valid fields are stored and the invalid ones keep their values.
    assert entry.title == "Tiêu đề mới"
    assert entry.outlet == "Báo Hà Tĩnh"
    assert entry.published_on == date(2025, 6, 15)
    assert entry.url == "https://baonghean.vn/phu-nu-ung-cu"
    assert entry.coauthors == []
    assert entry.status == EntryStatus.DRAFT


def test_an_unreadable_date_is_reported_and_changes_nothing_else_in_it(people, contest, clock):
    entry = draft_entry(people.author, contest)
    response = edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), published_on="15 tháng 6", title="Mới"))
    assert response.status_code == 200
    assert "This could not be read" in main_text(response)
    entry = reload(Entry, entry.id)
    assert entry.title == "Mới" and entry.published_on == date(2025, 6, 15)


def test_save_and_submit_is_all_or_nothing(people, contest, clock):
    entry = draft_entry(people.author, contest, title="Nháp ban đầu")
    response = edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), action="submit", title="Bản nộp",
        body_source=words(5)))
    assert response.status_code == 400
    assert "Nothing was changed" in main_text(response)
    entry = reload(Entry, entry.id)
    assert entry.title == "Nháp ban đầu" and entry.status == EntryStatus.DRAFT


def test_a_submitted_entry_stays_submitted_and_is_checked_again_on_every_edit(
        people, contest, clock):
    entry = submitted_entry(people.author, contest, title="Bản nộp")
    receipt, anon = entry.receipt_code, entry.anon_code
    ok = edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), title="Bản nộp đã sửa", body_source=words(80)))
    assert ok.status_code == 302
    entry = reload(Entry, entry.id)
    assert entry.status == EntryStatus.SUBMITTED
    assert (entry.title, entry.word_count) == ("Bản nộp đã sửa", 80)
    assert (entry.receipt_code, entry.anon_code) == (receipt, anon)

    broken = edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), title="Sửa hỏng", body_source=words(5)))
    assert broken.status_code == 400
    assert "Nothing was changed" in main_text(broken)
    entry = reload(Entry, entry.id)
    assert (entry.title, entry.word_count, entry.status) == (
        "Bản nộp đã sửa", 80, EntryStatus.SUBMITTED)
