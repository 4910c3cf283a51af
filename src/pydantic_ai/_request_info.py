"""What the lifecycle hooks receive (`RequestInfo`) and how they are called (`Hooks`): request data of the kernel.

Re-exported by `pydantic_ai.lifecycle`; imports nothing of the core at run time. It sits below the hook
specifications (`pydantic_ai.hookspecs`, which name `RequestInfo`), the lifecycle plugins and the models that run
the hooks (see `pydantic_ai.models.Model`), so it names a model only by what a hook reads of it (`RequestModel`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._request_parameters import ModelRequestParameters
    from .messages import ModelMessage
    from .settings import ModelSettings

__all__ = ('RequestInfo', 'RequestModel', 'Hooks')


class RequestModel(Protocol):
    """The model of a request as a hook sees it; every `pydantic_ai.models.Model` is one."""

    @property
    def model_name(self) -> str:
        """The model's name, as the provider knows it."""
        ...

    @property
    def system(self) -> str | None:
        """The provider's registered name."""
        ...

    @property
    def base_url(self) -> str | None:
        """The base URL of the provider's API, when there is one."""
        ...


@dataclass(eq=False)
class RequestInfo:
    """One model request, as the lifecycle hooks see it; the same object is passed to every hook of the request.

    Times are `time.perf_counter()` values, in seconds.
    """

    model: RequestModel
    """The model whose `request()` or `request_stream()` was called (a `pydantic_ai.models.Model`)."""
    messages: list[ModelMessage]
    """The conversation sent. Read it, do not change it."""
    model_settings: ModelSettings | None
    """The settings of the request. Read them, do not change them."""
    model_request_parameters: ModelRequestParameters
    """Tools and output mode of the request."""
    stream: bool
    """Whether the response is streamed."""
    start_time: float = field(default_factory=time.perf_counter)
    """When the request started, before the start hooks ran."""
    annotations: dict[str, Any] = field(default_factory=dict)
    """Free space for plugins: per-request state (such as a span), under a key naming the plugin."""
    first_chunk_time: float | None = None
    """Streams: when the first event reached the consumer."""
    end_time: float | None = None
    """When the request (or the stream) ended; set before the end or error hook is called."""
    events: int = 0
    """Streams: how many events the consumer received."""
    cancelled: bool = False
    """Whether the request was abandoned: a stream the consumer left before its end, or a cancelled task."""

    @property
    def provider_name(self) -> str | None:
        """The provider's registered name (the model's `system`), such as `'acme'`."""
        return self.model.system

    @property
    def model_name(self) -> str:
        """The model name requested."""
        return self.model.model_name

    @property
    def duration(self) -> float | None:
        """Seconds from the start to the end, once ended."""
        return None if self.end_time is None else self.end_time - self.start_time

    @property
    def time_to_first_chunk(self) -> float | None:
        """Streams: seconds from the start to the first event, once one arrived."""
        return None if self.first_chunk_time is None else self.first_chunk_time - self.start_time


class Hooks:
    """Calls the three lifecycle hooks of a set of plugins; see `pydantic_ai.hookspecs`.

    Built by the plugin manager (`LifecyclePlugins.hooks()`).
    """

    __slots__ = ('start', 'end', 'error')

    def __init__(
        self,
        start: Callable[..., object],
        end: Callable[..., object],
        error: Callable[..., object],
    ) -> None:
        self.start = start
        self.end = end
        self.error = error
