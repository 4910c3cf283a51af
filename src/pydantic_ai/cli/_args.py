"""The command line's parsers: one `Parser` per command, and the options `pai`, `pai providers`, `pai models` share.

`first_word` finds where the command word is in `argv`.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NoReturn

from pydantic_ai.exceptions import CliError

from ._errors import EXIT_USAGE

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = (
    'Options',
    'Parser',
    'ParserExit',
    'SharedCommand',
    'add_prompt_arguments',
    'add_shared_arguments',
    'first_word',
    'options_from',
)

SharedCommand = Literal['prompt', 'providers', 'models']
"""The commands that share `pai`'s options: answer a prompt (or chat), list providers, or list model names."""

DESCRIPTION = """\
Ask a model from the shell; the answer streams as it is generated.

  pai "Why is the sky blue?"            one question, one streamed answer
  cat notes.md | pai "summarise this"   piped text is added after the prompt
  pai                                   an interactive chat (on a terminal)
  pai providers | pai models            installed providers; a provider's models
  pai --replay cassettes/....yaml       an offline demo: replay a recording
  pai batch prompts.jsonl -o out.jsonl  JSONL prompts as a provider batch
"""

EPILOG = """\
Set the provider's API key first (a missing key's error names its variable).
The model: --model, else $PAI_MODEL, else the provider's default.
Exit status: 0 done, 1 the model or its API failed, 2 usage or configuration
error (nothing was sent), 3 the answer was cut off by the token limit,
130 interrupted.
"""


class ParserExit(Exception):
    """argparse asked to exit (after `--help`), with this status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Parser(argparse.ArgumentParser):
    """An `ArgumentParser` that writes help to a given stream and raises instead of exiting.

    Args:
        out: Where `--help` goes.
        unrecognized_hint: Added to the error about unrecognized arguments.
        more_help: Gives text to end the help with, asked for only when the help is shown.
        **kwargs: As for `argparse.ArgumentParser`.
    """

    def __init__(
        self,
        *,
        out: IO[str],
        unrecognized_hint: str | None = None,
        more_help: Callable[[], str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._out = out
        self._unrecognized_hint = unrecognized_hint
        self._more_help = more_help

    def format_help(self) -> str:
        text = super().format_help()
        return text if self._more_help is None else f'{text}\n{self._more_help()}'

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_help(file or self._out)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_usage(file or self._out)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise CliError(message.strip(), EXIT_USAGE)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        hint = f'; {self._unrecognized_hint}' if self._unrecognized_hint and 'unrecognized' in message else ''
        raise CliError(f'{message} (see `{self.prog} --help`{hint})', EXIT_USAGE)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a whole number, got {text!r}') from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f'must be at least 1, got {value}')
    return value


def _temperature(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a number such as 0.7, got {text!r}') from None
    if not 0 <= value <= 2:
        raise argparse.ArgumentTypeError(f'must be between 0 and 2, got {value}')
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected seconds, such as 30 or 2.5, got {text!r}') from None
    if not value > 0 or value == float('inf'):
        raise argparse.ArgumentTypeError(f'must be a number of seconds above 0, got {text}')
    return value


_FLAG = 'store_true'
_SHARED: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ('-m', '--model'),
        {'help': "`provider:model-name`, or a model name of --provider (default: $PAI_MODEL, else the provider's own)"},
    ),
    (
        ('-p', '--provider'),
        {'help': 'a registered provider name (default: the only installed one; see `pai providers`)'},
    ),
    (('-s', '--system'), {'help': 'the system prompt'}),
    (('-t', '--temperature'), {'type': _temperature, 'help': 'sampling temperature, 0 to 2'}),
    (('--max-tokens',), {'type': _positive_int, 'metavar': 'N', 'help': 'the longest answer, in tokens'}),
    (('--json',), {'action': _FLAG, 'help': 'print the final response and usage as JSON'}),
    (('-q', '--quiet'), {'action': _FLAG, 'help': 'no token usage and timing after the answer'}),
    (('--plain',), {'action': _FLAG, 'help': 'plain text even on a terminal (no Markdown)'}),
    (('-i', '--interactive'), {'action': _FLAG, 'help': 'chat, even with a prompt or a replay'}),
    (
        ('--replay',),
        {'type': Path, 'metavar': 'CASSETTE', 'help': 'replay a recorded vcrpy cassette offline (no key needed)'},
    ),
    (
        ('--timeout',),
        {
            'type': _seconds,
            'metavar': 'SECONDS',
            'help': "give up on a request silent this long (connect, read, write; default: the provider's own)",
        },
    ),
    (
        ('--trace',),
        {
            'choices': ('console', 'otlp'),
            'help': 'OpenTelemetry span per request, to stderr or an OTLP collector (needs pydantic-ai-core[otel] '
            'and opentelemetry-sdk; otlp also an OTLP exporter)',
        },
    ),
    (('--version',), {'action': _FLAG, 'help': 'print the version and exit'}),
)
"""The options `pai`, `pai providers` and `pai models` share, as `add_argument` arguments; `first_word` reads them."""

_TAKES_VALUE = {flag: kwargs.get('action') != _FLAG for flags, kwargs in _SHARED for flag in flags}
_NEGATIVE_NUMBER = re.compile(r'-\d+|-\d*\.\d+')


def add_shared_arguments(parser: argparse.ArgumentParser) -> None:
    """The options `pai`, `pai providers` and `pai models` share."""
    for flags, kwargs in _SHARED:
        parser.add_argument(*flags, **kwargs)


def add_prompt_arguments(parser: argparse.ArgumentParser) -> None:
    """`pai`'s own arguments: the prompt's words, then the shared options."""
    parser.add_argument('prompt', nargs='*', help='the question (several words are joined with spaces)')
    add_shared_arguments(parser)


def _takes_value(option: str) -> bool:
    """Whether `option` (`--name` or `-x`, perhaps an abbreviated long one, as argparse allows) takes a value."""
    if option in _TAKES_VALUE:
        return _TAKES_VALUE[option]
    if option.startswith('--'):
        matches = {flag for flag in _TAKES_VALUE if flag.startswith(option)}
        if len(matches) == 1:
            return _TAKES_VALUE[matches.pop()]
    return False  # an unknown option: argparse reports it; reading it as a flag is enough to find the words


def first_word(argv: Sequence[str]) -> int | None:
    """The index of the first positional argument, reading the shared options as argparse does; `None` if none.

    `pai` reads its command from this word (`pai --json providers` lists providers). Words after `--` are never a
    command: `pai -- batch` asks the prompt "batch".
    """
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == '--':
            return None
        if token.startswith('--'):
            if '=' not in token and _takes_value(token):
                index += 1
        elif token.startswith('-') and len(token) > 1 and _NEGATIVE_NUMBER.fullmatch(token) is None:
            for position in range(1, len(token)):
                if _takes_value(f'-{token[position]}'):
                    if position == len(token) - 1:
                        index += 1  # the value is the next argument; otherwise the rest of this one
                    break
        else:
            return index
        index += 1
    return None


@dataclass(frozen=True)
class Options:
    """The parsed command line of `pai`, `pai providers` and `pai models`."""

    command: SharedCommand
    """What to do."""
    prompt: str | None
    """The prompt given as arguments (joined with spaces), if any."""
    model: str | None
    """`--model` as given: `provider:name` or a bare name; `None` for the default."""
    provider: str | None
    """`--provider`: the registered provider to use for a bare model name."""
    system: str | None
    """`--system`: the system prompt."""
    temperature: float | None
    """`--temperature`."""
    max_tokens: int | None
    """`--max-tokens`."""
    json: bool
    """`--json`: print the final response and usage as JSON instead of the streamed text."""
    quiet: bool
    """`--quiet`: no usage and timing line."""
    plain: bool
    """`--plain`: plain text even on a terminal (no Markdown rendering)."""
    interactive: bool
    """`--interactive`: chat even when a prompt is given, stdin is not a terminal, or a recording is replayed."""
    replay: Path | None
    """`--replay`: the cassette to replay instead of calling the API."""
    timeout: float | None
    """`--timeout`: seconds a request may wait on the network (each of connect, read, write) before it fails."""
    debug: bool
    """`--debug`: print tracebacks."""
    version: bool
    """`--version`."""
    trace: str | None = None
    """`--trace`: export a span per model request to `console` (stderr) or `otlp`; `None`: no tracing."""


def options_from(namespace: argparse.Namespace, command: SharedCommand) -> Options:
    """The options of a parsed shared command.

    Raises:
        CliError: the options contradict each other (exit status 2).
    """
    words: list[str] = getattr(namespace, 'prompt', [])
    options = Options(
        command=command,
        prompt=' '.join(words) if words else None,
        model=namespace.model,
        provider=namespace.provider,
        system=namespace.system,
        temperature=namespace.temperature,
        max_tokens=namespace.max_tokens,
        json=namespace.json,
        quiet=namespace.quiet,
        plain=namespace.plain,
        interactive=namespace.interactive,
        replay=namespace.replay,
        timeout=namespace.timeout,
        debug=namespace.debug,
        version=namespace.version,
        trace=namespace.trace,
    )
    _check(options)
    return options


def _check(options: Options) -> None:
    if options.replay is not None:
        if options.prompt is not None:
            raise CliError('--replay takes its prompts from the recording; drop the prompt argument', EXIT_USAGE)
        if options.model is not None:
            raise CliError(
                '--replay takes the model from the recording; drop --model (--provider picks the provider)',
                EXIT_USAGE,
            )
    if options.json and options.interactive:
        raise CliError('--json prints one answer; it cannot be combined with --interactive', EXIT_USAGE)
    if options.command != 'prompt' and options.replay is not None:
        raise CliError(f'`pai {options.command}` cannot be combined with --replay', EXIT_USAGE)
