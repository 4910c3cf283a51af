"""The test server's Files and Batches endpoints, driven by the raw groq SDK (what any Groq client would send)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import groq
import pytest
import pytest_asyncio

from pydantic_ai_groq.testing import BatchBehaviour, GroqTestServer

from support.constants import FAKE_GROQ_API_KEY

pytestmark = [pytest.mark.asyncio]


@pytest_asyncio.fixture
async def client(server: GroqTestServer) -> AsyncIterator[groq.AsyncGroq]:
    async with groq.AsyncGroq(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, max_retries=0) as sdk_client:
        yield sdk_client


def line(custom_id: str, text: str) -> bytes:
    body = {'model': 'llama-3.1-8b-instant', 'messages': [{'role': 'user', 'content': text}]}
    return json.dumps({'custom_id': custom_id, 'method': 'POST', 'url': '/v1/chat/completions', 'body': body}).encode()


async def test_files_upload_info_list_content_and_delete(client: groq.AsyncGroq, server: GroqTestServer) -> None:
    data = line('a', 'héllo') + b'\n' + line('b', 'x') + b'\n'
    uploaded = await client.files.create(file=('in.jsonl', data, 'application/jsonl'), purpose='batch')

    assert uploaded.id and uploaded.id.startswith('file_')
    assert (uploaded.bytes, uploaded.filename, uploaded.purpose, uploaded.object) == (
        len(data),
        'in.jsonl',
        'batch',
        'file',
    )
    assert server.batches.files[uploaded.id] == data  # byte for byte, UTF-8 and newlines included
    info = await client.files.info(uploaded.id)
    assert info.id == uploaded.id
    listing = await client.files.list()
    assert [f.id for f in listing.data or []] == [uploaded.id]
    content = await client.files.content(uploaded.id)
    assert await content.read() == data
    deleted = await client.files.delete(uploaded.id)
    assert deleted.deleted is True
    with pytest.raises(groq.NotFoundError):
        await client.files.info(uploaded.id)


async def test_files_refuse_another_purpose(client: groq.AsyncGroq) -> None:
    with pytest.raises(groq.BadRequestError, match="'purpose' must be 'batch'"):
        await client.files.create(file=('in.jsonl', b'{}\n'), purpose='fine-tune')  # type: ignore[arg-type]


async def test_a_batch_moves_one_status_per_poll_and_writes_shuffled_output_and_error_lines(
    client: groq.AsyncGroq, server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(line_errors={'c2': 429}, seed=3)
    ids = [f'c{i}' for i in range(6)]
    data = b'\n'.join(line(custom_id, custom_id) for custom_id in ids)
    uploaded = await client.files.create(file=('in.jsonl', data), purpose='batch')
    assert uploaded.id is not None
    batch = await client.batches.create(
        input_file_id=uploaded.id, endpoint='/v1/chat/completions', completion_window='24h', metadata={'k': 'v'}
    )
    assert (batch.status, batch.metadata, batch.completion_window) == ('validating', {'k': 'v'}, '24h')

    statuses = [(await client.batches.retrieve(batch.id)).status for _ in range(4)]

    assert statuses == ['in_progress', 'finalizing', 'completed', 'completed']
    final = await client.batches.retrieve(batch.id)
    assert final.request_counts is not None
    assert (final.request_counts.total, final.request_counts.completed, final.request_counts.failed) == (6, 5, 1)
    assert final.output_file_id and final.error_file_id and final.completed_at
    output = [json.loads(x) for x in (await (await client.files.content(final.output_file_id)).read()).splitlines()]
    errors = [json.loads(x) for x in (await (await client.files.content(final.error_file_id)).read()).splitlines()]
    assert sorted(o['custom_id'] for o in output) == ['c0', 'c1', 'c3', 'c4', 'c5']
    assert [o['custom_id'] for o in output] != ['c0', 'c1', 'c3', 'c4', 'c5']
    first = output[0]
    assert first['response']['status_code'] == 200 and first['error'] is None
    assert first['response']['body']['choices'][0]['message']['content'] == first['custom_id']
    assert first['response']['body']['model'] == 'llama-3.1-8b-instant'
    assert errors[0]['custom_id'] == 'c2' and errors[0]['response']['status_code'] == 429
    listing = await client.batches.list()
    assert [b.id for b in listing.data or []] == [batch.id]


async def test_an_expired_batch_writes_batch_expired_lines_for_what_never_ran(
    client: groq.AsyncGroq, server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(outcome='expired', finished_before_end=1, shuffle=False)
    uploaded = await client.files.create(file=('in.jsonl', line('a', 'a') + b'\n' + line('b', 'b')), purpose='batch')
    assert uploaded.id is not None
    batch = await client.batches.create(
        input_file_id=uploaded.id, endpoint='/v1/chat/completions', completion_window='24h'
    )
    for _ in range(3):
        final = await client.batches.retrieve(batch.id)
    assert final.status == 'expired' and final.expired_at
    assert final.error_file_id is not None
    errors = [json.loads(x) for x in (await (await client.files.content(final.error_file_id)).read()).splitlines()]
    assert errors == [
        {
            'id': errors[0]['id'],
            'custom_id': 'b',
            'response': None,
            'error': {
                'code': 'batch_expired',
                'message': 'This request could not be executed before the completion window expired.',
            },
        }
    ]


@pytest.mark.parametrize(
    ('data', 'line_number', 'words'),
    [
        (b'{"custom_id": "a"\n', 1, 'not valid JSON'),
        (line('a', 'x') + b'\n' + line('a', 'y'), 2, "custom_id 'a' is duplicated"),
        (line('a', 'x').replace(b'/v1/chat/completions', b'/v1/embeddings'), 1, 'url'),
        (b'\n\n', 0, 'no requests'),
    ],
)
async def test_validation_fails_the_batch_naming_the_line(
    client: groq.AsyncGroq, data: bytes, line_number: int, words: str
) -> None:
    uploaded = await client.files.create(file=('in.jsonl', data), purpose='batch')
    assert uploaded.id is not None
    batch = await client.batches.create(
        input_file_id=uploaded.id, endpoint='/v1/chat/completions', completion_window='24h'
    )
    failed = await client.batches.retrieve(batch.id)
    assert failed.status == 'failed' and failed.failed_at
    assert failed.errors is not None and failed.errors.data
    assert failed.errors.data[0].line == line_number
    assert words in (failed.errors.data[0].message or '')
    assert failed.output_file_id is None


async def test_bad_batch_requests_and_unknown_ids_get_groq_errors(client: groq.AsyncGroq) -> None:
    with pytest.raises(groq.NotFoundError, match='file file_nope not found'):
        await client.batches.create(input_file_id='file_nope', endpoint='/v1/chat/completions', completion_window='24h')
    with pytest.raises(groq.BadRequestError, match="'endpoint' must be"):
        await client.batches.create(input_file_id='x', endpoint='/v1/embeddings', completion_window='24h')  # type: ignore[arg-type]
    with pytest.raises(groq.NotFoundError):
        await client.batches.retrieve('batch_nope')
    with pytest.raises(groq.NotFoundError):
        await client.batches.cancel('batch_nope')


async def test_reset_forgets_files_and_batches_and_the_behaviour(
    client: groq.AsyncGroq, server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(outcome='failed')
    await client.files.create(file=('in.jsonl', line('a', 'a')), purpose='batch')
    server.reset()
    assert server.batches.files == {} and server.batches.batch_ids == []
    assert server.batches.behaviour == BatchBehaviour()
