"""The HTTP/1.1 the test server speaks: reading requests off a stream, and encoding response heads and chunks.

Only what Groq's clients send is understood: a request line, headers, and a body framed by `Content-Length` (or,
for completeness, chunked). Anything else is a `BadRequest`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

__all__ = ('RecordedRequest', 'BadRequest', 'read_request', 'encode_head', 'encode_chunk', 'LAST_CHUNK')

LAST_CHUNK = b'0\r\n\r\n'
"""The zero-length chunk that ends a chunked body."""

_MAX_BODY = 64 * 1024 * 1024


class BadRequest(Exception):
    """The bytes received are not an HTTP/1.1 request the server understands."""


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the server received, as the test sees it."""

    method: str
    """The request method, e.g. `'POST'`."""
    path: str
    """The path, without the query string, e.g. `'/openai/v1/chat/completions'`."""
    headers: Mapping[str, str]
    """The headers, names lowercased; repeated headers are joined with `', '`."""
    body: bytes
    """The raw body."""
    json: Any = field(default=None)
    """The body parsed as JSON, or `None` when it is empty or not JSON."""
    connection_id: int = 0
    """Which TCP connection the request came on (1 for the first accepted); equal ids show keep-alive reuse."""
    query: str = ''
    """The query string, without the `?`."""

    @property
    def is_stream(self) -> bool:
        """Whether the body asks for a streamed answer (`"stream": true`)."""
        return isinstance(self.json, dict) and self.json.get('stream') is True


async def read_request(reader: asyncio.StreamReader, connection_id: int) -> RecordedRequest | None:
    """Read the next request from `reader`; `None` when the client closed the connection between requests.

    Raises:
        BadRequest: the bytes are not a well-formed request.
        asyncio.IncompleteReadError: the connection closed in the middle of a request.
    """
    try:
        head = await reader.readuntil(b'\r\n\r\n')
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise
    except asyncio.LimitOverrunError as exc:
        raise BadRequest('request head too large') from exc
    lines = head.decode('latin-1').lstrip('\r\n').split('\r\n')
    parts = lines[0].split(' ')
    if len(parts) != 3 or not parts[2].startswith('HTTP/1.'):
        raise BadRequest(f'malformed request line: {lines[0]!r}')
    method, target, _ = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(':')
        if not sep or not name or name != name.strip():
            raise BadRequest(f'malformed header line: {line!r}')
        key = name.lower()
        value = value.strip()
        headers[key] = f'{headers[key]}, {value}' if key in headers else value
    body = await _read_body(reader, headers)
    path, _, query = target.partition('?')
    return RecordedRequest(
        method=method,
        path=path,
        headers=headers,
        body=body,
        json=_parse_json(body),
        connection_id=connection_id,
        query=query,
    )


async def _read_body(reader: asyncio.StreamReader, headers: Mapping[str, str]) -> bytes:
    if 'chunked' in headers.get('transfer-encoding', '').lower():
        return await _read_chunked(reader)
    length_text = headers.get('content-length')
    if length_text is None:
        return b''
    try:
        length = int(length_text)
    except ValueError:
        raise BadRequest(f'bad content-length: {length_text!r}') from None
    if not 0 <= length <= _MAX_BODY:
        raise BadRequest(f'bad content-length: {length_text!r}')
    return await reader.readexactly(length)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b'\r\n')
        try:
            size = int(size_line.split(b';', 1)[0].strip(), 16)
        except ValueError:
            raise BadRequest(f'bad chunk size: {size_line!r}') from None
        if size == 0:
            # Trailers, if any, up to the blank line.
            while await reader.readuntil(b'\r\n') != b'\r\n':
                pass
            return bytes(body)
        if len(body) + size > _MAX_BODY:
            raise BadRequest('request body too large')
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b'\r\n':
            raise BadRequest('chunk not followed by CRLF')


def _parse_json(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def encode_head(status: int, headers: Iterable[tuple[str, str]]) -> bytes:
    """The status line and headers of a response, up to and including the blank line."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = 'Unknown'
    lines = [f'HTTP/1.1 {status} {reason}']
    lines.extend(f'{name}: {value}' for name, value in headers)
    return ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1')


def encode_chunk(data: bytes) -> bytes:
    """`data` as one chunk of a chunked body (empty data gives nothing: an empty chunk would end the body)."""
    if not data:
        return b''
    return b'%x\r\n%b\r\n' % (len(data), data)
