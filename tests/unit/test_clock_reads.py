"""Every module of ``contest`` reads business time from ``contest.timeutil`` and only when it runs,
so the tests' ``clock`` fixture (``timeutil.set_source``) moves all of it.

The rules, checked on the source with ``ast`` (``contest/timeutil.py`` itself excepted):

1. No module touches the system clock: ``datetime.now``, ``datetime.utcnow``,
   ``datetime.today``, ``date.today``, ``time.time`` and ``time.time_ns`` are neither called nor
   passed around (``default=datetime.now`` would escape the clock as surely as a call).
   ``time.monotonic`` and ``time.perf_counter`` are allowed: they measure durations (budgets,
   cache ages), not the time of day. The few reads of another party's clock are listed in
   ``ALLOWED`` (by file and function) with the reason.
2. No module reads the time at import: ``utcnow()`` or ``local_today()`` is not called at
   module level, in a class body, in a default argument value or in a decorator, which all run
   once when the module is imported. Calls inside function bodies and lambdas run later and are
   fine.
3. Binding the *function* is fine: ``from contest.timeutil import utcnow`` and
   ``default=utcnow`` on a column keep a function that asks the current source at each call.
4. Only tests change the clock: ``set_source`` is not called from ``contest``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "contest"
OWNER = "contest/timeutil.py"

SYSTEM_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
                ("date", "today"), ("time", "time"), ("time", "time_ns")}
CLOCK_READS = {"utcnow", "local_today"}

# (file, function, what it reads): why it is not business time.
ALLOWED = {
    ("contest/accounts/throttle.py", "wait_seconds", "time.time"):
        "the rate limiter keeps its reset times in system-clock seconds; the wait it shows is "
        "that reset time minus the same clock",
    ("contest/quiz/console/questions.py", "_sweep", "time.time"):
        "abandoned staged uploads are found by their files' modification times, which the "
        "file system writes from the system clock",
    ("contest/writing/chunks.py", "sweep", "time.time"):
        "abandoned partial uploads are found by their files' modification times, as above",
}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def system_clock_uses(tree: ast.AST) -> list[tuple[int, str, str]]:
    """(line, enclosing function or "", what) for every use of the system clock."""
    found = []

    def walk(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Attribute):
            name = _dotted(node)
            if name and tuple(name.split(".")[-2:]) in SYSTEM_CLOCK:
                found.append((node.lineno, function, name.removeprefix("datetime.")
                              if name.startswith("datetime.datetime") else name))
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found.extend((node.lineno, function, f"time.{a.name}") for a in node.names
                         if ("time", a.name) in SYSTEM_CLOCK)
        for child in ast.iter_child_nodes(node):
            walk(child, function)

    walk(tree, "")
    return found


class _ImportTimeReads(ast.NodeVisitor):
    """Calls of ``utcnow``/``local_today`` in code that runs when the module is imported."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        # Decorators and default values run at definition time; the body runs at call time.
        for expr in [*getattr(node, "decorator_list", []), *node.args.defaults,
                     *[d for d in node.args.kw_defaults if d is not None]]:
            self.visit(expr)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function  # noqa: N815

    def visit_Call(self, node: ast.Call) -> None:
        name = _dotted(node.func)
        if name and name.split(".")[-1] in CLOCK_READS:
            self.found.append((node.lineno, f"{name}()"))
        self.generic_visit(node)


def import_time_reads(tree: ast.AST) -> list[tuple[int, str]]:
    visitor = _ImportTimeReads()
    visitor.visit(tree)
    return visitor.found


def clock_changes(tree: ast.AST) -> list[tuple[int, str]]:
    return [(n.lineno, "set_source()") for n in ast.walk(tree)
            if isinstance(n, ast.Call) and (_dotted(n.func) or "").split(".")[-1] == "set_source"]


def sources() -> list[tuple[str, ast.AST]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel != OWNER:
            out.append((rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)))
    return out


def test_no_module_reads_the_system_clock():
    found = [f"{rel}:{line} {what}" for rel, tree in sources()
             for line, function, what in system_clock_uses(tree)
             if (rel, function, what) not in ALLOWED]
    assert not found, "read contest.timeutil.utcnow() (or local_today()) instead:\n" + \
        "\n".join(found)


def test_no_module_reads_the_time_at_import():
    found = [f"{rel}:{line} {what}" for rel, tree in sources()
             for line, what in import_time_reads(tree)]
    assert not found, "these run once at import; read the time inside the function:\n" + \
        "\n".join(found)


def test_only_tests_change_the_clock():
    found = [f"{rel}:{line}" for rel, tree in sources() for line, _ in clock_changes(tree)]
    assert not found, f"timeutil.set_source is for tests: {found}"


def test_the_allowances_are_still_needed():
    used = {(rel, function, what) for rel, tree in sources()
            for _, function, what in system_clock_uses(tree)}
    assert set(ALLOWED) <= used, f"remove from ALLOWED: {set(ALLOWED) - used}"


def test_the_checks_see_what_they_look_for():
    # The rules themselves, on made-up modules: a checker that sees nothing passes everything.
    bad = ast.parse(
        "import time\nfrom datetime import date, datetime\nfrom time import time as now\n"
        "from contest import timeutil\nfrom contest.timeutil import utcnow\n"
        "STARTED = timeutil.utcnow()\n"
        "def f(when=utcnow(), today=timeutil.local_today()):\n    return when\n"
        "class C:\n    at = utcnow()\n"
        "def g(stamp=datetime.now):\n    return time.time(), date.today(), datetime.utcnow()\n"
    )
    assert [w for _, w in import_time_reads(bad)] == [
        "timeutil.utcnow()", "utcnow()", "timeutil.local_today()", "utcnow()"]
    assert sorted(w for _, _f, w in system_clock_uses(bad)) == [
        "date.today", "datetime.now", "datetime.utcnow", "time.time", "time.time"]
    fine = ast.parse(
        "from contest.timeutil import utcnow\ncolumn = dict(default=utcnow, onupdate=utcnow)\n"
        "def f(now=None):\n    return now or utcnow()\nlater = lambda: utcnow()\n"
        "import time\nstarted = time.monotonic()\n"
    )
    assert import_time_reads(fine) == [] and system_clock_uses(fine) == []
