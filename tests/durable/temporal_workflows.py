"""Workflows of the in-process Temporal tests (the agents are passed through the sandbox, as users do)."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from inprocess_agents import Deps, Forecast, weather

    from pydantic_ai import ModelMessage, UsageLimits
    from pydantic_ai.durable_exec.temporal import TemporalAgent
    from pydantic_ai.models.test import TestModel

temporal_weather = TemporalAgent(weather)


class WeatherResult(BaseModel):
    forecast: Forecast
    messages: list[ModelMessage]
    requests: int


@workflow.defn
class WeatherWorkflow:
    @workflow.run
    async def run(self, prompt: str, deps: Deps) -> WeatherResult:
        result = await temporal_weather.run(prompt, deps=deps)
        return WeatherResult(forecast=result.data, messages=result.all_messages(), requests=result.usage().requests)


@workflow.defn
class MisuseWorkflow:
    @workflow.run
    async def run(self, kind: str) -> str:
        deps = Deps(unit='C')
        if kind == 'run_sync':
            temporal_weather.run_sync('Weather?', deps=deps)
        elif kind == 'run_stream':
            async with temporal_weather.run_stream('Weather?', deps=deps):
                pass
        elif kind == 'other_model':
            await temporal_weather.run('Weather?', deps=deps, model=TestModel())
        elif kind == 'limits':
            await temporal_weather.run('Weather?', deps=deps, usage_limits=UsageLimits(request_limit=1))
        elif kind == 'stubborn':
            await temporal_weather.run('stubborn', deps=deps)
        elif kind == 'opaque_deps':
            await temporal_weather.run('Weather?', deps=object())  # type: ignore[arg-type]
        return 'not reached'
