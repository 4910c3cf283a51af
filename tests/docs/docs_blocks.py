"""The code blocks of README.md and docs/**/*.md, and what the documented conventions say about each.

The conventions (written for authors in `docs/contributing.md`):

- A fenced ```` ```python ```` or ```` ```bash ```` block is an example, and the test suite runs it
  (`tests/docs/test_examples.py`). Other languages (`text`, `toml`, `yaml`, `json`) are shown, not run.
- What an example prints is shown in the block itself, on lines starting with `# >` (a comment in both languages, so
  the block still copies and runs as written; pytest-examples' `#>`, as ruff's formatter, which formats the pages'
  Python too, writes it). The lines are compared with what the example printed on stdout, in order; `...` inside a
  line matches any text, and a line that is only `# > ...` matches any number of lines.
- An example whose first line is `# <path>` (such as `# app.py` or `# pyproject.toml`) is a file of the example's
  project: it is written to that path in the page's scratch directory, and later examples import or use it.
- An example that cannot run offline says so on its first line, visibly:
  `# (not run by the test suite: <reason>)`, with one of the reasons of `SKIP_REASONS`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from support.constants import PROJECT_ROOT

__all__ = (
    'Block',
    'LANGUAGES',
    'RUN_LANGUAGES',
    'SKIP_REASONS',
    'blocks',
    'doc_pages',
    'expected_output',
    'output_matches',
)

RUN_LANGUAGES = frozenset({'python', 'bash'})
"""The languages whose blocks run."""
LANGUAGES = RUN_LANGUAGES | {'text', 'toml', 'yaml', 'json', ''}
"""Every fence language the pages may use; another (`sh`, `console`, `pycon`, ...) fails the tests."""
SKIP_REASONS = frozenset(
    {
        'installs packages',
        "the project's own set-up: `make check` runs this test suite",
        'needs a real Groq API key',
    }
)
"""Why a block may be left out of the test run. Keep them few: each one is an example nobody checks."""

_FENCE = re.compile(r'^(?P<indent> *)(?P<fence>`{3,})(?P<info>[^`]*)$')
_SKIP = re.compile(r'^# \(not run by the test suite: (?P<reason>.+)\)$')
_FILE = re.compile(r'^# (?P<path>[\w./-]+\.(?:py|toml))$')
_OUTPUT = re.compile(r'^ *# >(?: (?P<text>.*))?$')


def doc_pages() -> list[Path]:
    """README.md and every Markdown page of docs/, in a stable order."""
    return [PROJECT_ROOT / 'README.md', *sorted((PROJECT_ROOT / 'docs').rglob('*.md'))]


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    page: str
    """The page, relative to the checkout (`README.md`, `docs/agents.md`)."""
    line: int
    """The line of the opening fence (1-based)."""
    language: str
    """The first word of the fence's info string (`python`, `bash`, `text`, ...)."""
    text: str
    """The block's content, dedented as far as the fence was indented."""

    @property
    def where(self) -> str:
        """`page:line`, for messages."""
        return f'{self.page}:{self.line}'

    @cached_property
    def skip_reason(self) -> str | None:
        """The reason given on the block's first line for not running it, if any."""
        match = _SKIP.match(self.first_line)
        return match['reason'] if match else None

    @cached_property
    def file_path(self) -> str | None:
        """The path of the file the block is, when its first line is `# <path>`."""
        match = _FILE.match(self.first_line)
        return match['path'] if match else None

    @property
    def first_line(self) -> str:
        """The block's first line."""
        return self.text.split('\n', 1)[0]

    @property
    def runs(self) -> bool:
        """Whether the block is an example that runs: Python or Bash, neither a file nor skipped."""
        return self.language in RUN_LANGUAGES and self.file_path is None and self.skip_reason is None

    @property
    def source(self) -> str:
        """The text to run: blank lines in front, so that tracebacks give the page's own line numbers."""
        return '\n' * self.line + self.text


def blocks(page: Path) -> list[Block]:
    """Every fenced code block of `page`, in order."""
    relative = page.relative_to(PROJECT_ROOT).as_posix() if page.is_relative_to(PROJECT_ROOT) else page.as_posix()
    found: list[Block] = []
    lines = page.read_text(encoding='utf-8').split('\n')
    opening: tuple[int, str, str, str] | None = None
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        fence = _FENCE.match(line)
        if opening is None:
            if fence is not None:
                opening = (number, fence['indent'], fence['fence'], fence['info'].strip())
                body = []
            continue
        start, indent, ticks, info = opening
        if fence is not None and fence['fence'] == ticks and fence['info'].strip() == '':
            language = info.split(' ', 1)[0].split('{', 1)[0] if info else ''
            found.append(Block(relative, start, language, '\n'.join(body) + '\n'))
            opening = None
            continue
        body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip(' '))
    if opening is not None:
        raise AssertionError(f'{relative}:{opening[0]}: a code block is never closed')
    return found


def expected_output(block: Block) -> list[str]:
    """The `# >` lines of a block, without their prefix."""
    return [m['text'] or '' for m in map(_OUTPUT.match, block.text.splitlines()) if m is not None]


def output_matches(expected: list[str], printed: str) -> bool:
    """Whether `printed` is what the `# >` lines say (`...` matches any text; a lone `...` any lines)."""
    pattern = ''.join(
        r'(?:[^\n]*\n)*?' if line == '...' else '.*?'.join(map(re.escape, line.split('...'))) + r'\n'
        for line in expected
    )
    actual = '\n'.join(line.rstrip() for line in printed.rstrip('\n').split('\n')) + '\n' if printed.strip() else ''
    return re.fullmatch(pattern, actual) is not None
