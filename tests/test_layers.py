"""The packages import downward only: index (storage) < qa (the library) < api (front ends) < evals."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"index": 0, "qa": 1, "api": 2, "evals": 3}
# The command line is the one front end that starts the eval suite and the benchmarks (`citeqa eval`,
# `citeqa bench`); it imports them inside those commands only.
ALLOWED_UPWARD = {("api/cli.py", "evals")}


def _imports(path: Path) -> list[tuple[str, int]]:
    """Top-level package and line of every import in `path`, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module.split(".")[0], node.lineno))
    return found


def upward_imports(root: Path = ROOT) -> list[str]:
    """Every import of a higher layer by a lower one, as 'file:line imports package'."""
    wrong = []
    for package, layer in LAYERS.items():
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            for imported, line in _imports(path):
                if LAYERS.get(imported, -1) > layer and (name, imported) not in ALLOWED_UPWARD:
                    wrong.append(f"{name}:{line} imports {imported}")
    return wrong


def test_no_layer_imports_a_higher_one():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "bad.py").write_text("def f():\n    from qa.engine import Engine\n")
    for package in ("qa", "api", "evals"):
        (tmp_path / package).mkdir()
    assert upward_imports(tmp_path) == ["index/bad.py:2 imports qa"]
