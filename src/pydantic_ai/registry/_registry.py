"""`ProviderRegistry`: discovery through entry points, loading and hook calls through pluggy.

Rules, in the order a lookup applies them:

1. A provider registered at run time (`register()`) under the name wins.
2. Otherwise the entry points named `name` in the `pydantic_ai.providers` group (`PROVIDERS_GROUP`) are read from
   installed distributions' metadata. None: `UnknownProviderError`, listing the names there are. Entry points from more
   than one distribution: `DuplicateProviderError`, naming them all; nothing is picked silently.
3. The one entry point is loaded (only it: looking up `acme` imports the plugin providing it and nothing else) and
   registered with pluggy, which validates its hook implementations then (a provider class or factory named by the
   entry point is first wrapped in an adapter plugin, see `pydantic_ai.registry._adapter`), and the provider's
   `ProviderProfile` is read and checked. Any failure becomes a `ProviderPluginError` naming the distribution and
   entry point; it is remembered, so the broken import is not retried, and lookups of other names are unaffected.

Hooks are called through the plugin manager (`pm.subset_hook_caller`, restricted to the plugin registered for the
name, with `provider_name=` the name), so pluggy's validation, `firstresult` and argument matching apply.

A registry is an ordinary object: tests and applications can build their own (with their own entry points) and pass
it as `registry=` or make it current with `pydantic_ai.registry.use_registry()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

import pluggy

from .._entry_points import EntryPointScan, EntryPointSource
from ..exceptions import DuplicateProviderError, ProviderPluginError, PydanticAIError, UnknownProviderError, UserError
from ..hookspecs import PROVIDERS_GROUP, plugin_manager
from ..models.base import Model
from ..providers.base import Provider, ProviderFactory, ProviderProfile
from ._adapter import AdapterPlugin, ModelFactory, classify, read_profile

if TYPE_CHECKING:
    import httpx

__all__ = ('ENTRY_POINT_GROUP', 'PROVIDERS_GROUP', 'ModelFactory', 'PluginHookCall', 'ProviderInfo', 'ProviderRegistry')

INJECTABLE = ('api_key', 'base_url', 'http_client')
"""The keyword arguments `infer_provider()` passes on to a provider factory when the caller gives them."""

ENTRY_POINT_GROUP = PROVIDERS_GROUP
"""The earlier name of `pydantic_ai.hookspecs.PROVIDERS_GROUP` (`pydantic_ai.providers`), kept for the original
API's path `pydantic_ai.providers.registry.ENTRY_POINT_GROUP`."""

ProviderStatus = Literal['available', 'loaded', 'broken', 'duplicate']


@dataclass(frozen=True)
class ProviderInfo:
    """One registered provider, as `list_providers()` reports it."""

    name: str
    """The provider name."""
    distribution: str | None
    """The distribution that registers it; `None` when registered at run time."""
    version: str | None
    """That distribution's version."""
    entry_point: str | None
    """The entry point's value (`module:attribute`); `None` when registered at run time."""
    status: ProviderStatus
    """`available`: found in metadata, not loaded yet. `loaded`: loaded and valid. `broken`: loading failed
    (see `error`). `duplicate`: several distributions claim the name (see `error`)."""
    error: str | None = None
    """Why the provider is broken or duplicated."""


@dataclass(frozen=True)
class PluginHookCall:
    """What calling one hook of one provider plugin gave (see `ProviderRegistry.call_each_plugin`)."""

    provider_name: str
    """The provider name the plugin was loaded for (the first, for a plugin serving several names)."""
    distribution: str | None
    """The distribution that installed the plugin; `None` for one registered at run time."""
    result: object = None
    """What the hook returned (for a hook without `firstresult`, pluggy's list of the non-`None` results)."""
    error: Exception | None = None
    """Why there is no result: the `ProviderPluginError` of a plugin that failed to load, or what the hook raised."""


@dataclass(frozen=True)
class _EntryPointRecord:
    name: str
    value: str
    distribution: str
    version: str | None
    entry_point: metadata.EntryPoint


@dataclass
class _Loaded:
    plugin: object
    factory: ProviderFactory
    profile: ProviderProfile
    record: _EntryPointRecord | None


class ProviderRegistry:
    """Finds, loads and validates provider plugins.

    Args:
        group: The entry-point group to read.
        entry_points: Where entry points come from; by default the installed distributions' metadata, read on the
            first lookup (the process-wide `default_registry()` shares that read with the lifecycle plugins). Tests
            pass a callable returning their own `importlib.metadata.EntryPoint`s.
    """

    def __init__(
        self,
        *,
        group: str = PROVIDERS_GROUP,
        entry_points: EntryPointSource | None = None,
    ) -> None:
        self._group = group
        self._scan = entry_points if isinstance(entry_points, EntryPointScan) else EntryPointScan(entry_points)
        self._records: dict[str, list[_EntryPointRecord]] | None = None
        self._plugin_manager = plugin_manager()
        self._loaded: dict[str, _Loaded] = {}
        self._failed: dict[str, ProviderPluginError] = {}
        self._runtime: dict[str, _Loaded] = {}

    def __repr__(self) -> str:
        return f'ProviderRegistry(group={self._group!r})'

    # --- discovery -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Forget what was read from metadata and what failed to load, so newly installed plugins are seen.

        Plugins already loaded stay loaded.
        """
        self._scan.refresh()
        self._records = None
        self._failed.clear()

    def _entry_point_records(self) -> dict[str, list[_EntryPointRecord]]:
        if self._records is None:
            records: dict[str, list[_EntryPointRecord]] = {}
            for ep in self._scan():
                if ep.group != self._group:
                    continue
                dist = ep.dist
                dist_name = dist.metadata['Name'] if dist is not None else '<unknown distribution>'
                version = dist.version if dist is not None else None
                same_name = records.setdefault(ep.name, [])
                # One distribution seen twice on sys.path is the same registration, not a duplicate.
                if any(_normalize(r.distribution) == _normalize(dist_name) and r.value == ep.value for r in same_name):
                    continue
                same_name.append(_EntryPointRecord(ep.name, ep.value, dist_name, version, ep))
            self._records = records
        return self._records

    def names(self) -> list[str]:
        """Every registered provider name (from entry points and run-time registrations), sorted."""
        return sorted(set(self._entry_point_records()) | set(self._runtime))

    # --- loading ---------------------------------------------------------------------------------------------

    def _load(self, name: str) -> _Loaded:
        runtime = self._runtime.get(name)
        if runtime is not None:
            return runtime
        loaded = self._loaded.get(name)
        if loaded is not None:
            return loaded
        failed = self._failed.get(name)
        if failed is not None:
            raise failed
        records = self._entry_point_records().get(name)
        if not records:
            raise UnknownProviderError(name, tuple(self.names()))
        if len(records) > 1:
            raise DuplicateProviderError(name, tuple(sorted(r.distribution for r in records)))
        try:
            loaded = self._load_entry_point(records[0])
        except ProviderPluginError as exc:
            self._failed[name] = exc
            raise
        self._loaded[name] = loaded
        return loaded

    def _load_entry_point(self, record: _EntryPointRecord) -> _Loaded:
        try:
            loaded = record.entry_point.load()
        except (Exception, SystemExit) as exc:  # a plugin calling sys.exit() on import must not end the program
            raise _broken(record.name, record, f'importing it raised {type(exc).__name__}: {exc}') from exc
        kind, problem = classify(loaded, self._plugin_manager)
        if kind is None:
            raise _broken(record.name, record, problem or 'it is not a provider plugin')
        plugin = loaded if kind == 'plugin' else AdapterPlugin(loaded)
        return self._register_plugin(record.name, plugin, record)

    def _register_plugin(self, name: str, plugin: object, record: _EntryPointRecord | None) -> _Loaded:
        manager = self._plugin_manager
        # One plugin object may serve several names (its hooks receive `provider_name`): register it once.
        shared = manager.is_registered(plugin)
        if not shared:
            try:
                manager.register(plugin, name=name if record is not None else f'runtime:{name}')
                manager.check_pending()
            except (ValueError, pluggy.PluginValidationError) as exc:
                if manager.is_registered(plugin):
                    manager.unregister(plugin)
                raise _broken(name, record, f'it is not a valid provider plugin: {exc}') from exc
        try:
            factory = self._provider_factory(name, plugin, record)
            try:
                profile = read_profile(factory)
            except ValueError as exc:
                raise _broken(name, record, f'{exc}; see `pydantic_ai.providers.ProviderProfile`') from exc
        except ProviderPluginError:
            if not shared:
                manager.unregister(plugin)
            raise
        return _Loaded(plugin=plugin, factory=factory, profile=profile, record=record)

    def _caller(self, hook: str, plugin: object) -> pluggy.HookCaller:
        """The hook `hook` restricted to `plugin`, so that one call answers for the plugin registered for a name."""
        manager = self._plugin_manager
        others = [p for p in manager.get_plugins() if p is not plugin]
        return manager.subset_hook_caller(hook, others)

    def _call(self, name: str, loaded: _Loaded, caller: pluggy.HookCaller, **kwargs: Any) -> object:
        """What provider `name`'s plugin answers through `caller`: our own errors pass, any other is the plugin's fault.

        Raises:
            ProviderPluginError: the hook raised something other than a `PydanticAIError`.
        """
        try:
            return caller(**kwargs)
        except PydanticAIError:
            raise
        except Exception as exc:
            problem = f'its `{caller.name}` hook raised {type(exc).__name__}: {exc}'
            raise _broken(name, loaded.record, problem) from exc

    def _provider_factory(self, name: str, plugin: object, record: _EntryPointRecord | None) -> ProviderFactory:
        if not any(impl.plugin is plugin for impl in self._plugin_manager.hook.pydantic_ai_provider.get_hookimpls()):
            raise _broken(
                name,
                record,
                f'{plugin!r} is not a provider plugin: it implements no `pydantic_ai_provider` hook '
                '(a function named so and decorated with `pydantic_ai.providers.hookimpl`)',
            )
        try:
            factory: object = self._caller('pydantic_ai_provider', plugin)(provider_name=name)
        except Exception as exc:
            raise _broken(name, record, f'its `pydantic_ai_provider` hook raised {type(exc).__name__}: {exc}') from exc
        if factory is None:
            raise _broken(name, record, f'its `pydantic_ai_provider` hook returned None for provider name {name!r}')
        if not callable(factory):
            raise _broken(
                name,
                record,
                f'its `pydantic_ai_provider` hook returned {factory!r}, not a callable that creates a provider',
            )
        return factory

    # --- lookups ---------------------------------------------------------------------------------------------

    def factory(self, name: str) -> ProviderFactory:
        """The callable that creates provider `name` (often the provider class), loading its plugin if needed.

        See the module docs for the errors.
        """
        return self._load(name).factory

    def profile(self, name: str) -> ProviderProfile:
        """What provider `name` declares about itself (its key variable, default model, ...), loading its plugin.

        Read from its factory when the plugin was registered; the provider is not created. See
        `pydantic_ai.providers.ProviderProfile`.

        Raises:
            UnknownProviderError: no provider is registered under `name`.
            ProviderPluginError: its plugin is broken, its profile included.
        """
        return self._load(name).profile

    def infer_provider(
        self,
        name: str,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> Provider[Any]:
        """Create provider `name`, passing on those of `api_key`, `base_url`, `http_client` that are given.

        See `pydantic_ai.registry.infer_provider`.
        """
        loaded = self._load(name)
        values = zip(INJECTABLE, (api_key, base_url, http_client), strict=True)
        given = {key: value for key, value in values if value is not None}
        if given:
            _check_accepts(name, loaded.factory, given)
        try:
            provider = loaded.factory(**given)
        except PydanticAIError:
            raise
        except Exception as exc:
            raise _broken(name, loaded.record, f'creating the provider raised {type(exc).__name__}: {exc}') from exc
        if not isinstance(provider, Provider):
            raise _broken(
                name,
                loaded.record,
                f'its factory returned {type(provider).__name__}, not a Provider (with name, base_url and client)',
            )
        return provider

    def model(self, provider_name: str, model_name: str, *, provider: Provider[Any] | None = None) -> Model:
        """A model named `model_name` served by provider `provider_name`. See `pydantic_ai.registry.infer_model`.

        Args:
            provider_name: The provider's registered name; its plugin builds the model.
            model_name: The model name.
            provider: A provider instance to talk through (one the caller configured, the `pai` command line with
                its own HTTP client, say); by default the provider is created with its defaults.
        """
        loaded = self._load(provider_name)
        caller = self._caller('pydantic_ai_model', loaded.plugin)
        model: object = None
        if caller.get_hookimpls():
            if provider is None:
                provider = self.infer_provider(provider_name)
            model = self._call(
                provider_name, loaded, caller, provider_name=provider_name, model_name=model_name, provider=provider
            )
        if model is None:
            raise UserError(
                f'The plugin of provider {provider_name!r} does not build models from a name, so '
                f'"{provider_name}:{model_name}" cannot be inferred; create the model class directly with '
                f'provider={provider_name!r}.'
            )
        if not isinstance(model, Model):
            problem = f'its `pydantic_ai_model` hook returned {type(model).__name__}, not a Model'
            raise _broken(provider_name, loaded.record, problem)
        return model

    def model_names(self, name: str) -> list[str]:
        """The model names provider `name` offers, from its `pydantic_ai_model_names` hook; empty when it says none.

        Raises:
            ProviderPluginError: the hook raised, or returned something other than a sequence of strings.
        """
        loaded = self._load(name)
        names = self._call(name, loaded, self._caller('pydantic_ai_model_names', loaded.plugin), provider_name=name)
        if names is None:
            return []
        if (
            isinstance(names, (str, bytes))
            or not isinstance(names, Sequence)
            or not all(isinstance(n, str) for n in names)
        ):
            problem = f'its `pydantic_ai_model_names` hook returned {names!r}, not a sequence of model names'
            raise _broken(name, loaded.record, problem)
        return [str(n) for n in names]

    def model_notes(self, name: str) -> dict[str, str]:
        """Provider `name`'s note per model name, from its `pydantic_ai_model_notes` hook; empty when it gives none.

        Raises:
            ProviderPluginError: the hook raised, or returned something other than a mapping of names to notes.
        """
        loaded = self._load(name)
        notes = self._call(name, loaded, self._caller('pydantic_ai_model_notes', loaded.plugin), provider_name=name)
        if notes is None:
            return {}
        if not isinstance(notes, Mapping):
            problem = f'its `pydantic_ai_model_notes` hook returned a {type(notes).__name__}, not a mapping'
            raise _broken(name, loaded.record, problem)
        for key, value in notes.items():
            if not isinstance(key, str) or not isinstance(value, str) or '\n' in value:
                problem = (
                    f'its `pydantic_ai_model_notes` hook gave {key!r}: {value!r}; '
                    'each entry must map a model name to a one-line note'
                )
                raise _broken(name, loaded.record, problem)
        return {str(k): str(v) for k, v in notes.items()}

    def call_each_plugin(self, hook: str, **kwargs: Any) -> list[PluginHookCall]:
        """Call hook `hook` with `kwargs` once on every provider plugin implementing it, each call apart.

        Every registered provider's plugin is loaded first (in name order; a plugin serving several names is called
        once). Neither a plugin that fails to load nor a hook that raises stops the others, and nothing is raised
        here: each outcome holds the result or the error, for the caller to report (`pai` collects the commands
        plugins add this way).

        Raises:
            UserError: `hook` is not one of the hook specifications.
        """
        if not hasattr(self._plugin_manager.hook, hook):
            raise UserError(f'{hook!r} is not a hook of pydantic_ai.hookspecs.')
        outcomes: list[PluginHookCall] = []
        called: set[int] = set()
        for name in self.names():
            try:
                loaded = self._load(name)
            except ProviderPluginError as exc:
                outcomes.append(PluginHookCall(name, exc.distribution, error=exc))
                continue
            if id(loaded.plugin) in called:
                continue
            called.add(id(loaded.plugin))
            caller = self._caller(hook, loaded.plugin)
            if not caller.get_hookimpls():
                continue
            distribution = loaded.record.distribution if loaded.record is not None else None
            try:
                result: object = caller(**kwargs)
            except Exception as exc:  # one plugin's failure is reported with its name, and stops nothing else
                outcomes.append(PluginHookCall(name, distribution, error=exc))
                continue
            outcomes.append(PluginHookCall(name, distribution, result=result))
        return outcomes

    def providers(self, *, load: bool = False) -> list[ProviderInfo]:
        """Every registered provider, sorted by name; see `pydantic_ai.registry.list_providers`."""
        rows: list[ProviderInfo] = []
        records = self._entry_point_records()
        for name in self.names():
            if name in self._runtime:
                rows.append(ProviderInfo(name, None, None, None, 'loaded'))
                continue
            claims = records[name]
            if len(claims) > 1:
                claimants = ', '.join(sorted(r.distribution for r in claims))
                for r in sorted(claims, key=lambda r: r.distribution):
                    rows.append(
                        ProviderInfo(
                            name, r.distribution, r.version, r.value, 'duplicate', f'also registered by: {claimants}'
                        )
                    )
                continue
            record = claims[0]
            status: ProviderStatus = 'available'
            problem: str | None = None
            if load or name in self._loaded or name in self._failed:
                try:
                    self._load(name)
                    status = 'loaded'
                except ProviderPluginError as exc:
                    status, problem = 'broken', str(exc)
            rows.append(ProviderInfo(name, record.distribution, record.version, record.value, status, problem))
        return rows

    # --- run-time registration -------------------------------------------------------------------------------

    def register(
        self,
        name: str,
        factory: ProviderFactory,
        *,
        model_factory: ModelFactory | None = None,
        model_names: Sequence[str] | None = None,
        replace: bool = False,
    ) -> None:
        """Register a provider at run time; see `pydantic_ai.registry.register_provider`."""
        if not isinstance(name, str) or not name or ':' in name:
            raise UserError(f'A provider name must be a non-empty string without ":", got {name!r}')
        if not callable(factory):
            raise UserError(f'`factory` must be a callable that creates a provider, got {factory!r}')
        if not replace:
            if name in self._runtime:
                raise UserError(
                    f'Provider {name!r} is already registered at run time; pass replace=True to replace it.'
                )
            claims = self._entry_point_records().get(name)
            if claims:
                owners = ', '.join(sorted(r.distribution for r in claims))
                raise UserError(
                    f'Provider {name!r} is already provided by {owners}; pass replace=True to use yours instead.'
                )
        if name in self._runtime:
            self.unregister(name)
        plugin = AdapterPlugin(factory, model_factory=model_factory, model_names=model_names)
        self._runtime[name] = self._register_plugin(name, plugin, None)

    def unregister(self, name: str) -> None:
        """Remove a provider registered at run time; see `pydantic_ai.registry.unregister_provider`."""
        loaded = self._runtime.pop(name, None)
        if loaded is None:
            raise UserError(f'No provider named {name!r} was registered at run time.')
        self._plugin_manager.unregister(loaded.plugin)

    # Last in the class: a method named `list` shadows the builtin in the annotations of the methods after it.
    def list(self, *, load: bool = False) -> list[ProviderInfo]:
        """Deprecated (the name 0.1.0 shipped): use `providers()` (the same rows; this name shadows the builtin `list`).

        Warns:
            DeprecationWarning: always.
        """
        import warnings

        warnings.warn(
            '`ProviderRegistry.list()` is deprecated: use `ProviderRegistry.providers()`, which returns the same rows.',
            DeprecationWarning,
            stacklevel=2,
        )
        return self.providers(load=load)


def _broken(name: str, record: _EntryPointRecord | None, problem: str) -> ProviderPluginError:
    if record is None:
        where, fix = 'registered at run time', 'Fix the factory passed to register_provider().'
    else:
        where = f'entry point {record.name!r} = {record.value!r} of distribution {record.distribution!r}'
        fix = 'Reinstall or fix that distribution, or uninstall it.'
    return ProviderPluginError(
        f'Provider plugin {name!r} is broken: {problem} ({where}). {fix}',
        provider_name=name,
        distribution=record.distribution if record is not None else None,
        entry_point=record.value if record is not None else None,
    )


def _check_accepts(name: str, factory: ProviderFactory, given: dict[str, Any]) -> None:
    """Raise `UserError` naming the provider and the argument if `factory` takes no such keyword argument."""
    import inspect

    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # no signature to inspect: let the call decide
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    accepted = {
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    }
    for key in given:
        if key not in accepted:
            raise UserError(
                f'Provider {name!r} does not accept `{key}`: its factory {getattr(factory, "__qualname__", factory)!s} '
                f'takes no `{key}` argument. Configure it the way its plugin documents (environment variables, or '
                f'an instance passed as `provider=`).'
            )


def _normalize(distribution: str) -> str:
    return distribution.lower().replace('-', '_').replace('.', '_')
