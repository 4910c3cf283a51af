"""Builders for fake Groq traffic: completions, stream chunks, SSE bodies, and a mock `AsyncGroq` client.

Requests go through the real groq SDK and httpx; only the transport is replaced by `httpx.MockTransport`, whose
handler records every `httpx.Request` and answers with whatever the test configured.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any

import groq
import httpx

from pydantic_ai.messages import ModelMessage, ModelRequest
from pydantic_ai_groq import GroqModel

from .constants import FAKE_GROQ_API_KEY

BASE_URL = 'https://api.groq.com'
MODEL_NAME = 'llama-3.3-70b-versatile'
CREATED = 1_700_000_000
"""A `created` value: 2023-11-14 22:13:20 UTC."""

Responder = Callable[[httpx.Request], Any]


def completion(
    content: str | None = None,
    *,
    tool_calls: Sequence[Mapping[str, Any]] | None = None,
    model: str = MODEL_NAME,
    created: int = CREATED,
    usage: Mapping[str, int] | None = None,
    finish_reason: str = 'stop',
    choices: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A non-streamed chat completion as Groq sends it."""
    message: dict[str, Any] = {'role': 'assistant', 'content': content}
    if tool_calls is not None:
        message['tool_calls'] = list(tool_calls)
    if choices is None:
        choices = [{'index': 0, 'message': message, 'finish_reason': finish_reason, 'logprobs': None}]
    return {
        'id': 'chatcmpl-test',
        'object': 'chat.completion',
        'created': created,
        'model': model,
        'choices': choices,
        'usage': dict(usage) if usage is not None else {'prompt_tokens': 1, 'completion_tokens': 1, 'total_tokens': 2},
    }


def tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """One complete tool call of a non-streamed completion."""
    return {'id': call_id, 'type': 'function', 'function': {'name': name, 'arguments': arguments}}


def chunk(
    content: str | None = None,
    *,
    tool_calls: Sequence[Mapping[str, Any]] | None = None,
    model: str = MODEL_NAME,
    created: int = CREATED,
    x_groq_usage: Mapping[str, int] | None = None,
    usage: Mapping[str, int] | None = None,
    no_choices: bool = False,
    finish_reason: str | None = None,
) -> dict[str, Any]:
    """One streamed chunk as Groq sends it."""
    delta: dict[str, Any] = {}
    if content is not None:
        delta['content'] = content
    if tool_calls is not None:
        delta['tool_calls'] = list(tool_calls)
    data: dict[str, Any] = {
        'id': 'chatcmpl-test',
        'object': 'chat.completion.chunk',
        'created': created,
        'model': model,
        'choices': [] if no_choices else [{'index': 0, 'delta': delta, 'finish_reason': finish_reason}],
    }
    if x_groq_usage is not None:
        data['x_groq'] = {'id': 'req_test', 'usage': dict(x_groq_usage)}
    if usage is not None:
        data['usage'] = dict(usage)
    return data


def tool_call_delta(
    index: int, *, call_id: str | None = None, name: str | None = None, arguments: str | None = None
) -> dict[str, Any]:
    """A fragment of a streamed tool call; only the given fields are sent."""
    function: dict[str, Any] = {}
    if name is not None:
        function['name'] = name
    if arguments is not None:
        function['arguments'] = arguments
    delta: dict[str, Any] = {'index': index}
    if call_id is not None:
        delta['id'] = call_id
        delta['type'] = 'function'
    if function:
        delta['function'] = function
    return delta


def usage_dict(prompt: int, completion_tokens: int) -> dict[str, int]:
    """A Groq usage object."""
    return {'prompt_tokens': prompt, 'completion_tokens': completion_tokens, 'total_tokens': prompt + completion_tokens}


def sse_frame(data: Mapping[str, Any] | str, *, event: str | None = None) -> bytes:
    """One server-sent event frame."""
    payload = data if isinstance(data, str) else json.dumps(data)
    prefix = f'event: {event}\n' if event is not None else ''
    return f'{prefix}data: {payload}\n\n'.encode()


DONE_FRAME = b'data: [DONE]\n\n'


def sse_frames(chunks: Iterable[Mapping[str, Any]], *, done: bool = True) -> list[bytes]:
    """The frames of a stream of chunks, ending with `[DONE]` unless `done=False`."""
    frames = [sse_frame(c) for c in chunks]
    if done:
        frames.append(DONE_FRAME)
    return frames


SSE_HEADERS = {'content-type': 'text/event-stream'}


def sse_response(chunks: Iterable[Mapping[str, Any]]) -> httpx.Response:
    """A 200 response streaming `chunks` then `[DONE]`."""
    return httpx.Response(200, headers=SSE_HEADERS, content=b''.join(sse_frames(chunks)))


class RecordingByteStream(httpx.AsyncByteStream):
    """A response body that yields one frame at a time, optionally raises after them, and records `aclose()`."""

    def __init__(self, frames: Sequence[bytes], *, raise_after: BaseException | None = None) -> None:
        self.frames = list(frames)
        self.raise_after = raise_after
        self.frames_sent = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for frame in self.frames:
            self.frames_sent += 1
            yield frame
        if self.raise_after is not None:
            raise self.raise_after

    async def aclose(self) -> None:
        self.closed = True


class GroqMock:
    """A real `AsyncGroq` whose HTTP traffic goes to a recording `httpx.MockTransport` handler.

    `responder` is an `httpx.Response` (returned for every request), a list of them (returned in order), or a
    callable taking the request (it may raise, to simulate transport errors). Call `aclose()` when done.
    """

    def __init__(self, responder: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.responder = responder
        self.http_client = httpx.AsyncClient(transport=httpx.MockTransport(self._handle))
        self.client = groq.AsyncGroq(
            api_key=FAKE_GROQ_API_KEY, base_url=BASE_URL, http_client=self.http_client, max_retries=0
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        responder = self.responder
        if isinstance(responder, list):
            return responder.pop(0)
        if callable(responder):
            return responder(request)
        if responder is None:
            raise AssertionError('GroqMock: no response configured')
        return responder

    def model(self, model_name: str = MODEL_NAME) -> GroqModel:
        """A `GroqModel` using this mock's client."""
        return GroqModel(model_name, groq_client=self.client)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of the requests sent so far."""
        return [json.loads(r.content) for r in self.requests]

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body of the only request sent."""
        assert len(self.requests) == 1, f'expected exactly one request, got {len(self.requests)}'
        return self.bodies[0]

    async def aclose(self) -> None:
        await self.http_client.aclose()


def user_prompt(text: str = 'Hello') -> list[ModelMessage]:
    """A conversation of one user prompt."""
    return [ModelRequest.user_text_prompt(text)]
