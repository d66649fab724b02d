"""Every problem code the quiz domain can raise has a message in English and in Vietnamese.

The codes are collected from the source: each ``Problem("code", ...)`` and each
``message("code", ...)`` in contest/quiz (the question-bank importers keep their own table).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from contest.problems import Problem
from contest.quiz.bank_messages import MESSAGES as BANK_MESSAGES  # noqa: E402
from contest.quiz.messages import MESSAGES, problem_message

ROOT = Path(__file__).resolve().parents[3]
QUIZ = ROOT / "contest" / "quiz"
IMPORTERS = {"gift.py", "aiken.py", "tabular.py", "importing.py", "encoding.py",
             "bank_common.py", "bank_topics.py", "bank_questions.py", "bank_import.py",
             "bank_export.py", "bank_messages.py", "cli.py", "items.py"}
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _raised_codes() -> dict[str, str]:
    """Problem code -> the file that uses it first."""
    found: dict[str, str] = {}
    for path in sorted(QUIZ.rglob("*.py")):
        if path.name in IMPORTERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ("Problem", "message") and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                if first.value not in BANK_MESSAGES:  # the bank's own table covers these
                    found.setdefault(first.value, str(path.relative_to(ROOT)))
    return found


def _vietnamese() -> dict[str, str]:
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale="vi")
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def test_the_scan_sees_the_codes_of_every_part_of_the_quiz():
    codes = _raised_codes()
    # one of each kind of refusal: round rules, eligibility, answers, results, a view's own
    assert {"title_missing", "under_age", "too_late", "undecided", "review_later"} <= set(codes)


def test_every_raised_code_has_a_message_in_english_and_vietnamese():
    vietnamese = _vietnamese()
    missing = [f"{where}: {code}" for code, where in _raised_codes().items()
               if code not in MESSAGES]
    untranslated = [f"{where}: {code}" for code, where in _raised_codes().items()
                    if code in MESSAGES and not vietnamese.get(MESSAGES[code])]
    assert not missing, "codes without a message:\n" + "\n".join(missing)
    assert not untranslated, "messages without Vietnamese:\n" + "\n".join(untranslated)


def _sample(template: str) -> dict[str, object]:
    return {name: 7 if kind == "d" else "X" for name, kind in PLACEHOLDER.findall(template)}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_message_reads_in_both_languages(app, code):
    problem = Problem(code, params=_sample(MESSAGES[code]))
    with app.test_request_context():
        with force_locale("en"):
            english = problem_message(problem)
        with force_locale("vi"):
            vietnamese = problem_message(problem)
    assert english != f"This change cannot be made ({code})." and "%(" not in english
    assert vietnamese != english and "%(" not in vietnamese


def test_params_are_put_in_the_readers_words(app):
    from datetime import UTC, date, datetime

    with app.test_request_context(), force_locale("en"):
        opens = problem_message(Problem("not_open",
                                        params={"when": datetime(2026, 3, 2, 3, 0, tzinfo=UTC)}))
        fields = problem_message(Problem("missing_fields",
                                         params={"fields": ["unit_id", "gender"]}))
        age = problem_message(Problem("under_age", params={"age": 18, "day": date(2026, 3, 2)}))
    assert "3/2/26" in opens and "10:00" in opens  # Vietnam time
    assert fields.endswith("Unit, Gender.")
    assert "aged 18 or over on 3/2/26" in age
    unknown = Problem("no_such_code")
    with app.test_request_context(), force_locale("en"):
        assert problem_message(unknown) == "This change cannot be made (no_such_code)."
