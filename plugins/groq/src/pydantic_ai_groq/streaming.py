"""`GroqStreamedResponse`: Groq's streamed chat-completion chunks as core stream events.

Chunks are read straight from the server-sent events (the core's `pydantic_ai.streaming.iter_sse`) as parsed JSON,
without building an SDK model per chunk. What each chunk can carry, and where it goes:

- `delta.reasoning` (reasoning models, `reasoning_format='parsed'`): a `ThinkingPart`;
- `delta.content`: text; `<think>...</think>` inside it (`reasoning_format='raw'`) is split into thinking and text,
  also when a tag is split across chunks;
- `delta.tool_calls`: tool calls, each on the channel of its `index`, name, id and argument fragments in any split;
- `delta.executed_tools` (compound and gpt-oss server-side tool runs, see `_server_tools`): Groq announces a run
  (its type and arguments, with an empty `search_results`) and sends it again once it has run. The deltas of one
  run are merged by `index`; its `BuiltinToolCallPart` is emitted when its arguments (or results) arrive, its
  `BuiltinToolReturnPart` once its results have arrived (`_server_tools.has_result`), each once, with the content
  the non-streamed answer gives. A run announced but never completed gets its return part, with what arrived, at
  the end of the stream. Reasoning or text that resumes after a built-in tool part starts a new part, so parts
  stay in the order they happened, as in the non-streamed answer;
- `delta.annotations`: citations, collected and attached to the text they cite once the stream has ended (their
  offsets count the whole answer), as a `TextPartDelta` carrying only citations (see `_citations`);
- `finish_reason`, the response `id`, `service_tier`, and usage: usage reported on several chunks (Groq-compatible
  servers send a running total on each) keeps the latest; its timings and a compound answer's
  `x_groq.usage_breakdown` also go to `provider_details`. A chunk's usage is `x_groq.usage`; when that is absent,
  the top-level `usage` (what OpenAI-compatible servers send; Groq's last chunk has repeated `x_groq.usage` there
  since 2025-09). One exception: a chunk whose `x_groq` is null reports no usage, whatever its top-level `usage`.
  Null there says the chunk carries none of Groq's metadata: the original API reads usage from `x_groq` only, and
  groq SDK chunks built with `x_groq=None` (as test doubles build them) count nothing. Groq itself never sends
  `x_groq: null` (none of the real recordings has one), so real streams are not affected.

`iter_chunks` reads the bytes of a sent streamed request; every error while streaming is mapped there, once (the
request's own errors are mapped where it is sent, by the model, as for a request that does not stream). The model
reads the first chunk on opening with `peek`, which puts it back; the response is then one loop over its chunks.

An `event: error` frame ends the stream. For `tool_use_failed` (the model produced a malformed tool call) the
stream ends normally with `finish_reason='error'`: the parts received so far stay, and what the model generated
is added as parts (see `_response.failed_generation_parts`), so the caller can answer with a retry prompt. Any
other error frame raises `ModelAPIError`; parts received before it remain available through `get()`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior
from pydantic_ai.messages import ModelResponseStreamEvent
from pydantic_ai.models import StreamedResponse
from pydantic_ai.ratelimit import Sent
from pydantic_ai.streaming import iter_sse

from ._citations import place_citations
from ._errors import GROQ, is_recoverable, malformed, map_api_errors, stream_error
from ._response import THINK_TAGS, failed_generation_parts, map_finish_reason, map_timings, map_usage
from ._server_tools import executed_tool_parts, has_result
from ._utils import JSON

__all__ = ('GroqStreamedResponse', 'iter_chunks', 'failed_chunks', 'peek')

T = TypeVar('T')

_ABSENT = object()
"""A chunk's `x_groq` when the chunk has none (`x_groq: null` is not the same, see the module's docstring)."""


async def iter_chunks(sent: Sent[httpx.Response], model_name: str, *, provider_name: str) -> AsyncGenerator[JSON, None]:
    """Yield the chunks of a sent streamed request as parsed JSON objects, up to `data: [DONE]`.

    Every error while streaming is mapped here, where the bytes come from, into the `pydantic_ai.exceptions` tree:
    transport errors while reading, bytes that are not UTF-8, malformed frames and `event: error` frames. A
    recoverable failed generation (see `is_recoverable`) in an `event: error` frame is yielded as a last chunk
    `{'error': {...}}`, which the response turns into parts. Closing the generator closes the HTTP response and
    releases the rate limiter's permit.

    Args:
        sent: The streamed request, sent (`GroqModel`'s send path): its response's body is not read yet.
        model_name: The model the request is for, for error messages.
        provider_name: The provider the request goes through, for error messages.

    Raises:
        ModelAPIError: the stream reported an error that is not recoverable.
        ModelConnectionError: the connection was lost (`ModelTimeoutError`: timed out).
        UnexpectedModelBehavior: a frame is not UTF-8 or not a JSON object, or the stream ended without `[DONE]`
            or an error.
    """
    response = sent.response
    try:
        with map_api_errors(model_name, provider_name=provider_name, streaming=True):
            events = iter_sse(response.aiter_bytes())
            try:
                async for event, data in events:
                    if data == '[DONE]':
                        # Read to the end of the body (Groq sends nothing more), so the connection goes back to the
                        # pool instead of being closed half-read.
                        async for _ in events:
                            pass
                        return
                    try:
                        chunk = json.loads(data)
                    except ValueError as exc:
                        raise malformed(
                            model_name, 'a frame that is not JSON', data, provider_name=provider_name, streamed=True
                        ) from exc
                    if not isinstance(chunk, dict):
                        raise malformed(
                            model_name,
                            'a frame that is not a JSON object',
                            data,
                            provider_name=provider_name,
                            streamed=True,
                        )
                    if event == 'error' or ('error' in chunk and 'choices' not in chunk):
                        error = chunk.get('error', chunk)
                        error = error if isinstance(error, dict) else {'message': str(error)}
                        if not is_recoverable(error):
                            raise stream_error(error, model_name, provider_name=provider_name)
                        # Nothing follows an error frame; the failed generation becomes the stream's last parts.
                        yield {'error': error}
                        return
                    yield chunk
            except UnicodeDecodeError as exc:
                problem = f'bytes that are not UTF-8 (at byte {exc.start} of a message)'
                raise malformed(model_name, problem, exc.object, provider_name=provider_name, streamed=True) from exc
            raise malformed(
                model_name,
                'a body that ended without `data: [DONE]`: the connection was closed early and the response may be '
                'incomplete (the parts received so far are available from `get()`)',
                provider_name=provider_name,
                streamed=True,
            )
    finally:
        await response.aclose()
        sent.release()


async def failed_chunks(error: JSON) -> AsyncGenerator[JSON, None]:
    """The chunks of a recoverable failed generation Groq answered with an HTTP error: `{'error': {...}}` alone."""
    yield {'error': error}


class Peeked(AsyncIterator[T]):
    """An async iterator whose first item was taken to look at, and is given again first (see `peek`).

    `aclose()` closes the iterator peeked at, whether or not iteration started.
    """

    def __init__(self, first: T, rest: AsyncGenerator[T, None]) -> None:
        self._first = first
        self._rest = rest
        self._iterator: AsyncGenerator[T, None] | None = None

    def __aiter__(self) -> AsyncIterator[T]:
        if self._iterator is None:
            self._iterator = self._iterate()
        return self._iterator

    def __anext__(self) -> Awaitable[T]:
        return self.__aiter__().__anext__()

    async def _iterate(self) -> AsyncGenerator[T, None]:
        yield self._first
        async for item in self._rest:
            yield item

    async def aclose(self) -> None:
        """Close the iterator peeked at (which closes the HTTP response beneath it), and the iteration if started."""
        if self._iterator is not None:
            await self._iterator.aclose()
        await self._rest.aclose()


async def peek(chunks: AsyncGenerator[T, None]) -> tuple[T | None, Peeked[T] | None]:
    """Take the first item of `chunks`: it, and an iterator giving it again followed by the rest.

    Returns `(None, None)` when `chunks` ends at once. An error of the first item raises here.
    """
    first = await anext(chunks, None)
    if first is None:
        return None, None
    return first, Peeked(first, chunks)


@dataclass(kw_only=True)
class GroqStreamedResponse(StreamedResponse):
    """Implementation of `StreamedResponse` for Groq models.

    Errors while iterating are raised as `pydantic_ai.exceptions` types; the parts received before the error
    stay available through `get()`.
    """

    chunks: AsyncIterator[JSON]
    """Groq's chunks as parsed JSON, errors already mapped (see `iter_chunks`); a recoverable failed generation
    arrives as a last chunk `{'error': {...}}`."""
    provider_name: str | None = 'groq'
    _executed_tools: dict[Any, tuple[int, JSON]] = field(default_factory=dict, init=False, repr=False)
    """Server-side tool runs seen so far, by index: their position among the runs, and their deltas merged."""
    _emitted_tool_parts: set[tuple[str, Any]] = field(default_factory=set, init=False, repr=False)
    """The built-in tool parts emitted so far, as `(part_kind, run index)`."""
    _annotations: list[Any] = field(default_factory=list, init=False, repr=False)
    """Groq's annotations received so far, placed on the text once the stream has ended."""
    _stretch: int = field(default=0, init=False, repr=False)
    _reasoning_id: Hashable = field(default='reasoning', init=False, repr=False)
    """The vendor part id of reasoning; a new one after each built-in tool part, so reasoning resumes as a new part."""
    _content_id: Hashable = field(default='content', init=False, repr=False)
    """The vendor part id of text, renewed like `_reasoning_id`."""

    async def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        """The events of Groq's chunks, in one loop; then the parts manager's closing events."""
        handle = self._handle_chunk
        try:
            async for chunk in self.chunks:
                for event in handle(chunk):
                    yield event
        except ModelAPIError as exc:
            if isinstance(exc.body, dict):
                # An `event: error` frame: what Groq said stays with the partial response too.
                self.provider_details = {**(self.provider_details or {}), 'error': exc.body}
            raise
        for event in self._finish_runs():
            yield event
        for event in self.parts_manager.finish():
            yield event
        for event in self._place_annotations():
            yield event

    def _handle_metadata(self, chunk: JSON) -> None:
        """The response id, Groq's request id, usage (with its timings and breakdown) and service tier of a chunk."""
        if self.provider_response_id is None and isinstance(chunk.get('id'), str):
            self.provider_response_id = chunk['id']
        x_groq = chunk.get('x_groq', _ABSENT)
        usage = None
        if isinstance(x_groq, dict):
            usage = x_groq.get('usage')
            if 'id' in x_groq and 'groq_request_id' not in (self.provider_details or ()):
                self._set_detail('groq_request_id', x_groq['id'])
            breakdown = x_groq.get('usage_breakdown')
            if breakdown is not None:
                self._set_detail('usage_breakdown', breakdown)
        if usage is None and x_groq is not None:
            # The top-level `usage` stands in, except beside `x_groq: null` (see the module's docstring).
            usage = chunk.get('usage')
        if usage is not None:
            self.report_usage(map_usage(usage, requests=0))
            timings = map_timings(usage)
            if timings:
                self._set_detail('timings', timings)
        if chunk.get('service_tier') is not None:
            self._set_detail('service_tier', chunk['service_tier'])

    def _handle_chunk(self, chunk: JSON) -> list[ModelResponseStreamEvent]:
        # Most chunks carry only a delta: look at the metadata only when there is some to read.
        if self.provider_response_id is None or 'x_groq' in chunk or 'usage' in chunk or 'service_tier' in chunk:
            self._handle_metadata(chunk)
        choices = chunk.get('choices')
        if not choices:
            return list(self._handle_error(chunk['error'])) if 'error' in chunk else []
        choice = choices[0] if isinstance(choices, list) else None
        delta = choice.get('delta') if isinstance(choice, dict) else None
        if not isinstance(delta, dict):
            raise self._malformed('a chunk without a `delta`', chunk)
        events: list[ModelResponseStreamEvent] = []
        parts = self.parts_manager
        reasoning = delta.get('reasoning')
        if reasoning:
            events.extend(
                parts.handle_thinking_delta(
                    vendor_part_id=self._reasoning_id,
                    content=self._text(reasoning, 'reasoning'),
                    provider_name=self.provider_name,
                )
            )
        executed = delta.get('executed_tools')
        if executed:
            events.extend(self._handle_executed_tools(executed))
        content = delta.get('content')
        if content:
            events.extend(
                parts.handle_text_delta(
                    vendor_part_id=self._content_id,
                    content=self._text(content, 'content'),
                    thinking_tags=THINK_TAGS,
                    provider_name=self.provider_name,
                )
            )
        tool_calls = delta.get('tool_calls')
        if tool_calls:
            events.extend(self._handle_tool_calls(tool_calls))
        annotations = delta.get('annotations')
        if annotations:
            if not isinstance(annotations, list):
                raise self._malformed('`annotations` that is not a list', annotations)
            self._annotations.extend(annotations)
        raw_finish = choice.get('finish_reason')  # type: ignore[union-attr]
        if raw_finish is not None:
            self.finish_reason = map_finish_reason(raw_finish)
            self.provider_details = {**(self.provider_details or {}), 'finish_reason': raw_finish}
        return events

    def _handle_tool_calls(self, tool_calls: Any) -> list[ModelResponseStreamEvent]:
        if not isinstance(tool_calls, list):
            raise self._malformed('`tool_calls` that is not a list', tool_calls)
        events: list[ModelResponseStreamEvent] = []
        for call in tool_calls:
            if not isinstance(call, dict):
                raise self._malformed('a tool call that is not an object', call)
            function = call.get('function')
            if function is not None and not isinstance(function, dict):
                raise self._malformed('a tool call whose `function` is not an object', call)
            name = function.get('name') if function else None
            args = function.get('arguments') if function else None
            call_id = call.get('id')
            index = call.get('index')
            if index is not None and not isinstance(index, (int, str)):
                raise self._malformed('`tool_calls[].index` that is not an integer', index)
            events.extend(
                self.parts_manager.handle_tool_call_delta(
                    vendor_part_id=index,
                    tool_name=self._text(name, 'tool_calls[].function.name') if name else None,
                    args=args
                    if args is None or isinstance(args, dict)
                    else self._text(args, 'tool_calls[].function.arguments'),
                    tool_call_id=self._text(call_id, 'tool_calls[].id') if call_id else None,
                )
            )
        return events

    def _set_detail(self, key: str, value: Any) -> None:
        self.provider_details = {**(self.provider_details or {}), key: value}

    def _handle_executed_tools(self, executed: Any) -> list[ModelResponseStreamEvent]:
        if not isinstance(executed, list):
            raise self._malformed('`executed_tools` that is not a list', executed)
        events: list[ModelResponseStreamEvent] = []
        for tool in executed:
            if not isinstance(tool, dict):
                raise self._malformed('an executed tool that is not an object', tool)
            # A later delta of a run may repeat the whole entry or carry only some fields: merge by index.
            index = tool.get('index', len(self._executed_tools))
            seen = self._executed_tools.get(index)
            if seen is None:
                position, whole = len(self._executed_tools), tool
            else:
                position, whole = seen[0], {**seen[1], **{k: v for k, v in tool.items() if v is not None}}
            self._executed_tools[index] = (position, whole)
            done = has_result(whole)
            if done or whole.get('arguments') is not None:
                events.extend(self._emit_run(index, position, whole, with_result=done))
        return events

    def _emit_run(self, index: Any, position: int, tool: JSON, *, with_result: bool) -> list[ModelResponseStreamEvent]:
        """The run's call part (once), and its return part (once) when `with_result`."""
        call, result = executed_tool_parts(tool, position, self.provider_name or 'groq')
        events: list[ModelResponseStreamEvent] = []
        for part in (call, result) if with_result else (call,):
            key = (part.part_kind, index)
            if key in self._emitted_tool_parts:
                continue
            self._emitted_tool_parts.add(key)
            events.extend(self.parts_manager.handle_part(vendor_part_id=None, part=part))
            # Reasoning or text that resumes after a built-in tool is a new part, as in the non-streamed order.
            self._stretch += 1
            self._reasoning_id = ('reasoning', self._stretch)
            self._content_id = ('content', self._stretch)
        return events

    def _finish_runs(self) -> Iterator[ModelResponseStreamEvent]:
        """The return parts of runs announced but never completed, with what arrived: every run is a pair."""
        for index, (position, tool) in self._executed_tools.items():
            if ('builtin-tool-return', index) not in self._emitted_tool_parts:
                yield from self._emit_run(index, position, tool, with_result=True)

    def _place_annotations(self) -> Iterator[ModelResponseStreamEvent]:
        """The citations of the whole answer, on the text parts they cite (see `_citations`)."""
        if not self._annotations:
            return
        placed, left = place_citations(
            self.parts_manager.get_parts(),
            self._annotations,
            self.model_name,
            provider_name=self.provider_name or GROQ,
            streamed=True,
        )
        for index, citations in placed.items():
            yield from self.parts_manager.handle_citations(index=index, citations=citations)
        if left:
            self._set_detail('annotations', left)

    def _handle_error(self, error: JSON) -> Iterator[ModelResponseStreamEvent]:
        """The parts of a recoverable failed generation (the only error `iter_chunks` yields)."""
        self.provider_details = {**(self.provider_details or {}), 'error': error}
        self.provider_details.setdefault('finish_reason', None)
        self.finish_reason = 'error'
        parts = self.parts_manager
        for part in failed_generation_parts(error):
            if part.part_kind == 'tool-call':
                yield from parts.handle_tool_call_part(
                    vendor_part_id=None, tool_name=part.tool_name, args=part.args, tool_call_id=part.tool_call_id
                )
            elif part.part_kind == 'text':
                yield from parts.handle_text_delta(vendor_part_id='failed_generation', content=part.content)

    def _malformed(self, problem: str, payload: object) -> UnexpectedModelBehavior:
        """The error for a chunk of the wrong shape, naming the provider that streamed it (see `malformed`)."""
        return malformed(self.model_name, problem, payload, provider_name=self.provider_name or GROQ, streamed=True)

    def _text(self, value: Any, field_name: str) -> str:
        if isinstance(value, str):
            return value
        raise self._malformed(f'`{field_name}` that is not a string', repr(value))

    async def aclose(self) -> None:
        """Stop the event iterator and the chunk iterator beneath it (which closes the HTTP response)."""
        await super().aclose()
        aclose = getattr(self.chunks, 'aclose', None)
        if aclose is not None:
            await aclose()
