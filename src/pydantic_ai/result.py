"""What an agent run returns: `RunResult` (after `run`/`run_sync`) and `StreamedRunResult` (inside `run_stream`)."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from .exceptions import UnexpectedModelBehavior
from .messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
)
from .usage import Usage, UsageLimits

if TYPE_CHECKING:
    from .models import StreamedResponse

__all__ = ('RunResult', 'StreamedRunResult', 'FinalResult')

ResultDataT = TypeVar('ResultDataT', default=str, covariant=True)


@dataclass
class FinalResult(Generic[ResultDataT]):
    """A run's validated result and the result tool call that carried it (`None`, `None` for a text result)."""

    data: ResultDataT
    """The validated result."""
    tool_name: str | None = None
    """The result tool's name; `None` for text."""
    tool_call_id: str | None = None
    """The id of the result tool call; `None` for text."""


def _dump_json(messages: list[ModelMessage]) -> bytes:
    from .messages import ModelMessagesTypeAdapter

    return ModelMessagesTypeAdapter.dump_json(messages)


class _MessagesMixin:
    """The message accessors of both results; they hold the run's messages and where this run's begin."""

    _all_messages: list[ModelMessage]
    _new_message_index: int

    def _messages_with_result_return(self, content: str) -> list[ModelMessage]:
        raise NotImplementedError('Setting result tool return content is not supported for this result type.')

    def all_messages(self, *, result_tool_return_content: str | None = None) -> list[ModelMessage]:
        """The whole conversation: the history passed in, and the messages of this run.

        Args:
            result_tool_return_content: If set, a copy of the messages in which the result tool's return (the
                last message's `'Final result processed.'`) says this instead: to continue the conversation with
                your own answer to the result tool call.

        Raises:
            ValueError: `result_tool_return_content` is set but the result was text (there is no result tool call).
            LookupError: the last message answers no call of the result tool.
        """
        if result_tool_return_content is not None:
            return self._messages_with_result_return(result_tool_return_content)
        return list(self._all_messages)

    def new_messages(self, *, result_tool_return_content: str | None = None) -> list[ModelMessage]:
        """The messages of this run only (pass them as `message_history` to continue the conversation).

        `result_tool_return_content` as for `all_messages()`.
        """
        return self.all_messages(result_tool_return_content=result_tool_return_content)[self._new_message_index :]

    def all_messages_json(self, *, result_tool_return_content: str | None = None) -> bytes:
        """`all_messages()` as JSON (`ModelMessagesTypeAdapter` reads it back)."""
        return _dump_json(self.all_messages(result_tool_return_content=result_tool_return_content))

    def new_messages_json(self, *, result_tool_return_content: str | None = None) -> bytes:
        """`new_messages()` as JSON."""
        return _dump_json(self.new_messages(result_tool_return_content=result_tool_return_content))


@dataclass
class RunResult(_MessagesMixin, Generic[ResultDataT]):
    """The result of a finished agent run."""

    _all_messages: list[ModelMessage]
    _new_message_index: int
    data: ResultDataT
    """The validated result."""
    _result_tool_name: str | None = None
    _usage: Usage = field(default_factory=Usage)

    @property
    def output(self) -> ResultDataT:
        """The validated result (the newer name of `data`)."""
        return self.data

    def usage(self) -> Usage:
        """The usage of the whole run, summed over its requests."""
        return self._usage

    def _messages_with_result_return(self, content: str) -> list[ModelMessage]:
        if not self._result_tool_name:
            raise ValueError('Cannot set result tool return content when the return type is `str`.')
        messages = copy.deepcopy(self._all_messages)
        last = messages[-1] if messages else None
        if isinstance(last, ModelRequest):
            for part in last.parts:
                if isinstance(part, ToolReturnPart) and part.tool_name == self._result_tool_name:
                    part.content = content
                    return messages
        raise LookupError(f'No tool call found with tool name {self._result_tool_name!r}.')


class StreamedRunResult(_MessagesMixin, Generic[ResultDataT]):
    """The result of `agent.run_stream()`, whose final response is still streaming in.

    Read it once, with one of `stream()`, `stream_text()`, `stream_structured()` or `get_data()`; the run's
    messages and usage are complete when `is_complete` is true (until then `all_messages()` does not end with the
    final response).
    """

    def __init__(
        self,
        *,
        messages: list[ModelMessage],
        new_message_index: int,
        stream: StreamedResponse,
        run_usage: Usage,
        is_text: bool,
        allows_text: bool | None = None,
        usage_limits: UsageLimits | None = None,
        validate: Callable[[ModelResponse, bool], Awaitable[Any]],
        on_complete: Callable[[ModelResponse], Awaitable[None]],
    ) -> None:
        self._all_messages = messages
        self._new_message_index = new_message_index
        self._stream = stream
        self._run_usage = run_usage
        self._is_text = is_text
        self._allows_text = is_text if allows_text is None else allows_text
        self._usage_limits = usage_limits if usage_limits is not None and usage_limits.has_token_limits() else None
        self._validate = validate
        self._on_complete = on_complete
        self.is_complete = False
        """Whether the stream has ended and the run's messages include the final response."""

    def usage(self) -> Usage:
        """The run's usage so far, including what the streaming response has reported."""
        if self.is_complete:
            return self._run_usage
        return self._run_usage + self._stream.usage()

    async def stream(self, *, debounce_by: float | None = 0.1) -> AsyncIterator[ResultDataT]:
        """The result as it grows, one value per `stream_structured()` step (the last one complete and validated).

        As in the original API, the complete result comes once more at the end, even when it equals the last
        partial value (its tests pin `['The cat sat on the mat.', 'The cat sat on the mat.']` for a text answer
        arriving in one group). Use `stream_output()` to get each value once. Partial structured values that do
        not validate yet are skipped (the original API raised on them).
        """
        async for response, is_last in self.stream_structured(debounce_by=debounce_by):
            try:
                value = await self._validate(response, not is_last)
            except _PARTIAL_ERRORS:
                if is_last:
                    raise
                continue
            yield value

    async def stream_output(self, *, debounce_by: float | None = 0.1) -> AsyncIterator[ResultDataT]:
        """The result as it grows, each value once; the last value yielded is the complete, validated result.

        Like `stream()`, but the complete result is not repeated when it equals the last partial value yielded
        (it is yielded when the result validators or the final validation change it).
        """
        last: list[ResultDataT] = []
        async for response, is_last in self.stream_structured(debounce_by=debounce_by):
            try:
                value = await self._validate(response, not is_last)
            except _PARTIAL_ERRORS:
                if is_last:
                    raise
                continue
            if is_last and last and last[0] == value:
                return
            last[:] = [value]
            yield value

    async def stream_text(self, *, delta: bool = False, debounce_by: float | None = 0.1) -> AsyncIterator[str]:
        """The text of the answer: the whole text so far each time (`delta=False`), or only what is new.

        Text arriving within `debounce_by` seconds is yielded together (`None`: every delta on its own). With
        `delta=False` the result validators run on each text yielded.

        Raises:
            UserError: the result is structured, not text.
        """
        if not self._allows_text:
            from .exceptions import UserError

            raise UserError('stream_text() can only be used with text responses')
        text = ''
        async for group in _grouped(self._text_deltas(), debounce_by):
            chunk = ''.join(group)
            text += chunk
            yield chunk if delta else await self._validate_text(text)
        await self._complete()

    async def stream_structured(self, *, debounce_by: float | None = 0.1) -> AsyncIterator[tuple[ModelResponse, bool]]:
        """The response as it grows, unvalidated, with whether it is the last one (the stream has ended).

        Yielded once per group of events (`debounce_by` as for `stream_text()`; what the response held already,
        if it has content, counts as the first event), and once more, complete, with `True`. Events that arrive
        while the response has no content yet (text, or a tool call's arguments) are not counted: a tool call
        whose name alone has arrived has nothing to show, as in the original API, whose parts started only
        with their arguments.
        """
        async for _ in _grouped(self._changes(), debounce_by):
            yield self._stream.get(), False
        await self._complete()
        yield self._stream.get(), True

    async def validate_structured_result(self, message: ModelResponse, *, allow_partial: bool = False) -> ResultDataT:
        """Validate a response from `stream_structured()` into a result (validators too, unless partial).

        Raises:
            pydantic.ValidationError: the arguments do not (yet) match the result type.
        """
        value: ResultDataT = await self._validate(message, allow_partial)
        return value

    async def get_data(self) -> ResultDataT:
        """Read the stream to its end and return the validated result."""
        async for _ in self._events():
            pass
        await self._complete()
        value: ResultDataT = await self._validate(self._stream.get(), False)
        return value

    def timestamp(self) -> datetime:
        """When the streamed response was made."""
        return self._stream.timestamp

    async def _events(self) -> AsyncIterator[Any]:
        """The stream's events, checking the run's token limits after each when it has any."""
        limits = self._usage_limits
        async for event in aiter(self._stream):
            if limits is not None:
                limits.check_tokens(self.usage())
            yield event
        if limits is not None:  # a stream may report its last usage after its last event
            limits.check_tokens(self.usage())

    async def _read_rest_on_exit(self) -> None:
        """Called by `run_stream` when its block is left without an exception.

        With token limits, the rest of a final response the block did not read is read, so the limits are checked
        on all of it, as the original API did (`UsageLimitExceeded` is then raised from the `async with`). Without
        token limits the rest is left unread: closing the stream stops the download.
        """
        if self.is_complete or self._usage_limits is None:
            return
        async for _ in self._events():
            pass

    async def _changes(self) -> AsyncIterator[Any]:
        current = self._stream.get()
        has_content = any(_has_content(part) for part in current.parts)
        if has_content:
            yield current
        async for event in self._events():
            # Content, once there, stays: each event is looked at only until the first that brings some.
            if has_content or _brings_content(event):
                has_content = True
                yield event

    async def _text_deltas(self) -> AsyncIterator[str]:
        for part in self._stream.get().parts:
            if isinstance(part, TextPart) and part.content:
                yield part.content
        async for event in self._events():
            if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart) and event.part.content:
                yield event.part.content
            elif (
                isinstance(event, PartDeltaEvent)
                and isinstance(event.delta, TextPartDelta)
                and event.delta.content_delta
            ):
                yield event.delta.content_delta

    async def _validate_text(self, text: str) -> str:
        response = ModelResponse(parts=[TextPart(text)])
        value: str = await self._validate(response, False)
        return value

    async def _complete(self) -> None:
        if not self.is_complete:
            self.is_complete = True
            await self._on_complete(self._stream.get())


def _has_content(part: Any) -> bool:
    if isinstance(part, TextPart):
        return bool(part.content)
    if isinstance(part, ToolCallPart):
        return bool(part.args)
    return False


def _brings_content(event: Any) -> bool:
    """Whether a stream event gives the response content, in the sense of `_has_content`."""
    if isinstance(event, PartStartEvent):
        return _has_content(event.part)
    if isinstance(event, PartDeltaEvent):
        delta = event.delta
        if isinstance(delta, TextPartDelta):
            return bool(delta.content_delta)
        if isinstance(delta, ToolCallPartDelta):
            return bool(delta.args_delta)
    return False


def _partial_errors() -> tuple[type[Exception], ...]:
    from pydantic import ValidationError

    return (ValidationError, UnexpectedModelBehavior)


_PARTIAL_ERRORS: tuple[type[Exception], ...] = _partial_errors()


async def _grouped(events: AsyncIterator[Any], interval: float | None) -> AsyncIterator[list[Any]]:
    """Group `events` so that a group is yielded at most every `interval` seconds (every event when `None`).

    A group is yielded `interval` seconds after its first event even if no further event arrives, so a stalled
    stream still shows what it has.
    """
    if not interval:
        async for event in events:
            yield [event]
        return
    buffer: list[Any] = []
    started = 0.0
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            timeout = max(0.0, started + interval - time.monotonic()) if buffer else None
            done, _ = await asyncio.wait({pending}, timeout=timeout)
            if not done:
                yield buffer
                buffer = []
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                if buffer:
                    yield buffer
                return
            finally:
                if pending.done():
                    pending = None
            if not buffer:
                started = time.monotonic()
            buffer.append(event)
    finally:
        if pending is not None and not pending.done():
            pending.cancel()


def is_final_part(part: Any, allow_text: bool, result_tool_names: frozenset[str]) -> bool:
    """Whether a streamed part starts the final result: text (when text is a result) or a result tool's call."""
    if isinstance(part, TextPart):
        return allow_text and bool(part.content)
    return isinstance(part, ToolCallPart) and part.tool_name in result_tool_names
