"""Cassette regression tests for apps built on pydantic-ai: a pytest plugin on top of pytest-recording (vcrpy).

Installed with the `testing` extra (`pip install 'pydantic-ai-core[testing]'`), which brings pytest-recording and
vcrpy; pytest loads it through the `pytest11` entry point. Without pytest-recording installed it does nothing.

A test marked `@pytest.mark.vcr` that calls any provider plugin's model then:

- records its HTTP traffic with `pytest --record-mode=once` (with the real API key) into
  `<test dir>/cassettes/<test module>/<test name>.yaml`, and replays it by default (record mode `none`), with no
  key and no network;
- never writes a credential: the `authorization` header, cookies, every header a provider declared secret
  (`pydantic_ai.secrets`, e.g. a gateway's `default_headers`) are dropped before saving, and a cassette that would
  still hold a declared secret (a key in a body or a URL) is not written: the test fails instead;
- matches requests on method, URL and the JSON body compared as parsed JSON; a request with no recorded match fails
  the test at once (not retried by the SDK as a connection error) with a report naming the JSON fields that changed,
  such as `messages[0].content`;
- stores compressed response bodies decoded, so a re-recorded cassette's diff is readable;
- during replay sets a placeholder for each registered provider's API key variable that is unset
  (`api_key_env_var`, such as `ACME_API_KEY`), so providers start without the real key.

Settings in a `vcr_config` fixture still apply on top (pytest-recording's own mechanism); the credential check and
the mismatch report apply whatever it says.

This module imports nothing beyond pytest at start-up; vcrpy is imported in marked tests only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ('REPLAY_PLACEHOLDER_KEY',)

REPLAY_PLACEHOLDER_KEY = 'pydantic-ai-cassette-replay-placeholder'
"""The value given to unset API key variables while a cassette replays (it never reaches a server)."""


class _RecordingHooks:
    """Hook implementations for pytest-recording's own hook, registered only when pytest-recording is present."""

    @staticmethod
    def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
        from ._vcr import configure_vcr

        configure_vcr(vcr)


def pytest_configure(config: pytest.Config) -> None:
    """Hook into pytest-recording when it is installed (its hook spec exists only then)."""
    if config.pluginmanager.hasplugin('recording'):
        config.pluginmanager.register(_RecordingHooks(), 'pydantic_ai_recording_hooks')


@pytest.fixture(autouse=True)
def _pydantic_ai_cassette(request: pytest.FixtureRequest) -> Iterator[None]:
    """For tests marked `vcr`: placeholder keys during replay, and an immediate failure on an unmatched request."""
    if request.node.get_closest_marker('vcr') is None or not request.config.pluginmanager.hasplugin('recording'):
        yield
        return
    cassette = request.getfixturevalue('vcr')
    if cassette is None:  # `--disable-recording`
        yield
        return
    from ._vcr import guard_cassette

    with guard_cassette(cassette, placeholder=REPLAY_PLACEHOLDER_KEY):
        yield
