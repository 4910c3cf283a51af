"""Request lifecycle hooks: plugins that see every model request (start, end, failure) with its timings.

Two sides:

- **Plugins** implement the lifecycle hooks of `pydantic_ai.hookspecs` with `hookimpl`, and are found through the
  `pydantic_ai.lifecycle` entry-point group of installed distributions (`LIFECYCLE_GROUP`; its first name,
  `pydantic_ai.plugins`, is read too), read once, on the first request; or they are registered at run time with
  `register_plugin()`. The OpenTelemetry instrumentation (`pydantic_ai.otel.instrument_all`) is registered this way.
- **Model implementations** decorate their `request` with `observe_request` and their `request_stream` with
  `observe_stream`; every request of such a model is then seen by the plugins in force, whether the model came
  from `infer_model()` or was constructed directly. With no plugin the decorators cost one cheap check per request
  (`current_hooks()`) and nothing per streamed event.

Which plugins are in force, as for the provider registry: the set made current for the block by `with
use_plugins(plugins):` (a context variable, so it follows tasks and threads started in the block the way contextvars
do); else the process-wide `default_plugins()`, which reads the entry points. `register_plugin()`,
`unregister_plugin()` and `refresh_plugins()` act on the set in force unless given `plugins=`.

A hook implementation that raises never breaks the request: the error is logged once per plugin and hook, at
WARNING level on the `pydantic_ai.lifecycle` logger, naming the plugin's distribution.

Importing this module is cheap: pluggy and `importlib.metadata` are imported when plugins are first looked for.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._info import Hooks, RequestInfo

if TYPE_CHECKING:
    from ..hookspecs import LIFECYCLE_GROUP, hookimpl
    from ..messages import ModelMessage, ModelResponse, ModelResponseStreamEvent
    from ..models.base import Model, ModelRequestParameters, StreamedResponse
    from ..settings import ModelSettings
    from ..usage import Usage
    from ._manager import LifecyclePlugins

__all__ = (
    'LIFECYCLE_GROUP',
    'LifecyclePlugins',
    'RequestInfo',
    'current_plugins',
    'default_plugins',
    'hookimpl',
    'observe_request',
    'observe_stream',
    'register_plugin',
    'unregister_plugin',
    'refresh_plugins',
    'use_plugins',
)

_default: LifecyclePlugins | None = None
_current: contextvars.ContextVar[LifecyclePlugins | None] = contextvars.ContextVar(
    'pydantic_ai_lifecycle_plugins', default=None
)


def default_plugins() -> LifecyclePlugins:
    """The process-wide lifecycle plugins: the installed distributions' (read on first use) and those registered."""
    global _default
    if _default is None:
        from .._entry_points import process_scan
        from ..hookspecs import LEGACY_LIFECYCLE_GROUP, LIFECYCLE_GROUP
        from ._manager import LifecyclePlugins

        _default = LifecyclePlugins(groups=(LIFECYCLE_GROUP, LEGACY_LIFECYCLE_GROUP), entry_points=process_scan())
    return _default


def current_plugins() -> LifecyclePlugins:
    """The plugins in force: the set made current by `use_plugins()` in this context, else `default_plugins()`."""
    plugins = _current.get()
    return plugins if plugins is not None else default_plugins()


@contextmanager
def use_plugins(plugins: LifecyclePlugins) -> Iterator[LifecyclePlugins]:
    """Make `plugins` the set in force within the block, instead of the process-wide one.

    ```python
    from pydantic_ai.lifecycle import LifecyclePlugins, register_plugin, use_plugins

    with use_plugins(LifecyclePlugins()):
        register_plugin(RequestLog())  # sees the requests made in this block only
        ...
    ```

    The set is held in a context variable: concurrent tasks and threads outside the block are not affected.

    Raises:
        UserError: `plugins` is not a `LifecyclePlugins`.
    """
    from ._manager import LifecyclePlugins

    if not isinstance(plugins, LifecyclePlugins):
        from ..exceptions import UserError  # type: ignore[unreachable]  # a run-time check for untyped callers

        raise UserError(f'use_plugins() takes a `LifecyclePlugins`, got {type(plugins).__name__}.')
    token = _current.set(plugins)
    try:
        yield plugins
    finally:
        _current.reset(token)


def current_hooks() -> Hooks | None:
    """The callers of the lifecycle plugins in force, or `None` when there is none: what the request path asks.

    One context-variable read and one attribute check per request once the entry points were read (on the first
    call), so a request pays next to nothing when no plugin is installed.
    """
    plugins = _current.get()
    if plugins is None:
        plugins = _default if _default is not None else default_plugins()
    return plugins.hooks()


def _target(plugins: LifecyclePlugins | None) -> LifecyclePlugins:
    if plugins is None:
        return current_plugins()
    from ._manager import LifecyclePlugins

    if not isinstance(plugins, LifecyclePlugins):
        from ..exceptions import UserError  # type: ignore[unreachable]  # a run-time check for untyped callers

        raise UserError(f'`plugins` must be a `LifecyclePlugins`, got {type(plugins).__name__}.')
    return plugins


def register_plugin(plugin: object, *, name: str | None = None, plugins: LifecyclePlugins | None = None) -> None:
    """Register a lifecycle plugin for every request made with the plugins in force (by default process-wide).

    Installed plugins are read first, so a plugin registered at run time is called before them (pluggy calls the
    latest first).

    Args:
        plugin: An object (or module) with `hookimpl`-decorated lifecycle hook implementations.
        name: A name for log messages and `LifecyclePlugins.get_plugin()`; by default derived from the object.
        plugins: The set to register in; by default `current_plugins()`.

    Raises:
        UserError: the object implements no lifecycle hook, names a hook that does not exist (a misspelling), an
            implementation's arguments do not match its hook, or the object is already registered.
    """
    target = _target(plugins)
    target.load_entry_points()
    target.register(plugin, name=name)


def unregister_plugin(plugin: object, *, plugins: LifecyclePlugins | None = None) -> None:
    """Remove a plugin registered with `register_plugin()`; unknown objects are ignored.

    Args:
        plugin: The plugin object registered.
        plugins: The set to remove it from; by default `current_plugins()`.
    """
    _target(plugins).unregister(plugin)


def refresh_plugins(*, plugins: LifecyclePlugins | None = None) -> None:
    """Read the installed distributions' entry points again on the next request (plugins installed since are seen).

    Plugins registered with `register_plugin()` stay registered.

    Args:
        plugins: The set to refresh; by default `current_plugins()`.
    """
    _target(plugins).refresh()


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
        hooks = current_hooks()
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
        hooks = current_hooks()
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
    # These need pluggy, which this module does not import until plugins are first looked for.
    if name in ('hookimpl', 'LIFECYCLE_GROUP'):
        from .. import hookspecs

        return getattr(hookspecs, name)
    if name == 'LifecyclePlugins':
        from ._manager import LifecyclePlugins

        return LifecyclePlugins
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
