"""One side of the tracing benchmark, run in a subprocess: this project's or pydantic-ai's Groq model, tracing off/on.

Run by `bench.tracing` with the interpreter of the environment under test (this project's `.venv`, or the
pydantic-ai peer environment under `.cache/peers/`); it imports only that environment's `pydantic_ai` and the
stdlib-only `bench.payloads`. Usage::

    python -m bench.tracing_worker {ours,pydantic-ai} BASE_URL REQUESTS CHUNKS ROUNDS

It prints one JSON object: for each variant, per round, the client CPU seconds per request (W2 shape: `REQUESTS`
sequential non-streamed requests) and per streamed event (W3 shape: one stream of `CHUNKS` chunks). Variants: `off`,
`on`, and for this project `bare`: the model's protected `_request`/`_request_stream` called directly, without the
request duties `Model.request()` runs around them (the hooks, the allow-requests check), i.e. the request path
without the hooks.
Tracing on means an OpenTelemetry SDK `TracerProvider` with a `SimpleSpanProcessor` into an `InMemorySpanExporter`
and a `MeterProvider` with an `InMemoryMetricReader`, no message content recorded.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from bench import payloads

VARIANTS = {'ours': ('bare', 'off', 'on'), 'pydantic-ai': ('off', 'on')}


def _otel() -> tuple[Any, Any, Any]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    return tracer_provider, meter_provider, exporter


class _Bare:
    """A GroqModel called through its protected methods: the request path without the request duties."""

    def __init__(self, model: Any) -> None:
        self._model = model

    async def request(self, *args: Any) -> Any:
        return await self._model._request(*args)

    @asynccontextmanager
    async def request_stream(self, *args: Any) -> AsyncIterator[Any]:
        stream = await self._model._request_stream(*args)
        try:
            yield stream
        finally:
            await stream.aclose()


def _ours(base_url: str, http: Any) -> tuple[Callable[[str, str], Any], Callable[[], list[Any]], Any]:
    from pydantic_ai.messages import ModelRequest
    from pydantic_ai.models import ModelRequestParameters
    from pydantic_ai.otel import InstrumentationSettings, instrument_all
    from pydantic_ai_groq import GroqModel, GroqProvider

    tracer_provider, meter_provider, exporter = _otel()
    settings = InstrumentationSettings(tracer_provider=tracer_provider, meter_provider=meter_provider)
    provider = GroqProvider(api_key=payloads.API_KEY, base_url=base_url, http_client=http)
    models: dict[str, Any] = {}

    def model(variant: str, name: str) -> Any:
        # Process-wide switch: the same GroqModel, traced through the lifecycle hooks when on.
        instrument_all(settings if variant == 'on' else False)
        found = models.get(name)
        if found is None:
            found = models[name] = GroqModel(name, provider=provider)
        return _Bare(found) if variant == 'bare' else found

    def messages() -> list[Any]:
        return [ModelRequest.user_text_prompt(payloads.USER_PROMPT)]

    return model, messages, (ModelRequestParameters(), exporter)


def _peer(base_url: str, http: Any) -> tuple[Callable[[str, str], Any], Callable[[], list[Any]], Any]:
    from pydantic_ai.messages import ModelRequest
    from pydantic_ai.models import ModelRequestParameters
    from pydantic_ai.models.groq import GroqModel
    from pydantic_ai.otel import InstrumentationSettings, InstrumentedModel
    from pydantic_ai.providers.groq import GroqProvider

    tracer_provider, meter_provider, exporter = _otel()
    settings = InstrumentationSettings(
        tracer_provider=tracer_provider, meter_provider=meter_provider, include_content=False
    )
    provider = GroqProvider(api_key=payloads.API_KEY, base_url=base_url, http_client=http)
    models: dict[tuple[str, str], Any] = {}

    def model(variant: str, name: str) -> Any:
        found = models.get((variant, name))
        if found is None:
            plain = GroqModel(name, provider=provider)
            found = models[(variant, name)] = InstrumentedModel(plain, settings) if variant == 'on' else plain
        return found

    def messages() -> list[Any]:
        return [ModelRequest.user_text_prompt(payloads.USER_PROMPT)]

    return model, messages, (ModelRequestParameters(), exporter)


async def _cpu(operation: Callable[[], Awaitable[Any]], per: int) -> float:
    gc.collect()
    before = time.process_time()
    await operation()
    return (time.process_time() - before) / per


async def main(impl: str, base_url: str, requests: int, chunks: int, rounds: int) -> dict[str, Any]:
    import httpx

    stream_model = payloads.stream_model(chunks)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100)) as http:
        model_for, messages, (params, exporter) = (_ours if impl == 'ours' else _peer)(base_url, http)

        async def complete(variant: str) -> None:
            model = model_for(variant, payloads.TEXT_MODEL)
            history = messages()
            for _ in range(requests):
                result = await model.request(history, None, params)
                response = result[0] if isinstance(result, tuple) else result
                if response.parts[0].content != payloads.TEXT:
                    raise RuntimeError(f'unexpected answer {response.parts[0].content!r}')

        async def stream(variant: str) -> None:
            model = model_for(variant, stream_model)
            events = 0
            async with model.request_stream(messages(), None, params) as streamed:
                async for _ in streamed:
                    events += 1
                text = streamed.get().parts[0].content
            if text != payloads.expected_text(chunks):
                raise RuntimeError('unexpected streamed text')

        variants = VARIANTS[impl]
        results: dict[str, dict[str, list[float]]] = {v: {'request': [], 'chunk': []} for v in variants}
        for variant in variants:  # warm-up, untimed
            await complete(variant)
            await stream(variant)
        for index in range(rounds):
            shift = index % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                results[variant]['request'].append(await _cpu(lambda v=variant: complete(v), requests))
                results[variant]['chunk'].append(await _cpu(lambda v=variant: stream(v), chunks))
                exporter.clear()
        model_for('off', payloads.TEXT_MODEL)  # leaves process-wide tracing off
    import importlib.metadata as metadata

    dist = 'pydantic-ai-core' if impl == 'ours' else 'pydantic-ai-slim'
    return {'impl': impl, 'version': metadata.version(dist), 'results': results}


if __name__ == '__main__':
    impl, base_url, requests, chunks, rounds = sys.argv[1:6]
    if impl not in ('ours', 'pydantic-ai'):
        raise SystemExit(f'unknown implementation {impl!r}: use ours or pydantic-ai')
    print(json.dumps(asyncio.run(main(impl, base_url, int(requests), int(chunks), int(rounds)))))
