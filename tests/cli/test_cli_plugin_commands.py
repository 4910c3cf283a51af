"""Commands that plugins add to `pai` through the `pydantic_ai_cli_commands` hook, healthy and broken side by side.

Throwaway distributions are installed for real (package metadata, entry point, plugin module) next to the Groq
plugin, and a fresh registry reads them: `greeter` adds working commands; `mute` raises in its hook, `garbled`
returns something else than commands, `twin` names its commands like a built-in and like `greeter`'s (it loads after
`greeter`: plugins load in name order), and `exploding` fails on import. The working commands must run, every broken
plugin must cost only its own commands, each with one line on stderr, and the hook must be called only when a first
word could name a plugin's command.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from pydantic_ai.cli import Command, run
from pydantic_ai.exceptions import UserError
from pydantic_ai.registry import ProviderRegistry, use_registry

from support.distributions import Site

PROVIDER = """
class __CLS__:
    name = '__NAME__'
    base_url = 'https://__NAME__.example.com'
    client = object()


@hookimpl
def pydantic_ai_provider():
    return __CLS__
"""

GREETER = (
    """
from pydantic_ai.cli import Command
from pydantic_ai.exceptions import CliError
from pydantic_ai.providers import hookimpl

calls = []


def add_greet(parser):
    parser.add_argument('who')
    parser.add_argument('--shout', action='store_true')


def greet(args, context):
    text = f'Hello, {args.who}!'
    context.stdout.write((text.upper() if args.shout else text) + '\\n')
    return 0


def refuse(args, context):
    raise CliError('refusing: nothing to refuse', 4)


def explode(args, context):
    raise RuntimeError('boom')


def bad_arguments(parser):
    parser.add_argument('--count', type='not a function')


@hookimpl
def pydantic_ai_cli_commands():
    calls.append(1)
    return [
        Command('greet', 'say hello to someone', add_greet, greet, description='Greets WHO, politely.'),
        Command('refuse', 'always refuses', lambda parser: None, refuse),
        Command('explode', 'always fails', lambda parser: None, explode),
        Command('misparse', 'cannot build its parser', bad_arguments, greet),
    ]
"""
    + PROVIDER
)

MUTE = (
    """
from pydantic_ai.providers import hookimpl


@hookimpl
def pydantic_ai_cli_commands():
    raise RuntimeError('no commands today')
"""
    + PROVIDER
)

GARBLED = (
    """
from pydantic_ai.providers import hookimpl


@hookimpl
def pydantic_ai_cli_commands():
    return 'greet'
"""
    + PROVIDER
)

TWIN = (
    """
from pydantic_ai.cli import Command
from pydantic_ai.providers import hookimpl


def nothing(args, context):
    return 0


@hookimpl
def pydantic_ai_cli_commands():
    return [
        Command('models', 'mine', lambda parser: None, nothing),
        Command('greet', 'mine', lambda parser: None, nothing),
    ]
"""
    + PROVIDER
)

EXPLODING = 'raise RuntimeError("this plugin blew up on import")\n'


@dataclass
class Plugins:
    site: Site
    greeter: str
    """The greeter plugin's module name."""

    def hook_calls(self) -> int:
        return len(importlib.import_module(self.greeter).calls)


def _add(site: Site, dist: str, provider: str, text: str) -> str:
    module = site.module_name(provider)
    text = text.replace('__CLS__', f'{provider.title()}Provider').replace('__NAME__', provider)
    site.add(dist, providers={provider: module}, files={f'{module}.py': text})
    return module


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Plugins]:
    site = Site(tmp_path / 'site-packages')
    monkeypatch.syspath_prepend(str(site.root))
    greeter = _add(site, 'greeter-provider', 'greeter', GREETER)
    _add(site, 'mute-provider', 'mute', MUTE)
    _add(site, 'garbled-provider', 'garbled', GARBLED)
    _add(site, 'twin-provider', 'twin', TWIN)
    exploding = site.module_name('exploding')
    site.add('exploding-provider', providers={'exploding': exploding}, files={f'{exploding}.py': EXPLODING})
    with use_registry(ProviderRegistry()):
        yield Plugins(site, greeter)
    site.cleanup()


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str


def pai(argv: Sequence[str]) -> Result:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), stdin=io.StringIO(''), stdout=out, stderr=err)
    return Result(status, out.getvalue(), err.getvalue())


PROBLEMS = [
    "pai: command 'models' of provider plugin 'twin' (distribution twin-provider) is left out: "
    '`pai models` is built in',
    "pai: command 'greet' of provider plugin 'twin' (distribution twin-provider) is left out: "
    "provider plugin 'greeter' (distribution greeter-provider) adds one of that name",
    "pai: the commands of provider plugin 'exploding' (distribution exploding-provider) are unavailable: "
    "Provider plugin 'exploding' is broken: importing it raised RuntimeError: this plugin blew up on import",
    "pai: the commands of provider plugin 'garbled' (distribution garbled-provider) are unavailable: its "
    "`pydantic_ai_cli_commands` hook returned ['greet'], not a list of pydantic_ai.cli.Command",
    "pai: the commands of provider plugin 'mute' (distribution mute-provider) are unavailable: its "
    '`pydantic_ai_cli_commands` hook raised RuntimeError: no commands today',
]


def test_a_plugin_command_runs_with_its_own_arguments(plugins: Plugins) -> None:
    assert pai(['greet', 'World']) == Result(0, 'Hello, World!\n', '')
    assert pai(['greet', '--shout', 'you']) == Result(0, 'HELLO, YOU!\n', '')
    assert pai(['--shout', 'greet', 'me']).stdout == 'HELLO, ME!\n'  # options may come before the command word


def test_a_plugin_command_has_its_help_and_its_usage_errors(plugins: Plugins) -> None:
    helped = pai(['greet', '--help'])
    assert helped.status == 0 and helped.stdout.startswith('usage: pai greet [-h] [--debug] [--shout] who')
    assert 'Greets WHO, politely.' in helped.stdout
    missing = pai(['greet'])
    assert missing == Result(2, '', 'pai: the following arguments are required: who (see `pai greet --help`)\n')


def test_pai_help_lists_the_plugins_commands_after_the_built_in_ones_and_reports_the_broken_plugins(
    plugins: Plugins,
) -> None:
    result = pai(['--help'])

    assert result.status == 0
    listing = result.stdout.split('Commands (`pai COMMAND --help` for each):\n')[1].splitlines()
    assert [line.split()[0] for line in listing] == [
        'providers',
        'models',
        'batch',
        'explode',
        'greet',
        'misparse',
        'refuse',
    ]
    assert '  greet      say hello to someone' in listing
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for problem in PROBLEMS:
        assert any(line.startswith(problem) for line in result.stderr.splitlines()), problem


def test_broken_plugins_cost_only_their_own_commands_and_stay_quiet_when_a_command_is_found(
    plugins: Plugins,
) -> None:
    assert pai(['greet', 'World']).stderr == ''  # greeter's `greet`, not twin's, and no word about the broken ones
    result = pai(['refuse'])
    assert result == Result(4, '', 'pai: refusing: nothing to refuse\n')  # a CliError: its line and its status


def test_a_command_that_raises_is_one_line_naming_it_and_its_plugin(plugins: Plugins) -> None:
    result = pai(['explode'])
    assert result == Result(
        1,
        '',
        "pai: the 'explode' command of provider plugin 'greeter' (distribution greeter-provider) failed: unexpected "
        'error: RuntimeError: boom (run with --debug for the traceback)\n',
    )
    debug = pai(['explode', '--debug'])
    assert debug.status == 1 and debug.stderr.startswith('Traceback (most recent call last):')
    assert "RuntimeError: boom\npai: the 'explode' command" in debug.stderr


def test_a_command_whose_parser_cannot_be_built_is_one_line_naming_it(plugins: Plugins) -> None:
    result = pai(['misparse'])
    assert result.status == 1
    assert result.stderr.startswith(
        "pai: the 'misparse' command of provider plugin 'greeter' (distribution greeter-provider) is broken: adding "
        "its arguments raised ValueError: 'not a function' is not callable\n"
    )


def test_an_unknown_word_is_a_prompt_and_the_broken_plugins_are_reported(plugins: Plugins) -> None:
    result = pai(['greetings'])  # not a command: the default command asks it, and several providers are installed
    assert result.status == 2
    lines = result.stderr.splitlines()
    for problem in PROBLEMS:
        assert any(line.startswith(problem) for line in lines), problem
    assert lines[-1].startswith('pai: several providers are installed')


def test_the_hook_is_called_only_when_a_word_could_name_a_plugin_command(plugins: Plugins) -> None:
    pai(['providers'])  # loads every plugin, asks none for commands
    pai(['--version'])
    pai(['a prompt, not a command name'])
    pai(['batch', '--help'])
    assert plugins.hook_calls() == 0
    pai(['greet', 'x'])
    assert plugins.hook_calls() == 1


@pytest.mark.parametrize(
    ('name', 'words'),
    [('Greet', 'lowercase words joined by hyphens'), ('two words', 'lowercase'), ('-x', 'lowercase'), ('', 'got')],
)
def test_a_command_needs_a_valid_name(name: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        Command(name, 'help', lambda parser: None, lambda args, context: 0)


def test_a_command_needs_callables() -> None:
    with pytest.raises(UserError, match='`run` must be callable'):
        Command('ok', 'help', lambda parser: None, 'not callable')  # type: ignore[arg-type]
