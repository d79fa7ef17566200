"""Imports run one way: crawler → pipeline → archive, the pure extraction at the bottom, no circles.

Every import statement of our packages counts, those inside functions too (a circle hidden behind a
function-level import is still a circle). The rules:

- `pipeline.extraction` (pure: bytes + URL + headers in, a typed report out) imports nothing of
  ours outside itself;
- `archive` imports only itself and `pipeline.extraction`, never `crawler` nor pipeline's Scrapy glue;
- `pipeline` (the item pipelines) never imports `crawler`;
- `crawler` never imports the CLI (`nianbao`) nor the sample portal;
- Datasette's plugins import nothing of ours (Datasette loads them from the configuration folder);
- no module reaches itself through others.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("archive", "crawler", "nianbao", "pipeline", "portal", "datasette")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in OURS
        for path in (ROOT / package).rglob("*.py")
        if "__pycache__" not in path.parts
    }


def imported_names(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The modules of ours that `path` imports (for `from a.b import c`, `a.b.c` when that is a
    module, else `a.b`)."""
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield candidate if candidate in modules else base


def import_edges() -> dict[str, set[str]]:
    modules = our_modules()
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {
            target
            for target in imported_names(path, modules)
            if target.split(".")[0] in OURS and target in modules and target != name
        }
        edges[name] = targets
    return edges


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def forbidden(source: str, target: str) -> str | None:
    """Why `source` may not import `target`, or None when it may."""
    if within(source, "pipeline.extraction"):
        if not within(target, "pipeline.extraction"):
            return "the pure extraction imports nothing of ours outside itself"
    elif within(source, "archive"):
        if not (within(target, "archive") or within(target, "pipeline.extraction")):
            return "archive imports only itself and pipeline.extraction"
    elif within(source, "pipeline"):
        if within(target, "crawler") or within(target, "nianbao") or within(target, "portal"):
            return "the item pipelines never import the crawler, the CLI or the sample portal"
    elif within(source, "crawler"):
        if within(target, "nianbao") or within(target, "portal"):
            return "the crawler never imports the CLI or the sample portal"
    elif within(source, "datasette"):
        return "Datasette's plugins import nothing of ours"
    return None


def test_no_module_imports_against_the_flow() -> None:
    edges = import_edges()
    assert len(edges) > 50  # the walk found the code
    broken = sorted(
        f"{source} -> {target}: {why}"
        for source, targets in edges.items()
        for target in targets
        if (why := forbidden(source, target))
    )
    assert broken == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_reaches_itself_through_others() -> None:
    assert cycles(import_edges()) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(edges: dict[str, set[str]], expected: list) -> None:
    assert cycles(edges) == expected


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("pipeline.extraction.tables", "pipeline.extraction.keys", True),
        ("pipeline.extraction.extract", "archive.warc_read", False),
        ("archive.store", "crawler.sources", False),
        ("archive.load", "pipeline.extraction.outcome", True),
        ("archive.load", "pipeline.pipelines", False),
        ("pipeline.pipelines", "crawler.spiders.base", False),
        ("pipeline.pipelines", "archive.store", True),
        ("crawler.runner", "archive.load", True),
        ("crawler.runner", "nianbao.cli", False),
        ("datasette.plugins.report_page", "archive.schema", False),
    ],
)
def test_the_rules_tell_the_flow_from_its_reverse(source: str, target: str, allowed: bool) -> None:
    assert (forbidden(source, target) is None) is allowed
