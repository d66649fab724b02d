"""No module of ``contest`` imports one that imports it back, directly or through others.

The graph is read from the source with ``ast``, not by importing: every ``import`` and
``from … import`` statement counts, at module level and inside functions and methods alike (an
import inside a function only delays the cycle to the first call). What counts as an edge:

- ``import a.b.c`` is an edge to ``a.b.c``;
- ``from a.b import c`` is an edge to ``a.b.c`` when ``c`` is a module of the package, and to
  ``a.b`` otherwise (``c`` is then a name defined in ``a/b/__init__.py`` or ``a/b.py``);
- relative imports are resolved against the importing module's package;
- imports under ``if TYPE_CHECKING:`` are left out: they never run.

Parent packages are not edges: ``import contest.quiz.rounds`` runs ``contest/__init__.py``
first, but that is how Python loads packages, not a dependency one module chose to have, and
``create_app`` in ``contest/__init__.py`` imports every blueprint by design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "contest"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes that sit under ``if TYPE_CHECKING:``."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else \
                test.attr if isinstance(test, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                for inner in node.body:
                    skipped.update(id(n) for n in ast.walk(inner))
    return skipped


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that module ``name`` (at ``path``) imports anywhere."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in known:
                    found.add(sub)
                elif base in known:
                    found.add(base)
    found.discard(name)
    return found


def import_graph() -> nx.DiGraph:
    known = modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in known.items():
        for target in imports_of(name, path, set(known)):
            graph.add_edge(name, target)
    return graph


def describe(graph: nx.DiGraph, component: set[str]) -> str:
    """One cycle through the component, written out, and the component's members."""
    cycle = nx.find_cycle(graph.subgraph(component))
    path = " -> ".join([a for a, _b in cycle] + [cycle[0][0]])
    return f"{path}\n    (all of: {', '.join(sorted(component))})"


def test_the_graph_sees_imports_inside_functions_and_submodules():
    # Guards the reader itself: a graph that missed these would find no cycle anywhere.
    graph = import_graph()
    assert graph.number_of_nodes() > 100
    # contest/__init__.py imports blueprints inside create_app, e.g. "from contest.quiz import
    # views as quiz_views": a function-level import of a submodule.
    assert graph.has_edge("contest", "contest.quiz.views")
    assert graph.has_edge("contest.quiz.rounds", "contest.audit")


def test_no_import_cycles():
    graph = import_graph()
    cycles = [c for c in nx.strongly_connected_components(graph) if len(c) > 1]
    report = "\n".join(describe(graph, c) for c in sorted(cycles, key=sorted))
    assert not cycles, f"{len(cycles)} import cycle(s) in {PACKAGE}/:\n{report}"
