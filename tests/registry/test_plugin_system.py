"""One plugin system: one hookspecs module and marker, one kind of plugin manager, one entry-point scan shared by the
process-wide registry and lifecycle plugins, pluggy's public API to find hook implementations, and
`ProviderRegistry.providers()` (with `list()` kept as a deprecated alias)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import pydantic_ai.hookspecs as hookspecs
from pydantic_ai._entry_points import EntryPointScan
from pydantic_ai.hookspecs import LIFECYCLE_GROUP, PROVIDERS_GROUP, hookimpl
from pydantic_ai.lifecycle import LifecyclePlugins
from pydantic_ai.registry import ProviderRegistry, register_provider, use_registry

from support.distributions import Site

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    s = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(s.root))
    importlib.invalidate_caches()
    yield s
    s.cleanup()


class _LocalProvider:
    name = 'local'
    base_url = 'http://127.0.0.1:9'
    client = None


def test_every_hook_lives_in_one_module_and_the_former_homes_are_the_same_objects() -> None:
    import pydantic_ai.lifecycle
    import pydantic_ai.lifecycle.hookspecs as lifecycle_hookspecs
    import pydantic_ai.providers
    import pydantic_ai.providers.hookspecs as providers_hookspecs
    import pydantic_ai.registry
    import pydantic_ai.registry.hookspecs as registry_hookspecs

    for old in (registry_hookspecs, providers_hookspecs):
        for name in old.__all__:
            assert getattr(old, name) is getattr(hookspecs, name), (old.__name__, name)
    for name in lifecycle_hookspecs.__all__:
        assert getattr(lifecycle_hookspecs, name) is getattr(hookspecs, name), name
    for module in (pydantic_ai.lifecycle, pydantic_ai.providers, pydantic_ai.registry):
        assert module.hookimpl is hookimpl, module.__name__
    assert pydantic_ai.lifecycle.LIFECYCLE_GROUP == LIFECYCLE_GROUP == 'pydantic_ai.lifecycle'
    assert pydantic_ai.registry.PROVIDERS_GROUP == PROVIDERS_GROUP == 'pydantic_ai.providers'
    assert pydantic_ai.registry.ENTRY_POINT_GROUP == PROVIDERS_GROUP  # the earlier name, kept


def test_the_hookspecs_public_names_are_pinned() -> None:
    assert set(hookspecs.__all__) == {
        'PROJECT_NAME',
        'PROVIDERS_GROUP',
        'LIFECYCLE_GROUP',
        'LEGACY_LIFECYCLE_GROUP',
        'PROVIDER_HOOKS',
        'LIFECYCLE_HOOKS',
        'hookimpl',
        'hookspec',
        'plugin_manager',
        'pydantic_ai_provider',
        'pydantic_ai_model',
        'pydantic_ai_model_names',
        'pydantic_ai_model_notes',
        'pydantic_ai_cli_commands',
        'pydantic_ai_request_start',
        'pydantic_ai_request_end',
        'pydantic_ai_request_error',
    }
    assert hookspecs.LEGACY_LIFECYCLE_GROUP == 'pydantic_ai.plugins'


def test_a_plugin_manager_knows_every_hook_and_validates_against_all_of_them() -> None:
    manager = hookspecs.plugin_manager()

    for name in hookspecs.PROVIDER_HOOKS + hookspecs.LIFECYCLE_HOOKS:
        assert getattr(manager.hook, name).has_spec(), name

    class Both:
        """One object may be a provider plugin and a lifecycle plugin: one marker, one set of specs."""

        @hookimpl
        def pydantic_ai_provider(self, provider_name: str) -> object:
            return object

        @hookimpl
        def pydantic_ai_request_start(self, request: object) -> None:
            pass

    manager.register(Both())
    manager.check_pending()  # nothing unknown


def test_registry_and_plugin_set_sharing_a_scan_read_the_source_once_until_refreshed() -> None:
    reads: list[int] = []

    def source() -> list[EntryPoint]:
        reads.append(1)
        return [EntryPoint('groq', 'pydantic_ai_groq._plugin', PROVIDERS_GROUP)]

    scan = EntryPointScan(source)
    registry = ProviderRegistry(entry_points=scan)
    plugins = LifecyclePlugins(groups=(LIFECYCLE_GROUP,), entry_points=scan)

    assert registry.names() == ['groq']
    assert plugins.hooks() is None  # no lifecycle plugin in the scan
    assert len(reads) == scan.reads == 1

    registry.refresh()
    assert registry.names() == ['groq']
    assert scan.reads == 2


def test_the_process_wide_registry_and_lifecycle_plugins_read_package_metadata_once() -> None:
    code = textwrap.dedent(
        """
        import importlib.metadata, json

        calls = []
        original = importlib.metadata.entry_points

        def counting(*args, **kwargs):
            calls.append(kwargs.get('group'))
            return original(*args, **kwargs)

        importlib.metadata.entry_points = counting

        from pydantic_ai.lifecycle import current_hooks
        from pydantic_ai.registry import default_registry

        names = default_registry().names()   # the provider lookup of a first request
        hooks = current_hooks()             # the lifecycle check of that request
        print(json.dumps({'calls': calls, 'groq': 'groq' in names, 'hooks': hooks is None}))
        """
    )
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {'calls': [None], 'groq': True, 'hooks': True}


class _ExplodingAttribute:
    """A factory object one of whose attributes raises when read."""

    @property
    def pydantic_ai_nothing(self) -> object:
        raise RuntimeError('read me and I explode')

    def __call__(self) -> object:
        raise NotImplementedError


def test_hook_implementations_are_found_with_pluggys_public_parse_hookimpl_opts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic_ai.registry._adapter import classify

    manager = hookspecs.plugin_manager()
    asked: list[str] = []
    parse = manager.parse_hookimpl_opts

    def spy(plugin: object, name: str) -> object:
        asked.append(name)
        return parse(plugin, name)

    monkeypatch.setattr(manager, 'parse_hookimpl_opts', spy)

    class Plugin:
        @hookimpl(specname='pydantic_ai_provider')
        def make(self) -> object:
            return object

    assert classify(Plugin(), manager) == ('plugin', None)
    assert 'make' in asked
    assert classify(_ExplodingAttribute(), manager) == ('factory', None)


def test_providers_lists_the_registered_providers_and_list_is_a_deprecated_alias() -> None:
    registry = ProviderRegistry(entry_points=lambda: [])
    with use_registry(registry):
        register_provider('local', _LocalProvider)

    rows = registry.providers()
    with pytest.warns(DeprecationWarning, match=r'`ProviderRegistry.list\(\)` is deprecated: use .*providers\(\)'):
        old = registry.list()  # the name 0.1.0 shipped

    assert [(r.name, r.status) for r in rows] == [('local', 'loaded')]
    assert old == rows


def test_a_provider_plugin_module_may_implement_lifecycle_hooks_too(site: Site) -> None:
    module = site.module_name('provider_and_hooks')
    site.add(
        'provider-and-hooks',
        providers={'both': module},
        entry_points={LIFECYCLE_GROUP: {'both': module}},
        files={
            f'{module}.py': """
                from pydantic_ai.hookspecs import hookimpl

                class BothProvider:
                    name = 'both'
                    base_url = 'http://127.0.0.1:9'
                    client = None

                @hookimpl
                def pydantic_ai_provider():
                    return BothProvider

                @hookimpl
                def pydantic_ai_request_start(request):
                    pass
                """
        },
    )

    registry = ProviderRegistry()
    plugins = LifecyclePlugins(groups=(LIFECYCLE_GROUP,))

    assert registry.infer_provider('both').name == 'both'
    assert plugins.hooks() is not None
