"""`FunctionModel`: a model whose answers are computed by a Python function you give it, for tests and prototypes.

```python
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    return ModelResponse(parts=[TextPart('hello')])

agent = Agent(FunctionModel(answer))
```

A streamed request calls `stream_function`, an async iterator yielding text deltas (`str`) or tool-call deltas
(`DeltaToolCalls`, a dict from a call's index to a `DeltaToolCall`). Usage is a rough word count, so tests can
check that usage adds up; it is not any provider's token count.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, TypeAlias

from .._tool_definition import ToolDefinition
from ..exceptions import EmptyStreamError, InvalidArgumentsError, UserError
from ..messages import (
    BinaryContent,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponseStreamEvent,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from ..settings import ModelSettings
from ..usage import Usage
from .base import Model, ModelRequestParameters, StreamedResponse

__all__ = ('FunctionModel', 'AgentInfo', 'DeltaToolCall', 'DeltaToolCalls', 'FunctionDef', 'StreamFunctionDef')


@dataclass
class AgentInfo:
    """What the request offers, passed to a `FunctionModel`'s functions as their second argument."""

    function_tools: list[ToolDefinition]
    """The tools the model may call."""
    allow_text_result: bool
    """Whether a text answer ends the run."""
    result_tools: list[ToolDefinition]
    """The tools whose call is the structured result."""
    model_settings: ModelSettings | None
    """The settings of the request."""
    model_request_parameters: ModelRequestParameters | None = None
    """The request's parameters as the model received them (output mode, native schema, ...)."""


@dataclass
class DeltaToolCall:
    """A fragment of a streamed tool call."""

    name: str | None = None
    """Text to add to the tool's name."""
    json_args: str | None = None
    """A fragment of the JSON arguments."""
    tool_call_id: str | None = None
    """The call's id."""


DeltaToolCalls: TypeAlias = dict[int, DeltaToolCall]
"""Fragments of tool calls, keyed by the call's index in the response."""

FunctionDef: TypeAlias = Callable[[list[ModelMessage], AgentInfo], ModelResponse | Awaitable[ModelResponse]]
"""Computes a non-streamed response from the conversation and the request's offer."""

StreamFunctionDef: TypeAlias = Callable[[list[ModelMessage], AgentInfo], AsyncIterator[str | DeltaToolCalls]]
"""Computes a streamed response: yields text deltas or tool-call deltas."""


class FunctionModel(Model):
    """A model that answers by calling your Python function (`function`, and `stream_function` for streams)."""

    is_local: ClassVar[bool] = True
    """Answers in-process, so `ALLOW_MODEL_REQUESTS = False` does not block it."""

    def __init__(
        self,
        function: FunctionDef | None = None,
        *,
        stream_function: StreamFunctionDef | None = None,
        model_name: str | None = None,
    ) -> None:
        """Build the model; give `function`, `stream_function` or both.

        Raises:
            InvalidArgumentsError: neither function is given (a `UserError` and a `TypeError`).
        """
        if function is None and stream_function is None:
            raise InvalidArgumentsError(
                'Either `function` or `stream_function` must be provided: pass `FunctionModel(function)` for '
                'non-streamed requests, `FunctionModel(stream_function=...)` for streamed ones, or both.'
            )
        self.function = function
        self.stream_function = stream_function
        # `function:<function's name>:<stream function's name>`, a name left empty when absent (the original's).
        names = [getattr(f, '__name__', 'function') if f is not None else '' for f in (function, stream_function)]
        self._model_name = model_name or f'function:{names[0]}:{names[1]}'

    def __repr__(self) -> str:
        return f'FunctionModel(model_name={self._model_name!r})'

    async def _request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Call `function` and return its response, with an estimated usage."""
        if self.function is None:
            raise UserError('This FunctionModel has no `function` for non-streamed requests; pass one.')
        info = _agent_info(model_settings, model_request_parameters)
        answer = self.function(list(messages), info)
        response = await answer if inspect.isawaitable(answer) else answer
        if not isinstance(response, ModelResponse):
            raise UserError(f'The FunctionModel function must return a ModelResponse, got {type(response).__name__}.')
        usage = estimate_usage([*messages, response])
        response.usage = usage
        if response.model_name is None:
            response.model_name = self._model_name
        return response, usage

    async def _request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> StreamedResponse:
        """Call `stream_function` and stream what it yields."""
        if self.stream_function is None:
            raise UserError('This FunctionModel has no `stream_function` for streamed requests; pass one.')
        info = _agent_info(model_settings, model_request_parameters)
        return FunctionStreamedResponse(
            model_name=self._model_name, deltas=self.stream_function(list(messages), info), messages=messages
        )

    @property
    def model_name(self) -> str:
        """`function:<function's name>:<stream function's name>` unless a name was given."""
        return self._model_name

    @property
    def system(self) -> str:
        """Always `'function'`."""
        return 'function'


def _agent_info(settings: ModelSettings | None, params: ModelRequestParameters) -> AgentInfo:
    return AgentInfo(params.function_tools, params.allow_text_result, params.result_tools, settings, params)


@dataclass(kw_only=True)
class FunctionStreamedResponse(StreamedResponse):
    """The stream of a `FunctionModel`: the stream function's deltas as parts-manager events."""

    deltas: AsyncIterator[str | DeltaToolCalls]
    """What the stream function yields: text deltas, and tool-call deltas by index."""
    messages: Sequence[ModelMessage] = ()
    """The conversation, for the usage estimate."""
    _estimate: Usage = field(default_factory=Usage, init=False, repr=False)

    def __post_init__(self) -> None:
        self._estimate = estimate_usage(self.messages)
        self.report_usage(self._estimate)

    async def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        """The stream function's deltas as events, counting tokens as they go.

        Raises:
            EmptyStreamError: the stream function yielded nothing (a `UserError` and a `ValueError`).
        """
        empty = True
        async for item in self.deltas:
            empty = False
            if isinstance(item, str):
                self._add_response_tokens(item)
                for event in self.parts_manager.handle_text_delta(vendor_part_id='content', content=item):
                    yield event
            else:
                for index, delta in item.items():
                    if delta.json_args:
                        self._add_response_tokens(delta.json_args)
                    for event in self.parts_manager.handle_tool_call_delta(
                        vendor_part_id=index,
                        tool_name=delta.name,
                        args=delta.json_args,
                        tool_call_id=delta.tool_call_id,
                    ):
                        yield event
        if empty:
            raise EmptyStreamError(
                "Stream function must return at least one item: make the FunctionModel's stream function yield "
                'text deltas (`str`) or `DeltaToolCalls`.'
            )
        self.finish_reason = 'tool_call' if any(isinstance(p, ToolCallPart) for p in self.get().parts) else 'stop'

    def _add_response_tokens(self, text: str) -> None:
        # The estimate is the response's running total: reported whole each time (the latest report wins).
        tokens = estimate_string_tokens(text)
        self._estimate.incr(Usage(response_tokens=tokens, total_tokens=tokens))
        self.report_usage(self._estimate)


_WORD_SPLIT = re.compile(r'[\s",.:]+')

# Providers add a few dozen tokens of framing to every request; the estimate adds the same.
_REQUEST_OVERHEAD_TOKENS = 50


def estimate_usage(messages: Iterable[ModelMessage]) -> Usage:
    """A rough, deterministic usage for a conversation: words in the requests (plus 50) and in the responses."""
    request_tokens = _REQUEST_OVERHEAD_TOKENS
    response_tokens = 0
    for message in messages:
        if isinstance(message, ModelRequest):
            for request_part in message.parts:
                if isinstance(request_part, (SystemPromptPart, UserPromptPart)):
                    request_tokens += estimate_string_tokens(request_part.content)
                elif isinstance(request_part, ToolReturnPart):
                    request_tokens += estimate_string_tokens(request_part.model_response_str())
                elif isinstance(request_part, RetryPromptPart):
                    request_tokens += estimate_string_tokens(request_part.model_response())
        else:
            for part in message.parts:
                if isinstance(part, (TextPart, ThinkingPart)):
                    response_tokens += estimate_string_tokens(part.content)
                elif isinstance(part, ToolCallPart):
                    response_tokens += 1 + estimate_string_tokens(part.args_as_json_str())
    return Usage(
        requests=1,
        request_tokens=request_tokens,
        response_tokens=response_tokens,
        total_tokens=request_tokens + response_tokens,
    )


def estimate_string_tokens(content: str | Sequence[UserContent]) -> int:
    """About one token per word of text; binary content counts one per byte, URLs count nothing."""
    if not content:
        return 0
    if isinstance(content, str):
        return len(_WORD_SPLIT.split(content.strip()))
    tokens = 0
    for item in content:
        if isinstance(item, str):
            tokens += len(_WORD_SPLIT.split(item.strip()))
        elif isinstance(item, BinaryContent):
            tokens += len(item.data)
    return tokens
