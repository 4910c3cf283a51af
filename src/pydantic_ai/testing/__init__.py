"""Testing apps built on pydantic-ai: cassettes read and replayed, and cassette regression tests.

- `load_cassette()`, `Interaction`, `ReplayTransport`: read a vcrpy cassette without vcrpy and replay it through an
  httpx client, offline and keyless (what `pai --replay` does). Needs httpx and PyYAML.
- `pydantic_ai.testing.pytest_plugin`: record and replay cassettes in your own tests. pytest loads it through the
  `pytest11` entry point when the `testing` extra is installed (`pip install 'pydantic-ai-core[testing]'`).

The in-process test models (`pydantic_ai.models.test.TestModel`, `pydantic_ai.models.function.FunctionModel`) need
no extra. Importing this package imports nothing: pytest imports it for the plugin in every test run, so the cassette
reader (and httpx) load on first use of its names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._cassette import Interaction, ReplayTransport, load_cassette

__all__ = ('Interaction', 'ReplayTransport', 'load_cassette')


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _cassette

        return getattr(_cassette, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
