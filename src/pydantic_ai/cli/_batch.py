"""`pai batch`: run a JSONL file of prompts as provider batches, and write one result line per prompt.

```text
pai batch prompts.jsonl -o results.jsonl [--model provider:name]
pai batch --resume batch_01abc -o results.jsonl [--model provider:name]
```

The formats are described in `pydantic_ai.cli._jsonl`. Every line is read and every request built before anything
is uploaded, so a bad line stops the command (exit 2) naming its line number. Lines naming different models go to
one batch per model. The batch ids are printed to stderr as soon as the batches are submitted; a progress bar
follows on stderr while the provider works. Interrupting (Ctrl-C) leaves the batches running at the provider:
resume with `--resume <batch_id>` (repeatable). Results are written in input order (when resuming: the batches in
the order given, each in its input order) once every batch has ended.

The model is chosen as for `pai`: `--model`, else `$PAI_MODEL`, else the provider's default (`--provider` picks the
provider of bare names). Vendor-neutral: models come from the provider registry and batches go through
`pydantic_ai.batch`, so any provider whose plugin supports batches works.

Exit status: 0 every item has a response; 1 some item has an error, or the provider's API failed; 2 usage error or
a bad input line (nothing was sent); 130 interrupted (the batches go on).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..batch import (
    BatchAPI,
    BatchItem,
    BatchItemError,
    BatchJob,
    BatchProgress,
    BatchResult,
    batch_api,
    get_batch,
    normalize_items,
)
from ..exceptions import CliError, ModelHTTPError, PydanticAIError, UserError
from ..models import Model
from ..providers import Provider
from ._command import CommandContext
from ._jsonl import PromptLine, read_prompt_lines, result_line
from ._providers import ModelChoice, build_model, build_provider, choose_model

__all__ = ('DESCRIPTION', 'add_arguments', 'run', 'EXIT_OK', 'EXIT_FAILED', 'EXIT_USAGE', 'EXIT_INTERRUPTED')

EXIT_OK = 0
"""Every item has a response."""
EXIT_FAILED = 1
"""Some item has an error, or the provider's API failed."""
EXIT_USAGE = 2
"""A usage error or a bad input line; nothing was sent."""
EXIT_INTERRUPTED = 130
"""Interrupted; the batches go on at the provider."""

_BAR_WIDTH = 30


DESCRIPTION = 'Run a JSONL file of prompts as a provider batch (cheaper, results within the completion window).'
"""What `pai batch --help` says first."""

_EPILOG = (
    'Input lines: {"custom_id": "q1", "prompt": "..."} or {"custom_id": "q1", "messages": [...]}, with '
    'optional "system", "model", "settings". Exit status: 0 all answered, 1 some item or the API failed, '
    '2 usage error or bad input line (nothing sent), 130 interrupted (the batch goes on: use --resume).'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command line of `pai batch`."""
    parser.epilog = _EPILOG
    parser.formatter_class = argparse.HelpFormatter
    parser.add_argument('input', nargs='?', help='the JSONL prompt file ("-" for stdin)')
    parser.add_argument('-o', '--output', required=True, help='where to write the JSONL results ("-" for stdout)')
    parser.add_argument(
        '-m',
        '--model',
        help="`provider:model-name`, or a model name of --provider (default: $PAI_MODEL, else the provider's own); "
        'a line\'s "model" overrides the name',
    )
    parser.add_argument('-p', '--provider', help='a registered provider name (default: the only installed one)')
    parser.add_argument(
        '--resume', action='append', metavar='BATCH_ID', help='collect a batch submitted earlier (repeatable)'
    )
    parser.add_argument('--poll-interval', type=float, default=10.0, help='seconds between status checks (10)')
    parser.add_argument('--quiet', action='store_true', help='no progress on stderr')


@dataclass
class _Group:
    """The lines of one model, and their batch once submitted."""

    model: str
    lines: list[PromptLine] = field(default_factory=list[PromptLine])
    job: BatchJob | None = None
    progress: BatchProgress | None = None


def run(options: argparse.Namespace, context: CommandContext) -> int:
    """Run `pai batch` with its parsed arguments and return its exit status."""
    err = context.stderr
    try:
        provider, name = choose_model(ModelChoice(model=options.model, provider=options.provider))
    except CliError as exc:
        print(f'pai batch: {exc}', file=err)
        return exc.exit_code
    model = f'{provider}:{name}'
    models = _Models()
    try:
        if options.poll_interval < 0:
            raise UserError('--poll-interval must be a number of seconds >= 0.')
        if bool(options.resume) == (options.input is not None):
            raise UserError('give either an input file, or --resume BATCH_ID (repeatable), not both or neither.')
        _check_output(options.output)
        if options.resume:
            resumed = models.get(model)
            groups = [_Group(model, job=get_batch(resumed, batch_id)) for batch_id in options.resume]
        else:
            groups = _read_groups(options.input, context.stdin, model)
    except CliError as exc:
        print(f'pai batch: {exc}', file=err)
        return exc.exit_code
    except UserError as exc:
        print(f'pai batch: {exc.message}', file=err)
        return EXIT_USAGE
    runner = _Runner(groups, models, options.poll_interval, err, quiet=options.quiet, output=options.output)
    try:
        results = asyncio.run(runner.run())
    except KeyboardInterrupt:
        print(f'\npai batch: interrupted; the batches go on at the provider. {runner.resume_hint()}', file=err)
        return EXIT_INTERRUPTED
    except (BatchItemError, _LineError) as exc:
        print(f'pai batch: {exc}', file=err)
        return EXIT_USAGE
    except CliError as exc:
        print(f'pai batch: {exc}', file=err)
        hint = runner.resume_hint()
        if hint:
            print(f'pai batch: {hint}', file=err)
        return exc.exit_code
    except PydanticAIError as exc:
        print(f'pai batch: {exc}', file=err)
        hint = runner.resume_hint()
        if hint:
            print(f'pai batch: {hint}', file=err)
        return EXIT_USAGE if isinstance(exc, UserError) and not runner.submitted else EXIT_FAILED
    try:
        _write(options.output, results, context.stdout)
    except OSError as exc:
        print(f'pai batch: cannot write {options.output}: {exc.strerror or exc}. {runner.resume_hint()}', file=err)
        return EXIT_FAILED
    failed = sum(1 for result in results if result.error is not None)
    if not options.quiet:
        print(f'pai batch: {len(results) - failed} answered, {failed} failed -> {options.output}', file=err)
    return EXIT_FAILED if failed else EXIT_OK


class _LineError(UserError):
    """A batch item error, re-told with the input line number."""


def _check_output(output: str) -> None:
    """Refuse an output path that cannot be written, before any batch is submitted."""
    if output == '-':
        return
    target = Path(output)
    if target.is_dir():
        raise UserError(f'-o {output} is a directory: give a file path, such as results.jsonl.')
    parent = target.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UserError(f'cannot write -o {output}: {parent} is not a writable directory.')


def _read_groups(path: str, stdin: IO[str], model: str) -> list[_Group]:
    if path == '-':
        lines = read_prompt_lines(stdin)
    else:
        try:
            with open(path, encoding='utf-8') as file:
                lines = read_prompt_lines(file)
        except OSError as exc:
            raise UserError(f'cannot read {path}: {exc.strerror or exc}.') from None
    groups: dict[str, _Group] = {}
    for line in lines:
        name = _line_model(line, model)
        groups.setdefault(name, _Group(name)).lines.append(line)
    return list(groups.values())


def _line_model(line: PromptLine, model: str) -> str:
    if line.model is not None and ':' in line.model:
        return line.model
    if line.model is None:
        return model
    return f'{model.partition(":")[0]}:{line.model}'


class _Models:
    """The models of one run, each built by its plugin on one provider per provider name, created on first use.

    The providers are created the way `pai` creates them, so a missing API key is a `CliError` naming the provider's
    own key variable (the provider's `UserError` would name its Python API).
    """

    def __init__(self) -> None:
        self._providers: dict[str, Provider[Any]] = {}

    def get(self, spec: str) -> Model:
        """The model of a `provider:model-name` spec.

        Raises:
            CliError: the provider has no API key configured (exit status 2).
        """
        provider_name, _, name = spec.partition(':')
        provider = self._providers.get(provider_name)
        if provider is None:
            provider = self._providers[provider_name] = build_provider(provider_name)
        return build_model(provider_name, name, provider)


class _Runner:
    """Submits (or resumes) every group's batch, shows progress, and collects results in input order."""

    def __init__(
        self, groups: list[_Group], models: _Models, poll_interval: float, err: IO[str], *, quiet: bool, output: str
    ) -> None:
        self.groups = groups
        self.models = models
        self.poll_interval = poll_interval
        self.err = err
        self.quiet = quiet
        self.output = output
        self.submitted = False
        self._last_line = ''
        self._is_tty = err.isatty()

    def resume_hint(self) -> str:
        ids = [g.job.batch_id for g in self.groups if g.job is not None]
        if not ids:
            return ''
        flags = ' '.join(f'--resume {batch_id}' for batch_id in ids)
        return f'Resume with: pai batch {flags} --model {self.groups[0].model} -o {self.output}'

    async def run(self) -> list[BatchResult]:
        if any(g.job is None for g in self.groups):
            await self._submit()
        else:
            await self._find_resumed()
        await asyncio.gather(*(self._wait(group) for group in self.groups))
        self._end_bar()
        results: list[BatchResult] = []
        for group in self.groups:
            results.extend(await _job(group).results())
        return results

    async def _find_resumed(self) -> None:
        """Ask for every resumed batch once, so that an id the provider does not know is named before any waiting.

        Raises:
            CliError: the provider answered 404 for some of the ids (exit status 2); they are left out of the
                resume hint.
        """
        statuses = await asyncio.gather(*(_job(group).status() for group in self.groups), return_exceptions=True)
        unknown: list[_Group] = []
        for group, status in zip(self.groups, statuses, strict=True):
            if isinstance(status, ModelHTTPError) and status.status_code == 404:
                unknown.append(group)
            elif isinstance(status, BaseException):
                raise status
            else:
                group.progress = status
        if unknown:
            self.groups = [group for group in self.groups if group not in unknown]
            ids = ', '.join(_job(group).batch_id for group in unknown)
            provider = unknown[0].model.partition(':')[0]
            what = f'batch {ids} was' if len(unknown) == 1 else f'batches {ids} were'
            raise CliError(
                f'{what} not found at provider {provider!r} (HTTP 404): check the id, which `pai batch` printed when '
                'it submitted the batch',
                EXIT_USAGE,
            )

    async def _submit(self) -> None:
        # Every group's requests are built before the first upload, so a bad line anywhere sends nothing.
        prepared: list[tuple[_Group, BatchAPI, list[BatchItem], object]] = []
        for group in self.groups:
            api = batch_api(self.models.get(group.model))
            items = normalize_items([BatchItem(ln.messages, ln.custom_id, ln.settings) for ln in group.lines])
            try:
                prepared.append((group, api, items, api.prepare(items)))
            except BatchItemError as exc:
                line = group.lines[exc.index].line_number
                raise _LineError(f'line {line} (custom_id {exc.custom_id!r}): {exc.problem}') from exc
        for group, api, items, upload in prepared:
            progress = await api.submit(upload)
            group.job = BatchJob(api, progress.batch_id, [item.custom_id or '' for item in items], progress)
            group.progress = progress
            self.submitted = True
            if not self.quiet:
                self._end_bar()
                print(
                    f'pai batch: submitted {len(items)} request(s) to {group.model} as batch {group.job.batch_id}',
                    file=self.err,
                )

    async def _wait(self, group: _Group) -> None:
        def on_progress(progress: BatchProgress) -> None:
            group.progress = progress
            self._draw()

        await _job(group).wait(poll_interval=self.poll_interval, on_progress=on_progress)

    def _draw(self) -> None:
        if self.quiet:
            return
        seen = [g.progress for g in self.groups if g.progress is not None]
        total = sum(p.total for p in seen)
        done = sum(p.completed + p.failed for p in seen)
        statuses = ', '.join(sorted({p.status for p in seen}))
        filled = _BAR_WIDTH * done // total if total else 0
        bar = '#' * filled + '.' * (_BAR_WIDTH - filled)
        line = f'[{bar}] {done}/{total or "?"} {statuses}'
        if self._is_tty:
            self.err.write(f'\r{line}')
            self.err.flush()
        elif line != self._last_line:
            print(line, file=self.err)
        self._last_line = line

    def _end_bar(self) -> None:
        if self._is_tty and self._last_line:
            self.err.write('\n')
            self._last_line = ''


def _job(group: _Group) -> BatchJob:
    if group.job is None:  # set by `_submit`, or by `--resume`
        raise RuntimeError(f'the batch for {group.model} was never submitted')
    return group.job


def _write(output: str, results: list[BatchResult], stdout: IO[str]) -> None:
    lines = ''.join(json.dumps(result_line(r), ensure_ascii=False) + '\n' for r in results)
    if output == '-':
        stdout.write(lines)
        stdout.flush()
        return
    target = Path(output)
    partial = target.with_name(f'.{target.name}.{os.getpid()}.{int(time.time())}.partial')
    partial.write_text(lines, encoding='utf-8')
    partial.replace(target)
