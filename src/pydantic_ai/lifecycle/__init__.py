"""Request lifecycle hooks: plugins that see every model request (start, end, failure) with its timings.

Two sides:

- **Plugins** implement the lifecycle hooks of `pydantic_ai.hookspecs` with `hookimpl`, and are found through the
  `pydantic_ai.lifecycle` entry-point group of installed distributions (`LIFECYCLE_GROUP`; its first name,
  `pydantic_ai.plugins`, is read too), read once, on the first request; or they are registered at run time with
  `register_plugin()`. The OpenTelemetry instrumentation (`pydantic_ai.otel.instrument_all`) is registered this way.
- **Models** report to them without doing anything: `pydantic_ai.models.Model.request()` and `request_stream()`
  run the hooks around the model's own `_request()`/`_request_stream()` (see `Model`), whether the model came from
  `infer_model()` or was constructed directly. They ask `current_hooks()` for the hooks of the plugins in force;
  with no plugin that costs one cheap check per request and nothing per streamed event.

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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .._request_info import Hooks as Hooks  # package-internal: the models run the hooks
from .._request_info import RequestInfo

if TYPE_CHECKING:
    from ..hookspecs import LIFECYCLE_GROUP, hookimpl
    from ._manager import LifecyclePlugins

__all__ = (
    'LIFECYCLE_GROUP',
    'LifecyclePlugins',
    'RequestInfo',
    'current_plugins',
    'default_plugins',
    'hookimpl',
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


def __getattr__(name: str) -> Any:
    # These need pluggy, which this module does not import until plugins are first looked for.
    if name in ('hookimpl', 'LIFECYCLE_GROUP'):
        from .. import hookspecs

        return getattr(hookspecs, name)
    if name == 'LifecyclePlugins':
        from ._manager import LifecyclePlugins

        return LifecyclePlugins
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
