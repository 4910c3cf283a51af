"""The shared HTTP client across event loops: never a request sent twice, never a connection of a dead loop.

Each model here uses the default, process-wide client (`cached_async_http_client()`), with retries off, so a
request that failed on the client side after reaching the server would show up as a lost answer, and with retries
on as a second attempt the server counts.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator

import httpx
import pytest

from pydantic_ai._http import DEFAULT_TIMEOUT, LoopBoundTransport
from pydantic_ai.messages import ModelRequest, TextPart
from pydantic_ai.models import ModelRequestParameters, cached_async_http_client
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, streamed_text, text_completion

from support.constants import FAKE_GROQ_API_KEY

NO_TOOLS = ModelRequestParameters()


def shared_client_model(server: GroqTestServer, *, max_retries: int = 0) -> GroqModel:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, max_retries=max_retries)
    assert provider.client._client is cached_async_http_client()  # the shared client, not one of the test's
    return GroqModel('llama-3.3-70b-versatile', provider=provider)


async def ask(model: GroqModel, text: str = 'hi') -> str:
    response, _ = await model.request([ModelRequest.user_text_prompt(text)], None, NO_TOOLS)
    part = response.parts[0]
    assert isinstance(part, TextPart)
    return part.content


async def ask_streamed(model: GroqModel, text: str = 'hi') -> str:
    async with model.request_stream([ModelRequest.user_text_prompt(text)], None, NO_TOOLS) as stream:
        async for _ in stream:
            pass
    part = stream.get().parts[0]
    assert isinstance(part, TextPart)
    return part.content


@pytest.fixture
def answering_server() -> Iterator[GroqTestServer]:
    with GroqTestServer(default=text_completion('hello')) as server:
        yield server


@pytest.mark.parametrize('max_retries', [0, 2])
def test_two_asyncio_runs_in_sequence_each_send_exactly_one_request(
    answering_server: GroqTestServer, max_retries: int
) -> None:
    model = shared_client_model(answering_server, max_retries=max_retries)
    assert asyncio.run(ask(model)) == 'hello'
    assert asyncio.run(ask(model)) == 'hello'
    assert answering_server.request_count == 2
    assert all(r.headers.get('x-stainless-retry-count') == '0' for r in answering_server.requests)


def test_two_asyncio_runs_in_sequence_streamed_each_send_exactly_one_request() -> None:
    with GroqTestServer(default=streamed_text(['hel', 'lo'])) as server:
        model = shared_client_model(server)
        assert asyncio.run(ask_streamed(model)) == 'hello'
        assert asyncio.run(ask_streamed(model)) == 'hello'
        assert server.request_count == 2


def test_a_finished_loops_connections_are_closed(answering_server: GroqTestServer) -> None:
    model = shared_client_model(answering_server)

    async def ask_and_count_open() -> int:
        await ask(model)
        return answering_server.open_connections

    assert asyncio.run(ask_and_count_open()) == 1  # kept alive while the loop runs
    transport = cached_async_http_client()._transport
    assert isinstance(transport, LoopBoundTransport)
    assert transport.pool_count == 0  # released by asyncio.run() finalizing the loop, not left to the collector
    assert answering_server.wait_for_no_connections(timeout=5.0)


def test_connections_are_reused_within_one_loop(answering_server: GroqTestServer) -> None:
    model = shared_client_model(answering_server)

    async def three() -> None:
        for _ in range(3):
            await ask(model)

    asyncio.run(three())
    assert [r.connection_id for r in answering_server.requests] == [1, 1, 1]


def test_threads_each_with_their_own_loop_send_exactly_one_request_per_call(
    answering_server: GroqTestServer,
) -> None:
    model = shared_client_model(answering_server)
    results: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(3):
                results.append(asyncio.run(ask(model)))
                results.append(asyncio.run(ask_streamed_or_plain(model)))
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    # Each thread runs in a copy of this context, where the suite allows model requests.
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(worker,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert results == ['hello'] * 24
    assert answering_server.request_count == 24
    assert answering_server.wait_for_no_connections(timeout=5.0)


async def ask_streamed_or_plain(model: GroqModel) -> str:
    return await ask(model, 'again')


def test_a_loop_closed_without_finalizing_is_never_used_again(answering_server: GroqTestServer) -> None:
    model = shared_client_model(answering_server)
    loop = asyncio.new_event_loop()
    # A loop closed without `shutdown_asyncgens()` cannot have its connections closed cleanly: they are abandoned,
    # and Python reports the sockets as unclosed when they are collected, as for any connection left open.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ResourceWarning)
        try:
            assert loop.run_until_complete(ask(model)) == 'hello'
        finally:
            loop.close()
        assert asyncio.run(ask(model)) == 'hello'
        del loop
        gc.collect()
    assert answering_server.request_count == 2
    transport = cached_async_http_client()._transport
    assert isinstance(transport, LoopBoundTransport)
    assert transport.pool_count == 0  # the dead loop's pool was dropped, and asyncio.run() closed its own


def test_default_timeouts_are_the_sdks_60_seconds_read_and_5_connect(answering_server: GroqTestServer) -> None:
    model = shared_client_model(answering_server)
    assert cached_async_http_client().timeout == httpx.Timeout(60.0, connect=5.0) == DEFAULT_TIMEOUT
    assert model.client.timeout == httpx.Timeout(60.0, connect=5.0)
    asyncio.run(ask(model))
    assert answering_server.last_request.headers['x-stainless-read-timeout'] == '60'


def test_provider_timeout_still_overrides_the_default(answering_server: GroqTestServer) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=answering_server.base_url, timeout=7.5)
    asyncio.run(ask(GroqModel('llama-3.3-70b-versatile', provider=provider)))
    assert answering_server.last_request.headers['x-stainless-read-timeout'] == '7.5'


@pytest.fixture(scope='module')
def module_server() -> Iterator[GroqTestServer]:
    with GroqTestServer(default=text_completion('hello')) as server:
        yield server


@pytest.fixture(scope='module')
def module_model(module_server: GroqTestServer) -> GroqModel:
    return shared_client_model(module_server)


_loops_seen: list[asyncio.AbstractEventLoop] = []


@pytest.mark.asyncio
@pytest.mark.parametrize('streamed', [False, True, False, True])
async def test_pytest_asyncio_tests_each_with_their_own_loop_share_one_model(
    module_server: GroqTestServer, module_model: GroqModel, streamed: bool
) -> None:
    loop = asyncio.get_running_loop()
    assert all(earlier is not loop and earlier.is_closed() for earlier in _loops_seen)  # a new loop per test
    _loops_seen.append(loop)
    before = module_server.request_count
    if streamed:
        module_server.enqueue(streamed_text(['hel', 'lo']))
        assert await ask_streamed(module_model) == 'hello'
    else:
        assert await ask(module_model) == 'hello'
    assert module_server.request_count == before + 1


EXIT_SCRIPT = """
import atexit, sys
from pydantic_ai_groq.testing import GroqTestServer, text_completion
server = GroqTestServer(default=text_completion('hello')).start()
# Registered first, so it runs after the exit handlers of pydantic_ai._sync.
atexit.register(lambda: print('open after exit:', 0 if server.wait_for_no_connections(5) else server.open_connections))
from pydantic_ai.direct import model_request_sync
from pydantic_ai.messages import ModelRequest
from pydantic_ai_groq import GroqModel, GroqProvider
model = GroqModel('llama-3.3-70b-versatile', provider=GroqProvider(api_key='gsk-x', base_url=server.base_url))
print(model_request_sync(model, [ModelRequest.user_text_prompt('hi')]).parts[0].content)
"""


def test_model_request_sync_closes_its_connections_cleanly_at_exit() -> None:
    result = subprocess.run(
        [sys.executable, '-X', 'dev', '-c', EXIT_SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split('\n')[:2] == ['hello', 'open after exit: 0']
    assert 'ResourceWarning' not in result.stderr
