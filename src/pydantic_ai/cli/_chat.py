"""A conversation with a model: one turn at a time, and the interactive chat with its slash commands."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from pydantic_ai.direct import model_request, model_request_stream
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ToolCallPart
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from ._errors import EXIT_FAILURE, EXIT_INCOMPLETE, EXIT_OK
from ._render import AnswerPrinter, Output, response_json, stats_phrases
from ._runner import LoopRunner

__all__ = ('Session', 'LineReader', 'chat', 'ending_problem', 'exit_status', 'HELP')

HELP = 'Commands: /exit (or Ctrl-D) leaves, /clear starts over, /model <name> switches models, /help shows this.'
"""The interactive chat's commands."""

_HISTORY_LENGTH = 1000


def ending_problem(response: ModelResponse, settings: ModelSettings | None) -> str | None:
    """What was wrong with how the answer ended, as one line for stderr; `None` when it ended normally.

    `finish_reason='length'`: the answer was cut off at the token limit. `finish_reason='error'`: the provider
    rejected what the model generated (a failed tool call, say: the model tried to call a tool, and `pai`
    offers none); what it generated was printed, and is not an answer.
    """
    if response.finish_reason == 'length':
        limit = (settings or {}).get('max_tokens')
        if limit is not None:
            return f'the answer was cut off at --max-tokens {limit}: raise it for a longer answer'
        return "the answer was cut off at the model's token limit: ask for a shorter answer, or continue in a chat"
    if response.finish_reason == 'error':
        error = (response.provider_details or {}).get('error')
        code = error.get('code') if isinstance(error, dict) else None
        message = error.get('message') if isinstance(error, dict) else None
        said = ': '.join(str(x).rstrip('.') for x in (code, message) if x)
        line = 'the model failed to produce an answer' + (f' ({said})' if said else '')
        if any(isinstance(part, ToolCallPart) for part in response.parts) or (code and 'tool' in str(code)):
            line += '; it tried to call a tool, and pai offers none'
        if response.parts:
            line += '; what it generated, shown above, is not an answer'
        return line + '. Ask again, or rephrase'
    return None


def exit_status(response: ModelResponse) -> int:
    """The exit status for a one-shot answer: 3 cut off at the token limit, 1 failed, else 0."""
    if response.finish_reason == 'length':
        return EXIT_INCOMPLETE
    if response.finish_reason == 'error':
        return EXIT_FAILURE
    return EXIT_OK


class Session:
    """A conversation: the model, the settings, and the messages so far.

    Args:
        model: The model to ask.
        model_factory: Builds the model for `/model <name>`.
        output: Where answers go.
        system_prompt: Sent at the start of the conversation (again after `/clear`).
        model_settings: Settings for every request.
        json_output: Print each response as JSON instead of its text.
        show_stats: Print token usage and timing after each answer.
    """

    def __init__(
        self,
        *,
        model: Model,
        model_factory: Callable[[str], Model],
        output: Output,
        system_prompt: str | None = None,
        model_settings: ModelSettings | None = None,
        json_output: bool = False,
        show_stats: bool = False,
    ) -> None:
        self.model = model
        self.messages: list[ModelMessage] = []
        self._model_factory = model_factory
        self.output = output
        """Where answers go."""
        self._system_prompt = system_prompt
        self._model_settings = model_settings
        self._json_output = json_output
        self._show_stats = show_stats

    @property
    def model_label(self) -> str:
        """The model as `provider:name`."""
        return f'{self.model.system}:{self.model.model_name}'

    def user_request(self, prompt: str) -> ModelRequest:
        """The request for a user prompt; the first of a conversation carries the system prompt."""
        return ModelRequest.user_text_prompt(prompt, system_prompt=None if self.messages else self._system_prompt)

    def clear(self) -> None:
        """Forget the conversation (the system prompt is kept)."""
        self.messages = []

    def switch_model(self, spec: str) -> None:
        """Ask `spec` from now on; the conversation so far is kept."""
        self.model = self._model_factory(spec)

    async def ask(self, request: ModelRequest, *, stream: bool = True) -> ModelResponse:
        """Send the conversation plus `request`, show the answer, and add both to the conversation.

        If the request fails or is interrupted, the conversation is left as it was.
        """
        conversation = [*self.messages, request]
        started = time.perf_counter()
        if self._json_output:
            response, first_token = await self._send(conversation, stream, None)
            self.output.json(response_json(response, self.model_label))
        else:
            with self.output.answer_printer() as printer:
                response, first_token = await self._send(conversation, stream, printer)
                printer.finish(response)
        elapsed = time.perf_counter() - started
        self.messages = [*conversation, response]
        if self._show_stats and not self._json_output:
            latency = None if first_token is None else first_token - started
            self.output.note(stats_phrases(self.model.model_name, response.usage, elapsed, latency))
        problem = ending_problem(response, self._model_settings)
        if problem is not None:
            self.output.error(problem)
        return response

    async def _send(
        self, conversation: list[ModelMessage], stream: bool, printer: AnswerPrinter | None
    ) -> tuple[ModelResponse, float | None]:
        """The response, and when its first event arrived (`None` when not streamed).

        A model that does not stream (`Model.supports_streaming`) gets a request that is not streamed.
        """
        if not stream or not self.model.supports_streaming:
            response = await model_request(self.model, conversation, model_settings=self._model_settings)
            return response, None
        first_token: float | None = None
        async with model_request_stream(self.model, conversation, model_settings=self._model_settings) as streamed:
            async for event in streamed:
                if first_token is None:
                    first_token = time.perf_counter()
                if printer is not None:
                    printer.event(event)
            return streamed.get(), first_token


class LineReader:
    """Reads the chat's lines: with readline (arrow keys, history kept in a file) on a terminal, else plain reads.

    The history file is `~/.pai_history`, or `$PAI_HISTORY_FILE`.
    """

    def __init__(self, stdin: IO[str], stdout: IO[str]) -> None:
        self._stdin = stdin
        self._stdout = stdout
        self._history: Path | None = None
        if stdin is sys.stdin and stdout is sys.stdout and stdin.isatty():
            self._history = self._start_readline()

    @staticmethod
    def _start_readline() -> Path | None:
        try:
            import readline
        except ImportError:  # not on every platform; `input()` still works, without editing
            return None
        path = Path(os.environ.get('PAI_HISTORY_FILE') or Path.home() / '.pai_history')
        try:
            readline.read_history_file(path)
        except OSError:  # no history yet
            pass
        readline.set_history_length(_HISTORY_LENGTH)
        return path

    def read(self, prompt: str) -> str:
        """The next line, without its newline.

        Raises:
            EOFError: the input ended (Ctrl-D).
            KeyboardInterrupt: Ctrl-C.
        """
        if self._history is not None:
            return input(prompt)
        self._stdout.write(prompt)
        self._stdout.flush()
        line = self._stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip('\n')

    def close(self) -> None:
        """Save the history."""
        if self._history is None:
            return
        import readline

        try:
            readline.write_history_file(self._history)
        except OSError:  # an unwritable home directory must not turn a finished chat into an error
            pass


def chat(
    session: Session,
    runner: LoopRunner,
    reader: LineReader,
    *,
    report: Callable[[BaseException], object],
    stream: Callable[[], bool] = lambda: True,
) -> int:
    """The interactive chat: read a line, answer it, repeat, until `/exit` or the end of the input.

    Args:
        session: The conversation.
        runner: Runs each turn.
        reader: Reads the lines.
        report: Shows an error; the chat goes on after it.
        stream: Whether the next turn is streamed.
    """
    output = session.output
    output.line(f'Chatting with {session.model_label}. {HELP}', style='dim')
    try:
        while True:
            try:
                text = reader.read('you> ').strip()
            except EOFError:
                output.line()
                return EXIT_OK
            except KeyboardInterrupt:
                output.line()
                output.line('(Ctrl-D or /exit to leave)', style='dim')
                continue
            if not text:
                continue
            if text.startswith('/'):
                if _command(session, text, output, report):
                    return EXIT_OK
                continue
            try:
                runner.run(session.ask(session.user_request(text), stream=stream()))
            except KeyboardInterrupt:
                output.line('(interrupted)', style='dim')
            except Exception as exc:  # reported, and the chat goes on
                report(exc)
    finally:
        reader.close()


def _command(session: Session, text: str, output: Output, report: Callable[[BaseException], object]) -> bool:
    """Run a slash command; `True` to leave the chat."""
    name, _, argument = text.partition(' ')
    argument = argument.strip()
    if name in ('/exit', '/quit'):
        return True
    if name == '/clear':
        session.clear()
        output.line('Conversation cleared.', style='dim')
    elif name == '/model':
        if argument:
            try:
                session.switch_model(argument)
            except Exception as exc:  # reported; the current model stays
                report(exc)
                return False
        output.line(f'Model: {session.model_label}', style='dim')
    elif name == '/help':
        output.line(HELP, style='dim')
    else:
        output.line(f'Unknown command {name}. {HELP}', style='dim')
    return False
