"""W7's measured script, run by each implementation's own interpreter: this project's and the peer venv's.

`python bench/agent_run.py <base_url> <runs>` runs one agent (two tools, a structured result) against the benchmark
server `runs` times after a warm-up and prints JSON: the client CPU seconds of each run, and the package versions.
It imports only the standard library and the names both implementations share (`pydantic_ai.Agent`,
`pydantic_ai.models.groq.GroqModel`, `pydantic_ai.providers.groq.GroqProvider`), so the same file measures both.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import sys
import time
from importlib import metadata
from typing import Any

AGENT_MODEL = 'bench-agent'
API_KEY = 'gsk-bench-not-a-real-key'
EXPECTED = {'city': 'Paris', 'temperature': 21}
WARMUP = 3


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


async def _measure(base_url: str, runs: int) -> dict[str, Any]:
    import httpx
    from pydantic import BaseModel

    from pydantic_ai import Agent
    from pydantic_ai.models.groq import GroqModel
    from pydantic_ai.providers.groq import GroqProvider

    class CityWeather(BaseModel):
        city: str
        temperature: int

    # The current pydantic-ai names the result `output_type`; this project keeps the original `result_type`.
    result_kw = 'output_type' if 'output_type' in inspect.signature(Agent).parameters else 'result_type'
    async with httpx.AsyncClient(verify=False, timeout=30) as client:
        provider = GroqProvider(api_key=API_KEY, base_url=base_url, http_client=client)
        agent = Agent(GroqModel(AGENT_MODEL, provider=provider), **{result_kw: CityWeather})

        @agent.tool_plain
        def get_city(country: str) -> str:
            """The capital of a country."""
            return 'Paris'

        @agent.tool_plain
        def get_weather(city: str) -> int:
            """The temperature in a city, in degrees Celsius."""
            return 21

        cpu: list[float] = []
        for index in range(WARMUP + runs):
            start = time.process_time()
            result = await agent.run('What is the weather in the capital of France?')
            elapsed = time.process_time() - start
            if result.output.model_dump() != EXPECTED:
                raise SystemExit(f'unexpected result {result.output!r}')
            if index >= WARMUP:
                cpu.append(elapsed)
        requests = result.usage().requests
    return {
        'cpu': cpu,
        'requests_per_run': requests,
        'pydantic_ai': _version('pydantic-ai-slim') or _version('pydantic-ai-core'),
        'distribution': 'pydantic-ai-slim' if _version('pydantic-ai-slim') else 'pydantic-ai-core',
    }


def main() -> None:
    base_url, runs = sys.argv[1], int(sys.argv[2])
    print(json.dumps(asyncio.run(_measure(base_url, runs))))


if __name__ == '__main__':
    main()
