"""Throwaway installed distributions, so that tests exercise plugin discovery through real package metadata.

`Site` is a directory holding distributions the way `site-packages` does: for each one a
`<name>-<version>.dist-info/` folder with `METADATA` and `entry_points.txt`, next to the distribution's own
Python modules. Once the directory is on `sys.path` (in a test: `monkeypatch.syspath_prepend(site.root)`, then
`importlib.invalidate_caches()`), `importlib.metadata` finds those distributions and their entry points exactly as
it finds installed ones; nothing about `importlib.metadata` is mocked. For a subprocess, put the directory on
`PYTHONPATH` instead.

Every module name a test uses should be unique to that test (`Site.suffix` helps), because Python caches imported
modules in `sys.modules` for the whole process; `Site.cleanup()` removes the modules a site wrote (and the
`pydantic_ai.models.<name>` / `pydantic_ai.providers.<name>` modules its `pydantic_ai.modules` entry points
added), so that nothing leaks into the next test.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ('Site', 'write_distribution', 'forget_modules')


def write_distribution(
    root: Path,
    name: str,
    *,
    version: str = '1.0.0',
    providers: Mapping[str, str] | None = None,
    modules: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Write one distribution into the directory `root` and return its `.dist-info` folder.

    Args:
        root: The directory the distribution is "installed" into (created if needed).
        name: The distribution name, as written in `METADATA` (for example `'mygateway-provider'`).
        version: The distribution version.
        providers: The entry points of the `pydantic_ai.providers` group: provider name to `module[:attribute]`.
        modules: The entry points of the `pydantic_ai.modules` group: path below `pydantic_ai` (such as
            `'models.mygateway'`) to the module it exposes.
        files: The distribution's source files: path relative to `root` (such as `'pkg/__init__.py'` or
            `'plugin.py'`) to its text, which is dedented.
        entry_points: Entry points of further groups (such as `pydantic_ai.lifecycle`): group to {name: value}.
    """
    root.mkdir(parents=True, exist_ok=True)
    dist_info = root / f'{re.sub(r"[-_.]+", "_", name)}-{version}.dist-info'
    dist_info.mkdir()
    (dist_info / 'METADATA').write_text(f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n')
    sections = [('pydantic_ai.providers', providers or {}), ('pydantic_ai.modules', modules or {})]
    sections += [(group, dict(entries)) for group, entries in (entry_points or {}).items()]
    entry_points_text = ''.join(
        f'[{group}]\n' + ''.join(f'{key} = {value}\n' for key, value in entries.items()) + '\n'
        for group, entries in sections
        if entries or group == 'pydantic_ai.providers'
    )
    (dist_info / 'entry_points.txt').write_text(entry_points_text)
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return dist_info


def forget_modules(names: Iterable[str]) -> None:
    """Remove the modules `names` and their submodules from `sys.modules`, and from their parent packages."""
    for name in names:
        for loaded in [m for m in sys.modules if m == name or m.startswith(f'{name}.')]:
            del sys.modules[loaded]
        parent_name, _, child = name.rpartition('.')
        parent = sys.modules.get(parent_name) if parent_name else None
        if parent is not None and child in vars(parent):
            delattr(parent, child)


class Site:
    """A directory of throwaway distributions for one test; see the module docs.

    Args:
        root: The directory (created if needed); put it on `sys.path` or `PYTHONPATH` to make its distributions
            visible.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.suffix = uuid.uuid4().hex[:10]
        """A random suffix for module names, unique to this site."""
        self._modules: set[str] = set()

    def module_name(self, stem: str) -> str:
        """A module name unique to this site: `stem` followed by the site's suffix."""
        return f'{stem}_{self.suffix}'

    def add(
        self,
        name: str,
        *,
        version: str = '1.0.0',
        providers: Mapping[str, str] | None = None,
        modules: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
        entry_points: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Path:
        """Write a distribution (see `write_distribution`), remember its modules for `cleanup()`, return its dist-info.

        Import-system caches are invalidated, so a distribution added after the site went on `sys.path` is seen.
        """
        dist_info = write_distribution(
            self.root,
            name,
            version=version,
            providers=providers,
            modules=modules,
            files=files,
            entry_points=entry_points,
        )
        for relative in files or {}:
            top = Path(relative).parts[0]
            self._modules.add(top.removesuffix('.py'))
        for path in modules or {}:
            self._modules.add(f'pydantic_ai.{path}')
        importlib.invalidate_caches()
        return dist_info

    def cleanup(self) -> None:
        """Forget every module this site's distributions wrote or added under `pydantic_ai`."""
        forget_modules(sorted(self._modules))
        importlib.invalidate_caches()
