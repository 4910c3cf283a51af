"""What a model is: the `Model` base class, the parameters of a request, and a streamed response.

Import these names from `pydantic_ai.models`, their public home; this module exists so that the provider registry
(`pydantic_ai.registry`, which builds models) can import them without importing `pydantic_ai.models`'s compatibility
shim for `infer_model`, which imports the registry: imports in the core go one way (see `pydantic_ai.registry`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, Literal

from .._tool_definition import ToolDefinition
from ..builtin_tools import AbstractBuiltinTool
from ..messages import FinishReason, ModelMessage, ModelResponse, ModelResponseStreamEvent
from ..output import OutputMode, OutputObjectDefinition
from ..settings import ModelSettings
from ..streaming import ModelResponsePartsManager
from ..usage import Usage

__all__ = ('Model', 'ModelRequestParameters', 'StreamedResponse')


@dataclass
class ModelRequestParameters:
    """What a request offers the model besides the conversation: tools, built-in tools and the output it wants.

    Structured output (see `pydantic_ai.output`) is requested with tools (`result_tools`, the default), with the
    provider's native JSON schema (`output_mode='native'` and `output_object`), as any JSON object
    (`output_mode='json_object'`), or by instructions alone (`output_mode='prompted'` and `output_object`).
    """

    function_tools: list[ToolDefinition] = field(default_factory=list)
    """Tools the model may call to get information or act."""
    allow_text_result: bool = True
    """Whether the model may answer with plain text. When `False` it must call a tool."""
    result_tools: list[ToolDefinition] = field(default_factory=list)
    """Tools whose call is the final, structured result (the `'tool'` output mode)."""
    output_mode: OutputMode = 'tool'
    """How structured output is requested: `'tool'`, `'native'`, `'json_object'` or `'prompted'`."""
    output_object: OutputObjectDefinition | None = None
    """The result's JSON schema, required by the `'native'` and `'prompted'` output modes."""
    prompted_output_template: str | Literal[False] | None = None
    """The `'prompted'` mode's instructions, with a `{schema}` placeholder; `None` for
    `pydantic_ai.output.PROMPTED_OUTPUT_TEMPLATE`; `False` for none at all: the caller's own messages already ask
    for the JSON (the meaning pydantic-ai gives this field), so the model adds no schema instructions."""
    builtin_tools: list[AbstractBuiltinTool] = field(default_factory=list)
    """Tools the provider runs itself, such as `WebSearchTool` and `CodeExecutionTool` (see
    `pydantic_ai.builtin_tools`)."""


class Model(ABC):
    """A model of some provider, able to answer a conversation.

    Subclasses implement `request()` and usually `request_stream()`; they take their client from a
    `Provider` (see `pydantic_ai.providers`).
    """

    is_local: ClassVar[bool] = False
    """Whether the model answers in-process without sending anything (`TestModel`, `FunctionModel`).

    `pydantic_ai.models.ALLOW_MODEL_REQUESTS = False` and `override_allow_model_requests(False)` block only models
    that are not local: a test suite forbids real requests and still runs its agents on the test models.
    """

    @abstractmethod
    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Send the conversation and return the model's response and the usage of this request."""
        raise NotImplementedError

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AsyncIterator[StreamedResponse]:
        """Send the conversation and stream the model's response.

        Used as `async with model.request_stream(...) as stream: async for event in stream: ...`; leaving the
        block closes the underlying HTTP response, whether or not the stream was read to the end.
        """
        raise NotImplementedError(f'Streamed requests are not supported by {type(self).__name__}')
        yield  # pragma: no cover

    @property
    @abstractmethod
    def model_name(self) -> str:
        """The model's name, as the provider knows it."""
        raise NotImplementedError

    @property
    @abstractmethod
    def system(self) -> str | None:
        """The provider's name (for example `'groq'`), used in telemetry and error messages."""
        raise NotImplementedError

    @property
    def base_url(self) -> str | None:
        """The base URL of the provider's API, when there is one."""
        return None


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
    _event_iterator: AsyncIterator[ModelResponseStreamEvent] | None = field(default=None, init=False, repr=False)

    def __aiter__(self) -> AsyncIterator[ModelResponseStreamEvent]:
        """The stream's events; iterating again continues where the last iteration stopped."""
        if self._event_iterator is None:
            self._event_iterator = self.iter_events()
        return self._event_iterator

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
        self._usage = Usage(
            requests=self._usage.requests,
            request_tokens=usage.request_tokens,
            response_tokens=usage.response_tokens,
            total_tokens=usage.total_tokens,
            details=dict(usage.details) if usage.details else None,
            timings=dict(usage.timings) if usage.timings else None,
            cache_read_tokens=usage.cache_read_tokens,
        )

    async def aclose(self) -> None:
        """Stop the event iterator if it was started, so nothing is left for the garbage collector to finalize.

        Models call this when their `request_stream` block exits, whether or not the stream was read to the end.
        """
        iterator = self._event_iterator
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
