"""A Groq-compatible gateway registered under its own name does not speak Groq.

A `GroqProvider` subclass (the shortest provider plugin of docs/plugins.md) is what the user chose: the library's and
`pai`'s messages name it, its key variable and key page when it declares them, and nothing of Groq's (no Groq key
page, no "The connection to Groq", no Groq model catalogue). `pai models -p <it>` says what happened when it has no
model to show, with a non-zero exit where asking failed. Each test runs against the local test server or a closed
port.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence

import httpx
import pytest

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelTimeoutError,
    UnexpectedModelBehavior,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.providers import ProviderProfile
from pydantic_ai.registry import ProviderRegistry, use_registry
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import (
    GroqFake,
    GroqTestServer,
    ScriptedResponse,
    http_error,
    json_response,
    raw_response,
    raw_sse,
    text_completion,
    wire,
)

from support.reliability import loopback_http_client, prompt, unused_port

MODEL = 'llama-3.3-70b-versatile'


class MyGatewayProvider(GroqProvider):
    """The shortest form of docs/plugins.md: a name, the variable holding its key, its base URL."""

    provider_name = 'mygw-test'
    api_key_env_var = 'MYGW_TEST_API_KEY'
    base_url_env_var = 'MYGW_TEST_BASE_URL'
    default_base_url = 'https://gateway.example.com/groq'


class KeyPageGatewayProvider(MyGatewayProvider):
    provider_name = 'keypage-gw-test'
    api_key_env_var = 'KEYPAGE_GW_TEST_API_KEY'
    api_key_url = 'https://gateway.example.com/keys'


class RenamedOnlyProvider(GroqProvider):
    """Only the name changes: the key is still read from `GROQ_API_KEY`, which messages may say, but not Groq's page."""

    provider_name = 'renamed-test'


class NoListProvider(MyGatewayProvider):
    provider_name = 'nolist-test'
    profile = ProviderProfile(api_key_env_var='MYGW_TEST_API_KEY')  # type: ignore[assignment]  # no models_path


class Result:
    def __init__(self, status: int, stdout: str, stderr: str) -> None:
        self.status, self.stdout, self.stderr = status, stdout, stderr


def pai(argv: Sequence[str]) -> Result:
    from pydantic_ai.cli._app import run

    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), stdin=io.StringIO(''), stdout=out, stderr=err)
    return Result(status, out.getvalue(), err.getvalue())


@pytest.fixture(autouse=True)
def gateways(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderRegistry]:
    """A registry holding the gateways only (no `groq`), current for the test; their variables unset."""
    for name in ('MYGW_TEST_API_KEY', 'MYGW_TEST_BASE_URL', 'KEYPAGE_GW_TEST_API_KEY', 'GROQ_API_KEY', 'PAI_MODEL'):
        monkeypatch.delenv(name, raising=False)
    with use_registry(ProviderRegistry(entry_points=lambda: [])) as registry:
        for provider in (MyGatewayProvider, KeyPageGatewayProvider, RenamedOnlyProvider, NoListProvider):
            registry.register(provider.provider_name, provider)
        yield registry


def assert_speaks_no_groq(text: str) -> None:
    assert 'console.groq.com' not in text
    assert 'Groq' not in text
    assert 'GROQ_BASE_URL' not in text


# --- no key --------------------------------------------------------------------------------------------------------


def test_without_its_key_pai_names_the_gateways_variable_and_no_groq_key_page() -> None:
    result = pai(['-m', f'mygw-test:{MODEL}', 'hi'])

    assert result.status == 2
    assert result.stderr == (
        "pai: no API key for provider 'mygw-test': set the MYGW_TEST_API_KEY environment variable, "
        'e.g. `export MYGW_TEST_API_KEY=...`\n'
    )


def test_a_gateway_declaring_its_key_page_is_named_with_it() -> None:
    result = pai(['-m', f'keypage-gw-test:{MODEL}', 'hi'])

    assert result.status == 2
    assert result.stderr == (
        "pai: no API key for provider 'keypage-gw-test': set the KEYPAGE_GW_TEST_API_KEY environment variable "
        '(create one at https://gateway.example.com/keys), e.g. `export KEYPAGE_GW_TEST_API_KEY=...`\n'
    )


def test_a_renamed_groq_provider_names_the_variable_it_reads_but_not_groqs_key_page() -> None:
    result = pai(['-m', f'renamed-test:{MODEL}', 'hi'])

    assert result.status == 2
    assert result.stderr == (
        "pai: no API key for provider 'renamed-test': set the GROQ_API_KEY environment variable, "
        'e.g. `export GROQ_API_KEY=...`\n'
    )


# --- connection, timeout, errors of the API ------------------------------------------------------------------------


def test_a_failed_connection_names_the_gateway_and_its_base_url_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('MYGW_TEST_API_KEY', 'gw-test-key')
    monkeypatch.setenv('MYGW_TEST_BASE_URL', f'http://127.0.0.1:{unused_port()}')

    result = pai(['-m', f'mygw-test:{MODEL}', 'hi'])

    assert result.status == 1
    assert result.stderr.startswith(
        "pai: could not reach the API of provider 'mygw-test' (The connection to provider 'mygw-test' for model "
        f"'{MODEL}' failed: "
    )
    assert result.stderr.endswith('; check your network connection (and MYGW_TEST_BASE_URL, if set)\n')
    assert_speaks_no_groq(result.stderr)


def gateway_model(base_url: str, http_client: httpx.AsyncClient, *, timeout: float = 5.0) -> GroqModel:
    provider = MyGatewayProvider(
        api_key='gw-test-key', base_url=base_url, http_client=http_client, max_retries=0, timeout=timeout
    )
    return GroqModel(MODEL, provider=provider)


@pytest.mark.asyncio
async def test_the_models_errors_name_the_gateway_streamed_or_not() -> None:
    async with loopback_http_client() as http_client:
        closed = gateway_model(f'http://127.0.0.1:{unused_port()}', http_client)
        with pytest.raises(ModelConnectionError) as refused:
            await closed.request(prompt(), None, ModelRequestParameters())
        with pytest.raises(ModelConnectionError) as refused_stream:
            async with closed.request_stream(prompt(), None, ModelRequestParameters()):
                pass

        with GroqTestServer() as server:
            server.enqueue(text_completion('late').with_stall(1.0))
            slow = gateway_model(server.base_url, http_client, timeout=0.2)
            with pytest.raises(ModelTimeoutError) as timed_out:
                await slow.request(prompt(), None, ModelRequestParameters())

    for error in (refused.value, refused_stream.value):
        assert error.message.startswith(f"The connection to provider 'mygw-test' for model '{MODEL}' failed: ")
    assert timed_out.value.message.startswith(f"The request to provider 'mygw-test' for model '{MODEL}' timed out ")
    for error in (refused.value, refused_stream.value, timed_out.value):
        assert_speaks_no_groq(error.message)


@pytest.mark.asyncio
async def test_a_model_the_gateway_does_not_serve_gets_no_groq_catalogue_hint() -> None:
    with GroqTestServer() as server:
        server.enqueue(http_error(404, f'The model `{MODEL}x` does not exist', code='model_not_found'))
        async with loopback_http_client() as http_client:
            model = GroqModel(
                f'{MODEL}x', provider=MyGatewayProvider(api_key='k', base_url=server.base_url, http_client=http_client)
            )
            with pytest.raises(ModelHTTPError) as exc_info:
                await model.request(prompt(), None, ModelRequestParameters())

    message = str(exc_info.value)
    assert f"provider 'mygw-test' does not serve a model named '{MODEL}x'" in message
    assert '`pai models --provider mygw-test`' in message
    assert 'LatestGroqModelNames' not in message
    assert_speaks_no_groq(message)


@pytest.mark.asyncio
async def test_an_error_frame_in_the_gateways_stream_names_the_gateway() -> None:
    frames = [wire.chat_completion_chunk({'content': 'Hel'}), {'error': {'message': 'upstream overloaded'}}]
    with GroqTestServer() as server:
        server.enqueue(raw_sse(frames, done=False))
        async with loopback_http_client() as http_client:
            model = GroqModel(
                MODEL, provider=MyGatewayProvider(api_key='k', base_url=server.base_url, http_client=http_client)
            )
            with pytest.raises(ModelAPIError) as exc_info:
                async with model.request_stream(prompt(), None, ModelRequestParameters()) as stream:
                    async for _ in stream:
                        pass

    assert exc_info.value.message == f"provider 'mygw-test' reported an error for model '{MODEL}': upstream overloaded"


# --- answers of the wrong shape ------------------------------------------------------------------------------------

CHUNK = wire.chat_completion_chunk({'content': 'Hel'}, model=MODEL)

MALFORMED_ANSWERS = [
    pytest.param(raw_response('not json'), False, 'answered with a body that is not valid JSON', id='body-not-json'),
    pytest.param(json_response({'choices': []}), False, 'answered with no choice', id='no-choice'),
    pytest.param(
        json_response(wire.chat_completion(tool_calls=[{'id': 'c1', 'type': 'function', 'function': {}}])),
        False,
        'answered with a tool call that has no function name',
        id='tool-call-without-name',
    ),
    pytest.param(
        json_response(wire.chat_completion('Hi', annotations=[{'type': 'document_citation'}])),
        False,
        'answered with a `document_citation` annotation without `document_id`, `start_index` and `end_index`',
        id='citation-without-span',
    ),
    pytest.param(raw_sse(['data: not json']), True, 'streamed a frame that is not JSON', id='frame-not-json'),
    pytest.param(raw_sse([], done=True), True, 'streamed no chunk before the end of the stream', id='no-chunk'),
    pytest.param(
        raw_sse([CHUNK, {'model': MODEL, 'choices': [{'index': 0}]}], done=True),
        True,
        'streamed a chunk without a `delta`',
        id='chunk-without-delta',
    ),
    pytest.param(raw_sse([CHUNK]), True, 'streamed a body that ended without `data: [DONE]`', id='no-done'),
    pytest.param(
        raw_sse([CHUNK, wire.chat_completion_chunk({'annotations': [1]}, model=MODEL)], done=True),
        True,
        'streamed an annotation that is not an object',
        id='streamed-citation-not-an-object',
    ),
]


async def malformed_error(provider_class: type[GroqProvider], answer: ScriptedResponse, streamed: bool) -> str:
    """The message of the `UnexpectedModelBehavior` a model of `provider_class` raises for `answer`."""
    async with GroqFake(answer) as fake:
        provider = provider_class(api_key='k', http_client=fake.http_client, max_retries=0, rate_limit=False)
        model = GroqModel(MODEL, provider=provider)
        with pytest.raises(UnexpectedModelBehavior) as exc_info:
            if streamed:
                async with model.request_stream(prompt(), None, ModelRequestParameters()) as stream:
                    async for _ in stream:
                        pass
            else:
                await model.request(prompt(), None, ModelRequestParameters())
    return exc_info.value.message


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ('provider_class', 'api'), [(MyGatewayProvider, "provider 'mygw-test'"), (GroqProvider, 'Groq')], ids=['gw', 'groq']
)
@pytest.mark.parametrize(('answer', 'streamed', 'problem'), MALFORMED_ANSWERS)
async def test_an_answer_of_the_wrong_shape_names_the_api_that_sent_it(
    provider_class: type[GroqProvider], api: str, answer: ScriptedResponse, streamed: bool, problem: str
) -> None:
    message = await malformed_error(provider_class, answer, streamed)

    assert message.startswith(f'{api} {problem}')
    assert message.endswith(f" for model '{MODEL}'")
    assert ('Groq' in message) is (provider_class is GroqProvider)


# --- pai models ----------------------------------------------------------------------------------------------------


def test_models_without_the_gateways_key_says_so_and_exits_2() -> None:
    result = pai(['models', '-p', 'mygw-test'])

    assert result.status == 2
    assert result.stdout == ''
    assert result.stderr == (
        "pai: provider 'mygw-test' lists no model names: set MYGW_TEST_API_KEY to ask its API for the models your "
        'key can use\n'
    )


def test_models_whose_live_list_fails_says_why_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('MYGW_TEST_API_KEY', 'gw-test-key')
    with GroqTestServer() as server:
        base_url = server.base_url
        server.enqueue(http_error(404, 'no such route'))
        monkeypatch.setenv('MYGW_TEST_BASE_URL', base_url)
        result = pai(['models', '-p', 'mygw-test'])
        server.enqueue(http_error(500, 'boom'))
        as_json = pai(['models', '-p', 'mygw-test', '--json'])

    assert result.status == 1
    assert result.stdout == ''
    assert result.stderr == (
        "pai: provider 'mygw-test' lists no model names, and its models endpoint could not be asked: "
        f'{base_url}/openai/v1/models answered HTTP 404\n'
    )
    assert 'gw-test-key' not in result.stderr
    assert as_json.status == 1
    data = json.loads(as_json.stdout)
    assert (data['provider'], data['models']) == ('mygw-test', [])
    assert data['note'].endswith('answered HTTP 500')


def test_models_of_a_gateway_without_any_model_list_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('MYGW_TEST_API_KEY', 'gw-test-key')

    result = pai(['models', '-p', 'nolist-test'])

    assert result.status == 0
    assert result.stdout == ''
    assert result.stderr == (
        "pai: provider 'nolist-test' offers no model list (no built-in names, no models endpoint); name a model it "
        'serves with `pai -m nolist-test:<name>`\n'
    )


def test_models_when_the_gateways_api_lists_nothing_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('MYGW_TEST_API_KEY', 'gw-test-key')
    with GroqTestServer() as server:
        server.enqueue(json_response(wire.model_list([])))
        monkeypatch.setenv('MYGW_TEST_BASE_URL', server.base_url)
        result = pai(['models', '-p', 'mygw-test'])

    assert result.status == 0
    assert result.stderr == "pai: the API of provider 'mygw-test' lists no model your key can use\n"


def test_models_of_a_gateway_listing_names_still_lists_them(gateways: ProviderRegistry) -> None:
    class Listing(MyGatewayProvider):
        provider_name = 'listing-test'
        model_names = ('llama-3.3-70b-versatile', 'whisper-large-v3')

    gateways.register('listing-test', Listing)

    result = pai(['models', '-p', 'listing-test'])

    assert result.status == 0
    assert result.stdout == 'llama-3.3-70b-versatile\tchat\nwhisper-large-v3\tspeech-to-text\n'
    assert result.stderr == "pai: built-in list of listing-test's models: set MYGW_TEST_API_KEY to ask the API\n"
