"""Paths and values the whole suite shares."""

from __future__ import annotations

from pathlib import Path

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
