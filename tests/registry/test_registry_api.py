"""The registry's public API: hooks called through pluggy with `provider_name`, the model-names hook, `registry=`
arguments and `use_registry()`, and the arguments `infer_provider()` injects into provider factories.
"""

from __future__ import annotations

import asyncio
import importlib
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

import pydantic_ai.direct
from pydantic_ai import ProviderPluginError, UnknownProviderError, UserError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.providers import Provider
from pydantic_ai.registry import (
    ProviderRegistry,
    current_registry,
    default_registry,
    infer_model,
    infer_provider,
    list_providers,
    register_provider,
    unregister_provider,
    use_registry,
)
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider

from support.distributions import Site

MULTI_NAME_PLUGIN = """
    from pydantic_ai.providers import hookimpl

    CALLS = []


    class NamedProvider:
        def __init__(self, name):
            self.name = name
            self.base_url = f'https://{name}.example.com'
            self.client = object()


    @hookimpl
    def pydantic_ai_provider(provider_name):
        CALLS.append(('provider', provider_name))
        if provider_name in ('alpha', 'beta'):
            return lambda: NamedProvider(provider_name)
        return None


    @hookimpl
    def pydantic_ai_model_names(provider_name):
        CALLS.append(('model_names', provider_name))
        return [f'{provider_name}-small', f'{provider_name}-large']
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


@dataclass
class LocalProvider:
    name: str = 'local'
    base_url: str = 'http://localhost:8000'
    client: object = field(default_factory=object)


class CannedModel(Model):
    """Answers every request with the same text; built by a runtime `model_factory`."""

    def __init__(self, model_name: str, provider: Provider[Any]) -> None:
        self._model_name = model_name
        self._system = provider.name

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        usage = Usage(requests=1)
        return ModelResponse(parts=[TextPart(f'canned from {self._system}')], model_name=self._model_name), usage

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return self._system


# --- hooks through pluggy -------------------------------------------------------------------------------------------


def test_one_plugin_module_serves_several_names_answering_by_provider_name(site: Site) -> None:
    module = site.module_name('multi_plugin')
    site.add('multi-provider', providers={'alpha': module, 'beta': module}, files={f'{module}.py': MULTI_NAME_PLUGIN})
    registry = ProviderRegistry()

    alpha = registry.infer_provider('alpha')
    beta = registry.infer_provider('beta')

    assert (alpha.name, beta.name) == ('alpha', 'beta')
    assert registry.model_names('beta') == ['beta-small', 'beta-large']
    calls = importlib.import_module(module).CALLS
    assert ('provider', 'alpha') in calls and ('provider', 'beta') in calls
    assert ('model_names', 'beta') in calls


def test_provider_hook_returning_none_for_its_name_is_a_broken_plugin(site: Site) -> None:
    module = site.module_name('multi_plugin')
    site.add('multi-provider', providers={'gamma': module}, files={f'{module}.py': MULTI_NAME_PLUGIN})

    with pytest.raises(ProviderPluginError, match="returned None for provider name 'gamma'") as exc_info:
        ProviderRegistry().infer_provider('gamma')

    assert exc_info.value.distribution == 'multi-provider'


def test_hooks_of_another_plugin_never_answer_for_a_name(site: Site) -> None:
    """An old-style plugin answers every call; restricted to its own plugin, each name still gets its own provider."""
    module = site.module_name('multi_plugin')
    site.add('multi-provider', providers={'alpha': module}, files={f'{module}.py': MULTI_NAME_PLUGIN})
    registry = ProviderRegistry()
    registry.register('local', LocalProvider)

    assert registry.infer_provider('alpha').name == 'alpha'
    assert isinstance(registry.infer_provider('local'), LocalProvider)
    assert registry.model_names('local') == []  # alpha's model-names hook does not answer for `local`


def test_groq_plugin_lists_its_current_model_names() -> None:
    names = ProviderRegistry().model_names('groq')

    assert names[:2] == ['openai/gpt-oss-120b', 'openai/gpt-oss-20b']  # production first
    assert 'qwen/qwen3.8-27b' in names
    assert 'llama-3.3-70b-versatile' not in names  # retired on 2026-08-16: not offered
    assert 'mixtral-8x7b-32768' not in names  # retired: not offered
    assert all(isinstance(n, str) for n in names)


@pytest.mark.parametrize(
    ('body', 'fragment'),
    [
        ("return 'one-name'", "returned 'one-name', not a sequence of model names"),
        ('return [1, 2]', 'not a sequence of model names'),
        ("raise RuntimeError('listing failed')", 'hook raised RuntimeError: listing failed'),
    ],
)
def test_model_names_hook_misbehaving_raises_plugin_error(site: Site, body: str, fragment: str) -> None:
    module = site.module_name('names_plugin')
    source = f"""
        from pydantic_ai.providers import hookimpl


        class P:
            name = 'names'
            base_url = 'https://names.example.com'
            client = None


        @hookimpl
        def pydantic_ai_provider():
            return P


        @hookimpl
        def pydantic_ai_model_names():
            {body}
    """
    site.add('names-provider', providers={'names': module}, files={f'{module}.py': source})

    with pytest.raises(ProviderPluginError, match='names-provider') as exc_info:
        ProviderRegistry().model_names('names')

    assert fragment in str(exc_info.value)


NOTES_PLUGIN = """
    from pydantic_ai.providers import hookimpl


    class P:
        name = 'notes'
        base_url = 'https://notes.example.com'
        client = None


    @hookimpl
    def pydantic_ai_provider():
        return P


    @hookimpl
    def pydantic_ai_model_names():
        return ['big-2', 'small-2']


    @hookimpl
    def pydantic_ai_model_notes(provider_name):
        {body}
"""


def notes_plugin(site: Site, body: str) -> None:
    module = site.module_name('notes_plugin')
    source = textwrap.dedent(NOTES_PLUGIN).replace('{body}', body)
    site.add('notes-provider', providers={'notes': module}, files={f'{module}.py': source})


def test_model_notes_hook_gives_a_note_per_model_name(site: Site) -> None:
    notes_plugin(site, "return {'big-2': 'preview', 'big-1': 'retired 2026-01-31: use big-2'}")

    assert ProviderRegistry().model_notes('notes') == {'big-2': 'preview', 'big-1': 'retired 2026-01-31: use big-2'}


def test_model_notes_are_empty_without_the_hook_or_when_it_returns_none(site: Site) -> None:
    notes_plugin(site, 'return None')
    registry = ProviderRegistry()
    registry.register('local', LocalProvider, model_names=['tiny'])

    assert registry.model_notes('notes') == {}
    assert registry.model_notes('local') == {}


@pytest.mark.parametrize(
    ('body', 'fragment'),
    [
        ("return ['big-2']", 'hook returned a list, not a mapping'),
        ("return {'big-2': 2}", "gave 'big-2': 2; each entry must map a model name to a one-line note"),
        ("return {'big-2': 'two\\nlines'}", "gave 'big-2': 'two\\nlines'"),
        ("raise RuntimeError('notes failed')", 'hook raised RuntimeError: notes failed'),
    ],
)
def test_model_notes_hook_misbehaving_raises_plugin_error(site: Site, body: str, fragment: str) -> None:
    notes_plugin(site, body)

    with pytest.raises(ProviderPluginError, match='notes-provider') as exc_info:
        ProviderRegistry().model_notes('notes')

    assert fragment in str(exc_info.value)


def test_groq_plugin_notes_its_served_models_and_the_retired_names_it_keeps() -> None:
    registry = ProviderRegistry()
    notes = registry.model_notes('groq')
    names = registry.model_names('groq')

    assert set(names) <= set(notes)
    assert notes['openai/gpt-oss-120b'] == 'production'
    assert notes['llama-3.3-70b-versatile'] == 'retired 2026-08-16: use openai/gpt-oss-120b'
    assert 'llama-3.3-70b-versatile' not in names


def test_runtime_registration_declares_model_names() -> None:
    registry = ProviderRegistry()
    registry.register('local', LocalProvider, model_names=['tiny', 'huge'])

    assert registry.model_names('local') == ['tiny', 'huge']


def test_factory_is_the_callable_registered_for_the_name() -> None:
    registry = ProviderRegistry()
    registry.register('local', LocalProvider)

    assert registry.factory('local') is LocalProvider
    assert registry.factory('groq') is GroqProvider
    assert registry.factory('groq').api_key_env_var == 'GROQ_API_KEY'  # type: ignore[attr-defined]


# --- registry= and use_registry() ------------------------------------------------------------------------------------


def test_registry_argument_resolves_names_in_that_registry_only() -> None:
    mine = ProviderRegistry()

    register_provider('local', LocalProvider, model_factory=CannedModel, registry=mine)

    assert isinstance(infer_provider('local', registry=mine), LocalProvider)
    assert isinstance(infer_model('local:tiny', registry=mine), CannedModel)
    assert [r.name for r in list_providers(registry=mine) if r.name == 'local'] == ['local']
    with pytest.raises(UnknownProviderError):
        infer_provider('local')
    assert 'local' not in [r.name for r in list_providers()]
    unregister_provider('local', registry=mine)
    assert 'local' not in mine.names()


def test_use_registry_makes_a_registry_current_for_the_block_and_restores_the_previous_one() -> None:
    outer, inner = ProviderRegistry(), ProviderRegistry()
    inner.register('local', LocalProvider)

    assert current_registry() is default_registry()
    with use_registry(outer):
        assert current_registry() is outer
        with use_registry(inner) as entered:
            assert entered is inner
            assert infer_provider('local').name == 'local'
        assert current_registry() is outer
        with pytest.raises(UnknownProviderError):
            infer_provider('local')
    assert current_registry() is default_registry()


def test_explicit_registry_wins_over_the_current_one() -> None:
    current, explicit = ProviderRegistry(), ProviderRegistry()
    explicit.register('local', LocalProvider)

    with use_registry(current):
        assert infer_provider('local', registry=explicit).name == 'local'


@pytest.mark.asyncio
async def test_use_registry_follows_tasks_started_in_the_block_but_not_other_threads() -> None:
    mine = ProviderRegistry()
    seen: dict[str, ProviderRegistry] = {}

    async def task() -> None:
        seen['task'] = current_registry()

    with use_registry(mine):
        await asyncio.create_task(task())
        thread = threading.Thread(target=lambda: seen.update(thread=current_registry()))
        thread.start()
        thread.join()

    assert seen['task'] is mine
    assert seen['thread'] is default_registry()


@pytest.mark.parametrize('bad', ['groq', None, object()])
def test_use_registry_and_registry_argument_reject_what_is_not_a_registry(bad: object) -> None:
    with pytest.raises(UserError, match='ProviderRegistry'), use_registry(bad):  # type: ignore[arg-type]
        pass
    if bad is not None:
        with pytest.raises(UserError, match='ProviderRegistry'):
            infer_provider('groq', registry=bad)  # type: ignore[arg-type]


def test_groq_model_resolves_a_provider_name_in_the_registry_given(
    groq_api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    class LocalGroq(GroqProvider):
        provider_name = 'localgroq'
        api_key_env_var = 'LOCALGROQ_API_KEY'
        default_base_url = 'http://127.0.0.1:9'

    monkeypatch.setenv('LOCALGROQ_API_KEY', 'local-key')
    mine = ProviderRegistry()
    mine.register('localgroq', LocalGroq)

    model = GroqModel('llama-3.3-70b-versatile', provider='localgroq', registry=mine)

    assert model.system == 'localgroq'
    with pytest.raises(UnknownProviderError):
        GroqModel('llama-3.3-70b-versatile', provider='localgroq')
    with pytest.raises(UserError, match='provider="<name>"'):
        GroqModel('llama-3.3-70b-versatile', registry=mine)


def test_direct_functions_resolve_model_strings_in_the_registry_given() -> None:
    mine = ProviderRegistry()
    mine.register('local', LocalProvider, model_factory=CannedModel)
    messages = [ModelRequest.user_text_prompt('hi')]

    response = pydantic_ai.direct.model_request_sync('local:tiny', messages, registry=mine)

    assert response.parts == [TextPart('canned from local')]
    with pytest.raises(UnknownProviderError):
        pydantic_ai.direct.model_request_sync('local:tiny', messages)


# --- arguments injected into factories -------------------------------------------------------------------------------


def test_only_the_injected_arguments_given_are_passed_to_the_factory() -> None:
    received: list[dict[str, object]] = []

    def factory(**kwargs: object) -> LocalProvider:
        received.append(kwargs)
        return LocalProvider()

    registry = ProviderRegistry()
    registry.register('local', factory)
    client = httpx.AsyncClient()

    registry.infer_provider('local')
    registry.infer_provider('local', base_url='http://127.0.0.1:1')
    registry.infer_provider('local', api_key='k', http_client=client)

    assert received == [{}, {'base_url': 'http://127.0.0.1:1'}, {'api_key': 'k', 'http_client': client}]


def test_groq_provider_by_name_takes_api_key_base_url_and_http_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    client = httpx.AsyncClient()

    provider = infer_provider('groq', api_key='gsk-injected', base_url='http://127.0.0.1:9', http_client=client)

    assert isinstance(provider, GroqProvider)
    assert provider.client.api_key == 'gsk-injected'
    assert provider.base_url == 'http://127.0.0.1:9'
    assert 'gsk-injected' not in repr(provider)


@pytest.mark.parametrize('argument', ['api_key', 'http_client'])
def test_factory_not_taking_an_injected_argument_raises_user_error_naming_provider_and_argument(
    argument: str,
) -> None:
    registry = ProviderRegistry()
    registry.register('local', LocalProvider)  # takes name, base_url and client only
    value: Any = 'sk-never-shown' if argument == 'api_key' else httpx.AsyncClient()

    with pytest.raises(UserError) as exc_info:
        registry.infer_provider('local', **{argument: value})

    message = str(exc_info.value)
    assert "Provider 'local' does not accept" in message
    assert f'`{argument}`' in message
    assert 'sk-never-shown' not in message
    assert registry.infer_provider('local', base_url='http://127.0.0.1:2').base_url == 'http://127.0.0.1:2'
