"""Request lifecycle hooks: plugins that see every model request (start, end, failure) with its timings.

Two sides:

- **Plugins** implement the hooks of `pydantic_ai.lifecycle.hookspecs` with `hookimpl`, and are found through the
  `pydantic_ai.plugins` entry-point group of installed distributions (read once, on the first request), or
  registered at run time with `register_plugin()`. The OpenTelemetry instrumentation
  (`pydantic_ai.models.instrumented.instrument_all`) is registered this way.
- **Model implementations** decorate their `request` with `observe_request` and their `request_stream` with
  `observe_stream`; every request of such a model is then seen by the installed plugins, whether the model came
  from `infer_model()` or was constructed directly. With no plugin installed the decorators cost one global check
  per request and nothing per streamed event.

A hook implementation that raises never breaks the request: the error is logged once per plugin and hook, at
WARNING level on the `pydantic_ai.lifecycle` logger, naming the plugin's distribution.

Importing this module is cheap: pluggy and `importlib.metadata` are imported when plugins are first looked for.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from ._info import Hooks, RequestInfo

if TYPE_CHECKING:
    from ..messages import ModelMessage, ModelResponse, ModelResponseStreamEvent
    from ..models.base import Model, ModelRequestParameters, StreamedResponse
    from ..settings import ModelSettings
    from ..usage import Usage
    from ._manager import LifecyclePlugins
    from .hookspecs import hookimpl

__all__ = (
    'ENTRY_POINT_GROUP',
    'RequestInfo',
    'hookimpl',
    'observe_request',
    'observe_stream',
    'register_plugin',
    'unregister_plugin',
    'refresh_plugins',
)

ENTRY_POINT_GROUP = 'pydantic_ai.plugins'
"""The entry-point group where distributions offer lifecycle plugins (apart from `pydantic_ai.providers`)."""


# None: no plugin at all (the fast path). False: entry points not read yet. Set only through `_set_hooks`.
_hooks: Hooks | None | Literal[False] = False
_plugins: LifecyclePlugins | None = None


def _plugin_manager() -> LifecyclePlugins:
    global _plugins
    if _plugins is None:
        from ._manager import LifecyclePlugins

        _plugins = LifecyclePlugins(group=ENTRY_POINT_GROUP)
    return _plugins


def _set_hooks(hooks: Hooks | None | Literal[False]) -> None:
    global _hooks
    _hooks = hooks


def _current_hooks() -> Hooks | None:
    """The hooks of the process-wide plugins, reading entry points on the first call."""
    hooks = _hooks
    if hooks is False:
        manager = _plugin_manager()
        manager.load_entry_points()
        hooks = manager.hooks()
        _set_hooks(hooks)
    return hooks


def register_plugin(plugin: object, *, name: str | None = None) -> None:
    """Register a lifecycle plugin for every request of this process (in addition to installed ones).

    Args:
        plugin: An object (or module) with `hookimpl`-decorated lifecycle hook implementations.
        name: A name for log messages; by default derived from the object.

    Raises:
        UserError: the object implements no lifecycle hook, an implementation's arguments do not match its hook,
            or the object is already registered.
    """
    manager = _plugin_manager()
    _current_hooks()
    manager.register(plugin, name=name)
    _set_hooks(manager.hooks())


def unregister_plugin(plugin: object) -> None:
    """Remove a plugin registered with `register_plugin()`; unknown objects are ignored."""
    manager = _plugin_manager()
    manager.unregister(plugin)
    if _hooks is not False:
        _set_hooks(manager.hooks())


def refresh_plugins() -> None:
    """Read the installed distributions' entry points again on the next request (plugins installed since are seen).

    Plugins registered with `register_plugin()` stay registered.
    """
    if _plugins is not None:
        _plugins.forget_entry_points()
    _set_hooks(False)


_Method = TypeVar('_Method', bound=Callable[..., Any])


def observe_request(method: _Method) -> _Method:
    """Decorate a model's `request` method so the lifecycle plugins see each request.

    With no plugin installed the decorated method costs one check more than the bare one.
    """

    @functools.wraps(method)
    async def request(
        self: Model,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        hooks = _hooks
        if hooks is False:
            hooks = _current_hooks()
        if hooks is None:
            result: tuple[ModelResponse, Usage] = await method(self, messages, model_settings, model_request_parameters)
            return result
        bound = functools.partial(method, self)
        return await _run_request(hooks, bound, self, messages, model_settings, model_request_parameters)

    return cast(_Method, request)


def observe_stream(method: _Method) -> _Method:
    """Decorate a model's `request_stream` method (above its `@asynccontextmanager`) so lifecycle plugins see it.

    With no plugin installed the decorated method costs one check more than the bare one, and nothing per event.
    """

    @functools.wraps(method)
    def request_stream(
        self: Model,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AbstractAsyncContextManager[StreamedResponse]:
        hooks = _hooks
        if hooks is False:
            hooks = _current_hooks()
        opened = cast(
            'AbstractAsyncContextManager[StreamedResponse]',
            method(self, messages, model_settings, model_request_parameters),
        )
        if hooks is None:
            return opened
        info = RequestInfo(self, messages, model_settings, model_request_parameters, stream=True)
        return _observed_stream(hooks, opened, info)

    return cast(_Method, request_stream)


async def _run_request(
    hooks: Hooks,
    send: Callable[..., Any],
    model: Model,
    messages: list[ModelMessage],
    model_settings: ModelSettings | None,
    model_request_parameters: ModelRequestParameters,
) -> tuple[ModelResponse, Usage]:
    """Make a request with `send(messages, model_settings, model_request_parameters)`, calling `hooks` around it.

    For wrappers holding their own plugins (`InstrumentedModel`); models use `observe_request`.
    """
    info = RequestInfo(model, messages, model_settings, model_request_parameters, stream=False)
    hooks.start(request=info)
    try:
        result: tuple[ModelResponse, Usage] = await send(messages, model_settings, model_request_parameters)
    except BaseException as exc:
        info.end_time = time.perf_counter()
        info.cancelled = not isinstance(exc, Exception)
        hooks.error(request=info, error=exc)
        raise
    info.end_time = time.perf_counter()
    hooks.end(request=info, response=result[0])
    return result


def _run_stream(
    hooks: Hooks,
    opened: AbstractAsyncContextManager[StreamedResponse],
    model: Model,
    messages: list[ModelMessage],
    model_settings: ModelSettings | None,
    model_request_parameters: ModelRequestParameters,
) -> AbstractAsyncContextManager[StreamedResponse]:
    """The stream `opened` (a model's `request_stream(...)` not yet entered), with `hooks` called around it.

    For wrappers holding their own plugins (`InstrumentedModel`); models use `observe_stream`.
    """
    info = RequestInfo(model, messages, model_settings, model_request_parameters, stream=True)
    return _observed_stream(hooks, opened, info)


@asynccontextmanager
async def _observed_stream(
    hooks: Hooks, opened: AbstractAsyncContextManager[StreamedResponse], info: RequestInfo
) -> AsyncIterator[StreamedResponse]:
    hooks.start(request=info)
    stream: StreamedResponse | None = None
    try:
        async with opened as stream:
            # The core's own attribute: the consumer's iteration goes through the counting generator.
            stream._event_iterator = _counted(stream.__aiter__(), info)
            yield stream
    except BaseException as exc:
        info.end_time = time.perf_counter()
        if stream is None or info._failure is exc:
            # Failed before the stream opened, or the stream itself raised it.
            info.cancelled = not isinstance(exc, Exception)
            hooks.error(request=info, error=exc)
        elif info._failure is not None:
            hooks.error(request=info, error=info._failure)
        else:
            # The consumer's own code raised, or its task was cancelled: the request did not fail, it was abandoned.
            info.cancelled = not info._completed
            hooks.end(request=info, response=stream.get())
        raise
    info.end_time = time.perf_counter()
    if info._failure is not None:
        # The stream failed and the consumer swallowed the error.
        hooks.error(request=info, error=info._failure)
    else:
        info.cancelled = not info._completed
        hooks.end(request=info, response=stream.get())


async def _counted(
    events: AsyncIterator[ModelResponseStreamEvent], info: RequestInfo
) -> AsyncIterator[ModelResponseStreamEvent]:
    count = 0
    try:
        async for event in events:
            if not count:
                info.first_chunk_time = time.perf_counter()
            count += 1
            yield event
        info._completed = True
    except GeneratorExit:
        raise
    except BaseException as exc:
        info._failure = exc
        raise
    finally:
        info.events = count
        aclose = getattr(events, 'aclose', None)
        if aclose is not None:
            await aclose()


def __getattr__(name: str) -> Any:
    if name == 'hookimpl':
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
