"""Offline replay of a recorded conversation: a vcrpy cassette read without vcrpy, served by an httpx transport.

The transport answers requests with the recorded responses in order, whatever is asked: everything above the
socket (the provider's SDK, SSE parsing, its model class, the parts manager) runs for real. It works for any
provider whose client sends HTTP through httpx: the provider is created with `http_client=` a client over this
transport. What to ask (the model, the
system prompt, each turn's prompt or tool results) is read from the recorded requests.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pydantic_ai.messages import ModelRequest, ModelRequestPart, ToolReturnPart

from ._errors import EXIT_USAGE, CliError, ReplayExhausted

__all__ = ('Interaction', 'RecordedTurn', 'ReplayTransport', 'load_cassette', 'recorded_turns')

# Headers that describe the body as it went over the wire; vcrpy stores bodies decoded (and httpx computes the
# length of the body it is given), so keeping them would make httpx decode or frame the body a second time.
_WIRE_HEADERS = frozenset({'content-encoding', 'content-length', 'transfer-encoding'})


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response."""

    request_body: dict[str, Any] | None
    """The request's JSON body, or `None` when it had none or it was not JSON."""
    status: int
    """The response's HTTP status."""
    headers: tuple[tuple[str, str], ...]
    """The response headers, without those describing the wire encoding."""
    body: bytes
    """The response body, decoded."""

    @property
    def is_stream(self) -> bool:
        """Whether the request asked for a streamed answer."""
        return bool(self.request_body and self.request_body.get('stream') is True)


@dataclass(frozen=True)
class RecordedTurn:
    """What one recorded request asked: a user prompt, or the results of tool calls."""

    prompt: str | None
    """The last user message's text; `None` for a turn that sends tool results."""
    tool_returns: tuple[ToolReturnPart, ...] = ()
    """The tool results sent back, when the request ends with them."""
    stream: bool = False
    """Whether the recorded request was streamed."""

    def request(self, system_prompt: str | None) -> ModelRequest:
        """This turn as the request to send; `system_prompt` is added for the first turn of a conversation."""
        if self.prompt is not None:
            return ModelRequest.user_text_prompt(self.prompt, system_prompt=system_prompt)
        parts: list[ModelRequestPart] = list(self.tool_returns)
        return ModelRequest(parts=parts)


def _yaml() -> Any:
    try:
        return importlib.import_module('yaml')
    except ImportError:
        raise CliError(
            "--replay needs PyYAML to read cassettes: pip install 'pydantic-ai-core[cli]'", EXIT_USAGE
        ) from None


def load_cassette(path: Path) -> list[Interaction]:
    """Read the interactions of a vcrpy cassette (YAML, `interactions:` with `request` and `response`).

    Raises:
        CliError: the file cannot be read or is not a vcrpy cassette (exit status 2).
    """
    yaml = _yaml()
    try:
        text = path.read_text(encoding='utf-8')
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f'cannot read the recording {str(path)!r}: {exc}', EXIT_USAGE) from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CliError(f'{str(path)!r} is not valid YAML: {exc}', EXIT_USAGE) from exc
    raw = document.get('interactions') if isinstance(document, dict) else None
    if not isinstance(raw, list) or not raw:
        raise CliError(f'{str(path)!r} is not a vcrpy cassette: it has no `interactions:` list', EXIT_USAGE)
    try:
        return [_interaction(item) for item in raw]
    except (KeyError, TypeError, ValueError) as exc:
        raise CliError(f'{str(path)!r} holds an interaction vcrpy did not write: {exc!r}', EXIT_USAGE) from exc


def _as_bytes(value: object) -> bytes:
    if value is None:
        return b''
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode('utf-8')
    raise TypeError(f'a body must be a string, got {type(value).__name__}')


def _interaction(item: dict[str, Any]) -> Interaction:
    request, response = item['request'], item['response']
    body = request.get('body')
    if isinstance(body, dict):  # some vcrpy versions nest it as `body: {string: ...}`
        body = body.get('string')
    try:
        request_body = json.loads(_as_bytes(body)) if body else None
    except json.JSONDecodeError:
        request_body = None
    headers = tuple(
        (str(name), str(value))
        for name, values in (response.get('headers') or {}).items()
        if str(name).lower() not in _WIRE_HEADERS
        for value in (values if isinstance(values, list) else [values])
    )
    return Interaction(
        request_body=request_body if isinstance(request_body, dict) else None,
        status=int(response['status']['code']),
        headers=headers,
        body=_as_bytes(response['body']['string']),
    )


def _text_of(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return '\n'.join(
            str(item.get('text', '')) for item in content if isinstance(item, dict) and item.get('type') == 'text'
        )
    return ''


def recorded_turns(interactions: Sequence[Interaction]) -> tuple[str, str | None, list[RecordedTurn]]:
    """The model name, the system prompt and the turns of the recorded conversation.

    Raises:
        CliError: a request is not a chat completion, or ends with neither a user message nor tool results.
    """
    turns: list[RecordedTurn] = []
    model_name: str | None = None
    system_prompt: str | None = None
    for number, interaction in enumerate(interactions, start=1):
        body = interaction.request_body
        messages = body.get('messages') if body else None
        if not body or not isinstance(messages, list) or not messages:
            raise CliError(f'interaction {number} of the recording is not a chat-completion request', EXIT_USAGE)
        if model_name is None:
            model_name = str(body.get('model') or '')
            system_prompt = next((_text_of(m.get('content')) for m in messages if m.get('role') == 'system'), None)
        if messages[-1].get('role') == 'user':
            turns.append(RecordedTurn(prompt=_text_of(messages[-1].get('content')), stream=interaction.is_stream))
        elif messages[-1].get('role') == 'tool':
            turns.append(RecordedTurn(None, _tool_returns(messages), stream=interaction.is_stream))
        else:
            raise CliError(
                f'interaction {number} of the recording ends with neither a user message nor tool results',
                EXIT_USAGE,
            )
    if not model_name:
        raise CliError('the recording does not say which model it used', EXIT_USAGE)
    return model_name, system_prompt, turns


def _tool_returns(messages: list[dict[str, Any]]) -> tuple[ToolReturnPart, ...]:
    """The trailing `tool` messages as parts, named after the assistant's calls they answer."""
    names = {
        call.get('id'): (call.get('function') or {}).get('name', '')
        for message in messages
        if message.get('role') == 'assistant'
        for call in message.get('tool_calls') or ()
    }
    trailing: list[ToolReturnPart] = []
    for message in reversed(messages):
        if message.get('role') != 'tool':
            break
        call_id = message.get('tool_call_id')
        trailing.append(ToolReturnPart(names.get(call_id, ''), _text_of(message.get('content')), tool_call_id=call_id))
    return tuple(reversed(trailing))


class _Frames(httpx.AsyncByteStream):
    """A recorded body, sent one server-sent event at a time with a pause between events, like a live stream."""

    def __init__(self, body: bytes, delay: float) -> None:
        self._body = body
        self._delay = delay

    async def __aiter__(self) -> AsyncIterator[bytes]:
        frames = self._body.split(b'\n\n')
        for index, frame in enumerate(frames):
            if index:
                await asyncio.sleep(self._delay)
            yield (frame + b'\n\n') if index < len(frames) - 1 else frame


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers each request with the next recorded response, in order; nothing reaches the network."""

    def __init__(self, interactions: Sequence[Interaction], *, frame_delay: float = 0.0) -> None:
        """Create a transport replaying `interactions`.

        Args:
            interactions: The recorded interactions, answered in order.
            frame_delay: Seconds to pause between the events of a streamed answer, so that a replay looks live.
        """
        self.interactions = list(interactions)
        self.frame_delay = frame_delay
        self.requests: list[httpx.Request] = []
        """The requests received, in order."""

    @property
    def next_is_stream(self) -> bool:
        """Whether the next recorded request was streamed (`False` once all are replayed)."""
        index = len(self.requests)
        return index < len(self.interactions) and self.interactions[index].is_stream

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer `request` with the next recorded response.

        Raises:
            ReplayExhausted: every recorded response was used already.
        """
        await request.aread()
        if len(self.requests) >= len(self.interactions):
            raise ReplayExhausted(
                f'the recording has no more answers: it holds {len(self.interactions)}, all replayed already'
            )
        interaction = self.interactions[len(self.requests)]
        self.requests.append(request)
        headers = list(interaction.headers)
        streamed = any(n.lower() == 'content-type' and v.startswith('text/event-stream') for n, v in headers)
        if streamed and self.frame_delay > 0:
            frames = _Frames(interaction.body, self.frame_delay)
            return httpx.Response(interaction.status, headers=headers, stream=frames, request=request)
        return httpx.Response(interaction.status, headers=headers, content=interaction.body, request=request)
