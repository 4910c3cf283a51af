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

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.import_graph import find_cycle, import_graph, module_files

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


def test_the_one_hookspecs_module_sits_below_the_registry_and_the_lifecycle_plugins() -> None:
    graph = import_graph()

    # Only the data types its hooks take, for annotations: neither the registry nor the plugin managers.
    assert graph['pydantic_ai.hookspecs'] == {
        'pydantic_ai.lifecycle._info',
        'pydantic_ai.messages',
        'pydantic_ai.models.base',
        'pydantic_ai.providers.base',
    }
    assert 'pydantic_ai.hookspecs' in graph['pydantic_ai.registry._registry']
    assert 'pydantic_ai.hookspecs' in graph['pydantic_ai.lifecycle._manager']
    # The former homes re-export it, nothing more.
    for old in ('pydantic_ai.registry.hookspecs', 'pydantic_ai.lifecycle.hookspecs', 'pydantic_ai.providers.hookspecs'):
        assert graph[old] == {'pydantic_ai.hookspecs'}, old
