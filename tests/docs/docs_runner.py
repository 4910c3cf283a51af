"""Run a page's examples, offline, and compare what each prints with its `# >` lines.

Each page gets a fresh `GroqTestServer` and a scratch directory. Examples see `GROQ_BASE_URL` pointing at the server
and a fake `GROQ_API_KEY`, so `Agent('groq:...')`, `GroqModel(...)`, `pai` and `python -m ...` run as written; the
server answers with what `docs_scripts.EXAMPLES` scripts for the example (a tool call, a structured result), or else
echoes the last user message.

- Python examples of most pages run in this process, one after the other in one namespace (as cells of a
  notebook): a later example may use what an earlier one defined. Top-level `await` is allowed there. They run in a
  fresh `contextvars.Context` with `pydantic_ai.models.ALLOW_MODEL_REQUESTS = True`, as in a new program: the
  suite's own switch and its per-test override do not apply, and an example that sets the switch sees its effect.
- Python examples of an *isolated* page (`docs_scripts.PAGES`) each run as a script in a fresh interpreter, for
  examples that install distributions (entry points are read once per process), set process-wide tracing, or start
  durable-execution engines.
- Bash examples run with `bash -e` in the scratch directory, with the virtual environment's `bin/` first on `PATH`
  (so `pai` is this checkout's) and `cassettes/` linked to the checkout's. Only stdout is compared; show stderr
  with `2>&1`.
- File examples (`# app.py`, `# pyproject.toml`) are written into the scratch directory, which is on `PYTHONPATH`
  (and so is its `src/`); a `pyproject.toml` is installed there as a distribution (its name, version and entry
  points), as `pip install -e .` would.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import contextvars
import difflib
import importlib
import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import pydantic_ai._http
import pydantic_ai.models
from pydantic_ai._sync import _run_in_thread_loop
from pydantic_ai_groq.testing import GroqTestServer, RecordedRequest, ScriptedResponse

from docs_blocks import Block, blocks, expected_output, output_matches
from support.constants import FAKE_GROQ_API_KEY, PROJECT_ROOT
from support.distributions import write_distribution

__all__ = ('Example', 'ExampleRun', 'Page', 'PageRun', 'run_page')

TIMEOUT = 120.0
"""Seconds an example run in a subprocess may take (the durable-execution examples start their engines)."""


@dataclass(frozen=True)
class Example:
    """What one example needs beyond the page's defaults, and what to check beyond what it prints.

    `marker` is a piece of text found in exactly one example of `page` (a test checks it), so entries follow their
    example when pages change.
    """

    page: str
    marker: str
    answers: Sequence[ScriptedResponse] = ()
    """Queued on the test server before the example runs, answered in order."""
    env: Mapping[str, str | None] = field(default_factory=dict)
    """Environment variables set (or, for `None`, removed) for this example only."""
    replace: Mapping[str, str] = field(default_factory=dict)
    """Text substituted in the example before it runs (each must occur): keep these for waiting times only."""
    setup: Callable[[GroqTestServer], None] | None = None
    """Called with the server before the example runs (to script batches, say)."""
    check: Callable[[ExampleRun], None] | None = None
    """Assertions beyond the printed output, called after the example ran."""


@dataclass(frozen=True)
class Page:
    """How a page's examples run."""

    page: str
    isolated: bool = False
    """Each Python example runs in a fresh interpreter (see the module docs)."""
    server: Callable[[], GroqTestServer] = GroqTestServer
    """Builds the page's test server (with rate limits, say)."""
    after: Callable[[PageRun], None] | None = None
    """Assertions about the page as a whole, called after its last example."""


@dataclass
class ExampleRun:
    """One example that ran: what it printed and what the server received meanwhile."""

    block: Block
    server: GroqTestServer
    workdir: Path
    printed: str
    first_request: int
    namespace: dict[str, Any] | None = None
    """The page's namespace after the example (examples that run in this process)."""
    stderr: str = ''
    """What the example wrote on stderr (examples run in a subprocess)."""

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests the server received while the example ran."""
        return self.server.requests[self.first_request :]

    @property
    def bodies(self) -> list[Any]:
        """The JSON bodies of `requests`."""
        return [request.json for request in self.requests]


@dataclass
class PageRun:
    """A page whose examples ran."""

    page: Page
    server: GroqTestServer
    workdir: Path
    env: dict[str, str]
    runs: list[ExampleRun] = field(default_factory=list)

    def run(self, marker: str) -> ExampleRun:
        """The run of the example containing `marker`."""
        (found,) = [run for run in self.runs if marker in run.block.text]
        return found

    def run_again(self, marker: str) -> str:
        """Run an isolated page's example once more, as it ran the first time; return what it printed."""
        return _run_script(self.run(marker).block, self.workdir, self.env)[0]


def run_page(page: Page, examples: Sequence[Example], workdir: Path, monkeypatch: pytest.MonkeyPatch) -> PageRun:
    """Run every example of `page` in order; fail at the first that fails or prints something else than it shows."""
    path = PROJECT_ROOT / page.page  # an absolute `page.page` (the runner's own tests) stays as it is
    by_block = _configs(path, examples)
    # Shell examples name recordings as they are in a checkout (`pai --replay cassettes/...`).
    (workdir / 'cassettes').symlink_to(PROJECT_ROOT / 'cassettes')
    with page.server() as server:
        env = _environment(server, workdir)
        run = PageRun(page, server, workdir, env)
        with _in_process(workdir, env, monkeypatch) as local:
            for block in blocks(path):
                if block.file_path is not None:
                    _write_file(block, workdir)
                    continue
                if not block.runs:
                    continue
                config = by_block.get(block, Example(page.page, ''))
                example = _run_example(block, config, page, server, workdir, env, local)
                run.runs.append(example)
                if config.check is not None:
                    config.check(example)
        if page.after is not None:
            page.after(run)
    return run


def _configs(path: Path, examples: Sequence[Example]) -> dict[Block, Example]:
    runnable = [block for block in blocks(path) if block.runs]
    found: dict[Block, Example] = {}
    for example in examples:
        matches = [block for block in runnable if example.marker in block.text]
        assert len(matches) == 1, f'{example.page}: {len(matches)} examples contain {example.marker!r}, not one'
        found[matches[0]] = example
    return found


def _environment(server: GroqTestServer, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('GROQ_', 'PAI_', 'PYTEST_'))}
    env.update(
        GROQ_API_KEY=FAKE_GROQ_API_KEY,
        GROQ_BASE_URL=server.base_url,
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get('PATH', '')]),
        PYTHONPATH=os.pathsep.join([str(workdir), str(workdir / 'src')]),
        PAI_HISTORY_FILE=str(workdir / '.pai_history'),
    )
    return env


def _run_example(
    block: Block,
    config: Example,
    page: Page,
    server: GroqTestServer,
    workdir: Path,
    env: Mapping[str, str],
    local: _LocalRunner,
) -> ExampleRun:
    for old in config.replace:
        assert old in block.text, f'{block.where}: the substitution of {old!r} no longer applies'
    text = block.text
    for old, new in config.replace.items():
        text = text.replace(old, new)
    block_to_run = Block(block.page, block.line, block.language, text)
    if config.setup is not None:
        config.setup(server)
    server.enqueue(*config.answers)
    first_request = server.request_count
    example_env = {**env, **{k: v for k, v in config.env.items() if v is not None}}
    for name, value in config.env.items():
        if value is None:
            example_env.pop(name, None)
    namespace = None
    stderr = ''
    if block.language == 'bash':
        printed, stderr = _run_bash(block_to_run, workdir, example_env)
    elif page.isolated:
        printed, stderr = _run_script(block_to_run, workdir, example_env)
    else:
        printed = local.run(block_to_run, config.env)
        namespace = local.namespace
    _compare(block, printed)
    return ExampleRun(block, server, workdir, printed, first_request, namespace, stderr)


def _compare(block: Block, printed: str) -> None:
    expected = expected_output(block)
    if output_matches(expected, printed):
        return
    shown = '\n'.join(expected)
    diff = '\n'.join(
        difflib.unified_diff(shown.splitlines(), printed.splitlines(), 'page (# > lines)', 'printed', lineterm='')
    )
    if not expected:
        raise AssertionError(
            f'{block.where}: the example prints what the page does not show (add # > lines):\n{printed}'
        )
    raise AssertionError(f'{block.where}: the example printed something else than its # > lines say:\n{diff}')


def _run_script(block: Block, workdir: Path, env: Mapping[str, str]) -> tuple[str, str]:
    script = workdir / f'_example_{block.line}.py'
    script.write_text(block.source, encoding='utf-8')
    return _subprocess([sys.executable, str(script)], block, workdir, env)


def _run_bash(block: Block, workdir: Path, env: Mapping[str, str]) -> tuple[str, str]:
    script = workdir / f'_example_{block.line}.sh'
    script.write_text(block.source, encoding='utf-8')
    return _subprocess(['bash', '-e', str(script)], block, workdir, env)


def _subprocess(command: list[str], block: Block, workdir: Path, env: Mapping[str, str]) -> tuple[str, str]:
    done = subprocess.run(
        command, cwd=workdir, env=dict(env), capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise AssertionError(
            f'{block.where}: the example failed (exit status {done.returncode}).\n'
            f'stdout:\n{done.stdout}\nstderr:\n{done.stderr}'
        )
    return done.stdout, done.stderr


def _write_file(block: Block, workdir: Path) -> None:
    assert block.file_path is not None
    path = workdir / block.file_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.text.split('\n', 1)[1], encoding='utf-8')
    if path.name == 'pyproject.toml':
        _install(block, workdir)


def _install(block: Block, workdir: Path) -> None:
    """Install a `pyproject.toml` example into `workdir` as `pip install -e .` would: its metadata and entry points.

    The file is read with two patterns rather than `tomllib` (Python 3.10 has none); the pages' files are simple.
    """
    text = block.text
    project = dict(re.findall(r'^(name|version) = "(.+)"$', text, flags=re.MULTILINE))
    assert 'name' in project, f'{block.where}: a pyproject.toml example without a [project] name'
    groups: dict[str, dict[str, str]] = {}
    for group, body in re.findall(r'^\[project\.entry-points\."([^"]+)"\]\n((?:[^\[\n].*\n?)*)', text, re.MULTILINE):
        groups[group] = dict(re.findall(r'^"?([\w.-]+)"? = "(.+)"$', body, flags=re.MULTILINE))
    for old in workdir.glob(f'{re.sub(r"[-_.]+", "_", project["name"])}-*.dist-info'):
        shutil.rmtree(old)
    providers = groups.pop('pydantic_ai.providers', {})
    write_distribution(
        workdir, project['name'], version=project.get('version', '0'), providers=providers, entry_points=groups
    )


class _LocalRunner:
    """Runs a page's Python examples in this process, in one namespace and one fresh context (see the module docs)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.namespace: dict[str, Any] = {'__name__': '__main__'}
        self.context = contextvars.Context()
        self.loop = asyncio.new_event_loop()
        self.monkeypatch = monkeypatch

    def run(self, block: Block, env: Mapping[str, str | None]) -> str:
        code = compile(block.source, block.page, 'exec', flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
        printed = io.StringIO()
        with self.monkeypatch.context() as patch, contextlib.redirect_stdout(printed):
            for name, value in env.items():
                patch.delenv(name, raising=False) if value is None else patch.setenv(name, value)
            self.context.run(self._execute, code)
        return printed.getvalue()

    def _execute(self, code: Any) -> None:
        if code.co_flags & 0x80:  # CO_COROUTINE: the example awaits at top level
            # The task is created here, so it runs in (a copy of) this runner's context, as `asyncio.Runner` would
            # run it (not used: Python 3.10 has none).
            self.loop.run_until_complete(self.loop.create_task(eval(code, self.namespace)))
        else:
            exec(code, self.namespace)

    def close(self) -> None:
        def finish() -> None:
            try:
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
                self.loop.run_until_complete(self.loop.shutdown_default_executor())
            finally:
                self.loop.close()

        self.context.run(finish)


@contextlib.contextmanager
def _in_process(workdir: Path, env: Mapping[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[_LocalRunner]:
    for name in [k for k in os.environ if k.startswith(('GROQ_', 'PAI_'))]:
        monkeypatch.delenv(name)
    for name in ('GROQ_API_KEY', 'GROQ_BASE_URL', 'PAI_HISTORY_FILE'):
        monkeypatch.setenv(name, env[name])
    monkeypatch.chdir(workdir)
    monkeypatch.syspath_prepend(str(workdir))
    monkeypatch.setattr(pydantic_ai.models, 'ALLOW_MODEL_REQUESTS', True)
    modules = set(sys.modules)
    runner = _LocalRunner(monkeypatch)
    try:
        yield runner
    finally:
        runner.close()
        # `run_sync` ran in the event loop kept for this thread, through the shared clients: close that loop's
        # connections now, or they stay open until some later test replaces the clients.
        for client in list(pydantic_ai._http._shared_clients.values()):
            _run_in_thread_loop(client.aclose())
        for name in set(sys.modules) - modules:
            module_file = getattr(sys.modules[name], '__file__', None) or ''
            if module_file.startswith(str(workdir)):
                del sys.modules[name]
        importlib.invalidate_caches()
