"""Everything the command line prints: streamed answers, JSON, tables, usage lines and errors.

Answers are rendered as Markdown on a terminal, and written as plain text otherwise.

rich is optional (the `cli` extra): without it, or when stdout is not a terminal, or with `--plain`, output is plain
text, written as it arrives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, Protocol

from pydantic_ai.messages import (
    ModelResponse,
    ModelResponseStreamEvent,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
)
from pydantic_ai.usage import Usage

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live

__all__ = ('AnswerPrinter', 'Output', 'response_json', 'stats_phrases', 'wrap_phrases')


class AnswerPrinter(Protocol):
    """Shows one answer: its stream events as they arrive, then the complete response."""

    def __enter__(self) -> AnswerPrinter: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def event(self, event: ModelResponseStreamEvent) -> None:
        """Show a stream event."""
        ...

    def finish(self, response: ModelResponse) -> None:
        """Show what is left of the complete response (all of it, for a response that was not streamed)."""
        ...


def _tool_calls(response: ModelResponse) -> list[str]:
    return [
        f'[tool call] {part.tool_name}({part.args_as_json_str()})'
        for part in response.parts
        if isinstance(part, ToolCallPart)
    ]


def _texts(response: ModelResponse) -> list[str]:
    return [part.content for part in response.parts if isinstance(part, TextPart) and part.content]


class _PlainPrinter:
    """Writes text as it arrives; parts are separated by a blank line, and the answer ends with a newline."""

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self._index: int | None = None
        self._last = '\n'

    def __enter__(self) -> _PlainPrinter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._last != '\n':
            self._write('\n')

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()
        self._last = text[-1]

    def _text(self, index: int, text: str) -> None:
        if not text:
            return
        if self._index is not None and index != self._index:
            self._write('\n\n')
        self._index = index
        self._write(text)

    def event(self, event: ModelResponseStreamEvent) -> None:
        """Write the text an event adds."""
        if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
            self._text(event.index, event.part.content)
        elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
            self._text(event.index, event.delta.content_delta)

    def finish(self, response: ModelResponse) -> None:
        """Write the text of a response that was not streamed, and any tool calls."""
        if self._index is None:
            for index, text in enumerate(_texts(response)):
                self._text(index, text)
        for line in _tool_calls(response):
            self._write(('\n' if self._last != '\n' else '') + line + '\n')


class _MarkdownPrinter:
    """Renders the answer as Markdown, re-rendered live as text arrives."""

    def __init__(self, console: Console) -> None:
        from rich.live import Live

        self._console = console
        self._texts: dict[int, str] = {}
        self._live: Live = Live(console=console, refresh_per_second=12, vertical_overflow='visible')

    def __enter__(self) -> _MarkdownPrinter:
        self._live.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._live.stop()

    def _render(self, texts: Sequence[str], *, refresh: bool = False) -> None:
        from rich.markdown import Markdown

        self._live.update(Markdown('\n\n'.join(t for t in texts if t)), refresh=refresh)

    def event(self, event: ModelResponseStreamEvent) -> None:
        """Re-render with the text an event adds."""
        if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
            self._texts[event.index] = event.part.content
        elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
            self._texts[event.index] = self._texts.get(event.index, '') + event.delta.content_delta
        else:
            return
        self._render([self._texts[i] for i in sorted(self._texts)])

    def finish(self, response: ModelResponse) -> None:
        """Render the complete response, then any tool calls."""
        self._render(_texts(response), refresh=True)
        self._live.stop()
        for line in _tool_calls(response):
            self._console.print(line, style='dim', markup=False, highlight=False)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # detached or closed streams
        return False


class Output:
    """Where the command line writes, and how: plain text, or rich on a terminal.

    Args:
        stdout: Answers, listings and JSON.
        stderr: Errors.
        plain: Plain text even when `stdout` is a terminal.
    """

    def __init__(self, stdout: IO[str], stderr: IO[str], *, plain: bool = False) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.is_tty = _isatty(stdout)
        """Whether `stdout` is a terminal: then usage lines are shown, and Markdown rendered if rich is installed."""
        self.console: Console | None = None
        if self.is_tty and not plain:
            try:
                from rich.console import Console
            except ImportError:  # rich is optional (the `cli` extra): plain text then
                pass
            else:
                self.console = Console(file=stdout, highlight=False)

    def answer_printer(self) -> AnswerPrinter:
        """A printer for the next answer."""
        if self.console is not None:
            return _MarkdownPrinter(self.console)
        return _PlainPrinter(self.stdout)

    def line(self, text: str = '', *, style: str | None = None) -> None:
        """Write a line to stdout (styled on a rich terminal)."""
        if self.console is not None:
            self.console.print(text, style=style, markup=False, highlight=False)
        else:
            self.stdout.write(text + '\n')
            self.stdout.flush()

    @property
    def width(self) -> int | None:
        """The terminal's width in columns; `None` when stdout is not a terminal (lines are not broken then)."""
        if self.console is not None:
            return self.console.width
        if not self.is_tty:
            return None
        import shutil

        return shutil.get_terminal_size((_DEFAULT_WIDTH, 24)).columns

    def note(self, phrases: Sequence[str], *, style: str | None = 'dim') -> None:
        """Write phrases joined by ` · `; on a terminal, lines break between phrases (never inside one) to fit."""
        width = self.width
        lines = wrap_phrases(phrases, width) if width is not None else [_SEPARATOR.join(p for p in phrases if p)]
        for line in lines:
            self.line(line, style=style)

    def error(self, text: str) -> None:
        """Write `pai: <text>` to stderr."""
        self.stderr.write(f'pai: {text}\n')
        self.stderr.flush()

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        """Write rows under headers: a rich table on a terminal, aligned columns otherwise.

        The first column (a name to copy) is never wrapped or cut short; the last one wraps when the terminal is
        too narrow.
        """
        if self.console is not None:
            from rich.table import Table

            table = Table(box=None, header_style='bold', pad_edge=False)
            first = max((len(str(row[0])) for row in rows), default=0)
            for index, header in enumerate(headers):
                if index == 0:
                    table.add_column(header, no_wrap=True, min_width=max(first, len(header)))
                else:
                    table.add_column(header)
            for row in rows:
                table.add_row(*row)
            self.console.print(table)
            return
        widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
        for row in (headers, *rows):
            self.stdout.write('  '.join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + '\n')
        self.stdout.flush()

    def json(self, data: Any) -> None:
        """Write `data` as one line of JSON."""
        self.stdout.write(json.dumps(data, ensure_ascii=False) + '\n')
        self.stdout.flush()


_DEFAULT_WIDTH = 80
_SEPARATOR = ' · '


def wrap_phrases(phrases: Sequence[str], width: int) -> list[str]:
    """Lines of `phrases` joined by ` · `, each at most `width` columns, broken only between phrases.

    A phrase longer than `width` gets a line of its own (the terminal wraps it; nothing shorter does).
    """
    lines: list[str] = []
    current = ''
    for phrase in (p for p in phrases if p):
        candidate = f'{current}{_SEPARATOR}{phrase}' if current else phrase
        if current and len(candidate) > width:
            lines.append(current)
            current = phrase
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def stats_phrases(model_name: str, usage: Usage, elapsed: float, first_token: float | None) -> list[str]:
    """The usage line shown after an answer, as phrases: the model, tokens in and out, and how long it took."""
    tokens_in = '?' if usage.request_tokens is None else f'{usage.request_tokens:,}'
    tokens_out = '?' if usage.response_tokens is None else f'{usage.response_tokens:,}'
    timing = f'{elapsed:.2f} s' + (f' (first token after {first_token:.2f} s)' if first_token is not None else '')
    return [model_name, f'{tokens_in} tokens in, {tokens_out} out', timing]


def response_json(response: ModelResponse, model: str) -> dict[str, Any]:
    """The response, its usage and the model asked, as JSON-compatible data."""
    from pydantic_core import to_jsonable_python

    from pydantic_ai.messages import ModelMessagesTypeAdapter

    return {
        'model': model,
        'response': ModelMessagesTypeAdapter.dump_python([response], mode='json')[0],
        'usage': to_jsonable_python(response.usage),
    }
