"""The pages follow the conventions the example runner relies on (`docs_blocks`), and the README stays short."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from docs_blocks import LANGUAGES, SKIP_REASONS, Block, blocks, doc_pages, expected_output
from docs_scripts import EXAMPLES, PAGES
from support.constants import PROJECT_ROOT

ALL_BLOCKS = [block for page in doc_pages() for block in blocks(page)]
README = PROJECT_ROOT / 'README.md'


def _ids(block: Block) -> str:
    return block.where


def test_code_blocks_use_the_documented_languages() -> None:
    assert [b.where for b in ALL_BLOCKS if b.language not in LANGUAGES] == []


def test_examples_left_out_give_a_documented_reason() -> None:
    skipped = [block for block in ALL_BLOCKS if block.skip_reason is not None]
    assert [b.where for b in skipped if b.skip_reason not in SKIP_REASONS] == []
    assert [b.where for b in ALL_BLOCKS if 'not run by the test suite' in b.text and b.skip_reason is None] == []


def test_only_examples_that_run_show_output() -> None:
    assert [b.where for b in ALL_BLOCKS if expected_output(b) and not b.runs] == []


def test_no_print_describes_its_output_in_a_comment() -> None:
    """Output goes on `# >` lines, which are checked; a comment by a `print(...)` is not (the old `Forecast` bug)."""
    offending = [
        f'{block.where}: {line.strip()}'
        for block in ALL_BLOCKS
        if block.language == 'python'
        for line in block.text.splitlines()
        if re.match(r'\s*print\(.*\)\s+#', line)
    ]
    assert offending == []


def test_shell_examples_that_install_packages_are_left_out() -> None:
    """The runner would run them in the project's own environment."""
    installs = [
        b.where for b in ALL_BLOCKS if b.runs and re.search(r'\bpip install\b|\bmake (install|check)\b', b.text)
    ]
    assert installs == []


def test_every_scripted_example_names_one_example_of_its_page() -> None:
    for example in EXAMPLES:
        page = PROJECT_ROOT / example.page
        matches = [b for b in blocks(page) if b.runs and example.marker in b.text]
        assert len(matches) == 1, f'{example.page}: {len(matches)} examples contain {example.marker!r}'


def test_every_configured_page_exists() -> None:
    assert [name for name in PAGES if not (PROJECT_ROOT / name).is_file()] == []


def test_isolated_pages_hold_whole_programs() -> None:
    """Each Python example of an isolated page runs as a script: no top-level `await`."""
    for name, page in PAGES.items():
        if not page.isolated:
            continue
        for block in blocks(PROJECT_ROOT / name):
            if block.runs and block.language == 'python':
                compile(block.source, block.where, 'exec', dont_inherit=True)


def test_pages_that_install_entry_points_are_isolated() -> None:
    """Entry points are read once per process: a page installing some must run its examples in fresh interpreters."""
    for page in doc_pages():
        name = page.relative_to(PROJECT_ROOT).as_posix()
        installs = [b for b in blocks(page) if b.file_path == 'pyproject.toml' and 'entry-points' in b.text]
        if installs:
            assert name in PAGES and PAGES[name].isolated, f'{name} installs entry points but is not isolated'


@pytest.mark.parametrize('block', [b for b in ALL_BLOCKS if b.file_path and b.file_path.endswith('.py')], ids=_ids)
def test_every_python_file_of_an_example_is_used_later_on_its_page(block: Block) -> None:
    module = Path(block.file_path or '').with_suffix('').as_posix().removeprefix('src/').removeprefix('tests/')
    module = module.removesuffix('/__init__').replace('/', '.')
    later = [b.text for b in blocks(PROJECT_ROOT / block.page) if b.line > block.line]
    assert any(module in text or module.split('.')[0] in text for text in later), f'{block.where}: {module} unused'
    ast.parse(block.text)


def test_the_readme_is_a_front_door_of_at_most_300_lines() -> None:
    assert len(README.read_text(encoding='utf-8').splitlines()) <= 300


def test_the_readme_links_resolve() -> None:
    links = re.findall(r'\]\(([^)#]+)(?:#[^)]*)?\)', README.read_text(encoding='utf-8'))
    local = [link for link in links if not link.startswith(('http://', 'https://'))]
    assert local, 'the README links into docs/'
    assert [link for link in local if not (PROJECT_ROOT / link).exists()] == []
