"""`ProviderProfile`: what a provider declares about itself, read once by the registry when the provider registers.

A provider declares it on its factory: a `profile` class attribute, or class attributes named as the profile's
fields (the shortest form, and how `GroqProvider` subclasses fill theirs). A wrong type is a broken plugin, found at
registration. `pai` and the cassette plugin read `ProviderRegistry.profile(name)`, nothing else.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pydantic_ai import ProviderPluginError
from pydantic_ai.models.test import TestModel
from pydantic_ai.providers import Provider, ProviderProfile
from pydantic_ai.registry import ProviderRegistry, infer_model, list_providers, use_registry
from pydantic_ai_groq import GroqModel, GroqProvider

from support.distributions import Site


@pytest.fixture
def registry() -> Iterator[ProviderRegistry]:
    with use_registry(ProviderRegistry(entry_points=lambda: [])) as current:
        yield current


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


class _Base:
    base_url = 'http://127.0.0.1:9'
    client = None

    def __init__(self, name: str = 'local') -> None:
        self.name = name


def build_test_model(model_name: str, provider: Provider[Any]) -> TestModel:
    return TestModel(custom_result_text=f'{provider.name}:{model_name}')


# --- the two ways to declare it ------------------------------------------------------------------------------------


def test_a_profile_class_attribute_is_the_providers_profile(registry: ProviderRegistry) -> None:
    class Declared(_Base):
        profile = ProviderProfile(api_key_env_var='LOCAL_API_KEY', default_model='local-1', models_path='/v1/models')

    registry.register('local', Declared)

    assert registry.profile('local') == ProviderProfile(
        api_key_env_var='LOCAL_API_KEY', default_model='local-1', models_path='/v1/models'
    )


def test_class_attributes_named_as_the_fields_fill_the_profile(registry: ProviderRegistry) -> None:
    class Attributes(_Base):
        api_key_env_var = 'LOCAL_API_KEY'
        api_key_url = 'https://local.example.com/keys'
        base_url_env_var = 'LOCAL_BASE_URL'
        default_model = None  # declares no default
        model_names = ('a', 'b')

    registry.register('local', Attributes)

    assert registry.profile('local') == ProviderProfile(
        api_key_env_var='LOCAL_API_KEY',
        api_key_url='https://local.example.com/keys',
        base_url_env_var='LOCAL_BASE_URL',
        model_names=('a', 'b'),
    )
    assert registry.model_names('local') == ['a', 'b']


def test_a_profile_attribute_wins_over_the_separate_attributes(registry: ProviderRegistry) -> None:
    class Both(_Base):
        api_key_env_var = 'IGNORED_API_KEY'
        profile = ProviderProfile(api_key_env_var='LOCAL_API_KEY')

    registry.register('local', Both)

    assert registry.profile('local').api_key_env_var == 'LOCAL_API_KEY'


def test_a_provider_that_declares_nothing_has_an_empty_profile(registry: ProviderRegistry) -> None:
    registry.register('local', _Base)

    assert registry.profile('local') == ProviderProfile()


# --- checked at registration ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('attributes', 'problem'),
    [
        ({'api_key_env_var': 42}, 'its profile field `api_key_env_var` is 42, not a non-empty string (or None)'),
        ({'default_model': ''}, "its profile field `default_model` is '', not a non-empty string"),
        ({'model_names': 'one-model'}, "its profile field `model_names` is 'one-model', not a sequence of model names"),
        ({'model_factory': 'no_colon'}, "its profile field `model_factory` is 'no_colon', not an import path"),
        ({'profile': {'api_key_env_var': 'X'}}, "its `profile` is {'api_key_env_var': 'X'}, not a `pydantic_ai"),
    ],
)
def test_a_profile_of_the_wrong_shape_is_refused_when_the_provider_registers(
    registry: ProviderRegistry, attributes: dict[str, object], problem: str
) -> None:
    bad = type('Bad', (_Base,), attributes)

    with pytest.raises(ProviderPluginError) as exc_info:
        registry.register('bad', bad)

    assert problem in str(exc_info.value)
    assert 'registered at run time' in str(exc_info.value)
    assert 'bad' not in registry.names()


def test_an_installed_provider_with_a_bad_profile_is_broken_and_others_keep_working(
    site: Site, registry: ProviderRegistry
) -> None:
    module = site.module_name('bad_profile')
    site.add(
        'bad-profile-provider',
        providers={'badprofile': f'{module}:BadProfile'},
        files={
            f'{module}.py': """
                class BadProfile:
                    name = 'badprofile'
                    base_url = 'http://127.0.0.1:9'
                    client = None
                    models_path = ['/v1/models']
                """
        },
    )
    fresh = ProviderRegistry()

    [row] = [r for r in list_providers(load=True, registry=fresh) if r.name == 'badprofile']
    with pytest.raises(ProviderPluginError) as exc_info:
        fresh.profile('badprofile')

    assert row.status == 'broken'
    assert exc_info.value.distribution == 'bad-profile-provider'
    assert "its profile field `models_path` is ['/v1/models']" in str(exc_info.value)
    assert fresh.profile('groq').api_key_env_var == 'GROQ_API_KEY'


# --- the model factory, as a callable or an import path ------------------------------------------------------------


def test_the_profiles_model_factory_builds_models_for_infer_model(registry: ProviderRegistry) -> None:
    class WithFactory(_Base):
        profile = ProviderProfile(model_factory=build_test_model)

    registry.register('local', WithFactory)

    model = infer_model('local:tiny')

    assert isinstance(model, TestModel) and model.custom_result_text == 'local:tiny'


def test_a_model_factory_import_path_is_imported_when_the_first_model_is_built(
    site: Site, registry: ProviderRegistry
) -> None:
    factories = site.module_name('lazy_models')
    site.add(
        'lazy-models',
        files={
            f'{factories}.py': """
                from pydantic_ai.models.test import TestModel

                def build(model_name, provider):
                    return TestModel(custom_result_text=model_name)
                """
        },
    )

    class ByPath(_Base):
        profile = ProviderProfile(model_factory=f'{factories}:build')

    registry.register('local', ByPath)
    assert factories not in sys.modules  # registering did not import it

    model = infer_model('local:by-path')

    assert isinstance(model, TestModel) and model.custom_result_text == 'by-path'


def test_a_model_factory_import_path_naming_nothing_is_a_broken_plugin_when_used(registry: ProviderRegistry) -> None:
    class Missing(_Base):
        profile = ProviderProfile(model_factory='no_such_module_for_profiles:build')

    registry.register('local', Missing)

    with pytest.raises(ProviderPluginError, match='its `pydantic_ai_model` hook raised ModuleNotFoundError: No module'):
        infer_model('local:x')


# --- GroqProvider and its subclasses fill theirs from their class attributes ---------------------------------------


def test_groq_providers_profile_comes_from_its_class_attributes() -> None:
    profile = GroqProvider.profile

    assert profile.api_key_env_var == GroqProvider.api_key_env_var == 'GROQ_API_KEY'
    assert profile.base_url_env_var == 'GROQ_BASE_URL'
    assert profile.api_key_url == 'https://console.groq.com/keys'
    assert profile.default_model == GroqProvider.default_model
    assert profile.models_path == '/openai/v1/models'
    assert profile.model_names == ()
    assert ProviderRegistry().profile('groq') == profile


class RenamedGateway(GroqProvider):
    provider_name = 'renamed-gw'
    api_key_env_var = 'RENAMED_GW_API_KEY'
    model_names = ('llama-3.3-70b-versatile',)


class KeyPageGateway(RenamedGateway):
    api_key_url = 'https://gateway.example.com/keys'


class StillGroq(GroqProvider):
    default_base_url = 'http://127.0.0.1:9'


class ExplicitProfile(GroqProvider):
    provider_name = 'explicit-gw'
    profile = ProviderProfile(api_key_env_var='EXPLICIT_API_KEY')  # type: ignore[assignment]


def test_a_gateway_subclass_gets_its_own_variables_and_not_groqs_key_page() -> None:
    profile = RenamedGateway.profile

    assert profile.api_key_env_var == 'RENAMED_GW_API_KEY'
    assert profile.api_key_url is None  # Groq's key page is not the gateway's
    assert profile.model_names == ('llama-3.3-70b-versatile',)
    assert profile.model_factory == 'pydantic_ai_groq._plugin:groq_model'
    assert KeyPageGateway.profile.api_key_url == 'https://gateway.example.com/keys'
    assert StillGroq.profile.api_key_url == 'https://console.groq.com/keys'  # still the groq provider
    assert ExplicitProfile.profile == ProviderProfile(api_key_env_var='EXPLICIT_API_KEY')


def test_a_gateway_subclass_registered_by_class_builds_groq_models(
    registry: ProviderRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv('RENAMED_GW_API_KEY', 'gw-key')
    registry.register('renamed-gw', RenamedGateway)

    model = infer_model('renamed-gw:llama-3.3-70b-versatile')

    assert isinstance(model, GroqModel) and model.system == 'renamed-gw'
    assert registry.model_names('renamed-gw') == ['llama-3.3-70b-versatile']


class _NotAGroqProvider:
    """A provider of `AsyncGroq` clients that is not a `GroqProvider`: its attributes are not gateway options."""

    name = 'plain-groq-client'
    chat_completions_path: ClassVar[str] = '/v1/chat/completions'
    stream_usage: ClassVar[bool] = True

    def __init__(self) -> None:
        from groq import AsyncGroq

        self.client = AsyncGroq(api_key='not-a-real-key', base_url='http://127.0.0.1:9')
        self.base_url = 'http://127.0.0.1:9'


def test_gateway_options_are_read_from_groq_providers_only() -> None:
    from pydantic_ai_groq.model import gateway_options
    from pydantic_ai_groq.provider import CHAT_COMPLETIONS_PATH

    class SelfHosted(GroqProvider):
        chat_completions_path = '/v1/chat/completions'
        stream_usage = True

    assert gateway_options(SelfHosted(api_key='k')) == ('/v1/chat/completions', True)
    assert gateway_options(_NotAGroqProvider()) == (CHAT_COMPLETIONS_PATH, False)
