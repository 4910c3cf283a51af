"""`pydantic_ai_groq.testing`: the Groq-compatible test server, through raw httpx and the real groq SDK."""

from __future__ import annotations

import ast
import asyncio
import gc
import json
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import groq
import httpx
import pytest
import pytest_asyncio

import pydantic_ai_groq.testing
from pydantic_ai_groq.testing import (
    CHAT_COMPLETIONS_PATH,
    GroqTestServer,
    ScriptedResponse,
    ToolCall,
    close_connection,
    http_error,
    json_response,
    raw_response,
    raw_sse,
    repeated_text_stream,
    reset_connection,
    streamed_error,
    streamed_text,
    streamed_tool_call,
    streamed_tool_calls,
    text_completion,
    tool_call_completion,
    wire,
)

from support.constants import FAKE_GROQ_API_KEY

pytestmark = pytest.mark.asyncio

MESSAGES = [{'role': 'user', 'content': 'Say hello'}]
MODEL = 'llama-3.3-70b-versatile'

# Key orders of Groq's wire format, read off real recordings (openllmetry__test_chat_legacy.yaml,
# openllmetry__test_chat_streaming_legacy.yaml in ../shared/cassettes/groq-recorded/).
COMPLETION_KEYS = ['id', 'object', 'created', 'model', 'choices', 'usage', 'system_fingerprint', 'x_groq']
CHOICE_KEYS = ['index', 'message', 'logprobs', 'finish_reason']
USAGE_KEYS = [
    'queue_time',
    'prompt_tokens',
    'prompt_time',
    'completion_tokens',
    'completion_time',
    'total_tokens',
    'total_time',
]
CHUNK_KEYS = ['id', 'object', 'created', 'model', 'system_fingerprint', 'choices']
CHUNK_CHOICE_KEYS = ['index', 'delta', 'logprobs', 'finish_reason']
RATE_LIMIT_HEADERS = [
    'x-ratelimit-limit-requests',
    'x-ratelimit-limit-tokens',
    'x-ratelimit-remaining-requests',
    'x-ratelimit-remaining-tokens',
    'x-ratelimit-reset-requests',
    'x-ratelimit-reset-tokens',
]


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # Plain HTTP on loopback: skip loading the CA bundle (~100 ms per client).
    async with httpx.AsyncClient(timeout=5, verify=False) as client:
        yield client


@pytest_asyncio.fixture
async def client(server: GroqTestServer) -> AsyncIterator[groq.AsyncGroq]:
    async with groq.AsyncGroq(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, max_retries=0) as sdk_client:
        yield sdk_client


def sse_payloads(body: bytes) -> list[str]:
    """The `data:` payloads of an SSE body, checking every frame is `data: ...\\n\\n`-framed."""
    assert body.endswith(b'\n\n')
    frames = body.decode().split('\n\n')[:-1]
    payloads = []
    for frame in frames:
        assert frame.startswith('data: '), frame
        payloads.append(frame.removeprefix('data: '))
    return payloads


# -- packaging ------------------------------------------------------------------------------------------------


async def test_testing_all_is_pinned() -> None:
    assert set(pydantic_ai_groq.testing.__all__) == {
        'BatchBehaviour',
        'BatchService',
        'CHAT_COMPLETIONS_PATH',
        'MODELS_PATH',
        'DefaultResponse',
        'RateLimitEvent',
        'RateLimitLedger',
        'RateLimits',
        'GroqFake',
        'GroqTestServer',
        'RecordedRequest',
        'RetiredCode',
        'ScriptedResponse',
        'ToolCall',
        'close_connection',
        'echo_response',
        'http_error',
        'json_response',
        'model_decommissioned',
        'model_not_found',
        'raw_response',
        'raw_sse',
        'refuse_retired_models',
        'repeated_text_stream',
        'reset_connection',
        'streamed_error',
        'streamed_text',
        'streamed_tool_call',
        'streamed_tool_calls',
        'text_completion',
        'tool_call_completion',
        'wire',
        'ToolRun',
        'browser_automation_run',
        'browser_search_run',
        'capacity_exceeded',
        'cited_completion',
        'document_citation',
        'function_citation',
        'python_run',
        'search_run',
        'streamed_cited_text',
        'streamed_tool_run_completion',
        'tool_run_completion',
        'usage_breakdown',
        'visit_run',
        'wolfram_run',
    }
    for name in pydantic_ai_groq.testing.__all__:
        assert getattr(pydantic_ai_groq.testing, name) is not None


async def test_importing_testing_leaves_the_fake_unloaded_until_used() -> None:
    """The socket server's modules need only the standard library; the in-process fake is loaded when first used."""
    code = (
        'import sys, pydantic_ai_groq.testing as t; before = "pydantic_ai_groq.testing.fake" in sys.modules; '
        't.GroqFake; '
        'print(before, "pydantic_ai_groq.testing.fake" in sys.modules)'
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ['False', 'True']


async def test_importing_the_plugin_does_not_import_testing() -> None:
    code = 'import sys, pydantic_ai_groq; print("pydantic_ai_groq.testing" in sys.modules)'
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == 'False'


async def test_testing_package_imports_only_the_standard_library() -> None:
    """All but the in-process fake (`fake.py`, which drives a real `AsyncGroq`) need only the standard library."""
    package = Path(pydantic_ai_groq.testing.__file__).parent
    modules = sorted(path for path in package.glob('*.py') if path.name != 'fake.py')
    assert len(modules) >= 4
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or '']
            else:
                continue
            for name in names:
                top = name.split('.')[0]
                assert top in sys.stdlib_module_names or top == '__future__', f'{path.name} imports {name}'


# -- lifecycle ------------------------------------------------------------------------------------------------


async def test_base_url_is_loopback_on_a_free_port(server: GroqTestServer) -> None:
    assert server.port > 0
    assert server.base_url == f'http://127.0.0.1:{server.port}'
    assert server.chat_completions_url == f'http://127.0.0.1:{server.port}/openai/v1/chat/completions'
    assert CHAT_COMPLETIONS_PATH == '/openai/v1/chat/completions'


async def test_two_servers_get_different_ports() -> None:
    with GroqTestServer() as first, GroqTestServer() as second:
        assert first.port != second.port


async def test_explicit_start_and_stop_join_the_thread_and_free_the_port(http: httpx.AsyncClient) -> None:
    server = GroqTestServer()
    assert not server.is_running
    with pytest.raises(RuntimeError, match='not running'):
        server.base_url  # noqa: B018
    assert server.start() is server
    url = server.chat_completions_url
    response = await http.post(url, json={'model': MODEL, 'messages': MESSAGES})
    assert response.status_code == 200
    with pytest.raises(RuntimeError, match='already running'):
        server.start()
    server.stop()
    server.stop()  # idempotent
    assert not server.is_running
    assert not [t for t in threading.enumerate() if t.name == 'GroqTestServer']
    assert server.open_connections == 0
    with pytest.raises(httpx.TransportError):
        await http.post(url, json={'model': MODEL, 'messages': MESSAGES})


async def test_stop_closes_connections_in_the_middle_of_a_stream(http: httpx.AsyncClient) -> None:
    server = GroqTestServer().start()
    server.enqueue(streamed_text(['x'] * 100).with_frame_delay(0.05))
    async with http.stream('POST', server.chat_completions_url, json={}) as response:
        lines = response.aiter_lines()
        assert (await lines.__anext__()).startswith('data: ')
        started = time.monotonic()
        await asyncio.to_thread(server.stop)
        assert time.monotonic() - started < 2
        with pytest.raises(httpx.TransportError):
            async for _ in lines:
                pass
    assert server.open_connections == 0


async def test_stop_leaves_no_resource_warning(http: httpx.AsyncClient) -> None:
    server = GroqTestServer().start()
    server.enqueue(text_completion(), streamed_text(['x'] * 50).with_frame_delay(0.05))
    await http.post(server.chat_completions_url, json={})  # an idle kept-alive connection
    async with httpx.AsyncClient(verify=False) as other:
        async with other.stream('POST', server.chat_completions_url, json={}) as response:
            await response.aiter_bytes().__anext__()  # a connection in the middle of a slow stream
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                await asyncio.to_thread(server.stop)
                gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert server.open_connections == 0


# -- wire format ----------------------------------------------------------------------------------------------


async def test_text_completion_has_groqs_shape_and_headers(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(text_completion('Hello there!', model='m-1', prompt_tokens=7, completion_tokens=3))
    response = await http.post(server.chat_completions_url, json={'model': MODEL, 'messages': MESSAGES})
    assert response.status_code == 200
    assert response.headers['content-type'] == 'application/json'
    assert int(response.headers['content-length']) == len(response.content)
    for name in RATE_LIMIT_HEADERS:
        assert response.headers[name]
    body = response.json()
    assert list(body) == COMPLETION_KEYS
    assert body['id'].startswith('chatcmpl-')
    assert body['object'] == 'chat.completion'
    assert isinstance(body['created'], int)
    assert body['model'] == 'm-1'
    assert list(body['choices'][0]) == CHOICE_KEYS
    assert body['choices'][0]['message'] == {'role': 'assistant', 'content': 'Hello there!'}
    assert body['choices'][0]['finish_reason'] == 'stop'
    assert list(body['usage']) == USAGE_KEYS
    assert (body['usage']['prompt_tokens'], body['usage']['completion_tokens'], body['usage']['total_tokens']) == (
        7,
        3,
        10,
    )
    assert body['x_groq']['id'].startswith('req_')
    assert response.headers['x-request-id'] == body['x_groq']['id']


async def test_text_completion_through_the_groq_sdk(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    server.enqueue(text_completion('Hi!', prompt_tokens=5, completion_tokens=2))
    completion = await client.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == 'Hi!'
    assert completion.choices[0].finish_reason == 'stop'
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (5, 2)
    assert completion.x_groq is not None and completion.x_groq.id.startswith('req_')


async def test_tool_call_completion_through_the_groq_sdk(
    server: GroqTestServer, client: groq.AsyncGroq, http: httpx.AsyncClient
) -> None:
    calls = (ToolCall('get_weather', {'city': 'Paris'}, 'call_1'), ToolCall('get_time', '{}', 'c2'))
    server.enqueue(tool_call_completion(*calls), tool_call_completion(*calls))
    completion = await client.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
    message = completion.choices[0].message
    assert message.content is None
    assert completion.choices[0].finish_reason == 'tool_calls'
    assert message.tool_calls is not None
    assert [(c.id, c.type, c.function.name, c.function.arguments) for c in message.tool_calls] == [
        ('call_1', 'function', 'get_weather', '{"city":"Paris"}'),
        ('c2', 'function', 'get_time', '{}'),
    ]
    raw = (await http.post(server.chat_completions_url, json={})).json()
    # As on Groq: no `content` key next to tool calls, and each call is `id, type, function`.
    assert list(raw['choices'][0]['message']) == ['role', 'tool_calls']
    assert list(raw['choices'][0]['message']['tool_calls'][0]) == ['id', 'type', 'function']


async def test_every_scripted_tool_call_without_an_id_gets_a_unique_one(
    server: GroqTestServer, http: httpx.AsyncClient
) -> None:
    call = ToolCall('get_weather', {'city': 'Paris'})
    server.enqueue(
        tool_call_completion(call, ToolCall('get_time')),
        tool_call_completion(call),
        streamed_tool_calls(call, ToolCall('get_time')),
        streamed_tool_call('get_weather'),
    )
    ids: list[str] = []
    for _ in range(2):
        message = (await http.post(server.chat_completions_url, json={})).json()['choices'][0]['message']
        ids += [c['id'] for c in message['tool_calls']]
    for _ in range(2):
        response = await http.post(server.chat_completions_url, json={'stream': True})
        for line in response.text.splitlines():
            if line.startswith('data: {'):
                for delta in json.loads(line[6:])['choices'][0]['delta'].get('tool_calls', []):
                    ids += [delta['id']] if 'id' in delta else []

    assert len(ids) == 6 and len(set(ids)) == 6
    assert all(i.startswith('call_') and len(i) == len('call_') + 24 for i in ids)
    assert tool_call_completion(ToolCall('f', id='mine')).body.count(b'"id":"mine"') == 1  # a given id is kept


async def test_streamed_text_has_groqs_frames(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(streamed_text(['Hel', 'lo', ' wörld'], prompt_tokens=4))
    response = await http.post(server.chat_completions_url, json={'stream': True})
    assert response.status_code == 200
    assert response.headers['content-type'] == 'text/event-stream'
    assert response.headers['transfer-encoding'] == 'chunked'
    payloads = sse_payloads(response.content)
    assert payloads[-1] == '[DONE]'
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert len(chunks) == 5
    for chunk in chunks:
        assert list(chunk)[:6] == CHUNK_KEYS
        assert list(chunk['choices'][0]) == CHUNK_CHOICE_KEYS
        assert chunk['object'] == 'chat.completion.chunk'
        assert chunk['id'] == chunks[0]['id']
    assert chunks[0]['choices'][0]['delta'] == {'role': 'assistant', 'content': ''}
    assert chunks[0]['x_groq']['id'] == response.headers['x-request-id']
    assert [c['choices'][0]['delta'].get('content') for c in chunks[1:4]] == ['Hel', 'lo', ' wörld']
    assert all('x_groq' not in c for c in chunks[1:4])
    last = chunks[-1]
    assert last['choices'][0] == {'index': 0, 'delta': {}, 'logprobs': None, 'finish_reason': 'stop'}
    assert list(last['x_groq']['usage']) == USAGE_KEYS
    assert last['x_groq']['usage']['prompt_tokens'] == 4
    assert last['x_groq']['usage']['completion_tokens'] == 3


async def test_streamed_text_through_the_groq_sdk(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c']))
    stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
    chunks = [chunk async for chunk in stream]
    assert ''.join(c.choices[0].delta.content or '' for c in chunks) == 'abc'
    assert chunks[0].x_groq is not None and chunks[0].x_groq.id.startswith('req_')
    assert chunks[-1].x_groq is not None and chunks[-1].x_groq.usage is not None
    assert chunks[-1].x_groq.usage.completion_tokens == 3


async def test_streamed_tool_call_arrives_in_fragments(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    arguments = {'city': 'Paris', 'days': [1, 2, 3]}
    server.enqueue(streamed_tool_call('get_weather', arguments, fragments=5, call_id='call_w', text_before=['Hm']))
    stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
    deltas = [
        call for chunk in [c async for c in stream] if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()
    ]
    assert len(deltas) == 6
    opening = deltas[0]
    assert (opening.index, opening.id, opening.type) == (0, 'call_w', 'function')
    assert opening.function is not None and (opening.function.name, opening.function.arguments) == ('get_weather', '')
    for fragment in deltas[1:]:
        assert fragment.index == 0 and fragment.id is None and fragment.function is not None
        assert fragment.function.name is None
    assert json.loads(''.join(d.function.arguments or '' for d in deltas if d.function)) == arguments


async def test_streamed_tool_calls_get_consecutive_indexes(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(streamed_tool_calls(ToolCall('a', '{"x":1}', 'id_a'), ToolCall('b', '{}', 'id_b'), fragments=2))
    response = await http.post(server.chat_completions_url, json={})
    chunks = [json.loads(p) for p in sse_payloads(response.content)[:-1]]
    calls = [call for c in chunks for call in c['choices'][0]['delta'].get('tool_calls', ())]
    assert [(c['index'], c.get('id')) for c in calls] == [
        (0, 'id_a'),
        (0, None),
        (0, None),
        (1, 'id_b'),
        (1, None),
        (1, None),
    ]
    assert chunks[-1]['choices'][0]['finish_reason'] == 'tool_calls'


async def test_streamed_error_is_an_error_event_the_sdk_raises_after_the_chunks(
    server: GroqTestServer, client: groq.AsyncGroq, http: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_error('Tool call validation failed', failed_generation='{"x"', text_before=['So']))
    stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
    received: list[str] = []
    with pytest.raises(groq.APIError) as exc_info:
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content or '')
    assert received == ['', 'So']
    assert exc_info.value.body == {
        'message': 'Tool call validation failed',
        'type': 'invalid_request_error',
        'code': 'tool_use_failed',
        'failed_generation': '{"x"',
        'status_code': 400,
    }
    server.enqueue(streamed_error())
    raw = (await http.post(server.chat_completions_url, json={})).content.decode()
    assert raw.endswith('}}\n\n')
    assert '\n\nevent: error\ndata: {"error":{' in raw
    assert '[DONE]' not in raw


async def test_http_error_has_groqs_error_body_and_headers(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    server.enqueue(http_error(429, retry_after=7, headers={'x-custom': 'yes'}))
    with pytest.raises(groq.RateLimitError) as exc_info:
        await client.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
    error = exc_info.value
    assert error.status_code == 429
    assert error.response.headers['retry-after'] == '7'
    assert error.response.headers['x-custom'] == 'yes'
    assert error.response.headers['content-type'] == 'application/json'
    body = error.body
    assert isinstance(body, dict)
    assert set(body) == {'error'}
    assert set(body['error']) == {'message', 'type', 'code'}
    assert body['error']['code'] == 'rate_limit_exceeded'
    assert body['error']['type'] == 'tokens'


@pytest.mark.parametrize('status', [400, 401, 404, 500, 502, 503, 418])
async def test_http_error_statuses(server: GroqTestServer, http: httpx.AsyncClient, status: int) -> None:
    server.enqueue(http_error(status, 'boom', code='c'))
    response = await http.post(server.chat_completions_url, json={})
    assert response.status_code == status
    assert response.json()['error']['message'] == 'boom'
    assert response.json()['error']['code'] == 'c'


async def test_unknown_path_gets_a_404_in_groqs_error_shape(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(text_completion('not for you'))
    response = await http.get(server.base_url + '/openai/v1/embeddings')
    assert response.status_code == 404
    error = response.json()['error']
    assert set(error) == {'message', 'type', 'code'}
    assert 'GET /openai/v1/embeddings' in error['message']
    assert server.request_count == 1
    assert server.pending == 1  # the scripted response is kept for the chat endpoint


async def test_raw_response_sends_any_bytes(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(raw_response(b'\xff\xfe{not json', status=200, headers={'x-extra': '1'}))
    response = await http.post(server.chat_completions_url, json={})
    assert response.content == b'\xff\xfe{not json'
    assert response.headers['content-type'] == 'application/json'
    assert response.headers['x-extra'] == '1'


async def test_raw_sse_sends_exactly_the_frames(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(raw_sse([{'a': 1}, 'data: not json', b'data: raw\n\n']))
    assert (await http.post(server.chat_completions_url, json={})).content == (
        b'data: {"a":1}\n\ndata: not json\n\ndata: raw\n\n'
    )
    server.enqueue(raw_sse([], done=True))
    assert (await http.post(server.chat_completions_url, json={})).content == b'data: [DONE]\n\n'
    server.enqueue(raw_sse([]))
    response = await http.post(server.chat_completions_url, json={})
    assert response.status_code == 200
    assert response.content == b''


async def test_json_response_sends_any_json(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    body = wire.chat_completion('x')
    del body['choices']
    server.enqueue(json_response(body, status=200))
    assert (await http.post(server.chat_completions_url, json={})).json() == body


async def test_large_streams_are_cheap_to_build_and_serve(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    started = time.perf_counter()
    many = streamed_text([f'tok{i} ' for i in range(20_000)])
    repeated = repeated_text_stream(20_000, 'ab')
    assert time.perf_counter() - started < 1
    assert many.frame_count == repeated.frame_count == 20_003
    for response in (many, repeated):
        server.enqueue(response)
        cpu_before = server.cpu_time
        body = (await http.post(server.chat_completions_url, json={})).content
        assert server.cpu_time - cpu_before < 0.1
        assert body.count(b'\n\n') == 20_003
    payloads = sse_payloads(body)
    text = ''.join(json.loads(p)['choices'][0]['delta'].get('content', '') for p in payloads[:-1])
    assert text == 'ab' * 20_000


# -- scripting ------------------------------------------------------------------------------------------------


async def test_responses_are_served_in_order_and_repeat(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(http_error(503).repeat(2), text_completion('third'))
    assert server.pending == 3
    statuses = [(await http.post(server.chat_completions_url, json={})).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert server.pending == 0
    assert server.request_count == 3


async def test_empty_queue_echoes_the_last_user_message(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    messages = [{'role': 'user', 'content': 'first'}, {'role': 'assistant', 'content': 'x'}]
    messages.append({'role': 'user', 'content': 'echo me please'})
    completion = await client.chat.completions.create(model='some-model', messages=messages)  # type: ignore[arg-type]
    assert completion.choices[0].message.content == 'echo me please'
    assert completion.model == 'some-model'
    stream = await client.chat.completions.create(model=MODEL, messages=messages, stream=True)  # type: ignore[arg-type]
    pieces = [c.choices[0].delta.content or '' async for c in stream if c.choices]
    assert ''.join(pieces) == 'echo me please'
    assert len([p for p in pieces if p]) == 3


async def test_set_default_replaces_the_echo(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.set_default(http_error(500))
    assert (await http.post(server.chat_completions_url, json={})).status_code == 500
    server.set_default(lambda request: text_completion(f'seen {request.json["n"]}'))
    response = await http.post(server.chat_completions_url, json={'n': 3})
    assert response.json()['choices'][0]['message']['content'] == 'seen 3'
    server.set_default(None)
    response = await http.post(server.chat_completions_url, json={'messages': [{'role': 'user', 'content': 'e'}]})
    assert response.json()['choices'][0]['message']['content'] == 'e'


async def test_a_default_function_that_raises_gets_a_500(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    def broken(request: object) -> ScriptedResponse:
        raise LookupError('no such fixture')

    server.set_default(broken)
    response = await http.post(server.chat_completions_url, json={})
    assert response.status_code == 500
    assert 'LookupError: no such fixture' in response.json()['error']['message']


async def test_builders_validate_their_arguments(server: GroqTestServer) -> None:
    with pytest.raises(ValueError):
        text_completion().with_stall(-1)
    with pytest.raises(ValueError):
        text_completion().with_stall(float('nan'))
    with pytest.raises(ValueError):
        text_completion().with_reset_after(-1)
    with pytest.raises(ValueError):
        text_completion().repeat(0)
    with pytest.raises(ValueError):
        streamed_tool_call('f', fragments=0)
    with pytest.raises(ValueError):
        tool_call_completion()
    with pytest.raises(TypeError):
        server.enqueue('not a response')  # type: ignore[arg-type]
    response = text_completion().with_headers({'X-A': '1'}).with_headers({'x-a': '2'})
    assert [h for h in response.headers if h[0] == 'x-a'] == [('x-a', '2')]
    assert isinstance(response, ScriptedResponse)


async def test_reset_forgets_queue_and_records(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(http_error(500))
    await http.post(server.chat_completions_url, json={})
    server.enqueue(http_error(500))
    server.reset()
    assert (server.request_count, server.pending, server.disconnects) == (0, 0, 0)
    assert (await http.post(server.chat_completions_url, json={})).status_code == 200


# -- observability --------------------------------------------------------------------------------------------


async def test_requests_are_recorded(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    await client.chat.completions.create(model=MODEL, messages=MESSAGES, temperature=0.5)  # type: ignore[arg-type]
    (request,) = server.requests
    assert request is server.last_request
    assert (request.method, request.path) == ('POST', CHAT_COMPLETIONS_PATH)
    assert request.headers['authorization'] == f'Bearer {FAKE_GROQ_API_KEY}'
    assert request.headers['content-type'] == 'application/json'
    assert all(name == name.lower() for name in request.headers)
    assert request.json == {'model': MODEL, 'messages': MESSAGES, 'temperature': 0.5}
    assert json.loads(request.body) == request.json
    assert not request.is_stream
    assert request.connection_id == 1


async def test_last_request_without_requests_raises(server: GroqTestServer) -> None:
    with pytest.raises(LookupError):
        server.last_request  # noqa: B018


async def test_non_json_request_body_is_recorded_raw(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    await http.post(server.chat_completions_url + '?a=1', content=b'\x00not json')
    request = server.last_request
    assert (request.body, request.json, request.query) == (b'\x00not json', None, 'a=1')


async def test_chunked_request_bodies_are_read(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"model": '
        yield b'"m", "messages": []}'

    response = await http.post(server.chat_completions_url, content=body())
    assert response.status_code == 200
    assert server.last_request.json == {'model': 'm', 'messages': []}


async def test_malformed_request_gets_a_400(server: GroqTestServer) -> None:
    reader, writer = await asyncio.open_connection('127.0.0.1', server.port)
    writer.write(b'NONSENSE\r\n\r\n')
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    assert data.startswith(b'HTTP/1.1 400 Bad Request\r\n')
    assert server.request_count == 0


async def test_keep_alive_reuses_one_connection(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await http.post(server.chat_completions_url, json={'stream': True})).status_code == 200
        assert (await http.post(server.chat_completions_url, json={})).status_code == 200
    assert server.connections_accepted == 1
    assert {r.connection_id for r in server.requests} == {1}
    assert server.open_connections == 1
    await http.aclose()
    assert await server.wait_for_no_connections_async(timeout=5)


async def test_connection_close_header_closes_the_connection(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    for _ in range(2):
        await http.post(server.chat_completions_url, json={}, headers={'connection': 'close'})
    assert server.connections_accepted == 2
    assert await server.wait_for_no_connections_async(timeout=5)


async def test_disconnect_during_a_slow_stream_is_observed(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(streamed_text(['tick'] * 100).with_frame_delay(0.02))
    async with http.stream('POST', server.chat_completions_url, json={}) as response:
        frames = 0
        async for line in response.aiter_lines():
            if line:
                assert line.startswith('data: ')
                frames += 1
            if frames == 3:
                break
    assert await server.wait_for_disconnect_async(timeout=5)
    assert server.disconnects == 1
    assert await server.wait_for_no_connections_async(timeout=5)


async def test_sync_wait_for_disconnect(server: GroqTestServer) -> None:
    server.enqueue(streamed_text(['tick'] * 100).with_frame_delay(0.02))

    def read_two_frames_and_leave() -> None:
        with httpx.Client() as sync_http, sync_http.stream('POST', server.chat_completions_url, json={}) as response:
            lines = response.iter_lines()
            assert next(lines).startswith('data: ')

    await asyncio.to_thread(read_two_frames_and_leave)
    assert server.wait_for_disconnect(timeout=5)
    assert server.wait_for_no_connections(timeout=5)
    assert not server.wait_for_disconnect(timeout=0.05, count=2)


async def test_complete_responses_are_not_disconnects(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(streamed_text(['a'] * 10).with_frame_delay(0.001), text_completion())
    await http.post(server.chat_completions_url, json={})
    await http.post(server.chat_completions_url, json={})
    await http.aclose()
    assert await server.wait_for_no_connections_async(timeout=5)
    assert server.disconnects == 0


# -- faults ---------------------------------------------------------------------------------------------------


async def test_stall_before_headers_makes_the_client_time_out(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(text_completion().with_stall(2))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await http.post(server.chat_completions_url, json={}, timeout=0.2)
    assert time.monotonic() - started < 1.5
    assert await server.wait_for_disconnect_async(timeout=5)


async def test_stall_mid_stream_times_out_after_the_first_frames(
    server: GroqTestServer, http: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c', 'd']).with_stall_after(3, 2))
    received: list[str] = []
    with pytest.raises(httpx.ReadTimeout):
        async with http.stream('POST', server.chat_completions_url, json={}, timeout=0.2) as response:
            async for line in response.aiter_lines():
                if line:
                    received.append(line)
    assert len(received) == 3


async def test_stall_that_ends_still_sends_the_whole_stream(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(streamed_text(['a', 'b']).with_stall_after(1, 0.05))
    response = await http.post(server.chat_completions_url, json={})
    assert sse_payloads(response.content)[-1] == '[DONE]'


async def test_reset_before_response(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(reset_connection())
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await http.post(server.chat_completions_url, json={})
    assert server.request_count == 1


async def test_reset_mid_stream_after_k_frames(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c', 'd', 'e']).with_reset_after(3))
    stream = await client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
    received: list[str] = []
    with pytest.raises(httpx.ReadError):
        async for chunk in stream:
            received.append(chunk.choices[0].delta.content or '')
    assert received == ['', 'a', 'b']
    assert await server.wait_for_no_connections_async(timeout=5)


async def test_close_without_response(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(close_connection())
    with pytest.raises(httpx.RemoteProtocolError, match='without sending a response'):
        await http.post(server.chat_completions_url, json={})


async def test_close_after_k_frames_truncates_the_body(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c']).with_close_after(2))
    with pytest.raises(httpx.RemoteProtocolError, match='incomplete'):
        await http.post(server.chat_completions_url, json={})
    server.enqueue(text_completion().with_close_after(0))
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post(server.chat_completions_url, json={})


async def test_cut_after_the_last_frame_still_leaves_the_body_incomplete(
    server: GroqTestServer, http: httpx.AsyncClient
) -> None:
    stream = streamed_text(['a'])
    server.enqueue(stream.with_close_after(stream.frame_count))
    with pytest.raises(httpx.RemoteProtocolError, match='incomplete'):
        await http.post(server.chat_completions_url, json={})


async def test_reset_after_headers_of_a_non_streamed_response(server: GroqTestServer, http: httpx.AsyncClient) -> None:
    server.enqueue(text_completion().with_reset_after(0))
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await http.post(server.chat_completions_url, json={})


# -- load -----------------------------------------------------------------------------------------------------


async def test_300_concurrent_requests_through_the_sdk(server: GroqTestServer) -> None:
    # Ten clients of 30 connections each: httpcore's pool scans every queued request on each event, so one client
    # with hundreds of queued requests would measure httpcore, not the server.
    http_clients = [httpx.AsyncClient(limits=httpx.Limits(max_connections=30), verify=False) for _ in range(10)]
    clients = [groq.AsyncGroq(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, http_client=h) for h in http_clients]

    async def one(i: int) -> str | None:
        messages = [{'role': 'user', 'content': f'request {i}'}]
        completion = await clients[i % 10].chat.completions.create(model=MODEL, messages=messages)  # type: ignore[arg-type]
        return completion.choices[0].message.content

    try:
        cpu_before = server.cpu_time
        answers = await asyncio.gather(*(one(i) for i in range(300)))
        cpu_used = server.cpu_time - cpu_before
    finally:
        for sdk_client in clients:
            await sdk_client.close()
    assert answers == [f'request {i}' for i in range(300)]
    assert server.request_count == 300
    assert server.peak_open_connections <= 300
    assert cpu_used < 1.0
    assert await server.wait_for_no_connections_async(timeout=5)


@pytest.fixture
def many_file_descriptors() -> Iterator[None]:
    """Room for 1,200 client and 1,200 server sockets in this process, on systems whose default is 1,024."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def raw_post(port: int, body: object) -> tuple[int, bytes]:
    """POST `body` as JSON on a fresh socket with `Connection: close`; the status and the (de-chunked) body."""
    payload = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    try:
        writer.write(
            b'POST /openai/v1/chat/completions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n'
            b'Connection: close\r\nContent-Length: %d\r\n\r\n%b' % (len(payload), payload)
        )
        data = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, rest = data.partition(b'\r\n\r\n')
    status = int(head.split(b' ', 2)[1])
    if b'transfer-encoding: chunked' not in head.lower():
        return status, rest
    body_bytes = bytearray()
    while True:
        size_line, _, rest = rest.partition(b'\r\n')
        size = int(size_line, 16)
        if size == 0:
            return status, bytes(body_bytes)
        body_bytes += rest[:size]
        rest = rest[size + 2 :]


async def test_1000_concurrent_requests_and_200_concurrent_streams(
    server: GroqTestServer, many_file_descriptors: None
) -> None:
    async def request(i: int) -> str:
        status, body = await raw_post(server.port, {'messages': [{'role': 'user', 'content': f'n{i}'}]})
        assert status == 200
        return str(json.loads(body)['choices'][0]['message']['content'])

    async def stream(i: int) -> str:
        messages = [{'role': 'user', 'content': f'streamed answer {i}'}]
        status, body = await raw_post(server.port, {'stream': True, 'messages': messages})
        assert status == 200
        chunks = [json.loads(p) for p in sse_payloads(body)[:-1]]
        return ''.join(c['choices'][0]['delta'].get('content', '') for c in chunks)

    answers, streamed = await asyncio.gather(
        asyncio.gather(*(request(i) for i in range(1000))), asyncio.gather(*(stream(i) for i in range(200)))
    )
    assert answers == [f'n{i}' for i in range(1000)]
    assert streamed == [f'streamed answer {i}' for i in range(200)]
    assert server.request_count == 1200
    assert server.connections_accepted == 1200
    assert server.peak_open_connections > 100  # really concurrent
    assert await server.wait_for_no_connections_async(timeout=10)


# -- the model list --------------------------------------------------------------------------------------------


async def test_models_route_answers_the_sdk_with_the_current_model_names(
    server: GroqTestServer, client: groq.AsyncGroq
) -> None:
    from typing import get_args

    from pydantic_ai_groq.model_names import PreviewGroqModelNames, ProductionGroqModelNames

    listed = await client.models.list()

    assert sorted(model.id for model in listed.data) == sorted(
        [*get_args(ProductionGroqModelNames), *get_args(PreviewGroqModelNames)]
    )
    assert (server.last_request.method, server.last_request.path) == ('GET', pydantic_ai_groq.testing.MODELS_PATH)


async def test_models_route_serves_a_queued_response_first(server: GroqTestServer, client: groq.AsyncGroq) -> None:
    from pydantic_ai_groq.testing import http_error, json_response, wire

    server.enqueue(json_response(wire.model_list(['only-this'], inactive=['retired'])), http_error(401))

    listed = await client.models.list()
    with pytest.raises(groq.AuthenticationError):
        await client.models.list()

    assert [(m.id, m.model_extra and m.model_extra.get('active')) for m in listed.data] == [
        ('only-this', True),
        ('retired', False),
    ]
