"""The API key never leaks: not in `repr()`/`str()`, errors, tracebacks, pickles, log records, or recorded cassettes.

Every test uses one distinctive fake key (`CANARY`) and, after exercising a path, searches everything a user or a
log collector could see for it. Each test also checks that the key really was used (sent as `Authorization` or
held by the client), so that "not found" means "not leaked" and not "never there".

An autouse fixture captures log records of every logger at DEBUG (the groq SDK, httpx and httpcore log there) and
fails the test if any record mentions the key.

Paths: provider and model construction (arguments, environment, registry), a successful request and stream, HTTP
401/429/500 (request and stream), connection failures and timeouts, `UserError` paths, pickled exceptions, real
sockets against `pydantic_ai_groq.testing.GroqTestServer`, a cassette written through the cassette plugin
(`pydantic_ai.testing.pytest_plugin`) in the mode `make record` uses, and a gateway provider's secret `default_headers`
(`GATEWAY_CANARY`), checked everywhere the key is.
"""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import groq
import httpx
import pytest
import pytest_asyncio
import vcr

from pydantic_ai import infer_model, infer_provider
from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelTimeoutError,
    PydanticAIError,
    UserError,
)
from pydantic_ai.messages import BinaryContent, ModelMessagesTypeAdapter, ModelRequest, UserPromptPart
from pydantic_ai.models import ModelRequestParameters, override_allow_model_requests
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, http_error, reset_connection, streamed_text, text_completion, wire

from support.constants import BASE_URL, MODEL_NAME, user_prompt

CANARY = 'gsk-SECRET-canary-9f8e7d6c5b4a'
"""The fake API key every test uses; distinctive enough that any occurrence is a leak."""
GATEWAY_CANARY = 'cfaig-SECRET-gateway-4e3d2c1b'
"""The value of a gateway's own credential header (`default_headers`), a secret like the key."""
CANARY_FRAGMENTS = (CANARY, 'SECRET-canary', '9f8e7d6c5b4a', GATEWAY_CANARY, 'SECRET-gateway', '4e3d2c1b')
"""A leak may be partial (truncated, masked in the middle): none of these may appear either."""

NO_TOOLS = ModelRequestParameters()
TESTS_DIR = Path(__file__).resolve().parents[1]


def leaks(text: str | bytes) -> list[str]:
    """The fragments of the key found in `text`."""
    haystack = text.decode(errors='replace') if isinstance(text, bytes) else text
    return [fragment for fragment in CANARY_FRAGMENTS if fragment in haystack]


def assert_no_key(**texts: str | bytes) -> None:
    found = {where: leaks(text) for where, text in texts.items() if leaks(text)}
    assert not found, f'the API key leaked into: {found}'


@pytest.fixture(autouse=True)
def no_key_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG for the whole test, then fail if any record carries the key."""
    caplog.set_level(logging.DEBUG)
    for name in ('groq', 'httpx', 'httpcore', 'pydantic_ai', 'pydantic_ai_groq', 'vcr'):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog
    # At teardown `caplog.records` holds the teardown phase only: read the setup and call phases explicitly.
    for record in [*caplog.get_records('setup'), *caplog.get_records('call')]:
        texts = {
            'message': record.getMessage(),
            'args': repr(record.args),
            'exc_text': record.exc_text or '',
            'formatted': logging.Formatter('%(name)s %(levelname)s %(message)s').format(record),
        }
        assert_no_key(**{f'log record of {record.name!r} ({where})': text for where, text in texts.items()})


# --- helpers ----------------------------------------------------------------------------------------------------------


class CanaryMock:
    """A real `AsyncGroq` holding the canary key, whose HTTP traffic goes to an `httpx.MockTransport` handler."""

    def __init__(self, responder: Callable[[httpx.Request], httpx.Response] | httpx.Response) -> None:
        self.requests: list[httpx.Request] = []
        self.responder = responder
        self.http_client = httpx.AsyncClient(transport=httpx.MockTransport(self._handle))
        self.client = groq.AsyncGroq(api_key=CANARY, base_url=BASE_URL, http_client=self.http_client, max_retries=0)
        self.model = GroqModel(MODEL_NAME, groq_client=self.client)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if isinstance(self.responder, httpx.Response):
            return self.responder
        return self.responder(request)

    def assert_key_was_sent(self) -> None:
        assert self.requests, 'no request was sent'
        assert all(r.headers['authorization'] == f'Bearer {CANARY}' for r in self.requests)


@pytest_asyncio.fixture
async def make_mock() -> AsyncIterator[Callable[..., CanaryMock]]:
    mocks: list[CanaryMock] = []

    def make(responder: Callable[[httpx.Request], httpx.Response] | httpx.Response) -> CanaryMock:
        mocks.append(CanaryMock(responder))
        return mocks[-1]

    yield make
    for mock in mocks:
        await mock.http_client.aclose()


def frame_locals(exc: BaseException) -> Iterator[tuple[str, str, object]]:
    """(where, name, value) for every local of every frame of `exc`'s traceback and of its chained exceptions.

    Frames of this test suite are skipped: they hold the key on purpose.
    """
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            code = tb.tb_frame.f_code
            if not Path(code.co_filename).resolve().is_relative_to(TESTS_DIR):
                for name, value in tb.tb_frame.f_locals.items():
                    yield f'{code.co_filename}:{tb.tb_lineno} in {code.co_name}', name, value
            tb = tb.tb_next
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]


def assert_exception_hides_key(exc: BaseException) -> None:
    """What a user, a log line, an error tracker or another process can see of `exc` holds no trace of the key."""
    assert isinstance(exc, PydanticAIError), f'expected a pydantic_ai exception, got {type(exc).__name__}: {exc}'
    texts: dict[str, str | bytes] = {
        'str(exc)': str(exc),
        'repr(exc)': repr(exc),
        'exc.args': repr(exc.args),
        'vars(exc)': repr(vars(exc)),
        'format_exception (whole chain)': ''.join(traceback.format_exception(exc)),
        'pickle.dumps(exc)': pickle.dumps(exc),
    }
    restored = pickle.loads(pickle.dumps(exc))
    texts['unpickled str/repr'] = f'{restored} {restored!r} {vars(restored)!r}'
    for name in ('body', 'headers', 'message'):
        if hasattr(exc, name):
            texts[f'exc.{name}'] = repr(getattr(exc, name))
    chain: BaseException | None = exc.__cause__ or exc.__context__
    while chain is not None:
        texts[f'str/repr of chained {type(chain).__name__}'] = f'{chain} {chain!r}'
        chain = chain.__cause__ or chain.__context__
    assert_no_key(**texts)


SENSITIVE_NAMES = ('api_key', 'apikey', 'authorization')
"""Names under which error trackers (Sentry's default denylist, for one) redact a value when they capture locals."""


def _is_sensitive(name: object) -> bool:
    return isinstance(name, str) and any(word in name.lower().replace('-', '_') for word in SENSITIVE_NAMES)


def _scrubbed(value: object) -> object:
    """`value` with every dict entry under a sensitive name redacted, as a name-based scrubber would."""
    if isinstance(value, dict):
        return {k: '[redacted]' if _is_sensitive(k) else _scrubbed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrubbed(v) for v in value]
    return value


def assert_traceback_locals_hide_key(exc: BaseException) -> None:
    """Tracebacks rendered with their locals (error trackers, `rich`, `capture_locals=True`) hide the key.

    The key reaches the library as an argument, so some frame necessarily holds it under the parameter's name
    (`api_key`, or an `api_key` entry of forwarded keyword arguments); scrubbers redact those by name, so they are
    exempt. The key anywhere else (a request, an options object, a URL, a message) is a leak.
    """
    suspicious = [
        f'{where}: {name} = {_safe_repr(value)}'[:400]
        for where, name, value in frame_locals(exc)
        if not _is_sensitive(name) and value != CANARY and leaks(_safe_repr(_scrubbed(value)))
    ]
    assert not suspicious, f'traceback locals show the API key: {suspicious}'


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as exc:  # a broken repr is not what this test is about
        return f'<repr failed: {type(exc).__name__}>'


async def request_error(model: GroqModel) -> PydanticAIError:
    with override_allow_model_requests(True), pytest.raises(PydanticAIError) as exc_info:
        await model.request(user_prompt(), None, NO_TOOLS)
    return exc_info.value


async def stream_error(model: GroqModel) -> PydanticAIError:
    with override_allow_model_requests(True), pytest.raises(PydanticAIError) as exc_info:
        async with model.request_stream(user_prompt(), None, NO_TOOLS) as stream:
            async for _ in stream:
                pass
    return exc_info.value


def error_body(status: int) -> dict[str, Any]:
    messages = {401: 'Invalid API Key', 429: 'Rate limit reached for model', 500: 'Internal server error'}
    return {'error': {'message': messages[status], 'type': 'invalid_request_error', 'code': f'code_{status}'}}


def error_response(status: int) -> httpx.Response:
    headers = {'x-request-id': 'req_1', 'retry-after': '7'} if status == 429 else {'x-request-id': 'req_1'}
    return httpx.Response(status, json=error_body(status), headers=headers)


# --- 1. construction: repr/str of providers and models ----------------------------------------------------------------


def texts_of(obj: object, *, with_vars: bool = True) -> dict[str, str]:
    """repr/str of `obj`, and (for this project's objects) the repr of its attributes, as debuggers show them."""
    texts = {'repr': repr(obj), 'str': str(obj), 'format': f'{obj}', 'ascii': ascii(obj)}
    if with_vars and hasattr(obj, '__dict__'):
        texts['vars'] = repr(vars(obj))
    return texts


CONSTRUCTIONS: dict[str, Callable[[], GroqModel | GroqProvider]] = {
    'GroqProvider(api_key=)': lambda: GroqProvider(api_key=CANARY),
    'GroqProvider(api_key=, base_url=, max_retries=, timeout=)': lambda: GroqProvider(
        api_key=CANARY, base_url='https://proxy.example.com', max_retries=1, timeout=3.0
    ),
    'GroqModel(api_key=)': lambda: GroqModel(MODEL_NAME, api_key=CANARY),
    'GroqModel(provider=GroqProvider(api_key=))': lambda: GroqModel(MODEL_NAME, provider=GroqProvider(api_key=CANARY)),
    'GroqModel(groq_client=)': lambda: GroqModel(MODEL_NAME, groq_client=groq.AsyncGroq(api_key=CANARY)),
}


@pytest.mark.parametrize('make', CONSTRUCTIONS.values(), ids=CONSTRUCTIONS.keys())
def test_repr_and_str_of_provider_and_model_hide_the_key(
    make: Callable[[], GroqModel | GroqProvider], no_groq_env: None
) -> None:
    obj = make()

    client = obj.client
    assert client.api_key == CANARY
    objects: dict[str, object] = {'object': obj, 'client': client, 'client.base_url': client.base_url}
    if isinstance(obj, GroqModel):
        objects['model._provider'] = obj._provider
    for label, value in objects.items():
        # The SDK client holds the key as its `api_key` attribute by design: only its repr/str are checked.
        texts = texts_of(value, with_vars=not label.startswith('client'))
        assert_no_key(**{f'{label} {kind}': text for kind, text in texts.items()})


def test_provider_model_and_registry_built_from_the_environment_hide_the_key(
    monkeypatch: pytest.MonkeyPatch, no_groq_env: None
) -> None:
    monkeypatch.setenv('GROQ_API_KEY', CANARY)

    built = {
        'GroqProvider()': GroqProvider(),
        "infer_provider('groq')": infer_provider('groq'),
        'GroqModel(name)': GroqModel(MODEL_NAME),
        "GroqModel(name, provider='groq')": GroqModel(MODEL_NAME, provider='groq'),
        "infer_model('groq:name')": infer_model(f'groq:{MODEL_NAME}'),
    }

    for label, obj in built.items():
        assert obj.client.api_key == CANARY, label  # type: ignore[attr-defined]
        assert_no_key(**{f'{label} {kind}': text for kind, text in texts_of(obj).items()})


# --- 2. successful requests and streams -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_successful_request_hides_the_key(make_mock: Callable[..., CanaryMock]) -> None:
    mock = make_mock(httpx.Response(200, json=wire.chat_completion('Hello!')))

    with override_allow_model_requests(True):
        response, usage = await mock.model.request(user_prompt(), None, NO_TOOLS)

    mock.assert_key_was_sent()
    assert_no_key(
        response=repr(response),
        usage=repr(usage),
        history_json=ModelMessagesTypeAdapter.dump_json([response]),
        model=repr(mock.model),
    )


@pytest.mark.asyncio
async def test_successful_stream_hides_the_key(make_mock: Callable[..., CanaryMock]) -> None:
    body = b''.join(
        wire.sse_frames(
            [
                wire.chat_completion_chunk({'content': 'Hel'}),
                wire.chat_completion_chunk({'content': 'lo'}),
                wire.chat_completion_chunk(
                    {}, finish_reason='stop', x_groq={'id': 'req_test', 'usage': wire.usage_body(1, 2, timings=False)}
                ),
            ]
        )
    )
    mock = make_mock(httpx.Response(200, headers=wire.sse_headers('req_test'), content=body))

    with override_allow_model_requests(True):
        async with mock.model.request_stream(user_prompt(), None, NO_TOOLS) as stream:
            events = [event async for event in stream]
            during = repr(stream)
        after = repr(stream)

    mock.assert_key_was_sent()
    assert_no_key(
        events=repr(events),
        stream_during=during,
        stream_after=after,
        stream_vars=repr(vars(stream)),
        response=repr(stream.get()),
        usage=repr(stream.usage()),
    )


# --- 3. HTTP errors ---------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize('status', [401, 429, 500])
@pytest.mark.parametrize('path', ['request', 'stream'])
async def test_http_error_hides_the_key_in_message_fields_traceback_and_pickle(
    make_mock: Callable[..., CanaryMock], status: int, path: str
) -> None:
    mock = make_mock(error_response(status))

    exc = await (request_error if path == 'request' else stream_error)(mock.model)

    mock.assert_key_was_sent()
    assert isinstance(exc, ModelHTTPError)
    assert exc.status_code == status
    assert exc.body == error_body(status)
    assert isinstance(exc.__cause__, groq.APIStatusError)
    assert_exception_hides_key(exc)


@pytest.mark.asyncio
@pytest.mark.parametrize('status', [401, 429, 500])
async def test_http_error_traceback_locals_hide_the_key(make_mock: Callable[..., CanaryMock], status: int) -> None:
    mock = make_mock(error_response(status))

    exc = await request_error(mock.model)

    assert_traceback_locals_hide_key(exc)


@pytest.mark.asyncio
async def test_error_frame_mid_stream_hides_the_key(make_mock: Callable[..., CanaryMock]) -> None:
    body = b''.join(wire.sse_frames([wire.chat_completion_chunk({'content': 'partial'})], done=False)) + (
        b'event: error\ndata: {"error": {"message": "Service unavailable", "type": "internal_server_error"}}\n\n'
    )
    mock = make_mock(httpx.Response(200, headers=wire.sse_headers('req_test'), content=body))

    exc = await stream_error(mock.model)

    assert isinstance(exc, ModelAPIError)
    assert_exception_hides_key(exc)


# --- 4. connection failures and timeouts ------------------------------------------------------------------------------

TRANSPORT_FAILURES: dict[str, tuple[Callable[[httpx.Request], BaseException], type[PydanticAIError]]] = {
    'connect-error': (lambda r: httpx.ConnectError('All connection attempts failed', request=r), ModelConnectionError),
    'read-timeout': (lambda r: httpx.ReadTimeout('timed out', request=r), ModelTimeoutError),
    'connect-timeout': (lambda r: httpx.ConnectTimeout('timed out', request=r), ModelTimeoutError),
    'remote-protocol-error': (
        lambda r: httpx.RemoteProtocolError('Server disconnected without sending a response.', request=r),
        ModelConnectionError,
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize('path', ['request', 'stream'])
@pytest.mark.parametrize('failure', TRANSPORT_FAILURES.values(), ids=TRANSPORT_FAILURES.keys())
async def test_connection_failure_hides_the_key(
    make_mock: Callable[..., CanaryMock],
    failure: tuple[Callable[[httpx.Request], BaseException], type[PydanticAIError]],
    path: str,
) -> None:
    make_error, expected = failure

    def fail(request: httpx.Request) -> httpx.Response:
        raise make_error(request)

    mock = make_mock(fail)

    exc = await (request_error if path == 'request' else stream_error)(mock.model)

    mock.assert_key_was_sent()
    assert isinstance(exc, expected)
    assert_exception_hides_key(exc)
    assert_traceback_locals_hide_key(exc)


class BreaksMidStream(httpx.AsyncByteStream):
    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b''.join(wire.sse_frames([wire.chat_completion_chunk({'content': 'partial'})], done=False))
        raise httpx.ReadError('connection reset by peer', request=self.request)


@pytest.mark.asyncio
async def test_connection_lost_mid_stream_hides_the_key(make_mock: Callable[..., CanaryMock]) -> None:
    mock = make_mock(lambda r: httpx.Response(200, headers=wire.sse_headers('req_test'), stream=BreaksMidStream(r)))

    exc = await stream_error(mock.model)

    assert isinstance(exc, ModelConnectionError)
    assert_exception_hides_key(exc)
    assert_traceback_locals_hide_key(exc)


# --- 5. UserError paths -----------------------------------------------------------------------------------------------


def _model() -> GroqModel:
    return GroqModel(MODEL_NAME, api_key=CANARY)


async def _unsupported_binary() -> None:
    prompt = [ModelRequest([UserPromptPart([BinaryContent(b'RIFF', media_type='audio/wav')])])]
    with override_allow_model_requests(True):
        await _model().request(prompt, None, NO_TOOLS)


async def _requests_not_allowed() -> None:
    with override_allow_model_requests(False):
        await _model().request(user_prompt(), None, NO_TOOLS)


async def _bad_settings() -> None:
    with override_allow_model_requests(True):
        await _model().request(user_prompt(), {'timeout': 'soon'}, NO_TOOLS)  # type: ignore[typeddict-item]


async def _empty_history() -> None:
    with override_allow_model_requests(True):
        await _model().request([], None, NO_TOOLS)


USER_ERRORS: dict[str, Callable[[], object]] = {
    'api_key with groq_client': lambda: GroqProvider(api_key=CANARY, groq_client=groq.AsyncGroq(api_key=CANARY)),
    'api_key with provider': lambda: GroqModel(MODEL_NAME, provider=GroqProvider(api_key=CANARY), api_key=CANARY),
    'empty model name': lambda: GroqModel('', api_key=CANARY),
    'bad max_retries': lambda: GroqProvider(api_key=CANARY, max_retries=-1),
    'bad timeout': lambda: GroqProvider(api_key=CANARY, timeout='soon'),  # type: ignore[arg-type]
    'bad http_client': lambda: GroqProvider(api_key=CANARY, http_client='client'),  # type: ignore[arg-type]
    'key of the wrong type': lambda: GroqProvider(api_key=[CANARY]),  # type: ignore[arg-type]
    'key as bytes': lambda: GroqProvider(api_key=CANARY.encode()),  # type: ignore[arg-type]
    'unknown provider': lambda: GroqModel(MODEL_NAME, provider='no-such-provider'),
    'unsupported binary content': _unsupported_binary,
    'model requests not allowed': _requests_not_allowed,
    'setting of the wrong type': _bad_settings,
    'empty message history': _empty_history,
}


@pytest.mark.asyncio
@pytest.mark.parametrize('cause', USER_ERRORS.values(), ids=USER_ERRORS.keys())
async def test_user_error_hides_the_key(cause: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_API_KEY', CANARY)

    with pytest.raises(UserError) as exc_info:
        result = cause()
        if hasattr(result, '__await__'):
            await result  # type: ignore[misc]

    assert_exception_hides_key(exc_info.value)
    assert_traceback_locals_hide_key(exc_info.value)


# --- 6. logging is really captured (else the autouse check would prove nothing) ---------------------------------------


@pytest.mark.asyncio
async def test_debug_logs_of_sdk_and_httpx_are_captured_and_hide_the_key(
    make_mock: Callable[..., CanaryMock], no_key_in_logs: pytest.LogCaptureFixture
) -> None:
    mock = make_mock(error_response(401))

    await request_error(mock.model)

    loggers = {record.name.split('.')[0] for record in no_key_in_logs.records}
    assert 'groq' in loggers, f'no groq SDK debug records were captured: {loggers}'
    assert any(record.levelno == logging.DEBUG for record in no_key_in_logs.records)


# --- 7. real sockets: GroqTestServer ----------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def socket_model(server: GroqTestServer) -> AsyncIterator[GroqModel]:
    async with httpx.AsyncClient() as http_client:
        provider = GroqProvider(api_key=CANARY, base_url=server.base_url, http_client=http_client, max_retries=1)
        yield GroqModel(MODEL_NAME, provider=provider)


@pytest.mark.asyncio
async def test_real_socket_request_stream_retry_and_errors_hide_the_key(
    server: GroqTestServer, socket_model: GroqModel, no_key_in_logs: pytest.LogCaptureFixture
) -> None:
    server.enqueue(
        text_completion('Hello!'),
        http_error(429, 'Rate limit reached', retry_after=0.01),
        streamed_text(['Hel', 'lo']),
        http_error(401, 'Invalid API Key'),
        http_error(500, 'Internal server error'),
        http_error(500, 'Internal server error'),  # retried once
        reset_connection(),
        reset_connection(),
    )
    with override_allow_model_requests(True):
        response, _ = await socket_model.request(user_prompt(), None, NO_TOOLS)
        async with socket_model.request_stream(user_prompt(), None, NO_TOOLS) as stream:  # retried once after 429
            events = [event async for event in stream]
    errors = [await request_error(socket_model), await request_error(socket_model), await request_error(socket_model)]

    assert [type(e) for e in errors] == [ModelHTTPError, ModelHTTPError, ModelConnectionError]
    assert [r.headers['authorization'] for r in server.requests] == [f'Bearer {CANARY}'] * len(server.requests)
    assert len(server.requests) == 8
    assert_no_key(response=repr(response), events=repr(events), stream=repr(stream.get()))
    for exc in errors:
        assert_exception_hides_key(exc)
        assert_traceback_locals_hide_key(exc)
    assert {'httpcore', 'groq'} <= {record.name.split('.')[0] for record in no_key_in_logs.records}


# --- 8. cassettes written the way `make record` writes them -----------------------------------------------------------


def plugin_vcr(record_mode: str) -> vcr.VCR:
    """A VCR configured exactly as the cassette plugin configures the one pytest-recording creates for a test."""
    from pydantic_ai.testing._vcr import configure_vcr

    recorder = vcr.VCR(record_mode=record_mode)
    configure_vcr(recorder)
    return recorder


@pytest.mark.asyncio
async def test_cassette_recorded_through_the_cassette_plugin_holds_no_key_and_no_authorization(
    server: GroqTestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `make record` runs: a real key in GROQ_API_KEY, and record mode `rewrite`, which pytest-recording turns
    # into: delete the cassette, then record with vcrpy's `new_episodes`.
    monkeypatch.setenv('GROQ_API_KEY', CANARY)
    cassette_path = tmp_path / 'recorded.yaml'
    server.enqueue(
        text_completion('Hello!', headers={'set-cookie': 'session=cookie-3f1d; Path=/'}),
        streamed_text(['Hel', 'lo']),
        http_error(401, 'Invalid API Key'),
    )

    async with httpx.AsyncClient() as http_client:
        model = GroqModel(
            MODEL_NAME, provider=GroqProvider(base_url=server.base_url, http_client=http_client, max_retries=0)
        )
        with plugin_vcr('new_episodes').use_cassette(str(cassette_path)) as cassette:
            with override_allow_model_requests(True):
                await model.request(user_prompt(), None, NO_TOOLS)
                async with model.request_stream(user_prompt(), None, NO_TOOLS) as stream:
                    async for _ in stream:
                        pass
            error = await request_error(model)

    assert len(cassette.requests) == 3, 'vcrpy did not record the traffic (is the transport patched?)'
    assert [r.headers['authorization'] for r in server.requests] == [f'Bearer {CANARY}'] * 3
    assert isinstance(error, ModelHTTPError)
    written = cassette_path.read_text()
    assert_no_key(cassette=written)
    assert 'authorization' not in written.lower(), 'the cassette holds an authorization header'
    assert 'cookie-3f1d' not in written, 'the cassette holds a response cookie'


# --- 9. a gateway's own credential header (`default_headers`) ---------------------------------------------------------


class GatewayProvider(GroqProvider):
    """A gateway that wants its own credential beside the Groq key, read from its own environment variable."""

    provider_name = 'secret-gateway-test'
    chat_completions_path = '/gateway/chat/completions'

    @property
    def default_headers(self) -> dict[str, str]:
        import os

        return {'cf-aig-authorization': f'Bearer {os.environ["GATEWAY_TEST_TOKEN"]}'}


@pytest.mark.asyncio
async def test_gateway_header_value_is_hidden_in_reprs_errors_logs_and_cassettes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_key_in_logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv('GATEWAY_TEST_TOKEN', GATEWAY_CANARY)
    cassette_path = tmp_path / 'gateway.yaml'
    with GroqTestServer(chat_completions_path=GatewayProvider.chat_completions_path) as server:
        server.enqueue(
            text_completion('Hello!'),
            streamed_text(['Hel', 'lo']),
            http_error(401, 'Invalid gateway token'),
            http_error(500, 'Internal server error'),
            reset_connection(),
        )
        async with httpx.AsyncClient() as http_client:
            provider = GatewayProvider(api_key=CANARY, base_url=server.base_url, http_client=http_client, max_retries=0)
            model = GroqModel(MODEL_NAME, provider=provider)
            with plugin_vcr('new_episodes').use_cassette(str(cassette_path)) as cassette:
                with override_allow_model_requests(True):
                    response, _ = await model.request(user_prompt(), None, NO_TOOLS)
                    async with model.request_stream(user_prompt(), None, NO_TOOLS) as stream:
                        events = [event async for event in stream]
                errors = [await request_error(model), await request_error(model)]
            errors.append(await request_error(model))  # the reset, outside the cassette

    # The header really went out, on the gateway's path, with every request.
    assert [(r.path, r.headers['cf-aig-authorization']) for r in server.requests] == [
        ('/gateway/chat/completions', f'Bearer {GATEWAY_CANARY}')
    ] * 5
    assert [type(e) for e in errors] == [ModelHTTPError, ModelHTTPError, ModelConnectionError]
    assert_no_key(
        provider=repr(provider), model=repr(model), response=repr(response), events=repr(events), vars=repr(vars(model))
    )
    for exc in errors:
        assert_exception_hides_key(exc)
        assert_traceback_locals_hide_key(exc)
    assert len(cassette.requests) == 4
    written = cassette_path.read_text()
    assert_no_key(cassette=written)
    assert 'cf-aig-authorization' not in written.lower()
