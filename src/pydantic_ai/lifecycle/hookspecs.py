"""The request lifecycle hooks a plugin implements (pluggy hook specifications).

A lifecycle plugin is any object (usually a module) with functions decorated with `hookimpl` and named after the
hooks below; it implements any subset of them. Installed distributions offer one through an entry point in the
`pydantic_ai.plugins` group (the entry point's name is free; its value points at the plugin object)::

    [project.entry-points."pydantic_ai.plugins"]
    request-log = "request_log.plugin"

Applications can also register one at run time with `pydantic_ai.lifecycle.register_plugin()`. The OpenTelemetry
instrumentation (`pydantic_ai.otel`) is such a plugin and registers through the same door.

For every request a model makes, the hooks are called in this order, with the same `RequestInfo`:

1. `pydantic_ai_request_start(request)` once, before the request is sent;
2. then exactly one of `pydantic_ai_request_end(request, response)` (a response arrived, or a stream ended: read
   to its end, or left early by the consumer, then `request.cancelled` is true) and
   `pydantic_ai_request_error(request, error)` (the request or the stream failed).

Hooks are called synchronously on the event loop, so they must be quick and must not block. An exception raised by a
hook implementation never reaches the request: it is logged once per plugin and hook (logger
`pydantic_ai.lifecycle`, naming the distribution), and later calls of that implementation keep being made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from ..messages import ModelResponse
    from ._info import RequestInfo

__all__ = (
    'PROJECT_NAME',
    'hookimpl',
    'hookspec',
    'pydantic_ai_request_start',
    'pydantic_ai_request_end',
    'pydantic_ai_request_error',
)

PROJECT_NAME = 'pydantic_ai'
"""The pluggy project name; the same as the provider hooks', so one `hookimpl` marker serves both."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification. Used by the core only."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a plugin's implementation of a lifecycle hook (the same marker as `pydantic_ai.providers.hookimpl`)."""


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
