"""Scripted responses: what the test server answers to one request, faults included, and builders for each kind.

A `ScriptedResponse` is immutable and pre-encoded: building it does all the JSON work, so serving it is only
writing bytes. Faults are added with the `with_*` methods, which return a modified copy:

```python
from pydantic_ai_groq.testing import http_error, streamed_text, text_completion

server.enqueue(http_error(503).repeat(2), text_completion('ok'))  # two 503s, then a success
server.enqueue(streamed_text(['a', 'b', 'c']).with_frame_delay(0.05).with_reset_after(2))
```
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from . import wire

__all__ = (
    'ScriptedResponse',
    'ToolCall',
    'text_completion',
    'tool_call_completion',
    'json_response',
    'http_error',
    'raw_response',
    'streamed_text',
    'repeated_text_stream',
    'streamed_tool_call',
    'streamed_tool_calls',
    'streamed_error',
    'raw_sse',
    'reset_connection',
    'close_connection',
)

Action = Literal['respond', 'reset', 'close']
"""What the server does once it has read the request: answer, reset the connection, or close it silently."""


@dataclass(frozen=True)
class ScriptedResponse:
    """One scripted answer: status, headers, a body or a list of SSE frames, and the faults to inject.

    Build these with the module's functions (`text_completion()`, `streamed_text()`, `http_error()`, ...) rather
    than directly. Frames are counted from the first SSE frame; a non-streamed body counts as a single frame.
    """

    status: int = 200
    """The HTTP status code."""
    headers: tuple[tuple[str, str], ...] = ()
    """The response headers, in order. `content-length` or `transfer-encoding` is added unless present."""
    body: bytes = b''
    """The body of a non-streamed response."""
    frames: tuple[bytes, ...] | None = None
    """The pre-encoded SSE frames of a streamed response (sent chunked); `None` for a non-streamed one."""
    action: Action = 'respond'
    """`'respond'`; `'reset'` to reset the connection without answering; `'close'` to close it without answering."""
    stall_before_headers: float = 0.0
    """Seconds to wait, after reading the request, before sending anything."""
    frame_delay: float = 0.0
    """Seconds to wait between two frames (a slow stream)."""
    stall_after: tuple[int, float] | None = None
    """`(frames, seconds)`: wait `seconds` after sending that many frames."""
    reset_after: int | None = None
    """Reset the connection (abortive close, SO_LINGER 0) after sending that many frames."""
    close_after: int | None = None
    """Close the connection (orderly, FIN) after sending that many frames, leaving the body incomplete."""
    times: int = 1
    """How many consecutive requests this response answers."""

    @property
    def is_stream(self) -> bool:
        """Whether the response is an SSE stream."""
        return self.frames is not None

    @property
    def frame_count(self) -> int:
        """The number of frames: SSE frames for a stream, 1 for a non-streamed body."""
        return len(self.frames) if self.frames is not None else 1

    def with_headers(self, headers: Mapping[str, str]) -> ScriptedResponse:
        """A copy with `headers` set, replacing headers of the same names (case-insensitive)."""
        names = {name.lower() for name in headers}
        kept = tuple((name, value) for name, value in self.headers if name.lower() not in names)
        return dataclasses.replace(self, headers=kept + tuple((name.lower(), v) for name, v in headers.items()))

    def with_stall(self, seconds: float) -> ScriptedResponse:
        """A copy that waits `seconds` before sending the status line (a server slow to answer)."""
        return dataclasses.replace(self, stall_before_headers=_seconds(seconds))

    def with_stall_after(self, frames: int, seconds: float) -> ScriptedResponse:
        """A copy that sends the headers and `frames` frames, then waits `seconds` (a stream that stalls)."""
        return dataclasses.replace(self, stall_after=(_count(frames), _seconds(seconds)))

    def with_frame_delay(self, seconds: float) -> ScriptedResponse:
        """A copy that waits `seconds` between frames: a slow stream, for cancellation and disconnect tests."""
        return dataclasses.replace(self, frame_delay=_seconds(seconds))

    def with_reset_after(self, frames: int) -> ScriptedResponse:
        """A copy that resets the connection (RST) after the headers and `frames` frames."""
        return dataclasses.replace(self, reset_after=_count(frames))

    def with_close_after(self, frames: int) -> ScriptedResponse:
        """A copy that closes the connection (FIN) after the headers and `frames` frames: a truncated body."""
        return dataclasses.replace(self, close_after=_count(frames))

    def repeat(self, times: int) -> ScriptedResponse:
        """A copy that answers the next `times` requests (for retry tests: `http_error(503).repeat(2)`)."""
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ValueError(f'times must be an integer >= 1, got {times!r}')
        return dataclasses.replace(self, times=times)


@dataclass(frozen=True)
class ToolCall:
    """A tool call the scripted model makes."""

    name: str
    """The tool's name."""
    arguments: str | Mapping[str, Any] = '{}'
    """The arguments: a JSON string sent as is (valid or not), or a mapping encoded as JSON."""
    id: str | None = None
    """The call's id; a fresh, unique one (`wire.new_tool_call_id()`) for each response built when `None`."""

    def arguments_json(self) -> str:
        """The arguments as the string Groq sends."""
        return self.arguments if isinstance(self.arguments, str) else wire.encode_json(self.arguments).decode()

    def wire_id(self) -> str:
        """The id to send for this call: `id`, else a fresh one, so no two scripted calls share an id."""
        return self.id if self.id is not None else wire.new_tool_call_id()


def _seconds(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f'seconds must be a finite number >= 0, got {value!r}')
    return float(value)


def _count(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f'frames must be an integer >= 0, got {value!r}')
    return value


def _merge(base: list[tuple[str, str]], extra: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    if not extra:
        return tuple(base)
    names = {name.lower() for name in extra}
    return tuple((n, v) for n, v in base if n not in names) + tuple((n.lower(), v) for n, v in extra.items())


def json_response(
    body: object, *, status: int = 200, headers: Mapping[str, str] | None = None, request_id: str | None = None
) -> ScriptedResponse:
    """Any JSON body, with Groq's headers: for bodies that are valid JSON but not a valid completion.

    Args:
        body: Encoded as compact JSON.
        status: The HTTP status.
        headers: Extra headers, replacing defaults of the same name.
        request_id: The `x-request-id` header; taken from `body['x_groq']['id']` when there is one, else fresh.
    """
    if request_id is None:
        x_groq = body.get('x_groq') if isinstance(body, Mapping) else None
        found = x_groq.get('id') if isinstance(x_groq, Mapping) else None
        request_id = found if isinstance(found, str) else wire.new_request_id()
    return ScriptedResponse(
        status=status, headers=_merge(wire.json_headers(request_id), headers), body=wire.encode_json(body)
    )


def text_completion(
    content: str = 'Hello from the Groq test server.',
    *,
    model: str = wire.DEFAULT_MODEL,
    finish_reason: str = 'stop',
    prompt_tokens: int = 10,
    completion_tokens: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A non-streamed completion whose message is `content`.

    Args:
        content: The assistant's text.
        model: The model name reported.
        finish_reason: The choice's finish reason (anything, to test unknown values).
        prompt_tokens: Reported in `usage`.
        completion_tokens: Reported in `usage`; by default the number of words of `content`.
        headers: Extra headers.
    """
    body = wire.chat_completion(
        content,
        model=model,
        finish_reason=finish_reason,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    return json_response(body, headers=headers)


def tool_call_completion(
    *calls: ToolCall,
    content: str | None = None,
    model: str = wire.DEFAULT_MODEL,
    finish_reason: str = 'tool_calls',
    prompt_tokens: int = 10,
    completion_tokens: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A non-streamed completion whose message calls `calls` (and says `content`, if given).

    Args:
        *calls: The tool calls, in order.
        content: Text alongside the calls; by default the message has no `content` key, as on Groq.
        model: The model name reported.
        finish_reason: The choice's finish reason.
        prompt_tokens: Reported in `usage`.
        completion_tokens: Reported in `usage`.
        headers: Extra headers.
    """
    if not calls:
        raise ValueError('tool_call_completion() needs at least one ToolCall')
    tool_calls = [wire.tool_call(call.wire_id(), call.name, call.arguments_json()) for call in calls]
    body = wire.chat_completion(
        content,
        tool_calls=tool_calls,
        model=model,
        finish_reason=finish_reason,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )
    return json_response(body, headers=headers)


# Groq's error `type`, `code` and message for the statuses tests script most.
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ('invalid_request_error', None, 'Bad request.'),
    401: ('invalid_request_error', 'invalid_api_key', 'Invalid API Key'),
    404: ('invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'),
    413: ('invalid_request_error', 'request_too_large', 'Request Entity Too Large'),
    429: (
        'tokens',
        'rate_limit_exceeded',
        'Rate limit reached for model on tokens per minute (TPM): Limit 6000, Used 5981, Requested 717. '
        'Please try again in a moment.',
    ),
    500: ('internal_server_error', 'internal_server_error', 'Internal Server Error'),
    502: ('internal_server_error', 'bad_gateway', 'Bad Gateway'),
    503: ('internal_server_error', 'service_unavailable', 'Service Unavailable'),
}


def http_error(
    status: int,
    message: str | None = None,
    *,
    error_type: str | None = None,
    code: str | None = None,
    retry_after: float | str | None = None,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """An HTTP error with Groq's error body `{"error": {"message", "type", "code"}}`.

    Args:
        status: The HTTP status (4xx or 5xx).
        message: The error message; a Groq-like one for the status by default.
        error_type: The error's `type`; Groq's for the status by default.
        code: The error's `code`; Groq's for the status by default.
        retry_after: Sent as the `retry-after` header (seconds; the groq SDK honours values in (0, 60]).
        headers: Extra headers.
    """
    default_type, default_code, default_message = _ERRORS.get(
        status, ('internal_server_error' if status >= 500 else 'invalid_request_error', None, 'Error')
    )
    body = wire.error_body(
        message if message is not None else default_message,
        error_type=error_type or default_type,
        code=code if code is not None else default_code,
    )
    extra = dict(headers or {})
    if retry_after is not None:
        extra.setdefault('retry-after', str(retry_after))
    return json_response(body, status=status, headers=extra)


def raw_response(
    body: bytes | str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    content_type: str = 'application/json',
) -> ScriptedResponse:
    """Any bytes as the body (invalid JSON, non-UTF-8, truncated...), with Groq's headers.

    Args:
        body: The body; a `str` is encoded as UTF-8.
        status: The HTTP status.
        headers: Extra headers; a `content-length` given here is sent as is, even if wrong.
        content_type: The `content-type` header.
    """
    base = wire.json_headers(wire.new_request_id())
    base[0] = ('content-type', content_type)
    return ScriptedResponse(
        status=status, headers=_merge(base, headers), body=body.encode() if isinstance(body, str) else body
    )


def _stream(
    frames: list[bytes], request_id: str, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> ScriptedResponse:
    return ScriptedResponse(status=status, headers=_merge(wire.sse_headers(request_id), headers), frames=tuple(frames))


def streamed_text(
    chunks: Iterable[str],
    *,
    model: str = wire.DEFAULT_MODEL,
    finish_reason: str = 'stop',
    prompt_tokens: int = 10,
    completion_tokens: int | None = None,
    done: bool = True,
    headers: Mapping[str, str] | None = None,
    include_usage: bool = False,
) -> ScriptedResponse:
    """A streamed completion: a role chunk, one chunk per text in `chunks`, a usage chunk, `[DONE]`.

    Args:
        chunks: The text deltas, in order.
        model: The model name reported.
        finish_reason: The last chunk's finish reason.
        prompt_tokens: Reported in the last chunk's `x_groq.usage`.
        completion_tokens: Reported likewise; by default the number of chunks.
        done: Whether to end with `data: [DONE]`.
        headers: Extra headers.
        include_usage: Also report the usage in the last chunk's top-level `usage` (what a request with
            `stream_options: {"include_usage": true}` gets).
    """
    encoder = wire.ChunkEncoder(model=model)
    frames = [encoder.first()]
    frames.extend(encoder.contents(chunks))
    count = len(frames) - 1
    completion = count if completion_tokens is None else completion_tokens
    frames.append(encoder.last(finish_reason, prompt_tokens, completion, include_usage=include_usage))
    if done:
        frames.append(wire.DONE_FRAME)
    return _stream(frames, encoder.request_id, headers=headers)


def repeated_text_stream(
    count: int, chunk: str = 'token ', *, model: str = wire.DEFAULT_MODEL, done: bool = True
) -> ScriptedResponse:
    """A large streamed completion made cheaply: `count` chunks that all say `chunk` (one frame, encoded once).

    The assembled text is `chunk * count`.
    """
    encoder = wire.ChunkEncoder(model=model)
    frame = encoder.content(chunk)
    frames = [encoder.first(), *([frame] * _count(count)), encoder.last('stop', 10, count)]
    if done:
        frames.append(wire.DONE_FRAME)
    return _stream(frames, encoder.request_id)


def _split(text: str, pieces: int) -> list[str]:
    if pieces < 1:
        raise ValueError(f'fragments must be >= 1, got {pieces!r}')
    if not text:
        return [''] * pieces
    size = -(-len(text) // pieces)
    parts = [text[i : i + size] for i in range(0, len(text), size)]
    return parts + [''] * (pieces - len(parts))


def streamed_tool_calls(
    *calls: ToolCall,
    fragments: int = 1,
    text_before: Sequence[str] = (),
    model: str = wire.DEFAULT_MODEL,
    finish_reason: str = 'tool_calls',
    done: bool = True,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A streamed completion calling `calls` one after the other, each call's arguments in `fragments` pieces.

    Each call opens with a delta carrying its `index`, `id`, `type: function`, `name` and `arguments: ''`;
    the following deltas carry only the `index` and an argument fragment.

    Args:
        *calls: The tool calls; the n-th gets index n.
        fragments: How many deltas each call's arguments are split into (empty fragments pad short arguments).
        text_before: Text deltas sent before the calls.
        model: The model name reported.
        finish_reason: The last chunk's finish reason.
        done: Whether to end with `data: [DONE]`.
        headers: Extra headers.
    """
    encoder = wire.ChunkEncoder(model=model)
    frames = [encoder.first(), *encoder.contents(text_before)]
    for index, call in enumerate(calls):
        opening = wire.tool_call_delta(index, call_id=call.wire_id(), name=call.name, arguments='')
        frames.append(encoder.frame({'tool_calls': [opening]}))
        for fragment in _split(call.arguments_json(), fragments):
            frames.append(encoder.frame({'tool_calls': [wire.tool_call_delta(index, arguments=fragment)]}))
    frames.append(encoder.last(finish_reason, 10, len(frames)))
    if done:
        frames.append(wire.DONE_FRAME)
    return _stream(frames, encoder.request_id, headers=headers)


def streamed_tool_call(
    name: str,
    arguments: str | Mapping[str, Any] = '{}',
    *,
    fragments: int = 1,
    call_id: str | None = None,
    text_before: Sequence[str] = (),
    model: str = wire.DEFAULT_MODEL,
    done: bool = True,
) -> ScriptedResponse:
    """A streamed completion calling one tool, its arguments arriving in `fragments` pieces.

    Args:
        name: The tool's name.
        arguments: A JSON string sent as is (valid or not), or a mapping encoded as JSON.
        fragments: How many argument deltas follow the opening delta.
        call_id: The call's id; a fresh, unique one by default.
        text_before: Text deltas sent before the call.
        model: The model name reported.
        done: Whether to end with `data: [DONE]`.
    """
    call = ToolCall(name, arguments, call_id)
    return streamed_tool_calls(call, fragments=fragments, text_before=text_before, model=model, done=done)


def streamed_error(
    message: str = 'Tool call validation failed: parameters for tool did not match schema',
    *,
    code: str | None = 'tool_use_failed',
    error_type: str = 'invalid_request_error',
    status_code: int = 400,
    failed_generation: str | None = None,
    text_before: Sequence[str] = (),
    model: str = wire.DEFAULT_MODEL,
) -> ScriptedResponse:
    """A stream that fails midway the way Groq's do: status 200, some chunks, then an `event: error` frame.

    As on Groq, nothing follows the error frame (no `[DONE]`).

    Args:
        message: The error's message.
        code: The error's `code`.
        error_type: The error's `type`.
        status_code: The `status_code` Groq puts inside the error object.
        failed_generation: The model output that failed validation, when there is one.
        text_before: Text deltas sent before the error.
        model: The model name reported.
    """
    encoder = wire.ChunkEncoder(model=model)
    extra: dict[str, Any] = {'status_code': status_code}
    if failed_generation is not None:
        extra = {'failed_generation': failed_generation, **extra}
    error = wire.error_body(message, error_type=error_type, code=code, **extra)
    frames = [encoder.first(), *encoder.contents(text_before), wire.encode_sse(error, event='error')]
    return _stream(frames, encoder.request_id)


def raw_sse(
    frames: Iterable[Mapping[str, Any] | str | bytes],
    *,
    done: bool = False,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> ScriptedResponse:
    """A stream of exactly the frames given: for non-JSON frames, missing `[DONE]`, empty streams, odd events.

    Args:
        frames: Each a mapping (sent as `data: <json>`), a `str` holding a frame's lines without the closing blank
            line (e.g. `'data: not json'`, or an `event: error` line and a `data:` line joined by a newline), or
            `bytes` sent verbatim.
        done: Whether to append `data: [DONE]`.
        status: The HTTP status.
        headers: Extra headers.
    """
    encoded: list[bytes] = []
    for frame in frames:
        if isinstance(frame, bytes):
            encoded.append(frame)
        elif isinstance(frame, str):
            encoded.append(frame.encode() + b'\n\n')
        else:
            encoded.append(wire.encode_sse(frame))
    if done:
        encoded.append(wire.DONE_FRAME)
    return _stream(encoded, wire.new_request_id(), status=status, headers=headers)


def reset_connection() -> ScriptedResponse:
    """Reset the connection (abortive close, SO_LINGER 0) right after reading the request, answering nothing."""
    return ScriptedResponse(action='reset')


def close_connection() -> ScriptedResponse:
    """Close the connection (orderly) right after reading the request, answering nothing."""
    return ScriptedResponse(action='close')
