"""`GroqFake`: Groq in-process, for fast tests that need no socket.

A real `groq.AsyncGroq` (so requests go through the SDK's request building, headers, retries and error statuses)
whose HTTP client has an `httpx.MockTransport`: each request is answered in-process from scripted responses, the
same `ScriptedResponse`s the socket server (`GroqTestServer`) serves, built by the same functions
(`text_completion()`, `streamed_text()`, `http_error()`, ...; the wire JSON and SSE come from `wire`).

```python
from pydantic_ai_groq.testing import GroqFake, http_error, text_completion

async with GroqFake(http_error(503), text_completion('Hello')) as fake:
    model = fake.model('openai/gpt-oss-120b')
    ...
    assert fake.bodies[0]['model'] == 'openai/gpt-oss-120b'
```

What only real sockets show (timeouts, stalls, connection resets and truncated bodies at a given frame) is the
socket server's job: the fake raises `httpx.ReadError` for a scripted reset or close after some frames, and
`httpx.ConnectError` for a reset or close before answering, but it does not wait (`with_stall*` and
`with_frame_delay` are ignored).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

import httpx
from groq import AsyncGroq

from ._http import RecordedRequest
from .echo import echo_response
from .responses import ScriptedResponse

if TYPE_CHECKING:
    from pydantic_ai_groq import GroqModel

__all__ = ('GroqFake', 'FakeAnswer', 'FAKE_API_KEY', 'FAKE_BASE_URL')

FAKE_API_KEY = 'gsk_fake_key_for_tests_0000000000000000000000000000'
"""The API key the fake's client sends: shaped like a Groq key, never valid."""

FAKE_BASE_URL = 'https://api.groq.com'
"""The base URL the fake's client uses (nothing is sent there: the transport answers in-process)."""

FakeAnswer: TypeAlias = (
    'ScriptedResponse | httpx.Response | Callable[[httpx.Request], ScriptedResponse | httpx.Response]'
)
"""What answers a request: a scripted response, a ready `httpx.Response`, or a function of the request (which may
raise an `httpx` error, to simulate a transport failure)."""


class GroqFake:
    """A real `AsyncGroq` answered in-process by an `httpx.MockTransport`, from scripted responses.

    Requests are answered by the queued responses in order (each `ScriptedResponse` answers `times` requests),
    then by `responder` when one is set, else by `echo_response` (the last user message, streamed if asked), as the
    socket server does.
    """

    def __init__(
        self,
        *responses: FakeAnswer,
        responder: FakeAnswer | None = None,
        api_key: str = FAKE_API_KEY,
        base_url: str = FAKE_BASE_URL,
        max_retries: int = 0,
    ) -> None:
        """Create the fake and its client.

        Args:
            *responses: Answers for the first requests, in order (see `enqueue`).
            responder: The answer for every request once the queue is empty.
            api_key: The API key the client sends.
            base_url: The client's base URL.
            max_retries: The client's retries (0 by default, so a scripted error reaches the test as it is).
        """
        self.responder: FakeAnswer | None = responder
        """The answer for every request once the queue is empty; set it to change the answer mid-test."""
        self.requests: list[httpx.Request] = []
        """Every request the client sent, in order, as `httpx` built it (headers, body, timeout extensions)."""
        self._queue: deque[FakeAnswer] = deque()
        self.enqueue(*responses)
        self.http_client = httpx.AsyncClient(transport=httpx.MockTransport(self._handle))
        """The HTTP client the Groq client sends through."""
        self.client = AsyncGroq(
            api_key=api_key, base_url=base_url, http_client=self.http_client, max_retries=max_retries
        )
        """The `AsyncGroq` client to hand to the code under test (`GroqModel(..., groq_client=fake.client)`)."""

    def enqueue(self, *responses: FakeAnswer) -> None:
        """Queue answers for the next requests, in order; a `ScriptedResponse` answers its `times` requests."""
        for response in responses:
            times = response.times if isinstance(response, ScriptedResponse) else 1
            self._queue.extend([response] * times)

    def model(self, model_name: str = 'openai/gpt-oss-120b') -> GroqModel:
        """A `GroqModel` using the fake's client."""
        from pydantic_ai_groq import GroqModel

        return GroqModel(model_name, groq_client=self.client)

    @property
    def bodies(self) -> list[Any]:
        """The JSON bodies of the requests sent so far."""
        return [json.loads(request.content) for request in self.requests]

    @property
    def body(self) -> Any:
        """The JSON body of the only request sent.

        Raises:
            ValueError: not exactly one request was sent.
        """
        if len(self.requests) != 1:
            raise ValueError(f'expected exactly one request, got {len(self.requests)}')
        return json.loads(self.requests[0].content)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self.http_client.aclose()

    async def __aenter__(self) -> GroqFake:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self._queue:
            answer: FakeAnswer = self._queue.popleft()
        elif self.responder is not None:
            answer = self.responder
        else:
            return _to_httpx(echo_response(_recorded(request)), request)
        if isinstance(answer, (ScriptedResponse, httpx.Response)):
            return _to_httpx(answer, request)
        return _to_httpx(answer(request), request)


def _recorded(request: httpx.Request) -> RecordedRequest:
    body = request.content
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return RecordedRequest(
        method=request.method,
        path=request.url.path,
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
        json=parsed,
        query=request.url.query.decode(),
    )


def _to_httpx(answer: ScriptedResponse | httpx.Response, request: httpx.Request) -> httpx.Response:
    if isinstance(answer, httpx.Response):
        return answer
    if answer.action != 'respond':
        raise httpx.ConnectError(f'the scripted response {answer.action}s the connection', request=request)
    headers = [(name, value) for name, value in answer.headers if name.lower() != 'content-length']
    if answer.frames is None:
        return httpx.Response(answer.status, headers=headers, content=answer.body, request=request)
    cut = min((n for n in (answer.reset_after, answer.close_after) if n is not None), default=None)
    stream = _Frames(answer.frames, cut, request)
    return httpx.Response(answer.status, headers=headers, stream=stream, request=request)


class _Frames(httpx.AsyncByteStream):
    """A streamed body: the scripted frames, cut with a read error where the script resets or closes."""

    def __init__(self, frames: Sequence[bytes], cut: int | None, request: httpx.Request) -> None:
        self._frames = frames
        self._cut = cut
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for position, frame in enumerate(self._frames):
            if position == self._cut:
                raise httpx.ReadError('the scripted response cut the connection mid-body', request=self._request)
            yield frame
        if self._cut is not None and self._cut >= len(self._frames):
            raise httpx.ReadError('the scripted response cut the connection mid-body', request=self._request)
