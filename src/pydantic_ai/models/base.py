"""What a model is: the `Model` base class and its request duties, the parameters of a request, a streamed response.

Import these names from `pydantic_ai.models`, their public home; this module exists so that the provider registry
(`pydantic_ai.registry`, which builds models) can import them without importing `pydantic_ai.models`'s compatibility
shim for `infer_model`, which imports the registry: imports in the core go one way (see `pydantic_ai.registry`).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from .._request_parameters import ModelRequestParameters
from ..lifecycle import Hooks, RequestInfo, current_hooks
from ..messages import FinishReason, ModelMessage, ModelResponse, ModelResponseStreamEvent
from ..settings import ModelSettings
from ..streaming import ModelResponsePartsManager
from ..usage import Usage
from ._switch import check_allow_model_requests

__all__ = ('Model', 'ModelRequestParameters', 'StreamedResponse')

if TYPE_CHECKING:
    _Events: TypeAlias = AsyncIterator[ModelResponseStreamEvent]
    _Send: TypeAlias = Callable[
        [list[ModelMessage], ModelSettings | None, ModelRequestParameters], Awaitable[tuple[ModelResponse, Usage]]
    ]


class Model(ABC):
    """A model of some provider, able to answer a conversation.

    **The request contract** (as `httpx.Client.send` wraps a transport): `request()` and `request_stream()` are the
    entry points callers use, and run the request duties; a model implements two protected methods.

    - `_request(messages, model_settings, model_request_parameters)`, async: send the conversation and return the
      response and the usage of this request.
    - `_request_stream(messages, model_settings, model_request_parameters)`, async, for models that stream: send
      the conversation and return a `StreamedResponse`. An error of the request itself raises here; errors while
      streaming raise from the iteration. Whatever the stream holds (an HTTP response, a chunk iterator) is
      released by its `aclose()`, which the base class calls.

    The duties, run around every request, streamed or not:

    1. the lifecycle hooks of the plugins in force (`pydantic_ai.lifecycle`): start, then end or error, with the
       timings, and for a stream the events the consumer took and the time to the first one; OpenTelemetry tracing
       (`pydantic_ai.otel.instrument_all`) is one such plugin;
    2. the allow-requests check (`check_allow_model_requests()`, after the start hook), unless the model
       `is_local`;
    3. for a stream, closing it (`aclose()`) when the `async with` block is left, read to its end or not.

    A subclass that overrides `request()` or `request_stream()` itself (the original API's style) keeps working,
    but bypasses the duties: the hooks do not see its requests (tracing included), and nothing is checked unless
    it calls `check_allow_model_requests()` itself. A wrapper around another model does that on purpose, since the
    wrapped model's own `request()` runs the duties (see `InstrumentedModel`, which reports to plugins of its own
    with `_observed_request()` and `_observed_stream()`).

    Models take their client from a `Provider` (see `pydantic_ai.providers`).
    """

    is_local: ClassVar[bool] = False
    """Whether the model answers in-process without sending anything (`TestModel`, `FunctionModel`).

    `pydantic_ai.models.ALLOW_MODEL_REQUESTS = False` and `override_allow_model_requests(False)` block only models
    that are not local: a test suite forbids real requests and still runs its agents on the test models.
    """

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Send the conversation and return the model's response and the usage of this request.

        Runs the request duties (see the class) around the model's `_request()`.

        Raises:
            UserError: requests are disabled (`ALLOW_MODEL_REQUESTS`) and the model is not local.
        """
        hooks = current_hooks()
        if hooks is None:
            # `_checked_request()` inlined: one coroutine less on every request when no plugin is installed.
            if not self.is_local:
                check_allow_model_requests()
            return await self._request(messages, model_settings, model_request_parameters)
        return await self._observed_request(
            hooks, self._checked_request, messages, model_settings, model_request_parameters
        )

    def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AbstractAsyncContextManager[StreamedResponse]:
        """Send the conversation and stream the model's response.

        Used as `async with model.request_stream(...) as stream: async for event in stream: ...`. Entering the block
        sends the request (its errors raise there); leaving it closes the stream and what it holds (the HTTP
        response), whether or not the stream was read to the end. Runs the request duties (see the class) around
        the model's `_request_stream()`.

        Raises:
            UserError: requests are disabled (`ALLOW_MODEL_REQUESTS`) and the model is not local.
            NotImplementedError: the model does not stream.
        """
        opened = self._opened_stream(messages, model_settings, model_request_parameters)
        hooks = current_hooks()
        if hooks is None:
            return opened
        return self._observed_stream(hooks, opened, messages, model_settings, model_request_parameters)

    async def _request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Send the conversation and return the response and the usage of this request: what a model implements.

        Not abstract, so that a subclass written in the original API's style (overriding `request()`) still builds.
        """
        raise NotImplementedError(f'{type(self).__name__} implements neither `_request()` nor `request()`.')

    async def _request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> StreamedResponse:
        """Send the conversation and return the streamed response: what a model that streams implements."""
        raise NotImplementedError(f'Streamed requests are not supported by {type(self).__name__}')

    @property
    @abstractmethod
    def model_name(self) -> str:
        """The model's name, as the provider knows it."""
        raise NotImplementedError

    @property
    @abstractmethod
    def system(self) -> str | None:
        """The provider's name (for example `'acme'`), used in telemetry and error messages."""
        raise NotImplementedError

    @property
    def base_url(self) -> str | None:
        """The base URL of the provider's API, when there is one."""
        return None

    @property
    def supports_streaming(self) -> bool:
        """Whether the model streams: it implements `_request_stream()`, or overrides `request_stream()` itself.

        Callers that would rather not stream than fail (`pai`) ask this first.
        """
        cls = type(self)
        return cls._request_stream is not Model._request_stream or cls.request_stream is not Model.request_stream

    # -- the request duties ------------------------------------------------------------------------------------------

    async def _checked_request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        if not self.is_local:
            check_allow_model_requests()
        return await self._request(messages, model_settings, model_request_parameters)

    @asynccontextmanager
    async def _opened_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        if not self.is_local:
            check_allow_model_requests()
        stream = await self._request_stream(messages, model_settings, model_request_parameters)
        try:
            yield stream
        finally:
            await stream.aclose()

    async def _observed_request(
        self,
        hooks: Hooks,
        send: _Send,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """`send(messages, model_settings, model_request_parameters)` with the lifecycle `hooks` called around it.

        The hooks' part of the duties, reporting this model. For wrappers too: `InstrumentedModel.request()` passes
        its own plugins' hooks and the wrapped model's `request`.
        """
        info = RequestInfo(self, messages, model_settings, model_request_parameters, stream=False)
        hooks.start(request=info)
        try:
            result = await send(messages, model_settings, model_request_parameters)
        except BaseException as exc:
            info.end_time = time.perf_counter()
            info.cancelled = not isinstance(exc, Exception)
            hooks.error(request=info, error=exc)
            raise
        info.end_time = time.perf_counter()
        hooks.end(request=info, response=result[0])
        return result

    def _observed_stream(
        self,
        hooks: Hooks,
        opened: AbstractAsyncContextManager[StreamedResponse],
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AbstractAsyncContextManager[StreamedResponse]:
        """The stream `opened` (a `request_stream(...)` not entered yet) with the lifecycle `hooks` called around it.

        The hooks' part of the duties for streams, reporting this model; for wrappers too (see `_observed_request`).
        """
        info = RequestInfo(self, messages, model_settings, model_request_parameters, stream=True)
        return _observed(hooks, opened, info)


class _Outcome:
    """How a stream observed for the hooks ended, as its event iterator saw it."""

    __slots__ = ('failure', 'completed')

    def __init__(self) -> None:
        self.failure: BaseException | None = None
        self.completed = False


@asynccontextmanager
async def _observed(
    hooks: Hooks, opened: AbstractAsyncContextManager[StreamedResponse], info: RequestInfo
) -> AsyncIterator[StreamedResponse]:
    hooks.start(request=info)
    outcome = _Outcome()
    stream: StreamedResponse | None = None
    try:
        async with opened as stream:
            stream.observe(lambda events: _counted(events, info, outcome))
            yield stream
    except BaseException as exc:
        info.end_time = time.perf_counter()
        if stream is None or outcome.failure is exc:
            # Failed before the stream opened, or the stream itself raised it.
            info.cancelled = not isinstance(exc, Exception)
            hooks.error(request=info, error=exc)
        elif outcome.failure is not None:
            hooks.error(request=info, error=outcome.failure)
        else:
            # The consumer's own code raised, or its task was cancelled: the request did not fail, it was abandoned.
            info.cancelled = not outcome.completed
            hooks.end(request=info, response=stream.get())
        raise
    info.end_time = time.perf_counter()
    if outcome.failure is not None:
        # The stream failed and the consumer swallowed the error.
        hooks.error(request=info, error=outcome.failure)
    else:
        info.cancelled = not outcome.completed
        hooks.end(request=info, response=stream.get())


async def _counted(events: _Events, info: RequestInfo, outcome: _Outcome) -> _Events:
    count = 0
    try:
        async for event in events:
            if not count:
                info.first_chunk_time = time.perf_counter()
            count += 1
            yield event
        outcome.completed = True
    except GeneratorExit:
        raise
    except BaseException as exc:
        outcome.failure = exc
        raise
    finally:
        info.events = count
        aclose = getattr(events, 'aclose', None)
        if aclose is not None:
            await aclose()


def _utc_now() -> datetime:
    return datetime.now(tz=timezone.utc)


@dataclass(kw_only=True)
class StreamedResponse(ABC):
    """A response that arrives as a stream of events.

    Iterate it (`async for event in stream`) to receive `PartStartEvent`s and `PartDeltaEvent`s; `get()` returns
    the `ModelResponse` assembled so far and `usage()` the usage reported so far. A stream can be iterated once.

    **Writing a subclass** (a provider plugin's streamed response). Everything a subclass uses is public:

    - It is a keyword-only dataclass: construct it with `model_name=` (required), `timestamp=` (defaults to now,
      UTC) and `provider_name=`, plus the subclass's own fields.
    - It implements `iter_events()`, an async generator that reads the provider's chunks, feeds what they carry to
      `self.parts_manager` (see `pydantic_ai.streaming.ModelResponsePartsManager`) and yields the events it returns;
      once the chunks end, it yields the events of `self.parts_manager.finish()`.
    - As the stream tells them, it sets `provider_response_id`, `finish_reason` and `provider_details`, and calls
      `report_usage()` with the usage the provider reports.
    - If it holds a resource of its own (an HTTP response, a chunk generator), it overrides `aclose()` to release
      it and calls `super().aclose()`.
    """

    model_name: str
    """The name of the model that is answering, as the provider reports it."""
    timestamp: datetime = field(default_factory=_utc_now)
    """When the response was made, as the provider reports it."""
    provider_name: str | None = None
    """The provider answering, set by the model."""
    provider_response_id: str | None = field(default=None, init=False)
    """The provider's id for the response, once a chunk has carried it."""
    finish_reason: FinishReason | None = field(default=None, init=False)
    """Why the model stopped, once the stream has said so."""
    provider_details: dict[str, Any] | None = field(default=None, init=False)
    """Provider-specific information gathered from the stream (the raw finish reason, error details)."""
    parts_manager: ModelResponsePartsManager = field(default_factory=ModelResponsePartsManager, init=False, repr=False)
    """Assembles the parts from the deltas `iter_events()` feeds it; its events are the stream's events."""
    # A stream is one request; `report_usage()` sets the token counts as they arrive.
    _usage: Usage = field(default_factory=lambda: Usage(requests=1), init=False, repr=False)
    _event_iterator: _Events | None = field(default=None, init=False, repr=False)
    # The iterators the observers wrapped, innermost first (see `observe`), for `aclose()`.
    _observed: list[_Events] = field(default_factory=list, init=False, repr=False)

    def __aiter__(self) -> _Events:
        """The stream's events; iterating again continues where the last iteration stopped."""
        if self._event_iterator is None:
            self._event_iterator = self.iter_events()
        return self._event_iterator

    def observe(self, observer: Callable[[_Events], _Events]) -> None:
        """Pass the stream's events through `observer` on their way to the consumer: the stream's observer slot.

        `observer` receives the stream's event iterator and returns an iterator of the same events, usually an async
        generator yielding each event it takes. It sees every event the consumer receives and how the stream ends:
        an exception raised through it, or its closing when the consumer leaves early (the stream's `aclose()`
        closes every observer, outermost first, then the stream's own events). Call it before the stream is
        iterated; each call wraps the observers set before. The request duties use it for the lifecycle hooks (see
        `Model.request_stream`).
        """
        events = self.__aiter__()
        self._observed.append(events)
        self._event_iterator = observer(events)

    @abstractmethod
    def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        """Yield the events of the stream; implemented by each provider as an async generator.

        Called once, by the first `async for` over the stream; iterate the stream, not this method.
        """
        raise NotImplementedError

    def report_usage(self, usage: Usage) -> None:
        """Record the usage the provider reported for this response.

        Usage reported inside a response is the response's total so far, so the latest report replaces the earlier
        ones (token counts, details and timings); it is not added to them. The request count stays one. A provider
        that reports parts of the usage separately (input tokens first, output tokens at the end) merges them
        before calling this.
        """
        reported = usage.copy()
        reported.requests = self._usage.requests
        self._usage = reported

    async def aclose(self) -> None:
        """Stop the event iterator if it was started, so nothing is left for the garbage collector to finalize.

        `Model.request_stream()` calls this when its block is left, whether or not the stream was read to the end.
        """
        for iterator in (self._event_iterator, *reversed(self._observed)):
            if isinstance(iterator, AsyncGenerator):
                await iterator.aclose()

    def get(self) -> ModelResponse:
        """The response assembled from the events received so far, with its metadata and usage so far."""
        return ModelResponse(
            parts=self.parts_manager.get_parts(),
            model_name=self.model_name,
            timestamp=self.timestamp,
            usage=self._usage.copy(),
            provider_name=self.provider_name,
            provider_response_id=self.provider_response_id,
            finish_reason=self.finish_reason,
            provider_details=dict(self.provider_details) if self.provider_details else None,
        )

    def usage(self) -> Usage:
        """The usage so far: one request, and the token counts reported so far (complete once the stream ends)."""
        return self._usage
