from __future__ import annotations

import importlib
import importlib.resources
import pickle
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

import pydantic_ai
import pydantic_ai.agent
import pydantic_ai.exceptions
import pydantic_ai.messages
import pydantic_ai.providers
import pydantic_ai.ratelimit
import pydantic_ai.registry
import pydantic_ai.streaming
import pydantic_ai_groq
from pydantic_ai.exceptions import (
    BatchItemError,
    BatchItemUnfinished,
    CassetteError,
    CassetteExhaustedError,
    CassetteReadError,
    CassetteSecretError,
    CliError,
    DuplicateProviderError,
    EmptyStreamError,
    InvalidArgumentsError,
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelRetiredError,
    ModelTimeoutError,
    PromptFileError,
    ProviderPluginError,
    PydanticAIError,
    TestSetupError,
    UnexpectedModelBehavior,
    UnknownProviderError,
    UserError,
)

PYDANTIC_AI_ALL = {
    '__version__',
    'CORE_DISTRIBUTION',
    # exceptions
    'PydanticAIError',
    'UserError',
    'UnknownProviderError',
    'InvalidArgumentsError',
    'EmptyStreamError',
    'TestSetupError',
    'ProviderPluginError',
    'DuplicateProviderError',
    'UnexpectedModelBehavior',
    'ModelAPIError',
    'ModelHTTPError',
    'ModelRetiredError',
    'ModelConnectionError',
    'ModelTimeoutError',
    'UsageLimitExceeded',
    'ModelRetry',
    # agent
    'Agent',
    'EndStrategy',
    'RunContext',
    'Tool',
    'UsageLimits',
    'capture_run_messages',
    # messages
    'BinaryContent',
    'BuiltinToolCallPart',
    'BuiltinToolReturnPart',
    'Citation',
    'DocumentCitation',
    'FinishReason',
    'ImageUrl',
    'ModelMessage',
    'ModelRequest',
    'ModelResponse',
    'PartDeltaEvent',
    'PartStartEvent',
    'RetryPromptPart',
    'SystemPromptPart',
    'TextPart',
    'TextPartDelta',
    'ThinkingPart',
    'ThinkingPartDelta',
    'ToolCallPart',
    'ToolCallPartDelta',
    'ToolResultCitation',
    'ToolReturnPart',
    'UserPromptPart',
    # structured output and built-in tools
    'OutputMode',
    'OutputObjectDefinition',
    'WebSearchTool',
    'CodeExecutionTool',
    # models and providers
    'Model',
    'ModelRequestParameters',
    'StreamedResponse',
    'infer_model',
    'Provider',
    'infer_provider',
    'list_providers',
    'register_provider',
    'unregister_provider',
    # direct requests
    'model_request',
    'model_request_stream',
    'model_request_sync',
    # tracing (needs the otel extra; imported on first access)
    'instrument_all',
    # settings, tools, usage
    'ModelSettings',
    'ToolDefinition',
    'Usage',
}

PYDANTIC_AI_GROQ_ALL = {
    '__version__',
    'GroqChatClient',
    'GroqModel',
    'GroqModelName',
    'GroqModelSettings',
    'GroqProvider',
    'GroqStreamedResponse',
    'LatestGroqModelNames',
}

MESSAGES_ALL = {
    'ErrorDetails',
    'ImageUrl',
    'AudioUrl',
    'BinaryContent',
    'UserContent',
    'SystemPromptPart',
    'UserPromptPart',
    'ToolReturnPart',
    'RetryPromptPart',
    'ModelRequestPart',
    'ModelRequest',
    'DocumentCitation',
    'ToolResultCitation',
    'Citation',
    'TextPart',
    'ThinkingPart',
    'ToolCallPart',
    'BuiltinToolCallPart',
    'BuiltinToolReturnPart',
    'ModelResponsePart',
    'FinishReason',
    'ModelResponse',
    'ModelMessage',
    'ModelMessagesTypeAdapter',
    'TextPartDelta',
    'ThinkingPartDelta',
    'ToolCallPartDelta',
    'ModelResponsePartDelta',
    'PartStartEvent',
    'PartDeltaEvent',
    'ModelResponseStreamEvent',
}

EXCEPTIONS_ALL = {
    'PydanticAIError',
    'UserError',
    'UnknownProviderError',
    'BatchItemError',
    'PromptFileError',
    'CliError',
    'CassetteError',
    'CassetteReadError',
    'CassetteExhaustedError',
    'CassetteSecretError',
    'BatchItemUnfinished',
    'InvalidArgumentsError',
    'EmptyStreamError',
    'TestSetupError',
    'ProviderPluginError',
    'DuplicateProviderError',
    'UnexpectedModelBehavior',
    'UsageLimitExceeded',
    'ModelRetry',
    'ModelAPIError',
    'ModelHTTPError',
    'ModelRetiredError',
    'ModelConnectionError',
    'ModelTimeoutError',
}

PROVIDERS_ALL = {
    'Provider',
    'ProviderFactory',
    'ProviderProfile',
    'ModelFactory',
    'ProviderInfo',
    'ProviderRegistry',
    'hookimpl',
    'infer_provider',
    'list_providers',
    'register_provider',
    'unregister_provider',
    'default_registry',
}

RATELIMIT_ALL = {
    'RateLimiter',
    'RateLimitHeaders',
    'FixedRateLimits',
    'RateLimitPermit',
    'RetryPolicy',
    'AttemptFailure',
    'Sent',
    'parse_duration',
}
STREAMING_ALL = {'ModelResponsePartsManager', 'iter_sse'}
REGISTRY_ALL = {
    'ENTRY_POINT_GROUP',
    'PROVIDERS_GROUP',
    'ModelFactory',
    'ProviderInfo',
    'ProviderRegistry',
    'current_registry',
    'default_registry',
    'hookimpl',
    'infer_model',
    'infer_provider',
    'list_providers',
    'register_provider',
    'unregister_provider',
    'use_registry',
}

AGENT_ALL = {'Agent', 'capture_run_messages', 'EndStrategy', 'RunExecutor', 'use_executor'}
"""The agent, its run options, and the executor seam of durable execution; not the run loop's own types."""

PINNED: list[tuple[ModuleType, set[str]]] = [
    (pydantic_ai, PYDANTIC_AI_ALL),
    (pydantic_ai.agent, AGENT_ALL),
    (pydantic_ai_groq, PYDANTIC_AI_GROQ_ALL),
    (pydantic_ai.messages, MESSAGES_ALL),
    (pydantic_ai.exceptions, EXCEPTIONS_ALL),
    (pydantic_ai.providers, PROVIDERS_ALL),
    (pydantic_ai.ratelimit, RATELIMIT_ALL),
    (pydantic_ai.registry, REGISTRY_ALL),
    (pydantic_ai.streaming, STREAMING_ALL),
]
PINNED_IDS = [module.__name__ for module, _ in PINNED]


@pytest.mark.parametrize(('module', 'expected'), PINNED, ids=PINNED_IDS)
def test_all_is_pinned(module: ModuleType, expected: set[str]) -> None:
    names = list(module.__all__)
    assert len(names) == len(set(names)), 'duplicate names in __all__'
    assert set(names) == expected


@pytest.mark.parametrize(('module', 'expected'), PINNED, ids=PINNED_IDS)
def test_every_name_in_all_is_an_attribute(module: ModuleType, expected: set[str]) -> None:
    for name in module.__all__:
        assert getattr(module, name) is not None, name


def test_lazy_provider_names_resolve_to_their_defining_modules() -> None:
    from pydantic_ai.providers import hookspecs, registry

    assert pydantic_ai.providers.ProviderRegistry is registry.ProviderRegistry
    assert pydantic_ai.providers.ProviderInfo is registry.ProviderInfo
    assert pydantic_ai.providers.hookimpl is hookspecs.hookimpl


def test_compatibility_paths_are_the_registry_objects() -> None:
    """The original API's paths (`pydantic_ai.providers.*`, `pydantic_ai.models.infer_model`, the old modules) are
    re-exports of `pydantic_ai.registry`, not copies."""
    import pydantic_ai.models
    import pydantic_ai.registry.hookspecs
    from pydantic_ai.providers import hookspecs as old_hookspecs
    from pydantic_ai.providers import registry as old_registry

    registry = pydantic_ai.registry
    assert pydantic_ai.models.infer_model is registry.infer_model
    for name in ('infer_provider', 'list_providers', 'register_provider', 'unregister_provider', 'default_registry'):
        assert getattr(pydantic_ai.providers, name) is getattr(registry, name), name
    for name in ('ProviderRegistry', 'ProviderInfo', 'hookimpl', 'ModelFactory'):
        assert getattr(pydantic_ai.providers, name) is getattr(registry, name), name
    assert old_registry.ProviderRegistry is registry.ProviderRegistry
    assert old_registry.ProviderInfo is registry.ProviderInfo
    new_hookspecs = pydantic_ai.registry.hookspecs
    for name in ('hookimpl', 'hookspec', 'pydantic_ai_provider', 'pydantic_ai_model', 'pydantic_ai_model_names'):
        assert getattr(old_hookspecs, name) is getattr(new_hookspecs, name), name


def test_unknown_attribute_of_lazy_modules_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match='NoSuchName'):
        pydantic_ai.providers.NoSuchName  # noqa: B018
    with pytest.raises(AttributeError, match='NoSuchName'):
        pydantic_ai.registry.NoSuchName  # noqa: B018
    with pytest.raises(AttributeError, match='NoSuchName'):
        pydantic_ai.messages.NoSuchName  # noqa: B018


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec('from pydantic_ai import *', namespace)
    namespace.pop('__builtins__')
    assert set(namespace) == PYDANTIC_AI_ALL


def test_top_level_names_are_the_submodule_objects() -> None:
    from pydantic_ai import direct, messages, models, providers, settings, tools, usage

    for name in EXCEPTIONS_ALL & PYDANTIC_AI_ALL:
        assert getattr(pydantic_ai, name) is getattr(pydantic_ai.exceptions, name)
    for name in PYDANTIC_AI_ALL & MESSAGES_ALL:
        assert getattr(pydantic_ai, name) is getattr(messages, name)
    for name in ('Model', 'ModelRequestParameters', 'StreamedResponse', 'infer_model'):
        assert getattr(pydantic_ai, name) is getattr(models, name)
    for name in ('Provider', 'infer_provider', 'list_providers', 'register_provider', 'unregister_provider'):
        assert getattr(pydantic_ai, name) is getattr(providers, name)
    for name in ('model_request', 'model_request_stream', 'model_request_sync'):
        assert getattr(pydantic_ai, name) is getattr(direct, name)
    assert pydantic_ai.ModelSettings is settings.ModelSettings
    assert pydantic_ai.ToolDefinition is tools.ToolDefinition
    assert pydantic_ai.Usage is usage.Usage


def test_versions_are_strings() -> None:
    assert isinstance(pydantic_ai.__version__, str)
    assert isinstance(pydantic_ai_groq.__version__, str)


# The original API's import paths


def test_original_models_groq_import_path_gives_plugin_objects() -> None:
    from pydantic_ai.models.groq import (
        GroqModel,
        GroqModelName,
        GroqModelSettings,
        GroqStreamedResponse,
        LatestGroqModelNames,
    )

    assert GroqModel is pydantic_ai_groq.GroqModel
    assert GroqModelSettings is pydantic_ai_groq.GroqModelSettings
    assert GroqStreamedResponse is pydantic_ai_groq.GroqStreamedResponse
    assert GroqModelName is pydantic_ai_groq.GroqModelName
    assert LatestGroqModelNames is pydantic_ai_groq.LatestGroqModelNames


def test_original_providers_groq_import_path_gives_plugin_objects() -> None:
    from pydantic_ai.providers.groq import GroqProvider

    assert GroqProvider is pydantic_ai_groq.GroqProvider


def test_original_import_paths_via_importlib() -> None:
    models_groq = importlib.import_module('pydantic_ai.models.groq')
    providers_groq = importlib.import_module('pydantic_ai.providers.groq')
    assert models_groq.GroqModel is pydantic_ai_groq.GroqModel
    assert providers_groq.GroqProvider is pydantic_ai_groq.GroqProvider


def test_missing_plugin_import_path_raises_module_not_found_naming_plugin() -> None:
    with pytest.raises(ModuleNotFoundError, match='pydantic-ai-nonexistentxyz'):
        importlib.import_module('pydantic_ai.models.nonexistentxyz')


# The exception tree


@pytest.mark.parametrize(
    ('cls', 'parent'),
    [
        (PydanticAIError, RuntimeError),
        (UserError, PydanticAIError),
        (UnknownProviderError, UserError),
        (ProviderPluginError, PydanticAIError),
        (DuplicateProviderError, ProviderPluginError),
        (UnexpectedModelBehavior, PydanticAIError),
        (ModelAPIError, PydanticAIError),
        (ModelHTTPError, ModelAPIError),
        (ModelRetiredError, ModelHTTPError),
        (ModelConnectionError, ModelAPIError),
        (ModelTimeoutError, ModelConnectionError),
        (BatchItemError, UserError),
        (PromptFileError, UserError),
        (CliError, PydanticAIError),
        (CassetteError, PydanticAIError),
        (CassetteReadError, CassetteError),
        (CassetteExhaustedError, CassetteError),
        (CassetteSecretError, CassetteError),
        (BatchItemUnfinished, ModelAPIError),
    ],
    ids=lambda c: c.__name__,
)
def test_exception_tree_matches_drawing(cls: type[Exception], parent: type[Exception]) -> None:
    assert cls.__bases__ == (parent,)
    assert issubclass(cls, Exception)


def test_every_error_is_a_runtime_error_as_in_the_original_api() -> None:
    # The original's `UserError` and run errors were `RuntimeError`s; `except RuntimeError` keeps catching ours.
    for cls in (UserError, UnknownProviderError, UnexpectedModelBehavior, ModelHTTPError, ModelTimeoutError):
        assert issubclass(cls, RuntimeError)
    with pytest.raises(RuntimeError):
        raise UserError('fix the call')


@pytest.mark.parametrize(
    ('cls', 'builtin'),
    [(InvalidArgumentsError, TypeError), (EmptyStreamError, ValueError), (TestSetupError, AssertionError)],
    ids=lambda c: c.__name__,
)
def test_user_errors_where_the_original_raised_a_builtin_are_also_that_builtin(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    assert cls.__bases__ == (UserError, builtin)
    error = cls('do this instead')
    with pytest.raises(builtin, match='do this instead'):
        raise error
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is cls and restored.message == 'do this instead'


def test_exception_tree_siblings_are_unrelated() -> None:
    assert not issubclass(ProviderPluginError, UserError)
    assert not issubclass(UnexpectedModelBehavior, ModelAPIError)
    assert not issubclass(ModelHTTPError, ModelConnectionError)
    assert not issubclass(ModelAPIError, UserError)


def test_model_http_error_carries_its_fields() -> None:
    error = ModelHTTPError(
        429, 'llama-3.3-70b-versatile', body={'error': {'message': 'slow down'}}, headers={'retry-after': '2'}
    )
    assert error.status_code == 429
    assert error.model_name == 'llama-3.3-70b-versatile'
    assert error.body == {'error': {'message': 'slow down'}}
    assert error.headers == {'retry-after': '2'}
    assert '429' in str(error)
    assert 'llama-3.3-70b-versatile' in str(error)
    assert error.message == str(error)


def test_model_http_error_headers_default_to_empty_dict_and_are_copied() -> None:
    assert ModelHTTPError(500, 'm').headers == {}
    assert ModelHTTPError(500, 'm').body is None
    headers = {'x-request-id': 'abc'}
    error = ModelHTTPError(500, 'm', headers=headers)
    headers['x-request-id'] = 'changed'
    assert error.headers == {'x-request-id': 'abc'}


def test_model_http_error_pickles_with_fields_intact() -> None:
    error = ModelHTTPError(503, 'some-model', body={'detail': ['overloaded', 1]}, headers={'retry-after': '30'})
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is ModelHTTPError
    assert restored.status_code == 503
    assert restored.model_name == 'some-model'
    assert restored.body == {'detail': ['overloaded', 1]}
    assert restored.headers == {'retry-after': '30'}
    assert str(restored) == str(error)
    assert restored.message == error.message


def test_model_http_error_keeps_the_plugins_hint_as_a_field_and_the_messages_last_line() -> None:
    error = ModelHTTPError(404, 'm', body={'error': {'code': 'model_not_found'}}, hint='Did you mean "n"?')
    assert error.hint == 'Did you mean "n"?'
    assert error.message.splitlines()[-1] == 'Did you mean "n"?'
    assert ModelHTTPError(500, 'm').hint is None


def test_model_retired_error_is_an_http_error_naming_its_replacement_and_pickles() -> None:
    error = ModelRetiredError(
        400,
        'old-model',
        body={'error': {'code': 'model_decommissioned'}},
        headers={'X-Request-Id': 'req_1'},
        hint="Model 'old-model' is retired; use 'new-model' instead.",
        retired_on=date(2026, 8, 16),
        replacement='new-model',
    )
    assert isinstance(error, ModelHTTPError)
    assert (error.status_code, error.model_name, error.headers) == (400, 'old-model', {'x-request-id': 'req_1'})
    assert (error.retired_on, error.replacement) == (date(2026, 8, 16), 'new-model')
    assert error.message.endswith("use 'new-model' instead.")
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is ModelRetiredError
    assert (restored.retired_on, restored.replacement, restored.hint) == (error.retired_on, 'new-model', error.hint)
    assert str(restored) == str(error)
    unknown = ModelRetiredError(400, 'gone')
    assert (unknown.retired_on, unknown.replacement, unknown.hint) == (None, None, None)


def test_unexpected_model_behavior_str_includes_body() -> None:
    assert str(UnexpectedModelBehavior('bad')) == 'bad'
    error = UnexpectedModelBehavior('bad', 'payload')
    assert str(error) == 'bad, body:\npayload'
    assert error.message == 'bad'


def test_unknown_provider_error_message_lists_names_or_none() -> None:
    error = UnknownProviderError('x', ('a', 'b'))
    assert error.name == 'x'
    assert error.available == ('a', 'b')
    assert "'a', 'b'" in str(error)
    assert 'Available providers: none' in str(UnknownProviderError('x', ()))


def test_duplicate_provider_error_names_all_distributions() -> None:
    error = DuplicateProviderError('groq', ('dist-a', 'dist-b'))
    assert error.provider_name == 'groq'
    assert error.distributions == ('dist-a', 'dist-b')
    assert error.distribution is None
    assert error.entry_point is None
    assert 'dist-a' in str(error)
    assert 'dist-b' in str(error)


# py.typed


@pytest.mark.parametrize('package', ['pydantic_ai', 'pydantic_ai_groq'])
def test_package_ships_py_typed(package: str) -> None:
    marker = importlib.resources.files(package).joinpath('py.typed')
    assert marker.is_file()
    module = importlib.import_module(package)
    assert module.__file__ is not None
    assert (Path(module.__file__).parent / 'py.typed').is_file()
