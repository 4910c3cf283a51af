"""One read of the installed distributions' plugin entry points, for every plugin group at once.

The process-wide provider registry (`pydantic_ai.registry.default_registry()`) and the process-wide lifecycle
plugins (`pydantic_ai.lifecycle.default_plugins()`) share `process_scan()`, so the first request reads package
metadata once, not once per group. A registry or plugin set built by hand reads through its own scan, so it sees the
distributions installed before its first lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import metadata

from .hookspecs import LEGACY_LIFECYCLE_GROUP, LIFECYCLE_GROUP, PROVIDERS_GROUP

__all__ = ('PLUGIN_GROUPS', 'EntryPointSource', 'EntryPointScan', 'process_scan')

PLUGIN_GROUPS = (PROVIDERS_GROUP, LIFECYCLE_GROUP, LEGACY_LIFECYCLE_GROUP)
"""Every entry-point group a scan reads."""

EntryPointSource = Callable[[], Iterable[metadata.EntryPoint]]
"""Where entry points come from: the installed distributions' metadata, or a test's own list."""


def _installed() -> list[metadata.EntryPoint]:
    found = metadata.entry_points()
    return [ep for group in PLUGIN_GROUPS for ep in found.select(group=group)]


class EntryPointScan:
    """The entry points of every plugin group, read on the first call and kept until `refresh()`.

    Calling the scan returns them all; each reader keeps the groups it serves.

    Args:
        source: Where entry points come from; by default the installed distributions' metadata.
    """

    def __init__(self, source: EntryPointSource | None = None) -> None:
        self._source = source if source is not None else _installed
        self._found: tuple[metadata.EntryPoint, ...] | None = None
        self.reads = 0
        """How many times the source was read (once until `refresh()`)."""

    def __repr__(self) -> str:
        return f'EntryPointScan(reads={self.reads})'

    def __call__(self) -> tuple[metadata.EntryPoint, ...]:
        """Every entry point of the plugin groups, read once."""
        if self._found is None:
            self._found = tuple(self._source())
            self.reads += 1
        return self._found

    def refresh(self) -> None:
        """Read the source again on the next call, so that distributions installed since are seen."""
        self._found = None


_process: EntryPointScan | None = None


def process_scan() -> EntryPointScan:
    """The scan shared by the process-wide registry and lifecycle plugins; created on first use."""
    global _process
    if _process is None:
        _process = EntryPointScan()
    return _process
