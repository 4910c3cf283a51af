"""`GroqProvider` configuration and `GroqModel` construction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar

import groq
import httpx
import pytest
import pytest_asyncio

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import TextPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import wire

from support.constants import FAKE_GROQ_API_KEY, MODEL_NAME, user_prompt

OTHER_KEY = 'gsk-other-fake-key-9876543210'


@pytest_asyncio.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def groq_client(http_client: httpx.AsyncClient) -> AsyncIterator[groq.AsyncGroq]:
    client = groq.AsyncGroq(api_key=FAKE_GROQ_API_KEY, base_url='https://api.groq.com', http_client=http_client)
    yield client
    await client.close()


@pytest.fixture
def sync_groq_client() -> Iterator[groq.Groq]:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(500)))
    client = groq.Groq(api_key=FAKE_GROQ_API_KEY, http_client=http)
    yield client
    client.close()
    http.close()


def assert_no_key(text: str) -> None:
    assert FAKE_GROQ_API_KEY not in text
    assert OTHER_KEY not in text


# --- GroqProvider: API key and base URL --------------------------------------------------------------------------


def test_provider_uses_api_key_argument(no_groq_env: None) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY)
    assert provider.client.api_key == FAKE_GROQ_API_KEY


def test_provider_api_key_argument_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_API_KEY', OTHER_KEY)
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY)
    assert provider.client.api_key == FAKE_GROQ_API_KEY


def test_provider_falls_back_to_groq_api_key_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_API_KEY', OTHER_KEY)
    provider = GroqProvider()
    assert provider.client.api_key == OTHER_KEY


def test_provider_default_base_url_is_groq_api(groq_api_key: str) -> None:
    provider = GroqProvider()
    assert provider.base_url == 'https://api.groq.com'
    assert str(provider.client.base_url).rstrip('/') == 'https://api.groq.com'


def test_provider_falls_back_to_groq_base_url_env_var(groq_api_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_BASE_URL', 'https://gateway.example.com/groq')
    provider = GroqProvider()
    assert provider.base_url.rstrip('/') == 'https://gateway.example.com/groq'


def test_provider_base_url_argument_wins_over_env_var(groq_api_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_BASE_URL', 'https://gateway.example.com/groq')
    provider = GroqProvider(base_url='https://proxy.example.org')
    assert provider.base_url.rstrip('/') == 'https://proxy.example.org'


def test_provider_empty_groq_base_url_env_var_uses_default(groq_api_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_BASE_URL', '')
    assert GroqProvider().base_url == 'https://api.groq.com'


def test_provider_without_api_key_raises_user_error_naming_env_var_and_argument(no_groq_env: None) -> None:
    with pytest.raises(UserError) as exc_info:
        GroqProvider()
    assert 'GROQ_API_KEY' in str(exc_info.value)
    assert 'api_key=' in str(exc_info.value)


def test_provider_empty_api_key_env_var_raises_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_API_KEY', '')
    with pytest.raises(UserError, match='GROQ_API_KEY'):
        GroqProvider()


def test_provider_empty_string_api_key_raises_user_error(groq_api_key: str) -> None:
    with pytest.raises(UserError, match='api_key'):
        GroqProvider(api_key='')


# --- GroqProvider: groq_client and http_client --------------------------------------------------------------------


@pytest.mark.parametrize(
    'kwargs, conflicting',
    [
        ({'api_key': OTHER_KEY}, 'api_key'),
        ({'base_url': 'https://proxy.example.org'}, 'base_url'),
        ({'http_client': 'HTTP_CLIENT'}, 'http_client'),
    ],
)
@pytest.mark.asyncio
async def test_provider_groq_client_with_other_argument_raises_user_error_naming_it(
    groq_client: groq.AsyncGroq, http_client: httpx.AsyncClient, kwargs: dict[str, Any], conflicting: str
) -> None:
    kwargs = {k: (http_client if v == 'HTTP_CLIENT' else v) for k, v in kwargs.items()}
    with pytest.raises(UserError) as exc_info:
        GroqProvider(groq_client=groq_client, **kwargs)
    message = str(exc_info.value)
    assert f'`{conflicting}`' in message
    assert 'groq_client' in message
    assert_no_key(message)


@pytest.mark.asyncio
async def test_provider_uses_groq_client_as_is(groq_client: groq.AsyncGroq) -> None:
    provider = GroqProvider(groq_client=groq_client)
    assert provider.client is groq_client
    assert provider.base_url.rstrip('/') == 'https://api.groq.com'


def test_provider_sync_groq_client_raises_user_error(sync_groq_client: groq.Groq) -> None:
    with pytest.raises(UserError, match='AsyncGroq') as exc_info:
        GroqProvider(groq_client=sync_groq_client)  # type: ignore[arg-type]
    assert_no_key(str(exc_info.value))


def test_provider_non_httpx_http_client_raises_user_error() -> None:
    with pytest.raises(UserError, match='httpx.AsyncClient') as exc_info:
        GroqProvider(api_key=FAKE_GROQ_API_KEY, http_client=object())  # type: ignore[arg-type]
    assert_no_key(str(exc_info.value))


def test_provider_sync_httpx_client_raises_user_error() -> None:
    with httpx.Client() as sync_client:
        with pytest.raises(UserError, match='httpx.AsyncClient'):
            GroqProvider(api_key=FAKE_GROQ_API_KEY, http_client=sync_client)  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_provider_sends_requests_through_given_http_client() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=wire.chat_completion('hi'))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, http_client=http)
        model = GroqModel(MODEL_NAME, provider=provider)
        response, _ = await model.request(user_prompt(), None, ModelRequestParameters())
    assert response.parts == [TextPart('hi')]
    assert len(seen) == 1
    assert seen[0].url == 'https://api.groq.com/openai/v1/chat/completions'
    assert seen[0].headers['authorization'] == f'Bearer {FAKE_GROQ_API_KEY}'


# --- GroqProvider: properties and secrecy -------------------------------------------------------------------------


def test_provider_properties(groq_api_key: str) -> None:
    provider = GroqProvider()
    assert provider.name == 'groq'
    assert provider.base_url == 'https://api.groq.com'
    assert isinstance(provider.client, groq.AsyncGroq)


def test_provider_repr_and_str_do_not_contain_api_key(no_groq_env: None) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY)
    assert_no_key(repr(provider))
    assert_no_key(str(provider))
    assert 'groq' in repr(provider)


def test_model_repr_does_not_contain_api_key(no_groq_env: None) -> None:
    model = GroqModel(MODEL_NAME, api_key=FAKE_GROQ_API_KEY)
    assert_no_key(repr(model))
    assert_no_key(str(model))
    assert MODEL_NAME in repr(model)


def test_missing_key_error_does_not_contain_other_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # A key set for another provider's variable must not show up in the message either.
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    monkeypatch.setenv('ACME_API_KEY', OTHER_KEY)
    with pytest.raises(UserError) as exc_info:
        GroqProvider()
    assert_no_key(str(exc_info.value))


# --- GroqProvider subclasses --------------------------------------------------------------------------------------


class AcmeProvider(GroqProvider):
    provider_name: ClassVar[str] = 'acme'
    api_key_env_var: ClassVar[str] = 'ACME_API_KEY'
    base_url_env_var: ClassVar[str] = 'ACME_BASE_URL'
    default_base_url: ClassVar[str] = 'https://acme.example.com/groq'


@pytest.fixture
def acme_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('GROQ_API_KEY', OTHER_KEY)
    monkeypatch.setenv('GROQ_BASE_URL', 'https://wrong.example.net')
    monkeypatch.setenv('ACME_API_KEY', FAKE_GROQ_API_KEY)
    monkeypatch.delenv('ACME_BASE_URL', raising=False)


def test_subclass_reads_its_own_api_key_env_var_and_default_base_url(acme_env: None) -> None:
    provider = AcmeProvider()
    assert provider.name == 'acme'
    assert provider.client.api_key == FAKE_GROQ_API_KEY
    assert provider.base_url.rstrip('/') == 'https://acme.example.com/groq'


def test_subclass_reads_its_own_base_url_env_var(acme_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('ACME_BASE_URL', 'https://acme-eu.example.com')
    assert AcmeProvider().base_url.rstrip('/') == 'https://acme-eu.example.com'


def test_subclass_missing_key_names_its_own_env_var(acme_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('ACME_API_KEY')
    with pytest.raises(UserError) as exc_info:
        AcmeProvider()
    message = str(exc_info.value)
    assert 'ACME_API_KEY' in message
    assert 'acme' in message
    assert_no_key(message)


def test_model_with_subclass_provider_reports_its_name(acme_env: None) -> None:
    model = GroqModel(MODEL_NAME, provider=AcmeProvider())
    assert model.system == 'acme'
    assert model.base_url.rstrip('/') == 'https://acme.example.com/groq'


# --- GroqModel construction ---------------------------------------------------------------------------------------


def test_model_with_provider_name_groq_reads_environment(groq_api_key: str) -> None:
    model = GroqModel(MODEL_NAME, provider='groq')
    assert isinstance(model.client, groq.AsyncGroq)
    assert model.client.api_key == groq_api_key
    assert model.system == 'groq'
    assert model.base_url == 'https://api.groq.com'


def test_model_with_provider_instance_uses_its_client(no_groq_env: None) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url='https://proxy.example.org')
    model = GroqModel(MODEL_NAME, provider=provider)
    assert model.client is provider.client
    assert model.base_url.rstrip('/') == 'https://proxy.example.org'


def test_model_properties(no_groq_env: None) -> None:
    model = GroqModel('llama-3.1-8b-instant', provider=GroqProvider(api_key=FAKE_GROQ_API_KEY))
    assert model.model_name == 'llama-3.1-8b-instant'
    assert model.system == 'groq'
    assert model.base_url == 'https://api.groq.com'
    assert isinstance(model.client, groq.AsyncGroq)


def test_model_accepts_any_model_name_string(groq_api_key: str) -> None:
    assert GroqModel('some-future-model', provider='groq').model_name == 'some-future-model'


@pytest.mark.parametrize('argument', ['api_key', 'groq_client', 'http_client'])
@pytest.mark.asyncio
async def test_model_provider_with_other_argument_raises_user_error_naming_it(
    groq_api_key: str, groq_client: groq.AsyncGroq, http_client: httpx.AsyncClient, argument: str
) -> None:
    value = {'api_key': OTHER_KEY, 'groq_client': groq_client, 'http_client': http_client}[argument]
    with pytest.raises(UserError) as exc_info:
        GroqModel(MODEL_NAME, provider='groq', **{argument: value})
    message = str(exc_info.value)
    assert f'`{argument}`' in message
    assert 'provider' in message
    assert_no_key(message)


@pytest.mark.asyncio
async def test_model_provider_instance_with_groq_client_raises_user_error(
    no_groq_env: None, groq_client: groq.AsyncGroq
) -> None:
    provider = GroqProvider(groq_client=groq_client)
    with pytest.raises(UserError, match='groq_client'):
        GroqModel(MODEL_NAME, provider=provider, groq_client=groq_client)


@pytest.mark.parametrize('name', ['', None])
def test_model_empty_model_name_raises_user_error(groq_api_key: str, name: Any) -> None:
    with pytest.raises(UserError, match='model_name'):
        GroqModel(name, provider='groq')


class _NotGroqProvider:
    def __init__(self, client: Any) -> None:
        self._client = client

    @property
    def name(self) -> str:
        return 'not-groq'

    @property
    def base_url(self) -> str:
        return 'https://not-groq.example.com'

    @property
    def client(self) -> Any:
        return self._client


def test_model_provider_with_non_async_groq_client_raises_user_error(sync_groq_client: groq.Groq) -> None:
    with pytest.raises(UserError) as exc_info:
        GroqModel(MODEL_NAME, provider=_NotGroqProvider(sync_groq_client))  # type: ignore[arg-type]
    message = str(exc_info.value)
    assert 'AsyncGroq' in message
    assert 'not-groq' in message


def test_model_provider_with_arbitrary_client_raises_user_error() -> None:
    with pytest.raises(UserError, match='AsyncGroq'):
        GroqModel(MODEL_NAME, provider=_NotGroqProvider(object()))  # type: ignore[arg-type]


# --- GroqModel: the original API's keyword arguments ----------------------------------------------------------------


def test_model_legacy_api_key_argument(no_groq_env: None) -> None:
    model = GroqModel(MODEL_NAME, api_key=FAKE_GROQ_API_KEY)
    assert model.client.api_key == FAKE_GROQ_API_KEY
    assert model.system == 'groq'
    assert model.base_url == 'https://api.groq.com'


def test_model_without_arguments_reads_environment(groq_api_key: str) -> None:
    model = GroqModel(MODEL_NAME)
    assert model.client.api_key == groq_api_key


def test_model_without_any_key_raises_user_error(no_groq_env: None) -> None:
    with pytest.raises(UserError, match='GROQ_API_KEY'):
        GroqModel(MODEL_NAME)


@pytest.mark.asyncio
async def test_model_legacy_groq_client_argument(no_groq_env: None, groq_client: groq.AsyncGroq) -> None:
    model = GroqModel(MODEL_NAME, groq_client=groq_client)
    assert model.client is groq_client
    assert model.system == 'groq'


@pytest.mark.asyncio
async def test_model_legacy_groq_client_with_api_key_raises_user_error(
    no_groq_env: None, groq_client: groq.AsyncGroq
) -> None:
    with pytest.raises(UserError, match='api_key') as exc_info:
        GroqModel(MODEL_NAME, groq_client=groq_client, api_key=OTHER_KEY)
    assert_no_key(str(exc_info.value))


@pytest.mark.asyncio
async def test_model_legacy_http_client_argument_sends_through_it(groq_api_key: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=wire.chat_completion('legacy'))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        model = GroqModel(MODEL_NAME, http_client=http)
        response, _ = await model.request(user_prompt(), None, ModelRequestParameters())
    assert response.parts == [TextPart('legacy')]
    assert len(seen) == 1
    assert seen[0].headers['authorization'] == f'Bearer {groq_api_key}'


@pytest.mark.asyncio
async def test_model_legacy_api_key_and_http_client_together(no_groq_env: None) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=wire.chat_completion('ok'))

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        model = GroqModel(MODEL_NAME, api_key=OTHER_KEY, http_client=http)
        await model.request(user_prompt(), None, ModelRequestParameters())
    assert seen[0].headers['authorization'] == f'Bearer {OTHER_KEY}'


# A provider whose construction failed, and the missing-key message


def test_repr_of_a_provider_whose_init_failed_does_not_raise(no_groq_env: None) -> None:
    with pytest.raises(UserError) as exc_info:
        GroqProvider()
    # Tracebacks (pytest's among them) show the half-built provider held by the failed `__init__` frame.
    frames = [frame for frame, _ in traceback_frames(exc_info.value) if 'self' in frame.f_locals]
    half_built = frames[-1].f_locals['self']
    assert isinstance(half_built, GroqProvider)
    assert repr(half_built) == "GroqProvider(name='groq', base_url=None)"


def traceback_frames(exc: BaseException) -> list[tuple[Any, int]]:
    import traceback

    return list(traceback.walk_tb(exc.__traceback__))


def test_missing_key_message_offers_only_what_works_for_groq(no_groq_env: None) -> None:
    with pytest.raises(UserError) as exc_info:
        GroqModel(MODEL_NAME)
    message = str(exc_info.value)
    assert '`GroqProvider(api_key=...)`' in message
    assert '`GroqModel(model_name, api_key=...)` when you pass no `provider`' in message
    # Following the advice works:
    assert GroqModel(MODEL_NAME, api_key=FAKE_GROQ_API_KEY).client.api_key == FAKE_GROQ_API_KEY
    assert GroqProvider(api_key=FAKE_GROQ_API_KEY).client.api_key == FAKE_GROQ_API_KEY


def test_missing_key_message_of_a_subclass_names_only_the_subclass(
    acme_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv('ACME_API_KEY')
    with pytest.raises(UserError) as exc_info:
        GroqModel(MODEL_NAME, provider=AcmeProvider())
    message = str(exc_info.value)
    assert 'set the `ACME_API_KEY` environment variable, or pass it to `AcmeProvider(api_key=...)`.' in message
    assert 'GroqModel' not in message
