"""Every refusal code raised in contest.judging has a message, in English and in Vietnamese.

The codes are read from the source: the first argument of every ``Problem("...")`` and
``refuse("...")`` call under contest/judging. A new code without a line in
contest.judging.messages.MESSAGES (or without its Vietnamese translation) fails here, before a
reader ever sees a bare code on a page.
"""

from __future__ import annotations

import ast
from pathlib import Path

from flask_babel import force_locale

from contest.judging.messages import MESSAGES, problem_message
from contest.problems import Problem

JUDGING = Path(__file__).resolve().parents[3] / "contest" / "judging"
MAKERS = {"Problem", "refuse"}
# Params that fill every message's placeholders (each message reads only its own).
PARAMS = {"max": 7, "count": 2, "points": "5", "name": "Phát hiện", "email": "a@example.org",
          "tier": "A", "winners": 2, "places": 1}


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def raised_codes() -> dict[str, str]:
    """{code: the file that raises it} for every literal code in contest/judging."""
    found: dict[str, str] = {}
    for path in sorted(JUDGING.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and _called(node) in MAKERS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, path.name)
    return found


def test_the_source_is_read():
    codes = raised_codes()
    # A sample from several modules, so that a change in how codes are written is noticed.
    assert {"rubric_locked", "invitation_expired", "conflicted", "points_missing",
            "vote_already_cast", "ties_pending", "no_such_entry_code"} <= set(codes)


def test_every_raised_code_has_a_message_in_both_languages(app):
    missing, untranslated = [], []
    with app.test_request_context():
        for code, where in sorted(raised_codes().items()):
            if code not in MESSAGES:
                missing.append(f"{code} ({where})")
                continue
            with force_locale("en"):
                english = problem_message(Problem(code, None, PARAMS))
            with force_locale("vi"):
                vietnamese = problem_message(Problem(code, None, PARAMS))
            if not english or english == code or not vietnamese or vietnamese == english:
                untranslated.append(f"{code}: {english}")
    assert missing == [], "codes without a message"
    assert untranslated == [], "messages without a Vietnamese translation"
