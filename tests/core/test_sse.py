"""`pydantic_ai.streaming.iter_sse`: server-sent events framing, vendor-neutral, however the bytes are split."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import pytest

from pydantic_ai._sse import iter_sse as iter_sse_home
from pydantic_ai.streaming import iter_sse

pytestmark = pytest.mark.asyncio


async def _bytes(chunks: Iterable[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


async def _messages(*chunks: bytes) -> list[tuple[str, str]]:
    return [message async for message in iter_sse(_bytes(chunks))]


async def test_the_public_name_is_the_readers_home() -> None:
    assert iter_sse is iter_sse_home


async def test_messages_with_data_and_named_events() -> None:
    body = b'data: {"a": 1}\n\nevent: error\ndata: {"b": 2}\n\ndata: [DONE]\n\n'
    assert await _messages(body) == [('message', '{"a": 1}'), ('error', '{"b": 2}'), ('message', '[DONE]')]


async def test_several_data_lines_are_joined_with_newlines_and_one_leading_space_is_dropped() -> None:
    assert await _messages(b'data: one\ndata:two\ndata:  three\n\n') == [('message', 'one\ntwo\n three')]


async def test_comments_other_fields_and_messages_without_data_are_skipped() -> None:
    body = b': keep-alive\n\nid: 7\nretry: 100\n\nid: 8\ndata: kept\n\n'
    assert await _messages(body) == [('message', 'kept')]


@pytest.mark.parametrize('ending', [b'\n', b'\r\n', b'\r'], ids=['lf', 'crlf', 'cr'])
async def test_every_line_ending_frames_messages(ending: bytes) -> None:
    body = b'data: a' + ending + ending + b'event: e' + ending + b'data: b' + ending + ending
    assert await _messages(body) == [('message', 'a'), ('e', 'b')]


async def test_messages_split_anywhere_across_chunks_come_out_whole() -> None:
    body = b'data: first\r\n\r\nevent: x\r\ndata: second\r\n\r\ndata: third\n\n'
    expected = [('message', 'first'), ('x', 'second'), ('message', 'third')]
    for size in range(1, len(body) + 1):
        chunks = [body[i : i + size] for i in range(0, len(body), size)]
        assert await _messages(*chunks) == expected, size
    # A `\r\n` split between two chunks is one line ending, not two.
    assert await _messages(b'data: a\r', b'\n\r', b'\n') == [('message', 'a')]


async def test_a_last_message_without_its_blank_line_is_yielded_at_the_end() -> None:
    assert await _messages(b'data: a\n\ndata: tail\n') == [('message', 'a'), ('message', 'tail')]
    assert await _messages(b'') == []


async def test_bytes_that_are_not_utf8_raise_unicode_decode_error_for_the_caller_to_map() -> None:
    with pytest.raises(UnicodeDecodeError) as caught:
        await _messages(b'data: ok\n\n', b'data: \xff\xfe\n\n')
    assert caught.value.object == b'data: \xff\xfe'
    assert caught.value.start == 6


async def test_utf8_split_inside_a_character_across_chunks_decodes() -> None:
    text = 'data: café ☕\n\n'.encode()
    assert await _messages(text[:10], text[10:13], text[13:]) == [('message', 'café ☕')]
