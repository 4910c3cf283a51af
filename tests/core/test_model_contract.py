"""The request contract: `Model.request()`/`request_stream()` run the duties around a model's protected methods.

A model written as the docs say (`_request`, `_request_stream`) is seen by the lifecycle hooks, traced, refused while
requests are disabled, and has its stream closed, without knowing any of it. A subclass in the original API's style
(overriding `request()` itself) still works and bypasses the duties. The example model of `docs/plugins.md` runs
as written.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydantic_ai import lifecycle
from pydantic_ai.exceptions import ModelAPIError, UserError
from pydantic_ai.lifecycle import RequestInfo, hookimpl
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ModelResponseStreamEvent, TextPart
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse, override_allow_model_requests
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.otel import instrument_all
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage

from support.otel import in_memory_telemetry

pytestmark = pytest.mark.asyncio

PLUGINS_PAGE = Path(__file__).resolve().parents[2] / 'docs' / 'plugins.md'
NO_TOOLS = ModelRequestParameters()


def prompt(text: str = 'Hello') -> list[ModelMessage]:
    return [ModelRequest.user_text_prompt(text)]


class Recorder:
    """A lifecycle plugin recording each hook call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, RequestInfo, Any]] = []

    @hookimpl
    def pydantic_ai_request_start(self, request: RequestInfo) -> None:
        self.calls.append(('start', request, None))

    @hookimpl
    def pydantic_ai_request_end(self, request: RequestInfo, response: ModelResponse) -> None:
        self.calls.append(('end', request, response))

    @hookimpl
    def pydantic_ai_request_error(self, request: RequestInfo, error: BaseException) -> None:
        self.calls.append(('error', request, error))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.calls]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    plugin = Recorder()
    lifecycle.register_plugin(plugin, name='contract-recorder')
    yield plugin
    lifecycle.unregister_plugin(plugin)


# -- a third-party model, written as the docs say ---------------------------------------------------------------------


@dataclass(kw_only=True)
class WordStream(StreamedResponse):
    """Streams words; records whether it was closed, as a stream holding an HTTP response must be."""

    words: list[str]
    fail_after: int | None = None
    closed: bool = field(default=False, init=False)

    async def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        for n, word in enumerate(self.words):
            if self.fail_after is not None and n == self.fail_after:
                raise ModelAPIError(self.model_name, 'the stream broke')
            for event in self.parts_manager.handle_text_delta(vendor_part_id='text', content=word):
                yield event
        for event in self.parts_manager.finish():
            yield event

    async def aclose(self) -> None:
        self.closed = True
        await super().aclose()


class ThirdPartyModel(Model):
    """Implements only what the docs ask: `_request`, `_request_stream` and the names."""

    def __init__(self, *, fail: Exception | None = None, stream_fail_after: int | None = None) -> None:
        self.sent: list[list[ModelMessage]] = []
        self.streams: list[WordStream] = []
        self.fail = fail
        self.stream_fail_after = stream_fail_after

    @property
    def model_name(self) -> str:
        return 'third-1'

    @property
    def system(self) -> str:
        return 'third-party'

    @property
    def base_url(self) -> str:
        return 'https://api.third.example:8443'

    async def _request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        self.sent.append(messages)
        if self.fail is not None:
            raise self.fail
        usage = Usage(requests=1, request_tokens=2, response_tokens=1, total_tokens=3)
        return ModelResponse(parts=[TextPart('hi')], model_name='third-1', usage=usage), usage

    async def _request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> StreamedResponse:
        self.sent.append(messages)
        if self.fail is not None:
            raise self.fail
        stream = WordStream(model_name='third-1', words=['a ', 'b ', 'c'], fail_after=self.stream_fail_after)
        self.streams.append(stream)
        return stream


async def test_a_third_party_model_is_seen_by_the_lifecycle_hooks(recorder: Recorder) -> None:
    model = ThirdPartyModel()

    response, usage = await model.request(prompt(), {'temperature': 0.2}, NO_TOOLS)

    assert response.parts == [TextPart('hi')] and usage.total_tokens == 3
    assert recorder.kinds() == ['start', 'end']
    (_, started, _), (_, ended, seen) = recorder.calls
    assert started is ended and ended.model is model
    assert ended.stream is False and ended.model_settings == {'temperature': 0.2}
    assert ended.duration is not None and ended.duration >= 0
    assert seen is response


async def test_a_third_party_stream_is_seen_counted_and_closed(recorder: Recorder) -> None:
    model = ThirdPartyModel()

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        assert recorder.kinds() == ['start']
        events = [event async for event in stream]

    assert model.streams[0].closed
    assert recorder.kinds() == ['start', 'end']
    _, info, response = recorder.calls[1]
    assert info.stream is True and info.cancelled is False
    assert info.events == len(events) == 3
    assert info.time_to_first_chunk is not None and info.duration is not None
    assert 0 <= info.time_to_first_chunk <= info.duration
    assert response.parts == [TextPart('a b c')]


async def test_a_third_party_stream_left_early_is_closed_and_ends_cancelled(recorder: Recorder) -> None:
    model = ThirdPartyModel()

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            break

    assert model.streams[0].closed
    assert recorder.kinds() == ['start', 'end']
    _, info, response = recorder.calls[1]
    assert info.cancelled is True and info.events == 1
    assert response.parts == [TextPart('a ')]


async def test_a_third_party_stream_error_swallowed_by_the_consumer_still_reaches_the_error_hook(
    recorder: Recorder,
) -> None:
    model = ThirdPartyModel(stream_fail_after=1)

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        with pytest.raises(ModelAPIError, match='the stream broke') as caught:
            async for _ in stream:
                pass

    assert model.streams[0].closed
    assert recorder.kinds() == ['start', 'error']
    assert recorder.calls[1][2] is caught.value


async def test_a_failing_third_party_request_calls_the_error_hook(recorder: Recorder) -> None:
    failure = ModelAPIError('third-1', 'refused')
    model = ThirdPartyModel(fail=failure)

    with pytest.raises(ModelAPIError):
        await model.request(prompt(), None, NO_TOOLS)
    with pytest.raises(ModelAPIError):
        async with model.request_stream(prompt(), None, NO_TOOLS):
            pass  # pragma: no cover

    assert recorder.kinds() == ['start', 'error', 'start', 'error']
    assert recorder.calls[1][2] is failure and recorder.calls[3][2] is failure
    assert [info.stream for _, info, _ in recorder.calls] == [False, False, True, True]


async def test_a_cancelled_third_party_request_is_reported_cancelled(recorder: Recorder) -> None:
    class Slow(ThirdPartyModel):
        async def _request(self, *args: Any) -> tuple[ModelResponse, Usage]:
            await asyncio.sleep(10)
            raise AssertionError('not reached')  # pragma: no cover

    task = asyncio.create_task(Slow().request(prompt(), None, NO_TOOLS))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert recorder.kinds() == ['start', 'error']
    _, info, error = recorder.calls[1]
    assert isinstance(error, asyncio.CancelledError) and info.cancelled is True


async def test_a_third_party_model_is_traced_by_instrument_all() -> None:
    telemetry = in_memory_telemetry()
    instrument_all(telemetry.settings())
    try:
        await ThirdPartyModel().request(prompt(), None, NO_TOOLS)
        async with ThirdPartyModel().request_stream(prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                pass
    finally:
        instrument_all(False)
    spans = telemetry.spans()
    assert [span.name for span in spans] == ['chat third-1', 'chat third-1']
    first, streamed = (dict(span.attributes or {}) for span in spans)
    assert first['gen_ai.provider.name'] == 'third-party'
    assert first['server.address'] == 'api.third.example' and first['server.port'] == 8443
    assert first['gen_ai.usage.output_tokens'] == 1
    assert streamed['gen_ai.request.stream'] is True


@pytest.mark.forbid_model_requests
async def test_a_third_party_model_is_refused_while_requests_are_disabled_and_sends_nothing(
    recorder: Recorder,
) -> None:
    model = ThirdPartyModel()

    with pytest.raises(UserError, match='Model requests are disabled'):
        await model.request(prompt(), None, NO_TOOLS)
    with pytest.raises(UserError, match='Model requests are disabled'):
        async with model.request_stream(prompt(), None, NO_TOOLS):
            pass  # pragma: no cover

    assert model.sent == []
    # The check runs inside the hooks' bracket: the refusal is reported as the request's error.
    assert recorder.kinds() == ['start', 'error', 'start', 'error']
    with override_allow_model_requests(True):
        response, _ = await model.request(prompt(), None, NO_TOOLS)
    assert response.parts == [TextPart('hi')]


@pytest.mark.forbid_model_requests
async def test_local_models_answer_while_requests_are_disabled() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart('local')])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield 'local'

    assert TestModel.is_local and FunctionModel.is_local and not Model.is_local
    function_model = FunctionModel(answer, stream_function=stream)
    response, _ = await function_model.request(prompt(), None, NO_TOOLS)
    assert response.parts == [TextPart('local')]
    async with function_model.request_stream(prompt(), None, NO_TOOLS) as streamed:
        assert [e async for e in streamed] and streamed.get().parts == [TextPart('local')]
    response, _ = await TestModel(custom_result_text='fine').request(prompt(), None, NO_TOOLS)
    assert response.parts == [TextPart('fine')]
    async with TestModel(custom_result_text='fine').request_stream(prompt(), None, NO_TOOLS) as streamed:
        assert [e async for e in streamed] and streamed.get().parts == [TextPart('fine')]


# -- the original API's style: overriding request() --------------------------------------------------------------------


class OriginalStyleModel(Model):
    """Overrides the public `request()` itself, as models written for the original API do."""

    @property
    def model_name(self) -> str:
        return 'original-1'

    @property
    def system(self) -> str:
        return 'original'

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        return ModelResponse(parts=[TextPart('as before')], model_name='original-1'), Usage(requests=1)


@pytest.mark.forbid_model_requests
async def test_a_model_overriding_request_itself_still_works_and_bypasses_the_duties(recorder: Recorder) -> None:
    response, usage = await OriginalStyleModel().request(prompt(), None, NO_TOOLS)

    assert response.parts == [TextPart('as before')] and usage.requests == 1
    # Documented: no hooks, and no check (it would have to call check_allow_model_requests() itself).
    assert recorder.calls == []


async def test_a_model_implementing_neither_method_says_so() -> None:
    class Empty(Model):
        @property
        def model_name(self) -> str:
            return 'empty'

        @property
        def system(self) -> str:
            return 'none'

    with pytest.raises(NotImplementedError, match=r'Empty implements neither `_request\(\)` nor `request\(\)`'):
        await Empty().request(prompt(), None, NO_TOOLS)
    with pytest.raises(NotImplementedError, match='Streamed requests are not supported by Empty'):
        async with Empty().request_stream(prompt(), None, NO_TOOLS):
            pass  # pragma: no cover


# -- the stream's observer slot ---------------------------------------------------------------------------------------


async def test_observe_passes_every_event_through_the_observers_in_order_and_aclose_closes_them() -> None:
    seen: list[str] = []
    closed: list[str] = []

    def tap(name: str) -> Any:
        async def observer(events: AsyncIterator[ModelResponseStreamEvent]) -> AsyncIterator[ModelResponseStreamEvent]:
            try:
                async for event in events:
                    seen.append(name)
                    yield event
            finally:
                closed.append(name)

        return observer

    stream = WordStream(model_name='m', words=['x ', 'y ', 'z'])
    stream.observe(tap('inner'))
    stream.observe(tap('outer'))
    async for _ in stream:
        break
    await stream.aclose()

    assert seen == ['inner', 'outer']
    assert closed == ['outer', 'inner']
    assert stream.get().parts == [TextPart('x ')]


# -- the example model of docs/plugins.md ------------------------------------------------------------------------------


def _docs_model_block() -> str:
    blocks = [
        b
        for b in re.findall(r'```python\n(.*?)```', PLUGINS_PAGE.read_text(), flags=re.DOTALL)
        if 'class EchoCloud' in b
    ]
    assert len(blocks) == 1
    return blocks[0]


def _echo_cloud(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    assert request.url.path == '/complete' and body['model'] == 'echo-1'
    if body['prompt'] == 'fail':
        return httpx.Response(503, json={'error': 'busy'})
    if body['stream']:
        frames = ''.join(f'data: {word}\n\n' for word in body['prompt'].split(' '))
        return httpx.Response(200, text=frames, headers={'content-type': 'text/event-stream'})
    return httpx.Response(200, json={'text': body['prompt'][::-1], 'prompt_tokens': 3, 'tokens': 2})


async def test_the_docs_model_of_your_own_runs_with_hooks_check_and_closing(recorder: Recorder) -> None:
    namespace: dict[str, Any] = {'__name__': '__docs__'}
    exec(compile(_docs_model_block(), 'docs/plugins.md', 'exec', dont_inherit=True), namespace)
    async with httpx.AsyncClient(transport=httpx.MockTransport(_echo_cloud), base_url='http://echo.example') as client:
        model = namespace['EchoCloudModel']('echo-1', client)

        response, usage = await model.request(prompt('abc'), None, NO_TOOLS)
        async with model.request_stream(prompt('one two'), None, NO_TOOLS) as stream:
            assert [e async for e in stream]
            streamed = stream.get()
        with pytest.raises(httpx.HTTPStatusError):
            await model.request(prompt('fail'), None, NO_TOOLS)
        with override_allow_model_requests(False), pytest.raises(UserError, match='Model requests are disabled'):
            await model.request(prompt('abc'), None, NO_TOOLS)

    assert response.parts == [TextPart('cba')] and usage.response_tokens == 2
    assert streamed.parts == [TextPart('onetwo')] and streamed.provider_name == 'echo-cloud'
    assert stream.answer.is_closed
    assert recorder.kinds() == ['start', 'end', 'start', 'end', 'start', 'error', 'start', 'error']
