"""The lifecycle plugin manager: entry points read once, each hook implementation guarded, calls through pluggy.

Every plugin is registered with pluggy through a proxy whose hook implementations are the plugin's own, each
wrapped so that an exception is logged (once per plugin and hook, naming the distribution) and swallowed. pluggy
validates the implementations against `hookspecs` when the proxy registers, and calls them as usual.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from importlib import metadata
from typing import Any

import pluggy

from ..exceptions import UserError
from . import hookspecs
from ._info import Hooks

__all__ = ('LifecyclePlugins', 'HOOK_NAMES', 'logger')

HOOK_NAMES = ('pydantic_ai_request_start', 'pydantic_ai_request_end', 'pydantic_ai_request_error')
"""The lifecycle hooks, in the order they are called."""

logger = logging.getLogger('pydantic_ai.lifecycle')
"""Where broken plugins are reported."""

_IMPL_MARK = f'{hookspecs.PROJECT_NAME}_impl'


class _Proxy:
    """Stands for one plugin in pluggy: holds the plugin's guarded hook implementations as attributes."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f'<lifecycle plugin {self.label}>'


class LifecyclePlugins:
    """A set of lifecycle plugins behind one pluggy plugin manager.

    Args:
        group: The entry-point group to read plugins from; `None` for a set of run-time plugins only (as
            `InstrumentedModel` holds).
        entry_points: Where entry points come from; by default the installed distributions' metadata.
    """

    def __init__(
        self,
        *,
        group: str | None = None,
        entry_points: Callable[[], Iterable[metadata.EntryPoint]] | None = None,
    ) -> None:
        self._group = group
        self._entry_points_source = entry_points
        self._manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._manager.add_hookspecs(hookspecs)
        self._proxies: dict[int, tuple[object, _Proxy]] = {}
        self._from_entry_points: set[int] = set()
        self._entry_points_read = False
        self._reported: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f'LifecyclePlugins(group={self._group!r}, plugins={len(self._proxies)})'

    # --- registration ----------------------------------------------------------------------------------------

    def register(self, plugin: object, *, name: str | None = None, distribution: str | None = None) -> None:
        """Register `plugin` (see `pydantic_ai.lifecycle.register_plugin`).

        Raises:
            UserError: the plugin implements no lifecycle hook, does not match the hook specifications, or is
                already registered.
        """
        if id(plugin) in self._proxies:
            raise UserError(f'Lifecycle plugin {plugin!r} is already registered.')
        label = name or getattr(plugin, '__name__', None) or type(plugin).__qualname__
        if distribution is not None:
            label = f'{label} (distribution {distribution!r})'
        proxy = _Proxy(label)
        for hook_name in HOOK_NAMES:
            function = getattr(plugin, hook_name, None)
            if function is not None and callable(function) and hasattr(function, _IMPL_MARK):
                setattr(proxy, hook_name, self._guard(function, label, hook_name))
        if not vars(proxy).keys() - {'label'}:
            raise UserError(
                f'{label} implements no lifecycle hook: define one of {", ".join(HOOK_NAMES)} and decorate it '
                'with `pydantic_ai.lifecycle.hookimpl`.'
            )
        try:
            self._manager.register(proxy, name=f'{label}#{id(plugin)}')
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise UserError(f'{label} is not a valid lifecycle plugin: {exc}') from exc
        self._proxies[id(plugin)] = (plugin, proxy)

    def unregister(self, plugin: object) -> None:
        """Remove `plugin`; unknown objects are ignored."""
        entry = self._proxies.pop(id(plugin), None)
        if entry is not None:
            self._manager.unregister(entry[1])
            self._from_entry_points.discard(id(plugin))

    def load_entry_points(self) -> None:
        """Load and register the plugins of the entry-point group, once; a broken one is logged and skipped."""
        if self._entry_points_read or self._group is None:
            return
        self._entry_points_read = True
        if self._entry_points_source is not None:
            found: Iterable[metadata.EntryPoint] = self._entry_points_source()
        else:
            found = metadata.entry_points(group=self._group)
        for ep in found:
            if ep.group != self._group:
                continue
            dist = ep.dist
            dist_name = dist.metadata['Name'] if dist is not None else '<unknown distribution>'
            where = f'entry point {ep.name!r} = {ep.value!r} of distribution {dist_name!r}'
            try:
                plugin = ep.load()
            except (Exception, SystemExit) as exc:  # a plugin calling sys.exit() on import must not end the program
                logger.warning(
                    'Lifecycle plugin %s is broken and was skipped: importing it raised %s: %s',
                    where,
                    type(exc).__name__,
                    exc,
                )
                continue
            if id(plugin) in self._proxies:
                continue
            try:
                self.register(plugin, name=ep.name, distribution=dist_name)
            except UserError as exc:
                logger.warning('Lifecycle plugin %s is broken and was skipped: %s', where, exc)
                continue
            self._from_entry_points.add(id(plugin))

    def forget_entry_points(self) -> None:
        """Unregister the plugins loaded from entry points, so the next `load_entry_points()` reads them again."""
        for key in list(self._from_entry_points):
            self.unregister(self._proxies[key][0])
        self._entry_points_read = False

    # --- calling ---------------------------------------------------------------------------------------------

    def hooks(self) -> Hooks | None:
        """The hook callers, or `None` when no plugin is registered (so callers skip all the work)."""
        if not self._proxies:
            return None
        relay = self._manager.hook
        return Hooks(relay.pydantic_ai_request_start, relay.pydantic_ai_request_end, relay.pydantic_ai_request_error)

    def _guard(self, function: Callable[..., Any], label: str, hook_name: str) -> Callable[..., Any]:
        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except Exception as exc:
                self._report(label, hook_name, exc)
                return None

        return guarded

    def _report(self, label: str, hook_name: str, exc: Exception) -> None:
        key = (label, hook_name)
        if key in self._reported:
            return
        self._reported.add(key)
        logger.warning(
            'Lifecycle plugin %s raised %s in %s: %s. The request went on; this plugin hook error is reported once '
            '(later ones are not logged). Fix or uninstall the plugin.',
            label,
            type(exc).__name__,
            hook_name,
            exc,
        )
