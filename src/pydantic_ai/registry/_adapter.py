"""What an entry point may name, the provider profile a factory declares, and the adapter behind the hooks.

An entry point in the `pydantic_ai.providers` group names one of (checked in this order):

1. **A pluggy plugin**: a module, or any object with at least one function marked with `hookimpl` (as pluggy's
   `PluginManager.parse_hookimpl_opts` tells). It is registered with pluggy as it is (a module with no hooks at all
   is a broken plugin).
2. **A provider class**: a class (without such hook implementations) whose instances have `name`, `base_url` and
   `client` (properties, class attributes or annotated fields), such as a gateway's subclass of a provider class.
3. **A factory**: any other callable that can be called with no arguments and returns a `Provider`.

Forms 2 and 3 are wrapped in an `AdapterPlugin`, one per provider name, which implements the hooks from what the
class or factory declares in its `ProviderProfile` (see `read_profile`):

- `pydantic_ai_provider` returns the class or factory itself;
- `pydantic_ai_model` calls the profile's `model_factory(model_name, provider)` (a callable, or its import path,
  imported on the first call);
- `pydantic_ai_model_names` returns the profile's `model_names`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import fields
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import pluggy

from ..hookspecs import hookimpl
from ..providers.base import ProviderProfile

if TYPE_CHECKING:
    from ..models.base import Model
    from ..providers.base import Provider, ProviderFactory

__all__ = ('AdapterPlugin', 'EntryPointKind', 'ModelFactory', 'classify', 'read_profile')

ModelFactory: TypeAlias = Callable[[str, 'Provider[Any]'], 'Model']
"""Creates a model from a model name and a provider (see `register_provider(..., model_factory=...)`)."""

EntryPointKind = Literal['plugin', 'class', 'factory']

_PROVIDER_MEMBERS = ('name', 'base_url', 'client')
_TEXT_FIELDS = ('api_key_env_var', 'api_key_url', 'base_url_env_var', 'default_model', 'models_path')


def has_hookimpls(obj: object, manager: pluggy.PluginManager) -> bool:
    """Whether `obj` has any attribute pluggy would register as a hook implementation."""
    for attribute in dir(obj):
        try:
            if manager.parse_hookimpl_opts(obj, attribute) is not None:
                return True
        except Exception:  # pluggy before 1.6 reads attributes with getattr, which runs properties
            continue
    return False


def _missing_members(cls: type) -> list[str]:
    annotated: set[str] = set()
    for klass in cls.__mro__:
        annotated.update(vars(klass).get('__annotations__', {}))
    return [m for m in _PROVIDER_MEMBERS if not hasattr(cls, m) and m not in annotated]


def classify(obj: object, manager: pluggy.PluginManager) -> tuple[EntryPointKind | None, str | None]:
    """Tell what an entry point's object is: `(kind, None)`, or `(None, why it is none of them)`."""
    if isinstance(obj, ModuleType) or has_hookimpls(obj, manager):
        return 'plugin', None
    if isinstance(obj, type):
        missing = _missing_members(obj)
        if missing:
            return None, (
                f'it is not a provider plugin (no `pydantic_ai_*` hook implementations) and class {obj.__name__} is '
                f'not a Provider class (its instances have no {", ".join(f"`{m}`" for m in missing)})'
            )
        return 'class', None
    if callable(obj):
        try:
            inspect.signature(obj).bind()
        except TypeError:
            return None, (
                f'it is not a provider plugin and {obj!r} is not a provider factory: a factory must be callable with '
                'no arguments'
            )
        except ValueError:  # no signature to inspect (some built-ins): let the call decide
            pass
        return 'factory', None
    return None, (
        f'{obj!r} is not a provider plugin (a module or object with `pydantic_ai_*` hook implementations), '
        'nor a Provider class or factory'
    )


def read_profile(factory: object) -> ProviderProfile:
    """The `ProviderProfile` that `factory` declares: its `profile` attribute, else attributes named as the fields.

    The one place provider profiles are read; the registry calls it when it registers a provider.

    Raises:
        ValueError: the profile, or one of its fields, has the wrong type; the message says which and what it must be.
    """
    declared = getattr(factory, 'profile', None)
    if declared is not None:
        if not isinstance(declared, ProviderProfile):
            raise ValueError(f'its `profile` is {declared!r}, not a `pydantic_ai.providers.ProviderProfile`')
        profile = declared
    else:
        values = {f.name: getattr(factory, f.name, None) for f in fields(ProviderProfile)}
        profile = ProviderProfile(**{name: value for name, value in values.items() if value is not None})
    _check_profile(profile)
    return profile


def _check_profile(profile: ProviderProfile) -> None:
    for name in _TEXT_FIELDS:
        value = getattr(profile, name)
        if value is not None and not (isinstance(value, str) and value):
            raise ValueError(f'its profile field `{name}` is {value!r}, not a non-empty string (or None)')
    names = profile.model_names
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise ValueError(f'its profile field `model_names` is {names!r}, not a sequence of model names')
    factory = profile.model_factory
    if isinstance(factory, str):
        module, sep, attribute = factory.partition(':')
        if not (module and sep and attribute):
            raise ValueError(
                f"its profile field `model_factory` is {factory!r}, not an import path 'package.module:attribute'"
            )
    elif factory is not None and not callable(factory):
        raise ValueError(f'its profile field `model_factory` is {factory!r}, not a callable or an import path')


_AnyModelFactory: TypeAlias = Callable[[str, 'Provider[Any]'], object]


def _resolve(path: str) -> _AnyModelFactory:
    import pkgutil

    found = pkgutil.resolve_name(path)
    if not callable(found):
        raise TypeError(f'the profile field `model_factory` {path!r} names {found!r}, which is not callable')
    factory: _AnyModelFactory = found
    return factory


class AdapterPlugin:
    """The hooks of a provider registered as a class or factory (by an entry point, or at run time).

    Args:
        factory: Creates the provider.
        model_factory: Creates models for `infer_model`; by default the profile's `model_factory`.
        model_names: The model names to list; by default the profile's `model_names`.
    """

    def __init__(
        self,
        factory: ProviderFactory,
        *,
        model_factory: ModelFactory | None = None,
        model_names: Sequence[str] | None = None,
    ) -> None:
        self.factory = factory
        self._model_factory: _AnyModelFactory | None = model_factory
        self._model_names = model_names

    def __repr__(self) -> str:
        return f'AdapterPlugin({self.factory!r})'

    @hookimpl
    def pydantic_ai_provider(self) -> ProviderFactory:
        """The class or factory itself."""
        return self.factory

    @hookimpl
    def pydantic_ai_model(self, model_name: str, provider: Provider[Any]) -> object:
        """A model from the given `model_factory`, else the profile's; `None` when there is none.

        The registry checks that the result is a `Model`.
        """
        factory = self._model_factory
        if factory is None:
            declared = read_profile(self.factory).model_factory
            if declared is None:
                return None
            # Resolved once: later calls use the callable.
            factory = _resolve(declared) if isinstance(declared, str) else declared
            self._model_factory = factory
        return factory(model_name, provider)

    @hookimpl
    def pydantic_ai_model_names(self) -> Sequence[str] | None:
        """The given `model_names`, else the profile's."""
        names = self._model_names
        if names is None:
            return read_profile(self.factory).model_names
        if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
            return None
        return names
