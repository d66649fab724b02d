"""Every problem code the bank and its importers raise has a message in English and Vietnamese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from contest.problems import Problem
from contest.quiz.bank_messages import MESSAGES, english

ROOT = Path(__file__).resolve().parents[3]
MODULES = [ROOT / "contest" / "quiz" / f"{name}.py" for name in (
    "gift", "aiken", "tabular", "importing", "encoding", "bank_common", "bank_topics",
    "bank_questions", "bank_import", "bank_export", "items", "cli")]
# The organizer's views also name audit events ("question.save"): only their Problem(...) count.
VIEWS = [ROOT / "contest" / "quiz" / "console" / "questions.py"]
CODE = re.compile(r"^(file|gift|aiken|table|question|bank)\.[a-z0-9_]+$")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _raised_codes() -> dict[str, str]:
    """Every code literal in the modules (problem codes are plain string constants there)."""
    found: dict[str, str] = {}
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The services name audit events ("question.save") too: those are not problem codes.
        actions = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and getattr(node.func, "attr", "") == "record" for arg in ast.walk(node)
                   if isinstance(arg, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and CODE.match(node.value) and id(node) not in actions:
                found.setdefault(node.value, path.name)
    for path in VIEWS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem" \
                    and node.args and isinstance(node.args[0], ast.Constant):
                found.setdefault(node.args[0].value, path.name)
    return found


def _catalog():
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale="vi")


def test_the_scan_finds_the_codes_of_every_module() -> None:
    prefixes = {code.split(".")[0] for code in _raised_codes()}
    assert prefixes == {"file", "gift", "aiken", "table", "question", "bank"}


def test_every_raised_code_has_an_english_message() -> None:
    missing = sorted(f"{module}: {code}" for code, module in _raised_codes().items()
                     if code not in MESSAGES)
    assert not missing, missing


def test_every_message_is_raised_somewhere() -> None:
    assert sorted(set(MESSAGES) - set(_raised_codes())) == []


def test_every_message_has_a_vietnamese_translation_with_the_same_placeholders() -> None:
    catalog = _catalog()
    wrong = []
    for code, template in MESSAGES.items():
        entry = catalog.get(template)
        text = entry.string if entry is not None else ""
        if entry is None or not text or entry.fuzzy:
            wrong.append(f"{code}: no translation")
        elif sorted(PLACEHOLDER.findall(template)) != sorted(PLACEHOLDER.findall(text)):
            wrong.append(f"{code}: placeholders differ")
    assert not wrong, wrong


def test_english_fills_the_parameters_and_falls_back_to_the_code() -> None:
    problem = Problem("question.multiple_sum", None, {"line": 4, "sum": "98.5"})
    assert english(problem) == ("the positive weights of a multiple-choice question must add "
                                "up to 100%, they add up to 98.5%")
    assert english(Problem("gift.no_text", None, {"line": 3})) == "the question has no text"
    assert english(Problem("no.such_code")) == "no.such_code"
