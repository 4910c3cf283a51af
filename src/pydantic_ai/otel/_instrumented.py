"""OpenTelemetry spans and metrics for model requests, following the GenAI semantic conventions.

Two ways to turn it on:

- `instrument_all()` (also `pydantic_ai.instrument_all`): every request of every model built on
  `pydantic_ai.models.Model` (whose `request()` runs the lifecycle hooks), however the model was built, is traced.
  It registers the OpenTelemetry plugin of this module as a lifecycle plugin.
- `InstrumentedModel(model, settings)`: one model, any `Model` implementation, traced.

Each request is one span named `chat {request model}` (kind CLIENT; the caller's current span is its parent) with
the conventions' `gen_ai.*`, `server.*` and `error.type` attributes, and records the histograms
`gen_ai.client.operation.duration`, `gen_ai.client.token.usage` and, for streams,
`gen_ai.client.operation.time_to_first_chunk`. A stream's span lasts until the stream ends, fails or the consumer
leaves it (then it carries `pydantic_ai.request.cancelled=true`). Messages and answers are recorded only with
`include_content=True`, as the `gen_ai.input.messages`, `gen_ai.output.messages` and `gen_ai.system_instructions`
attributes (JSON, in the conventions' form). Attribute names are those of `opentelemetry-semantic-conventions`
0.66b2 (schema 1.44.0).

Needs `opentelemetry-api` (`pip install 'pydantic-ai-core[otel]'`); without an SDK configured, the spans and
metrics go nowhere.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from ..exceptions import ModelHTTPError, UserError
from ..hookspecs import hookimpl
from ..lifecycle import Hooks, RequestInfo, current_plugins, register_plugin
from ..lifecycle._manager import LifecyclePlugins
from ..messages import ModelMessage, ModelResponse
from ..models import Model, ModelRequestParameters, StreamedResponse
from ..registry import infer_model
from ..settings import ModelSettings
from ..usage import Usage
from . import _semconv as sc
from ._content import add_input_content, output_messages

__all__ = ('InstrumentationSettings', 'InstrumentedModel', 'OpenTelemetryPlugin', 'instrument_all')

# The conventions' advised bucket boundaries for the GenAI client histograms.
_TOKEN_BUCKETS = [4.0**i for i in range(14)]
_SECONDS_BUCKETS = [0.01 * 2.0**i for i in range(14)]

# Request settings recorded on the span, when set: setting key, attribute, accepted types.
_SETTING_ATTRIBUTES: tuple[tuple[str, str, tuple[type, ...]], ...] = (
    ('temperature', sc.GEN_AI_REQUEST_TEMPERATURE, (int, float)),
    ('max_tokens', sc.GEN_AI_REQUEST_MAX_TOKENS, (int,)),
    ('top_p', sc.GEN_AI_REQUEST_TOP_P, (int, float)),
    ('seed', sc.GEN_AI_REQUEST_SEED, (int,)),
    ('presence_penalty', sc.GEN_AI_REQUEST_PRESENCE_PENALTY, (int, float)),
    ('frequency_penalty', sc.GEN_AI_REQUEST_FREQUENCY_PENALTY, (int, float)),
)


class InstrumentationSettings:
    """Where spans and metrics go, and whether message content is recorded.

    Args:
        tracer_provider: The OpenTelemetry tracer provider; by default the global one (`trace.get_tracer_provider()`).
        meter_provider: The meter provider; by default the global one (`metrics.get_meter_provider()`).
        include_content: Record messages, tool arguments and results, and answers on the span. Off by default:
            prompts and answers often hold personal data.
    """

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        include_content: bool = False,
    ) -> None:
        if not isinstance(include_content, bool):
            raise UserError(f'`include_content` must be True or False, got {include_content!r}.')
        tracer_provider = tracer_provider if tracer_provider is not None else trace.get_tracer_provider()
        meter_provider = meter_provider if meter_provider is not None else metrics.get_meter_provider()
        self.include_content = include_content
        """Whether message content is recorded."""
        version = _core_version()
        self.tracer = tracer_provider.get_tracer(_SCOPE, version, schema_url=sc.SCHEMA_URL)
        """The tracer spans are made with."""
        meter = meter_provider.get_meter(_SCOPE, version, schema_url=sc.SCHEMA_URL)
        self.token_usage = meter.create_histogram(
            sc.GEN_AI_CLIENT_TOKEN_USAGE,
            unit='{token}',
            description='Number of input and output tokens used.',
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        """The `gen_ai.client.token.usage` histogram."""
        self.operation_duration = meter.create_histogram(
            sc.GEN_AI_CLIENT_OPERATION_DURATION,
            unit='s',
            description='GenAI operation duration.',
            explicit_bucket_boundaries_advisory=_SECONDS_BUCKETS,
        )
        """The `gen_ai.client.operation.duration` histogram."""
        self.time_to_first_chunk = meter.create_histogram(
            sc.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
            unit='s',
            description='Time to receive the first chunk of a streamed response.',
            explicit_bucket_boundaries_advisory=_SECONDS_BUCKETS,
        )
        """The `gen_ai.client.operation.time_to_first_chunk` histogram (streams)."""

    def __repr__(self) -> str:
        return f'InstrumentationSettings(include_content={self.include_content!r})'


@dataclass
class _Open:
    """What a request's span needs between its start and its end."""

    span: trace.Span
    metric_attributes: dict[str, Any]


class OpenTelemetryPlugin:
    """The lifecycle plugin that turns each request into a span and metric points; see the module docs."""

    def __init__(self, settings: InstrumentationSettings) -> None:
        self.settings = settings
        self._key = f'opentelemetry#{id(self)}'

    def __repr__(self) -> str:
        return f'OpenTelemetryPlugin({self.settings!r})'

    @hookimpl
    def pydantic_ai_request_start(self, request: RequestInfo) -> None:
        """Open the request's span."""
        model = request.model
        model_name = model.model_name
        provider = model.system or 'unknown'
        metric_attributes: dict[str, Any] = {
            sc.GEN_AI_OPERATION_NAME: sc.OPERATION_CHAT,
            sc.GEN_AI_PROVIDER_NAME: provider,
            sc.GEN_AI_REQUEST_MODEL: model_name,
        }
        address, port = _server(model.base_url)
        if address is not None:
            metric_attributes[sc.SERVER_ADDRESS] = address
            if port is not None:
                metric_attributes[sc.SERVER_PORT] = port
        attributes = dict(metric_attributes)
        attributes[sc.GEN_AI_SYSTEM] = provider
        if request.stream:
            attributes[sc.GEN_AI_REQUEST_STREAM] = True
        settings = request.model_settings
        if settings:
            _add_settings(attributes, settings)
        if self.settings.include_content:
            add_input_content(attributes, request.messages)
        span = self.settings.tracer.start_span(f'chat {model_name}', kind=SpanKind.CLIENT, attributes=attributes)
        request.annotations[self._key] = _Open(span, metric_attributes)

    @hookimpl
    def pydantic_ai_request_end(self, request: RequestInfo, response: ModelResponse) -> None:
        """Close the span with the response's attributes and record the metrics."""
        opened: _Open | None = request.annotations.pop(self._key, None)
        if opened is None:
            return
        attributes: dict[str, Any] = {}
        metric_attributes = opened.metric_attributes
        if response.model_name:
            attributes[sc.GEN_AI_RESPONSE_MODEL] = response.model_name
            metric_attributes[sc.GEN_AI_RESPONSE_MODEL] = response.model_name
        if response.provider_response_id:
            attributes[sc.GEN_AI_RESPONSE_ID] = response.provider_response_id
        if response.finish_reason:
            attributes[sc.GEN_AI_RESPONSE_FINISH_REASONS] = (response.finish_reason,)
        usage = response.usage
        _add_usage(attributes, usage)
        ttfc = request.time_to_first_chunk
        if ttfc is not None:
            attributes[sc.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttfc
            self.settings.time_to_first_chunk.record(ttfc, metric_attributes)
        if request.cancelled:
            attributes[sc.PYDANTIC_AI_CANCELLED] = True
        waited = response.provider_details.get('rate_limit_wait') if response.provider_details else None
        if isinstance(waited, float) and waited > 0:
            attributes[sc.PYDANTIC_AI_RATE_LIMIT_WAIT] = waited
        if self.settings.include_content:
            attributes[sc.GEN_AI_OUTPUT_MESSAGES] = output_messages(response)
        span = opened.span
        span.set_attributes(attributes)
        span.end()
        duration = request.duration
        if duration is not None:
            self.settings.operation_duration.record(duration, metric_attributes)
        self._record_tokens(usage, metric_attributes)

    @hookimpl
    def pydantic_ai_request_error(self, request: RequestInfo, error: BaseException) -> None:
        """Close the span as failed (or cancelled), recording the exception."""
        opened: _Open | None = request.annotations.pop(self._key, None)
        if opened is None:
            return
        span = opened.span
        metric_attributes = opened.metric_attributes
        if request.cancelled:
            span.set_attribute(sc.PYDANTIC_AI_CANCELLED, True)
        else:
            error_type = type(error).__name__
            attributes: dict[str, Any] = {sc.ERROR_TYPE: error_type}
            if isinstance(error, ModelHTTPError):
                attributes[sc.HTTP_RESPONSE_STATUS_CODE] = error.status_code
            span.set_attributes(attributes)
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f'{error_type}: {error}'))
            metric_attributes[sc.ERROR_TYPE] = error_type
        span.end()
        duration = request.duration
        if duration is not None:
            self.settings.operation_duration.record(duration, metric_attributes)

    def _record_tokens(self, usage: Usage, metric_attributes: dict[str, Any]) -> None:
        if usage.request_tokens is not None:
            self.settings.token_usage.record(
                usage.request_tokens, {**metric_attributes, sc.GEN_AI_TOKEN_TYPE: sc.TOKEN_TYPE_INPUT}
            )
        if usage.response_tokens is not None:
            self.settings.token_usage.record(
                usage.response_tokens, {**metric_attributes, sc.GEN_AI_TOKEN_TYPE: sc.TOKEN_TYPE_OUTPUT}
            )


class InstrumentedModel(Model):
    """A model whose every request is traced with OpenTelemetry; wraps any `Model`.

    A plain wrapper: its `request()` and `request_stream()` are the wrapped model's (which run that model's own
    request duties: the allow-requests check, the process-wide lifecycle plugins, closing the stream), reported to
    this wrapper's own OpenTelemetry plugin through the base class's `_observed_request()`/`_observed_stream()`.
    With `instrument_all()` on too, a request gives two spans: this wrapper's, around the wrapped model's.

    Args:
        wrapped: The model to trace, or a `'provider:model-name'` string for `infer_model()`.
        settings: Where spans and metrics go; by default the global OpenTelemetry providers, without content.
    """

    def __init__(self, wrapped: Model | str, settings: InstrumentationSettings | None = None) -> None:
        if not isinstance(wrapped, (Model, str)):
            raise UserError(f'InstrumentedModel wraps a Model or a "provider:model-name" string, got {wrapped!r}.')
        self.wrapped: Model = infer_model(wrapped)
        """The model whose requests are traced."""
        self.settings: InstrumentationSettings = settings if settings is not None else InstrumentationSettings()
        """Where spans and metrics go."""
        plugins = LifecyclePlugins()
        plugins.register(OpenTelemetryPlugin(self.settings), name='opentelemetry')
        # Not None: one plugin was just registered.
        self._hooks = cast(Hooks, plugins.hooks())

    def __repr__(self) -> str:
        return f'InstrumentedModel({self.wrapped!r})'

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """The wrapped model's `request`, in a span."""
        return await self._observed_request(
            self._hooks, self.wrapped.request, messages, model_settings, model_request_parameters
        )

    def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> AbstractAsyncContextManager[StreamedResponse]:
        """The wrapped model's `request_stream`, in a span that lasts until the block is left."""
        opened = self.wrapped.request_stream(messages, model_settings, model_request_parameters)
        return self._observed_stream(self._hooks, opened, messages, model_settings, model_request_parameters)

    @property
    def model_name(self) -> str:
        """The wrapped model's name."""
        return self.wrapped.model_name

    @property
    def system(self) -> str | None:
        """The wrapped model's provider name."""
        return self.wrapped.system

    @property
    def base_url(self) -> str | None:
        """The wrapped model's base URL."""
        return self.wrapped.base_url

    @property
    def supports_streaming(self) -> bool:
        """Whether the wrapped model streams."""
        return self.wrapped.supports_streaming


PLUGIN_NAME = 'opentelemetry'
"""The name `instrument_all()` registers its plugin under: `current_plugins().get_plugin(PLUGIN_NAME)` finds it."""


def instrument_all(settings: InstrumentationSettings | bool = True) -> None:
    """Trace every request of every model reporting to the lifecycle hooks in force (by default process-wide).

    The tracing plugin is registered in `pydantic_ai.lifecycle.current_plugins()` under the name `'opentelemetry'`:
    the process-wide set, or the one made current with `use_plugins()`.

    Args:
        settings: `True` for the default settings (global providers, no content), an `InstrumentationSettings`,
            or `False` to turn tracing off again. Calling it again replaces the previous settings.
    """
    if not isinstance(settings, (bool, InstrumentationSettings)):
        raise UserError(f'`instrument_all()` takes True, False or InstrumentationSettings, got {settings!r}.')
    plugins = current_plugins()
    previous = plugins.get_plugin(PLUGIN_NAME)
    if isinstance(previous, OpenTelemetryPlugin):
        plugins.unregister(previous)
    if settings is False:
        return
    plugin = OpenTelemetryPlugin(InstrumentationSettings() if settings is True else settings)
    register_plugin(plugin, name=PLUGIN_NAME, plugins=plugins)


# The instrumentation scope: the core distribution's name (`pydantic_ai.CORE_DISTRIBUTION`, not imported from the
# package facade, which imports this module on demand).
_SCOPE = 'pydantic-ai-core'


@lru_cache(maxsize=1)
def _core_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version(_SCOPE)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=64)
def _server(base_url: str | None) -> tuple[str | None, int | None]:
    if not base_url:
        return None, None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError:
        return None, None
    if port is None:
        port = {'https': 443, 'http': 80}.get(parts.scheme)
    return parts.hostname, port


def _add_settings(attributes: dict[str, Any], settings: ModelSettings) -> None:
    values: dict[str, Any] = dict(settings)
    for key, attribute, types in _SETTING_ATTRIBUTES:
        value = values.get(key)
        if value is not None and isinstance(value, types) and not isinstance(value, bool):
            attributes[attribute] = value
    stop = values.get('stop_sequences')
    if isinstance(stop, (list, tuple)) and all(isinstance(s, str) for s in stop):
        attributes[sc.GEN_AI_REQUEST_STOP_SEQUENCES] = tuple(stop)


def _add_usage(attributes: dict[str, Any], usage: Usage) -> None:
    """The usage's token counts as the conventions' attributes.

    Cache reads come from `Usage.cache_read_tokens`; a model that counts them only in `details['cached_tokens']`
    (the key models used before the field existed) is read there instead.
    """
    if usage.request_tokens is not None:
        attributes[sc.GEN_AI_USAGE_INPUT_TOKENS] = usage.request_tokens
    if usage.response_tokens is not None:
        attributes[sc.GEN_AI_USAGE_OUTPUT_TOKENS] = usage.response_tokens
    details = usage.details or {}
    reasoning = details.get('reasoning_tokens')
    if reasoning is not None:
        attributes[sc.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = reasoning
    cached = usage.cache_read_tokens if usage.cache_read_tokens is not None else details.get('cached_tokens')
    if cached is not None:
        attributes[sc.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = cached
