"""`Command`: one row of `pai`'s command table, built in or added by a plugin; `CommandContext`: what it runs with.

A leaf module (the standard library only at run time), so that the hook specification can name these types and a
plugin can build commands without importing the rest of the command line.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from ..exceptions import UserError

if TYPE_CHECKING:
    from ..providers.base import Provider

__all__ = ('COMMAND_NAME', 'Command', 'CommandContext')

COMMAND_NAME = re.compile(r'[a-z][a-z0-9]*(?:-[a-z0-9]+)*')
"""What a command name looks like: lowercase words joined by hyphens (`batch`, `fake-server`)."""


@dataclass(frozen=True)
class CommandContext:
    """What a command runs with: the streams of this `pai` run, and the provider a caller injected, if any."""

    stdin: IO[str]
    """Where input comes from (`sys.stdin` when run as `pai`)."""
    stdout: IO[str]
    """Where results go."""
    stderr: IO[str]
    """Where progress and errors go."""
    provider: Provider[Any] | None = None
    """The provider given to `pydantic_ai.cli.run(provider=...)`, for embedding and tests; `None` as `pai`."""


@dataclass(frozen=True)
class Command:
    """A `pai` sub-command: `pai NAME [arguments]`.

    `pai` builds an `argparse.ArgumentParser` with `prog='pai NAME'`, passes it to `add_arguments`, parses the
    arguments after the name (a `--debug` option is added to every command: it shows tracebacks), and calls
    `run(namespace, context)`. Its return value is the exit status (`None` counts as 0). To end with a message, raise
    `pydantic_ai.exceptions.CliError(message, exit_code)`: `pai` prints `pai: message` and exits with that status.
    Any other exception becomes one line on stderr naming the command and exit status 1, never a crash of `pai`.

    Args:
        name: The command's name: lowercase words joined by hyphens, such as `serve` or `fake-server`.
        help: One line for `pai --help`.
        add_arguments: Adds the command's options and arguments to its parser.
        run: Runs the command with the parsed arguments.
        description: A longer text for `pai NAME --help`; `help` by default.

    Raises:
        UserError: the name is not a valid command name, or `add_arguments` or `run` is not callable.
    """

    name: str
    """The command's name, the first word after `pai`."""
    help: str
    """One line describing it, for `pai --help`."""
    add_arguments: Callable[[argparse.ArgumentParser], None]
    """Adds its options and arguments to its parser."""
    run: Callable[[argparse.Namespace, CommandContext], int | None]
    """Runs it; returns the exit status."""
    description: str | None = None
    """A longer description for `pai NAME --help`."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or COMMAND_NAME.fullmatch(self.name) is None:
            raise UserError(
                f'A command name is lowercase words joined by hyphens, such as "serve" or "fake-server"; '
                f'got {self.name!r}.'
            )
        if not isinstance(self.help, str):
            raise UserError(f'Command {self.name!r}: `help` must be a one-line string, got {self.help!r:.80}.')
        for field in ('add_arguments', 'run'):
            if not callable(getattr(self, field)):
                raise UserError(f'Command {self.name!r}: `{field}` must be callable, got {getattr(self, field)!r:.80}.')
