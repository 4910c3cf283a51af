"""The command line: parsing `argv` into `Options`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NoReturn

from ._errors import EXIT_USAGE, CliError

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ('Command', 'Options', 'ParserExit', 'parse_args')

Command = Literal['prompt', 'providers', 'models']
"""What to do: answer a prompt (or chat), list providers, or list model names."""

_COMMANDS: tuple[Command, ...] = ('providers', 'models')

_DESCRIPTION = """\
Ask a model from the shell; the answer streams as it is generated.

  pai "Why is the sky blue?"            one question, one streamed answer
  cat notes.md | pai "summarise this"   piped text is added after the prompt
  pai                                   an interactive chat (on a terminal)
  pai providers | pai models            installed providers; a provider's models
  pai --replay cassettes/....yaml       an offline demo: replay a recording
  pai batch prompts.jsonl -o out.jsonl  JSONL prompts as a provider batch
"""

_EPILOG = """\
Set the provider's API key first (a missing key's error names its variable).
The model: --model, else $PAI_MODEL, else the provider's default.
Exit status: 0 done, 1 the model or its API failed, 2 usage or configuration
error (nothing was sent), 3 the answer was cut off by the token limit,
130 interrupted.
"""


@dataclass(frozen=True)
class Options:
    """The parsed command line."""

    command: Command
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


class ParserExit(Exception):
    """argparse asked to exit (after `--help`), with this status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An `ArgumentParser` that writes help to a given stream and raises instead of exiting."""

    def __init__(self, *, out: IO[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._out = out

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_help(file or self._out)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        super().print_usage(file or self._out)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise CliError(message.strip(), EXIT_USAGE)
        raise ParserExit(status)

    def error(self, message: str) -> NoReturn:
        raise CliError(f'{message} (see `pai --help`)', EXIT_USAGE)


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


def _build_parser(out: IO[str]) -> _Parser:
    parser = _Parser(
        out=out,
        prog='pai',
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        'prompt', nargs='*', help='the question; or `providers` or `models` alone, to list those instead'
    )
    parser.add_argument(
        '-m',
        '--model',
        help="`provider:model-name`, or a model name of --provider (default: $PAI_MODEL, else the provider's own)",
    )
    parser.add_argument(
        '-p', '--provider', help='a registered provider name (default: the only installed one; see `pai providers`)'
    )
    parser.add_argument('-s', '--system', help='the system prompt')
    parser.add_argument('-t', '--temperature', type=_temperature, help='sampling temperature, 0 to 2')
    parser.add_argument('--max-tokens', type=_positive_int, metavar='N', help='the longest answer, in tokens')
    parser.add_argument('--json', action='store_true', help='print the final response and usage as JSON')
    parser.add_argument('-q', '--quiet', action='store_true', help='no token usage and timing after the answer')
    parser.add_argument('--plain', action='store_true', help='plain text even on a terminal (no Markdown)')
    parser.add_argument('-i', '--interactive', action='store_true', help='chat, even with a prompt or a replay')
    parser.add_argument(
        '--replay', type=Path, metavar='CASSETTE', help='replay a recorded vcrpy cassette offline (no key needed)'
    )
    parser.add_argument(
        '--timeout',
        type=_seconds,
        metavar='SECONDS',
        help="give up on a request silent this long (connect, read, write; default: the provider's own)",
    )
    parser.add_argument('--debug', action='store_true', help='show tracebacks of errors')
    parser.add_argument(
        '--trace',
        choices=('console', 'otlp'),
        help='OpenTelemetry span per request, to stderr or an OTLP collector (needs pydantic-ai-core[otel] and '
        'opentelemetry-sdk; otlp also an OTLP exporter)',
    )
    parser.add_argument('--version', action='store_true', help='print the version and exit')
    return parser


def parse_args(argv: list[str], *, out: IO[str]) -> Options:
    """Parse `argv` (without the program name); `--help` is written to `out`.

    Raises:
        CliError: the arguments are invalid (exit status 2).
        ParserExit: `--help` was printed.
    """
    namespace = _build_parser(out).parse_intermixed_args(argv)
    words: list[str] = namespace.prompt
    command: Command = 'prompt'
    if len(words) == 1 and words[0] in _COMMANDS:
        command = 'providers' if words[0] == 'providers' else 'models'
        words = []
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
