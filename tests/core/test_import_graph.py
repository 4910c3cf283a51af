"""The core's imports go one way: the import graph of `src/pydantic_ai` has no cycle, and every module imports alone.

The graph is built from the source with `ast`, by this convention (the one import-linter/grimp use):

- a node is a module of `src/pydantic_ai` (a package is its `__init__.py`);
- an edge goes from a module to each module named in its import statements, **all** of them: top-level,
  function-local and under `if TYPE_CHECKING:`; relative imports are resolved against the importing module;
- `from X import name` is an edge to `X.name` when that is a module, else to `X`; `import X.Y` is an edge to `X.Y`;
  a name below the core that is not a module of the tree (such as `pydantic_ai.models.groq`, added by a plugin) is an
  edge to the nearest enclosing module that is;
- the implicit import of a module's parent package (Python runs `pydantic_ai/models/__init__.py` before
  `pydantic_ai/models/base.py`) is not an edge.

So a package `__init__` may be a thin facade re-exporting its submodules, and a lower module may live inside it, as
long as the lower module does not import the facade. `pydantic_ai.registry`'s docstring draws the layers.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

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
    known = set(modules)
    is_package = path.name == '__init__.py'
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
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


# --- the convention, checked on small trees -----------------------------------------------------------------------


def test_find_cycle_reports_the_cycle_as_a_path() -> None:
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': set()}) is None


def test_graph_counts_function_local_type_checking_and_relative_imports_but_not_parent_packages(
    tmp_path: Path,
) -> None:
    tree = tmp_path / 'pkg'
    (tree / 'sub').mkdir(parents=True)
    (tree / '__init__.py').write_text('from .sub import leaf\n')
    (tree / 'sub' / '__init__.py').write_text('')
    (tree / 'sub' / 'leaf.py').write_text('')
    (tree / 'sub' / 'user.py').write_text(
        'from typing import TYPE_CHECKING\n'
        'from . import leaf\n'
        'if TYPE_CHECKING:\n'
        '    from ..other import Thing\n'
        'def f():\n'
        '    import pkg.top\n'
        '    from .. import sub\n'
        '    from pkg.sub.leaf import name\n'
    )
    (tree / 'other.py').write_text('')
    (tree / 'top.py').write_text('import pkg.sub.user\n')

    graph = import_graph(tree, 'pkg')

    assert graph['pkg.sub.user'] == {'pkg.sub.leaf', 'pkg.other', 'pkg.top', 'pkg.sub'}
    assert graph['pkg.sub.leaf'] == set()  # its parent package `pkg.sub` is not an edge
    assert graph['pkg'] == {'pkg.sub.leaf'}
    assert find_cycle(graph) == ['pkg.sub.user', 'pkg.top', 'pkg.sub.user']


# --- the core -----------------------------------------------------------------------------------------------------


def test_import_graph_of_the_core_has_no_cycle() -> None:
    graph = import_graph()

    cycle = find_cycle(graph)

    assert cycle is None, 'import cycle in src/pydantic_ai: ' + ' -> '.join(cycle)


def test_registry_is_the_composition_root_above_models_and_providers() -> None:
    graph = import_graph()

    # The facades re-export the registry's functions (the compatibility shims), the registry imports the lower layer.
    assert 'pydantic_ai.registry' in graph['pydantic_ai.models']
    assert 'pydantic_ai.registry' in graph['pydantic_ai.providers']
    assert {'pydantic_ai.models.base', 'pydantic_ai.providers.base'} <= graph['pydantic_ai.registry._registry']
    # The Provider protocol is a leaf: it imports nothing of the core.
    assert graph['pydantic_ai.providers.base'] == set()
    # Neither lower layer knows the registry.
    for lower in ('pydantic_ai.models.base', 'pydantic_ai.providers.base', 'pydantic_ai.registry.hookspecs'):
        assert not any(t == 'pydantic_ai.registry' or t.startswith('pydantic_ai.registry._') for t in graph[lower])


# `__main__` modules run a program when imported; they are not library modules.
CORE_MODULES = sorted(name for name in module_files() if name.rpartition('.')[2] != '__main__')


@pytest.mark.parametrize('module', CORE_MODULES)
def test_every_core_module_imports_on_its_own_in_a_fresh_interpreter(module: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    result = subprocess.run(
        [sys.executable, '-c', f'import {module}'], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert result.returncode == 0, f'import {module} failed:\n{result.stderr}'
