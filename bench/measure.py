"""Timing one operation (wall, client CPU, server CPU) and summarising rounds: medians and paired ratios."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.server import BenchServer

__all__ = ('Sample', 'timed', 'median', 'paired_ratio', 'metric')


@dataclass(frozen=True)
class Sample:
    """One measurement, per operation: wall seconds, client-process CPU seconds, server-process CPU seconds.

    `rss_mb` is the client's peak RSS, for measurements made in a fresh subprocess (W5).
    """

    wall: float
    cpu: float
    server_cpu: float
    rss_mb: float = 0.0


async def timed(operation: Callable[[], Awaitable[Any]], server: BenchServer, per: int = 1) -> tuple[Sample, Any]:
    """Run `operation` once and time it; times are divided by `per` (operations inside it). Returns its result.

    A full garbage collection runs first so garbage of earlier runs is not collected on this one's time; the
    collector stays enabled during the run, as in real use.
    """
    gc.collect()
    server_before = server.cpu()
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    result = await operation()
    wall = time.perf_counter() - wall_before
    cpu = time.process_time() - cpu_before
    server_cpu = server.cpu() - server_before
    return Sample(wall / per, cpu / per, server_cpu / per), result


def median(values: Sequence[float]) -> float:
    """The median (NaN for none)."""
    return statistics.median(values) if values else float('nan')


def metric(samples: Sequence[Sample], name: str) -> list[float]:
    """One field of each sample."""
    return [float(getattr(sample, name)) for sample in samples]


def paired_ratio(samples: Mapping[str, Sequence[Sample]], key: str, reference: str, name: str) -> float:
    """The median over rounds of `key`'s metric divided by `reference`'s metric in the same round."""
    ratios = [
        getattr(a, name) / getattr(b, name)
        for a, b in zip(samples[key], samples[reference], strict=True)
        if getattr(b, name) > 0
    ]
    return median(ratios)
