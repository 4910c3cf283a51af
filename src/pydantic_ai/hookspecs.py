"""Every hook a plugin may implement, one marker, the entry-point groups, and the one kind of plugin manager.

A plugin is any object (usually a module) with functions named after the hooks below and decorated with `hookimpl`.
Installed distributions offer plugins through entry points, in the group named for the role the plugin plays:

- `PROVIDERS_GROUP` (`pydantic_ai.providers`): **provider plugins**. The entry point's *name* is the provider name and
  its *value* points at the plugin, or at a provider class or factory that the registry adapts to these hooks (see
  `pydantic_ai.registry`). A provider plugin implements `pydantic_ai_provider` and optionally `pydantic_ai_model`,
  `pydantic_ai_model_names` and `pydantic_ai_model_notes`; each receives `provider_name`, the name looked up, so one
  plugin may serve several. It may also add `pai` sub-commands with `pydantic_ai_cli_commands` (no arguments, called
  once per plugin object).
- `LIFECYCLE_GROUP` (`pydantic_ai.lifecycle`): **lifecycle plugins**, which see every model request (the entry
  point's name is free). They implement any of `pydantic_ai_request_start`, `pydantic_ai_request_end` and
  `pydantic_ai_request_error`. Applications register one at run time with `pydantic_ai.lifecycle.register_plugin()`.
  The group's first name, `pydantic_ai.plugins` (`LEGACY_LIFECYCLE_GROUP`), is read too, until 0.2.

```toml
[project.entry-points."pydantic_ai.providers"]
mygateway = "mygateway_provider.plugin"

[project.entry-points."pydantic_ai.lifecycle"]
request-log = "request_log"
```

One object may play both roles: list it in both groups. Every plugin is validated when it is registered (pluggy
checks each `hookimpl` against these specs: a misspelled hook name or an argument the spec does not have is an
error), and its hooks are called through a plugin manager made by `plugin_manager()`, so pluggy's validation,
`firstresult` and argument matching apply. pluggy lets an implementation accept fewer arguments than its spec.

This module imports nothing of the core (as llm's `hookspecs.py`): plugin authors import `hookimpl` from here, or
from the compatibility paths `pydantic_ai.providers`, `pydantic_ai.registry` and `pydantic_ai.lifecycle`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ._request_info import RequestInfo
    from .messages import ModelResponse
    from .providers.base import Provider, ProviderFactory

__all__ = (
    'PROJECT_NAME',
    'PROVIDERS_GROUP',
    'LIFECYCLE_GROUP',
    'LEGACY_LIFECYCLE_GROUP',
    'PROVIDER_HOOKS',
    'LIFECYCLE_HOOKS',
    'hookimpl',
    'hookspec',
    'plugin_manager',
    'pydantic_ai_provider',
    'pydantic_ai_model',
    'pydantic_ai_model_names',
    'pydantic_ai_model_notes',
    'pydantic_ai_cli_commands',
    'pydantic_ai_request_start',
    'pydantic_ai_request_end',
    'pydantic_ai_request_error',
)

PROJECT_NAME = 'pydantic_ai'
"""The pluggy project name of every hook spec and implementation."""

PROVIDERS_GROUP = 'pydantic_ai.providers'
"""The entry-point group of provider plugins; an entry point's name is the provider name."""

LIFECYCLE_GROUP = 'pydantic_ai.lifecycle'
"""The entry-point group of lifecycle plugins (hooks seeing every request); an entry point's name is free."""

LEGACY_LIFECYCLE_GROUP = 'pydantic_ai.plugins'
"""The first name of `LIFECYCLE_GROUP`, read too so that plugins published under it keep working (until 0.2)."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification. Used by the core only."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's implementation of a hook: decorate each `pydantic_ai_*` function of a plugin with it."""

PROVIDER_HOOKS = (
    'pydantic_ai_provider',
    'pydantic_ai_model',
    'pydantic_ai_model_names',
    'pydantic_ai_model_notes',
    'pydantic_ai_cli_commands',
)
"""The hooks of a provider plugin."""

LIFECYCLE_HOOKS = ('pydantic_ai_request_start', 'pydantic_ai_request_end', 'pydantic_ai_request_error')
"""The hooks of a lifecycle plugin, in the order they are called."""


def plugin_manager() -> pluggy.PluginManager:
    """A new plugin manager that knows every hook of this module (each registry and plugin set holds its own)."""
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(sys.modules[__name__])
    return manager


# --- provider hooks ------------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def pydantic_ai_provider(provider_name: str) -> ProviderFactory | None:
    """Return the callable that creates the provider `provider_name` (required).

    Called with no arguments, the callable must return a `Provider` configured from its defaults (environment
    variables and the like); a provider class whose constructor takes only optional arguments qualifies. It may accept
    `api_key`, `base_url` and `http_client` keyword arguments, which `infer_provider(name, ...)` passes when given.
    What the provider declares about itself for tools (its key variable, default model, ...) is its
    `pydantic_ai.providers.ProviderProfile`, read from the callable. Import heavy dependencies (the vendor SDK) inside
    this hook, not at the top of the plugin module, so that listing providers stays cheap.
    """


@hookspec(firstresult=True)
def pydantic_ai_model(provider_name: str, model_name: str, provider: Provider[Any]) -> Any:
    """Return a model named `model_name` that talks through `provider` (optional): a `pydantic_ai.models.Model`.

    (Typed `Any` here because this module sits below the models, which run the lifecycle hooks; the registry checks
    that the hook returns a `Model`.)

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
def pydantic_ai_cli_commands() -> Sequence[Any] | None:
    """Return the `pai` sub-commands this plugin adds, as `pydantic_ai.cli.Command`s (optional).

    (Typed `Any` here because this module sits below the command line it serves; `pai` checks each item.)

    Called once per plugin, with no arguments, when `pai` meets a first word that is not one of its own commands
    (and for `pai --help`); import what the commands need inside their `run`, not here. A command named like a
    built-in one or another plugin's is left out, and so are the commands of a plugin whose hook raises or returns
    something else than a sequence of `Command`s: `pai` says so in one line on stderr and goes on.
    """


# --- request lifecycle hooks ---------------------------------------------------------------------------------------
# For every request a model makes: `pydantic_ai_request_start` once, then exactly one of `pydantic_ai_request_end`
# and `pydantic_ai_request_error`, all with the same `RequestInfo`. Hooks run synchronously on the event loop, so they
# must be quick; one that raises never breaks the request (it is logged once per plugin and hook on the
# `pydantic_ai.lifecycle` logger, naming the distribution).


@hookspec
def pydantic_ai_request_start(request: RequestInfo) -> None:
    """Called before a request is sent.

    Read anything on `request` (the model, messages, settings, whether it streams); keep per-request state of your
    own in `request.annotations` (under a key naming your plugin). Do not change the messages or the settings.
    """


@hookspec
def pydantic_ai_request_end(request: RequestInfo, response: ModelResponse) -> None:
    """Called when a request ended without an error.

    For a plain request `response` is the model's response. For a stream it is the response assembled from the
    events the consumer received: all of them when the stream was read to its end, those received so far when the
    consumer left early (`request.cancelled` is then true). Timings are on `request` (`duration`,
    `time_to_first_chunk`, `events`); usage is `response.usage`.
    """


@hookspec
def pydantic_ai_request_error(request: RequestInfo, error: BaseException) -> None:
    """Called when a request or its stream failed; `error` is the exception about to reach the caller.

    A cancelled task shows up here too (`error` is an `asyncio.CancelledError` and `request.cancelled` is true).
    """
