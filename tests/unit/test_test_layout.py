"""The test suite's own layout: one way to import test kits.

``tests/`` and every folder under it are packages, so pytest names each test module by its
path (``tests.web.writing.test_exports``): two test files may share a basename, and a kit is
imported by its full name (``from tests.web.writing.entrykit import contest``). Nothing adds
folders to ``sys.path``, and no test imports a kit (or a conftest) by its bare name, which only
worked when pytest happened to put the kit's folder on ``sys.path`` first.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def python_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_test_folder_is_a_package():
    folders = {p.parent for p in python_files()}
    missing = sorted(str(f.relative_to(ROOT)) for f in folders
                     if not (f / "__init__.py").exists())
    assert not missing, f"add an __init__.py to: {missing}"


def test_kits_are_imported_by_their_full_name():
    # Every module name a test could mistake for importable: kits, conftests, helpers, tests.
    local = {p.stem for p in python_files()} | {p.name for p in TESTS.rglob("*") if p.is_dir()}
    local -= {"__init__", "tests"}
    wrong: list[str] = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
                if node.level:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} relative import")
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in local:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert not wrong, (
        "import test kits as tests.<folder>.<kit>, e.g. "
        "'from tests.web.writing.entrykit import contest':\n" + "\n".join(wrong))


def test_nothing_changes_sys_path():
    wrong = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "path" and \
                    isinstance(node.value, ast.Name) and node.value.id == "sys":
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, f"tests must not touch sys.path (tests/ is a package): {wrong}"


def test_time_is_moved_with_the_clock_fixture():
    # Replacing a module's ``utcnow`` moves only the readers that look it up there; the clock
    # fixture (timeutil.set_source) moves every reader.
    wrong = []
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(
                    isinstance(a, ast.Constant) and a.value in ("utcnow", "local_today")
                    for a in node.args):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not wrong, f"use the clock fixture instead of replacing utcnow: {wrong}"
