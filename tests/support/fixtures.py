"""The suite's shared fixtures, loaded as a pytest plugin by `tests/conftest.py`.

Model requests are disabled process-wide (`ALLOW_MODEL_REQUESTS = False`), as we recommend to users, and an autouse
fixture allows them inside each test (they still only reach mocks, local servers or cassettes). A test about the
switch itself marks itself `@pytest.mark.forbid_model_requests`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
import pytest_asyncio

import pydantic_ai.models
from pydantic_ai.models import override_allow_model_requests

from .constants import FAKE_GROQ_API_KEY

if TYPE_CHECKING:
    import httpx

    from pydantic_ai_groq.testing import GroqTestServer

pydantic_ai.models.ALLOW_MODEL_REQUESTS = False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        'markers', 'forbid_model_requests: run the test with model requests disabled (the process-wide default)'
    )


@pytest.fixture(autouse=True)
def _model_requests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Allow model requests within each test, unless it is marked `forbid_model_requests`."""
    allowed = request.node.get_closest_marker('forbid_model_requests') is None
    with override_allow_model_requests(allowed):
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
    from .reliability import loopback_http_client

    async with loopback_http_client() as client:
        yield client
