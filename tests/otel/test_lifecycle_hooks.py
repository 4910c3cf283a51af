"""Request lifecycle hooks: order, timings, broken plugins, and plugins installed as real distributions."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydantic_ai import lifecycle
from pydantic_ai.exceptions import ModelHTTPError, UserError
from pydantic_ai.lifecycle import RequestInfo, hookimpl
from pydantic_ai.messages import ModelResponse
from pydantic_ai_groq.testing import GroqTestServer, http_error, streamed_text, text_completion

from support.distributions import Site
from support.reliability import NO_TOOLS, describe, prompt, run_request, run_stream, server_model, text_of


class Recorder:
    """A lifecycle plugin that records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, RequestInfo, Any]] = []

    @hookimpl
    def pydantic_ai_request_start(self, request: RequestInfo) -> None:
        request.annotations['recorder'] = 'started'
        self.calls.append(('start', request, None))

    @hookimpl
    def pydantic_ai_request_end(self, request: RequestInfo, response: ModelResponse) -> None:
        self.calls.append(('end', request, response))

    @hookimpl
    def pydantic_ai_request_error(self, request: RequestInfo, error: BaseException) -> None:
        self.calls.append(('error', request, error))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.calls]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    plugin = Recorder()
    lifecycle.register_plugin(plugin, name='recorder')
    yield plugin
    lifecycle.unregister_plugin(plugin)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


@pytest.mark.asyncio
async def test_start_then_end_with_the_same_request_info_and_timings(
    server: GroqTestServer, http_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    server.enqueue(text_completion('hello', prompt_tokens=4, completion_tokens=1))
    model = server_model(server, http_client)

    outcome = await run_request(model, settings={'temperature': 0.5})

    assert outcome.error is None, describe(outcome.error)
    assert recorder.kinds() == ['start', 'end']
    (_, started, _), (_, ended, response) = recorder.calls
    assert started is ended
    assert ended.annotations == {'recorder': 'started'}
    assert ended.model is model and ended.provider_name == 'groq' and ended.model_name == model.model_name
    assert ended.model_settings == {'temperature': 0.5}
    assert ended.stream is False and ended.cancelled is False
    assert ended.duration is not None and ended.duration > 0
    assert ended.time_to_first_chunk is None
    assert response is outcome.response
    assert response.usage.request_tokens == 4


@pytest.mark.asyncio
async def test_a_stream_reports_its_events_and_time_to_first_chunk_at_its_end(
    server: GroqTestServer, http_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c']))
    model = server_model(server, http_client)

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        assert recorder.kinds() == ['start']
        events = [event async for event in stream]
    assert recorder.kinds() == ['start', 'end']
    _, info, response = recorder.calls[1]
    assert info.stream is True and info.cancelled is False
    assert info.events == len(events)
    assert info.time_to_first_chunk is not None and info.duration is not None
    assert 0 < info.time_to_first_chunk <= info.duration
    assert text_of(response) == 'abc'


@pytest.mark.asyncio
async def test_a_stream_left_early_ends_cancelled_with_what_arrived(
    server: GroqTestServer, http_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    server.enqueue(streamed_text([f'w{i} ' for i in range(100)]).with_frame_delay(0.01))
    model = server_model(server, http_client)

    async with model.request_stream(prompt(), None, NO_TOOLS) as stream:
        async for _ in stream:
            break

    assert recorder.kinds() == ['start', 'end']
    _, info, response = recorder.calls[1]
    assert info.cancelled is True
    assert info.events == 1
    assert text_of(response) == 'w0 '


@pytest.mark.asyncio
async def test_a_failed_request_calls_the_error_hook_with_the_exception(
    server: GroqTestServer, http_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    server.enqueue(http_error(429))
    model = server_model(server, http_client)

    outcome = await run_request(model)

    assert recorder.kinds() == ['start', 'error']
    _, info, error = recorder.calls[1]
    assert error is outcome.error and isinstance(error, ModelHTTPError)
    assert info.cancelled is False and info.duration is not None


@pytest.mark.asyncio
async def test_a_stream_failing_mid_way_calls_the_error_hook_even_if_the_consumer_swallows_it(
    server: GroqTestServer, http_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    server.enqueue(streamed_text(['Hel', 'lo', ' wor', 'ld']).with_reset_after(3))
    model = server_model(server, http_client)

    outcome = await run_stream(model)  # catches the error inside the block, then leaves it normally

    assert outcome.error is not None
    assert recorder.kinds() == ['start', 'error']
    assert recorder.calls[1][2] is outcome.error


class Broken:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def pydantic_ai_request_start(self, request: RequestInfo) -> None:
        self.calls += 1
        raise RuntimeError('plugin bug')


@pytest.mark.asyncio
async def test_a_broken_hook_is_reported_once_and_the_request_still_succeeds(
    server: GroqTestServer,
    http_client: httpx.AsyncClient,
    recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = Broken()
    lifecycle.register_plugin(broken, name='broken-plugin')
    try:
        server.enqueue(text_completion('one'), text_completion('two'))
        model = server_model(server, http_client)
        with caplog.at_level(logging.WARNING, logger='pydantic_ai.lifecycle'):
            first = await run_request(model)
            second = await run_request(model)
    finally:
        lifecycle.unregister_plugin(broken)

    assert text_of(first.response) == 'one' and text_of(second.response) == 'two'
    assert broken.calls == 2
    assert recorder.kinds() == ['start', 'end', 'start', 'end']  # the other plugin is unaffected
    reports = [r for r in caplog.records if r.name == 'pydantic_ai.lifecycle']
    assert len(reports) == 1
    message = reports[0].getMessage()
    assert 'broken-plugin' in message and 'RuntimeError' in message and 'plugin bug' in message
    assert 'pydantic_ai_request_start' in message


def test_registering_an_object_without_hooks_is_a_user_error() -> None:
    with pytest.raises(UserError, match='implements no lifecycle hook'):
        lifecycle.register_plugin(object(), name='empty')


def test_a_hook_with_a_wrong_argument_name_is_a_user_error() -> None:
    class Wrong:
        @hookimpl
        def pydantic_ai_request_end(self, request: RequestInfo, reply: ModelResponse) -> None:
            pass

    with pytest.raises(UserError, match='not a valid lifecycle plugin'):
        lifecycle.register_plugin(Wrong(), name='wrong')


@pytest.mark.asyncio
async def test_an_installed_distributions_broken_hook_is_reported_naming_the_distribution(
    server: GroqTestServer, http_client: httpx.AsyncClient, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    module = site.module_name('flaky_hooks')
    site.add(
        'flaky-hooks',
        entry_points={'pydantic_ai.lifecycle': {'flaky': module}},
        files={
            f'{module}.py': """
                from pydantic_ai.lifecycle import hookimpl

                @hookimpl
                def pydantic_ai_request_end(request, response):
                    raise ValueError('flaky end hook')
                """
        },
    )
    lifecycle.refresh_plugins()
    server.enqueue(text_completion('fine'), streamed_text(['also fine']))
    model = server_model(server, http_client)

    with caplog.at_level(logging.WARNING, logger='pydantic_ai.lifecycle'):
        outcome = await run_request(model)
        streamed = await run_stream(model)

    assert text_of(outcome.response) == 'fine'
    assert text_of(streamed.response) == 'also fine' and streamed.error is None
    [report] = [r.getMessage() for r in caplog.records if r.name == 'pydantic_ai.lifecycle']
    assert "'flaky-hooks'" in report and 'ValueError' in report and 'flaky end hook' in report


@pytest.mark.asyncio
async def test_an_installed_plugin_that_fails_to_import_is_skipped_with_a_warning(
    server: GroqTestServer, http_client: httpx.AsyncClient, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    module = site.module_name('crashing_hooks')
    site.add(
        'crashing-hooks',
        entry_points={'pydantic_ai.lifecycle': {'crashing': module}},
        files={f'{module}.py': "raise ImportError('missing dependency')\n"},
    )
    lifecycle.refresh_plugins()
    server.enqueue(text_completion('still works'))

    with caplog.at_level(logging.WARNING, logger='pydantic_ai.lifecycle'):
        outcome = await run_request(server_model(server, http_client))

    assert text_of(outcome.response) == 'still works'
    [report] = [r.getMessage() for r in caplog.records if r.name == 'pydantic_ai.lifecycle']
    assert "'crashing-hooks'" in report and 'missing dependency' in report


@pytest.mark.asyncio
async def test_no_plugin_means_no_hook_machinery(server: GroqTestServer, http_client: httpx.AsyncClient) -> None:
    server.enqueue(text_completion('plain'))

    outcome = await run_request(server_model(server, http_client))

    assert text_of(outcome.response) == 'plain'
    assert lifecycle.current_hooks() is None  # entry points were read once and nothing was found: the fast path


def test_public_names_are_pinned() -> None:
    from pydantic_ai import otel
    from pydantic_ai.lifecycle import hookspecs
    from pydantic_ai.models import instrumented
    from pydantic_ai.otel import _export as export

    assert set(lifecycle.__all__) == {
        'LIFECYCLE_GROUP',
        'LifecyclePlugins',
        'RequestInfo',
        'current_plugins',
        'default_plugins',
        'hookimpl',
        'register_plugin',
        'unregister_plugin',
        'refresh_plugins',
        'use_plugins',
    }
    assert lifecycle.LIFECYCLE_GROUP == 'pydantic_ai.lifecycle'
    assert lifecycle.hookimpl is hookspecs.hookimpl
    assert set(instrumented.__all__) == {
        'InstrumentationSettings',
        'InstrumentedModel',
        'OpenTelemetryPlugin',
        'instrument_all',
    }
    assert set(otel.__all__) == set(instrumented.__all__)
    assert all(getattr(instrumented, name) is getattr(otel, name) for name in otel.__all__)
    assert set(export.__all__) == {'ExportTarget', 'EXPORT_TARGETS', 'start_span_export'}
    for module in (lifecycle, otel, instrumented, export):
        for name in module.__all__:
            assert getattr(module, name) is not None, name
