"""The hooks a provider plugin implements (pluggy hook specifications).

A provider plugin is any object (usually a module) with functions decorated with `hookimpl` and named after the
hooks below. It is found through an entry point in the `pydantic_ai.providers` group whose *name* is the provider name
and whose *value* points at the plugin object::

    [project.entry-points."pydantic_ai.providers"]
    mygateway = "mygateway_provider.plugin"

Every provider hook takes `provider_name`, the name being looked up, so one plugin object may serve several entry
points (point each name at the same module and answer per name); `pydantic_ai_cli_commands`, which adds `pai`
sub-commands, takes none and is called once per plugin object. pluggy lets an implementation accept fewer arguments
than the spec, so `def pydantic_ai_provider():` (a plugin serving one name) is valid too. The registry calls each hook
through pluggy restricted to the plugin registered for the name, so one call answers for the right plugin.

The registry loads a plugin only when its name is looked up, registers it with pluggy (which checks every `hookimpl`
against these specs at that moment: an unknown hook name or an argument not in the spec is an error), and calls its
hooks through the plugin manager. Built-in and third-party plugins register through exactly this door. An entry point
may also name a `Provider` class or a zero-argument factory directly; the registry then adapts it to these hooks (see
`pydantic_ai.registry`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ..cli._command import Command
    from ..models.base import Model
    from ..providers.base import Provider, ProviderFactory

__all__ = (
    'PROJECT_NAME',
    'hookimpl',
    'hookspec',
    'pydantic_ai_provider',
    'pydantic_ai_model',
    'pydantic_ai_model_names',
    'pydantic_ai_model_notes',
    'pydantic_ai_cli_commands',
)

PROJECT_NAME = 'pydantic_ai'
"""The pluggy project name shared by the hook specs and implementations."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification. Used by the core only."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's implementation of a hook: decorate `pydantic_ai_provider` (and the optional hooks) with it."""


@hookspec(firstresult=True)
def pydantic_ai_provider(provider_name: str) -> ProviderFactory | None:
    """Return the callable that creates the provider `provider_name` (required).

    Called with no arguments, the callable must return a `Provider` configured from its defaults (environment
    variables and the like); a provider class whose constructor takes only optional arguments qualifies. It may accept
    `api_key`, `base_url` and `http_client` keyword arguments, which `infer_provider(name, ...)` passes when given.
    Import heavy dependencies (the vendor SDK) inside this hook, not at the top of the plugin module, so that listing
    providers stays cheap.
    """


@hookspec(firstresult=True)
def pydantic_ai_model(provider_name: str, model_name: str, provider: Provider[Any]) -> Model | None:
    """Return a model named `model_name` that talks through `provider` (optional).

    Implement it to make `infer_model('<provider name>:<model name>')` work for this provider. Return `None` (or
    leave the hook out) when the plugin builds no models.
    """


@hookspec(firstresult=True)
def pydantic_ai_model_names(provider_name: str) -> Sequence[str] | None:
    """Return the names of the models the provider offers, for listings and suggestions (optional).

    `ProviderRegistry.model_names(name)` returns them as a list (empty when the hook is left out or returns `None`).
    They need not be complete: a provider may serve models it does not list.
    """


@hookspec(firstresult=True)
def pydantic_ai_model_notes(provider_name: str) -> Mapping[str, str] | None:
    """Return a short note per model name, shown beside the name in model listings (optional).

    A note fits on one line and says what the name alone does not: the model's status (`'preview'`), when it is or
    was retired and what to use instead (`'retired 2026-01-31: use big-2'`). Names the `pydantic_ai_model_names` hook
    does not return are models the provider no longer serves: listings show them after the others, as inactive.
    `ProviderRegistry.model_notes(name)` returns them as a dict (empty when the hook is left out or returns `None`).
    """


@hookspec
def pydantic_ai_cli_commands() -> Sequence[Command] | None:
    """Return the `pai` sub-commands this plugin adds, as `pydantic_ai.cli.Command`s (optional).

    Called once per plugin, with no arguments, when `pai` meets a first word that is not one of its own commands
    (and for `pai --help`); import what the commands need inside their `run`, not here. A command named like a
    built-in one or another plugin's is left out, and so are the commands of a plugin whose hook raises or returns
    something else than a sequence of `Command`s: `pai` says so in one line on stderr and goes on.
    """
