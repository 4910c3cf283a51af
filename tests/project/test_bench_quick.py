"""The benchmark's quick mode runs end to end and reports every workload (timings are not judged here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / 'bench' / 'RESULTS.md'


def _mtime(path: Path) -> float | None:
    return path.stat().st_mtime_ns if path.exists() else None


def test_quick_benchmark_reports_every_workload(tmp_path: Path) -> None:
    output = tmp_path / 'bench.md'
    results_before = _mtime(RESULTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}
    completed = subprocess.run(
        [sys.executable, '-m', 'bench.run', '--quick', '--output', str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]

    report = output.read_text()
    rows = [line for line in report.splitlines() if line.startswith('| W')]
    table = [row for row in rows if 'n/a (quick mode)' in row]
    for workload in ('W1', 'W2', 'W3', 'W4', 'W5', 'W6'):
        assert any(row.startswith(f'| {workload} ') for row in table), f'no row for {workload}:\n{report}'
    assert any('linearity' in row for row in table if row.startswith('| W4 '))
    assert any('linearity' in row for row in table if row.startswith('| W6 '))
    assert 'nan' not in ' '.join(table)
    # W7 (the agent) runs too, for this project only: the quick mode never builds the peer's environment.
    assert any(row.startswith('| W7 client CPU per agent run |') for row in rows), report
    assert 'The current pydantic-ai was skipped' in report
    # The quick mode never overwrites the full run's results.
    assert _mtime(RESULTS) == results_before
