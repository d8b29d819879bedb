"""The code's layout rules: no import cycles between modules, the core never imports streamlit, every public
function, class and method is documented, and the O(1) per-question checks stay O(1)."""

from __future__ import annotations

import ast
import importlib
import inspect
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("advisor", "ingest", "ui")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules imported anywhere in the file (top level or inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out.update(n for n in names if n in known)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan 1972)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_a_module_that_imports_it_back():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert _cycles(graph) == []
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]  # the check itself works


def test_the_core_never_imports_streamlit():
    offenders = []
    for name, path in _modules().items():
        if name.startswith("ui"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] == "streamlit" for n in names):
                offenders.append(name)
    assert offenders == []


def test_every_public_function_class_and_method_has_a_docstring():
    missing = []
    for name in _modules():
        module = importlib.import_module(name)
        if not inspect.getdoc(module):
            missing.append(name)
        for attr, value in vars(module).items():
            if attr.startswith("_") or getattr(value, "__module__", None) != name:
                continue
            if inspect.isfunction(value) and not inspect.getdoc(value):
                missing.append(f"{name}.{attr}")
            if inspect.isclass(value):
                if not inspect.getdoc(value):
                    missing.append(f"{name}.{attr}")
                for member, fn in vars(value).items():
                    target = fn.fget if isinstance(fn, property) else getattr(fn, "func", fn)
                    if member.startswith("_") or not (inspect.isfunction(target) or isinstance(fn, property)):
                        continue
                    if not inspect.getdoc(getattr(value, member)):  # an override may inherit its base's docstring
                        missing.append(f"{name}.{attr}.{member}")
    assert missing == []


def test_the_manifest_version_check_is_one_primary_key_lookup(tmp_path):
    from ingest.manifest import Manifest

    manifest = Manifest(tmp_path / "manifest.sqlite3")
    assert manifest.version() == ""
    plan = manifest.db.execute("EXPLAIN QUERY PLAN SELECT value FROM meta WHERE key='version'").fetchall()
    assert all("SCAN" not in row[-1] for row in plan), plan  # a search by key, not a scan of a table
    manifest.remove_file("/nowhere.md", "m")
    first = manifest.version()
    assert first
    other = sqlite3.connect(tmp_path / "manifest.sqlite3")  # another process's view sees the same token
    assert other.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0] == first
    manifest.touch("/nowhere.md", "m", 1.0)  # no change of content: same version
    assert manifest.version() == first


def test_lexical_weights_are_computed_once_per_query_and_read_only():
    from advisor.retrieval.lexical import LexicalIndex

    index = LexicalIndex.build(["a", "b"], ["Saltillo builds engines", "Querétaro builds aircraft parts"])
    calls = []
    idf = index.idf
    index.idf = lambda token: calls.append(token) or idf(token)
    first = index.weights("Which state builds aircraft?")
    again = index.weights("Which state builds aircraft?")
    assert again is first and len(calls) == len(first)
    with pytest.raises(TypeError):  # shared between callers: must not be writable
        first["aircraft"] = 0.0
