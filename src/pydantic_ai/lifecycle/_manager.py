"""`LifecyclePlugins`: a set of lifecycle plugins, entry points read once, each hook implementation guarded.

Every plugin is registered with pluggy through a proxy whose hook implementations are the plugin's own, each
wrapped so that an exception is logged (once per plugin and hook, naming the distribution) and swallowed. The
plugin's implementations are found with pluggy's `parse_hookimpl_opts` (options such as `tryfirst` kept), and pluggy
validates them against `pydantic_ai.hookspecs` when the proxy registers. A hook name that is no hook at all (a
misspelling beside valid ones) is refused at registration, as the provider registry refuses it.
"""

from __future__ import annotations

import difflib
import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any

import pluggy

from .._entry_points import EntryPointScan, EntryPointSource
from .._request_info import Hooks
from ..exceptions import UserError
from ..hookspecs import LIFECYCLE_HOOKS, hookimpl, plugin_manager

__all__ = ('LifecyclePlugins', 'HOOK_NAMES', 'logger')

HOOK_NAMES = LIFECYCLE_HOOKS
"""The lifecycle hooks, in the order they are called."""

logger = logging.getLogger('pydantic_ai.lifecycle')
"""Where broken plugins are reported."""


class _Proxy:
    """Stands for one plugin in pluggy: holds the plugin's guarded hook implementations as attributes."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f'<lifecycle plugin {self.label}>'


class LifecyclePlugins:
    """A set of lifecycle plugins behind one plugin manager: an ordinary object, as `ProviderRegistry` is.

    The process-wide set is `pydantic_ai.lifecycle.default_plugins()`; `use_plugins()` makes another one current for a
    block (tests, or an application tracing one part of its work).

    Args:
        groups: The entry-point groups to read plugins from, on first use; none (the default) for a set of
            run-time plugins only.
        entry_points: Where entry points come from; by default the installed distributions' metadata. Tests pass a
            callable returning their own `importlib.metadata.EntryPoint`s.
    """

    def __init__(self, *, groups: Sequence[str] = (), entry_points: EntryPointSource | None = None) -> None:
        self._groups = tuple(groups)
        self._scan = entry_points if isinstance(entry_points, EntryPointScan) else EntryPointScan(entry_points)
        self._manager = plugin_manager()
        self._proxies: dict[int, tuple[object, _Proxy, str]] = {}
        self._from_entry_points: set[int] = set()
        self._entry_points_read = not self._groups
        self._hooks: Hooks | None = None
        self._reported: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f'LifecyclePlugins(groups={self._groups!r}, plugins={len(self._proxies)})'

    # --- registration ----------------------------------------------------------------------------------------

    def register(self, plugin: object, *, name: str | None = None, distribution: str | None = None) -> None:
        """Register `plugin` (see `pydantic_ai.lifecycle.register_plugin`).

        Args:
            plugin: An object (or module) with `hookimpl`-decorated lifecycle hook implementations.
            name: A name for log messages and `get_plugin()`; by default derived from the object.
            distribution: The distribution that offers it, for log messages.

        Raises:
            UserError: the plugin implements no lifecycle hook, names a hook that does not exist, does not match the
                hook specifications, or is already registered.
        """
        if id(plugin) in self._proxies:
            raise UserError(f'Lifecycle plugin {plugin!r} is already registered.')
        name = name or getattr(plugin, '__name__', None) or type(plugin).__qualname__
        label = name if distribution is None else f'{name} (distribution {distribution!r})'
        proxy = _Proxy(label)
        for attribute, function, opts in self._implementations(plugin, label):
            guarded = self._guard(function, label, opts['specname'] or attribute)
            setattr(proxy, attribute, hookimpl(guarded, **opts))
        try:
            self._manager.register(proxy, name=f'{label}#{id(plugin)}')
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise UserError(f'{label} is not a valid lifecycle plugin: {exc}') from exc
        self._proxies[id(plugin)] = (plugin, proxy, name)
        self._hooks = self._callers()

    def _implementations(self, plugin: object, label: str) -> list[tuple[str, Callable[..., Any], pluggy.HookimplOpts]]:
        found: list[tuple[str, Callable[..., Any], pluggy.HookimplOpts]] = []
        unknown: list[str] = []
        for attribute in dir(plugin):
            opts = self._manager.parse_hookimpl_opts(plugin, attribute)
            if opts is None:
                continue
            hook = opts['specname'] or attribute
            if hook in HOOK_NAMES:
                found.append((attribute, getattr(plugin, attribute), opts))
            elif not self._is_hook(hook):  # another role's hook is valid: the object may be a provider plugin too
                unknown.append(hook)
        if unknown:
            guesses = [g for hook in unknown for g in difflib.get_close_matches(hook, HOOK_NAMES, n=1)]
            hint = f' (did you mean {" or ".join(guesses)}?)' if guesses else ''
            raise UserError(
                f'{label} is not a valid lifecycle plugin: no hook is named {", ".join(unknown)}{hint}. The lifecycle '
                f'hooks are {", ".join(HOOK_NAMES)}.'
            )
        if not found:
            raise UserError(
                f'{label} implements no lifecycle hook: define one of {", ".join(HOOK_NAMES)} and decorate it '
                'with `pydantic_ai.lifecycle.hookimpl`.'
            )
        return found

    def _is_hook(self, name: str) -> bool:
        caller = getattr(self._manager.hook, name, None)
        return caller is not None and caller.has_spec()

    def unregister(self, plugin: object) -> None:
        """Remove `plugin`; unknown objects are ignored."""
        entry = self._proxies.pop(id(plugin), None)
        if entry is not None:
            self._manager.unregister(entry[1])
            self._from_entry_points.discard(id(plugin))
            self._hooks = self._callers()

    def get_plugin(self, name: str) -> object | None:
        """The plugin registered under `name` (the first, if several were), or `None`."""
        return next((plugin for plugin, _, given in self._proxies.values() if given == name), None)

    def plugins(self) -> list[object]:
        """The registered plugins, in registration order (entry points' included once read)."""
        return [plugin for plugin, _, _ in self._proxies.values()]

    def load_entry_points(self) -> None:
        """Load and register the plugins of the entry-point groups, once; a broken one is logged and skipped."""
        if self._entry_points_read:
            return
        self._entry_points_read = True
        for ep in self._scan():
            if ep.group not in self._groups:
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
            if id(plugin) in self._proxies:  # listed in both the group and its earlier name
                continue
            try:
                self.register(plugin, name=ep.name, distribution=dist_name)
            except UserError as exc:
                logger.warning('Lifecycle plugin %s is broken and was skipped: %s', where, exc)
                continue
            self._from_entry_points.add(id(plugin))

    def refresh(self) -> None:
        """Unregister the plugins loaded from entry points, and read the entry points again on the next use.

        Plugins registered at run time stay registered.
        """
        for key in list(self._from_entry_points):
            self.unregister(self._proxies[key][0])
        self._scan.refresh()
        self._entry_points_read = not self._groups

    # --- calling ---------------------------------------------------------------------------------------------

    def hooks(self) -> Hooks | None:
        """The hook callers, or `None` when no plugin is registered (so callers skip all the work).

        Reads the entry points on the first call.
        """
        if not self._entry_points_read:
            self.load_entry_points()
        return self._hooks

    def _callers(self) -> Hooks | None:
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
