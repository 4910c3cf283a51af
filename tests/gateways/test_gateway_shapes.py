"""Groq-compatible gateways: `chat_completions_path`, `default_headers` and `stream_usage` on `GroqProvider` subclasses.

Three shapes in use today, each a provider subclass registered at run time and served by the local
`GroqTestServer` on the gateway's path; every test checks the path and the headers that really arrive, through
`GroqModel(..., provider='<name>')`, `infer_model('<name>:<model>')` and the `pai` command line:

- Cloudflare AI Gateway: `<base>/v1/{account}/{gateway}/groq/chat/completions` (no `/openai/v1`), and
  `cf-aig-authorization: Bearer <token>` beside the Groq key;
- Helicone: Groq's path, plus `Helicone-Auth: Bearer <key>`;
- a self-hosted OpenAI-compatible server: `/v1/chat/completions`, usage in streams only with
  `stream_options: {"include_usage": true}` (`stream_usage = True`).

The self-hosted shape also runs through a real LiteLLM proxy in `test_litellm_proxy.py`.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from pydantic_ai import infer_model
from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import ModelRequest, TextPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.providers import register_provider, unregister_provider
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, raw_sse

from support.distributions import Site
from support.reliability import loopback_http_client

MODEL = 'llama-3.3-70b-versatile'
GROQ_KEY = 'gsk-gateway-test-key-5521'
CF_TOKEN = 'cf-aig-token-7a41c0de'
HELICONE_KEY = 'sk-helicone-3b9e1f77'
CF_PATH = '/v1/acct-1234/my-gateway/groq/chat/completions'


# The gateways' provider classes, as a third party would ship them: written into a throwaway distribution, imported
# from there in this process, and found through its entry points by the `pai` subprocess.
GATEWAYS_MODULE = f"""
import os
from collections.abc import Mapping

from pydantic_ai_groq import GroqProvider


class CloudflareGroqProvider(GroqProvider):
    \"\"\"Groq through an authenticated Cloudflare AI Gateway.\"\"\"

    provider_name = 'cf-groq-test'
    base_url_env_var = 'CF_GROQ_TEST_BASE_URL'
    default_base_url = 'https://gateway.ai.cloudflare.com'
    chat_completions_path = '{CF_PATH}'

    @property
    def default_headers(self) -> Mapping[str, str]:
        token = os.environ.get('CF_AIG_TEST_TOKEN')
        return {{'cf-aig-authorization': f'Bearer {{token}}'}} if token else {{}}


class HeliconeGroqProvider(GroqProvider):
    \"\"\"Groq through Helicone's proxy.\"\"\"

    provider_name = 'helicone-groq-test'
    base_url_env_var = 'HELICONE_GROQ_TEST_BASE_URL'
    default_base_url = 'https://groq.helicone.ai'

    @property
    def default_headers(self) -> Mapping[str, str]:
        return {{'Helicone-Auth': f'Bearer {{os.environ["HELICONE_TEST_API_KEY"]}}'}}


class SelfHostedProvider(GroqProvider):
    \"\"\"A self-hosted OpenAI-compatible server (vLLM, llama.cpp server, LiteLLM proxy).\"\"\"

    provider_name = 'selfhosted-test'
    api_key_env_var = 'SELFHOSTED_TEST_API_KEY'
    base_url_env_var = 'SELFHOSTED_TEST_BASE_URL'
    default_base_url = 'http://127.0.0.1:8000'
    chat_completions_path = '/v1/chat/completions'
    stream_usage = True
"""


@dataclass
class Shape:
    class_name: str
    name: str
    path: str
    headers: dict[str, str]
    stream_usage: bool = False
    key_var: str = 'GROQ_API_KEY'
    base_var: str = ''


SHAPES = {
    'cloudflare': Shape(
        'CloudflareGroqProvider', 'cf-groq-test', CF_PATH, {'cf-aig-authorization': f'Bearer {CF_TOKEN}'},
        base_var='CF_GROQ_TEST_BASE_URL',
    ),
    'helicone': Shape(
        'HeliconeGroqProvider', 'helicone-groq-test', '/openai/v1/chat/completions',
        {'helicone-auth': f'Bearer {HELICONE_KEY}'}, base_var='HELICONE_GROQ_TEST_BASE_URL',
    ),
    'selfhosted': Shape(
        'SelfHostedProvider', 'selfhosted-test', '/v1/chat/completions', {}, stream_usage=True,
        key_var='SELFHOSTED_TEST_API_KEY', base_var='SELFHOSTED_TEST_BASE_URL',
    ),
}  # fmt: skip


@dataclass
class Gateway:
    shape: Shape
    server: GroqTestServer
    site: Site
    env: dict[str, str]
    provider_class: type[GroqProvider]


@pytest.fixture(scope='module')
def gateway_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A throwaway distribution of the three gateways, in the shortest plugin form: entry points naming the classes."""
    site = Site(tmp_path_factory.mktemp('gateway-site'))
    module = site.module_name('gateways')
    providers = {shape.name: f'{module}:{shape.class_name}' for shape in SHAPES.values()}
    site.add('gateway-providers-test', providers=providers, files={f'{module}.py': GATEWAYS_MODULE})
    site.gateways_module = module  # type: ignore[attr-defined]
    yield site
    site.cleanup()


@pytest.fixture(params=sorted(SHAPES))
def gateway(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, gateway_site: Site) -> Iterator[Gateway]:
    """A gateway shape: its provider class registered at run time, its environment set, a local server on its path."""
    shape = SHAPES[request.param]
    monkeypatch.syspath_prepend(str(gateway_site.root))
    module = importlib.import_module(gateway_site.gateways_module)  # type: ignore[attr-defined]
    provider_class = getattr(module, shape.class_name)
    with GroqTestServer(chat_completions_path=shape.path) as server:
        env = {
            shape.key_var: GROQ_KEY,
            shape.base_var: server.base_url,
            'CF_AIG_TEST_TOKEN': CF_TOKEN,
            'HELICONE_TEST_API_KEY': HELICONE_KEY,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        register_provider(shape.name, provider_class, replace=True)
        try:
            yield Gateway(shape, server, gateway_site, env, provider_class)
        finally:
            unregister_provider(shape.name)


def assert_arrived(server: GroqTestServer, shape: Shape, count: int = 1) -> None:
    requests = server.requests
    assert len(requests) == count
    for request in requests:
        assert (request.method, request.path) == ('POST', shape.path)
        assert request.headers['authorization'] == f'Bearer {GROQ_KEY}'
        for name, value in shape.headers.items():
            assert request.headers[name] == value
        # No gateway's header reaches another gateway.
        assert not ({'cf-aig-authorization', 'helicone-auth'} - set(shape.headers)) & set(request.headers)


def prompt(text: str) -> list[ModelRequest]:
    return [ModelRequest.user_text_prompt(text)]


@pytest.mark.asyncio
async def test_groq_model_by_provider_name_posts_to_the_gateway_path_with_its_headers(gateway: Gateway) -> None:
    model = GroqModel(MODEL, provider=gateway.shape.name)
    assert model.system == gateway.shape.name

    response, _ = await model.request(prompt('Hello gateway'), None, ModelRequestParameters())

    assert response.parts == [TextPart('Hello gateway')]
    assert_arrived(gateway.server, gateway.shape)
    body = gateway.server.last_request.json
    assert body['stream'] is False and 'stream_options' not in body


@pytest.mark.asyncio
async def test_infer_model_streams_through_the_gateway_and_asks_for_usage_only_when_declared(gateway: Gateway) -> None:
    model = infer_model(f'{gateway.shape.name}:{MODEL}')
    assert isinstance(model, GroqModel) and model.system == gateway.shape.name

    async with model.request_stream(prompt('streamed through'), None, ModelRequestParameters()) as stream:
        async for _ in stream:
            pass
    assert stream.get().parts == [TextPart('streamed through')]
    assert stream.usage().total_tokens  # the local server reports it in `x_groq`

    assert_arrived(gateway.server, gateway.shape)
    body = gateway.server.last_request.json
    assert body['stream'] is True
    assert gateway.provider_class.stream_usage is gateway.shape.stream_usage
    if gateway.shape.stream_usage:
        assert body['stream_options'] == {'include_usage': True}
    else:
        assert 'stream_options' not in body


def test_pai_with_the_gateway_model_posts_to_its_path_with_its_headers(gateway: Gateway) -> None:
    # The command finds the provider through the throwaway distribution's entry point, in a process of its own.
    env = {k: v for k, v in os.environ.items() if not k.startswith('GROQ_') and 'proxy' not in k.lower()}
    env.update(gateway.env, PYTHONPATH=str(gateway.site.root))
    result = subprocess.run(
        [sys.executable, '-m', PAI_MODULE, '-m', f'{gateway.shape.name}:{MODEL}', '--quiet', 'Hello from pai'],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )

    assert (result.returncode, result.stderr) == (0, '')
    assert result.stdout.strip() == 'Hello from pai'
    assert_arrived(gateway.server, gateway.shape)


# `pai` lives in the core (`python -m pydantic_ai`); `python -m pydantic_ai_groq` is only an alias of it.
PAI_MODULE = 'pydantic_ai'


@pytest.mark.asyncio
async def test_streamed_usage_is_read_from_the_openai_style_final_chunk() -> None:
    # What an OpenAI-compatible server streams when asked for usage: `usage: null` on every chunk, then a final
    # chunk with no choices and the totals in the top-level `usage` (no `x_groq`).
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {'index': 0, 'delta': delta, 'finish_reason': finish}
        return {'id': 'chatcmpl-1', 'object': 'chat.completion.chunk', 'created': 1, 'model': MODEL,
                'choices': [choice], 'usage': None}  # fmt: skip

    final = {'id': 'chatcmpl-1', 'object': 'chat.completion.chunk', 'created': 1, 'model': MODEL, 'choices': [],
             'usage': {'prompt_tokens': 11, 'completion_tokens': 2, 'total_tokens': 13}}  # fmt: skip
    with GroqTestServer(chat_completions_path='/v1/chat/completions') as server:
        server.enqueue(
            raw_sse(
                [chunk({'role': 'assistant', 'content': 'Hi'}), chunk({'content': ' there'}, 'stop'), final], done=True
            )
        )
        async with loopback_http_client() as http_client:
            provider = OpenAICompatible(api_key=GROQ_KEY, base_url=server.base_url, http_client=http_client)
            model = GroqModel(MODEL, provider=provider)
            async with model.request_stream(prompt('hi'), None, ModelRequestParameters()) as stream:
                async for _ in stream:
                    pass

    assert stream.get().parts == [TextPart('Hi there')]
    assert stream.usage() == Usage(requests=1, request_tokens=11, response_tokens=2, total_tokens=13)
    assert server.last_request.json['stream_options'] == {'include_usage': True}


def test_groq_itself_keeps_its_path_no_extra_headers_and_no_stream_options() -> None:
    provider = GroqProvider(api_key=GROQ_KEY)
    assert provider.chat_completions_path == '/openai/v1/chat/completions'
    assert provider.default_headers == {}
    assert provider.stream_usage is False


class OpenAICompatible(GroqProvider):
    chat_completions_path = '/v1/chat/completions'
    stream_usage = True


class BadPath(GroqProvider):
    chat_completions_path = 'https://elsewhere.example/v1/chat/completions'


class BadHeaders(GroqProvider):
    default_headers = {'x-gateway-token': 12345}  # type: ignore[dict-item]


class BadStreamUsage(GroqProvider):
    stream_usage = 'yes'  # type: ignore[assignment]


def test_a_bad_gateway_declaration_is_a_user_error_that_hides_header_values() -> None:
    with pytest.raises(UserError, match='chat_completions_path must be a path relative to the base URL'):
        GroqModel(MODEL, provider=BadPath(api_key=GROQ_KEY))
    with pytest.raises(UserError, match='stream_usage must be True or False'):
        GroqModel(MODEL, provider=BadStreamUsage(api_key=GROQ_KEY))
    with pytest.raises(UserError, match='default_headers must map header names to string values') as exc_info:
        BadHeaders(api_key=GROQ_KEY)
    assert '12345' not in str(exc_info.value)
