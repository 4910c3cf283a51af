"""Request lifecycle hooks: plugins that see every model request (start, end, failure) with its timings.

Two sides:

- **Plugins** implement the hooks of `pydantic_ai.lifecycle.hookspecs` with `hookimpl`, and are found through the
  `pydantic_ai.plugins` entry-point group of installed distributions (read once, on the first request), or
  registered at run time with `register_plugin()`. The OpenTelemetry instrumentation
  (`pydantic_ai.otel.instrument_all`) is registered this way.
- **Models** report to them without doing anything: `pydantic_ai.models.Model.request()` and `request_stream()`
  run the hooks around the model's own `_request()`/`_request_stream()` (see `Model`), whether the model came
  from `infer_model()` or was constructed directly. They ask `current_hooks()` for the hooks of the plugins in
  force; with no plugin installed that costs one check per request and nothing per streamed event.

A hook implementation that raises never breaks the request: the error is logged once per plugin and hook, at
WARNING level on the `pydantic_ai.lifecycle` logger, naming the plugin's distribution.

Importing this module is cheap: pluggy and `importlib.metadata` are imported when plugins are first looked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ._info import Hooks as Hooks  # package-internal: the models run the hooks
from ._info import RequestInfo

if TYPE_CHECKING:
    from ._manager import LifecyclePlugins
    from .hookspecs import hookimpl

__all__ = (
    'ENTRY_POINT_GROUP',
    'RequestInfo',
    'hookimpl',
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


def current_hooks() -> Hooks | None:
    """The hooks of the plugins in force, or `None` when there is none (the fast path).

    Entry points are read on the first call. Package-internal (not in `__all__`): `pydantic_ai.models.Model` calls
    it before each request.
    """
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
    current_hooks()
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


def __getattr__(name: str) -> Any:
    if name == 'hookimpl':
        from .hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
