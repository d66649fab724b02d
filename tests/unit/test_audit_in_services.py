"""Audit events are recorded by the services, never by views, so the command line and the web
leave the same trail. A view module is a domain's ``views.py``, a console module
(``console.py``, ``console/*.py``), or any module that defines routes."""

from __future__ import annotations

import ast
from pathlib import Path

CONTEST = Path(__file__).resolve().parents[2] / "contest"


def _is_view_module(path: Path, tree: ast.AST) -> bool:
    if path.name in ("views.py", "console.py") or path.parent.name == "console":
        return True
    return any(isinstance(node, ast.Attribute) and node.attr in ("route", "get", "post")
               and isinstance(node.value, ast.Name) and node.value.id == "bp"
               for node in ast.walk(tree))


def _records(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "record" and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "audit"]


def test_no_view_records_an_audit_event():
    found = []
    views = 0
    for path in sorted(CONTEST.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not _is_view_module(path, tree):
            continue
        views += 1
        found += [f"{path.relative_to(CONTEST.parent)}:{line}" for line in _records(tree)]
    assert views > 20, "the scan finds the view modules"
    assert found == [], "record audit events in the service the view calls"
