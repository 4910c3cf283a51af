"""`docs/layout.md` names every module of both distributions once, and nothing that does not exist.

The page is written by `make layout` (`docs_layout.py`); these checks read the page as it is committed, so a module
added, moved or removed without `make layout` fails here.
"""

from __future__ import annotations

import re
from collections import Counter

from docs_layout import PACKAGES, PAGE, ROOT, TOP_LEVEL

_SECTION = re.compile(r'^## `(?P<package>[^`]+)/`$')
_ROW = re.compile(r'^\| `(?P<path>[^`]+)` \|')


def _named() -> dict[str, list[str]]:
    """The paths the page names in its tables' first column, by section (`''` for the repository's)."""
    named: dict[str, list[str]] = {'': []}
    section = ''
    for line in PAGE.read_text(encoding='utf-8').splitlines():
        heading = _SECTION.match(line)
        if heading is not None:
            section = heading['package']
            named[section] = []
        row = _ROW.match(line)
        if row is not None:
            named[section].append(row['path'])
    return named


def _expected(package: str) -> list[str]:
    """Every module file under the package (walked here, not by the generator), as the page names it."""
    root = ROOT / package
    names = []
    for path in sorted(root.rglob('*.py')):
        relative = path.relative_to(root).as_posix()
        if path.name == '__init__.py':
            relative = relative[: -len('__init__.py')] or '__init__.py'
        names.append(relative)
    return names


def test_the_layout_page_has_a_section_for_each_package_and_nothing_else() -> None:
    assert set(_named()) == {'', *(package for package, _ in PACKAGES)}


def test_every_path_the_layout_page_names_exists() -> None:
    named = _named()
    missing = [path for path in named.pop('') if not (ROOT / path).exists()]
    for package, paths in named.items():
        missing += [f'{package}/{path}' for path in paths if not (ROOT / package / path).exists()]
    assert missing == [], 'docs/layout.md names paths that do not exist: run make layout'


def test_every_module_and_package_is_named_exactly_once() -> None:
    named = _named()
    for package, _ in PACKAGES:
        counts = Counter(named[package])
        assert [path for path, count in counts.items() if count > 1] == [], f'{package}: named twice'
        left_out = [path for path in _expected(package) if path not in counts]
        assert left_out == [], f'docs/layout.md leaves out modules of {package}: run make layout'


def test_the_repository_rows_are_the_generators() -> None:
    assert _named()[''] == [path for path, _ in TOP_LEVEL]
