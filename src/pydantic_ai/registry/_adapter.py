"""What an entry point may name, and the adapter that puts a provider class or factory behind the hooks.

An entry point in the `pydantic_ai.providers` group names one of (checked in this order):

1. **A pluggy plugin**: a module, or any object with at least one attribute named `pydantic_ai_*` that is marked with
   `hookimpl`. It is registered with pluggy as it is (a module with no hooks at all is a broken plugin).
2. **A provider class**: a class (without such hook implementations) whose instances have `name`, `base_url` and
   `client` (properties, class attributes or annotated fields), such as a `GroqProvider` subclass.
3. **A factory**: any other callable that can be called with no arguments and returns a `Provider`.

Forms 2 and 3 are wrapped in an `AdapterPlugin`, one per provider name, which implements the hooks from what the class
or factory declares:

- `pydantic_ai_provider` returns the class or factory itself;
- `pydantic_ai_model` calls its optional `model_factory(model_name, provider)` attribute (a static method on a class;
  `GroqProvider` defines one returning a `GroqModel`, so its subclasses get `infer_model` for free);
- `pydantic_ai_model_names` returns its optional `model_names` attribute (a sequence of model names).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .hookspecs import PROJECT_NAME, hookimpl

if TYPE_CHECKING:
    from ..models.base import Model
    from ..providers.base import Provider, ProviderFactory

__all__ = ('AdapterPlugin', 'EntryPointKind', 'ModelFactory', 'classify')

ModelFactory: TypeAlias = Callable[[str, 'Provider[Any]'], 'Model']
"""Creates a model from a model name and a provider (see `register_provider(..., model_factory=...)`)."""

EntryPointKind = Literal['plugin', 'class', 'factory']

_PROVIDER_MEMBERS = ('name', 'base_url', 'client')
_IMPL_MARKER = f'{PROJECT_NAME}_impl'


def _has_hookimpls(obj: object) -> bool:
    for attribute in dir(obj):
        if attribute.startswith('pydantic_ai_'):
            try:
                value = getattr(obj, attribute)
            except Exception:
                continue
            if hasattr(value, _IMPL_MARKER):
                return True
    return False


def _missing_members(cls: type) -> list[str]:
    annotated: set[str] = set()
    for klass in cls.__mro__:
        annotated.update(vars(klass).get('__annotations__', {}))
    return [m for m in _PROVIDER_MEMBERS if not hasattr(cls, m) and m not in annotated]


def classify(obj: object) -> tuple[EntryPointKind | None, str | None]:
    """Tell what an entry point's object is: `(kind, None)`, or `(None, why it is none of them)`."""
    if isinstance(obj, ModuleType) or _has_hookimpls(obj):
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


class AdapterPlugin:
    """The hooks of a provider registered as a class or factory (by an entry point, or at run time).

    Args:
        factory: Creates the provider.
        model_factory: Creates models for `infer_model`; by default the factory's own `model_factory` attribute.
        model_names: The model names to list; by default the factory's own `model_names` attribute.
    """

    def __init__(
        self,
        factory: ProviderFactory,
        *,
        model_factory: ModelFactory | None = None,
        model_names: Sequence[str] | None = None,
    ) -> None:
        self.factory = factory
        declared = getattr(factory, 'model_factory', None)
        self._model_factory: ModelFactory | None = model_factory or (declared if callable(declared) else None)
        self._model_names: object = model_names if model_names is not None else getattr(factory, 'model_names', None)

    def __repr__(self) -> str:
        return f'AdapterPlugin({self.factory!r})'

    @hookimpl
    def pydantic_ai_provider(self) -> ProviderFactory:
        """The class or factory itself."""
        return self.factory

    @hookimpl
    def pydantic_ai_model(self, model_name: str, provider: Provider[Any]) -> Model | None:
        """A model from the declared `model_factory`, or `None` when there is none."""
        return None if self._model_factory is None else self._model_factory(model_name, provider)

    @hookimpl
    def pydantic_ai_model_names(self) -> Sequence[str] | None:
        """The declared `model_names`, or `None`."""
        names = self._model_names
        if names is None or isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
            return None
        return names
