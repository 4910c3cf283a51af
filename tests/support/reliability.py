"""Helpers for the reliability tests: a `GroqModel` pointed at a `GroqTestServer`, and runners that capture errors.

The runners never let an exception escape: they return what happened, so each test can assert the exact type and
message, and a raw `KeyError` or `httpx` error shows up as a readable assertion failure instead of a crash.
"""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from pydantic_ai.exceptions import PydanticAIError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ModelResponseStreamEvent, TextPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer

from .constants import FAKE_GROQ_API_KEY

MODEL_NAME = 'llama-3.3-70b-versatile'
NO_TOOLS = ModelRequestParameters()

# What a timeout message must say: which phase the request was in.
BEFORE_RESPONSE = re.compile(
    r'before (the |any )?(response|headers|first byte)|waiting for (the |a )?response|no response', re.IGNORECASE
)
MID_STREAM = re.compile(
    r'mid-stream|during the stream|while streaming|while reading the (stream|response body)|after the stream started',
    re.IGNORECASE,
)


def loopback_http_client(**kwargs: Any) -> httpx.AsyncClient:
    """An `httpx.AsyncClient` for the plain-HTTP loopback server.

    There is no TLS on loopback, so the CA bundle is not loaded (that alone costs ~100 ms per client).
    """
    return httpx.AsyncClient(verify=False, **kwargs)


def prompt(text: str = 'hi') -> list[ModelMessage]:
    """A one-message conversation."""
    return [ModelRequest.user_text_prompt(text)]


def groq_model(
    base_url: str, http_client: httpx.AsyncClient, *, max_retries: int = 0, timeout: float = 5.0
) -> GroqModel:
    """The real `GroqModel` and `GroqProvider`, sending to `base_url` with `http_client`."""
    provider = GroqProvider(
        api_key=FAKE_GROQ_API_KEY,
        base_url=base_url,
        max_retries=max_retries,
        timeout=timeout,
        http_client=http_client,
    )
    return GroqModel(MODEL_NAME, provider=provider)


def server_model(
    server: GroqTestServer, http_client: httpx.AsyncClient, *, max_retries: int = 0, timeout: float = 5.0
) -> GroqModel:
    """`groq_model` pointed at the test server."""
    return groq_model(server.base_url, http_client, max_retries=max_retries, timeout=timeout)


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class RequestOutcome:
    """What `model.request()` did: a response, or an error."""

    response: ModelResponse | None = None
    error: Exception | None = None


@dataclass
class StreamOutcome:
    """What `model.request_stream()` did: the events, the response assembled so far, and the error if any."""

    events: list[ModelResponseStreamEvent] = field(default_factory=list)
    response: ModelResponse | None = None
    """`stream.get()`, read inside the block after the iteration ended or failed; `None` if the block never opened."""
    error: Exception | None = None
    entered: bool = False
    """Whether the `async with` block was entered (errors before that come from the request or the first chunk)."""


async def run_request(
    model: GroqModel,
    messages: list[ModelMessage] | None = None,
    settings: Any = None,
    params: ModelRequestParameters = NO_TOOLS,
) -> RequestOutcome:
    """Call `model.request()` and capture the response or the error."""
    try:
        response, _ = await model.request(prompt() if messages is None else messages, settings, params)
    except Exception as exc:
        return RequestOutcome(error=exc)
    return RequestOutcome(response=response)


async def run_stream(
    model: GroqModel,
    messages: list[ModelMessage] | None = None,
    settings: ModelSettings | Any = None,
    params: ModelRequestParameters = NO_TOOLS,
) -> StreamOutcome:
    """Stream a response to the end and capture the events, the assembled response and the error."""
    outcome = StreamOutcome()
    try:
        async with model.request_stream(prompt() if messages is None else messages, settings, params) as stream:
            outcome.entered = True
            try:
                async for event in stream:
                    outcome.events.append(event)
            except Exception as exc:
                outcome.error = exc
            outcome.response = stream.get()
    except Exception as exc:
        outcome.error = exc
    return outcome


def describe(error: BaseException | None) -> str:
    """An error as `Type: message`, for assertion messages."""
    return 'no error' if error is None else f'{type(error).__name__}: {error}'


def assert_error(error: BaseException | None, expected: type[PydanticAIError], *fragments: str) -> None:
    """`error` is an `expected` (never a raw internal error) whose message names each of `fragments`."""
    assert isinstance(error, expected), f'expected {expected.__name__}, got {describe(error)}'
    message = str(error).lower()
    for fragment in fragments:
        assert fragment.lower() in message, f'{fragment!r} not in the message of {describe(error)}'


def text_of(response: ModelResponse | None) -> str:
    """The text of a response's text parts, joined."""
    assert response is not None
    return ''.join(part.content for part in response.parts if isinstance(part, TextPart))


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
