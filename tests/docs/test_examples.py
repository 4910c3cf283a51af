"""Every example of README.md and docs/ runs, offline, and prints what its page shows (see `docs_runner`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docs_blocks import blocks, doc_pages
from docs_runner import Page, run_page
from docs_scripts import EXAMPLES, PAGES
from support.constants import PROJECT_ROOT

RUN_PAGES = [page for page in doc_pages() if any(block.runs or block.file_path for block in blocks(page))]


def _name(page: Path) -> str:
    return page.relative_to(PROJECT_ROOT).as_posix()


@pytest.mark.parametrize('page', RUN_PAGES, ids=_name)
def test_the_page_examples_run_and_print_what_the_page_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = _name(page)
    run_page(PAGES.get(name, Page(name)), [e for e in EXAMPLES if e.page == name], tmp_path, monkeypatch)
