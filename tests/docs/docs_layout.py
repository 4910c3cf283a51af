"""Write `docs/layout.md` from the source tree: every module of both distributions, with its docstring's summary.

Run `make layout` (or `python tests/docs/docs_layout.py --write`) after adding, moving or removing a module:
`tests/docs/test_layout.py` fails while the page names a path that does not exist, names one twice, or leaves a
module out (as the README's hand-kept layout did). A changed docstring only makes the page's description stale until
the next `make layout`; decided so that editing a module's docstring never fails the suite.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / 'docs' / 'layout.md'

PACKAGES: tuple[tuple[str, str], ...] = (
    ('src/pydantic_ai', 'the core, distribution `pydantic-ai-core` (import `pydantic_ai`)'),
    (
        'plugins/groq/src/pydantic_ai_groq',
        'the Groq plugin, distribution `pydantic-ai-groq` (import `pydantic_ai_groq`)',
    ),
)
"""The import packages of the two distributions, and what each is."""

TOP_LEVEL: tuple[tuple[str, str], ...] = (
    ('pyproject.toml', 'the core distribution, its extras, and the settings of ruff, mypy and pytest'),
    ('plugins/groq/pyproject.toml', "the Groq plugin's distribution and its `pydantic_ai.providers` entry point"),
    ('Makefile', '`make install`, `check`, `test`, `docs`, `layout`, `record`, `bench`: `make help` lists them'),
    ('.ci/run', 'the CI entry point: `make check`'),
    ('mkdocs.yml', 'the documentation site: pages, theme, API reference'),
    ('docs/', 'the documentation (this site); `docs/api/` the API reference pages'),
    ('tests/', 'the test suite, one folder per subject; `tests/support/` the shared fixtures and helpers'),
    ('tests/docs/', "the documentation's tests: every example runs, and this page is current"),
    ('cassettes/', 'the recordings the cassette tests replay, one folder per test module'),
    ('bench/', 'the benchmarks and their reports (`bench/README.md`)'),
    ('CHANGELOG.md', 'what changed, in Keep a Changelog form, each entry tagged core, groq or repo'),
)
"""Paths outside the packages, described by hand (a test checks each exists)."""


def summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line (a missing docstring is an error)."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding='utf-8')))
    if not docstring:
        raise SystemExit(f'{path.relative_to(ROOT)} has no module docstring: write one, then run make layout')
    paragraph = docstring.split('\n\n', 1)[0]
    return ' '.join(line.strip() for line in paragraph.splitlines()).replace('|', '\\|')


def modules(package: Path) -> list[Path]:
    """The package's modules in tree order: a package's `__init__.py` first, then its modules, then subpackages."""
    found: list[Path] = []
    init = package / '__init__.py'
    if init.exists():
        found.append(init)
    found.extend(sorted(p for p in package.glob('*.py') if p.name != '__init__.py'))
    for child in sorted(p for p in package.iterdir() if p.is_dir() and (p / '__init__.py').exists()):
        found.extend(modules(child))
    return found


def _row(path: Path, package: Path) -> str:
    relative = path.relative_to(package).as_posix()
    name = relative
    if path.name == '__init__.py':
        name = relative[: -len('__init__.py')] or '__init__.py'
    return f'| `{name}` | {summary(path)} |'


def render() -> str:
    """The page's text."""
    lines = [
        '# Layout',
        '',
        'Generated from the source tree by `make layout`: do not edit by hand (`tests/docs/test_layout.py` fails',
        'while this page leaves a module out or names a path that is gone). A package is listed by its folder',
        '(`agent/`) with its `__init__.py` docstring, every module with the first paragraph of its docstring. Modules',
        'whose name starts with `_` are private: their names may change without notice.',
        '',
        '## The repository',
        '',
        '| path | what it is |',
        '|---|---|',
        *(f'| `{path}` | {what} |' for path, what in TOP_LEVEL),
    ]
    for relative, what in PACKAGES:
        package = ROOT / relative
        lines += [
            '',
            f'## `{relative}/`',
            '',
            f'{what[0].upper()}{what[1:]}.',
            '',
            '| module | what it is |',
            '|---|---|',
        ]
        lines += [_row(path, package) for path in modules(package)]
    return '\n'.join(lines) + '\n'


def main(argv: list[str]) -> int:
    """`--write` rewrites the page; without it, print the page."""
    text = render()
    if '--write' in argv:
        PAGE.write_text(text, encoding='utf-8')
    else:
        print(text, end='')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
