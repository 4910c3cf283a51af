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

The **package graph** is the same graph read a folder at a time: a node is a folder of `src/pydantic_ai` or a
top-level module (`pydantic_ai.models`, `pydantic_ai.lifecycle`, `pydantic_ai.messages`, ...; the root facade
`pydantic_ai` is a node of its own), with an edge wherever a module of one node imports a module of another, by the
rules above (function-local and `TYPE_CHECKING` imports included), with one exception: names exported lazily. A
module-level `__getattr__` (PEP 562; the compatibility shims keeping old import paths, and the package root's heavy
names) imports its target only when someone asks for the name, so the imports inside that `__getattr__`, and the
`if TYPE_CHECKING:` imports of the same modules that declare the names to type checkers, are not edges of the
package graph (they are of the module graph). This is the style rule "compatibility shims are lazy: a facade kept
for old import paths must not make a lower package import a higher one", made checkable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.import_graph import find_cycle, import_graph, module_files, package_graph, package_node

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


def test_package_graph_reads_folders_and_top_level_modules_and_sets_lazy_shims_aside(tmp_path: Path) -> None:
    tree = tmp_path / 'pkg'
    for folder in ('low', 'high'):
        (tree / folder).mkdir(parents=True)
    (tree / '__init__.py').write_text('')
    (tree / 'leaf.py').write_text('')
    (tree / 'high' / '__init__.py').write_text('from . import impl\n')
    (tree / 'high' / 'impl.py').write_text('from ..low import base\ndef f():\n    from .. import leaf\n')
    (tree / 'low' / 'base.py').write_text('')
    # The old path `pkg.low.thing` kept by a lazy shim: declared for type checkers, imported on first use.
    (tree / 'low' / '__init__.py').write_text(
        'from typing import TYPE_CHECKING\n'
        'from . import base\n'
        'if TYPE_CHECKING:\n'
        '    from ..high.impl import thing\n'
        '    from ..leaf import other\n'
        'def __getattr__(name):\n'
        '    from ..high import impl\n'
        '    return impl.thing\n'
    )

    graph = package_graph(tree, 'pkg')

    assert graph['pkg.high'] == {'pkg.low', 'pkg.leaf'}  # function-local imports count
    # The shim's edge to `pkg.high` is set aside; a TYPE_CHECKING import the shim does not serve still counts.
    assert graph['pkg.low'] == {'pkg.leaf'}
    assert find_cycle(graph) is None
    assert 'pkg.high.impl' in import_graph(tree, 'pkg')['pkg.low']  # the module graph keeps the shim's edge
    assert package_node('pkg.high.impl', 'pkg') == 'pkg.high' and package_node('pkg', 'pkg') == 'pkg'


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


def test_package_graph_of_the_core_has_no_cycle() -> None:
    graph = package_graph()

    cycle = find_cycle(graph)

    assert cycle is None, 'package import cycle in src/pydantic_ai: ' + ' -> '.join(cycle)


def test_models_run_the_lifecycle_hooks_which_know_no_model() -> None:
    graph = package_graph()

    # `Model` runs the request duties, the lifecycle hooks among them; the hooks name a model only by a protocol.
    assert 'pydantic_ai.lifecycle' in graph['pydantic_ai.models']
    assert 'pydantic_ai.models' not in graph['pydantic_ai.lifecycle']
    # The features stand on the models, not the other way round.
    for feature in ('pydantic_ai.otel', 'pydantic_ai.registry', 'pydantic_ai.agent', 'pydantic_ai.cli'):
        assert feature not in graph['pydantic_ai.models'], feature


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

    # Only the data types its hooks take, for annotations: neither the registry, the plugin managers nor the models
    # (which run the lifecycle hooks, so sit above it).
    assert graph['pydantic_ai.hookspecs'] == {
        'pydantic_ai._request_info',
        'pydantic_ai.messages',
        'pydantic_ai.providers.base',
    }
    assert 'pydantic_ai.hookspecs' in graph['pydantic_ai.registry._registry']
    assert 'pydantic_ai.hookspecs' in graph['pydantic_ai.lifecycle._manager']
    # The former homes re-export it, nothing more.
    for old in ('pydantic_ai.registry.hookspecs', 'pydantic_ai.lifecycle.hookspecs', 'pydantic_ai.providers.hookspecs'):
        assert graph[old] == {'pydantic_ai.hookspecs'}, old


# --- the Groq plugin ----------------------------------------------------------------------------------------------


def _plugin_graph() -> dict[str, set[str]]:
    import pydantic_ai_groq

    return import_graph(Path(pydantic_ai_groq.__file__).parent, 'pydantic_ai_groq')


def test_the_groq_plugins_send_path_modules_sit_below_its_model() -> None:
    graph = _plugin_graph()
    lower = [f'pydantic_ai_groq.{name}' for name in ('streaming', 'ratelimits', '_errors', '_request', '_response')]
    reachable: set[str] = set()
    pending = list(lower)
    while pending:
        for target in graph[pending.pop()]:
            if target not in reachable:
                reachable.add(target)
                pending.append(target)

    assert not reachable & {'pydantic_ai_groq.model', 'pydantic_ai_groq.provider', 'pydantic_ai_groq.batch'}
    assert find_cycle({name: graph[name] for name in {*lower, *reachable}}) is None
    assert set(lower) <= graph['pydantic_ai_groq.model']
