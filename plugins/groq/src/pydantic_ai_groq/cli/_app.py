"""What `pai` does with its options: list, answer, chat or replay."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import httpx
from groq import AsyncGroq

import pydantic_ai
from pydantic_ai.models import Model, cached_async_http_client, infer_model
from pydantic_ai.providers import Provider
from pydantic_ai.settings import ModelSettings

from .. import __version__
from ..model import GroqModel
from ..provider import GroqProvider
from ._args import DEFAULT_PROVIDER, Options, ParserExit, model_spec, parse_args, split_model
from ._chat import LineReader, Session, chat
from ._errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, CliError, ErrorContext, describe
from ._listings import show_models, show_providers, suggest_models
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


def run(
    argv: Sequence[str],
    *,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    provider: Provider[AsyncGroq] | None = None,
) -> int:
    """Run `pai` with `argv` (without the program name) and return the exit status.

    Args:
        argv: The arguments.
        stdin: Where piped prompts and chat lines come from; `sys.stdin` by default.
        stdout: Where answers go; `sys.stdout` by default.
        stderr: Where errors go; `sys.stderr` by default.
        provider: A Groq-compatible provider to use instead of looking the provider up by name (its name must
            match the model's provider); for embedding and tests.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    try:
        options = parse_args(list(argv), out=stdout)
    except ParserExit as exc:
        return exc.status
    except CliError as exc:
        stderr.write(f'pai: {exc}\n')
        return exc.exit_code

    output = Output(stdout, stderr, plain=options.plain)
    try:
        provider_name = model_spec(options)[0]
    except CliError:  # reported when the model is built
        provider_name = DEFAULT_PROVIDER
    context = ErrorContext(
        api_key_hint='GROQ_API_KEY' if provider_name == 'groq' else f'the API key of provider {provider_name!r}',
        suggest_models=suggest_models,
    )

    def report(exc: BaseException) -> int:
        if options.debug:
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=stderr)
        line, code = describe(exc, context)
        output.error(line)
        return code

    try:
        return _dispatch(options, output, stdin, provider, report)
    except KeyboardInterrupt:
        output.error('interrupted')
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # every failure ends as one line and an exit status; --debug shows the traceback
        return report(exc)


def _dispatch(
    options: Options, output: Output, stdin: IO[str], provider: Provider[AsyncGroq] | None, report: Report
) -> int:
    if options.version:
        output.line(f'pai {__version__} (pydantic-ai-groq {__version__}, pydantic-ai-core {pydantic_ai.__version__})')
        return EXIT_OK
    if options.command == 'providers':
        return show_providers(output, as_json=options.json)
    if options.command == 'models':
        return show_models(output, as_json=options.json)
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


def _model_factory(default_provider: str, provider: Provider[AsyncGroq] | None) -> Callable[[str], Model]:
    """Builds models from `provider:name` or bare names: through the registry, or on the given provider."""

    def build(spec: str) -> Model:
        provider_name, name = split_model(spec, default_provider)
        if provider is None:
            return infer_model(f'{provider_name}:{name}')
        if provider_name != provider.name:
            raise CliError(
                f'this session uses provider {provider.name!r}; give a model name alone, such as {name!r}', EXIT_USAGE
            )
        return GroqModel(name, provider=provider)

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


def _ask(options: Options, output: Output, stdin: IO[str], provider: Provider[AsyncGroq] | None, report: Report) -> int:
    piped = None if options.interactive or _isatty(stdin) else stdin.read()
    prompt = '\n\n'.join(text for text in (options.prompt, piped) if text and text.strip()) or None
    interactive = options.interactive or (prompt is None and _isatty(stdin))
    if prompt is None and not interactive:
        raise CliError(
            'no prompt: give one as an argument (`pai "question"`), pipe text in, or run `pai` on a terminal to chat',
            EXIT_USAGE,
        )
    provider_name, model_name = model_spec(options)
    factory = _model_factory(provider_name, provider)
    session = _session(options, output, factory, f'{provider_name}:{model_name}', options.system)
    with LoopRunner() as runner:
        try:
            if prompt is not None:
                runner.run(session.ask(session.user_request(prompt)))
            if interactive:
                return chat(session, runner, LineReader(stdin, output.stdout), report=report)
            return EXIT_OK
        finally:
            if provider is None:
                runner.run(_close_shared_http_client())


async def _close_shared_http_client() -> None:
    # Its connections belong to this session's event loop, which is about to close; a closed client is replaced
    # on next use, so code running after `run()` in this process gets a fresh one.
    await cached_async_http_client().aclose()


def _show_turn(output: Output, turn: RecordedTurn) -> None:
    if turn.prompt is not None:
        output.line(f'you> {turn.prompt}', style='bold')
    for part in turn.tool_returns:
        output.line(f'tool> {part.tool_name} returned {part.model_response_str()}', style='bold')


def _replay(options: Options, cassette: Path, output: Output, stdin: IO[str], report: Report) -> int:
    interactions = load_cassette(cassette)
    model_name, recorded_system, turns = recorded_turns(interactions)
    transport = ReplayTransport(interactions, frame_delay=_REPLAY_FRAME_DELAY if output.is_tty else 0.0)
    system_prompt = options.system if options.system is not None else recorded_system
    http_client = httpx.AsyncClient(transport=transport)
    replay_provider = GroqProvider(
        api_key=_REPLAY_API_KEY, base_url=GroqProvider.default_base_url, http_client=http_client, max_retries=0
    )
    factory = _model_factory(replay_provider.name, replay_provider)
    session = _session(options, output, factory, model_name, system_prompt)
    if not options.json:
        output.line(f'model: {session.model_label}   (replayed from {cassette.name}: offline, no key)', style='dim')
    with LoopRunner() as runner:
        try:
            if options.interactive:

                def stream() -> bool:
                    return transport.next_is_stream

                return chat(session, runner, LineReader(stdin, output.stdout), report=report, stream=stream)
            for turn in turns:
                if not options.json:
                    _show_turn(output, turn)
                request = turn.request(None if session.messages else system_prompt)
                runner.run(session.ask(request, stream=turn.stream))
            return EXIT_OK
        finally:
            runner.run(http_client.aclose())
