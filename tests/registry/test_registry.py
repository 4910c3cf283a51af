"""The provider plugin registry, exercised with real (throwaway) installed distributions.

Each test writes the distributions it needs into its own directory (see `_distributions`), puts that directory on
`sys.path`, and lets `importlib.metadata` find them as it finds any installed distribution. Module names are unique
per test and removed from `sys.modules` afterwards.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import groq
import pytest

import pydantic_ai.models
import pydantic_ai.providers
from pydantic_ai import (
    DuplicateProviderError,
    ProviderPluginError,
    UnknownProviderError,
    UserError,
    infer_model,
    infer_provider,
    list_providers,
    register_provider,
    unregister_provider,
)
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import Model, ModelRequestParameters
from pydantic_ai.providers import Provider, ProviderInfo, ProviderRegistry
from pydantic_ai.registry import current_registry, use_registry
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider

from support.distributions import Site

GATEWAY_BASE_URL = 'https://gateway.example.com/openai'

GATEWAY_PLUGIN = f'''
    """A third-party Groq-compatible gateway, packaged as its own distribution."""

    from pydantic_ai.providers import hookimpl
    from pydantic_ai_groq import GroqModel, GroqProvider


    class MyGatewayProvider(GroqProvider):
        provider_name = 'mygateway'
        api_key_env_var = 'MYGATEWAY_API_KEY'
        base_url_env_var = 'MYGATEWAY_BASE_URL'
        default_base_url = {GATEWAY_BASE_URL!r}


    @hookimpl
    def pydantic_ai_provider():
        return MyGatewayProvider


    @hookimpl
    def pydantic_ai_model(model_name, provider):
        return GroqModel(model_name, provider=provider)
'''


def simple_plugin(provider_name: str) -> str:
    """A healthy plugin that needs no SDK: its provider's client is a plain object."""
    return f"""
        from pydantic_ai.providers import hookimpl


        class SimpleProvider:
            name = {provider_name!r}
            base_url = 'https://{provider_name}.example.com'
            client = object()


        @hookimpl
        def pydantic_ai_provider():
            return SimpleProvider
    """


# --- fixtures and helpers ------------------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """A directory of throwaway distributions on `sys.path`; their modules are forgotten after the test."""
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


@pytest.fixture
def fresh_default() -> Iterator[ProviderRegistry]:
    """A new registry made current for the test with `use_registry()`, discarded (with its registrations) afterwards.

    It reads the installed metadata on first use, so it sees the distributions the test adds before its first lookup.
    """
    with use_registry(ProviderRegistry()) as registry:
        yield registry


def add_gateway(site: Site) -> str:
    """Install `mygateway-provider` (version 2.3.4) registering `mygateway`; return its plugin module's name."""
    module = site.module_name('mygateway_provider')
    site.add(
        'mygateway-provider', version='2.3.4', providers={'mygateway': module}, files={f'{module}.py': GATEWAY_PLUGIN}
    )
    return module


def add_simple(site: Site, dist: str, provider_name: str) -> str:
    """Install a healthy SDK-less plugin distribution; return its plugin module's name."""
    module = site.module_name(dist.replace('-', '_'))
    site.add(dist, providers={provider_name: module}, files={f'{module}.py': simple_plugin(provider_name)})
    return module


@dataclass
class BrokenPlugin:
    module: str
    """The plugin module, which raises `RuntimeError` when imported."""
    log: str
    """A module whose list `attempts` grows by one at each attempt to import the plugin module."""

    def attempts(self) -> list[int]:
        return list(importlib.import_module(self.log).attempts)


def add_broken(site: Site, provider_name: str = 'broken') -> BrokenPlugin:
    """Install `broken-plugin` (version 0.0.1), whose plugin module raises on import."""
    plugin = BrokenPlugin(module=site.module_name('broken_plugin'), log=site.module_name('import_log'))
    site.add(
        'broken-plugin',
        version='0.0.1',
        providers={provider_name: plugin.module},
        files={
            f'{plugin.log}.py': 'attempts = []\n',
            f'{plugin.module}.py': f"""
                import {plugin.log}

                {plugin.log}.attempts.append(1)
                raise RuntimeError('plugin exploded on import')
            """,
        },
    )
    return plugin


@pytest.fixture
def gateway_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv('MYGATEWAY_API_KEY', 'gw-test-key')
    monkeypatch.delenv('MYGATEWAY_BASE_URL', raising=False)
    return 'gw-test-key'


@dataclass
class LocalProvider:
    """A provider registered at run time in tests."""

    name: str = 'local'
    base_url: str = 'http://localhost:8000'
    client: object = field(default_factory=object)


class EchoModel(Model):
    """A model built by a runtime `model_factory`; never sends anything."""

    def __init__(self, model_name: str, provider: Provider[Any]) -> None:
        self._model_name = model_name
        self.provider = provider

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def system(self) -> str:
        return self.provider.name


def rows_by_name(rows: list[ProviderInfo]) -> dict[str, list[ProviderInfo]]:
    grouped: dict[str, list[ProviderInfo]] = {}
    for row in rows:
        grouped.setdefault(row.name, []).append(row)
    return grouped


# --- 1. a third-party distribution ---------------------------------------------------------------------------------


def test_infer_provider_creates_provider_of_third_party_distribution(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch, no_groq_env: None, gateway_key: str
) -> None:
    module = add_gateway(site)

    provider = infer_provider('mygateway')

    assert type(provider).__name__ == 'MyGatewayProvider'
    assert type(provider).__module__ == module
    assert isinstance(provider, GroqProvider)
    assert isinstance(provider, Provider)
    assert provider.name == 'mygateway'
    assert provider.base_url.rstrip('/') == GATEWAY_BASE_URL
    assert isinstance(provider.client, groq.AsyncGroq)
    assert provider.client.api_key == gateway_key


def test_groq_model_accepts_the_name_of_a_third_party_groq_compatible_provider(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch, no_groq_env: None, gateway_key: str
) -> None:
    add_gateway(site)

    model = GroqModel('some-model', provider='mygateway')

    assert model.system == 'mygateway'
    assert model.model_name == 'some-model'
    assert model.base_url.rstrip('/') == GATEWAY_BASE_URL
    assert isinstance(model.client, groq.AsyncGroq)
    assert model.client.api_key == gateway_key


def test_infer_model_builds_model_through_third_party_plugin_hook(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch, no_groq_env: None, gateway_key: str
) -> None:
    add_gateway(site)

    model = infer_model('mygateway:some-model')

    assert isinstance(model, GroqModel)
    assert model.system == 'mygateway'
    assert model.model_name == 'some-model'
    assert model.base_url.rstrip('/') == GATEWAY_BASE_URL


def test_third_party_provider_without_its_api_key_raises_user_error_not_plugin_error(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch, groq_api_key: str
) -> None:
    monkeypatch.delenv('MYGATEWAY_API_KEY', raising=False)
    add_gateway(site)

    with pytest.raises(UserError, match='MYGATEWAY_API_KEY') as exc_info:
        infer_provider('mygateway')

    assert not isinstance(exc_info.value, ProviderPluginError)
    assert groq_api_key not in str(exc_info.value)


def test_fresh_registry_instance_finds_third_party_distribution(site: Site, gateway_key: str) -> None:
    module = add_gateway(site)
    registry = ProviderRegistry()

    assert {'groq', 'mygateway'} <= set(registry.names())
    factory = registry.factory('mygateway')
    assert factory is sys.modules[module].MyGatewayProvider
    provider = registry.infer_provider('mygateway')
    assert type(provider) is factory
    assert provider.name == 'mygateway'
    model = registry.model('mygateway', 'some-model')
    assert isinstance(model, GroqModel)
    assert model.system == 'mygateway'


def test_registry_sees_distribution_installed_after_first_read_only_after_refresh(site: Site) -> None:
    registry = ProviderRegistry()
    assert 'latecomer' not in registry.names()

    add_simple(site, 'latecomer-provider', 'latecomer')
    assert 'latecomer' not in registry.names()

    registry.refresh()
    assert 'latecomer' in registry.names()
    assert registry.infer_provider('latecomer').name == 'latecomer'


# --- 2. unknown names ----------------------------------------------------------------------------------------------


def test_unknown_provider_raises_unknown_provider_error_listing_available_names(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_gateway(site)

    with pytest.raises(UnknownProviderError) as exc_info:
        infer_provider('nosuchprovider')

    error = exc_info.value
    assert isinstance(error, UserError)
    assert error.name == 'nosuchprovider'
    assert 'groq' in error.available
    assert 'mygateway' in error.available
    assert list(error.available) == sorted(error.available)
    assert "'nosuchprovider'" in str(error)
    assert "'groq'" in str(error)
    assert "'mygateway'" in str(error)


def test_unknown_provider_name_in_groq_model_and_infer_model_raises_unknown_provider_error(
    fresh_default: ProviderRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    with pytest.raises(UnknownProviderError, match="'groq'"):
        GroqModel('some-model', provider='nosuchprovider')
    with pytest.raises(UnknownProviderError, match="'nosuchprovider'"):
        infer_model('nosuchprovider:some-model')


def test_infer_model_without_provider_prefix_raises_user_error_listing_providers(
    fresh_default: ProviderRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    with pytest.raises(UserError, match='provider:model-name') as exc_info:
        infer_model('llama-3.3-70b-versatile')

    assert "'groq'" in str(exc_info.value)


# --- 3. a plugin that fails to import ------------------------------------------------------------------------------


def test_plugin_failing_on_import_raises_provider_plugin_error_naming_distribution_and_entry_point(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = add_broken(site)

    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider('broken')

    error = exc_info.value
    assert type(error) is ProviderPluginError
    assert error.provider_name == 'broken'
    assert error.distribution == 'broken-plugin'
    assert error.entry_point == broken.module
    message = str(error)
    assert "'broken-plugin'" in message
    assert broken.module in message
    assert 'RuntimeError' in message
    assert 'plugin exploded on import' in message
    assert isinstance(error.__cause__, RuntimeError)
    assert str(error.__cause__) == 'plugin exploded on import'


def test_broken_plugin_leaves_groq_and_other_third_party_providers_working(
    site: Site, groq_api_key: str, gateway_key: str
) -> None:
    add_broken(site)
    add_gateway(site)
    registry = ProviderRegistry()

    with pytest.raises(ProviderPluginError):
        registry.infer_provider('broken')

    groq_provider = registry.infer_provider('groq')
    assert isinstance(groq_provider, GroqProvider)
    assert groq_provider.name == 'groq'
    assert groq_provider.client.api_key == groq_api_key
    gateway = registry.infer_provider('mygateway')
    assert gateway.name == 'mygateway'
    assert gateway.base_url.rstrip('/') == GATEWAY_BASE_URL


def test_broken_plugin_is_not_imported_again_on_second_lookup(site: Site) -> None:
    broken = add_broken(site)
    registry = ProviderRegistry()

    with pytest.raises(ProviderPluginError) as first:
        registry.infer_provider('broken')
    assert broken.attempts() == [1]

    with pytest.raises(ProviderPluginError) as second:
        registry.infer_provider('broken')
    with pytest.raises(ProviderPluginError):
        registry.factory('broken')

    assert broken.attempts() == [1]
    assert str(second.value) == str(first.value)
    assert second.value.distribution == 'broken-plugin'
    assert isinstance(second.value.__cause__, RuntimeError)


def test_refresh_retries_importing_a_broken_plugin(site: Site) -> None:
    broken = add_broken(site)
    registry = ProviderRegistry()
    with pytest.raises(ProviderPluginError):
        registry.infer_provider('broken')

    registry.refresh()
    with pytest.raises(ProviderPluginError):
        registry.infer_provider('broken')

    assert broken.attempts() == [1, 1]


# --- 4. entry points that are not valid provider plugins -----------------------------------------------------------

# (case id, plugin module source or None, entry point value (`{module}` is the plugin module), message fragment,
#  type of the chained cause or None)
INVALID_PLUGINS = [
    (
        'module-without-hooks',
        """
        def helper():
            return 'not a hook'
        """,
        '{module}',
        'implements no `pydantic_ai_provider` hook',
        None,
    ),
    ('plain-function-object', None, 'os:getcwd', 'its factory returned str, not a Provider', None),
    ('function-needing-arguments', None, 'os:getenv', 'must be callable with no arguments', None),
    ('non-callable-object', None, 'os:sep', 'is not a provider plugin', None),
    (
        'class-that-is-not-a-provider',
        """
        class Settings:
            timeout = 3
        """,
        '{module}:Settings',
        'not a Provider class (its instances have no `name`, `base_url`, `client`)',
        None,
    ),
    ('missing-module', None, '{module}_does_not_exist', 'ModuleNotFoundError', ModuleNotFoundError),
    ('missing-attribute', None, 'os:no_such_attribute', 'AttributeError', AttributeError),
    (
        'hook-returns-non-callable',
        """
        from pydantic_ai.providers import hookimpl

        @hookimpl
        def pydantic_ai_provider():
            return 42
        """,
        '{module}',
        'returned 42, not a callable',
        None,
    ),
    (
        'misspelled-hook-name',
        """
        from pydantic_ai.providers import hookimpl

        @hookimpl
        def pydantic_ai_provder():
            return object
        """,
        '{module}',
        'pydantic_ai_provder',
        None,
    ),
    (
        'hook-with-argument-not-in-spec',
        """
        from pydantic_ai.providers import hookimpl

        @hookimpl
        def pydantic_ai_provider(api_key):
            return object
        """,
        '{module}',
        'not a valid provider plugin',
        None,
    ),
    (
        'hook-raises',
        """
        from pydantic_ai.providers import hookimpl

        @hookimpl
        def pydantic_ai_provider():
            raise ValueError('hook failed')
        """,
        '{module}',
        'hook raised ValueError: hook failed',
        ValueError,
    ),
    (
        'factory-returns-non-provider',
        """
        from pydantic_ai.providers import hookimpl

        class NotAProvider:
            name = 'odd'

        @hookimpl
        def pydantic_ai_provider():
            return NotAProvider
        """,
        '{module}',
        'returned NotAProvider, not a Provider',
        None,
    ),
    (
        'factory-raises',
        """
        from pydantic_ai.providers import hookimpl

        def make_provider():
            raise KeyError('missing setting')

        @hookimpl
        def pydantic_ai_provider():
            return make_provider
        """,
        '{module}',
        'creating the provider raised KeyError',
        KeyError,
    ),
]


@pytest.mark.parametrize(
    ('source', 'value', 'fragment', 'cause'),
    [case[1:] for case in INVALID_PLUGINS],
    ids=[case[0] for case in INVALID_PLUGINS],
)
def test_invalid_plugin_raises_provider_plugin_error_naming_its_distribution(
    fresh_default: ProviderRegistry,
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    source: str | None,
    value: str,
    fragment: str,
    cause: type[BaseException] | None,
) -> None:
    module = site.module_name('odd_plugin')
    entry_point = value.format(module=module)
    site.add(
        'odd-plugin',
        version='0.3.0',
        providers={'odd': entry_point},
        files={f'{module}.py': source} if source is not None else {},
    )

    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider('odd')

    error = exc_info.value
    assert type(error) is ProviderPluginError
    assert error.provider_name == 'odd'
    assert error.distribution == 'odd-plugin'
    assert error.entry_point == entry_point
    assert "'odd-plugin'" in str(error)
    assert fragment in str(error)
    if cause is not None:
        assert isinstance(error.__cause__, cause)


def test_invalid_plugin_leaves_registry_able_to_load_other_plugins(site: Site) -> None:
    module = site.module_name('misspelled')
    site.add(
        'misspelled-plugin',
        providers={'misspelled': module},
        files={
            f'{module}.py': """
                from pydantic_ai.providers import hookimpl

                @hookimpl
                def pydantic_ai_provder():
                    return object
            """
        },
    )
    add_simple(site, 'healthy-provider', 'healthy')
    registry = ProviderRegistry()

    with pytest.raises(ProviderPluginError):
        registry.infer_provider('misspelled')

    assert registry.infer_provider('healthy').name == 'healthy'
    rows = {row.name: row for row in registry.providers(load=True)}
    assert rows['healthy'].status == 'loaded'
    assert rows['misspelled'].status == 'broken'


def test_provider_factory_user_error_passes_through_unwrapped(site: Site) -> None:
    module = site.module_name('needs_config')
    site.add(
        'needs-config-provider',
        providers={'needsconfig': module},
        files={
            f'{module}.py': """
                from pydantic_ai.exceptions import UserError
                from pydantic_ai.providers import hookimpl

                def make_provider():
                    raise UserError('set NEEDSCONFIG_API_KEY')

                @hookimpl
                def pydantic_ai_provider():
                    return make_provider
            """
        },
    )

    with pytest.raises(UserError, match='set NEEDSCONFIG_API_KEY') as exc_info:
        ProviderRegistry().infer_provider('needsconfig')

    assert not isinstance(exc_info.value, ProviderPluginError)


def test_model_hook_returning_non_model_raises_provider_plugin_error(site: Site) -> None:
    module = site.module_name('bad_model')
    site.add(
        'bad-model-provider',
        providers={'badmodel': module},
        files={
            f'{module}.py': simple_plugin('badmodel')
            + textwrap.indent(
                textwrap.dedent("""
                    @hookimpl
                    def pydantic_ai_model(model_name, provider):
                        return 'not a model'
                """),
                ' ' * 8,
            )
        },
    )

    with pytest.raises(ProviderPluginError, match='not a Model') as exc_info:
        ProviderRegistry().model('badmodel', 'some-model')

    assert exc_info.value.distribution == 'bad-model-provider'


def test_model_hook_raising_raises_provider_plugin_error(site: Site) -> None:
    """A `pydantic_ai_model` hook that crashes is a broken plugin (see `infer_model`'s Raises), not a raw error."""
    module = site.module_name('crashing_model')
    site.add(
        'crashing-model-provider',
        providers={'crashingmodel': module},
        files={
            f'{module}.py': simple_plugin('crashingmodel')
            + textwrap.indent(
                textwrap.dedent("""
                    @hookimpl
                    def pydantic_ai_model(model_name, provider):
                        raise RuntimeError('model hook crashed')
                """),
                ' ' * 8,
            )
        },
    )

    with pytest.raises(ProviderPluginError) as exc_info:
        ProviderRegistry().model('crashingmodel', 'some-model')

    assert exc_info.value.distribution == 'crashing-model-provider'
    assert isinstance(exc_info.value.__cause__, RuntimeError)


def test_infer_model_for_plugin_without_model_hook_raises_user_error(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_simple(site, 'nomodels-provider', 'nomodels')

    with pytest.raises(UserError, match='does not build models') as exc_info:
        infer_model('nomodels:some-model')

    assert not isinstance(exc_info.value, ProviderPluginError)
    assert infer_provider('nomodels').name == 'nomodels'


# --- 5. two distributions claiming one name ------------------------------------------------------------------------


def add_duplicates(site: Site) -> tuple[str, str]:
    """Install `dup-alpha` and `dup-beta`, both registering `shared`; return their plugin modules' names."""
    return add_simple(site, 'dup-alpha', 'shared'), add_simple(site, 'dup-beta', 'shared')


def test_two_distributions_registering_one_name_raise_duplicate_error_before_importing_either(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha, beta = add_duplicates(site)

    with pytest.raises(DuplicateProviderError) as exc_info:
        infer_provider('shared')

    error = exc_info.value
    assert isinstance(error, ProviderPluginError)
    assert error.provider_name == 'shared'
    assert error.distributions == ('dup-alpha', 'dup-beta')
    assert 'dup-alpha' in str(error)
    assert 'dup-beta' in str(error)
    assert alpha not in sys.modules
    assert beta not in sys.modules


def test_third_party_distribution_claiming_groq_makes_groq_a_duplicate(site: Site) -> None:
    impostor = add_simple(site, 'groq-impostor', 'groq')

    with pytest.raises(DuplicateProviderError) as exc_info:
        ProviderRegistry().infer_provider('groq')

    assert exc_info.value.distributions == ('groq-impostor', 'pydantic-ai-groq')
    assert impostor not in sys.modules


def test_list_providers_reports_every_claimant_of_a_duplicated_name(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha, beta = add_duplicates(site)

    for load in (False, True):
        rows = rows_by_name(list_providers(load=load))['shared']
        assert [(r.distribution, r.version, r.entry_point, r.status) for r in rows] == [
            ('dup-alpha', '1.0.0', alpha, 'duplicate'),
            ('dup-beta', '1.0.0', beta, 'duplicate'),
        ]
        for row in rows:
            assert row.error is not None
            assert 'dup-alpha' in row.error
            assert 'dup-beta' in row.error
    assert alpha not in sys.modules
    assert beta not in sys.modules


def test_register_provider_with_replace_resolves_a_duplicate_explicitly(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha, beta = add_duplicates(site)

    with pytest.raises(UserError, match='replace=True') as exc_info:
        register_provider('shared', LocalProvider)
    assert 'dup-alpha' in str(exc_info.value)
    assert 'dup-beta' in str(exc_info.value)

    register_provider('shared', LocalProvider, replace=True)
    provider = infer_provider('shared')

    assert isinstance(provider, LocalProvider)
    assert alpha not in sys.modules
    assert beta not in sys.modules


# --- 6. listing ----------------------------------------------------------------------------------------------------


def test_list_without_load_reads_metadata_only(site: Site) -> None:
    gateway = add_gateway(site)
    broken = add_broken(site)
    registry = ProviderRegistry()

    rows = registry.providers(load=False)

    assert [r.name for r in rows] == sorted(r.name for r in rows)
    by_name = {r.name: r for r in rows}
    assert by_name['mygateway'] == ProviderInfo('mygateway', 'mygateway-provider', '2.3.4', gateway, 'available')
    assert by_name['broken'] == ProviderInfo('broken', 'broken-plugin', '0.0.1', broken.module, 'available')
    assert by_name['groq'].status == 'available'
    assert gateway not in sys.modules
    assert broken.module not in sys.modules
    assert broken.log not in sys.modules


def test_list_with_load_reports_loaded_and_broken_plugins_instead_of_raising(
    fresh_default: ProviderRegistry, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = add_gateway(site)
    broken = add_broken(site)

    by_name = {r.name: r for r in list_providers(load=True)}

    assert by_name['mygateway'] == ProviderInfo('mygateway', 'mygateway-provider', '2.3.4', gateway, 'loaded')
    assert by_name['groq'].status == 'loaded'
    assert by_name['groq'].error is None
    row = by_name['broken']
    assert (row.name, row.distribution, row.version, row.entry_point, row.status) == (
        'broken',
        'broken-plugin',
        '0.0.1',
        broken.module,
        'broken',
    )
    assert row.error is not None
    assert 'plugin exploded on import' in row.error
    assert 'broken-plugin' in row.error


def test_list_without_load_shows_outcome_of_earlier_lookups(site: Site, gateway_key: str) -> None:
    gateway = add_gateway(site)
    broken = add_broken(site)
    registry = ProviderRegistry()
    registry.infer_provider('mygateway')
    with pytest.raises(ProviderPluginError):
        registry.infer_provider('broken')

    by_name = {r.name: r for r in registry.providers()}

    assert by_name['mygateway'].status == 'loaded'
    assert by_name['mygateway'].entry_point == gateway
    assert by_name['broken'].status == 'broken'
    assert by_name['groq'].status == 'available'
    assert broken.attempts() == [1]


# --- 7. run-time registration --------------------------------------------------------------------------------------


def test_register_provider_makes_name_available_to_infer_provider(fresh_default: ProviderRegistry) -> None:
    register_provider('local', LocalProvider)

    provider = infer_provider('local')

    assert isinstance(provider, LocalProvider)
    assert provider.name == 'local'
    assert 'local' in fresh_default.names()
    assert current_registry() is fresh_default


def test_registering_a_runtime_name_again_requires_replace(fresh_default: ProviderRegistry) -> None:
    register_provider('local', LocalProvider)

    with pytest.raises(UserError, match='replace=True'):
        register_provider('local', lambda: LocalProvider(base_url='http://other'))
    assert infer_provider('local').base_url == 'http://localhost:8000'

    register_provider('local', lambda: LocalProvider(base_url='http://other'), replace=True)
    assert infer_provider('local').base_url == 'http://other'


def test_replacing_an_entry_point_provider_requires_replace_and_unregister_restores_it(
    fresh_default: ProviderRegistry, groq_api_key: str
) -> None:
    with pytest.raises(UserError, match='pydantic-ai-groq'):
        register_provider('groq', LocalProvider)
    assert isinstance(infer_provider('groq'), GroqProvider)

    register_provider('groq', LocalProvider, replace=True)
    assert isinstance(infer_provider('groq'), LocalProvider)

    unregister_provider('groq')
    assert isinstance(infer_provider('groq'), GroqProvider)


def test_unregister_provider_removes_runtime_provider(fresh_default: ProviderRegistry) -> None:
    register_provider('local', LocalProvider)

    unregister_provider('local')

    with pytest.raises(UnknownProviderError):
        infer_provider('local')
    assert 'local' not in [r.name for r in list_providers()]


@pytest.mark.parametrize('name', ['never-registered', 'groq'])
def test_unregistering_a_name_not_registered_at_run_time_raises_user_error(
    fresh_default: ProviderRegistry, name: str
) -> None:
    with pytest.raises(UserError, match=repr(name)):
        unregister_provider(name)


@pytest.mark.parametrize('name', ['', 'a:b'])
def test_registering_an_invalid_name_raises_user_error(fresh_default: ProviderRegistry, name: str) -> None:
    with pytest.raises(UserError, match='non-empty string without ":"'):
        register_provider(name, LocalProvider)


def test_registering_a_non_callable_factory_raises_user_error(fresh_default: ProviderRegistry) -> None:
    with pytest.raises(UserError, match='factory'):
        register_provider('local', LocalProvider())  # type: ignore[arg-type]


def test_model_factory_makes_infer_model_work_for_runtime_provider(fresh_default: ProviderRegistry) -> None:
    register_provider('local', LocalProvider, model_factory=EchoModel)

    model = infer_model('local:tiny-model')

    assert isinstance(model, EchoModel)
    assert model.model_name == 'tiny-model'
    assert model.system == 'local'
    assert isinstance(model.provider, LocalProvider)


def test_infer_model_for_runtime_provider_without_model_factory_raises_user_error(
    fresh_default: ProviderRegistry,
) -> None:
    register_provider('local', LocalProvider)

    with pytest.raises(UserError, match='does not build models'):
        infer_model('local:tiny-model')


def test_runtime_provider_is_listed_as_loaded_without_distribution(fresh_default: ProviderRegistry) -> None:
    register_provider('local', LocalProvider)

    rows = rows_by_name(list_providers())

    assert rows['local'] == [ProviderInfo('local', None, None, None, 'loaded')]


def test_runtime_provider_names_are_listed_in_unknown_provider_error(fresh_default: ProviderRegistry) -> None:
    register_provider('local', LocalProvider)

    with pytest.raises(UnknownProviderError) as exc_info:
        infer_provider('nosuchprovider')

    assert 'local' in exc_info.value.available
    assert 'groq' in exc_info.value.available


def test_runtime_registration_stays_in_its_registry() -> None:
    first, second = ProviderRegistry(), ProviderRegistry()

    first.register('local', LocalProvider)

    assert 'local' in first.names()
    assert 'local' not in second.names()
    with pytest.raises(UnknownProviderError):
        second.infer_provider('local')


# --- 8. laziness, in fresh interpreters ----------------------------------------------------------------------------


def run_python(code: str, *, cwd: Path, pythonpath: Path | None = None, **env: str) -> Any:
    """Run `code` in a fresh interpreter of this environment and return the JSON it prints last."""
    environ = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'GROQ_API_KEY', 'GROQ_BASE_URL')}
    if pythonpath is not None:
        environ['PYTHONPATH'] = str(pythonpath)
    environ.update(env)
    result = subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)], cwd=cwd, env=environ, capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.fail(f'subprocess failed ({result.returncode}):\n{result.stderr}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_pydantic_ai_imports_no_heavy_dependency(tmp_path: Path) -> None:
    code = """
        import json, sys
        import pydantic_ai
        import pydantic_ai.registry, pydantic_ai.providers, pydantic_ai.models, pydantic_ai.providers.base
        from pydantic_ai.registry import current_registry, infer_model, use_registry
        heavy = ['groq', 'httpx', 'pydantic', 'pluggy', 'importlib.metadata', 'pydantic_ai_groq']
        print(json.dumps({m: m in sys.modules for m in ['pydantic_ai', *heavy]}))
    """

    imported = run_python(code, cwd=tmp_path)

    assert imported == {
        'pydantic_ai': True,
        'groq': False,
        'httpx': False,
        'pydantic': False,
        'pluggy': False,
        'importlib.metadata': False,
        'pydantic_ai_groq': False,
    }


def subprocess_site(tmp_path: Path) -> tuple[Site, str]:
    """A site (not on this process's `sys.path`) with one SDK-less third-party plugin; return it and the module."""
    site = Site(tmp_path / 'subprocess-site')
    module = site.module_name('elsewhere_plugin')
    site.add('elsewhere-provider', providers={'elsewhere': module}, files={f'{module}.py': simple_plugin('elsewhere')})
    return site, module


def test_list_providers_imports_no_plugin_module(tmp_path: Path) -> None:
    site, module = subprocess_site(tmp_path)
    code = f"""
        import json, sys
        import pydantic_ai.providers
        names = [r.name for r in pydantic_ai.providers.list_providers()]
        print(json.dumps({{
            'names': names,
            'imported': {{m: m in sys.modules for m in ['groq', 'pydantic_ai_groq', {module!r}]}},
        }}))
    """

    out = run_python(code, cwd=tmp_path, pythonpath=site.root)

    assert {'groq', 'elsewhere'} <= set(out['names'])
    assert out['imported'] == {'groq': False, 'pydantic_ai_groq': False, module: False}


def test_infer_provider_groq_imports_only_the_groq_plugin(tmp_path: Path) -> None:
    site, module = subprocess_site(tmp_path)
    code = f"""
        import json, sys
        import pydantic_ai.providers
        provider = pydantic_ai.providers.infer_provider('groq')
        after_groq = {{m: m in sys.modules for m in ['groq', 'pydantic_ai_groq', {module!r}]}}
        # The other plugin is installed and loadable: looking it up is what imports it.
        other = pydantic_ai.providers.infer_provider('elsewhere')
        print(json.dumps({{
            'provider': provider.name,
            'after_groq': after_groq,
            'other': other.name,
            'other_imported': {module!r} in sys.modules,
        }}))
    """

    out = run_python(code, cwd=tmp_path, pythonpath=site.root, GROQ_API_KEY='gsk-subprocess-fake-key')

    assert out == {
        'provider': 'groq',
        'after_groq': {'groq': True, 'pydantic_ai_groq': True, module: False},
        'other': 'elsewhere',
        'other_imported': True,
    }


# --- 9. import paths added by plugins ------------------------------------------------------------------------------


def test_models_groq_and_providers_groq_import_paths_give_the_plugin_classes() -> None:
    import pydantic_ai.models.groq
    import pydantic_ai.providers.groq

    assert pydantic_ai.models.groq.GroqModel is GroqModel
    assert pydantic_ai.providers.groq.GroqProvider is GroqProvider


@pytest.mark.parametrize(
    ('path', 'distribution'),
    [
        ('pydantic_ai.models.doesnotexist', 'pydantic-ai-doesnotexist'),
        ('pydantic_ai.providers.doesnotexist', 'pydantic-ai-doesnotexist'),
        ('pydantic_ai.models.does_not_exist', 'pydantic-ai-does-not-exist'),
    ],
)
def test_import_path_without_plugin_says_which_distribution_to_install(path: str, distribution: str) -> None:
    with pytest.raises(ModuleNotFoundError) as exc_info:
        importlib.import_module(path)

    assert f'pip install {distribution}' in str(exc_info.value)
    assert exc_info.value.name == path
    assert path not in sys.modules


def test_import_path_of_absent_groq_plugin_says_to_install_pydantic_ai_groq(monkeypatch: pytest.MonkeyPatch) -> None:
    assert importlib.import_module('pydantic_ai.models.groq').GroqModel is GroqModel
    real_distributions = importlib.metadata.distributions
    scans: list[list[str]] = []

    def distributions_without_the_plugin(**params: Any) -> Any:
        found = [d for d in real_distributions(**params) if d.metadata['Name'] != 'pydantic-ai-groq']
        scans.append([d.metadata['Name'] for d in found])
        return found

    monkeypatch.delitem(sys.modules, 'pydantic_ai.models.groq')
    monkeypatch.setattr(importlib.metadata, 'distributions', distributions_without_the_plugin)

    with pytest.raises(ModuleNotFoundError, match='pip install pydantic-ai-groq'):
        importlib.import_module('pydantic_ai.models.groq')
    assert 'pydantic_ai.models.groq' not in sys.modules
    assert len(scans) == 1 and 'pydantic-ai-core' in scans[0]  # one read of the installed distributions


def test_modules_entry_point_adds_import_path_reexporting_public_names(site: Site) -> None:
    target = site.module_name('mygateway_models')
    path = site.module_name('mygateway')
    site.add(
        'mygateway-provider',
        modules={f'models.{path}': target, f'providers.{path}': target},
        files={
            f'{target}.py': """
                '''Models of the gateway.'''

                __all__ = ('GatewayModel', 'helper')


                class GatewayModel:
                    pass


                def helper():
                    return 'helped'


                def not_exported():
                    return 'hidden'
            """
        },
    )

    seeded = importlib.import_module(f'pydantic_ai.models.{path}')
    original = sys.modules[target]

    assert seeded is not original
    assert seeded.GatewayModel is original.GatewayModel
    assert seeded.helper() == 'helped'
    assert list(seeded.__all__) == ['GatewayModel', 'helper']
    assert not hasattr(seeded, 'not_exported')
    assert seeded.__doc__ == 'Models of the gateway.'
    assert getattr(pydantic_ai.models, path) is seeded
    assert importlib.import_module(f'pydantic_ai.providers.{path}').GatewayModel is original.GatewayModel


def test_real_core_submodules_win_over_plugin_import_paths(tmp_path: Path) -> None:
    site = Site(tmp_path / 'subprocess-site')
    target = site.module_name('hijack')
    site.add(
        'hijack-provider',
        modules={'providers.registry': target},
        files={f'{target}.py': "__all__ = ('HIJACKED',)\nHIJACKED = True\n"},
    )
    code = f"""
        import json, sys
        import pydantic_ai.providers.registry as registry
        print(json.dumps({{'hijacked': hasattr(registry, 'HIJACKED'), 'target': {target!r} in sys.modules,
                           'has_registry': hasattr(registry, 'ProviderRegistry')}}))
    """

    out = run_python(code, cwd=tmp_path, pythonpath=site.root)

    assert out == {'hijacked': False, 'target': False, 'has_registry': True}


# --- 10. the Groq plugin uses the same door ------------------------------------------------------------------------


def test_groq_plugin_registers_through_the_providers_entry_point_group() -> None:
    rows = rows_by_name(ProviderRegistry().providers())

    assert rows['groq'] == [
        ProviderInfo(
            'groq',
            'pydantic-ai-groq',
            importlib.metadata.version('pydantic-ai-groq'),
            'pydantic_ai_groq._plugin',
            'available',
        )
    ]
    entry_points = importlib.metadata.entry_points(group='pydantic_ai.providers')
    assert [ep.value for ep in entry_points if ep.name == 'groq'] == ['pydantic_ai_groq._plugin']
    assert ProviderRegistry().factory('groq') is GroqProvider
