r"""A reader of server-sent events (SSE), the framing most model APIs stream their chunks in.

SSE is a protocol, not a vendor's: messages are `field: value` lines (`data:`, `event:`, `id:`, comments starting
with `:`) ended by a blank line, and lines may end with `\n`, `\r\n` or `\r`. `iter_sse` turns a response's raw
bytes into `(event, data)` pairs, in linear time: the bytes are split at message boundaries in bulk, not line by line
through a decoder. What the data means (JSON chunks, a `[DONE]` sentinel, an `event: error` message) is the
provider plugin's business, as is mapping errors. Its public home is `pydantic_ai.streaming`.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

__all__ = ('iter_sse',)


async def iter_sse(chunks: AsyncIterable[bytes]) -> AsyncIterator[tuple[str, str]]:
    r"""Yield `(event, data)` for each message of an SSE byte stream.

    `event` is `'message'` unless the server named it; `data` joins the message's `data:` lines with `\n`. A
    message without data (a comment, a keep-alive) is skipped; so is a field other than `data` and `event`. A last
    message not followed by a blank line is yielded when the bytes end.

    Args:
        chunks: The response body's bytes, in chunks of any size (`httpx.Response.aiter_bytes()`).

    Raises:
        UnicodeDecodeError: a message is not UTF-8. The caller maps it to its own error (the reader knows no
            vendor's words); the undecodable message is the exception's `object`.
    """
    buffer = b''
    async for chunk in chunks:
        if b'\r' in chunk or buffer.endswith(b'\r'):
            buffer = (buffer + chunk).replace(b'\r\n', b'\n')
            # A lone `\r` is a line ending too, unless it is the first half of a `\r\n` still in flight.
            held = buffer.endswith(b'\r')
            if held:
                buffer = buffer[:-1]
            buffer = buffer.replace(b'\r', b'\n') + (b'\r' if held else b'')
        else:
            buffer += chunk
        if b'\n\n' not in buffer:
            continue
        *messages, buffer = buffer.split(b'\n\n')
        for raw in messages:
            message = _parse(raw)
            if message is not None:
                yield message
    tail = buffer.rstrip(b'\r\n')
    if tail:
        message = _parse(tail)
        if message is not None:
            yield message


def _parse(raw: bytes) -> tuple[str, str] | None:
    text = raw.decode()
    event = 'message'
    data: list[str] = []
    for line in text.split('\n'):
        if not line or line[0] == ':':
            continue
        field, _, value = line.partition(':')
        if value[:1] == ' ':
            value = value[1:]
        if field == 'data':
            data.append(value)
        elif field == 'event':
            event = value
    if not data:
        return None
    return event, '\n'.join(data)
