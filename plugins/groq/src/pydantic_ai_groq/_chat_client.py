"""The seam for a client that is not a `groq.AsyncGroq` but has `chat.completions.create`, such as a test double.

`GroqModel` sends a real `AsyncGroq` client's requests through the client's HTTP layer as the wire JSON it builds,
and parses the answer from JSON (see `model`). A `GroqChatClient`, an object with only `chat.completions.create` (the
duck-typed fakes the original API's tests pass, and users' own test doubles), is used instead like this:

- the request: the very body built for the wire, as parsed JSON, is passed as keyword arguments:
  `await client.chat.completions.create(**body)` (`stream=True` among them for a stream);
- the answer: a groq `ChatCompletion`, or for a stream an async iterable of `ChatCompletionChunk`s (entered with
  `async with` when it is an async context manager, as the SDK's `AsyncStream` is). Each SDK object is turned back
  into the JSON it stands for (`model_dump(mode='json', by_alias=True, exclude_unset=True)`: only the fields the
  server sent, or the test set, as the wire has them; plain dicts pass as they are) and read by the same
  translators as the wire's JSON: `_response.map_completion` and `GroqStreamedResponse`;
- errors: what `create` or the stream raises (`groq.APIStatusError`, `groq.APIConnectionError`, ...) is mapped by
  `_errors.map_api_errors`, as on the wire; a `tool_use_failed` error is returned as a failed generation, as on
  the wire.

What belongs to the HTTP layer does not apply to such a client: the provider's rate limiter (it reads response
headers) and retries, request headers (`extra_headers`, the `User-Agent`, a gateway's `default_headers`) and the
`timeout` setting. The Batch API needs a real `AsyncGroq` (files and batches).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import groq
from pydantic import BaseModel

from pydantic_ai.exceptions import UserError

from ._errors import map_api_errors
from ._utils import JSON

__all__ = ('GroqChatClient', 'Created', 'is_chat_client', 'create', 'completion_json', 'created_chunks')


class ChatCompletionsAPI(Protocol):
    """The `chat.completions` of a `GroqChatClient`."""

    def create(self, **body: Any) -> Awaitable[Any]:
        """Answer a chat-completions request body: a `ChatCompletion`, or with `stream=True` chunks."""
        ...


class ChatAPI(Protocol):
    """The `chat` of a `GroqChatClient`."""

    @property
    def completions(self) -> ChatCompletionsAPI:
        """The chat-completions API."""
        ...


class GroqChatClient(Protocol):
    """A client `GroqModel` can use that is not a `groq.AsyncGroq`: it has only `chat.completions.create`.

    The testing seam of the original API: a test double answering `await chat.completions.create(**body)` with a
    groq `ChatCompletion`, or (with `stream=True`) an async iterable of `ChatCompletionChunk`s, and raising
    groq's errors to simulate failures. Pass it as `GroqProvider(groq_client=...)` or `GroqModel(groq_client=...)`.
    See `pydantic_ai_groq._chat_client` for what is sent to it and what does not apply (rate limits, retries,
    headers); `pydantic_ai_groq.testing.GroqFake` is the fake that goes through the real client's HTTP layer.
    """

    @property
    def chat(self) -> ChatAPI:
        """The chat API."""
        ...


def is_chat_client(client: object) -> bool:
    """Whether `client` can be used as a `GroqChatClient`: it has a callable `chat.completions.create`.

    The synchronous `groq.Groq` has one too, but its `create` cannot be awaited: it is not a chat client.
    """
    if isinstance(client, groq.Groq):
        return False
    completions = getattr(getattr(client, 'chat', None), 'completions', None)
    return callable(getattr(completions, 'create', None))


@dataclass(frozen=True)
class Created:
    """What a chat client's `create` returned: a completion, or for a stream an async iterable of chunks."""

    result: Any


async def create(client: GroqChatClient, content: bytes) -> Created:
    """Send the request body (the wire bytes `GroqModel` built) through `client.chat.completions.create(**body)`.

    The caller maps errors (see `GroqModel._send`), as for a request sent over HTTP.
    """
    body: JSON = json.loads(content)
    return Created(await client.chat.completions.create(**body))


def _wrong_answer(what: str) -> UserError:
    # The chat client is the user's own code (a test double), so what it returns wrongly is theirs to fix.
    return UserError(
        f'The chat client passed as `groq_client` returned {what}: its `chat.completions.create` must return a groq '
        '`ChatCompletion` (or a dict of its JSON), and with `stream=True` an async iterable of `ChatCompletionChunk`s.'
    )


def to_json(value: object) -> JSON:
    """An SDK object (a pydantic model) as the JSON object it stands for; a dict as it is.

    Raises:
        UserError: `value` is neither.
    """
    if isinstance(value, dict):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump(mode='json', by_alias=True, exclude_unset=True)
    raise _wrong_answer(f'a {type(value).__name__} ({value!r:.80})')


def completion_json(created: Created) -> JSON:
    """The JSON of a non-streamed answer (a `ChatCompletion`), for `_response.map_completion`.

    Raises:
        UserError: the answer is not a pydantic model or a dict.
    """
    return to_json(created.result)


async def created_chunks(created: Created, model_name: str, *, provider_name: str) -> AsyncGenerator[JSON, None]:
    """The chunks of a streamed answer as JSON objects, for `GroqStreamedResponse`; errors mapped, as on the wire.

    Closing the generator leaves the stream's `async with` block (which closes an SDK stream).

    Raises:
        UserError: the answer is not an async iterable, or a chunk is not a pydantic model or a dict.
        ModelHTTPError: and the rest of the `pydantic_ai.exceptions` tree, for what the stream raises.
    """
    stream: Any = created.result
    with map_api_errors(model_name, provider_name=provider_name, streaming=True):
        if not hasattr(stream, '__aiter__'):
            raise _wrong_answer(f'a {type(stream).__name__}, which is not an async iterable, for `stream=True`')
        managed = hasattr(stream, '__aenter__') and hasattr(stream, '__aexit__')
        async with stream if managed else nullcontext(stream) as chunks:
            async for chunk in chunks:
                yield to_json(chunk)
