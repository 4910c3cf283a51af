"""Reading vcrpy cassettes without vcrpy, and replaying them through httpx: `load_cassette` and `ReplayTransport`.

A cassette is the YAML file vcrpy writes (`interactions:`, each a `request` and a `response`). `load_cassette` reads
one into `Interaction`s; `ReplayTransport` answers requests with their responses in order, whatever is asked, so
everything above the socket (a provider's SDK, SSE parsing, its model class, the parts manager) runs for real. It
works for any provider whose client sends HTTP through httpx: create the provider with `http_client=` an
`httpx.AsyncClient(transport=ReplayTransport(...))`. `pai --replay` is built on these; the pytest plugin
(`pydantic_ai.testing.pytest_plugin`) uses vcrpy itself, which also matches requests to recordings.
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

from ..exceptions import CassetteExhaustedError, CassetteReadError, UserError

__all__ = ('Interaction', 'ReplayTransport', 'load_cassette')

# Headers that describe the body as it went over the wire; vcrpy stores bodies decoded (and httpx computes the
# length of the body it is given), so keeping them would make httpx decode or frame the body a second time.
_WIRE_HEADERS = frozenset({'content-encoding', 'content-length', 'transfer-encoding'})


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response."""

    method: str
    """The request's HTTP method."""
    url: str
    """The request's URL, as recorded."""
    request_body: dict[str, Any] | None
    """The request's JSON body, or `None` when it had none or it was not a JSON object."""
    status: int
    """The response's HTTP status."""
    headers: tuple[tuple[str, str], ...]
    """The response headers, without those describing the wire encoding."""
    body: bytes
    """The response body, decoded."""

    @property
    def is_stream(self) -> bool:
        """Whether the request asked for a streamed answer (`"stream": true` in its JSON body)."""
        return bool(self.request_body and self.request_body.get('stream') is True)


def _yaml() -> Any:
    try:
        return importlib.import_module('yaml')
    except ImportError as exc:
        raise UserError(
            'Reading a vcrpy cassette needs PyYAML: pip install pyyaml (the `cli` and `testing` extras include it).'
        ) from exc


def load_cassette(path: Path | str) -> list[Interaction]:
    """Read the interactions of a vcrpy cassette (YAML, `interactions:` with `request` and `response`).

    Raises:
        CassetteReadError: the file cannot be read, is not YAML, or is not a vcrpy cassette.
        UserError: PyYAML is not installed.
    """
    yaml = _yaml()
    path = Path(path)
    try:
        text = path.read_text(encoding='utf-8')
    except (OSError, UnicodeDecodeError) as exc:
        raise CassetteReadError(f'cannot read the recording {str(path)!r}: {exc}') from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CassetteReadError(f'{str(path)!r} is not valid YAML: {exc}') from exc
    raw = document.get('interactions') if isinstance(document, dict) else None
    if not isinstance(raw, list) or not raw:
        raise CassetteReadError(f'{str(path)!r} is not a vcrpy cassette: it has no `interactions:` list')
    try:
        return [_interaction(item) for item in raw]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CassetteReadError(f'{str(path)!r} holds an interaction vcrpy did not write: {exc!r}') from exc


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
        method=str(request.get('method') or 'POST'),
        url=str(request.get('uri') or ''),
        request_body=request_body if isinstance(request_body, dict) else None,
        status=int(response['status']['code']),
        headers=headers,
        body=_as_bytes(response['body']['string']),
    )


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
        """The recorded interactions, answered in order."""
        self.frame_delay = frame_delay
        """Seconds between the events of a streamed answer."""
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
            CassetteExhaustedError: every recorded response was used already (an HTTP client reports it as a
                connection error, with this as its cause).
        """
        await request.aread()
        if len(self.requests) >= len(self.interactions):
            raise CassetteExhaustedError(
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
