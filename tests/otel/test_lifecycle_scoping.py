"""Lifecycle plugins are scoped like the provider registry: `use_plugins()` makes a set current for a block.

Also: hooks are found through pluggy's `parse_hookimpl_opts` (their options kept), a misspelled hook name beside a
valid one is refused at registration as provider plugins are, and plugins published under the lifecycle group's
first name are still read.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pydantic_ai import lifecycle
from pydantic_ai.exceptions import UserError
from pydantic_ai.hookspecs import LEGACY_LIFECYCLE_GROUP, LIFECYCLE_GROUP
from pydantic_ai.lifecycle import (
    LifecyclePlugins,
    RequestInfo,
    current_hooks,
    current_plugins,
    default_plugins,
    hookimpl,
    register_plugin,
    unregister_plugin,
    use_plugins,
)
from pydantic_ai.messages import ModelResponse
from pydantic_ai.otel import OpenTelemetryPlugin, instrument_all
from pydantic_ai_groq.testing import GroqTestServer, text_completion

from support.distributions import Site
from support.reliability import run_request, server_model, text_of


class Recorder:
    """Records the lifecycle calls it sees."""

    def __init__(self, label: str = 'recorder') -> None:
        self.label = label
        self.calls: list[str] = []

    @hookimpl
    def pydantic_ai_request_start(self, request: RequestInfo) -> None:
        self.calls.append('start')

    @hookimpl
    def pydantic_ai_request_end(self, request: RequestInfo, response: ModelResponse) -> None:
        self.calls.append('end')


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


# --- scoping -------------------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_plugin_registered_in_a_use_plugins_block_sees_only_the_requests_made_there(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(text_completion('inside'), text_completion('outside'))
    model = server_model(server, http_client)
    recorder = Recorder()

    with use_plugins(LifecyclePlugins()) as scoped:
        register_plugin(recorder)
        assert current_plugins() is scoped
        inside = await run_request(model)
    outside = await run_request(model)

    assert (text_of(inside.response), text_of(outside.response)) == ('inside', 'outside')
    assert recorder.calls == ['start', 'end']
    assert current_plugins() is default_plugins()
    assert recorder not in default_plugins().plugins()
    assert scoped.plugins() == [recorder]


def test_current_hooks_is_none_until_a_plugin_is_registered_and_none_again_after() -> None:
    recorder = Recorder()
    with use_plugins(LifecyclePlugins()):
        assert current_hooks() is None  # the request path's fast path
        register_plugin(recorder)
        hooks = current_hooks()
        assert hooks is not None
        unregister_plugin(recorder)
        assert current_hooks() is None


@pytest.mark.asyncio
async def test_a_set_made_current_in_one_task_does_not_reach_a_task_outside_its_block() -> None:
    entered = asyncio.Event()
    leave = asyncio.Event()
    scoped = LifecyclePlugins()

    async def inside() -> LifecyclePlugins:
        with use_plugins(scoped):
            entered.set()
            await leave.wait()
            return current_plugins()

    async def outside() -> LifecyclePlugins:
        await entered.wait()
        seen = current_plugins()
        leave.set()
        return seen

    seen_inside, seen_outside = await asyncio.gather(inside(), outside())

    assert seen_inside is scoped
    assert seen_outside is default_plugins()


def test_register_plugin_takes_the_set_to_register_in() -> None:
    mine = LifecyclePlugins()
    recorder = Recorder()

    register_plugin(recorder, name='mine', plugins=mine)

    assert mine.get_plugin('mine') is recorder
    assert default_plugins().get_plugin('mine') is None
    unregister_plugin(recorder, plugins=mine)
    assert mine.plugins() == []


def test_use_plugins_and_plugins_arguments_refuse_anything_but_a_plugin_set() -> None:
    with pytest.raises(UserError, match='use_plugins\\(\\) takes a `LifecyclePlugins`, got list'):
        with use_plugins([]):  # type: ignore[arg-type]
            pass
    with pytest.raises(UserError, match='`plugins` must be a `LifecyclePlugins`'):
        register_plugin(Recorder(), plugins=object())  # type: ignore[arg-type]


def test_instrument_all_traces_with_the_plugins_in_force() -> None:
    with use_plugins(LifecyclePlugins()) as scoped:
        instrument_all(True)
        assert isinstance(scoped.get_plugin('opentelemetry'), OpenTelemetryPlugin)
        assert default_plugins().get_plugin('opentelemetry') is None
        instrument_all(True)  # replaces its plugin, never adds a second
        assert [type(p) for p in scoped.plugins()] == [OpenTelemetryPlugin]
        instrument_all(False)
        assert scoped.plugins() == []


# --- registration: pluggy's public API, misspellings -----------------------------------------------------------


def test_a_misspelled_hook_beside_a_valid_one_is_refused_at_registration() -> None:
    class Misspelled:
        @hookimpl
        def pydantic_ai_request_start(self, request: RequestInfo) -> None:
            pass

        @hookimpl
        def pydantic_ai_request_ned(self, request: RequestInfo, response: ModelResponse) -> None:
            pass

    with pytest.raises(UserError) as exc_info:
        register_plugin(Misspelled(), name='misspelled', plugins=LifecyclePlugins())

    message = str(exc_info.value)
    assert 'misspelled is not a valid lifecycle plugin: no hook is named pydantic_ai_request_ned' in message
    assert 'did you mean pydantic_ai_request_end?' in message


def test_a_provider_hook_on_a_lifecycle_plugin_is_not_a_misspelling() -> None:
    class Both:
        @hookimpl
        def pydantic_ai_provider(self) -> object:
            return object

        @hookimpl
        def pydantic_ai_request_end(self, request: RequestInfo, response: ModelResponse) -> None:
            pass

    plugins = LifecyclePlugins()
    register_plugin(Both(), plugins=plugins)

    assert plugins.hooks() is not None


@pytest.mark.asyncio
async def test_hookimpl_options_are_kept_so_tryfirst_still_orders_the_calls(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    order: list[str] = []

    class First:
        @hookimpl(tryfirst=True)
        def pydantic_ai_request_start(self, request: RequestInfo) -> None:
            order.append('first')

    class Plain:
        @hookimpl
        def pydantic_ai_request_start(self, request: RequestInfo) -> None:
            order.append('plain')

    server.enqueue(text_completion('ok'))
    with use_plugins(LifecyclePlugins()):
        register_plugin(First())
        register_plugin(Plain())  # registered last: called first, unless the other says tryfirst
        await run_request(server_model(server, http_client))

    assert order == ['first', 'plain']


# --- installed plugins ---------------------------------------------------------------------------------------------

PLUGIN_MODULE = """
    from pydantic_ai.lifecycle import hookimpl

    seen = []

    @hookimpl
    def pydantic_ai_request_end(request, response):
        seen.append(request.model_name)
"""


@pytest.mark.asyncio
@pytest.mark.parametrize('group', [LIFECYCLE_GROUP, LEGACY_LIFECYCLE_GROUP])
async def test_installed_plugins_are_read_from_the_lifecycle_group_and_its_first_name(
    group: str, server: GroqTestServer, http_client: httpx.AsyncClient, site: Site
) -> None:
    module = site.module_name('request_counter')
    site.add('request-counter', entry_points={group: {'counter': module}}, files={f'{module}.py': PLUGIN_MODULE})
    lifecycle.refresh_plugins()
    server.enqueue(text_completion('counted'))

    await run_request(server_model(server, http_client))

    assert importlib.import_module(module).seen == ['llama-3.3-70b-versatile']


def test_a_plugin_listed_under_both_group_names_is_registered_once(site: Site) -> None:
    module = site.module_name('listed_twice')
    site.add(
        'listed-twice',
        entry_points={LIFECYCLE_GROUP: {'twice': module}, LEGACY_LIFECYCLE_GROUP: {'twice': module}},
        files={f'{module}.py': PLUGIN_MODULE},
    )
    lifecycle.refresh_plugins()

    assert current_hooks() is not None
    assert default_plugins().plugins() == [importlib.import_module(module)]


@pytest.mark.asyncio
async def test_an_installed_plugin_with_a_misspelled_hook_is_skipped_with_a_warning(
    server: GroqTestServer, http_client: httpx.AsyncClient, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    module = site.module_name('misspelled_hooks')
    site.add(
        'misspelled-hooks',
        entry_points={LIFECYCLE_GROUP: {'misspelled': module}},
        files={
            f'{module}.py': """
                from pydantic_ai.lifecycle import hookimpl

                seen = []

                @hookimpl
                def pydantic_ai_request_start(request):
                    seen.append('start')

                @hookimpl
                def pydantic_ai_request_eror(request, error):
                    seen.append('error')
                """
        },
    )
    lifecycle.refresh_plugins()
    server.enqueue(text_completion('still works'))

    with caplog.at_level(logging.WARNING, logger='pydantic_ai.lifecycle'):
        outcome = await run_request(server_model(server, http_client))

    assert text_of(outcome.response) == 'still works'
    assert importlib.import_module(module).seen == []  # not half-registered
    [report] = [r.getMessage() for r in caplog.records if r.name == 'pydantic_ai.lifecycle']
    assert "'misspelled-hooks'" in report and 'pydantic_ai_request_eror' in report
    assert 'did you mean pydantic_ai_request_error?' in report


def test_the_plugin_set_reads_entry_points_from_the_source_it_is_given() -> None:
    from importlib.metadata import EntryPoint

    def source() -> list[Any]:
        return [
            EntryPoint('mine', 'tests_plugins_absent:nothing', LIFECYCLE_GROUP),
            EntryPoint('other', 'x:y', 'pydantic_ai.providers'),  # another group: not read
        ]

    plugins = LifecyclePlugins(groups=(LIFECYCLE_GROUP,), entry_points=source)

    assert plugins.hooks() is None  # the one entry point of the group fails to import: logged and skipped
    assert plugins.plugins() == []
