"""The self-hosted gateway shape through a real LiteLLM proxy, started on a loopback port in front of the local server.

    GroqModel --(/v1/chat/completions, master key)--> litellm proxy --(/openai/v1/chat/completions)--> GroqTestServer

LiteLLM is heavy (~100 packages), so it lives in a virtual environment of its own, built by this module from
`litellm-requirements.txt` into `.cache/litellm-venv` (gitignored) on first use and reused while that file is
unchanged; CI needs nothing but PyPI access. When the environment cannot be built the tests FAIL with the pip
output, they are not skipped. Run them alone with `.venv/bin/pytest tests/gateways/test_litellm_proxy.py`.

The proxy runs with LiteLLM's bundled model cost map (`LITELLM_LOCAL_MODEL_COST_MAP`), Hugging Face offline and no
proxy variables, so it reaches nothing but the local server. Every wait is bounded.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydantic_ai import infer_model
from pydantic_ai.messages import ModelRequest, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.providers import register_provider, unregister_provider
from pydantic_ai.tools import ToolDefinition
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, ToolCall, streamed_tool_call, tool_call_completion

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = Path(__file__).with_name('litellm-requirements.txt')
VENV = ROOT / '.cache' / 'litellm-venv'
MASTER_KEY = 'sk-litellm-master-test-61d0'
UPSTREAM_KEY = 'gsk-upstream-test-key-9c2e'
MODEL = 'local-model'
INSTALL_TIMEOUT = 900
START_TIMEOUT = 120

CONFIG = """
model_list:
  - model_name: {model}
    litellm_params:
      model: openai/{model}
      api_base: {upstream}/openai/v1
      api_key: {upstream_key}
general_settings:
  master_key: {master_key}
litellm_settings:
  telemetry: false
"""


class LiteLLMProvider(GroqProvider):
    """A self-hosted OpenAI-compatible server, as a third party would declare it."""

    provider_name = 'litellm-proxy-test'
    api_key_env_var = 'LITELLM_PROXY_TEST_KEY'
    base_url_env_var = 'LITELLM_PROXY_TEST_BASE_URL'
    chat_completions_path = '/v1/chat/completions'
    stream_usage = True


def litellm_executable() -> Path:
    """The `litellm` command of the cached environment, building it first when missing or outdated.

    Fails (does not skip) with pip's output when the environment cannot be built.
    """
    stamp = VENV / '.requirements-sha256'
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    executable = VENV / 'bin' / 'litellm'
    if executable.exists() and stamp.exists() and stamp.read_text() == wanted:
        return executable
    steps = [
        [sys.executable, '-m', 'venv', '--clear', str(VENV)],
        [str(VENV / 'bin' / 'python'), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r',
         str(REQUIREMENTS)],
    ]  # fmt: skip
    for step in steps:
        try:
            result = subprocess.run(step, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f'Building the LiteLLM environment timed out after {INSTALL_TIMEOUT} s: {" ".join(step)}')
        if result.returncode != 0:
            pytest.fail(
                f'Could not build the LiteLLM environment in {VENV} (needs PyPI access): {" ".join(step)} exited '
                f'with {result.returncode}.\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}'
            )
    if not executable.exists():
        pytest.fail(f'{REQUIREMENTS.name} installed no `litellm` command into {VENV}')
    stamp.write_text(wanted)
    return executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@dataclass
class Proxy:
    base_url: str
    upstream: GroqTestServer
    log: Path


@pytest.fixture(scope='module')
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """A LiteLLM proxy on a loopback port, in front of a local Groq server; stopped after the module."""
    executable = litellm_executable()
    workdir = tmp_path_factory.mktemp('litellm')
    port = free_port()
    with GroqTestServer() as upstream:
        config = workdir / 'config.yaml'
        config.write_text(
            CONFIG.format(model=MODEL, upstream=upstream.base_url, upstream_key=UPSTREAM_KEY, master_key=MASTER_KEY)
        )
        env = {
            k: v for k, v in os.environ.items() if 'proxy' not in k.lower() and not k.startswith(('GROQ_', 'OPENAI'))
        }
        env.update(LITELLM_LOCAL_MODEL_COST_MAP='True', HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1', NO_PROXY='*')
        log = workdir / 'litellm.log'
        with log.open('wb') as log_file:
            process = subprocess.Popen(
                [str(executable), '--config', str(config), '--host', '127.0.0.1', '--port', str(port)],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=workdir,
                env=env,
            )
        try:
            wait_until_live(process, f'http://127.0.0.1:{port}', log)
            yield Proxy(f'http://127.0.0.1:{port}', upstream, log)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def wait_until_live(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f'The LiteLLM proxy exited with {process.returncode}:\n{log.read_text()[-3000:]}')
        try:
            with urllib.request.urlopen(f'{base_url}/health/liveliness', timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    pytest.fail(f'The LiteLLM proxy did not start within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}')


@pytest.fixture
def registered(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxy]:
    monkeypatch.setenv(LiteLLMProvider.api_key_env_var, MASTER_KEY)
    monkeypatch.setenv(LiteLLMProvider.base_url_env_var, proxy.base_url)
    register_provider(LiteLLMProvider.provider_name, LiteLLMProvider, replace=True)
    proxy.upstream.reset()
    try:
        yield proxy
    finally:
        unregister_provider(LiteLLMProvider.provider_name)


def prompt(text: str) -> list[ModelRequest]:
    return [ModelRequest.user_text_prompt(text)]


WEATHER = ToolDefinition(
    name='get_weather',
    description='Weather in a city.',
    parameters_json_schema={'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']},
)


@pytest.mark.asyncio
async def test_plain_request_through_the_proxy(registered: Proxy) -> None:
    model = GroqModel(MODEL, provider=LiteLLMProvider.provider_name)

    response, usage = await model.request(prompt('Hello through LiteLLM'), None, ModelRequestParameters())

    assert response.parts == [TextPart('Hello through LiteLLM')]
    assert (usage.request_tokens, usage.response_tokens) == (10, 3)
    # The proxy got our request on its path with its key, and passed it on to the local Groq server.
    [upstream] = registered.upstream.requests
    assert upstream.path == '/openai/v1/chat/completions'
    assert upstream.headers['authorization'] == f'Bearer {UPSTREAM_KEY}'
    assert upstream.json['messages'] == [{'role': 'user', 'content': 'Hello through LiteLLM'}]


@pytest.mark.asyncio
async def test_streamed_request_with_stream_usage_gets_the_usage_chunk_and_counts_it_once(registered: Proxy) -> None:
    model = infer_model(f'{LiteLLMProvider.provider_name}:{MODEL}')

    async with model.request_stream(prompt('one two three four'), None, ModelRequestParameters()) as stream:
        async for _ in stream:
            pass

    assert stream.get().parts == [TextPart('one two three four')]
    # The proxy sends the counts twice (the upstream's `x_groq.usage`, passed through, then an OpenAI-style final
    # chunk with a top-level `usage`): they are the same running total, counted once.
    usage = stream.usage()
    assert (usage.requests, usage.request_tokens, usage.response_tokens, usage.total_tokens) == (1, 10, 4, 14)


def test_the_proxy_sends_the_top_level_usage_chunk_only_when_asked(registered: Proxy) -> None:
    # What `stream_usage` changes on the wire, seen raw: OpenAI-compatible servers add the final usage chunk only
    # for `stream_options: {"include_usage": true}`. (Through this proxy the Groq-shaped upstream's `x_groq.usage`
    # also passes through, so a Groq model behind LiteLLM reports usage either way; other backends do not.)
    def usage_chunks(**options: Any) -> list[dict[str, Any]]:
        body = {'model': MODEL, 'messages': [{'role': 'user', 'content': 'one two'}], 'stream': True, **options}
        response = httpx.post(
            f'{registered.base_url}/v1/chat/completions',
            json=body,
            headers={'authorization': f'Bearer {MASTER_KEY}'},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        chunks = [
            json.loads(line.removeprefix('data: ')) for line in response.text.splitlines() if line.startswith('data: {')
        ]
        return [c['usage'] for c in chunks if c.get('usage')]

    assert usage_chunks() == []
    [usage] = usage_chunks(stream_options={'include_usage': True})
    assert (usage['prompt_tokens'], usage['completion_tokens'], usage['total_tokens']) == (10, 2, 12)


@pytest.mark.asyncio
async def test_tool_calls_through_the_proxy_plain_and_streamed(registered: Proxy) -> None:
    registered.upstream.enqueue(
        tool_call_completion(ToolCall('get_weather', {'city': 'Lisbon'}, 'call_lisbon')),
        streamed_tool_call('get_weather', {'city': 'Porto'}, fragments=3, call_id='call_porto'),
    )
    model = GroqModel(MODEL, provider=LiteLLMProvider.provider_name)
    params = ModelRequestParameters(function_tools=[WEATHER])

    response, _ = await model.request(prompt('Weather in Lisbon?'), None, params)
    async with model.request_stream(prompt('Weather in Porto?'), None, params) as stream:
        async for _ in stream:
            pass

    [call] = response.parts
    assert isinstance(call, ToolCallPart) and call.tool_name == 'get_weather'
    assert (call.args_as_dict(), call.tool_call_id) == ({'city': 'Lisbon'}, 'call_lisbon')
    [streamed_call] = stream.get().parts
    assert isinstance(streamed_call, ToolCallPart) and streamed_call.tool_name == 'get_weather'
    assert streamed_call.args_as_dict() == {'city': 'Porto'}
    assert response.finish_reason == stream.get().finish_reason == 'tool_call'
    for upstream in registered.upstream.requests:
        assert upstream.json['tools'][0]['function']['name'] == 'get_weather'
