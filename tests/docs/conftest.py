"""The documentation tests: one line in the suite's summary counting the examples run and those left out."""

from __future__ import annotations

from collections import Counter

import pytest

from docs_blocks import blocks, doc_pages


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = any(
        report.nodeid.startswith('tests/docs/test_examples.py')
        for reports in terminalreporter.stats.values()
        for report in reports
        if hasattr(report, 'nodeid')
    )
    if not ran:
        return
    found = [block for page in doc_pages() for block in blocks(page)]
    run = Counter(block.language for block in found if block.runs)
    files = sum(1 for block in found if block.file_path is not None)
    skipped = Counter(block.skip_reason for block in found if block.skip_reason is not None)
    left_out = '; '.join(f'{reason} ({count})' for reason, count in sorted(skipped.items()))
    terminalreporter.write_line(
        f'docs examples: {run["python"]} Python and {run["bash"]} Bash examples run, {files} example files written; '
        f'{sum(skipped.values())} left out: {left_out}'
    )
