"""Paths and values the whole suite shares."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic_ai.messages import ModelMessage

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout's root (holding `pyproject.toml`)."""
CASSETTES_DIR = PROJECT_ROOT / 'cassettes'
"""The project's own cassettes."""
SHARED_DIR = PROJECT_ROOT.parent / 'shared'
"""`../shared`, read in place and never copied."""
SHARED_RECORDINGS_DIR = SHARED_DIR / 'cassettes' / 'groq-recorded'
"""Real Groq traffic recorded elsewhere."""
TESTS_DIR = PROJECT_ROOT / 'tests'
"""The test suite's root."""

FAKE_GROQ_API_KEY = 'gsk-test-fake-key-0123456789'
"""A key-shaped value for tests; never valid, and tests assert it never leaks into reprs, errors or cassettes."""

BASE_URL = 'https://api.groq.com'
"""The base URL of in-process fakes (nothing is sent there)."""
MODEL_NAME = 'llama-3.3-70b-versatile'
"""The model most tests ask for."""
CREATED = 1_700_000_000
"""A `created` value: 2023-11-14 22:13:20 UTC (the default `created` of `wire.chat_completion_chunk`)."""


def user_prompt(text: str = 'Hello') -> list[ModelMessage]:
    """A conversation of one user prompt."""
    from pydantic_ai.messages import ModelRequest

    return [ModelRequest.user_text_prompt(text)]
