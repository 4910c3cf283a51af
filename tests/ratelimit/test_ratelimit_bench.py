"""The rate-limit benchmark (workload W8, `bench.ratelimit`) runs end to end in its quick mode: both clients, every
figure (timings and goodput are not judged here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_w8_quick_mode_reports_both_clients(tmp_path: Path) -> None:
    output = tmp_path / 'w8.md'
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}
    completed = subprocess.run(
        [sys.executable, '-m', 'bench.ratelimit', '--quick', '--output', str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    rows = [line for line in output.read_text().splitlines() if line.startswith('| ') and 'client' not in line]
    assert [row.split(' | ')[0] for row in rows] == ['| pydantic-ai-groq', '| groq SDK']
    ours = rows[0].split(' | ')
    assert ours[1] == '0 / 30'  # no request of ours failed
    assert int(ours[5].replace(',', '')) <= 3000  # the server never admitted more than its limit in a window
