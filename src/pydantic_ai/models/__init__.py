"""Models: the `Model` base class, the parameters of a request, a streamed response, and the request switch.

A `Model` turns a conversation (`list[ModelMessage]`) into the provider's wire format, sends it, and turns the
answer back into a `ModelResponse`. Models for a provider come from that provider's plugin (a
`Model` subclass in its distribution); `infer_model('provider:model-name')` builds one through the provider registry.

`Model`, `ModelRequestParameters` and `StreamedResponse` are defined in `pydantic_ai.models.base` and re-exported
here, their public home. `infer_model` is the original API's path to `pydantic_ai.registry.infer_model`: the registry
builds models, so it sits above this package, and the name is looked up lazily (`__getattr__`) so that this package
never imports the registry (see `tests/core/test_import_graph.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._switch import check_allow_model_requests, override_allow_model_requests
from .base import Model, ModelRequestParameters, StreamedResponse

if TYPE_CHECKING:
    import httpx

    from ..registry import infer_model

__all__ = (
    'Model',
    'ModelRequestParameters',
    'StreamedResponse',
    'ALLOW_MODEL_REQUESTS',
    'check_allow_model_requests',
    'override_allow_model_requests',
    'cached_async_http_client',
    'infer_model',
)

ALLOW_MODEL_REQUESTS = True
"""The global switch: set to `False` (for example in a test suite's `conftest.py`) to make every real model request
raise. Local models (`Model.is_local`: `TestModel`, `FunctionModel`) still answer, as in the original API.

`override_allow_model_requests()` overrides it within a block: for the current task (which wins over overrides in
other tasks) and, as in the original API, process-wide until the block ends (see `pydantic_ai.models._switch`).
"""


def cached_async_http_client(*, timeout: float = 60, connect: float = 5) -> httpx.AsyncClient:
    """A shared `httpx.AsyncClient`, one per `(timeout, connect)` pair, re-created if it was closed.

    Models and providers use it when the caller passes no HTTP client, so that they share connections. It is safe
    across event loops: connections are pooled per event loop, so a request never travels on a connection opened
    by another (possibly closed) loop, and a loop's connections are closed when `asyncio.run()` finishes it (see
    `pydantic_ai._http`). The defaults (`pydantic_ai._http.DEFAULT_TIMEOUT`): 60 s to read a response, 5 s to connect.
    """
    from .._http import shared_async_http_client

    return shared_async_http_client(timeout=timeout, connect=connect)


def __getattr__(name: str) -> Any:
    # The original API's `pydantic_ai.models.infer_model`: the registry's function, imported on first use.
    if name == 'infer_model':
        from ..registry import infer_model

        return infer_model
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
