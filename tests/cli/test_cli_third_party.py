"""`pai` with only the core and a third-party provider installed: no `pydantic_ai_groq`, no groq SDK.

A throwaway distribution, `mygateway-provider`, is written for real (package metadata, entry point, plugin module
with hooks, a provider class with the optional attributes `pai` reads, a model that speaks its own small JSON
protocol over httpx, and a `pai gateway-ping` command). `pai` then runs in a fresh interpreter whose import path
holds the core's sources, every installed dependency except the Groq plugin and the groq SDK, and the throwaway
distribution: the entry-point metadata it sees names `mygateway` only. A local HTTP server on 127.0.0.1 plays the
gateway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from support.distributions import write_distribution

ROOT = Path(__file__).resolve().parents[2]

PROVIDER_MODULE = '''
    import os

    import httpx

    from pydantic_ai.exceptions import UserError


    class MyGatewayProvider:
        """A provider for MyGateway: its client is a plain httpx.AsyncClient."""

        api_key_env_var = 'MYGATEWAY_API_KEY'
        api_key_url = 'https://gateway.example.com/keys'
        base_url_env_var = 'MYGATEWAY_BASE_URL'
        default_model = 'some-model'
        models_path = '/v1/models'

        def __init__(self, *, api_key=None, base_url=None, http_client=None):
            api_key = api_key or os.environ.get(self.api_key_env_var)
            if not api_key:
                raise UserError('No API key for mygateway: set MYGATEWAY_API_KEY or pass api_key=')
            self._base_url = base_url or os.environ.get(self.base_url_env_var) or 'https://gateway.example.com'
            self._client = http_client or httpx.AsyncClient()
            self.api_key = api_key

        @property
        def name(self):
            return 'mygateway'

        @property
        def base_url(self):
            return self._base_url

        @property
        def client(self):
            return self._client

        def __repr__(self):
            return f'MyGatewayProvider(base_url={self._base_url!r})'
'''

MODEL_MODULE = '''
    from datetime import datetime, timezone

    import httpx

    from pydantic_ai.exceptions import ModelConnectionError, ModelHTTPError
    from pydantic_ai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
    from pydantic_ai.models import Model
    from pydantic_ai.usage import Usage


    class MyGatewayModel(Model):
        """Posts `{"model", "messages"}` to `{base_url}/v1/answer`; the answer is `{"text", "finish_reason"}`."""

        def __init__(self, model_name, provider):
            self._model_name = model_name
            self._provider = provider

        @property
        def model_name(self):
            return self._model_name

        @property
        def system(self):
            return 'mygateway'

        async def request(self, messages, model_settings, model_request_parameters):
            wire = [
                {'role': 'user', 'content': part.content}
                for message in messages
                if isinstance(message, ModelRequest)
                for part in message.parts
                if isinstance(part, UserPromptPart)
            ]
            url = self._provider.base_url.rstrip('/') + '/v1/answer'
            try:
                response = await self._provider.client.post(
                    url,
                    json={'model': self._model_name, 'messages': wire},
                    headers={'Authorization': f'Bearer {self._provider.api_key}'},
                )
            except httpx.RequestError as exc:
                raise ModelConnectionError(
                    self._model_name, f'MyGateway could not be reached: {type(exc).__name__}: {exc}'
                ) from exc
            try:
                response.raise_for_status()
            except httpx.HTTPStatusError as exc:
                raise ModelHTTPError(
                    response.status_code, self._model_name, response.json(), response.headers
                ) from exc
            data = response.json()
            usage = Usage(requests=1, request_tokens=3, response_tokens=2, total_tokens=5)
            answer = ModelResponse(
                parts=[TextPart(data['text'])],
                model_name=self._model_name,
                timestamp=datetime.now(timezone.utc),
                usage=usage,
                provider_name='mygateway',
                finish_reason=data.get('finish_reason', 'stop'),
            )
            return answer, usage
'''

PLUGIN_MODULE = """
    from pydantic_ai.providers import hookimpl


    @hookimpl
    def pydantic_ai_provider():
        from {package}.provider import MyGatewayProvider

        return MyGatewayProvider


    @hookimpl
    def pydantic_ai_model(model_name, provider):
        from {package}.model import MyGatewayModel

        return MyGatewayModel(model_name, provider)


    @hookimpl
    def pydantic_ai_model_names():
        return ['some-model', 'other-model', 'gateway-whisper']


    def _add_ping(parser):
        parser.add_argument('--path', default='/v1/models')


    def _ping(args, context):
        from pydantic_ai.registry import infer_provider

        provider = infer_provider('mygateway')
        context.stdout.write(f'{provider.name} at {provider.base_url}{args.path}\\n')
        return 0


    @hookimpl
    def pydantic_ai_cli_commands():
        from pydantic_ai.cli import Command

        return [Command('gateway-ping', 'where MyGateway is', _add_ping, _ping)]
"""

EXCLUDED = ('pydantic_ai_groq', '_editable_impl_pydantic_ai_groq', 'groq', 'groq-')
"""What the isolated environment leaves out of site-packages: the Groq plugin and the groq SDK."""


@dataclass
class Gateway:
    """A local HTTP server playing MyGateway: answers `/v1/answer` and `/v1/models`, records each request."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ''


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: object) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header('content-type', 'application/json')
            self.send_header('content-length', str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
            state.requests.append({'path': self.path, 'authorization': self.headers.get('authorization')})
            if self.path == '/v1/models':
                self._answer(200, {'data': [{'id': 'live-model'}, {'id': 'live-tts'}]})
            else:
                self._answer(404, {'error': {'message': f'no route {self.path}', 'code': 'unknown_url'}})

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers['content-length'])))
            state.requests.append({'path': self.path, 'authorization': self.headers.get('authorization'), 'body': body})
            if self.path != '/v1/answer':
                self._answer(404, {'error': {'message': f'no route {self.path}', 'code': 'unknown_url'}})
                return
            self._answer(200, {'text': f'gateway says: {body["messages"][-1]["content"]}', 'finish_reason': 'stop'})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f'http://127.0.0.1:{server.server_address[1]}'
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope='module')
def isolated_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A `PYTHONPATH` with the core's sources, the installed dependencies minus Groq's, and `mygateway-provider`."""
    root = tmp_path_factory.mktemp('isolated')
    installed = root / 'site-packages'
    installed.mkdir()
    site_packages = Path(sysconfig.get_paths()['purelib'])
    for entry in site_packages.iterdir():
        if entry.name.startswith(EXCLUDED) or entry.suffix == '.pth':
            continue
        (installed / entry.name).symlink_to(entry)
    gateway_site = root / 'gateway'
    package = 'mygateway_provider'
    write_distribution(
        gateway_site,
        'mygateway-provider',
        version='2.5.0',
        providers={'mygateway': f'{package}.plugin'},
        files={
            f'{package}/__init__.py': '',
            f'{package}/provider.py': PROVIDER_MODULE,
            f'{package}/model.py': MODEL_MODULE,
            f'{package}/plugin.py': PLUGIN_MODULE.replace('{package}', package),
        },
    )
    return os.pathsep.join([str(ROOT / 'src'), str(installed), str(gateway_site)])


def environment(isolated_path: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if k in ('PATH', 'LANG', 'LC_ALL', 'SYSTEMROOT')}
    return {**kept, 'PYTHONPATH': isolated_path, 'HOME': str(tmp_path), **extra}


def python(code_or_module: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # -S: no site-packages of this virtual environment (where the Groq plugin is installed), only PYTHONPATH.
    return subprocess.run(
        [sys.executable, '-S', *code_or_module],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


def pai(argv: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return python(['-m', 'pydantic_ai', *argv], env)


def test_the_isolated_environment_has_no_groq_plugin_and_no_groq_sdk(isolated_path: str, tmp_path: Path) -> None:
    code = (
        'import importlib.util, json; from pydantic_ai.providers import list_providers; '
        'print(json.dumps([importlib.util.find_spec(m) is None for m in ("pydantic_ai_groq", "groq", "httpx")] '
        '+ [[p.name for p in list_providers()]]))'
    )
    result = python(['-c', code], environment(isolated_path, tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, False, ['mygateway']]


def test_pai_answers_through_the_third_party_provider(isolated_path: str, tmp_path: Path, gateway: Gateway) -> None:
    env = environment(isolated_path, tmp_path, MYGATEWAY_API_KEY='mgw-secret', MYGATEWAY_BASE_URL=gateway.base_url)

    explicit = pai(['-m', 'mygateway:some-model', 'hi'], env)
    default = pai(['hello there'], env)  # the only installed provider, and its own default model

    assert explicit.returncode == 0, explicit.stderr
    assert explicit.stdout == 'gateway says: hi\n'
    assert explicit.stderr == ''
    assert default.returncode == 0, default.stderr
    assert default.stdout == 'gateway says: hello there\n'
    assert [r['body']['model'] for r in gateway.requests] == ['some-model', 'some-model']
    assert {r['authorization'] for r in gateway.requests} == {'Bearer mgw-secret'}


def test_missing_key_names_the_third_party_variable(isolated_path: str, tmp_path: Path) -> None:
    result = pai(['-m', 'mygateway:some-model', 'hi'], environment(isolated_path, tmp_path))

    assert result.returncode == 2
    assert result.stderr == (
        "pai: no API key for provider 'mygateway': set the MYGATEWAY_API_KEY environment variable "
        '(create one at https://gateway.example.com/keys), e.g. `export MYGATEWAY_API_KEY=...`\n'
    )
    assert 'GROQ' not in result.stderr
    assert 'gsk_' not in result.stderr


def test_connection_error_names_the_third_party_base_url_variable(isolated_path: str, tmp_path: Path) -> None:
    with ThreadingHTTPServer(('127.0.0.1', 0), BaseHTTPRequestHandler) as closed:
        port = closed.server_address[1]
    env = environment(
        isolated_path, tmp_path, MYGATEWAY_API_KEY='mgw-secret', MYGATEWAY_BASE_URL=f'http://127.0.0.1:{port}'
    )
    result = pai(['hi'], env)

    assert result.returncode == 1
    assert result.stderr.startswith("pai: could not reach the API of provider 'mygateway' (MyGateway could not be")
    assert result.stderr.endswith('(and MYGATEWAY_BASE_URL, if set)\n')
    assert 'GROQ' not in result.stderr
    assert 'mgw-secret' not in result.stderr


def test_a_404_from_the_third_party_shows_its_message_and_no_model_hint(
    isolated_path: str, tmp_path: Path, gateway: Gateway
) -> None:
    env = environment(
        isolated_path, tmp_path, MYGATEWAY_API_KEY='mgw-secret', MYGATEWAY_BASE_URL=f'{gateway.base_url}/typo'
    )
    result = pai(['hi'], env)

    assert result.returncode == 1
    assert result.stderr == (
        f"pai: the API of provider 'mygateway' answered HTTP 404 (not found) for {gateway.base_url}/typo/v1/answer: "
        'no route /typo/v1/answer; check MYGATEWAY_BASE_URL, if set\n'
    )


def test_models_lists_the_third_party_names_offline_and_from_its_endpoint(
    isolated_path: str, tmp_path: Path, gateway: Gateway
) -> None:
    offline = pai(['models'], environment(isolated_path, tmp_path))
    online = pai(
        ['models'],
        environment(isolated_path, tmp_path, MYGATEWAY_API_KEY='mgw-secret', MYGATEWAY_BASE_URL=gateway.base_url),
    )

    assert offline.returncode == 0, offline.stderr
    assert offline.stdout == 'some-model\tchat\nother-model\tchat\ngateway-whisper\tspeech-to-text\n'
    assert offline.stderr == "pai: built-in list of mygateway's models: set MYGATEWAY_API_KEY to ask the API\n"
    assert online.returncode == 0, online.stderr
    assert online.stdout == 'live-model\tchat\nlive-tts\ttext-to-speech\n'
    assert gateway.requests == [{'path': '/v1/models', 'authorization': 'Bearer mgw-secret'}]


def test_replay_works_for_the_third_party_provider_offline(isolated_path: str, tmp_path: Path) -> None:
    cassette = tmp_path / 'gateway.yaml'
    request = {'model': 'some-model', 'messages': [{'role': 'user', 'content': 'What is recorded?'}]}
    cassette.write_text(
        yaml.safe_dump(
            {
                'interactions': [
                    {
                        'request': {
                            'body': json.dumps(request),
                            'headers': {},
                            'method': 'POST',
                            'uri': 'https://gateway.example.com/v1/answer',
                        },
                        'response': {
                            'body': {'string': json.dumps({'text': 'This answer was recorded.'})},
                            'headers': {'content-type': ['application/json']},
                            'status': {'code': 200, 'message': 'OK'},
                        },
                    }
                ],
                'version': 1,
            }
        )
    )
    result = pai(['--replay', str(cassette)], environment(isolated_path, tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        'model: mygateway:some-model · replayed offline, no key · from gateway.yaml\n'
        'you> What is recorded?\n'
        'This answer was recorded.\n'
    )


def test_version_and_providers_name_the_third_party_distribution(isolated_path: str, tmp_path: Path) -> None:
    env = environment(isolated_path, tmp_path)
    version = pai(['--version'], env)
    providers = pai(['providers'], env)

    assert version.returncode == 0, version.stderr
    assert version.stdout.endswith(', mygateway-provider 2.5.0)\n')
    assert 'groq' not in version.stdout
    assert providers.returncode == 0, providers.stderr
    assert providers.stdout.splitlines()[1].split() == ['mygateway', 'mygateway-provider', '2.5.0', 'loaded']


def test_the_third_party_plugin_adds_a_command_to_pai(isolated_path: str, tmp_path: Path) -> None:
    env = environment(isolated_path, tmp_path, MYGATEWAY_API_KEY='mgw-secret', MYGATEWAY_BASE_URL='http://gw.test')
    pinged = pai(['gateway-ping', '--path', '/v1/health'], env)
    helped = pai(['--help'], env)
    keyless = pai(['gateway-ping'], environment(isolated_path, tmp_path))

    assert (pinged.returncode, pinged.stdout, pinged.stderr) == (0, 'mygateway at http://gw.test/v1/health\n', '')
    assert helped.returncode == 0 and '  gateway-ping  where MyGateway is\n' in helped.stdout
    assert keyless.returncode == 2
    assert keyless.stderr == (
        "pai: the 'gateway-ping' command of provider plugin 'mygateway' (distribution mygateway-provider) failed: "
        'no API key: set the MYGATEWAY_API_KEY environment variable, e.g. `export MYGATEWAY_API_KEY=...`\n'
    )
