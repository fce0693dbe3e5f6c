"""The floors of the code base, kept: each part imports only from parts on lower floors.

    6  commands          emss.cli, emss.demo
    5  dashboard         dashboard/            (the only place that may import streamlit)
    4  weekly snapshot   emss.snapshot
    3  computations      emss.figures, emss.coverage, emss.sqlbox
    2  loading, asking   etl/, queries/
    1  warehouse         warehouse/
    0  domain            emss.categories, emss.profiles, emss.roles, emss.geo, emss.config,
                         emss.settings, emss.messages, emss.spreadsheet, emss.tables

Every import is read from the source, function-level ones too. Imports go down a floor, or stay
on the floor within the same package (emss.geo may use emss.config; etl may not use queries);
and no modules import each other, directly or round a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGES = ("emss", "etl", "warehouse", "queries", "dashboard")
FLOORS: list[tuple[str, ...]] = [
    ("emss.categories", "emss.profiles", "emss.roles", "emss.geo", "emss.config", "emss.settings", "emss.messages",
     "emss.spreadsheet", "emss.tables"),
    ("warehouse",),
    ("etl", "queries"),
    ("emss.figures", "emss.coverage", "emss.sqlbox"),
    ("emss.snapshot",),
    ("dashboard",),
    ("emss.cli", "emss.demo"),
]
UI_PARTS = ("dashboard",)


def part_of(module: str) -> str | None:
    """The part a module belongs to: the longest listed name that is it or contains it. The bare
    package `emss` (its empty __init__) stands on the ground floor."""
    if module == "emss":
        return FLOORS[0][0]
    names = [name for floor in FLOORS for name in floor if module == name or module.startswith(name + ".")]
    return max(names, key=len) if names else None


def floor_of(part: str) -> int:
    return next(i for i, floor in enumerate(FLOORS) if part in floor)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool, root: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the tree, `from a import b` read as a.b when b is a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                package = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(package[:len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                as_path = root.joinpath(*candidate.split("."))
                found.append((node.lineno, candidate if as_path.with_suffix(".py").exists() or as_path.is_dir() else base))
    return found


def violations(root: Path = PROJECT_DIR) -> list[str]:
    """Every import that goes sideways or upwards between parts, and streamlit outside the UI."""
    out = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            part = part_of(module)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, target in imported(tree, module, path.name == "__init__.py", root):
                where = f"{path.relative_to(root)}:{line}"
                if target.split(".")[0] == "streamlit" and part not in UI_PARTS:
                    out.append(f"{where} imports streamlit outside the dashboard")
                target_part = part_of(target) if target.split(".")[0] in PACKAGES else None
                if part is None or target_part is None or target_part == part:
                    continue
                same_package = target.split(".")[0] == module.split(".")[0]
                if floor_of(target_part) > floor_of(part) or (floor_of(target_part) == floor_of(part)
                                                              and not same_package):
                    out.append(f"{where} {part} (floor {floor_of(part)}) imports {target} "
                               f"({target_part}, floor {floor_of(target_part)})")
    return out


def import_graph(root: Path = PROJECT_DIR) -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            module = module_name(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            graph[module] = {t for _, t in imported(tree, module, path.name == "__init__.py", root)
                             if t.split(".")[0] in PACKAGES and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles (each once, from its smallest name)."""
    found = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                found.add(tuple(path))
            elif nxt not in path and nxt > path[0]:
                visit(nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    return [list(c) for c in sorted(found)]


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_every_module_is_on_a_floor():
    unplaced = [module_name(p, PROJECT_DIR) for package in PACKAGES for p in (PROJECT_DIR / package).rglob("*.py")
                if part_of(module_name(p, PROJECT_DIR)) is None]
    assert unplaced == []


def test_imports_only_go_down():
    assert violations() == []


def test_the_check_catches_an_upward_import(tmp_path):
    """The checker itself, on a small tree: an upward, a sideways and a hidden function-level import,
    and streamlit where it does not belong, are each reported; a downward import is not."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "emss" / "snapshot").mkdir()
    (tmp_path / "emss" / "snapshot" / "__init__.py").write_text("")
    (tmp_path / "dashboard" / "charts.py").write_text("")
    (tmp_path / "etl" / "rules.py").write_text("")
    (tmp_path / "emss" / "snapshot" / "report.py").write_text("from dashboard import charts\n")
    (tmp_path / "warehouse" / "build.py").write_text("def f():\n    from etl import rules\n")
    (tmp_path / "etl" / "load.py").write_text("import queries\nfrom warehouse import build\n")
    (tmp_path / "emss" / "geo.py").write_text("import streamlit as st\nfrom emss import config\n")
    (tmp_path / "emss" / "config.py").write_text("")
    found = violations(tmp_path)
    assert [f.split(" ")[0] for f in found] == ["emss/geo.py:1", "emss/snapshot/report.py:1",
                                                "etl/load.py:1", "warehouse/build.py:2"], found


def test_the_check_catches_a_circle():
    graph = {"dashboard.charts": {"dashboard.maps"}, "dashboard.maps": {"dashboard.charts", "emss.geo"},
             "emss.geo": set(), "a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert cycles(graph) == [["a", "b", "c"], ["dashboard.charts", "dashboard.maps"]]
