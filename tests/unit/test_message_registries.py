"""Every problem code raised in contest/ has a message in its domain's one registry, and every
message of every registry has a Vietnamese translation.

The codes are found in the source: a string literal given as the code to ``Problem(...)`` or to
any function or ``Refused`` subclass that passes one of its parameters on as the code of a
``Problem`` (``refuse(code, ...)``, ``problem_at(line, code, ...)``, ``DrawError(code)``,
``UnitFileError(line, code)``, ``message(code)`` ...), found by following those hand-overs
until no new one appears. A code raised in ``contest/<domain>/`` belongs to
``contest/<domain>/messages.py``.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CONTEST = ROOT / "contest"
PO = ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _literals(node: ast.AST) -> list[str]:
    """The codes a code argument can be: a string, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"))
            for path in sorted(CONTEST.rglob("*.py"))}


def _code_takers(trees: dict[Path, ast.Module]) -> dict[str, int]:
    """Callables that hand one of their parameters on as a problem's code: name -> position."""
    takers = {"Problem": 0}
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.ClassDef) \
                        or node.name == "__init__" or node.name in takers:
                    continue
                bodies = [node] if isinstance(node, ast.FunctionDef) else [
                    item for item in node.body
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__"]
                for func in bodies:
                    params = [a.arg for a in func.args.posonlyargs + func.args.args]
                    params = params[1:] if params[:1] in (["self"], ["cls"]) else params
                    for call in ast.walk(func):
                        position = takers.get(_callee(call)) if isinstance(call, ast.Call) \
                            else None
                        if position is None or position >= len(call.args):
                            continue
                        arg = call.args[position]
                        if isinstance(arg, ast.Name) and arg.id in params:
                            takers[node.name] = params.index(arg.id)
                            grown = True
                            break
                    if node.name in takers:
                        break
    return takers


def raised_codes() -> dict[tuple[str, str], str]:
    """(domain, code) -> the file that raises it first."""
    trees = _trees()
    takers = _code_takers(trees)
    found: dict[tuple[str, str], str] = {}
    for path, tree in trees.items():
        where = path.relative_to(CONTEST)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee(node) not in takers:
                continue
            position = takers[_callee(node)]
            if position < len(node.args):
                for code in _literals(node.args[position]):
                    domain = where.parts[0] if len(where.parts) > 1 else ""
                    found.setdefault((domain, code), str(where))
    return found


GETTEXT = {"_", "gettext", "N_", "_l", "lazy_gettext", "ngettext"}


def _msgids_by_code(path: Path) -> dict[str, list[str]]:
    """For a table of functions (``"code": lambda p: _("...", **p)``): the msgids each uses."""
    found: dict[str, list[str]] = {}
    tree: ast.AST = ast.parse(path.read_text(encoding="utf-8"))
    # A message may be a module-level function named in the table ("code": _words_outside).
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if isinstance(value, ast.Name) and value.id in functions:
                    value = functions[value.id]
                found.setdefault(key.value, []).extend(
                    call.args[0].value for call in ast.walk(value)
                    if isinstance(call, ast.Call) and _callee(call) in GETTEXT and call.args
                    and isinstance(call.args[0], ast.Constant))
    return found


def registries() -> dict[str, dict[str, list[str]]]:
    """Each domain's one message table (``contest/<domain>/messages.py``: ``MESSAGES``, or what
    ``_messages()`` builds): code -> the English msgids its message is made of."""
    tables: dict[str, dict[str, list[str]]] = {}
    for path in sorted(CONTEST.glob("*/messages.py")):
        module = importlib.import_module(f"contest.{path.parent.name}.messages")
        table = getattr(module, "MESSAGES", None)
        if table is None:
            table = module._messages()
        in_source = _msgids_by_code(path)
        tables[path.parent.name] = {
            code: [value] if isinstance(value, str) else in_source.get(code, [])
            for code, value in table.items()}
    return tables


def _catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="vi")


def test_the_scan_sees_each_way_a_code_is_raised():
    codes = raised_codes()
    for code, domain in [
        ("title_missing", "quiz"),         # Problem("...") in a service
        ("draw_quota_short", "quiz"),      # DrawError("...")
        ("bank.topic_exists", "quiz"),     # Problem("bank....") in the bank
        ("gift.no_text", "quiz"),          # an importer's own helper
        ("role.last_admin", "accounts"),   # RoleChangeRefused("...")
        ("units.code_twice", "accounts"),  # UnitFileError(line, "...")
        ("token.expired", "accounts"),     # Problem("a" if expired else "b")
        ("token.invalid", "accounts"),
    ]:
        assert (domain, code) in codes, code
    assert {domain for domain, _code in codes} >= {
        "accounts", "quiz", "writing", "judging", "campaign", "reports", "certificates"}


def test_every_raised_code_has_a_message_in_its_domains_registry():
    tables = registries()
    homeless = sorted({f"{where}: {code}" for (domain, code), where in raised_codes().items()
                       if domain not in tables})
    missing = sorted(f"{where}: {code}" for (domain, code), where in raised_codes().items()
                     if domain in tables and code not in tables[domain])
    assert not homeless, "codes raised where no domain registry is:\n" + "\n".join(homeless)
    assert not missing, "codes without a message:\n" + "\n".join(missing)


@pytest.mark.parametrize("domain", sorted(registries()))
def test_every_message_has_a_vietnamese_translation(domain):
    catalog = _catalog()
    wrong = []
    for code, msgids in registries()[domain].items():
        if not msgids:
            wrong.append(f"{code}: no message text found")
        for msgid in msgids:
            entry = catalog.get(msgid)
            text = entry.string if entry is not None else ""
            text = text[0] if isinstance(text, tuple) else text
            if entry is None or not text or entry.fuzzy:
                wrong.append(f"{code}: no Vietnamese for {msgid!r}")
            elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(f"{code}: the Vietnamese of {msgid!r} has other placeholders")
    assert not wrong, "\n".join(wrong)
