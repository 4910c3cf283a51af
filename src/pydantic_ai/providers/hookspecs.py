"""The hooks a provider plugin implements (pluggy hook specifications).

A provider plugin is any object (usually a module) with functions decorated with `hookimpl` and named after
the hooks below. It is found through an entry point in the `pydantic_ai.providers` group whose *name* is the
provider name and whose *value* points at the plugin object::

    [project.entry-points."pydantic_ai.providers"]
    mygateway = "mygateway_provider.plugin"

Each entry point needs its own plugin object: pluggy registers an object once, so a distribution offering two
providers points each name at a different module (or at a different instance of a plugin class).

The registry loads a plugin only when its name is looked up, registers it with pluggy (which checks every
`hookimpl` against these specs at that moment), and calls the plugin's own implementations. Built-in and
third-party plugins register through exactly this door.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ..models import Model
    from . import Provider, ProviderFactory

__all__ = (
    'PROJECT_NAME',
    'hookimpl',
    'hookspec',
    'pydantic_ai_provider',
    'pydantic_ai_model',
    'pydantic_ai_model_names',
)

PROJECT_NAME = 'pydantic_ai'
"""The pluggy project name shared by the hook specs and implementations."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification. Used by the core only."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's implementation of a hook: decorate `pydantic_ai_provider` (and `pydantic_ai_model`) with it."""


@hookspec(firstresult=True)
def pydantic_ai_provider() -> ProviderFactory:  # type: ignore[empty-body]
    """Return the callable that creates this plugin's provider (required).

    Called with no arguments, the callable must return a `Provider` configured from its defaults (environment
    variables and the like); a provider class whose constructor takes only optional arguments qualifies.
    `infer_provider(name)` calls it. Import heavy dependencies (the vendor SDK) inside this hook, not at the top of
    the plugin module, so that listing providers stays cheap.
    """


@hookspec(firstresult=True)
def pydantic_ai_model(model_name: str, provider: Provider[Any]) -> Model | None:
    """Return a model named `model_name` that talks through `provider` (optional).

    Implement it to make `infer_model('<provider name>:<model name>')` work for this provider. Return `None` (or
    leave the hook out) when the plugin builds no models.
    """


@hookspec(firstresult=True)
def pydantic_ai_model_names() -> Sequence[str] | None:
    """Return the model names this provider offers, for listings and suggestions (optional).

    Any other name the provider's API accepts still works; the list only helps people find one (`pai models`).
    Return the current names (not retired ones), or `None` when the plugin knows none.
    """
