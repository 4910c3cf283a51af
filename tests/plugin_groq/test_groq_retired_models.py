"""Groq's retired models as a non-event: the catalogue, the error naming the replacement, the deprecation warning,
and the test server answering a retired model as Groq does (issue 22, first item)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import get_args

import groq
import httpx
import pytest
import pytest_asyncio
import yaml

from pydantic_ai.exceptions import ModelHTTPError, ModelRetiredError
from pydantic_ai.messages import TextPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq import GroqModel, GroqProvider, model_names
from pydantic_ai_groq.model_names import (
    GROQ_MODELS,
    GroqModelInfo,
    LatestGroqModelNames,
    PreviewGroqModelNames,
    ProductionGroqModelNames,
    groq_model_info,
    listing_note,
    replacement_for,
    retired_model_hint,
    served_models,
    warn_if_deprecated,
)
from pydantic_ai_groq.testing import (
    GroqFake,
    GroqTestServer,
    model_decommissioned,
    model_not_found,
    refuse_retired_models,
    text_completion,
)

from support.constants import FAKE_GROQ_API_KEY, SHARED_DIR, SHARED_RECORDINGS_DIR, user_prompt

NO_TOOLS = ModelRequestParameters()
TODAY = date(2026, 12, 7)
"""The day the catalogue was compared with Groq's pages."""
LLAMA_70B_HINT = (
    "Model 'llama-3.3-70b-versatile' is retired: Groq shut it down on 2026-08-16 for free and developer tiers "
    "(enterprise contracts keep it); use 'openai/gpt-oss-120b' instead."
)


@pytest_asyncio.fixture
async def groq_mock() -> AsyncIterator[GroqFake]:
    mock = GroqFake()
    yield mock
    await mock.aclose()


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which models were warned about in this process, so each test sees its own first warning."""
    monkeypatch.setattr(model_names, '_warned', set())


@pytest.fixture
def soon_retired(monkeypatch: pytest.MonkeyPatch, fresh_warnings: None) -> GroqModelInfo:
    """A catalogue with one model announced for retirement (the real one has none pending on 2026-12-07)."""
    info = GroqModelInfo(
        'acme/soon-gone-8b', 'deprecated', date(2999, 1, 31), ('openai/gpt-oss-20b',), enterprise_keeps=True
    )
    monkeypatch.setattr(model_names, '_CATALOGUE', {**model_names._CATALOGUE, info.name: info})
    return info


# -- the catalogue ------------------------------------------------------------------------------------------


def test_the_catalogue_names_each_model_once_and_every_literal_name_is_in_it() -> None:
    names = [info.name for info in GROQ_MODELS]
    assert len(names) == len(set(names))
    assert all(groq_model_info(name) is not None for name in get_args(LatestGroqModelNames))


def test_the_production_and_preview_literals_are_the_catalogues_served_models() -> None:
    served = served_models(TODAY)
    assert [i.name for i in served if i.status == 'production'] == list(get_args(ProductionGroqModelNames))
    assert [i.name for i in served if i.status == 'preview'] == list(get_args(PreviewGroqModelNames))
    assert {i.status for i in served} == {'production', 'preview'}  # nothing announced for shutdown on that day


def test_latest_model_names_keeps_every_name_of_the_original_apis_list() -> None:
    seed = SHARED_DIR / 'seed' / 'groq-model-api.txt'
    if not seed.exists():
        pytest.skip(f'{seed} is not here')
    listed = re.search(r'LatestGroqModelNames = Literal\[(.*?)\]', seed.read_text(), flags=re.DOTALL)
    assert listed is not None
    original = re.findall(r'"([^"]+)"', listed.group(1))
    assert len(original) == 11
    assert set(original) <= set(get_args(LatestGroqModelNames))


@pytest.mark.parametrize(
    ('name', 'shutdown', 'instead'),
    [
        ('llama-3.3-70b-versatile', date(2026, 8, 16), 'openai/gpt-oss-120b'),
        ('llama-3.1-8b-instant', date(2026, 8, 16), 'openai/gpt-oss-20b'),
        ('meta-llama/llama-4-scout-17b-16e-instruct', date(2026, 7, 17), 'openai/gpt-oss-120b'),
        ('qwen/qwen3-32b', date(2026, 7, 17), 'openai/gpt-oss-120b'),
        ('qwen/qwen3.6-27b', date(2026, 9, 14), 'qwen/qwen3.8-27b'),
        ('meta-llama/llama-guard-4-12b', date(2026, 3, 5), 'openai/gpt-oss-safeguard-20b'),
        ('playai-tts', date(2025, 12, 31), 'canopylabs/orpheus-v1-english'),
        # Through replacements retired in turn: llama3-8b-8192 -> llama-3.1-8b-instant -> openai/gpt-oss-20b.
        ('llama3-8b-8192', date(2025, 8, 30), 'openai/gpt-oss-20b'),
        ('mixtral-8x7b-32768', date(2025, 3, 20), 'openai/gpt-oss-120b'),
        ('groq/compound', date(2026, 9, 21), None),
    ],
)
def test_retired_models_carry_groqs_shutdown_date_and_a_replacement_served_today(
    name: str, shutdown: date, instead: str | None
) -> None:
    info = groq_model_info(name)
    assert info is not None
    assert (info.status, info.shutdown) == ('decommissioned', shutdown)
    assert not info.is_served_on(TODAY)
    assert replacement_for(name, TODAY) == instead


def test_every_retired_model_leads_to_a_model_served_today_unless_groq_named_none() -> None:
    for info in GROQ_MODELS:
        if info.is_served_on(TODAY):
            continue
        instead = replacement_for(info.name, TODAY)
        if instead is None:
            assert info.name in ('groq/compound', 'groq/compound-mini', 'compound-beta', 'compound-beta-mini')
        else:
            served = groq_model_info(instead)
            assert served is not None and served.is_served_on(TODAY), (info.name, instead)


def test_a_deprecated_model_is_served_until_its_shutdown_date_and_retired_from_that_day() -> None:
    info = GroqModelInfo('acme/m', 'deprecated', date(2027, 1, 15), ('openai/gpt-oss-20b',))
    assert info.status_on(date(2027, 1, 14)) == 'deprecated'
    assert info.is_served_on(date(2027, 1, 14))
    assert info.status_on(date(2027, 1, 15)) == 'decommissioned'
    assert not info.is_served_on(date(2027, 1, 15))
    assert listing_note(info, date(2027, 1, 14)) == 'deprecated, shuts down 2027-01-15: use openai/gpt-oss-20b'
    assert listing_note(info, date(2027, 1, 15)) == 'retired 2027-01-15: use openai/gpt-oss-20b'


def note_of(name: str) -> str:
    info = groq_model_info(name)
    assert info is not None
    return listing_note(info, TODAY)


def test_listing_notes_are_one_short_line() -> None:
    assert note_of('openai/gpt-oss-120b') == 'production'
    assert note_of('minimaxai/minimax-m2.7') == 'preview: enterprise only'
    assert note_of('llama-3.3-70b-versatile') == 'retired 2026-08-16: use openai/gpt-oss-120b'
    assert note_of('compound-beta') == 'retired: no replacement named'
    notes = [listing_note(info, TODAY) for info in GROQ_MODELS]
    assert all('\n' not in note and len(note) <= 60 for note in notes)


def test_the_hint_for_a_retired_model_names_its_date_tiers_and_replacement() -> None:
    assert retired_model_hint('llama-3.3-70b-versatile', TODAY) == LLAMA_70B_HINT
    assert retired_model_hint('llama-3.2-11b-vision-preview', TODAY) == (
        "Model 'llama-3.2-11b-vision-preview' is retired: Groq shut it down on 2025-04-14; use 'openai/gpt-oss-120b' "
        'instead (for images: qwen/qwen3.8-27b).'
    )
    assert retired_model_hint('groq/compound', TODAY) == (
        "Model 'groq/compound' is retired: Groq shut it down on 2026-09-21; Groq names no replacement; "
        'openai/gpt-oss-120b has built-in browser search and code execution '
        '(see https://console.groq.com/docs/deprecations).'
    )
    assert retired_model_hint('openai/gpt-oss-120b', TODAY) is None  # served
    assert retired_model_hint('llama-5-imaginary', TODAY) is None  # unknown


# -- errors ------------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_model_decommissioned_raises_model_retired_error_naming_the_replacement(groq_mock: GroqFake) -> None:
    groq_mock.enqueue(model_decommissioned('llama-3.3-70b-versatile'))

    with pytest.raises(ModelRetiredError) as exc_info:
        await groq_mock.model('llama-3.3-70b-versatile').request(user_prompt(), None, NO_TOOLS)

    error = exc_info.value
    assert isinstance(error, ModelHTTPError)
    assert isinstance(error.__cause__, groq.BadRequestError)
    assert (error.status_code, error.model_name) == (400, 'llama-3.3-70b-versatile')
    assert (error.retired_on, error.replacement) == (date(2026, 8, 16), 'openai/gpt-oss-120b')
    assert error.hint == LLAMA_70B_HINT
    assert error.message.splitlines()[-1] == LLAMA_70B_HINT
    assert error.body == {
        'error': {
            'message': 'The model `llama-3.3-70b-versatile` has been decommissioned and is no longer supported. '
            'Please refer to https://console.groq.com/docs/deprecations for a recommendation on which model to use '
            'instead.',
            'type': 'invalid_request_error',
            'code': 'model_decommissioned',
        }
    }


@pytest.mark.asyncio
async def test_model_not_found_for_a_name_groq_retired_is_a_model_retired_error(groq_mock: GroqFake) -> None:
    groq_mock.enqueue(model_not_found('llama-3.1-8b-instant'))

    with pytest.raises(ModelRetiredError) as exc_info:
        await groq_mock.model('llama-3.1-8b-instant').request(user_prompt(), None, NO_TOOLS)

    error = exc_info.value
    assert isinstance(error.__cause__, groq.NotFoundError)
    assert (error.status_code, error.replacement, error.retired_on) == (404, 'openai/gpt-oss-20b', date(2026, 8, 16))
    assert "use 'openai/gpt-oss-20b' instead" in str(error)


@pytest.mark.asyncio
async def test_model_not_found_for_a_typo_stays_a_plain_http_error_with_a_suggestion(groq_mock: GroqFake) -> None:
    groq_mock.enqueue(model_not_found('openai/gpt-oss-12b'))

    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model('openai/gpt-oss-12b').request(user_prompt(), None, NO_TOOLS)

    assert type(exc_info.value) is ModelHTTPError
    assert exc_info.value.hint is not None and "Did you mean 'openai/gpt-oss-120b'" in exc_info.value.hint


@pytest.mark.asyncio
async def test_model_decommissioned_for_a_model_the_catalogue_does_not_know_points_at_groqs_page(
    groq_mock: GroqFake,
) -> None:
    groq_mock.enqueue(model_decommissioned('acme/unknown-9b'))

    with pytest.raises(ModelRetiredError) as exc_info:
        await groq_mock.model('acme/unknown-9b').request(user_prompt(), None, NO_TOOLS)

    error = exc_info.value
    assert (error.retired_on, error.replacement) == (None, None)
    assert error.hint == (
        "Model 'acme/unknown-9b' is retired: Groq no longer serves it; "
        'https://console.groq.com/docs/deprecations names the model to use instead.'
    )


@pytest.mark.asyncio
async def test_model_decommissioned_for_a_model_the_catalogue_still_lists_as_served_says_it_is_retired(
    groq_mock: GroqFake,
) -> None:
    # Groq retired it after this release was made: the answer is believed, whatever the catalogue says.
    groq_mock.enqueue(model_decommissioned('qwen/qwen3.8-27b'))

    with pytest.raises(ModelRetiredError) as exc_info:
        await groq_mock.model('qwen/qwen3.8-27b').request(user_prompt(), None, NO_TOOLS)

    assert exc_info.value.hint is not None
    assert exc_info.value.hint.startswith("Model 'qwen/qwen3.8-27b' is retired: Groq no longer serves it; ")


@pytest.mark.asyncio
async def test_a_streamed_request_for_a_retired_model_raises_on_entering(groq_mock: GroqFake) -> None:
    groq_mock.enqueue(model_decommissioned('qwen/qwen3-32b'))

    with pytest.raises(ModelRetiredError) as exc_info:
        async with groq_mock.model('qwen/qwen3-32b').request_stream(user_prompt(), None, NO_TOOLS):
            pass

    assert exc_info.value.replacement == 'openai/gpt-oss-120b'


@pytest.mark.asyncio
async def test_other_400s_are_not_taken_for_a_retirement(groq_mock: GroqFake) -> None:
    groq_mock.responder = httpx.Response(
        400, json={'error': {'message': 'bad', 'type': 'invalid_request_error', 'code': 'model_not_found'}}
    )
    with pytest.raises(ModelHTTPError) as exc_info:
        await groq_mock.model('llama-3.3-70b-versatile').request(user_prompt(), None, NO_TOOLS)
    assert type(exc_info.value) is ModelHTTPError  # `model_not_found` counts with HTTP 404 only


def test_the_scripted_404_has_the_shape_of_groqs_recorded_one() -> None:
    recording = SHARED_RECORDINGS_DIR / 'pydantic-ai__test_model_name_suggestions__test_model_name_suggestion.groq.yaml'
    if not recording.exists():
        pytest.skip(f'{recording} is not here')
    recorded = yaml.safe_load(Path(recording).read_text())['interactions'][0]['response']
    recorded_body = json.loads(recorded['body']['string'])
    scripted = model_not_found('llama-3.3-70b-versatlie')

    assert scripted.status == recorded['status']['code'] == 404
    assert json.loads(scripted.body) == recorded_body


# -- the deprecation warning ---------------------------------------------------------------------------------


def test_creating_a_groq_model_for_a_deprecated_model_logs_one_warning_with_its_date_and_replacement(
    soon_retired: GroqModelInfo, caplog: pytest.LogCaptureFixture
) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY)
    with caplog.at_level(logging.WARNING, logger='pydantic_ai_groq'):
        GroqModel(soon_retired.name, provider=provider)
        GroqModel(soon_retired.name, provider=provider)  # the same name again: no second warning

    assert [(r.name, r.levelno) for r in caplog.records] == [('pydantic_ai_groq.model_names', logging.WARNING)]
    assert caplog.records[0].getMessage() == (
        "Groq model 'acme/soon-gone-8b' is deprecated: Groq shuts it down on 2999-01-31 for free and developer tiers "
        "(enterprise contracts keep it); move to 'openai/gpt-oss-20b' before then."
    )


def test_served_and_retired_models_log_no_deprecation_warning(
    fresh_warnings: None, caplog: pytest.LogCaptureFixture
) -> None:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY)
    with caplog.at_level(logging.DEBUG, logger='pydantic_ai_groq'):
        for name in ('openai/gpt-oss-120b', 'llama-3.3-70b-versatile', 'not-in-the-catalogue'):
            GroqModel(name, provider=provider)
    assert caplog.records == []


def test_the_deprecation_warning_is_once_per_model_name_and_stops_at_the_shutdown_date(
    soon_retired: GroqModelInfo, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger='pydantic_ai_groq'):
        assert not warn_if_deprecated(soon_retired.name, today=date(2999, 1, 31))  # retired that day: the error says
        assert warn_if_deprecated(soon_retired.name, today=date(2999, 1, 30))
        assert not warn_if_deprecated(soon_retired.name, today=date(2999, 1, 30))
    assert len(caplog.records) == 1


# -- the test server -----------------------------------------------------------------------------------------


def server_model(server: GroqTestServer, name: str) -> GroqModel:
    return GroqModel(name, provider=GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, max_retries=0))


@pytest.mark.asyncio
async def test_the_test_server_refuses_retired_models_with_groqs_error_and_serves_the_others() -> None:
    with GroqTestServer(default=refuse_retired_models()) as server:
        with pytest.raises(ModelRetiredError) as exc_info:
            await server_model(server, 'gemma2-9b-it').request(user_prompt('hi'), None, NO_TOOLS)
        response, _ = await server_model(server, 'openai/gpt-oss-20b').request(user_prompt('hi'), None, NO_TOOLS)

    assert (exc_info.value.status_code, exc_info.value.replacement) == (400, 'openai/gpt-oss-20b')
    assert response.model_name == 'openai/gpt-oss-20b'  # echoed: served as before
    assert [r.json['model'] for r in server.requests] == ['gemma2-9b-it', 'openai/gpt-oss-20b']


@pytest.mark.asyncio
async def test_the_test_server_rehearses_the_retirement_of_a_model_groq_still_serves() -> None:
    refuse = refuse_retired_models(text_completion('fine'), models=['openai/gpt-oss-120b'], code='model_not_found')
    with GroqTestServer(default=refuse) as server:
        with pytest.raises(ModelHTTPError) as exc_info:
            await server_model(server, 'openai/gpt-oss-120b').request(user_prompt(), None, NO_TOOLS)
        response, _ = await server_model(server, 'llama-3.3-70b-versatile').request(user_prompt(), None, NO_TOOLS)

    # A 404 for a name the catalogue says is served reads as a missing model, not a retirement.
    assert type(exc_info.value) is ModelHTTPError
    assert exc_info.value.status_code == 404
    assert exc_info.value.body == {
        'error': {
            'message': 'The model `openai/gpt-oss-120b` does not exist or you do not have access to it.',
            'type': 'invalid_request_error',
            'code': 'model_not_found',
        }
    }
    assert response.parts == [TextPart('fine')]  # only the names given are refused


@pytest.mark.asyncio
async def test_the_test_server_answers_the_sdk_with_groqs_status_and_body_for_a_retired_model() -> None:
    with GroqTestServer(default=refuse_retired_models(today=TODAY)) as server:
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                server.chat_completions_url, json={'model': 'llama-3.3-70b-versatile', 'messages': []}
            )

    assert answer.status_code == 400
    assert answer.headers['content-type'].startswith('application/json')
    assert answer.json()['error']['code'] == 'model_decommissioned'
    assert answer.json()['error']['type'] == 'invalid_request_error'
