"""The import graph of a Python package, read from its source with ``ast`` (nothing is imported).

Used by the suite to keep the core free of import cycles and its layers pointing one way; reusable
for any package or folder (``plugins/`` included): ``file_imports`` lists what one file imports,
``import_graph`` resolves a whole package's imports to its own modules, ``find_cycles`` names
every cycle in such a graph.

What counts:

- An import at module level (also inside ``try``/``if``/class bodies) runs when the module is
  imported: ``deferred=False``. One inside a function runs only when the function is called:
  ``deferred=True`` (the "lazy" imports that used to dodge cycles).
- Imports under ``if TYPE_CHECKING:`` never run, so they are not edges at all: annotations may
  name anything without creating a dependency.
- ``from package import name`` is an edge to the submodule ``package.name`` when there is one,
  else to ``package`` itself (a name its ``__init__`` defines).
- Importing ``a.b.c`` runs the ``__init__`` of ``a`` and ``a.b`` first, so the graph also holds an
  edge to each enclosing package the importer is not itself inside.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator


@dataclass(frozen=True)
class ImportEdge:
    """One import statement's target: ``importer`` imports ``imported`` at ``line``."""

    importer: str
    imported: str
    line: int
    deferred: bool  # inside a function: runs when called, not when the module is imported
    function: str | None = None  # the outermost function holding a deferred import

    def __str__(self) -> str:
        where = f" (in {self.function}())" if self.function else ""
        return f"{self.importer}:{self.line} imports {self.imported}{where}"


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module at ``path``, for a package folder ``root`` (``ragem/``)."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules(root: Path) -> dict[str, Path]:
    """Every module of the package folder ``root``, by dotted name."""
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: Iterable[ast.stmt], function: str | None) -> Iterator[tuple[ast.stmt, str | None]]:
    """Every import statement in ``body`` with the outermost function around it (if any)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, function
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield from _statements(node.body, function or node.name)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _statements(node.orelse, function)  # only the ``else`` runs
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from _statements(children, function)


def file_imports(path: Path, module: str, *, is_package: bool = False) -> list[ImportEdge]:
    """What the file at ``path`` (module ``module``) imports, as absolute dotted names.

    ``from x import y`` gives ``x.y`` (``resolve`` decides later whether that is a module); relative
    imports are made absolute against ``module``. Nothing is checked against what exists.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    edges = []
    for node, function in _statements(tree.body, None):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = [f"{source}.{alias.name}" for alias in node.names if alias.name != "*"] or [source]
        edges += [ImportEdge(module, target, node.lineno, function is not None, function) for target in targets]
    return edges


def resolve(name: str, modules: Iterable[str]) -> str | None:
    """The longest module of ``modules`` that ``name`` is or lies in (``a.b.Thing`` -> ``a.b``)."""
    known = set(modules)
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(root: Path) -> list[ImportEdge]:
    """Every import between the modules of the package folder ``root``, resolved to its modules.

    Each ``ImportEdge.imported`` is a module of the package (imports of anything else are left
    out); enclosing packages whose ``__init__`` the import runs are added as edges of their own.
    """
    modules = package_modules(root)
    edges: set[ImportEdge] = set()
    for module, path in modules.items():
        for edge in file_imports(path, module, is_package=path.name == "__init__.py"):
            target = resolve(edge.imported, modules)
            if target is None or target == module:
                continue
            for enclosing in _enclosing_packages(target):
                if enclosing in modules and not _inside(module, enclosing):
                    edges.add(ImportEdge(module, enclosing, edge.line, edge.deferred, edge.function))
            edges.add(ImportEdge(module, target, edge.line, edge.deferred, edge.function))
    return sorted(edges, key=lambda e: (e.importer, e.line, e.imported))


def _enclosing_packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def find_cycles(edges: Iterable[ImportEdge]) -> list[list[str]]:
    """One cycle per strongly connected group of modules, as ``[a, b, ..., a]``; ``[]`` when none.

    Tarjan's algorithm finds the groups; a shortest path back to each group's first module (by
    name) names the cycle, so the report is stable and short enough to read.
    """
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    cycles = []
    for group in _strongly_connected(graph):
        if len(group) == 1 and group[0] not in graph[group[0]]:
            continue
        start = min(group)
        cycles.append(_shortest_cycle(graph, start, set(group)))
    return sorted(cycles)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit to hit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def _shortest_cycle(graph: dict[str, set[str]], start: str, group: set[str]) -> list[str]:
    """The shortest path ``start -> ... -> start`` inside ``group`` (breadth first)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & group):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{start} is in a cycle but no path leads back to it")  # unreachable
