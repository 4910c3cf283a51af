"""The README's code examples run as written.

The examples are executed, not copied: each test takes the code blocks out of README.md. Requests go to an
`httpx.MockTransport` placed where `GroqProvider` looks for its default HTTP client, so the examples run unchanged
without a key or network; the plugin walkthrough is installed as a real throwaway distribution.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import pydantic_ai._http
import pydantic_ai.models
import pydantic_ai.providers
from pydantic_ai.models import override_allow_model_requests
from pydantic_ai.registry import ProviderRegistry, use_registry

README = Path(__file__).resolve().parents[2] / 'README.md'
FAKE_KEY = 'gsk-test-fake-key-0123456789'


def _blocks(language: str) -> list[str]:
    return re.findall(rf'```{language}\n(.*?)```', README.read_text(), flags=re.DOTALL)


def _block_containing(language: str, marker: str) -> str:
    matches = [b for b in _blocks(language) if marker in b]
    assert len(matches) == 1, f'expected one {language} block containing {marker!r}, found {len(matches)}'
    return matches[0]


def _completion(message: dict[str, Any]) -> dict[str, Any]:
    return {
        'id': 'chatcmpl-readme',
        'object': 'chat.completion',
        'created': 1763700000,
        'model': 'llama-3.3-70b-versatile',
        'choices': [{'index': 0, 'message': {'role': 'assistant', **message}, 'finish_reason': 'stop'}],
        'usage': {'prompt_tokens': 11, 'completion_tokens': 7, 'total_tokens': 18},
    }


def _sse(text: str) -> str:
    chunks = [{'role': 'assistant', 'content': ''}] + [{'content': word} for word in re.split(r'(?<= )', text)]
    frames = [
        {
            'id': 'chatcmpl-readme',
            'object': 'chat.completion.chunk',
            'created': 1763700000,
            'model': 'llama-3.3-70b-versatile',
            'choices': [{'index': 0, 'delta': delta, 'finish_reason': None}],
        }
        for delta in chunks
    ]
    return ''.join(f'data: {json.dumps(f)}\n\n' for f in frames) + 'data: [DONE]\n\n'


@pytest.fixture
def mock_groq(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Answer the examples' requests from a MockTransport installed as the shared default HTTP client."""
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers['authorization'] == f'Bearer {FAKE_KEY}'
        body = json.loads(request.content)
        sent.append(body)
        if body.get('stream'):
            return httpx.Response(
                200, text=_sse('Latency shapes how it feels.'), headers={'content-type': 'text/event-stream'}
            )
        if body.get('tools') and body['messages'][-1]['role'] == 'user':
            call = {
                'id': 'call_1',
                'type': 'function',
                'function': {'name': 'get_weather', 'arguments': '{"city":"Paris"}'},
            }
            return httpx.Response(200, json=_completion({'content': None, 'tool_calls': [call]}))
        return httpx.Response(200, json=_completion({'content': 'Low latency keeps conversations natural.'}))

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    monkeypatch.setitem(pydantic_ai._http._shared_clients, (60, 5), client)
    monkeypatch.setenv('GROQ_API_KEY', FAKE_KEY)
    monkeypatch.delenv('GROQ_BASE_URL', raising=False)
    with override_allow_model_requests(True), use_registry(ProviderRegistry()):
        yield sent
    asyncio.run(client.aclose())


def test_first_request_example_runs_and_streams(
    mock_groq: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    code = _block_containing('python', 'asyncio.run(main())')
    exec(compile(code, 'README.md', 'exec'), {'__name__': '__readme__'})
    out = capsys.readouterr().out
    assert 'Low latency keeps conversations natural. 11 7' in out
    assert "TextPart(content='Latency shapes how it feels.'" in out
    assert [body['stream'] for body in mock_groq] == [False, True]
    assert mock_groq[0]['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'Why does low latency matter for LLMs?'},
    ]
    assert mock_groq[0]['temperature'] == 0.2


def test_tools_example_sends_the_tool_result_back_with_its_call_id(mock_groq: list[dict[str, Any]]) -> None:
    from pydantic_ai_groq import GroqModel

    code = _block_containing('python', 'ToolReturnPart(')
    namespace: dict[str, Any] = {'model': GroqModel('llama-3.3-70b-versatile')}
    compiled = compile(code, 'README.md', 'exec', flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)

    async def run() -> None:
        result = eval(compiled, namespace)
        if result is not None:
            await result

    asyncio.run(run())
    assert namespace['final'].parts[0].content == 'Low latency keeps conversations natural.'
    assert mock_groq[0]['tool_choice'] == 'auto'
    assert mock_groq[0]['tools'][0]['function']['name'] == 'get_weather'
    tool_message = mock_groq[1]['messages'][-1]
    assert tool_message == {'role': 'tool', 'tool_call_id': 'call_1', 'content': '{"temp_c":18}'}


def test_providers_example_runs(mock_groq: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    code = _block_containing('python', "infer_model('groq:openai/gpt-oss-120b')")
    namespace: dict[str, Any] = {}
    exec(compile(code, 'README.md', 'exec'), namespace)
    assert namespace['provider'].name == 'groq'
    assert namespace['model'].model_name == 'openai/gpt-oss-120b'
    out = capsys.readouterr().out
    assert "name='groq', distribution='pydantic-ai-groq'" in out
    assert "['openai/gpt-oss-120b', 'openai/gpt-oss-20b', 'whisper-large-v3']" in out


def test_use_registry_example_registers_in_its_own_registry_only() -> None:
    from pydantic_ai.registry import current_registry

    code = _block_containing('python', 'with use_registry(ProviderRegistry()) as registry:')
    namespace: dict[str, Any] = {'__name__': '__readme__'}
    exec(compile(code, 'README.md', 'exec', dont_inherit=True), namespace)  # a real user's module: no future import
    assert 'local' in namespace['registry'].names()
    assert 'local' not in current_registry().names()


def _install_gateway(tmp_path: Path, *, entry_point: str | None = None, plugin: bool = False) -> None:
    """Install the README's gateway distribution into `tmp_path`: its class, and its plugin module if `plugin`."""
    package = tmp_path / 'mygateway_provider'
    package.mkdir()
    (package / '__init__.py').write_text(_block_containing('python', 'class MyGatewayProvider(GroqProvider)'))
    if plugin:
        (package / 'plugin.py').write_text(_block_containing('python', 'def pydantic_ai_provider(provider_name):'))
    # The toml block is small and regular; read it without tomllib, which Python 3.10 lacks.
    toml = _block_containing('toml', '[project.entry-points."pydantic_ai.providers"]')
    name, version = (re.findall(rf'^{key} = "(.+)"$', toml, flags=re.MULTILINE)[0] for key in ('name', 'version'))
    section = toml.split('[project.entry-points."pydantic_ai.providers"]', 1)[1]
    entry_points = dict(re.findall(r'^(\w+) = "(.+)"$', section, flags=re.MULTILINE))
    if entry_point is not None:
        entry_points = {'mygateway': entry_point}
    dist_info = tmp_path / f'mygateway_provider-{version}.dist-info'
    dist_info.mkdir()
    (dist_info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')
    (dist_info / 'entry_points.txt').write_text(
        '[pydantic_ai.providers]\n' + ''.join(f'{k} = {v}\n' for k, v in entry_points.items())
    )


def _run_check(tmp_path: Path, extra: str) -> subprocess.CompletedProcess[str]:
    check = _block_containing('python', "provider='mygateway'")
    check += textwrap.dedent(
        """
        from pydantic_ai.models import infer_model
        assert model.system == 'mygateway' and model.base_url == 'https://gateway.example.com/groq/', model.base_url
        assert type(infer_model('mygateway:openai/gpt-oss-120b')).__name__ == 'GroqModel'
        """
    )
    check += textwrap.dedent(extra)
    env = {**os.environ, 'PYTHONPATH': str(tmp_path), 'MYGATEWAY_API_KEY': FAKE_KEY}
    env.pop('GROQ_API_KEY', None)
    result = subprocess.run([sys.executable, '-c', check], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "name='mygateway', distribution='mygateway-provider', version='1.0.0'" in result.stdout
    assert "status='loaded'" in result.stdout
    return result


def test_writing_a_provider_plugin_shortest_form_works_end_to_end(tmp_path: Path) -> None:
    """Install the README's provider class, registered by an entry point naming the class, and run 'Check it'."""
    _install_gateway(tmp_path)
    toml = _block_containing('toml', '[project.entry-points."pydantic_ai.providers"]')
    assert 'mygateway = "mygateway_provider:MyGatewayProvider"' in toml

    _run_check(
        tmp_path,
        """
        from pydantic_ai.registry import current_registry
        assert current_registry().model_names('mygateway') == []
        """,
    )


def test_writing_a_provider_plugin_full_form_works_end_to_end(tmp_path: Path) -> None:
    """The README's full plugin form, its entry point naming the plugin module, gives the same and lists models."""
    _install_gateway(tmp_path, entry_point='mygateway_provider.plugin', plugin=True)
    assert 'with the entry point `mygateway = "mygateway_provider.plugin"`' in README.read_text()

    _run_check(
        tmp_path,
        """
        from pydantic_ai.registry import current_registry
        assert current_registry().model_names('mygateway') == ['openai/gpt-oss-120b', 'openai/gpt-oss-20b']
        """,
    )
