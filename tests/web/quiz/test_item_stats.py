"""Item statistics of a closed round: facility, discrimination, option frequencies, scores."""

from __future__ import annotations

import csv
import io
import random

import pytest

from contest.extensions import db
from contest.quiz import item_report, stats
from contest.quiz.models import Option, Question, Topic
from tests.web.quiz.resultkit import (  # noqa: F401
    add_result,
    fresh_request_globals,
    make_entrant,
    make_round,
    make_unit,
)


@pytest.fixture
def bank(app):
    topic = Topic(name="Luật Bình đẳng giới")
    db.session.add(topic)
    db.session.flush()
    questions = []
    for i in range(4):
        q = Question(topic_id=topic.id, kind="single", text=f"Câu {i + 1}?",
                     external_id=f"BDG-{i + 1}")
        q.options = [Option(position=j, text=f"Phương án {j}", fraction=1.0 if j == 0 else 0.0)
                     for j in range(3)]
        db.session.add(q)
        questions.append(q)
    db.session.commit()
    return questions


def _paper(rng: random.Random, questions: list[Question], skill: float):
    """Answers and per-question scores of one attempt; questions 0-2 drawn, 3 sometimes."""
    drawn = questions[:3] + ([questions[3]] if rng.random() < 0.5 else [])
    answers, scores = {}, {}
    for q in drawn:
        right = q.options[0].id
        roll = rng.random()
        if roll < skill:
            chosen = [right]
        elif roll < skill + 0.1:
            chosen = []
        else:
            chosen = [rng.choice([o.id for o in q.options[1:]])]
        if chosen or rng.random() < 0.5:  # a blank is an empty list or no entry at all
            answers[str(q.id)] = chosen
        scores[str(q.id)] = 1.0 if chosen == [right] else 0.0
    return answers, scores


def _ways(app) -> list[bool]:  # noqa: ANN001
    """Python streaming everywhere; the sums made by the database too on PostgreSQL."""
    return [False, True] if db.engine.dialect.name == "postgresql" else [False]


def test_statistics_over_best_attempts_match_the_pure_functions(app, bank):
    rng = random.Random(11)
    rnd = make_round("closed")
    best_rows, best_answers = [], []
    for i in range(80):
        user = make_entrant(f"Người {i}")
        skill = rng.random()
        # a weaker earlier attempt that must not count
        answers, scores = _paper(rng, bank, skill / 3)
        add_result(rnd, user, sum(scores.values()), item_scores=scores, answers=answers,
                   best=False, number=1, max_score=len(scores))
        answers, scores = _paper(rng, bank, skill)
        excluded = i % 20 == 0
        add_result(rnd, user, sum(scores.values()), item_scores=scores, answers=answers,
                   number=2, max_score=len(scores), excluded=excluded, reason="x")
        if not excluded:
            best_rows.append({int(k): v for k, v in scores.items()})
            best_answers.append(answers)

    for in_database in _ways(app):
        _check_report(item_report.item_report(rnd.id, chunk=7, in_database=in_database), best_rows,
                      best_answers)


def _check_report(report, best_rows, best_answers) -> None:  # noqa: ANN001
    assert report.attempts == len(best_rows) == 76
    expected = {s.question_id: s for s in stats.item_statistics(best_rows)}
    assert [q.question_id for q in report.questions] == sorted(expected)
    for q in report.questions:
        e = expected[q.question_id]
        assert q.attempts == e.attempts
        assert q.facility == pytest.approx(e.facility)
        assert q.discrimination == pytest.approx(e.discrimination)
        seen = [answers.get(str(q.question_id), [])
                for row, answers in zip(best_rows, best_answers, strict=True)
                if q.question_id in row]
        freq = stats.option_frequencies(seen, [o.option_id for o in q.options])
        assert {o.option_id: o.chosen for o in q.options} == freq
        assert q.blank == sum(1 for chosen in seen if not chosen)
        assert q.external_id.startswith("BDG-")
    assert report.questions[3].attempts < report.attempts  # drawn in some attempts only
    correct = [int(sum(r.values())) for r in best_rows]
    assert report.distribution == stats.score_distribution(correct, 4)


def test_undefined_discrimination_and_an_empty_round(app, bank):
    rnd = make_round("closed")
    q = bank[0]
    for i in range(3):
        add_result(rnd, make_entrant(f"Đều {i}"), 1.0, max_score=1,
                   item_scores={str(q.id): 1.0}, answers={str(q.id): [q.options[0].id]})
    (stat,) = item_report.item_report(rnd.id).questions
    assert stat.facility == 100.0 and stat.discrimination is None
    empty = item_report.item_report(make_round("closed", title="Trống").id)
    assert empty.attempts == 0 and empty.questions == [] and empty.distribution == {0: 0}


def test_statistics_page_and_csv_downloads(login_as, app, bank):
    unit = make_unit("MX", "Xã Mường Xén", size=10)
    rnd = make_round("closed")
    q = bank[0]
    for i, right in enumerate([True, True, False]):
        chosen = [q.options[0].id] if right else [q.options[2].id]
        add_result(rnd, make_entrant(f"Ông {i}", unit=unit), 1.0 if right else 0.0, max_score=1,
                   item_scores={str(q.id): 1.0 if right else 0.0},
                   answers={str(q.id): chosen})
    organizer = login_as("organizer")
    organizer.set_cookie("lang", "en")
    page = organizer.get(f"/organizer/results/{rnd.id}/statistics")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "BDG-1" in body and "66.7" in body and "Xã Mường Xén" in body

    def rows(part: str) -> list[dict]:
        response = organizer.get(f"/organizer/results/{rnd.id}/statistics/{part}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f"round-{rnd.id}-{part}.csv" in response.headers["Content-Disposition"]
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))

    (item,) = rows("items")
    assert item["external_id"] == "BDG-1" and item["attempts"] == "3"
    assert item["facility_pct"] == "66.67"
    options = rows("options")
    assert [(o["position"], o["chosen"]) for o in options] == [("0", "2"), ("1", "0"),
                                                               ("2", "1")]
    assert rows("scores") == [{"correct_answers": "0", "entrants": "1"},
                              {"correct_answers": "1", "entrants": "2"}]
    (u,) = rows("units")
    assert u["unit_code"] == "MX" and u["participants"] == "3" and u["rate_pct"] == "30.00"
    assert organizer.get(f"/organizer/results/{rnd.id}/statistics/other.csv").status_code == 404


def test_statistics_wait_for_the_close(login_as, app):
    rnd = make_round("running")
    organizer = login_as("organizer")
    assert organizer.get(f"/organizer/results/{rnd.id}/statistics").status_code == 404
    assert login_as().get(f"/organizer/results/{rnd.id}/statistics").status_code == 403
