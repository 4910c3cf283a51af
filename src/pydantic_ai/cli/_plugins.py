"""The `pai` commands that plugins add, collected through the `pydantic_ai_cli_commands` hook.

The hook is called through the registry's plugin manager (`ProviderRegistry.call_each_plugin`), once per plugin and
only when needed: for a first word that is not a built-in command, and for `pai --help`. A plugin that fails to load,
whose hook raises or returns something else than `Command`s, or whose command is named like a built-in or another
plugin's, costs only its own commands: each problem becomes one line, and `pai` goes on (llm's lesson: one broken
plugin must not take the command line down with it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic_ai.exceptions import ProviderPluginError
from pydantic_ai.registry import current_registry

from ._command import Command

__all__ = ('PluginCommand', 'plugin_commands')

HOOK = 'pydantic_ai_cli_commands'


@dataclass(frozen=True)
class PluginCommand:
    """A command a plugin added, and where it came from."""

    command: Command
    """The command."""
    origin: str
    """The plugin, as messages name it: `provider plugin 'name' (distribution dist)`."""


def _origin(provider_name: str, distribution: str | None) -> str:
    where = f'distribution {distribution}' if distribution is not None else 'registered at run time'
    return f'provider plugin {provider_name!r} ({where})'


def _commands_of(result: object) -> list[Command] | None:
    """The commands in one hook call's result (pluggy's list of the non-`None` results); `None` if malformed."""
    if not isinstance(result, list):
        return None
    found: list[Command] = []
    for returned in result:
        if isinstance(returned, (str, bytes)) or not isinstance(returned, Sequence):
            return None
        if not all(isinstance(command, Command) for command in returned):
            return None
        found.extend(returned)
    return found


def plugin_commands(reserved: Collection[str]) -> tuple[dict[str, PluginCommand], list[str]]:
    """The commands the plugins add, by name, and one line for each problem met (none raise).

    Args:
        reserved: The built-in command names, which no plugin command may take.
    """
    commands: dict[str, PluginCommand] = {}
    problems: list[str] = []
    for call in current_registry().call_each_plugin(HOOK):
        origin = _origin(call.provider_name, call.distribution)
        if isinstance(call.error, ProviderPluginError):
            problems.append(f'the commands of {origin} are unavailable: {call.error.message}')
            continue
        if call.error is not None:
            problems.append(
                f'the commands of {origin} are unavailable: its `{HOOK}` hook raised '
                f'{type(call.error).__name__}: {call.error}'
            )
            continue
        found = _commands_of(call.result)
        if found is None:
            problems.append(
                f'the commands of {origin} are unavailable: its `{HOOK}` hook returned {call.result!r:.100}, '
                'not a list of pydantic_ai.cli.Command'
            )
            continue
        for command in found:
            if command.name in reserved:
                problems.append(f'command {command.name!r} of {origin} is left out: `pai {command.name}` is built in')
            elif command.name in commands:
                other = commands[command.name].origin
                problems.append(f'command {command.name!r} of {origin} is left out: {other} adds one of that name')
            else:
                commands[command.name] = PluginCommand(command, origin)
    return commands, problems
