"""What `pai` does with its options: list, answer, chat or replay."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import pydantic_ai
from pydantic_ai.models import Model
from pydantic_ai.providers import Provider
from pydantic_ai.settings import ModelSettings

from ._args import Options, ParserExit, parse_args
from ._chat import LineReader, Session, chat, exit_status
from ._errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError, ErrorContext, describe
from ._listings import model_suggester, show_models, show_providers
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
from ._replay import RecordedTurn, ReplayTransport, load_cassette, recorded_turns
from ._runner import LoopRunner

__all__ = ('run', 'EXIT_BROKEN_PIPE')

EXIT_BROKEN_PIPE = 141
"""stdout was closed early (`pai ... | head -1`): 128 + SIGPIPE, as shells report a process killed by it."""

_REPLAY_FRAME_DELAY = 0.03
"""Seconds between the events of a replayed stream on a terminal, so that the demo streams visibly."""

_REPLAY_API_KEY = 'offline-replay'
"""A placeholder: the recording answers, so no key is needed and none is sent anywhere."""

Report = Callable[[BaseException], int]
ProviderSource = Callable[[str], Provider[Any]]
"""Gives the provider for a provider name: created through the registry, or the one a session is bound to."""


def run(
    argv: Sequence[str],
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    provider: Provider[Any] | None = None,
) -> int:
    """Run `pai` with `argv` (without the program name) and return the exit status.

    Args:
        argv: The arguments.
        stdin: Where piped prompts and chat lines come from; `sys.stdin` by default.
        stdout: Where answers go; `sys.stdout` by default.
        stderr: Where errors go; `sys.stderr` by default.
        provider: A provider to use instead of creating one by name (model names must be of its provider); for
            embedding and tests.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    if list(argv[:1]) == ['batch']:
        from ._batch import run_batch  # its own options and formats; see `pai batch --help`

        return run_batch(argv[1:], stdin=stdin, stdout=stdout, stderr=stderr)
    try:
        options = parse_args(list(argv), out=stdout)
    except ParserExit as exc:
        return exc.status
    except CliError as exc:
        stderr.write(f'pai: {exc}\n')
        return exc.exit_code

    output = Output(stdout, stderr, plain=options.plain)
    contexts: list[ErrorContext] = []

    def report(exc: BaseException) -> int:
        if options.debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=stderr)
        if not contexts:  # worked out on the first error only: it may load the provider's plugin
            contexts.append(_error_context(options, provider))
        line, code = describe(exc, contexts[0])
        output.error(line)
        return code

    stop_tracing = None
    try:
        if options.trace is not None:
            stop_tracing = _start_tracing(options.trace, stderr)
        return _dispatch(options, output, stdin, provider, report)
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


def _start_tracing(target: str, stderr: IO[str]) -> Callable[[], None]:
    """Start exporting a span per model request (`--trace`); returns the function that flushes and stops it."""
    from ..exceptions import UserError

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


def _dispatch(options: Options, output: Output, stdin: IO[str], provider: Provider[Any] | None, report: Report) -> int:
    if options.version:
        output.line(_version_line())
        return EXIT_OK
    if options.command == 'providers':
        return show_providers(output, as_json=options.json)
    if options.command == 'models':
        name = provider.name if provider is not None else choose_provider(_choice(options))
        return show_models(output, name, as_json=options.json, timeout=options.timeout)
    if options.replay is not None:
        return _replay(options, options.replay, output, stdin, report)
    return _ask(options, output, stdin, provider, report)


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


def _replay(options: Options, cassette: Path, output: Output, stdin: IO[str], report: Report) -> int:
    import httpx

    interactions = load_cassette(cassette)
    model_name, recorded_system, turns = recorded_turns(interactions)
    provider_name = choose_provider(ModelChoice(model=None, provider=options.provider))
    transport = ReplayTransport(interactions, frame_delay=_REPLAY_FRAME_DELAY if output.is_tty else 0.0)
    system_prompt = options.system if options.system is not None else recorded_system
    http_client = httpx.AsyncClient(transport=transport)
    with LoopRunner() as runner:
        try:
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
