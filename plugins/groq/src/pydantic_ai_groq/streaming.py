"""`GroqStreamedResponse`: Groq's streamed chat-completion chunks as core stream events.

Chunks are read straight from the server-sent events (`_sse.py`) as parsed JSON, without building an SDK model
per chunk. What each chunk can carry, and where it goes:

- `delta.reasoning` (reasoning models, `reasoning_format='parsed'`): a `ThinkingPart`;
- `delta.content`: text; `<think>...</think>` inside it (`reasoning_format='raw'`) is split into thinking and text,
  also when a tag is split across chunks;
- `delta.tool_calls`: tool calls, each on the channel of its `index`, name, id and argument fragments in any split;
- `delta.executed_tools` (compound models): a `BuiltinToolCallPart` and, once its output arrives, a
  `BuiltinToolReturnPart`;
- `finish_reason`, the response `id`, and usage from `x_groq.usage` (or the top-level `usage` when that is absent).

An `event: error` frame ends the stream. For `tool_use_failed` (the model produced a malformed tool call) the
stream ends normally with `finish_reason='error'`: the parts received so far stay, and what the model generated
is added as parts (see `_response.failed_generation_parts`), so the caller can answer with a retry prompt. Any
other error frame raises `ModelAPIError`; parts received before it remain available through `get()`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from typing_extensions import assert_never

from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior
from pydantic_ai.messages import BuiltinToolCallPart, BuiltinToolReturnPart, ModelResponseStreamEvent
from pydantic_ai.models import StreamedResponse

from ._errors import map_api_errors
from ._response import THINK_TAGS, failed_generation_parts, map_executed_tools, map_finish_reason, map_usage
from .model_names import GroqModelName

__all__ = ('GroqStreamedResponse', 'StreamErrorFrame', 'iter_chunks', 'stream_error')

JSON = dict[str, Any]


@dataclass
class StreamErrorFrame:
    """An `event: error` frame (or an HTTP error turned into one): Groq's `error` object."""

    error: JSON


async def iter_chunks(
    events: AsyncIterator[tuple[str, str]], model_name: str
) -> AsyncIterator[JSON | StreamErrorFrame]:
    """The stream's chunks as parsed JSON objects, and error frames, up to `data: [DONE]`.

    Raises:
        UnexpectedModelBehavior: a frame is not a JSON object, or the stream ended without `[DONE]` or an error.
    """
    async for event, data in events:
        if data == '[DONE]':
            # Read to the end of the body (Groq sends nothing more), so the connection goes back to the pool
            # instead of being closed half-read.
            async for _ in events:
                pass
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise UnexpectedModelBehavior(
                f'Groq streamed a frame that is not JSON for model {model_name!r}', data[:1000]
            ) from None
        if not isinstance(chunk, dict):
            raise UnexpectedModelBehavior(
                f'Groq streamed a frame that is not a JSON object for model {model_name!r}', data[:1000]
            )
        if event == 'error' or ('error' in chunk and 'choices' not in chunk):
            error = chunk.get('error', chunk)
            yield StreamErrorFrame(error if isinstance(error, dict) else {'message': str(error)})
            return
        yield chunk
    raise UnexpectedModelBehavior(
        f'The stream for model {model_name!r} ended without `data: [DONE]`: the connection was closed early and the '
        'response may be incomplete (the parts received so far are available from `get()`).'
    )


def stream_error(error: JSON, model_name: str) -> ModelAPIError:
    """The exception for an error frame that is not `tool_use_failed`."""
    message = error.get('message') or json.dumps(error)
    return ModelAPIError(model_name, f'Groq reported an error for model {model_name!r}: {message}', error)


@dataclass
class GroqStreamedResponse(StreamedResponse):
    """Implementation of `StreamedResponse` for Groq models.

    Errors while iterating are raised as `pydantic_ai.exceptions` types; the parts received before the error
    stay available through `get()`.
    """

    _model_name: GroqModelName
    _response: AsyncIterator[JSON | StreamErrorFrame]
    _timestamp: datetime
    _provider_name: str = 'groq'
    _first: JSON | StreamErrorFrame | None = None
    """The first chunk, already read by the model (for the model name and timestamp)."""
    _executed_tools: dict[Any, bool] = field(default_factory=dict, init=False)
    """Executed built-in tools seen so far, by index: whether their result was emitted."""

    def __post_init__(self) -> None:
        self.provider_name = self._provider_name

    async def _get_event_iterator(self) -> AsyncIterator[ModelResponseStreamEvent]:
        parts = self._parts_manager
        with map_api_errors(self._model_name, streaming=True):
            first, self._first = self._first, None
            if isinstance(first, StreamErrorFrame):
                for event in self._handle_error(first.error):
                    yield event
            else:
                if first is not None:
                    for event in self._handle_chunk(first):
                        yield event
                async for chunk in self._response:
                    if isinstance(chunk, StreamErrorFrame):
                        for event in self._handle_error(chunk.error):
                            yield event
                        break
                    for event in self._handle_chunk(chunk):
                        yield event
        for event in parts.finish():
            yield event

    def _handle_chunk(self, chunk: JSON) -> list[ModelResponseStreamEvent]:
        if self.provider_response_id is None and isinstance(chunk.get('id'), str):
            self.provider_response_id = chunk['id']
        x_groq = chunk.get('x_groq')
        usage = None
        if isinstance(x_groq, dict):
            usage = x_groq.get('usage')
            if 'id' in x_groq and 'groq_request_id' not in (self.provider_details or ()):
                self.provider_details = {**(self.provider_details or {}), 'groq_request_id': x_groq['id']}
        if usage is None:
            usage = chunk.get('usage')
        if usage is not None:
            self._usage.incr(map_usage(usage, requests=0))
        choices = chunk.get('choices')
        if not choices:
            return []
        choice = choices[0] if isinstance(choices, list) else None
        delta = choice.get('delta') if isinstance(choice, dict) else None
        if not isinstance(delta, dict):
            raise UnexpectedModelBehavior(
                f'Groq streamed a chunk without a `delta` for model {self._model_name!r}', json.dumps(chunk)[:1000]
            )
        events: list[ModelResponseStreamEvent] = []
        parts = self._parts_manager
        reasoning = delta.get('reasoning')
        if reasoning:
            events.extend(
                parts.handle_thinking_delta(
                    vendor_part_id='reasoning', content=_text(reasoning, 'reasoning'), provider_name=self.provider_name
                )
            )
        executed = delta.get('executed_tools')
        if executed:
            events.extend(self._handle_executed_tools(executed))
        content = delta.get('content')
        if content:
            events.extend(
                parts.handle_text_delta(
                    vendor_part_id='content',
                    content=_text(content, 'content'),
                    thinking_tags=THINK_TAGS,
                    provider_name=self.provider_name,
                )
            )
        tool_calls = delta.get('tool_calls')
        if tool_calls:
            events.extend(self._handle_tool_calls(tool_calls))
        raw_finish = choice.get('finish_reason')  # type: ignore[union-attr]
        if raw_finish is not None:
            self.finish_reason = map_finish_reason(raw_finish)
            self.provider_details = {**(self.provider_details or {}), 'finish_reason': raw_finish}
        return events

    def _handle_tool_calls(self, tool_calls: Any) -> list[ModelResponseStreamEvent]:
        if not isinstance(tool_calls, list):
            raise UnexpectedModelBehavior(
                f'Groq streamed `tool_calls` that is not a list for model {self._model_name!r}', repr(tool_calls)[:1000]
            )
        events: list[ModelResponseStreamEvent] = []
        for call in tool_calls:
            if not isinstance(call, dict):
                raise UnexpectedModelBehavior(
                    f'Groq streamed a tool call that is not an object for model {self._model_name!r}', repr(call)[:1000]
                )
            function = call.get('function')
            if function is not None and not isinstance(function, dict):
                raise UnexpectedModelBehavior(
                    f'Groq streamed a tool call whose `function` is not an object for model {self._model_name!r}',
                    repr(call)[:1000],
                )
            name = function.get('name') if function else None
            args = function.get('arguments') if function else None
            call_id = call.get('id')
            events.extend(
                self._parts_manager.handle_tool_call_delta(
                    vendor_part_id=_hashable(call.get('index'), 'tool_calls[].index'),
                    tool_name=_text(name, 'tool_calls[].function.name') if name else None,
                    args=args
                    if args is None or isinstance(args, dict)
                    else _text(args, 'tool_calls[].function.arguments'),
                    tool_call_id=_text(call_id, 'tool_calls[].id') if call_id else None,
                )
            )
        return events

    def _handle_executed_tools(self, executed: Any) -> list[ModelResponseStreamEvent]:
        events: list[ModelResponseStreamEvent] = []
        built, others = map_executed_tools(executed, self.provider_name or 'groq')
        if others:
            # Groq may announce a tool and report it again with its output: keep one entry per index, the latest.
            details = self.provider_details = dict(self.provider_details or {})
            by_index = {tool.get('index', n): tool for n, tool in enumerate(details.get('executed_tools', ()))}
            for tool in others:
                by_index[tool.get('index', len(by_index))] = tool
            details['executed_tools'] = list(by_index.values())
        for part in built:
            key = part.tool_call_id
            if isinstance(part, BuiltinToolCallPart):
                if key in self._executed_tools:
                    continue
                self._executed_tools[key] = False
            elif isinstance(part, BuiltinToolReturnPart):
                # Groq may announce a tool before it has run it: the result part comes with the output.
                if part.content is None or self._executed_tools.get(key):
                    continue
                self._executed_tools[key] = True
            else:
                assert_never(part)
            events.extend(self._parts_manager.handle_part(vendor_part_id=None, part=part))
        return events

    def _handle_error(self, error: JSON) -> list[ModelResponseStreamEvent]:
        details = dict(self.provider_details or {})
        details['error'] = error
        self.provider_details = details
        if error.get('code') != 'tool_use_failed':
            raise stream_error(error, self._model_name)
        self.finish_reason = 'error'
        details.setdefault('finish_reason', None)
        events: list[ModelResponseStreamEvent] = []
        for part in failed_generation_parts(error):
            if part.part_kind == 'tool-call':
                events.extend(
                    self._parts_manager.handle_tool_call_part(
                        vendor_part_id=None, tool_name=part.tool_name, args=part.args, tool_call_id=part.tool_call_id
                    )
                )
            elif part.part_kind == 'text':
                events.extend(
                    self._parts_manager.handle_text_delta(vendor_part_id='failed_generation', content=part.content)
                )
        return events

    async def aclose(self) -> None:
        """Stop the event iterator and the chunk iterator beneath it."""
        await super().aclose()
        if isinstance(self._response, AsyncGenerator):
            await self._response.aclose()

    @property
    def model_name(self) -> GroqModelName:
        """The name of the model that is answering, as Groq reports it."""
        return self._model_name

    @property
    def timestamp(self) -> datetime:
        """When Groq created the response (its first chunk's `created`)."""
        return self._timestamp


def _text(value: Any, field_name: str) -> str:
    if isinstance(value, str):
        return value
    raise UnexpectedModelBehavior(f'Groq streamed `{field_name}` that is not a string', repr(value)[:1000])


def _hashable(value: Any, field_name: str) -> int | str | None:
    if value is None or isinstance(value, (int, str)):
        return value
    raise UnexpectedModelBehavior(f'Groq streamed `{field_name}` that is not an integer', repr(value)[:1000])
