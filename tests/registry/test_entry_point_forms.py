"""An entry point may name a pluggy plugin, a `Provider` class, or a zero-argument factory.

Each test installs real throwaway distributions (see `support.distributions`) and looks them up through a fresh
registry made current with `use_registry()`, through `infer_provider`, `infer_model` and `GroqModel(name,
provider='<name>')`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pydantic_ai import DuplicateProviderError, ProviderPluginError, UserError
from pydantic_ai.registry import ProviderRegistry, infer_model, infer_provider, list_providers, use_registry
from pydantic_ai_groq import GroqModel, GroqProvider

from support.distributions import Site

GATEWAY_CLASS = """
    from pydantic_ai_groq import GroqProvider


    class ClassGatewayProvider(GroqProvider):
        provider_name = 'classgw'
        api_key_env_var = 'CLASSGW_API_KEY'
        base_url_env_var = 'CLASSGW_BASE_URL'
        default_base_url = 'https://classgw.example.com/groq'
        model_names = ('llama-3.3-70b-versatile', 'qwen/qwen3-32b')
"""

FACTORY = """
    class FactoryProvider:
        def __init__(self, base_url='https://factory.example.com'):
            self.name = 'factorygw'
            self.base_url = base_url
            self.client = object()


    def make_provider():
        return FactoryProvider()


    class ConfigurableFactory:
        def __call__(self, *, api_key=None, base_url='https://configurable.example.com'):
            provider = FactoryProvider(base_url)
            provider.api_key_seen = api_key is not None
            return provider


    configurable = ConfigurableFactory()
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


@pytest.fixture
def registry() -> Iterator[ProviderRegistry]:
    """A fresh registry, current for the test; it reads the metadata on first lookup, after the test's installs."""
    with use_registry(ProviderRegistry()) as current:
        yield current


@pytest.fixture
def classgw_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv('CLASSGW_API_KEY', 'classgw-test-key')
    monkeypatch.delenv('CLASSGW_BASE_URL', raising=False)
    return 'classgw-test-key'


def add_class_gateway(site: Site, dist: str = 'classgw-provider', name: str = 'classgw') -> str:
    module = site.module_name(dist.replace('-', '_'))
    site.add(dist, providers={name: f'{module}:ClassGatewayProvider'}, files={f'{module}.py': GATEWAY_CLASS})
    return module


def add_factories(site: Site) -> str:
    module = site.module_name('factory_provider')
    site.add(
        'factory-provider',
        providers={'factorygw': f'{module}:make_provider', 'configurable': f'{module}:configurable'},
        files={f'{module}.py': FACTORY},
    )
    return module


# --- the class form ------------------------------------------------------------------------------------------------


def test_entry_point_naming_a_groq_provider_subclass_works_through_infer_provider(
    site: Site, registry: ProviderRegistry, classgw_key: str
) -> None:
    module = add_class_gateway(site)

    provider = infer_provider('classgw')

    assert type(provider).__name__ == 'ClassGatewayProvider'
    assert type(provider).__module__ == module
    assert isinstance(provider, GroqProvider)
    assert provider.name == 'classgw'
    assert provider.base_url == 'https://classgw.example.com/groq/'
    assert registry.factory('classgw') is type(provider)
    assert [(r.distribution, r.status) for r in list_providers(load=True) if r.name == 'classgw'] == [
        ('classgw-provider', 'loaded')
    ]


def test_class_form_builds_groq_models_through_the_inherited_model_factory(
    site: Site, registry: ProviderRegistry, classgw_key: str
) -> None:
    add_class_gateway(site)

    inferred = infer_model('classgw:llama-3.3-70b-versatile')
    direct = GroqModel('llama-3.3-70b-versatile', provider='classgw')

    for model in (inferred, direct):
        assert isinstance(model, GroqModel)
        assert model.system == 'classgw'
        assert model.model_name == 'llama-3.3-70b-versatile'
        assert model.base_url == 'https://classgw.example.com/groq/'
        assert model.client.api_key == classgw_key


def test_class_form_lists_the_model_names_its_class_declares(site: Site, registry: ProviderRegistry) -> None:
    add_class_gateway(site)

    assert registry.model_names('classgw') == ['llama-3.3-70b-versatile', 'qwen/qwen3-32b']


def test_class_form_takes_injected_api_key_base_url_and_http_client(
    site: Site, registry: ProviderRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    monkeypatch.delenv('CLASSGW_API_KEY', raising=False)
    add_class_gateway(site)
    client = httpx.AsyncClient()

    provider = infer_provider('classgw', api_key='injected-key', base_url='http://127.0.0.1:9/', http_client=client)

    assert isinstance(provider, GroqProvider)
    assert provider.client.api_key == 'injected-key'
    assert provider.base_url == 'http://127.0.0.1:9/'
    assert provider.client._client is client  # the SDK sends through the client given


def test_class_form_without_its_key_raises_the_provider_user_error(
    site: Site, registry: ProviderRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv('CLASSGW_API_KEY', raising=False)
    add_class_gateway(site)

    with pytest.raises(UserError, match='CLASSGW_API_KEY'):
        infer_provider('classgw')


# --- the factory form ----------------------------------------------------------------------------------------------


def test_entry_point_naming_a_zero_argument_factory_creates_its_provider(
    site: Site, registry: ProviderRegistry
) -> None:
    add_factories(site)

    provider = infer_provider('factorygw')

    assert type(provider).__name__ == 'FactoryProvider'
    assert (provider.name, provider.base_url) == ('factorygw', 'https://factory.example.com')
    assert registry.model_names('factorygw') == []


def test_factory_without_model_factory_does_not_build_models(site: Site, registry: ProviderRegistry) -> None:
    add_factories(site)

    with pytest.raises(UserError, match='does not build models'):
        infer_model('factorygw:some-model')


def test_factory_object_receives_the_injected_arguments_it_accepts(site: Site, registry: ProviderRegistry) -> None:
    add_factories(site)

    provider = infer_provider('configurable', base_url='http://127.0.0.1:9', api_key='k')

    assert provider.base_url == 'http://127.0.0.1:9'
    assert provider.api_key_seen is True  # type: ignore[attr-defined]


def test_factory_that_does_not_take_an_injected_argument_raises_user_error_naming_both(
    site: Site, registry: ProviderRegistry
) -> None:
    add_factories(site)

    with pytest.raises(UserError) as exc_info:
        infer_provider('factorygw', api_key='secret-value-123')

    message = str(exc_info.value)
    assert "'factorygw'" in message
    assert '`api_key`' in message
    assert 'secret-value-123' not in message


# --- broken, duplicate, misspelled ---------------------------------------------------------------------------------


def test_class_whose_constructor_raises_is_a_broken_provider_naming_its_distribution(
    site: Site, registry: ProviderRegistry
) -> None:
    module = site.module_name('exploding_class')
    site.add(
        'exploding-class-provider',
        providers={'explodingclass': f'{module}:ExplodingProvider'},
        files={
            f'{module}.py': """
                class ExplodingProvider:
                    name = 'explodingclass'
                    base_url = 'https://example.com'

                    def __init__(self):
                        raise RuntimeError('constructor blew up')

                    @property
                    def client(self):
                        return object()
            """
        },
    )

    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider('explodingclass')

    error = exc_info.value
    assert (error.distribution, error.entry_point) == ('exploding-class-provider', f'{module}:ExplodingProvider')
    assert 'creating the provider raised RuntimeError: constructor blew up' in str(error)
    assert isinstance(error.__cause__, RuntimeError)


def test_class_that_is_not_a_provider_is_broken_when_loaded_and_listed_so(
    site: Site, registry: ProviderRegistry
) -> None:
    module = site.module_name('settings_class')
    site.add(
        'settings-class-provider',
        providers={'settingsclass': f'{module}:Settings'},
        files={f'{module}.py': 'class Settings:\n    name = "settingsclass"\n'},
    )

    (row,) = [r for r in list_providers(load=True) if r.name == 'settingsclass']
    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider('settingsclass')

    assert row.status == 'broken'
    assert 'no `base_url`, `client`' in str(exc_info.value)
    assert "'settings-class-provider'" in str(exc_info.value)


def test_two_distributions_naming_classes_for_one_name_raise_duplicate_error_before_importing_either(
    site: Site, registry: ProviderRegistry
) -> None:
    first = add_class_gateway(site, 'classgw-one')
    second = add_class_gateway(site, 'classgw-two')

    with pytest.raises(DuplicateProviderError) as exc_info:
        infer_provider('classgw')

    assert exc_info.value.distributions == ('classgw-one', 'classgw-two')
    assert first not in sys.modules and second not in sys.modules


def test_class_with_a_misspelled_hook_is_validated_as_a_plugin_and_broken(
    site: Site, registry: ProviderRegistry
) -> None:
    module = site.module_name('misspelled_class')
    site.add(
        'misspelled-class-provider',
        providers={'misspelled': f'{module}:Plugin'},
        files={
            f'{module}.py': """
                from pydantic_ai.providers import hookimpl


                class Plugin:
                    name = 'misspelled'
                    base_url = 'https://example.com'
                    client = None

                    @hookimpl
                    def pydantic_ai_providr(self):
                        return Plugin
            """
        },
    )

    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider('misspelled')

    assert 'pydantic_ai_providr' in str(exc_info.value)
    assert exc_info.value.distribution == 'misspelled-class-provider'


def test_broken_class_form_leaves_other_forms_working(site: Site, registry: ProviderRegistry, classgw_key: str) -> None:
    add_class_gateway(site)
    add_factories(site)
    module = site.module_name('not_a_provider')
    site.add('not-a-provider', providers={'nope': f'{module}:VALUE'}, files={f'{module}.py': 'VALUE = 42\n'})

    with pytest.raises(ProviderPluginError, match='is not a provider plugin'):
        infer_provider('nope')

    assert infer_provider('classgw').name == 'classgw'
    assert infer_provider('factorygw').name == 'factorygw'
