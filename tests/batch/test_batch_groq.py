"""Batches through Groq's Batch API, over real sockets against the local test server's Files and Batches endpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

import httpx
import pytest

from pydantic_ai.batch import (
    BatchItem,
    BatchItemError,
    BatchItemUnfinished,
    BatchProgress,
    BatchResult,
    get_batch,
    submit_batch,
)
from pydantic_ai.direct import model_request_batch
from pydantic_ai.exceptions import ModelHTTPError, UserError
from pydantic_ai.messages import BinaryContent, ModelMessage, ModelRequest, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import OutputObjectDefinition
from pydantic_ai.tools import ToolDefinition
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import BatchBehaviour, GroqTestServer, wire

from support.constants import FAKE_GROQ_API_KEY, PROJECT_ROOT

pytestmark = [pytest.mark.asyncio]

MODEL = 'llama-3.3-70b-versatile'


@pytest.fixture
def make_model(server: GroqTestServer, http_client: httpx.AsyncClient) -> Callable[[], GroqModel]:
    """Fresh `GroqModel`s pointed at the test server, sharing the loopback client closed after the test."""

    def make() -> GroqModel:
        provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, http_client=http_client)
        return GroqModel(MODEL, provider=provider)

    return make


def prompt(text: str) -> list[ModelMessage]:
    return [ModelRequest.user_text_prompt(text)]


def items_for(*custom_ids: str) -> list[tuple[str | None, Sequence[ModelMessage]]]:
    return [(custom_id, prompt(f'echo {custom_id}')) for custom_id in custom_ids]


def text(result: BatchResult) -> str:
    assert result.response is not None, f'{result.custom_id} has no response: {result.error!r}'
    part = result.response.parts[0]
    assert isinstance(part, TextPart)
    return part.content


def input_lines(server: GroqTestServer) -> list[dict[str, Any]]:
    upload = next(r for r in server.requests if r.method == 'POST' and r.path == '/openai/v1/files')
    start = upload.body.index(b'{"custom_id"')
    end = upload.body.rindex(b'}\n') + 2
    return [json.loads(line) for line in upload.body[start:end].splitlines()]


def output_order(server: GroqTestServer, batch_id: str) -> list[str]:
    files = server.batches.files
    output = next(
        data for file_id, data in files.items() if data and b'"custom_id"' in data and b'"status_code":200' in data
    )
    return [json.loads(line)['custom_id'] for line in output.splitlines()]


async def test_results_come_back_in_input_order_joined_by_custom_id_although_the_output_is_shuffled(
    make_model: Callable[[], GroqModel],
    server: GroqTestServer,
) -> None:
    ids = [f'q{i}' for i in range(8)]
    results = await model_request_batch(make_model(), items_for(*ids), poll_interval=0)

    assert [r.custom_id for r in results] == ids
    assert [text(r) for r in results] == [f'echo {i}' for i in ids]
    assert all(r.error is None for r in results)
    batch_id = server.batches.batch_ids[0]
    written = output_order(server, batch_id)
    assert sorted(written) == sorted(ids) and written != ids, 'the server should have shuffled the output'
    response = results[0].response
    assert response is not None and response.usage.requests == 1 and response.provider_name == 'groq'
    lines = input_lines(server)
    assert [line['custom_id'] for line in lines] == ids
    assert {line['method'] for line in lines} == {'POST'} and {line['url'] for line in lines} == {
        '/v1/chat/completions'
    }
    create = next(r for r in server.requests if r.path == '/openai/v1/batches')
    assert create.json['endpoint'] == '/v1/chat/completions' and create.json['completion_window'] == '24h'


async def test_custom_ids_are_assigned_when_missing_and_never_clash_with_given_ones(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    items: list[Any] = [(None, prompt('a')), BatchItem(prompt('b')), ('item-0', prompt('c'))]
    results = await model_request_batch(make_model(), items, poll_interval=0)

    assert [r.custom_id for r in results] == ['item-0-1', 'item-1', 'item-0']
    assert [text(r) for r in results] == ['a', 'b', 'c']


async def test_a_batch_line_body_is_exactly_what_request_would_send_with_tools_output_mode_and_settings(
    make_model: Callable[[], GroqModel],
    server: GroqTestServer,
) -> None:
    weather = ToolDefinition('get_weather', 'Weather in a city.', {'type': 'object', 'properties': {'city': {}}})
    tools = ModelRequestParameters(function_tools=[weather], allow_text_result=False)
    native = ModelRequestParameters(
        output_mode='native',
        output_object=OutputObjectDefinition({'type': 'object', 'properties': {'n': {'type': 'integer'}}}, name='N'),
    )
    settings: dict[str, Any] = {'temperature': 0.1, 'max_tokens': 20, 'groq_reasoning_format': 'hidden', 'seed': 7}
    items = [
        BatchItem(prompt('weather in Paris?'), 'tools', settings, tools),  # type: ignore[arg-type]
        BatchItem(prompt('give n'), 'native', None, native),
    ]
    call = {'id': 'call_1', 'type': 'function', 'function': {'name': 'get_weather', 'arguments': '{"city":"Paris"}'}}
    server.batches.behaviour = BatchBehaviour(answers={'tools': wire.chat_completion(tool_calls=[call])})
    model = make_model()

    results = await model_request_batch(model, items, poll_interval=0)

    tool_response = results[0].response
    assert tool_response is not None and tool_response.finish_reason == 'tool_call'
    assert tool_response.parts == [ToolCallPart('get_weather', '{"city":"Paris"}', 'call_1')]
    assert text(results[1]) == 'give n'
    bodies = [line['body'] for line in input_lines(server)]
    for item, body in zip(items, bodies, strict=True):
        await model.request(list(item.messages), item.model_settings, item.model_request_parameters or tools)
        assert server.last_request.json == body
    assert bodies[0]['tool_choice'] == 'required' and bodies[0]['temperature'] == 0.1
    assert bodies[1]['response_format']['type'] == 'json_schema'


async def test_error_file_lines_become_model_http_errors_with_the_item_status_and_body(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(line_errors={'bad': 400, 'busy': 503})
    results = await model_request_batch(make_model(), items_for('ok', 'bad', 'busy'), poll_interval=0)

    assert text(results[0]) == 'echo ok'
    for result, status in zip(results[1:], (400, 503), strict=True):
        assert result.response is None
        assert isinstance(result.error, ModelHTTPError)
        assert result.error.status_code == status
        assert result.error.body == {
            'error': {
                'message': f'scripted error for {result.custom_id}',
                'type': 'invalid_request_error',
                'code': 'scripted_error',
            }
        }
        assert result.error.headers['x-request-id'].startswith('req_')


async def test_tool_use_failed_line_is_a_response_holding_the_failed_generation_as_request_does(
    make_model: Callable[[], GroqModel],
    server: GroqTestServer,
) -> None:
    body = wire.error_body('bad call', code='tool_use_failed', failed_generation='{"name": "f", "arguments": {"x": 1}}')
    server.batches.behaviour = BatchBehaviour(line_errors={'t': (400, body)})
    results = await model_request_batch(make_model(), items_for('t'), poll_interval=0)

    response = results[0].response
    assert results[0].error is None and response is not None
    assert response.finish_reason == 'error'
    assert response.provider_details is not None and response.provider_details['status_code'] == 400
    call = response.parts[0]
    assert isinstance(call, ToolCallPart) and call.tool_name == 'f' and call.args_as_dict() == {'x': 1}


async def test_an_expired_batch_keeps_what_finished_and_says_the_rest_expired(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(outcome='expired', finished_before_end=2)
    seen: list[BatchProgress] = []
    results = await model_request_batch(
        make_model(), items_for('a', 'b', 'c', 'd', 'e'), poll_interval=0, on_progress=seen.append
    )

    assert seen[-1].status == 'expired'
    assert [text(r) for r in results[:2]] == ['echo a', 'echo b']
    for result in results[2:]:
        assert result.response is None
        assert isinstance(result.error, BatchItemUnfinished)
        assert result.error.reason == 'expired'
        assert 'expired' in str(result.error) and 'completion window' in str(result.error)
        assert result.error.batch_id == seen[-1].batch_id


async def test_a_batch_that_fails_part_way_keeps_what_finished(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(outcome='failed', finished_before_end=1, line_errors={'b': 500})
    results = await model_request_batch(make_model(), items_for('a', 'b', 'c'), poll_interval=0)

    assert text(results[0]) == 'echo a'
    assert isinstance(results[1].error, BatchItemUnfinished) and results[1].error.reason == 'failed'
    assert isinstance(results[2].error, BatchItemUnfinished) and 'failed' in str(results[2].error)


async def test_a_batch_failing_validation_reports_the_bad_line_on_its_item(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    model = make_model()
    api = model.batch_api()
    good = api.prepare([BatchItem(prompt('x'), 'x')])
    prepared = good + good.replace(b'"custom_id":"x"', b'"custom_id":"y"').replace(b'"messages"', b'"nessages"')
    progress = await api.submit(prepared)
    job = get_batch(model, progress.batch_id)

    final = await job.wait(poll_interval=0)

    assert final.status == 'failed'
    assert final.details['errors']['data'][0]['line'] == 2
    results = await job.results()
    assert [r.custom_id for r in results] == ['x', 'y']
    assert isinstance(results[0].error, BatchItemUnfinished) and results[0].error.reason == 'failed'
    assert isinstance(results[1].error, BatchItemUnfinished) and results[1].error.reason == 'failed'
    assert 'invalid_request: body must be a chat completion request' in str(results[1].error)
    assert 'body must be' not in str(results[0].error)


async def test_cancel_moves_through_cancelling_to_cancelled_and_keeps_finished_items(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(cancel_keeps=1)
    model = make_model()
    job = await submit_batch(model, items_for('a', 'b', 'c'))
    assert job.batch_id.startswith('batch_') and job.last is not None and job.last.status == 'validating'

    cancelling = await job.cancel()
    assert cancelling.status == 'cancelling'
    statuses: list[str] = []
    final = await job.wait(poll_interval=0, on_progress=lambda p: statuses.append(p.status))

    assert final.status == 'cancelled' and statuses == ['cancelled']
    results = await job.results()
    assert text(results[0]) == 'echo a'
    for result in results[1:]:
        assert isinstance(result.error, BatchItemUnfinished) and result.error.reason == 'cancelled'
    with pytest.raises(ModelHTTPError) as caught:
        await job.cancel()
    assert caught.value.status_code == 400


async def test_progress_callback_sees_every_status_in_order_and_may_be_async(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    seen: list[tuple[str, int, int]] = []

    async def on_progress(progress: BatchProgress) -> None:
        seen.append((progress.status, progress.completed, progress.total))

    server.batches.behaviour = BatchBehaviour(line_errors={'b': 400})
    await model_request_batch(make_model(), items_for('a', 'b', 'c'), poll_interval=0, on_progress=on_progress)

    assert seen == [('validating', 0, 0), ('in_progress', 0, 3), ('finalizing', 2, 3), ('completed', 2, 3)]


@pytest.mark.parametrize('outcome', ['expired', 'failed'])
async def test_progress_never_goes_backwards_when_a_batch_ends_before_every_line_ran(
    make_model: Callable[[], GroqModel], server: GroqTestServer, outcome: Literal['expired', 'failed']
) -> None:
    seen: list[tuple[str, int, int]] = []
    server.batches.behaviour = BatchBehaviour(outcome=outcome, finished_before_end=3, line_errors={'b': 400})
    await model_request_batch(
        make_model(),
        items_for('a', 'b', 'c', 'd', 'e'),
        poll_interval=0,
        on_progress=lambda p: seen.append((p.status, p.completed + p.failed, p.total)),
    )

    # Three lines ran (one of them failed) before the end; the batch never claimed all five were done.
    assert seen == [('validating', 0, 0), ('in_progress', 0, 5), (outcome, 3, 5)]


async def test_stage_timing_holds_each_status_for_the_configured_time(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(stage_seconds=0.2)
    seen: list[str] = []
    started = time.monotonic()
    await model_request_batch(
        make_model(), items_for('a'), poll_interval=0.01, on_progress=lambda p: seen.append(p.status)
    )
    elapsed = time.monotonic() - started

    assert elapsed >= 0.6, 'three statuses held 0.2 s each come before completed'
    assert len(seen) > 4, 'polls during a held status see it again'
    assert [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s] == [
        'validating',
        'in_progress',
        'finalizing',
        'completed',
    ]


async def test_a_fresh_model_resumes_from_the_batch_id_alone_in_input_order(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    ids = ['z', 'y', 'x', 'w']
    job = await submit_batch(make_model(), items_for(*ids))

    resumed = get_batch(make_model(), job.batch_id)
    assert resumed.custom_ids is None
    await resumed.wait(poll_interval=0)
    results = await resumed.results()

    assert [r.custom_id for r in results] == ids
    assert [text(r) for r in results] == [f'echo {i}' for i in ids]


async def test_another_process_resumes_with_only_the_batch_id(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    batch_id = (await submit_batch(make_model(), items_for('one', 'two', 'three'))).batch_id
    script = textwrap.dedent(
        f"""
        import asyncio, json
        from pydantic_ai.batch import get_batch
        from pydantic_ai_groq import GroqModel, GroqProvider

        async def main():
            model = GroqModel({MODEL!r}, provider=GroqProvider(api_key='gsk-x', base_url={server.base_url!r}))
            job = get_batch(model, {batch_id!r})
            await job.wait(poll_interval=0)
            results = await job.results()
            print(json.dumps([[r.custom_id, r.response.parts[0].content] for r in results]))

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, '-c', script], capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [['one', 'echo one'], ['two', 'echo two'], ['three', 'echo three']]


async def test_a_bad_item_is_reported_with_its_index_before_anything_is_uploaded(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    audio = [ModelRequest.user_text_prompt([BinaryContent(b'RIFF', media_type='audio/wav')])]  # type: ignore[arg-type]
    items: list[Any] = [('a', prompt('fine')), ('b', audio)]
    with pytest.raises(BatchItemError) as caught:
        await model_request_batch(make_model(), items, poll_interval=0)
    assert caught.value.index == 1 and caught.value.custom_id == 'b'
    assert str(caught.value).startswith("Batch item 1 (custom_id 'b'): ") and 'audio/wav' in str(caught.value)
    assert server.request_count == 0


@pytest.mark.parametrize(
    ('items', 'index', 'words'),
    [
        ([('a', prompt('x')), ('a', prompt('y'))], 1, 'also used by item 0'),
        ([('a', prompt('x')), ('b', 'just a string')], 1, 'non-empty list'),
        ([('a', prompt('x')), ('', prompt('y'))], 1, 'non-empty string'),
        ([('a', prompt('x')), ('b', [])], 1, 'non-empty list'),
        ([('a', prompt('x')), 42], 1, 'BatchItem'),
        ([BatchItem(prompt('x'), 'h', {'extra_headers': {'X': '1'}})], 0, 'extra_headers'),
        ([BatchItem(prompt('x'), 'h', {'temperature': 'hot'})], 0, 'temperature'),
    ],
)
async def test_bad_items_are_refused_before_upload(
    make_model: Callable[[], GroqModel], server: GroqTestServer, items: list[Any], index: int, words: str
) -> None:
    with pytest.raises(BatchItemError) as caught:
        await model_request_batch(make_model(), items, poll_interval=0)
    assert caught.value.index == index
    assert words in str(caught.value)
    assert server.request_count == 0


async def test_empty_or_non_list_items_are_a_user_error(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    for bad in ([], 'abc', None):
        with pytest.raises(UserError, match='items'):
            await model_request_batch(make_model(), bad, poll_interval=0)  # type: ignore[arg-type]
    assert server.request_count == 0


async def test_a_model_without_batch_support_raises_a_user_error() -> None:
    from pydantic_ai.messages import ModelResponse
    from pydantic_ai.models import Model
    from pydantic_ai.usage import Usage

    class PlainModel(Model):
        async def request(self, messages: Any, model_settings: Any, params: Any) -> tuple[ModelResponse, Usage]:
            raise NotImplementedError

        @property
        def model_name(self) -> str:
            return 'plain'

        @property
        def system(self) -> str:
            return 'plain-provider'

    with pytest.raises(UserError, match=r'PlainModel \(provider .plain-provider.\) does not support batches'):
        await model_request_batch(PlainModel(), items_for('a'))
    with pytest.raises(UserError, match='`model` must be'):
        await model_request_batch(42, items_for('a'))  # type: ignore[arg-type]


@pytest.mark.forbid_model_requests
async def test_submitting_respects_the_allow_model_requests_switch(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    with pytest.raises(UserError, match='Model requests are disabled'):
        await model_request_batch(make_model(), items_for('a'))
    assert server.request_count == 0


async def test_results_before_the_batch_is_done_and_wait_timeouts_say_what_to_do(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    server.batches.behaviour = BatchBehaviour(stage_seconds=30)
    job = await submit_batch(make_model(), items_for('a'))
    with pytest.raises(UserError, match='still validating: wait for it'):
        await job.results()
    with pytest.raises(TimeoutError, match='resume it later'):
        await job.wait(poll_interval=0.01, timeout=0.05)
    with pytest.raises(UserError, match='poll_interval'):
        await job.wait(poll_interval=-1)


async def test_an_unknown_batch_id_is_a_model_http_error_404(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    with pytest.raises(ModelHTTPError) as caught:
        await get_batch(make_model(), 'batch_nope').status()
    assert caught.value.status_code == 404
    with pytest.raises(UserError, match='batch_id'):
        get_batch(make_model(), '')


async def test_completion_window_and_metadata_reach_groq(
    make_model: Callable[[], GroqModel], server: GroqTestServer
) -> None:
    model = make_model()
    api = model.batch_api(completion_window='7d')
    progress = await api.submit(api.prepare([BatchItem(prompt('x'), 'x')]), metadata={'job': 'nightly'})
    assert progress.details['completion_window'] == '7d'
    assert progress.details['metadata'] == {'job': 'nightly'}
    assert 'gsk' not in repr(api)
    with pytest.raises(UserError, match='completion_window'):
        model.batch_api(completion_window='')
