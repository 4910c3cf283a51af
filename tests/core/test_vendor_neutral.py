"""The core names no vendor: no file under `src/pydantic_ai` mentions Groq, in code, prose or file names.

Vendor examples, vendor error wording and vendor documentation belong in the vendor's plugin (`plugins/groq`); the
core's docstrings use a made-up provider (`'acme:large-1'`) or the pattern `'provider:model-name'`. The allow-list
is empty on purpose: a mention that seems needed is a sign the text belongs in the plugin.
"""

from __future__ import annotations

import re
from pathlib import Path

import pydantic_ai

CORE = Path(pydantic_ai.__file__).parent
VENDOR = re.compile('groq', re.IGNORECASE)
ALLOWED: frozenset[str] = frozenset()
"""Paths relative to `src/pydantic_ai` allowed to mention the vendor; none."""


def _core_files() -> list[Path]:
    return sorted(
        path for path in CORE.rglob('*') if path.is_file() and '__pycache__' not in path.parts and path.suffix != '.pyc'
    )


def test_the_core_is_the_source_tree_and_is_read():
    assert CORE.parts[-2:] == ('src', 'pydantic_ai')
    files = _core_files()
    assert len(files) > 50
    assert CORE / 'messages.py' in files


def test_no_core_file_mentions_the_vendor():
    mentions = [
        f'{path.relative_to(CORE)}:{number}: {line.strip()}'
        for path in _core_files()
        if str(path.relative_to(CORE)) not in ALLOWED
        for number, line in enumerate(path.read_text(encoding='utf-8').splitlines(), start=1)
        if VENDOR.search(line)
    ]
    assert mentions == []


def test_no_core_file_or_folder_is_named_after_the_vendor():
    named = [str(path.relative_to(CORE)) for path in CORE.rglob('*') if VENDOR.search(path.name)]
    assert named == []


def test_the_check_finds_a_mention_in_any_case():
    assert all(VENDOR.search(text) for text in ('groq', 'Groq', 'GROQ_API_KEY', 'pydantic-ai-groq'))
    assert not VENDOR.search('a provider')
