"""Shared fixtures.

Model requests are disabled for the whole suite (`ALLOW_MODEL_REQUESTS = False`), as we recommend to users: a
test that really sends a request must ask for the `allow_model_requests` fixture. Nothing reaches the internet:
cassette tests replay with record mode `none`, and the rest use `httpx.MockTransport` or fake clients.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

import pydantic_ai.models
from pydantic_ai.models import override_allow_model_requests

if TYPE_CHECKING:
    import httpx

    from pydantic_ai_groq.testing import GroqTestServer

pydantic_ai.models.ALLOW_MODEL_REQUESTS = False

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CASSETTES_DIR = PROJECT_ROOT / 'cassettes'
SHARED_RECORDINGS_DIR = PROJECT_ROOT.parent / 'shared' / 'cassettes' / 'groq-recorded'

FAKE_GROQ_API_KEY = 'gsk-test-fake-key-0123456789'
"""A key-shaped value for tests; never valid, and tests assert it never leaks into reprs, errors or cassettes."""


@pytest.fixture
def allow_model_requests() -> Iterator[None]:
    """Allow model requests within the test (they still only reach mocks, local servers or cassettes)."""
    with override_allow_model_requests(True):
        yield


@pytest.fixture
def groq_api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """Set `GROQ_API_KEY` to the fake key (or the real one when re-recording cassettes) and return it."""
    key = os.environ.get('GROQ_API_KEY') if os.environ.get('PYDANTIC_AI_RECORDING') else None
    key = key or FAKE_GROQ_API_KEY
    monkeypatch.setenv('GROQ_API_KEY', key)
    monkeypatch.delenv('GROQ_BASE_URL', raising=False)
    return key


@pytest.fixture
def no_groq_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove Groq's environment variables."""
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    monkeypatch.delenv('GROQ_BASE_URL', raising=False)


@pytest.fixture
def server() -> Iterator[GroqTestServer]:
    """A local Groq-compatible server on 127.0.0.1 for real-socket tests, stopped after the test."""
    from pydantic_ai_groq.testing import GroqTestServer

    with GroqTestServer() as test_server:
        yield test_server


@pytest_asyncio.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """A loopback HTTP client (no certificate loading), closed after the test."""
    from _reliability import loopback_http_client

    async with loopback_http_client() as client:
        yield client
