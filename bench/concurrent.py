"""W5: many concurrent non-streamed requests, each client in a fresh subprocess (for a clean peak RSS).

The subprocess (`python -m bench.concurrent <client> <base_url> <count>`) imports only its client's library,
sends one untimed request (connection set-up and lazy initialisation), then `count` requests at once with
`asyncio.gather`, checks every answer, and prints its wall time and peak RSS (imports included) as JSON.

Peak RSS is `VmHWM` from `/proc/self/status` on Linux, not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux carries
`ru_maxrss` over from the parent across `fork` + `exec`, so every child would report at least the benchmark
process's own peak (measured: a child of a 200 MB parent reports 215 MB, its `VmHWM` 9 MB). Elsewhere,
`ru_maxrss` is used.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time

from bench.clients import CLIENTS
from bench.measure import Sample
from bench.server import BenchServer
from bench.workloads import rotated

__all__ = ('run_concurrent',)


async def _child(key: str, base_url: str, count: int) -> dict[str, float]:
    from bench import payloads
    from bench.clients import make_client

    client = make_client(key, base_url)
    history = client.history(payloads.short_history())
    await client.complete(payloads.TEXT_MODEL, history)
    start = time.perf_counter()
    answers = await asyncio.gather(*(client.complete(payloads.TEXT_MODEL, history) for _ in range(count)))
    wall = time.perf_counter() - start
    await client.aclose()
    if any(answer != payloads.TEXT for answer in answers):
        raise AssertionError(f'W5: client {key!r} got a wrong answer')
    return {'wall': wall, 'rss_kb': peak_rss_kb()}


def peak_rss_kb() -> float:
    """This process's peak resident set size, in KiB."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return float(line.split()[1])
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform == 'darwin' else float(rss)  # bytes on macOS, KiB on Linux


def run_concurrent(server: BenchServer, count: int, rounds: int) -> dict[str, list[Sample]]:
    """`rounds` fresh subprocesses per client, taking turns; one sample each (server CPU over the whole run)."""
    samples: dict[str, list[Sample]] = {key: [] for key in CLIENTS}
    server.prepare('bench-text')
    for round_index in range(rounds):
        for key in rotated(CLIENTS, round_index):
            server_before = server.cpu()
            completed = subprocess.run(
                [sys.executable, '-m', 'bench.concurrent', key, server.base_url, str(count)],
                check=True,
                capture_output=True,
                text=True,
            )
            server_cpu = server.cpu() - server_before
            result = json.loads(completed.stdout)
            samples[key].append(Sample(result['wall'], 0.0, server_cpu, result['rss_kb'] / 1024))
    server.stats()
    return samples


if __name__ == '__main__':
    print(json.dumps(asyncio.run(_child(sys.argv[1], sys.argv[2], int(sys.argv[3])))))
