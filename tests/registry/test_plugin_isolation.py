"""Plugin isolation: broken provider plugins installed side by side with healthy ones, in one environment.

`test_registry.py` checks each kind of broken plugin on its own. Here they are all installed at once, next to a
healthy third-party plugin and the real Groq plugin, the way a user's environment ends up: one plugin whose module
raises on import, one whose dependency is missing, one whose entry point is a function that needs arguments (so
neither a plugin nor a provider factory), one whose module has no hooks, and two distributions claiming the same
name. The healthy names must keep working whatever order the lookups come in, each broken name must raise an error
naming its distribution, and listing must report the broken rows instead of raising, both in this process and in a
fresh interpreter.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pydantic_ai import DuplicateProviderError, ProviderPluginError, infer_model, infer_provider, list_providers
from pydantic_ai.providers import ProviderInfo
from pydantic_ai.registry import ProviderRegistry, current_registry, use_registry
from pydantic_ai_groq import GroqModel, GroqProvider

from support.distributions import Site

HEALTHY_PLUGIN = """
    from pydantic_ai.providers import hookimpl


    class HealthyProvider:
        name = 'healthy'
        base_url = 'https://healthy.example.com'
        client = object()


    @hookimpl
    def pydantic_ai_provider():
        return HealthyProvider
"""


@dataclass(frozen=True)
class Broken:
    """A broken plugin of the environment: its provider name, distribution, entry point and what its error says."""

    name: str
    distribution: str
    entry_point: str
    says: str
    """A fragment of the error message that explains the breakage."""


@dataclass
class Environment:
    site: Site
    healthy_module: str
    broken: list[Broken]
    duplicate_modules: tuple[str, str]
    import_log: str
    """A module whose list `attempts` grows each time the exploding plugin's module is imported."""

    def plugin_modules(self) -> list[str]:
        modules = [self.healthy_module, *self.duplicate_modules]
        modules += [b.entry_point.partition(':')[0] for b in self.broken]
        return modules

    def import_attempts(self) -> int:
        return len(importlib.import_module(self.import_log).attempts)


def install_environment(site: Site) -> Environment:
    """Install every plugin of the environment into `site` and describe it."""
    healthy = site.module_name('healthy_plugin')
    site.add(
        'healthy-provider', version='1.2.0', providers={'healthy': healthy}, files={f'{healthy}.py': HEALTHY_PLUGIN}
    )

    log = site.module_name('import_log')
    exploding = site.module_name('exploding_plugin')
    site.add(
        'exploding-provider',
        version='0.0.1',
        providers={'exploding': exploding},
        files={
            f'{log}.py': 'attempts = []\n',
            f'{exploding}.py': f"""
                import {log}

                {log}.attempts.append(1)
                raise RuntimeError('exploding plugin blew up on import')
            """,
        },
    )

    missing_dependency = site.module_name('needs_sdk_plugin')
    site.add(
        'needs-sdk-provider',
        version='0.2.0',
        providers={'needssdk': missing_dependency},
        files={f'{missing_dependency}.py': f'import {site.module_name("sdk_that_is_not_installed")}\n'},
    )

    function_module = site.module_name('function_plugin')
    site.add(
        'function-provider',
        version='0.3.0',
        providers={'function': f'{function_module}:make_client'},
        files={f'{function_module}.py': 'def make_client(api_key):\n    return object()\n'},
    )

    no_hooks = site.module_name('no_hooks_plugin')
    site.add(
        'no-hooks-provider',
        version='0.4.0',
        providers={'nohooks': no_hooks},
        files={f'{no_hooks}.py': 'def pydantic_ai_provider():\n    return object\n'},  # not decorated: no hook
    )

    duplicates = []
    for dist in ('shared-one', 'shared-two'):
        module = site.module_name(dist.replace('-', '_'))
        site.add(
            dist, providers={'shared': module}, files={f'{module}.py': HEALTHY_PLUGIN.replace("'healthy'", "'shared'")}
        )
        duplicates.append(module)

    broken = [
        Broken('exploding', 'exploding-provider', exploding, 'exploding plugin blew up on import'),
        Broken('needssdk', 'needs-sdk-provider', missing_dependency, 'ModuleNotFoundError'),
        Broken('function', 'function-provider', f'{function_module}:make_client', 'callable with no arguments'),
        Broken('nohooks', 'no-hooks-provider', no_hooks, 'implements no `pydantic_ai_provider` hook'),
    ]
    return Environment(site, healthy, broken, (duplicates[0], duplicates[1]), log)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, groq_api_key: str) -> Iterator[Environment]:
    """The environment on `sys.path`, with a fresh registry made current by `use_registry`; forgotten afterwards."""
    site = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(site.root))
    environment = install_environment(site)
    with use_registry(ProviderRegistry()):
        yield environment
    site.cleanup()


BROKEN_NAMES = ['exploding', 'needssdk', 'function', 'nohooks']


def broken_by_name(env: Environment, name: str) -> Broken:
    return next(b for b in env.broken if b.name == name)


def assert_healthy_names_work() -> None:
    healthy = infer_provider('healthy')
    assert type(healthy).__name__ == 'HealthyProvider'
    assert healthy.name == 'healthy'
    assert isinstance(infer_provider('groq'), GroqProvider)
    model = infer_model('groq:llama-3.3-70b-versatile')
    assert isinstance(model, GroqModel)
    assert model.model_name == 'llama-3.3-70b-versatile'


# --- lookups ----------------------------------------------------------------------------------------------------------


def test_healthy_providers_work_before_any_broken_plugin_is_touched(env: Environment) -> None:
    assert_healthy_names_work()

    for module in env.plugin_modules():
        if module != env.healthy_module:
            assert module not in sys.modules, f'{module} was imported by a lookup of another name'


def test_healthy_providers_still_work_after_every_broken_lookup_failed(env: Environment) -> None:
    for name in [*BROKEN_NAMES, 'shared']:
        with pytest.raises(ProviderPluginError):
            infer_provider(name)

    assert_healthy_names_work()


@pytest.mark.parametrize('name', BROKEN_NAMES)
def test_each_broken_plugin_raises_plugin_error_naming_its_distribution_and_entry_point(
    env: Environment, name: str
) -> None:
    broken = broken_by_name(env, name)
    assert_healthy_names_work()

    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider(name)

    error = exc_info.value
    assert type(error) is ProviderPluginError
    assert (error.provider_name, error.distribution, error.entry_point) == (
        name,
        broken.distribution,
        broken.entry_point,
    )
    assert repr(broken.distribution) in str(error)
    assert broken.entry_point in str(error)
    assert broken.says in str(error)
    assert_healthy_names_work()


def test_broken_plugin_error_is_the_same_on_a_second_lookup_and_model_inference(env: Environment) -> None:
    with pytest.raises(ProviderPluginError) as first:
        infer_provider('exploding')
    with pytest.raises(ProviderPluginError) as second:
        infer_provider('exploding')
    with pytest.raises(ProviderPluginError) as via_model:
        infer_model('exploding:some-model')

    assert str(first.value) == str(second.value) == str(via_model.value)
    assert via_model.value.distribution == 'exploding-provider'
    assert env.import_attempts() == 1


def test_two_distributions_claiming_one_name_raise_duplicate_error_naming_both(env: Environment) -> None:
    with pytest.raises(DuplicateProviderError) as exc_info:
        infer_provider('shared')

    assert exc_info.value.distributions == ('shared-one', 'shared-two')
    assert 'shared-one' in str(exc_info.value)
    assert 'shared-two' in str(exc_info.value)
    assert not any(module in sys.modules for module in env.duplicate_modules)
    assert_healthy_names_work()


# --- listing ----------------------------------------------------------------------------------------------------------


def rows(infos: list[ProviderInfo]) -> dict[str, list[ProviderInfo]]:
    grouped: dict[str, list[ProviderInfo]] = {}
    for info in infos:
        grouped.setdefault(info.name, []).append(info)
    return grouped


def test_list_providers_reads_metadata_only_and_shows_every_name(env: Environment) -> None:
    listed = rows(list_providers())

    assert {'groq', 'healthy', 'shared', *BROKEN_NAMES} <= set(listed)
    assert [r.status for r in listed['healthy']] == ['available']
    for name in BROKEN_NAMES:
        broken = broken_by_name(env, name)
        assert [(r.distribution, r.entry_point, r.status) for r in listed[name]] == [
            (broken.distribution, broken.entry_point, 'available')
        ]
    assert [(r.distribution, r.status) for r in listed['shared']] == [
        ('shared-one', 'duplicate'),
        ('shared-two', 'duplicate'),
    ]
    assert not any(module in sys.modules for module in env.plugin_modules())


def test_list_providers_with_load_reports_broken_plugins_in_their_rows_instead_of_raising(env: Environment) -> None:
    listed = rows(list_providers(load=True))

    assert [(r.distribution, r.version, r.status, r.error) for r in listed['healthy']] == [
        ('healthy-provider', '1.2.0', 'loaded', None)
    ]
    assert [r.status for r in listed['groq']] == ['loaded']
    for name in BROKEN_NAMES:
        broken = broken_by_name(env, name)
        (row,) = listed[name]
        assert (row.distribution, row.entry_point, row.status) == (broken.distribution, broken.entry_point, 'broken')
        assert row.error is not None
        assert repr(broken.distribution) in row.error
        assert broken.says in row.error
    assert [r.status for r in listed['shared']] == ['duplicate', 'duplicate']
    for row in listed['shared']:
        assert row.error is not None
        assert 'shared-one' in row.error
        assert 'shared-two' in row.error
    assert_healthy_names_work()


def test_listing_after_failed_lookups_neither_raises_nor_retries_the_broken_import(env: Environment) -> None:
    with pytest.raises(ProviderPluginError):
        infer_provider('exploding')

    without_load = {r.name: r for r in list_providers() if r.name != 'shared'}
    with_load = {r.name: r for r in list_providers(load=True) if r.name != 'shared'}

    assert without_load['exploding'].status == 'broken'
    assert with_load['exploding'].status == 'broken'
    assert env.import_attempts() == 1
    assert_healthy_names_work()


# --- a plugin that calls sys.exit() on import -------------------------------------------------------------------------


def test_plugin_calling_sys_exit_on_import_is_reported_as_broken_not_ending_the_process(
    env: Environment,
) -> None:
    """`SystemExit` is not an `Exception`; a plugin module that calls `sys.exit()` (a CLI entry point registered by
    mistake, say) must still be "a module that fails to import", not the end of the caller's program."""
    module = env.site.module_name('exiting_plugin')
    env.site.add(
        'exiting-provider',
        providers={'exiting': module},
        files={f'{module}.py': "import sys\n\nsys.exit('exiting plugin called sys.exit on import')\n"},
    )
    current_registry().refresh()

    listed = {r.name: r for r in list_providers(load=True) if r.name != 'shared'}
    with pytest.raises(ProviderPluginError) as exc_info:
        infer_provider('exiting')

    assert listed['exiting'].status == 'broken'
    assert exc_info.value.distribution == 'exiting-provider'
    assert_healthy_names_work()


# --- a fresh interpreter ----------------------------------------------------------------------------------------------


def test_fresh_interpreter_lists_and_uses_healthy_providers_with_broken_ones_installed(
    env: Environment, tmp_path: Path
) -> None:
    code = textwrap.dedent(
        """
        import json, sys
        from pydantic_ai.providers import infer_provider, list_providers
        from pydantic_ai.exceptions import ProviderPluginError

        statuses = {}
        for row in list_providers(load=True):
            statuses.setdefault(row.name, []).append(row.status)
        errors = {}
        for name in ('exploding', 'needssdk', 'function', 'nohooks', 'shared'):
            try:
                infer_provider(name)
            except ProviderPluginError as exc:
                errors[name] = exc.distribution
        print(json.dumps({
            'statuses': statuses,
            'errors': errors,
            'healthy': infer_provider('healthy').name,
            'groq': infer_provider('groq').name,
        }))
        """
    )
    environ = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'GROQ_BASE_URL')}
    environ.update(PYTHONPATH=str(env.site.root), GROQ_API_KEY='gsk-subprocess-fake-key')

    result = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=environ, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out['healthy'] == 'healthy'
    assert out['groq'] == 'groq'
    assert out['errors'] == {
        'exploding': 'exploding-provider',
        'needssdk': 'needs-sdk-provider',
        'function': 'function-provider',
        'nohooks': 'no-hooks-provider',
        'shared': None,  # a duplicate names its distributions in `distributions`, not `distribution`
    }
    statuses = out['statuses']
    assert statuses['healthy'] == ['loaded']
    assert statuses['groq'] == ['loaded']
    assert statuses['shared'] == ['duplicate', 'duplicate']
    assert all(statuses[name] == ['broken'] for name in BROKEN_NAMES)
