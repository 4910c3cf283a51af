"""Child processes that a test interrupts with SIGINT, as Ctrl-C on a terminal would."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

__all__ = ('interruptible_popen',)


def interruptible_popen(args: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    """`subprocess.Popen(args, text=True, **kwargs)`, with the child's SIGINT at its default whatever ours is.

    A shell without job control starts a background job with SIGINT ignored, and an ignored signal stays ignored
    across `exec`: a suite run as `pytest &` would start children that Python never gives a Ctrl-C handler, and a
    test sending them SIGINT would wait in vain. A caught signal is reset to its default by `exec`, so SIGINT is
    caught here for the moment of the start.
    """
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(args, text=True, **kwargs)
    finally:
        if ignored:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
