"""Who sees an entry and its files: the author, linked co-authors and organizers. Everyone else
is told there is no such entry."""
# ruff: noqa: F811 - the fixtures imported from entrykit are parameters of the tests

from __future__ import annotations

import pytest

from contest.accounts import tokens
from contest.accounts.models import Role
from contest.timeutil import utcnow
from contest.writing import access
from contest.writing.models import Coauthor, Entry, EntryStatus
from tests.web.writing.entrykit import (  # noqa: F401
    AUTHOR_EMAIL,
    COAUTHOR,
    COAUTHOR_EMAIL,
    category,
    coauthor_rows,
    contest,
    draft_entry,
    edit_entry,
    entry_form,
    file_rows,
    main_text,
    pdf_bytes,
    people,
    reload,
    submitted_entry,
    text,
    verified,
)


@pytest.fixture
def entry(people, contest, clock) -> Entry:
    return submitted_entry(people.author, contest, uploads=[(pdf_bytes(), "bai.pdf")],
                           **coauthor_rows((COAUTHOR, COAUTHOR_EMAIL)))


def addresses(entry: Entry) -> dict[str, str]:
    [row] = entry.files
    anon = f"/writing/anon/{entry.contest_id}/{entry.anon_code}"
    return {
        "entry": f"/writing/entries/{entry.id}",
        "edit": f"/writing/entries/{entry.id}/edit",
        "receipt": f"/writing/entries/{entry.id}/receipt",
        "file": f"/writing/entries/{entry.id}/files/{row.id}",
        "withdraw": f"/writing/entries/{entry.id}/withdraw",
        "anon": anon,
        "anon file": f"{anon}/files/1",
    }


@pytest.mark.parametrize("who", ["other", "judge"])
def test_other_journalists_and_judges_are_told_the_entry_does_not_exist(people, entry, who):
    client = getattr(people, who)
    for name, path in addresses(entry).items():
        response = client.get(path)
        assert response.status_code == 404, f"{who} got {response.status_code} for {name}"
        assert "Trần Thị Mai" not in text(response)
    for path in (f"/writing/entries/{entry.id}/withdraw", f"/writing/entries/{entry.id}/submit",
                 f"/writing/entries/{entry.id}/files/{entry.files[0].id}/remove"):
        assert client.post(path).status_code == 404
    assert edit_entry(client, entry.id, entry_form(category(entry.contest, "print"),
                                                   title="Chiếm")).status_code == 404
    after = reload(Entry, entry.id)
    assert after.status == EntryStatus.SUBMITTED and after.title != "Chiếm"
    assert len(after.files) == 1


def test_an_anonymous_visitor_is_sent_to_log_in_or_told_there_is_nothing(app, entry):
    visitor = app.test_client()
    paths = addresses(entry)
    for name in ("entry", "edit", "receipt", "file", "withdraw"):
        response = visitor.get(paths[name])
        # Every entry address answers alike, existing or not: nothing is revealed.
        assert response.status_code == 302, name
        assert response.headers["Location"].startswith("/login")
    assert visitor.get("/writing/entries/99999").headers["Location"].startswith("/login")
    for name in ("anon", "anon file"):
        assert visitor.get(paths[name]).status_code == 404, name


def test_the_author_sees_the_entry_but_not_the_anonymised_page(people, entry):
    paths = addresses(entry)
    for name in ("entry", "receipt", "file", "edit"):
        assert people.author.get(paths[name]).status_code == 200, name
    assert people.author.get(paths["anon"]).status_code == 404
    assert people.author.get(paths["anon file"]).status_code == 404


def test_organizers_see_the_entry_its_files_and_the_anonymised_page(people, entry):
    paths = addresses(entry)
    for name in ("entry", "receipt", "file", "anon", "anon file"):
        assert people.organizer.get(paths[name]).status_code == 200, name


def test_files_are_downloads_with_their_type_and_name(people, entry):
    response = people.author.get(addresses(entry)["file"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "bai.pdf" in disposition
    assert response.data == pdf_bytes() or response.data.startswith(b"%PDF")
    assert "no-store" in response.headers["Cache-Control"]


def test_a_co_author_with_a_confirmed_account_sees_the_entry_but_does_not_change_it(
        people, contest, clock, login_as):
    coauthor = login_as(Role.JOURNALIST, **verified(full_name=COAUTHOR, email=COAUTHOR_EMAIL))
    entry = submitted_entry(people.author, contest, uploads=[(pdf_bytes(), "bai.pdf")],
                            **coauthor_rows((COAUTHOR, COAUTHOR_EMAIL)))
    assert entry.coauthors[0].user_id == coauthor.user.id
    paths = addresses(entry)
    for name in ("entry", "receipt", "file"):
        assert coauthor.get(paths[name]).status_code == 200, name
    mine = main_text(coauthor.get("/writing/entries"))
    assert entry.title in mine and "co-author" in mine
    assert coauthor.get(paths["edit"]).status_code == 403
    assert coauthor.post(paths["withdraw"]).status_code == 403
    assert reload(Entry, entry.id).status == EntryStatus.SUBMITTED
    assert coauthor.get(paths["anon"]).status_code == 404


def test_a_co_author_who_registers_later_sees_the_entry_once_the_e_mail_is_confirmed(
        app, people, entry, make_user):
    row = entry.coauthors[0]
    assert row.user_id is None
    # An account with the address, not yet confirmed: anyone could have typed it.
    newcomer = make_user(full_name=COAUTHOR, email=COAUTHOR_EMAIL, locale="en")
    client = app.test_client()
    client.post("/login", data={"identifier": COAUTHOR_EMAIL, "password": "correct horse battery"})
    assert client.get(addresses(entry)["entry"]).status_code == 404
    assert reload(Coauthor, row.id).user_id is None
    # Confirming the address through the link e-mailed by the accounts pages links the row.
    token = tokens.make_token(app.config["SECRET_KEY"], tokens.VERIFY,
                              {"u": newcomer.id, "e": COAUTHOR_EMAIL})
    assert client.get(f"/verify/{token}").status_code == 302
    assert reload(Coauthor, row.id).user_id == newcomer.id
    assert client.get(addresses(entry)["entry"]).status_code == 200
    assert client.get(addresses(entry)["file"]).status_code == 200


def test_an_account_confirmed_before_the_entry_is_linked_when_the_entry_is_saved(
        people, contest, clock, make_user):
    existing = make_user(Role.JOURNALIST, full_name=COAUTHOR, email=COAUTHOR_EMAIL,
                         email_verified_at=utcnow())
    entry = draft_entry(people.author, contest, **coauthor_rows((COAUTHOR, COAUTHOR_EMAIL)))
    assert entry.coauthors[0].user_id == existing.id


def test_the_author_cannot_name_herself_as_co_author(people, contest, clock):
    entry = draft_entry(people.author, contest)
    page = main_text(edit_entry(people.author, entry.id, entry_form(
        category(contest, "print"), **coauthor_rows(("Mai", AUTHOR_EMAIL.upper())))))
    assert "that is your own e-mail address" in page
    assert reload(Entry, entry.id).coauthors == []


def test_judges_see_entries_only_through_the_judging_hook(people, entry, monkeypatch):
    paths = addresses(entry)
    assert people.judge.get(paths["anon"]).status_code == 404
    monkeypatch.setattr(access, "judge_may_view",
                        lambda u, e: u.is_authenticated and u.id == people.judge.user.id)
    assert people.judge.get(paths["anon"]).status_code == 200
    assert people.judge.get(paths["anon file"]).status_code == 200
    # The hook opens the blind view only, never the entry as entered.
    assert people.judge.get(paths["entry"]).status_code == 404
    assert people.judge.get(paths["file"]).status_code == 404
