"""`pai`'s command table, how a command line finds its command, and what the built-in commands do.

One table maps a command's name to how it parses its arguments and how it runs (`Command`): `providers`, `models`
and `batch` are built in, plugins add theirs through the `pydantic_ai_cli_commands` hook (see `_plugins`). The
command is named by the first positional argument (`pai models`, `pai --json providers`, `pai batch in.jsonl ...`);
any other command line is the default command, which answers a prompt, chats, or replays a recording
(`pai "Why is the sky blue?"`). A prompt whose first word is a command's name is quoted: `pai "models compared"`.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pydantic_ai
from pydantic_ai.exceptions import CassetteReadError, CliError, UserError
from pydantic_ai.models import Model
from pydantic_ai.providers import Provider
from pydantic_ai.settings import ModelSettings

from . import _batch
from ._args import (
    DESCRIPTION,
    EPILOG,
    Options,
    Parser,
    ParserExit,
    SharedCommand,
    add_prompt_arguments,
    add_shared_arguments,
    first_word,
    options_from,
)
from ._chat import LineReader, Session, chat, exit_status
from ._command import COMMAND_NAME, Command, CommandContext
from ._errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, ErrorContext, describe
from ._listings import model_suggester, show_models, show_providers
from ._plugins import PluginCommand, plugin_commands
from ._providers import (
    ModelChoice,
    build_model,
    build_provider,
    choose_model,
    choose_provider,
    installed_distributions,
    safe_profile,
    split_model,
)
from ._render import Output
from ._replay import RecordedTurn, recorded_turns, replay_provider_name
from ._runner import LoopRunner

if TYPE_CHECKING:
    from pydantic_ai.testing import Interaction

__all__ = ('run', 'EXIT_BROKEN_PIPE', 'BUILTIN_COMMANDS', 'DEFAULT_COMMAND')

EXIT_BROKEN_PIPE = 141
"""stdout was closed early (`pai ... | head -1`): 128 + SIGPIPE, as shells report a process killed by it."""

_REPLAY_FRAME_DELAY = 0.03
"""Seconds between the events of a replayed stream on a terminal, so that the demo streams visibly."""

_REPLAY_API_KEY = 'offline-replay'
"""A placeholder: the recording answers, so no key is needed and none is sent anywhere."""

Report = Callable[[BaseException], int]
ProviderSource = Callable[[str], Provider[Any]]
"""Gives the provider for a provider name: created through the registry, or the one a session is bound to."""
Body = Callable[[Options, Output, CommandContext, Report], int]
"""What a command sharing `pai`'s options does, once its options are read and its output is set up."""


# -- running a command line -----------------------------------------------------------------------------------------


def run(
    argv: Sequence[str],
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    provider: Provider[Any] | None = None,
) -> int:
    """Run `pai` with `argv` (without the program name) and return the exit status; see `pydantic_ai.cli.run`."""
    context = CommandContext(
        stdin=sys.stdin if stdin is None else stdin,
        stdout=sys.stdout if stdout is None else stdout,
        stderr=sys.stderr if stderr is None else stderr,
        provider=provider,
    )
    arguments = list(argv)
    table = _Table(context.stderr)
    try:
        entry, rest = table.resolve(arguments)
        parser = _parser(entry, context.stdout, table)
        if entry.command is DEFAULT_COMMAND:
            namespace = parser.parse_intermixed_args(rest)
        else:
            namespace = parser.parse_args(rest)
    except ParserExit as exc:
        return exc.status
    except CliError as exc:
        context.stderr.write(f'pai: {exc}\n')
        return exc.exit_code
    return _run(entry, namespace, context)


@dataclass(frozen=True)
class _Entry:
    """A command of the table, and the plugin that added it (`None` when built in)."""

    command: Command
    origin: str | None = None


class _Table:
    """The command table: the built-in commands, and the plugins' ones once asked for.

    Args:
        stderr: Where the problems with plugins' commands are reported.
    """

    def __init__(self, stderr: IO[str]) -> None:
        self.builtin = {command.name: command for command in BUILTIN_COMMANDS}
        self._stderr = stderr
        self._plugins: dict[str, PluginCommand] | None = None
        self._problems: list[str] = []

    def plugins(self) -> dict[str, PluginCommand]:
        """The plugins' commands, collected on first use (the problems met are kept for `report_problems`)."""
        if self._plugins is None:
            self._plugins, self._problems = plugin_commands(self.builtin)
        return self._plugins

    def report_problems(self) -> None:
        """One line on stderr for each plugin command left out, once; said only when one may be what was meant."""
        for problem in self._problems:
            self._stderr.write(f'pai: {problem}\n')
        self._problems = []

    def resolve(self, argv: list[str]) -> tuple[_Entry, list[str]]:
        """The command `argv` names, and the arguments left for its parser."""
        index = first_word(argv)
        word = argv[index] if index is not None else None
        rest = argv[:index] + argv[index + 1 :] if index is not None else argv
        if word in self.builtin:
            return _Entry(self.builtin[word]), rest
        if word is not None and COMMAND_NAME.fullmatch(word):
            added = self.plugins().get(word)
            if added is not None:
                return _Entry(added.command, added.origin), rest
            self.report_problems()  # the word will be a prompt: perhaps it names a command a broken plugin lost
        return _Entry(DEFAULT_COMMAND), argv

    def listing(self) -> str:
        """The commands, one per line, for `pai --help`."""
        rows = [(c.name, c.help) for c in BUILTIN_COMMANDS]
        rows += sorted((name, added.command.help) for name, added in self.plugins().items())
        self.report_problems()
        width = max(len(name) for name, _ in rows)
        return 'Commands (`pai COMMAND --help` for each):\n' + ''.join(
            f'  {name.ljust(width)}  {text}\n' for name, text in rows
        )


def _parser(entry: _Entry, out: IO[str], table: _Table) -> Parser:
    """The command's parser, with `--debug` added; a plugin's broken `add_arguments` is a `CliError` naming it."""
    command = entry.command
    if command is DEFAULT_COMMAND:
        parser = Parser(
            out=out,
            prog='pai',
            description=DESCRIPTION,
            epilog=EPILOG,
            more_help=table.listing,  # only `--help` asks the plugins for their commands
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    else:
        hint = f'to ask a question that starts with "{command.name}", quote it: pai "{command.name} ..."'
        parser = Parser(
            out=out,
            prog=f'pai {command.name}',
            description=command.description or command.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            unrecognized_hint=hint if command.name in _SHARED_COMMANDS else None,
            conflict_handler='error' if entry.origin is None else 'resolve',
        )
    if entry.origin is not None:
        parser.add_argument('--debug', action='store_true', help='show tracebacks of errors')
    try:
        command.add_arguments(parser)
    except Exception as exc:
        if entry.origin is None:
            raise
        raise CliError(
            f'the {command.name!r} command of {entry.origin} is broken: adding its arguments raised '
            f'{type(exc).__name__}: {exc}',
            EXIT_FAILURE,
        ) from exc
    if entry.origin is None:
        parser.add_argument('--debug', action='store_true', help='show tracebacks of errors')
    return parser


def _run(entry: _Entry, namespace: argparse.Namespace, context: CommandContext) -> int:
    """Run the command; whatever it raises ends as one line on stderr and an exit status."""
    try:
        status = entry.command.run(namespace, context)
    except KeyboardInterrupt:
        context.stderr.write('pai: interrupted\n')
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_BROKEN_PIPE
    except SystemExit as exc:  # a command that calls sys.exit(): its status, not the end of an embedding program
        if isinstance(exc.code, int):
            return exc.code
        if exc.code is not None:
            context.stderr.write(f'pai: {exc.code}\n')
            return EXIT_FAILURE
        return EXIT_OK
    except Exception as exc:
        if getattr(namespace, 'debug', False):
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=context.stderr)
        line, code = describe(exc, ErrorContext())
        if entry.origin is not None and not isinstance(exc, CliError):
            line = f'the {entry.command.name!r} command of {entry.origin} failed: {line}'
        context.stderr.write(f'pai: {line}\n')
        return code
    return status if isinstance(status, int) else EXIT_OK


# -- the commands sharing pai's options: answer (the default), providers, models ------------------------------------


def _shared(name: SharedCommand, body: Body) -> Callable[[argparse.Namespace, CommandContext], int]:
    """The `run` of a command sharing `pai`'s options: output, errors, `--trace` and `--version` set up for `body`."""

    def run(namespace: argparse.Namespace, context: CommandContext) -> int:
        options = options_from(namespace, name)
        output = Output(context.stdout, context.stderr, plain=options.plain)
        contexts: list[ErrorContext] = []

        def report(exc: BaseException) -> int:
            if options.debug:
                traceback.print_exception(type(exc), exc, exc.__traceback__, file=context.stderr)
            if not contexts:  # worked out on the first error only: it may load the provider's plugin
                contexts.append(_error_context(options, context.provider))
            line, code = describe(exc, contexts[0])
            output.error(line)
            return code

        stop_tracing = None
        try:
            if options.trace is not None:
                stop_tracing = _start_tracing(options.trace, context.stderr)
            if options.version:
                output.line(_version_line())
                return EXIT_OK
            return body(options, output, context, report)
        except KeyboardInterrupt:
            output.error('interrupted')
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            return EXIT_BROKEN_PIPE
        except Exception as exc:  # every failure ends as one line and an exit status; --debug shows the traceback
            return report(exc)
        finally:
            if stop_tracing is not None:
                stop_tracing()

    return run


def _providers(options: Options, output: Output, context: CommandContext, report: Report) -> int:
    return show_providers(output, as_json=options.json)


def _models(options: Options, output: Output, context: CommandContext, report: Report) -> int:
    provider = context.provider
    name = provider.name if provider is not None else choose_provider(_choice(options))
    return show_models(output, name, as_json=options.json, timeout=options.timeout)


def _answer(options: Options, output: Output, context: CommandContext, report: Report) -> int:
    if options.replay is not None:
        return _replay(options, options.replay, output, context.stdin, report)
    return _ask(options, output, context.stdin, context.provider, report)


_SHARED_COMMANDS = ('providers', 'models')

DEFAULT_COMMAND = Command(
    name='prompt',
    help='answer a prompt, chat, or replay a recording (the default command)',
    add_arguments=add_prompt_arguments,
    run=_shared('prompt', _answer),
)
"""What `pai` does when no command is named: `pai "Why is the sky blue?"`, `pai`, `pai --replay FILE`."""

BUILTIN_COMMANDS: tuple[Command, ...] = (
    Command('providers', 'the installed providers', add_shared_arguments, _shared('providers', _providers)),
    Command('models', "a provider's models", add_shared_arguments, _shared('models', _models)),
    Command('batch', 'JSONL prompts as a provider batch', _batch.add_arguments, _batch.run, _batch.DESCRIPTION),
)
"""The commands `pai` itself has; plugins add theirs through the `pydantic_ai_cli_commands` hook."""


def _start_tracing(target: str, stderr: IO[str]) -> Callable[[], None]:
    """Start exporting a span per model request (`--trace`); returns the function that flushes and stops it."""
    try:
        from ..otel._export import start_span_export

        return start_span_export(target, out=stderr)
    except ImportError as exc:  # opentelemetry-api itself is missing
        raise CliError(
            f"--trace needs OpenTelemetry: pip install 'pydantic-ai-core[otel]' opentelemetry-sdk ({exc})", EXIT_USAGE
        ) from exc
    except UserError as exc:
        raise CliError(f'--trace {target}: {exc}', EXIT_USAGE) from exc


def _choice(options: Options) -> ModelChoice:
    return ModelChoice(model=options.model, provider=options.provider)


def _error_context(options: Options, provider: Provider[Any] | None) -> ErrorContext:
    """What error messages may say about the provider in use; bare when it cannot be told (reported later)."""
    try:
        name = provider.name if provider is not None else choose_provider(_choice(options))
    except Exception:  # the same problem is reported when the command runs
        return ErrorContext()
    about = safe_profile(name)
    return ErrorContext(
        provider=name,
        api_key_env_var=about.api_key_env_var,
        api_key_url=about.api_key_url,
        base_url_env_var=about.base_url_env_var,
        suggest_models=model_suggester(name),
    )


def _version_line() -> str:
    core = pydantic_ai.__version__
    parts = [f'pydantic-ai-core {core}', *(f'{name} {version}' for name, version in installed_distributions())]
    return f'pai {core} ({", ".join(parts)})'


def _model_settings(options: Options) -> ModelSettings | None:
    settings: ModelSettings = {}
    if options.temperature is not None:
        settings['temperature'] = options.temperature
    if options.max_tokens is not None:
        settings['max_tokens'] = options.max_tokens
    return settings or None


def _bound_to(provider: Provider[Any]) -> ProviderSource:
    """A source that gives `provider` for its own name, and refuses other names."""

    def source(name: str) -> Provider[Any]:
        if name != provider.name:
            raise CliError(f'this session uses provider {provider.name!r}; give a model name alone', EXIT_USAGE)
        return provider

    return source


def _model_factory(default_provider: Callable[[], str], source: ProviderSource) -> Callable[[str], Model]:
    """Builds models from `provider:name` or bare names (of `default_provider()`), on the source's providers."""

    def build(spec: str) -> Model:
        provider_name, name = split_model(spec, default_provider)
        return build_model(provider_name, name, source(provider_name))

    return build


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _session(
    options: Options, output: Output, model_factory: Callable[[str], Model], spec: str, system_prompt: str | None
) -> Session:
    return Session(
        model=model_factory(spec),
        model_factory=model_factory,
        output=output,
        system_prompt=system_prompt,
        model_settings=_model_settings(options),
        json_output=options.json,
        show_stats=output.is_tty and not options.quiet,
    )


def _first_model(options: Options, provider: Provider[Any] | None) -> str:
    """The `provider:name` a prompt goes to first."""
    if provider is None:
        provider_name, model_name = choose_model(_choice(options))
        return f'{provider_name}:{model_name}'
    default = getattr(type(provider), 'default_model', None)
    spec = options.model or (default if isinstance(default, str) else None)
    if spec is None:
        raise CliError(f'provider {provider.name!r} has no default model: name one with --model', EXIT_USAGE)
    provider_name, model_name = split_model(spec, lambda: provider.name)
    return f'{provider_name}:{model_name}'


def _ask(options: Options, output: Output, stdin: IO[str], provider: Provider[Any] | None, report: Report) -> int:
    piped = None if options.interactive or _isatty(stdin) else stdin.read()
    prompt = '\n\n'.join(text for text in (options.prompt, piped) if text and text.strip()) or None
    interactive = options.interactive or (prompt is None and _isatty(stdin))
    if prompt is None and not interactive:
        raise CliError(
            'no prompt: give one as an argument (`pai "question"`), pipe text in, or run `pai` on a terminal to chat',
            EXIT_USAGE,
        )
    spec = _first_model(options, provider)
    http_client = _http_client(options.timeout) if provider is None else None
    source: ProviderSource
    if provider is not None:
        source = _bound_to(provider)
    else:

        def source(name: str) -> Provider[Any]:
            return build_provider(name, http_client=http_client)

    default_provider = spec.partition(':')[0]
    factory = _model_factory(lambda: default_provider, source)
    with LoopRunner() as runner:
        try:
            session = _session(options, output, factory, spec, options.system)
            status = EXIT_OK
            if prompt is not None:
                status = exit_status(runner.run(session.ask(session.user_request(prompt))))
            if interactive:
                return chat(session, runner, LineReader(stdin, output.stdout), report=report)
            return status
        finally:
            # The shared client's connections of this loop are released when the runner shuts the loop down.
            if http_client is not None:
                runner.run(http_client.aclose())


def _http_client(timeout: float | None) -> Any:
    """An HTTP client with the `--timeout` for every phase; `None` without the option (the provider's own)."""
    if timeout is None:
        return None
    import httpx

    return httpx.AsyncClient(timeout=httpx.Timeout(timeout))


def _show_turn(output: Output, turn: RecordedTurn) -> None:
    if turn.prompt is not None:
        output.line(f'you> {turn.prompt}', style='bold')
    for part in turn.tool_returns:
        output.line(f'tool> {part.tool_name} returned {part.model_response_str()}', style='bold')


def _read_recording(cassette: Path) -> list[Interaction]:
    from pydantic_ai.testing import load_cassette

    try:
        return load_cassette(cassette)
    except CassetteReadError as exc:
        raise CliError(exc.message, EXIT_USAGE) from exc
    except UserError as exc:  # the only other one: PyYAML is missing
        raise CliError(
            "--replay needs PyYAML to read cassettes: pip install 'pydantic-ai-core[cli]'", EXIT_USAGE
        ) from exc


def _replay(options: Options, cassette: Path, output: Output, stdin: IO[str], report: Report) -> int:
    import httpx

    from pydantic_ai.testing import ReplayTransport

    interactions = _read_recording(cassette)
    model_name, recorded_system, turns = recorded_turns(interactions)
    transport = ReplayTransport(interactions, frame_delay=_REPLAY_FRAME_DELAY if output.is_tty else 0.0)
    system_prompt = options.system if options.system is not None else recorded_system
    http_client = httpx.AsyncClient(transport=transport)
    with LoopRunner() as runner:
        try:
            provider_name = replay_provider_name(
                options.provider, interactions, api_key=_REPLAY_API_KEY, http_client=http_client
            )
            replay_provider = build_provider(
                provider_name, api_key=_REPLAY_API_KEY, http_client=http_client, no_retries=True
            )
            factory = _model_factory(lambda: replay_provider.name, _bound_to(replay_provider))
            session = _session(options, output, factory, model_name, system_prompt)
            if not options.json:
                output.note([f'model: {session.model_label}', 'replayed offline, no key', f'from {cassette.name}'])
            if options.interactive:

                def stream() -> bool:
                    return transport.next_is_stream

                return chat(session, runner, LineReader(stdin, output.stdout), report=report, stream=stream)
            status = EXIT_OK
            for turn in turns:
                if not options.json:
                    _show_turn(output, turn)
                request = turn.request(None if session.messages else system_prompt)
                status = exit_status(runner.run(session.ask(request, stream=turn.stream)))
            return status
        finally:
            runner.run(http_client.aclose())
