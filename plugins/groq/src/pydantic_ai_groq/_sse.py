"""A server-sent events reader for Groq's streamed chat completions.

Groq streams `data: {json}` messages separated by blank lines, ends with `data: [DONE]`, and reports an error
after the HTTP 200 as an `event: error` message. This reader turns the raw bytes into `(event, data)` pairs, in
linear time: bytes are split at message boundaries in bulk, not line by line through a decoder.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from ._errors import malformed

__all__ = ('iter_sse',)


async def iter_sse(chunks: AsyncIterable[bytes], model_name: str) -> AsyncIterator[tuple[str, str]]:
    """Yield `(event, data)` for each message; `event` is `'message'` unless the server named it.

    Raises:
        UnexpectedModelBehavior: the bytes are not UTF-8.
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
            message = _parse(raw, model_name)
            if message is not None:
                yield message
    tail = buffer.rstrip(b'\r\n')
    if tail:
        message = _parse(tail, model_name)
        if message is not None:
            yield message


def _parse(raw: bytes, model_name: str) -> tuple[str, str] | None:
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise malformed(
            model_name, f'bytes that are not UTF-8 (at byte {exc.start} of a message)', raw, streamed=True
        ) from exc
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
