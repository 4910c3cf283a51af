"""The Groq plugin's imports go one way too, and each fact of the plugin has one home.

The graph is built by the convention of `tests/core/test_import_graph.py` (every import statement counts:
top-level, function-local and under `TYPE_CHECKING`), over `pydantic_ai_groq`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pydantic_ai_groq
from pydantic_ai.providers import ProviderProfile
from pydantic_ai_groq import GroqProvider, provider
from pydantic_ai_groq import testing as groq_testing

from support.import_graph import find_cycle, import_graph

ROOT = Path(pydantic_ai_groq.__file__).parent
PACKAGE = 'pydantic_ai_groq'


def plugin_graph() -> dict[str, set[str]]:
    return import_graph(ROOT, PACKAGE)


def test_import_graph_of_the_groq_plugin_has_no_cycle() -> None:
    cycle = find_cycle(plugin_graph())

    assert cycle is None, 'import cycle in pydantic_ai_groq: ' + ' -> '.join(cycle)


def test_the_provider_does_not_know_the_model_and_the_batch_does_not_know_the_model() -> None:
    graph = plugin_graph()

    # model -> provider and model -> batch, never back: the composition side (`_plugin`) knows both.
    assert 'pydantic_ai_groq.provider' in graph['pydantic_ai_groq.model']
    assert 'pydantic_ai_groq.batch' in graph['pydantic_ai_groq.model']
    assert 'pydantic_ai_groq.model' not in graph['pydantic_ai_groq.provider']
    assert 'pydantic_ai_groq.model' not in graph['pydantic_ai_groq.batch']
    assert {'pydantic_ai_groq.model', 'pydantic_ai_groq.provider'} <= graph['pydantic_ai_groq._plugin']
    # The leaf every module may use imports nothing of the plugin.
    assert graph['pydantic_ai_groq._utils'] == set()


def test_the_http_simulator_imports_nothing_of_the_request_path_it_checks() -> None:
    graph = plugin_graph()

    simulator = {name for name in graph if name.startswith('pydantic_ai_groq.testing.')} - {
        'pydantic_ai_groq.testing.fake'  # the in-process fake hands out a ready `GroqModel`, on purpose
    }
    plugin = {name for name in graph if not name.startswith('pydantic_ai_groq.testing')}
    for name in simulator:
        # The model catalogue is data the simulator serves (`GET /models`); nothing else of the plugin is imported.
        assert graph[name] & plugin <= {'pydantic_ai_groq.model_names'}, name


def test_one_json_alias_and_one_chat_path() -> None:
    defined = {
        path.name
        for path in ROOT.rglob('*.py')
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == 'JSON'
            for t in getattr(node, 'targets', [getattr(node, 'target', None)])
        )
    }
    assert defined == {'_utils.py'}
    assert GroqProvider.chat_completions_path == provider.CHAT_COMPLETIONS_PATH == '/openai/v1/chat/completions'
    # The simulator spells the path out on purpose (it imports nothing of the plugin): it must agree.
    assert groq_testing.CHAT_COMPLETIONS_PATH == provider.CHAT_COMPLETIONS_PATH


def test_what_builds_a_groq_model_lives_with_the_plugin_hooks() -> None:
    from pydantic_ai_groq import _plugin

    assert not hasattr(GroqProvider, 'model_factory')
    assert isinstance(GroqProvider.profile, ProviderProfile)
    assert GroqProvider.profile.model_factory == 'pydantic_ai_groq._plugin:groq_model'
    assert callable(_plugin.groq_model)
