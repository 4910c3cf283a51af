from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
import pytest

import pydantic_ai.models
from pydantic_ai.exceptions import UnknownProviderError, UserError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    ToolCallPart,
)
from pydantic_ai.models import (
    Model,
    ModelRequestParameters,
    StreamedResponse,
    cached_async_http_client,
    check_allow_model_requests,
    infer_model,
    override_allow_model_requests,
)
from pydantic_ai.registry import ProviderRegistry, use_registry
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage

TS = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)

# ALLOW_MODEL_REQUESTS and its override (how overrides in several tasks combine: test_request_switch.py)

# Read at collection, outside every test's override (which sets the switch process-wide while the test runs).
SWITCH_OUTSIDE_TESTS = pydantic_ai.models.ALLOW_MODEL_REQUESTS


def test_conftest_disables_model_requests_for_the_suite() -> None:
    assert SWITCH_OUTSIDE_TESTS is False


@pytest.mark.forbid_model_requests
def test_check_allow_model_requests_raises_user_error_when_disabled() -> None:
    with pytest.raises(UserError, match='ALLOW_MODEL_REQUESTS'):
        check_allow_model_requests()


@pytest.mark.forbid_model_requests
def test_override_true_allows_requests_and_is_undone_after_block() -> None:
    with override_allow_model_requests(True):
        check_allow_model_requests()
    with pytest.raises(UserError):
        check_allow_model_requests()


@pytest.mark.forbid_model_requests
def test_override_is_undone_when_block_raises() -> None:
    with pytest.raises(RuntimeError), override_allow_model_requests(True):
        raise RuntimeError('boom')
    with pytest.raises(UserError):
        check_allow_model_requests()


def test_global_true_allows_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pydantic_ai.models, 'ALLOW_MODEL_REQUESTS', True)
    check_allow_model_requests()


def test_override_false_wins_over_global_true(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pydantic_ai.models, 'ALLOW_MODEL_REQUESTS', True)
    with override_allow_model_requests(False), pytest.raises(UserError, match='override_allow_model_requests'):
        check_allow_model_requests()
    check_allow_model_requests()


def test_nested_overrides_restore_outer_value() -> None:
    with override_allow_model_requests(True):
        with override_allow_model_requests(False):
            with pytest.raises(UserError):
                check_allow_model_requests()
        check_allow_model_requests()


def test_tests_run_with_model_requests_allowed_by_default() -> None:
    check_allow_model_requests()


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_override_is_task_local_between_concurrent_tasks() -> None:
    inside_entered = asyncio.Event()
    outside_checked = asyncio.Event()

    async def inside() -> bool:
        with override_allow_model_requests(True):
            inside_entered.set()
            await outside_checked.wait()
            check_allow_model_requests()
            return True

    async def outside() -> bool:
        await inside_entered.wait()
        try:
            check_allow_model_requests()
        except UserError:
            return False
        finally:
            outside_checked.set()
        return True

    inside_result, outside_result = await asyncio.wait_for(asyncio.gather(inside(), outside()), timeout=5)
    assert inside_result is True
    assert outside_result is False
    with pytest.raises(UserError):
        check_allow_model_requests()


@pytest.mark.asyncio
async def test_override_false_in_one_task_does_not_block_another(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pydantic_ai.models, 'ALLOW_MODEL_REQUESTS', True)
    blocked_entered = asyncio.Event()
    other_checked = asyncio.Event()

    async def blocked() -> None:
        with override_allow_model_requests(False):
            blocked_entered.set()
            await other_checked.wait()
            with pytest.raises(UserError):
                check_allow_model_requests()

    async def other() -> None:
        await blocked_entered.wait()
        try:
            check_allow_model_requests()
        finally:
            other_checked.set()

    await asyncio.wait_for(asyncio.gather(blocked(), other()), timeout=5)


# cached_async_http_client


@pytest.mark.asyncio
async def test_cached_async_http_client_returns_same_client_for_same_args() -> None:
    clients: list[httpx.AsyncClient] = []
    try:
        a = cached_async_http_client(timeout=123.5, connect=4.5)
        clients.append(a)
        b = cached_async_http_client(timeout=123.5, connect=4.5)
        clients.append(b)
        assert isinstance(a, httpx.AsyncClient)
        assert a is b
        assert a.timeout == httpx.Timeout(timeout=123.5, connect=4.5)
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.asyncio
async def test_cached_async_http_client_differs_for_different_timeouts() -> None:
    clients: list[httpx.AsyncClient] = []
    try:
        base = cached_async_http_client(timeout=111, connect=3)
        clients.append(base)
        other_timeout = cached_async_http_client(timeout=222, connect=3)
        clients.append(other_timeout)
        other_connect = cached_async_http_client(timeout=111, connect=7)
        clients.append(other_connect)
        assert len({id(c) for c in clients}) == 3
        assert other_timeout.timeout.read == 222
        assert other_connect.timeout.connect == 7
    finally:
        for client in clients:
            await client.aclose()


@pytest.mark.asyncio
async def test_cached_async_http_client_default_timeouts() -> None:
    client = cached_async_http_client()
    try:
        assert client is cached_async_http_client(timeout=60, connect=5)
        assert client.timeout == httpx.Timeout(timeout=60, connect=5)  # the groq SDK's defaults, as documented
    finally:
        await client.aclose()


@pytest.mark.asyncio
async def test_cached_async_http_client_recreated_after_close() -> None:
    first = cached_async_http_client(timeout=333, connect=2)
    await first.aclose()
    assert first.is_closed
    second = cached_async_http_client(timeout=333, connect=2)
    try:
        assert second is not first
        assert not second.is_closed
        assert cached_async_http_client(timeout=333, connect=2) is second
    finally:
        await second.aclose()


# infer_model


class _MinimalModel(Model):
    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        check_allow_model_requests()
        return ModelResponse(parts=[TextPart('ok')], model_name=self.model_name, timestamp=TS), Usage(requests=1)

    @property
    def model_name(self) -> str:
        return 'minimal-1'

    @property
    def system(self) -> str | None:
        return 'test'


def test_infer_model_returns_model_instance_unchanged() -> None:
    model = _MinimalModel()
    assert infer_model(model) is model


class _LocalProvider:
    """A provider with nothing behind it, registered at run time in the tests' own registry."""

    @property
    def name(self) -> str:
        return 'local'

    @property
    def base_url(self) -> str:
        return 'http://127.0.0.1:9'

    @property
    def client(self) -> None:
        return None


@pytest.fixture
def local_registry() -> Iterator[ProviderRegistry]:
    """A registry of the test's own (no installed plugins) holding provider `local`, current for the test."""
    with use_registry(ProviderRegistry(entry_points=lambda: [])) as registry:
        registry.register('local', _LocalProvider)
        yield registry


@pytest.mark.parametrize('value', ['llama-3.3-70b-versatile', 'local:', ':llama', ''])
def test_infer_model_without_provider_prefix_raises_user_error_showing_form(
    local_registry: ProviderRegistry, value: str
) -> None:
    with pytest.raises(UserError) as exc_info:
        infer_model(value)
    assert not isinstance(exc_info.value, UnknownProviderError)
    message = str(exc_info.value)
    assert 'provider:model-name' in message
    assert repr(value) in message
    assert "'local'" in message


def test_infer_model_unknown_provider_lists_available_names(local_registry: ProviderRegistry) -> None:
    with pytest.raises(UnknownProviderError) as exc_info:
        infer_model('nonexistent-provider-xyz:foo')
    error = exc_info.value
    assert isinstance(error, UserError)
    assert error.name == 'nonexistent-provider-xyz'
    assert 'local' in error.available
    assert "'local'" in str(error)
    assert 'nonexistent-provider-xyz' in str(error)


# Model and StreamedResponse base classes


def test_model_base_class_is_abstract() -> None:
    with pytest.raises(TypeError):
        Model()  # type: ignore[abstract]


def test_minimal_model_has_no_base_url() -> None:
    model = _MinimalModel()
    assert model.base_url is None
    assert model.model_name == 'minimal-1'
    assert model.system == 'test'


@pytest.mark.forbid_model_requests
@pytest.mark.asyncio
async def test_minimal_model_request_respects_allow_model_requests() -> None:
    model = _MinimalModel()
    with pytest.raises(UserError):
        await model.request([], None, ModelRequestParameters())
    with override_allow_model_requests(True):
        response, usage = await model.request([], None, ModelRequestParameters())
    assert response.parts == [TextPart('ok')]
    assert usage.requests == 1


@pytest.mark.asyncio
async def test_default_request_stream_raises_not_implemented_when_entered() -> None:
    model = _MinimalModel()
    stream_cm = model.request_stream([ModelRequest.user_text_prompt('hi')], None, ModelRequestParameters())
    with pytest.raises(NotImplementedError, match='_MinimalModel'):
        async with stream_cm:
            pass  # pragma: no cover


def test_model_request_parameters_defaults() -> None:
    params = ModelRequestParameters()
    assert params.function_tools == []
    assert params.result_tools == []
    assert params.allow_text_result is True
    assert ModelRequestParameters().function_tools is not params.function_tools


@dataclass(kw_only=True)
class _ListStreamedResponse(StreamedResponse):
    """A subclass written against the public contract only: keyword fields, `iter_events`, `parts_manager`."""

    chunks: list[tuple[str, object]]
    model_name: str = 'streamy'
    timestamp: datetime = TS

    async def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        for kind, value in self.chunks:
            if kind == 'text':
                assert isinstance(value, str)
                for event in self.parts_manager.handle_text_delta(vendor_part_id='content', content=value):
                    yield event
            elif kind == 'tool':
                assert isinstance(value, tuple)
                name, args = value
                for event in self.parts_manager.handle_tool_call_delta(
                    vendor_part_id=0, tool_name=name, args=args, tool_call_id='call_1' if name else None
                ):
                    yield event
            else:
                assert isinstance(value, int)
                self.report_usage(Usage(request_tokens=value, response_tokens=value))
        self.parts_manager.check_complete()


def _chunks() -> list[tuple[str, object]]:
    return [
        ('text', 'Hello'),
        ('usage', 3),
        ('text', ', wörld'),
        ('tool', ('get_weather', '{"city"')),
        ('tool', (None, ': "Paris"}')),
        ('usage', 7),
    ]


@pytest.mark.asyncio
async def test_streamed_response_usage_starts_with_one_request() -> None:
    stream = _ListStreamedResponse(chunks=[])
    assert stream.usage() == Usage(requests=1)
    assert stream.get() == ModelResponse(parts=[], model_name='streamy', timestamp=TS, usage=Usage(requests=1))


@pytest.mark.asyncio
async def test_streamed_response_async_for_get_and_usage() -> None:
    stream = _ListStreamedResponse(chunks=_chunks())
    events = [event async for event in stream]
    assert [type(e) for e in events] == [PartStartEvent, PartDeltaEvent, PartStartEvent, PartDeltaEvent]
    assert stream.get() == ModelResponse(
        parts=[TextPart('Hello, wörld'), ToolCallPart('get_weather', '{"city": "Paris"}', tool_call_id='call_1')],
        model_name='streamy',
        timestamp=TS,
        usage=Usage(requests=1, request_tokens=7, response_tokens=7),
    )
    assert stream.usage() == Usage(requests=1, request_tokens=7, response_tokens=7)
    # `get()` snapshots the usage: later counts do not change a response already returned.
    assert stream.get().usage is not stream.usage()


@pytest.mark.asyncio
async def test_streamed_response_get_reflects_events_so_far_and_iteration_resumes() -> None:
    stream = _ListStreamedResponse(chunks=_chunks())
    iterator = aiter(stream)
    first = await anext(iterator)
    assert first == PartStartEvent(index=0, part=TextPart('Hello'))
    assert stream.get().parts == [TextPart('Hello')]
    assert stream.usage() == Usage(requests=1)
    rest = [event async for event in stream]
    assert len(rest) == 3
    assert stream.get().parts[0] == TextPart('Hello, wörld')
    assert [event async for event in stream] == []


def test_streamed_response_subclass_contract_is_keyword_only_and_public() -> None:
    with pytest.raises(TypeError):
        _ListStreamedResponse([])  # type: ignore[misc]
    stream = _ListStreamedResponse(chunks=[], model_name='m', timestamp=TS, provider_name='p')
    assert (stream.model_name, stream.timestamp, stream.provider_name) == ('m', TS, 'p')
    assert stream.parts_manager.get_parts() == []
    public = {f.name for f in dataclasses.fields(StreamedResponse) if f.init}
    assert public == {'model_name', 'timestamp', 'provider_name'}


def test_streamed_response_without_iter_events_cannot_be_built() -> None:
    @dataclass(kw_only=True)
    class _NoEvents(StreamedResponse):
        pass

    with pytest.raises(TypeError, match='iter_events'):
        _NoEvents(model_name='m')  # type: ignore[abstract]


def test_streamed_response_timestamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(tz=timezone.utc)
    stream = _ListStreamedResponse(chunks=[], model_name='m', timestamp=datetime.now(tz=timezone.utc))
    assert stream.timestamp >= before
    default = _NoTimestamp(model_name='m')
    assert default.timestamp.tzinfo is timezone.utc and default.timestamp >= before


@dataclass(kw_only=True)
class _NoTimestamp(StreamedResponse):
    async def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        for event in self.parts_manager.finish():
            yield event  # pragma: no cover


def test_report_usage_keeps_the_latest_report_not_a_sum() -> None:
    stream = _NoTimestamp(model_name='m')
    stream.report_usage(Usage(request_tokens=5, response_tokens=1, total_tokens=6, details={'cached_tokens': 2}))
    stream.report_usage(Usage(request_tokens=5, response_tokens=9, total_tokens=14, timings={'total_time': 0.5}))
    assert stream.usage() == Usage(
        requests=1, request_tokens=5, response_tokens=9, total_tokens=14, timings={'total_time': 0.5}
    )
    assert stream.get().usage == stream.usage()


def test_report_usage_keeps_every_count_reported_and_shares_no_dict_with_the_report() -> None:
    stream = _NoTimestamp(model_name='m')
    reported = Usage(
        requests=7, request_tokens=20, total_tokens=22, details={'reasoning_tokens': 3}, cache_read_tokens=16
    )
    stream.report_usage(reported)
    assert stream.usage() == Usage(
        requests=1, request_tokens=20, total_tokens=22, details={'reasoning_tokens': 3}, cache_read_tokens=16
    )
    assert reported.details is not None
    reported.details['reasoning_tokens'] = 99
    assert stream.usage().details == {'reasoning_tokens': 3}
