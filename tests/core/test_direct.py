"""The direct request API: `model_request`, `model_request_stream` and `model_request_sync`.

Requests reach the core's vendor-neutral models: a `FunctionModel` (whose function records what it was given and
where it ran) or a `TestModel`. Model strings resolve in a `ProviderRegistry` of the test's own, holding a provider
registered at run time whose `model_factory` builds a `FunctionModel`. The same functions with Groq end to end (a
`'groq:...'` string, Groq's wire form, its cassettes, connection reuse over real sockets) are tested in
`tests/plugin_groq/test_groq_direct.py`.
"""

from __future__ import annotations

import asyncio
import contextvars
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import pydantic_ai
from pydantic_ai.direct import model_request, model_request_stream, model_request_sync
from pydantic_ai.exceptions import ModelHTTPError, UnknownProviderError, UserError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ToolCallPart,
)
from pydantic_ai.models import (
    ModelRequestParameters,
    StreamedResponse,
    override_allow_model_requests,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel, estimate_usage
from pydantic_ai.models.test import TestModel
from pydantic_ai.providers import Provider
from pydantic_ai.registry import ProviderRegistry, use_registry
from pydantic_ai.tools import ToolDefinition

from support.constants import user_prompt

_caller_value: contextvars.ContextVar[str] = contextvars.ContextVar('caller_value', default='unset')


@dataclass
class Call:
    """What one call of a `Recorder`'s function received, and where it ran."""

    messages: list[ModelMessage]
    info: AgentInfo
    thread: str
    caller_value: str


@dataclass
class Recorder:
    """Answers `reply` (or raises `error`) and records each call; `model()` is a `FunctionModel` over it."""

    reply: str = 'Hi there'
    error: Exception | None = None
    calls: list[Call] = field(default_factory=list)

    def answer(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        self._record(messages, info)
        if self.error is not None:
            raise self.error
        return ModelResponse(parts=[TextPart(self.reply)])

    async def stream(self, messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        self._record(messages, info)
        if self.error is not None:
            raise self.error
        for delta in ('Hel', 'lo'):
            yield delta

    def model(self, model_name: str | None = None) -> FunctionModel:
        return FunctionModel(self.answer, stream_function=self.stream, model_name=model_name)

    def remote_model(self) -> FunctionModel:
        """The same answers from a model that counts as making real requests (not `is_local`)."""
        return _RemoteFunctionModel(self.answer, stream_function=self.stream)

    def _record(self, messages: list[ModelMessage], info: AgentInfo) -> None:
        self.calls.append(Call(messages, info, threading.current_thread().name, _caller_value.get()))


class _RemoteFunctionModel(FunctionModel):
    """A `FunctionModel` standing in for a model that sends requests: `ALLOW_MODEL_REQUESTS` applies to it."""

    is_local = False


class LocalProvider(Provider[None]):
    """A provider with nothing behind it: the registry creates it, the model factory receives it."""

    @property
    def name(self) -> str:
        return 'local'

    @property
    def base_url(self) -> str:
        return 'http://127.0.0.1:9'

    @property
    def client(self) -> None:
        return None


def _prompt_text(messages: list[ModelMessage]) -> object:
    [message] = messages
    assert isinstance(message, ModelRequest)
    return message.parts[-1].content


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@dataclass
class Local:
    """A registry of the test's own in which provider `local` builds `FunctionModel`s over `recorder`."""

    registry: ProviderRegistry
    recorder: Recorder
    built: list[tuple[str, Provider[Any]]]


@pytest.fixture
def local(recorder: Recorder) -> Local:
    built: list[tuple[str, Provider[Any]]] = []

    def model_factory(model_name: str, provider: Provider[Any]) -> FunctionModel:
        built.append((model_name, provider))
        return recorder.model(model_name)

    registry = ProviderRegistry(entry_points=lambda: [])
    registry.register('local', LocalProvider, model_factory=model_factory)
    return Local(registry, recorder, built)


# model_request


@pytest.mark.asyncio
async def test_model_request_returns_the_models_response_with_its_usage(recorder: Recorder) -> None:
    conversation = [ModelRequest.user_text_prompt('Hello', system_prompt='Be brief.')]

    response = await model_request(recorder.model(), conversation, model_settings={'temperature': 0.2})

    assert isinstance(response, ModelResponse)
    assert response.parts == [TextPart('Hi there')]
    assert response.model_name == 'function:answer:stream'
    assert response.usage == estimate_usage([*conversation, response])
    assert response.usage.requests == 1
    [call] = recorder.calls
    assert call.messages == conversation
    assert call.info.model_settings == {'temperature': 0.2}
    assert call.info.function_tools == []
    assert call.info.result_tools == []
    assert call.info.allow_text_result is True


@pytest.mark.asyncio
async def test_model_request_resolves_a_provider_model_string_through_the_current_registry(local: Local) -> None:
    with use_registry(local.registry):
        response = await model_request('local:tiny-1', user_prompt())

    assert response.parts == [TextPart('Hi there')]
    assert response.model_name == 'tiny-1'
    [(model_name, provider)] = local.built
    assert model_name == 'tiny-1'
    assert isinstance(provider, LocalProvider)
    assert len(local.recorder.calls) == 1
    with pytest.raises(UnknownProviderError, match="Unknown provider 'local'"):
        await model_request('local:tiny-1', user_prompt())
    assert len(local.recorder.calls) == 1


@pytest.mark.asyncio
async def test_model_request_and_model_request_stream_resolve_model_strings_in_the_registry_given(
    local: Local,
) -> None:
    response = await model_request('local:tiny-1', user_prompt(), registry=local.registry)
    async with model_request_stream('local:tiny-2', user_prompt(), registry=local.registry) as stream:
        streamed = [event async for event in stream]

    assert response.parts == [TextPart('Hi there')]
    assert stream.get().parts == [TextPart('Hello')]
    assert streamed
    assert [name for name, _ in local.built] == ['tiny-1', 'tiny-2']


@pytest.mark.asyncio
async def test_model_request_passes_request_parameters_on(recorder: Recorder) -> None:
    tool = ToolDefinition(name='get_time', description='The time.', parameters_json_schema={'type': 'object'})
    parameters = ModelRequestParameters(function_tools=[tool])

    await model_request(recorder.model(), user_prompt(), model_request_parameters=parameters)

    [call] = recorder.calls
    assert call.info.function_tools == [tool]
    assert call.info.model_request_parameters is parameters


@pytest.mark.asyncio
async def test_model_request_with_a_test_model_calls_the_offered_tool() -> None:
    tool = ToolDefinition(
        name='get_time',
        description='The time.',
        parameters_json_schema={'type': 'object', 'properties': {'zone': {'type': 'string'}}, 'required': ['zone']},
    )
    model = TestModel()
    parameters = ModelRequestParameters(function_tools=[tool])

    response = await model_request(model, user_prompt(), model_request_parameters=parameters)

    assert [(p.tool_name, p.args) for p in response.parts if isinstance(p, ToolCallPart)] == [
        ('get_time', {'zone': 'a'})
    ]
    assert model.last_model_request_parameters is parameters


@pytest.mark.asyncio
async def test_model_request_does_not_modify_the_messages_passed() -> None:
    messages = user_prompt()
    before = list(messages)

    response = await model_request(TestModel(), messages)

    assert response.parts == [TextPart('success (no tool calls)')]
    assert len(messages) == 1
    assert messages == before


@pytest.mark.asyncio
async def test_model_request_is_refused_when_model_requests_are_disabled(recorder: Recorder) -> None:
    with override_allow_model_requests(False), pytest.raises(UserError, match='Model requests are disabled'):
        await model_request(recorder.remote_model(), user_prompt())
    assert recorder.calls == []


@pytest.mark.asyncio
async def test_model_request_raises_the_models_errors_unchanged() -> None:
    error = ModelHTTPError(404, 'nope', body={'error': 'no such model'})
    recorder = Recorder(error=error)

    with pytest.raises(ModelHTTPError) as info:
        await model_request(recorder.model(), user_prompt())

    assert info.value is error
    assert info.value.status_code == 404
    assert len(recorder.calls) == 1


# model_request_stream


@pytest.mark.asyncio
async def test_model_request_stream_yields_events_and_assembles_the_response(recorder: Recorder) -> None:
    messages = user_prompt()
    async with model_request_stream(recorder.model(), messages, model_settings={'max_tokens': 9}) as stream:
        assert isinstance(stream, StreamedResponse)
        events = [event async for event in stream]
        response = stream.get()

    assert isinstance(events[0], PartStartEvent)
    assert len(events) == 2
    assert all(isinstance(e, PartDeltaEvent) for e in events[1:])
    assert response.parts == [TextPart('Hello')]
    # FunctionModel's estimate: 50 + one word of request, one token per streamed word ('Hel', 'lo').
    assert (response.usage.request_tokens, response.usage.response_tokens) == (51, 2)
    [call] = recorder.calls
    assert call.messages == messages
    assert call.info.model_settings == {'max_tokens': 9}


@pytest.mark.asyncio
async def test_model_request_stream_with_a_test_model_streams_its_answer() -> None:
    async with model_request_stream(TestModel(custom_result_text='one two three'), user_prompt()) as stream:
        events = [event async for event in stream]
        response = stream.get()

    assert isinstance(events[0], PartStartEvent)
    assert response.parts == [TextPart('one two three')]


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_model_request_stream_is_refused_when_model_requests_are_disabled(recorder: Recorder) -> None:
    with pytest.raises(UserError, match='Model requests are disabled'):
        async with model_request_stream(recorder.remote_model(), user_prompt()):
            pass  # pragma: no cover
    assert recorder.calls == []


# model_request_sync


def test_model_request_sync_without_an_event_loop(recorder: Recorder) -> None:
    model = recorder.model()
    first = model_request_sync(model, user_prompt())
    second = model_request_sync(model, user_prompt('Again'))

    assert first.parts == second.parts == [TextPart('Hi there')]
    assert len(recorder.calls) == 2
    assert [_prompt_text(call.messages) for call in recorder.calls] == ['Hello', 'Again']
    # Without a running loop the request runs in this thread (in the loop kept for it).
    assert {call.thread for call in recorder.calls} == {threading.current_thread().name}


def test_model_request_sync_resolves_a_model_string(local: Local) -> None:
    with use_registry(local.registry):
        response = model_request_sync('local:tiny-1', user_prompt())

    assert response.parts == [TextPart('Hi there')]
    assert [name for name, _ in local.built] == ['tiny-1']


@pytest.mark.asyncio
async def test_model_request_sync_inside_a_running_loop_runs_in_a_worker_thread(recorder: Recorder) -> None:
    recorder.reply = 'From a worker'

    response = model_request_sync(recorder.model(), user_prompt())

    assert response.parts == [TextPart('From a worker')]
    [call] = recorder.calls
    assert call.thread != threading.current_thread().name


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_model_request_sync_inside_a_running_loop_keeps_the_callers_context(recorder: Recorder) -> None:
    # The suite disables requests; the override is a context variable, so it must reach the worker thread.
    token = _caller_value.set('from the caller')
    try:
        with override_allow_model_requests(True):
            assert model_request_sync(recorder.remote_model(), user_prompt()).parts == [TextPart('Hi there')]
        with pytest.raises(UserError, match='Model requests are disabled'):
            model_request_sync(recorder.remote_model(), user_prompt())
    finally:
        _caller_value.reset(token)

    [call] = recorder.calls
    assert call.caller_value == 'from the caller'
    assert call.thread != threading.current_thread().name


def test_model_request_sync_without_an_event_loop_keeps_the_callers_context(recorder: Recorder) -> None:
    token = _caller_value.set('from the caller')
    try:
        model_request_sync(recorder.model(), user_prompt())
    finally:
        _caller_value.reset(token)

    assert [call.caller_value for call in recorder.calls] == ['from the caller']


def test_model_request_sync_raises_the_models_errors() -> None:
    recorder = Recorder(error=ModelHTTPError(429, 'busy', body={'error': 'slow down'}, headers={'Retry-After': '3'}))

    with pytest.raises(ModelHTTPError) as info:
        model_request_sync(recorder.model(), user_prompt())

    assert info.value.status_code == 429
    assert info.value.headers['retry-after'] == '3'


@pytest.mark.asyncio
async def test_model_request_sync_inside_a_running_loop_raises_the_models_errors() -> None:
    error = ModelHTTPError(503, 'busy')
    recorder = Recorder(error=error)

    with pytest.raises(ModelHTTPError) as info:
        model_request_sync(recorder.model(), user_prompt())

    assert info.value is error
    assert recorder.calls[0].thread != threading.current_thread().name


# Arguments


BAD_ARGUMENTS = [
    pytest.param({'model': 42}, '`model` must be a `Model` or a "provider:model-name" string', id='model-not-str'),
    pytest.param({'messages': 'Hello'}, r'pass `\[ModelRequest.user_text_prompt\(...\)\]`', id='messages-str'),
    pytest.param(
        {'messages': ModelRequest.user_text_prompt('Hi')}, 'must be a list of `ModelRequest`', id='one-message'
    ),
    pytest.param({'messages': []}, '`messages` is empty', id='messages-empty'),
    pytest.param({'messages': [{'role': 'user'}]}, r'`messages\[0\]` must be a `ModelRequest`', id='dict-message'),
    pytest.param({'model_settings': [('temperature', 1)]}, '`model_settings` must be a dict', id='settings-list'),
    pytest.param(
        {'model_request_parameters': {'function_tools': []}},
        '`model_request_parameters` must be a `pydantic_ai.models.ModelRequestParameters`',
        id='parameters-dict',
    ),
    pytest.param({'model': 'llama-3.3-70b-versatile'}, 'write it as "provider:model-name"', id='no-provider-prefix'),
]


@pytest.mark.parametrize(('overrides', 'message'), BAD_ARGUMENTS)
def test_bad_arguments_raise_user_error_saying_what_to_pass(
    recorder: Recorder, overrides: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {'model': recorder.model(), 'messages': user_prompt(), **overrides}
    model = arguments.pop('model')
    messages = arguments.pop('messages')

    with pytest.raises(UserError, match=message):
        model_request_sync(model, messages, **arguments)
    with pytest.raises(UserError, match=message):
        asyncio.run(model_request(model, messages, **arguments))
    assert recorder.calls == []


def test_unknown_provider_in_model_string_raises_unknown_provider_error() -> None:
    with pytest.raises(UnknownProviderError, match="Unknown provider 'nonexistent'"):
        model_request_sync('nonexistent:some-model', user_prompt())


# The public API


def test_direct_functions_are_exported_lazily_from_pydantic_ai() -> None:
    code = """
import sys
import pydantic_ai
before = {m: m in sys.modules for m in ('asyncio', 'pydantic_ai.direct')}
from pydantic_ai import model_request_sync
import pydantic_ai.direct
assert model_request_sync is pydantic_ai.direct.model_request_sync
print(before)
"""
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'asyncio': False, 'pydantic_ai.direct': False}"


def test_unknown_attribute_of_pydantic_ai_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match='no_such_name'):
        pydantic_ai.no_such_name  # noqa: B018
