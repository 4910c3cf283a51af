"""The import graph of a package tree, built from its source with `ast`: the convention is in
`tests/core/test_import_graph.py`, which checks it on the core; `tests/plugin_groq/test_plugin_layers.py` checks the
Groq plugin with it."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pydantic_ai

ROOT = Path(pydantic_ai.__file__).parent
PACKAGE = 'pydantic_ai'

Graph = Mapping[str, set[str]]


def module_files(root: Path = ROOT, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the tree under `root`, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob('*.py')):
        parts = list(path.relative_to(root).with_suffix('').parts)
        if parts[-1] == '__init__':
            parts.pop()
        found['.'.join([package, *parts])] = path
    return found


def _nearest_module(name: str, modules: Iterable[str]) -> str | None:
    known = set(modules)
    while name:
        if name in known:
            return name
        name = name.rpartition('.')[0]
    return None


def imported_modules(name: str, path: Path, modules: Iterable[str], package: str = PACKAGE) -> set[str]:
    """The modules of the tree that module `name` (source at `path`) names in its import statements."""
    tree = ast.parse(path.read_text(), str(path))
    return _imports_in(ast.walk(tree), name, path.name == '__init__.py', set(modules), package)


def _imports_in(nodes: Iterable[ast.AST], name: str, is_package: bool, known: set[str], package: str) -> set[str]:
    """The modules of the tree named by the import statements among `nodes`, imported by module `name`."""
    targets: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = name if is_package else name.rpartition('.')[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition('.')[0]
                base = f'{anchor}.{node.module}' if node.module else anchor
            else:
                base = node.module or ''
            for alias in node.names:
                submodule = f'{base}.{alias.name}'
                targets.add(submodule if submodule in known else base)
    edges = set()
    for target in targets:
        if target == package or target.startswith(f'{package}.'):
            resolved = _nearest_module(target, known)
            if resolved is not None and resolved != name:
                edges.add(resolved)
    return edges


def _is_type_checking_block(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING') or (
        isinstance(test, ast.Attribute) and test.attr == 'TYPE_CHECKING'
    )


def _subtree(nodes: Iterable[ast.AST]) -> list[ast.AST]:
    return [inner for node in nodes for inner in ast.walk(node)]


def package_imports(name: str, path: Path, modules: Iterable[str], package: str = PACKAGE) -> set[str]:
    """The modules module `name` imports by the package graph's rule: all of them but its lazy shim's."""
    tree = ast.parse(path.read_text(), str(path))
    known, is_package = set(modules), path.name == '__init__.py'
    getattr_hooks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == '__getattr__']
    type_checking = [n for n in tree.body if _is_type_checking_block(n)]
    set_aside = set(map(id, _subtree([*getattr_hooks, *type_checking])))
    rest = [node for node in ast.walk(tree) if id(node) not in set_aside]
    shim = _imports_in(_subtree(getattr_hooks), name, is_package, known, package)
    declared = _imports_in(_subtree(type_checking), name, is_package, known, package)
    return _imports_in(rest, name, is_package, known, package) | (declared - shim)


def package_node(module: str, package: str = PACKAGE) -> str:
    """The package-graph node of `module`: the folder or top-level module of `package` it belongs to."""
    parts = module.split('.')
    return '.'.join(parts[: len(package.split('.')) + 1])


def package_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """The package graph of the tree under `root`, by the convention in the module docs."""
    files = module_files(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        node = package_node(name, package)
        edges = graph.setdefault(node, set())
        for target in package_imports(name, path, files, package):
            target_node = package_node(target, package)
            if target_node != node:
                edges.add(target_node)
    return graph


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """The import graph of the tree under `root`, by the convention in the module docs."""
    files = module_files(root, package)
    return {name: imported_modules(name, path, files, package) for name, path in files.items()}


def find_cycle(graph: Graph) -> list[str] | None:
    """A cycle of `graph` as a path whose last node is its first, or `None` when the graph has none."""
    visiting: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        visiting.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*visiting[visiting.index(target) :], target]
            if target not in done:
                cycle = visit(target)
                if cycle is not None:
                    return cycle
        visiting.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle is not None:
                return cycle
    return None
