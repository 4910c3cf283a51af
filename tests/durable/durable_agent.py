"""The agent the durable tests run in subprocesses: Groq (the local test server), two tools with side effects.

Configured by environment variables, so a fresh process builds the same agent:

- `DURABLE_GROQ_URL`: the `GroqTestServer`'s base URL.
- `DURABLE_SIDE_DIR`: a directory where the tools append to `tools.log` (one line per start and per end of each
  execution) and the lifecycle hook appends to `hooks.log` (one line per completed model request). A file
  `block-<tool>` there makes the first execution of that tool wait forever (until its process is killed).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pydantic_ai import Agent, RunContext
from pydantic_ai.lifecycle import hookimpl, register_plugin
from pydantic_ai_groq import GroqModel, GroqProvider

SIDE = Path(os.environ['DURABLE_SIDE_DIR'])


class TripDeps(BaseModel):
    traveller: str


def log(line: str, file: str = 'tools.log') -> None:
    with open(SIDE / file, 'a') as handle:
        handle.write(line + '\n')
        handle.flush()
        os.fsync(handle.fileno())


def count(line: str, file: str = 'tools.log') -> int:
    path = SIDE / file
    return path.read_text().splitlines().count(line) if path.exists() else 0


async def _side_effect(name: str) -> None:
    log(f'{name} start')
    if count(f'{name} start') == 1 and (SIDE / f'block-{name}').exists():
        await asyncio.Event().wait()  # the process is killed while the tool runs
    log(f'{name} end')


class _Hooks:
    @hookimpl
    def pydantic_ai_request_end(self, request: Any, response: Any) -> None:
        log('request end', 'hooks.log')


register_plugin(_Hooks(), name='durable-test-hooks')

model = GroqModel(
    'llama-3.3-70b-versatile',
    provider=GroqProvider(api_key='gsk-test', base_url=os.environ['DURABLE_GROQ_URL'], max_retries=0),
)
agent = Agent(model, name='trip', deps_type=TripDeps, system_prompt='Plan trips.')


@agent.tool
async def lookup(ctx: RunContext[TripDeps], city: str) -> dict[str, str]:
    """Facts about a city."""
    await _side_effect('lookup')
    return {'city': city, 'for': ctx.deps.traveller}


@agent.tool_plain
async def book(city: str) -> str:
    """Book a hotel."""
    await _side_effect('book')
    return f'booked in {city}'
