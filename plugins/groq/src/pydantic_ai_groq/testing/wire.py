"""Groq's chat-completions wire format, as the real API writes it: bodies, stream chunks, SSE frames and headers.

Field order and shapes follow recordings of the real API: a non-streamed body is `id, object, created, model,
choices, usage, system_fingerprint, x_groq`; a stream chunk is `id, object, created, model, system_fingerprint,
choices, x_groq`, the first chunk carrying `x_groq.id` and the last one `x_groq.usage`. JSON is compact and UTF-8.

Everything here returns plain dicts or pre-encoded bytes, so tests can take a correct payload and break exactly the
part they are about.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = (
    'DEFAULT_MODEL',
    'DONE_FRAME',
    'chat_completion',
    'chat_completion_chunk',
    'tool_call',
    'tool_call_delta',
    'error_body',
    'model_list',
    'usage_body',
    'sse_frames',
    'new_completion_id',
    'new_request_id',
    'new_tool_call_id',
    'encode_json',
    'encode_sse',
    'ChunkEncoder',
    'json_headers',
    'sse_headers',
)

DEFAULT_MODEL = 'openai/gpt-oss-120b'
"""The model name scripted responses report unless told otherwise."""

DONE_FRAME = b'data: [DONE]\n\n'
"""The frame that ends every successful Groq stream."""

_SYSTEM_FINGERPRINT = 'fp_groqtest00'
_ULID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

# What Groq sends with every answer; `x-request-id` is added per response.
_RATE_LIMIT_HEADERS: tuple[tuple[str, str], ...] = (
    ('x-ratelimit-limit-requests', '14400'),
    ('x-ratelimit-limit-tokens', '6000'),
    ('x-ratelimit-remaining-requests', '14399'),
    ('x-ratelimit-remaining-tokens', '5987'),
    ('x-ratelimit-reset-requests', '6s'),
    ('x-ratelimit-reset-tokens', '130ms'),
)


def new_completion_id() -> str:
    """A fresh completion id shaped like Groq's: `chatcmpl-<uuid4>`."""
    return f'chatcmpl-{uuid.uuid4()}'


def new_request_id() -> str:
    """A fresh request id shaped like Groq's (`req_` and 26 lowercase Crockford base32 characters)."""
    return 'req_01' + ''.join(secrets.choice(_ULID_ALPHABET) for _ in range(24))


def new_tool_call_id() -> str:
    """A fresh tool call id, `call_` and 24 random lowercase characters: unique, as a conversation needs.

    Groq's own are shorter (`call_` and four characters); the length only makes a clash impossible in practice.
    """
    return 'call_' + ''.join(secrets.choice(_ULID_ALPHABET) for _ in range(24))


def encode_json(value: object) -> bytes:
    """`value` as compact UTF-8 JSON, the way Groq writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(',', ':')).encode()


def encode_sse(data: Mapping[str, Any] | str | bytes, *, event: str | None = None) -> bytes:
    """One server-sent-events frame: an optional `event:` line, a `data:` line, and a blank line.

    Args:
        data: A mapping (sent as compact JSON), or the data line's text as is.
        event: The frame's event name; Groq names only error frames (`event: error`).
    """
    if isinstance(data, Mapping):
        payload = encode_json(data)
    elif isinstance(data, str):
        payload = data.encode()
    else:
        payload = data
    head = b'event: ' + event.encode() + b'\n' if event is not None else b''
    return head + b'data: ' + payload + b'\n\n'


def usage_body(prompt_tokens: int, completion_tokens: int, *, timings: bool = True) -> dict[str, Any]:
    """A Groq `usage` object: token counts and (unless `timings=False`) the timings Groq reports, in Groq's order."""
    if not timings:
        return {
            'prompt_tokens': prompt_tokens,
            'completion_tokens': completion_tokens,
            'total_tokens': prompt_tokens + completion_tokens,
        }
    return {
        'queue_time': 0.012345678,
        'prompt_tokens': prompt_tokens,
        'prompt_time': 0.001234567,
        'completion_tokens': completion_tokens,
        'completion_time': 0.023456789,
        'total_tokens': prompt_tokens + completion_tokens,
        'total_time': 0.024691356,
    }


def chat_completion(
    content: str | None = None,
    *,
    tool_calls: Sequence[Mapping[str, Any]] = (),
    model: str = DEFAULT_MODEL,
    finish_reason: str | None = None,
    prompt_tokens: int = 10,
    completion_tokens: int | None = None,
    completion_id: str | None = None,
    request_id: str | None = None,
    created: int | None = None,
    usage: Mapping[str, Any] | None = None,
    choices: Sequence[Mapping[str, Any]] | None = None,
    reasoning: str | None = None,
    executed_tools: Sequence[Mapping[str, Any]] | None = None,
    annotations: Sequence[Mapping[str, Any]] | None = None,
    usage_breakdown: Mapping[str, Any] | None = None,
    service_tier: str | None = None,
    x_groq_usage: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A non-streamed `chat.completion` body.

    Args:
        content: The assistant's text; with tool calls and no text, the message has no `content` key (as on Groq).
        tool_calls: Complete tool calls, each `{'id', 'type': 'function', 'function': {'name', 'arguments'}}`.
        model: The model name reported.
        finish_reason: Defaults to `'tool_calls'` when there are tool calls, else `'stop'`.
        prompt_tokens: Reported in `usage`.
        completion_tokens: Reported in `usage`; defaults to the number of words of `content` (at least 1).
        completion_id: The `id`; a fresh `chatcmpl-...` by default.
        request_id: `x_groq.id`; a fresh `req_...` by default.
        created: Seconds since the epoch; now by default.
        usage: The `usage` object as is, instead of one built from the token counts.
        choices: The `choices` as is (for example `[]`), instead of one built from the other arguments.
        reasoning: The message's `reasoning` (reasoning models; compound systems write their tool runs in it).
        executed_tools: The message's `executed_tools` (server-side tool runs), as is.
        annotations: The message's `annotations` (citations), as is.
        usage_breakdown: The top-level `usage_breakdown` (a compound answer's usage per model), as is.
        service_tier: The top-level `service_tier` Groq reports (the tier it used).
        x_groq_usage: `x_groq.usage`: Groq's finer cache counters (`dram_cached_tokens`, `sram_cached_tokens`).
    """
    message: dict[str, Any] = {'role': 'assistant'}
    if content is not None or not tool_calls:
        message['content'] = content
    if reasoning is not None:
        message['reasoning'] = reasoning
    if executed_tools is not None:
        message['executed_tools'] = [dict(tool) for tool in executed_tools]
    if annotations is not None:
        message['annotations'] = [dict(annotation) for annotation in annotations]
    if tool_calls:
        message['tool_calls'] = [dict(call) for call in tool_calls]
    if finish_reason is None:
        finish_reason = 'tool_calls' if tool_calls else 'stop'
    if completion_tokens is None:
        completion_tokens = max(1, len((content or '').split()) + len(tool_calls) * 8)
    body: dict[str, Any] = {
        'id': completion_id or new_completion_id(),
        'object': 'chat.completion',
        'created': int(time.time()) if created is None else created,
        'model': model,
        'choices': [{'index': 0, 'message': message, 'logprobs': None, 'finish_reason': finish_reason}]
        if choices is None
        else [dict(choice) for choice in choices],
        'usage': usage_body(prompt_tokens, completion_tokens) if usage is None else dict(usage),
    }
    if usage_breakdown is not None:
        body['usage_breakdown'] = dict(usage_breakdown)
    body['system_fingerprint'] = _SYSTEM_FINGERPRINT
    x_groq: dict[str, Any] = {'id': request_id or new_request_id()}
    if x_groq_usage is not None:
        x_groq['usage'] = dict(x_groq_usage)
    body['x_groq'] = x_groq
    if service_tier is not None:
        body['service_tier'] = service_tier
    return body


def chat_completion_chunk(
    delta: Mapping[str, Any],
    *,
    finish_reason: str | None = None,
    x_groq: Mapping[str, Any] | None = None,
    model: str = DEFAULT_MODEL,
    completion_id: str = 'chatcmpl-00000000-0000-4000-8000-000000000000',
    created: int = 1_700_000_000,
    usage: Mapping[str, Any] | None = None,
    choices: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """One `chat.completion.chunk` of a stream, with a single choice carrying `delta`.

    Args:
        delta: The choice's delta, e.g. `{'content': 'Hel'}` or `{'tool_calls': [...]}`.
        finish_reason: Set on the last chunk with content (`'stop'`, `'tool_calls'`, `'length'`).
        x_groq: Groq's extra object: `{'id': ...}` on the first chunk, `{'id': ..., 'usage': ...}` on the last.
        model: The model name reported.
        completion_id: The `id`, the same on every chunk of a stream.
        created: Seconds since the epoch, the same on every chunk of a stream.
        usage: A top-level `usage` object (Groq sends one on the last chunk next to `x_groq.usage`; some
            Groq-compatible servers send a running total on every chunk).
        choices: The `choices` as is (for example `[]`), instead of one carrying `delta`.
    """
    chunk: dict[str, Any] = {
        'id': completion_id,
        'object': 'chat.completion.chunk',
        'created': created,
        'model': model,
        'system_fingerprint': _SYSTEM_FINGERPRINT,
        'choices': [{'index': 0, 'delta': dict(delta), 'logprobs': None, 'finish_reason': finish_reason}]
        if choices is None
        else [dict(choice) for choice in choices],
    }
    if x_groq is not None:
        chunk['x_groq'] = dict(x_groq)
    if usage is not None:
        chunk['usage'] = dict(usage)
    return chunk


def tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """One complete tool call of a non-streamed message: `{'id', 'type': 'function', 'function': {...}}`."""
    return {'id': call_id, 'type': 'function', 'function': {'name': name, 'arguments': arguments}}


def tool_call_delta(
    index: int, *, call_id: str | None = None, name: str | None = None, arguments: str | None = None
) -> dict[str, Any]:
    """A fragment of a streamed tool call, with only the fields given (the first fragment carries the id and name).

    Args:
        index: The call's position among the message's tool calls; fragments of one call share it.
        call_id: The call's id (with `type: function`), sent once.
        name: The tool's name, sent once.
        arguments: A fragment of the arguments' JSON text.
    """
    delta: dict[str, Any] = {}
    if call_id is not None:
        delta['id'] = call_id
        delta['type'] = 'function'
    function: dict[str, Any] = {}
    if name is not None:
        function['name'] = name
    if arguments is not None:
        function['arguments'] = arguments
    if function:
        delta['function'] = function
    delta['index'] = index
    return delta


def sse_frames(chunks: Iterable[Mapping[str, Any]], *, done: bool = True) -> list[bytes]:
    """The SSE frames of a stream of chunks, ending with `data: [DONE]` unless `done=False`."""
    frames = [encode_sse(chunk) for chunk in chunks]
    if done:
        frames.append(DONE_FRAME)
    return frames


def error_body(
    message: str, *, error_type: str = 'invalid_request_error', code: str | None = None, **extra: Any
) -> dict[str, Any]:
    """Groq's error JSON: `{"error": {"message", "type", "code", ...}}`.

    Args:
        message: What went wrong.
        error_type: Groq's `type`, e.g. `'invalid_request_error'`, `'tokens'`, `'internal_server_error'`.
        code: Groq's `code`, e.g. `'rate_limit_exceeded'`, `'tool_use_failed'`; omitted when `None`.
        **extra: More keys of the error object, e.g. `failed_generation` or `status_code`.
    """
    error: dict[str, Any] = {'message': message, 'type': error_type}
    if code is not None:
        error['code'] = code
    error.update(extra)
    return {'error': error}


def model_list(names: Iterable[str], *, inactive: Iterable[str] = ()) -> dict[str, Any]:
    """Groq's answer to `GET /openai/v1/models`: `{"object": "list", "data": [{"id", "object", "owned_by", ...}]}`.

    Args:
        names: The model ids, listed as active.
        inactive: More ids, listed with `"active": false` (retired models).
    """
    entries = [(name, True) for name in names] + [(name, False) for name in inactive]
    return {
        'object': 'list',
        'data': [
            {
                'id': name,
                'object': 'model',
                'created': 1_700_000_000,
                'owned_by': name.partition('/')[0] if '/' in name else 'Groq',
                'active': active,
                'context_window': 131072,
                'public_apps': None,
                'max_completion_tokens': 32768,
            }
            for name, active in entries
        ],
    }


def json_headers(request_id: str) -> list[tuple[str, str]]:
    """The headers Groq sends with a JSON answer (without `content-length`, which the server adds)."""
    return [
        ('content-type', 'application/json'),
        ('cache-control', 'private, max-age=0, no-store, no-cache, must-revalidate'),
        ('vary', 'Origin'),
        *_RATE_LIMIT_HEADERS,
        ('x-request-id', request_id),
    ]


def sse_headers(request_id: str) -> list[tuple[str, str]]:
    """The headers Groq sends with a stream (without `transfer-encoding`, which the server adds)."""
    return [
        ('content-type', 'text/event-stream'),
        ('cache-control', 'no-cache'),
        ('vary', 'Origin'),
        *_RATE_LIMIT_HEADERS,
        ('x-request-id', request_id),
    ]


class ChunkEncoder:
    """Encodes the SSE frames of one stream quickly: the JSON around each delta is built once and reused.

    A frame of a text delta costs one `json.dumps` of the text, so tens of thousands of frames encode in
    milliseconds.
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        completion_id: str | None = None,
        request_id: str | None = None,
        created: int | None = None,
    ) -> None:
        """Start a stream.

        Args:
            model: The model name every chunk reports.
            completion_id: The chunks' `id`; a fresh `chatcmpl-...` by default.
            request_id: `x_groq.id` of the first and last chunks; a fresh `req_...` by default.
            created: Seconds since the epoch; now by default.
        """
        self.model = model
        """The model name every chunk reports."""
        self.completion_id = completion_id or new_completion_id()
        """The `id` of every chunk."""
        self.request_id = request_id or new_request_id()
        """`x_groq.id`, also sent as the `x-request-id` header."""
        self.created = int(time.time()) if created is None else created
        """The `created` of every chunk."""
        head = encode_json(
            {
                'id': self.completion_id,
                'object': 'chat.completion.chunk',
                'created': self.created,
                'model': self.model,
                'system_fingerprint': _SYSTEM_FINGERPRINT,
            }
        )
        # `{"id":...,"system_fingerprint":"..."` followed by `,"choices":[{"index":0,"delta":`
        self._prefix = b'data: ' + head[:-1] + b',"choices":[{"index":0,"delta":'
        self._content_prefix = self._prefix + b'{"content":'
        self._plain_suffix = b',"logprobs":null,"finish_reason":null}]}\n\n'
        self._content_suffix = b'}' + self._plain_suffix

    def content(self, text: str) -> bytes:
        """The frame of a text delta."""
        return self._content_prefix + encode_json(text) + self._content_suffix

    def frame(
        self,
        delta: Mapping[str, Any],
        *,
        finish_reason: str | None = None,
        x_groq: Mapping[str, Any] | None = None,
        usage: Mapping[str, Any] | None = None,
    ) -> bytes:
        """The frame of any delta, with an optional finish reason, `x_groq` object and top-level `usage`."""
        tail = b',"logprobs":null,"finish_reason":' + encode_json(finish_reason) + b'}]'
        if usage is not None:
            tail += b',"usage":' + encode_json(usage)
        if x_groq is not None:
            tail += b',"x_groq":' + encode_json(x_groq)
        return self._prefix + encode_json(delta) + tail + b'}\n\n'

    def first(self, delta: Mapping[str, Any] | None = None) -> bytes:
        """The first frame: the assistant role (and empty content), with `x_groq.id`."""
        return self.frame(delta or {'role': 'assistant', 'content': ''}, x_groq={'id': self.request_id})

    def last(
        self,
        finish_reason: str,
        prompt_tokens: int,
        completion_tokens: int,
        *,
        include_usage: bool = False,
        usage: Mapping[str, Any] | None = None,
        usage_breakdown: Mapping[str, Any] | None = None,
    ) -> bytes:
        """The last frame: an empty delta, the finish reason, and the usage in `x_groq.usage`.

        With `include_usage` (the request asked `stream_options: {"include_usage": true}`), the usage is also in the
        top-level `usage`, as Groq and OpenAI-compatible servers send it. `usage` replaces the one built from the token
        counts; `usage_breakdown` (a compound answer's usage per model) goes in `x_groq.usage_breakdown`, as Groq
        streams it.
        """
        reported = usage_body(prompt_tokens, completion_tokens) if usage is None else dict(usage)
        x_groq: dict[str, Any] = {'id': self.request_id, 'usage': reported}
        if usage_breakdown is not None:
            x_groq['usage_breakdown'] = dict(usage_breakdown)
        return self.frame(
            {},
            finish_reason=finish_reason,
            x_groq=x_groq,
            usage=reported if include_usage else None,
        )

    def contents(self, texts: Iterable[str]) -> list[bytes]:
        """The frames of several text deltas, in order."""
        return [self.content(text) for text in texts]
