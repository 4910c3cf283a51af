"""`sqlite_config` call shapes, checked by mypy --strict (`make typecheck` checks this folder) and run by
`tests/durable/test_dbos_sqlite.py`: the documented idiom type-checks where DBOS's config is a `DBOSConfig`.
"""

from __future__ import annotations

from pathlib import Path

from dbos import DBOSConfig
from typing_extensions import assert_type

from pydantic_ai.durable_exec.dbos import sqlite_config


def configs(directory: Path) -> list[DBOSConfig]:
    """The shapes: a literal config, one with other settings and a level, and a path given as a string."""
    plain = sqlite_config(directory / 'a.sqlite', {'name': 'answers'})
    assert_type(plain, DBOSConfig)
    tuned = sqlite_config(directory / 'b.sqlite', {'name': 'answers', 'log_level': 'WARNING'}, synchronous='FULL')
    named = sqlite_config(str(directory / 'c.sqlite'), {'name': 'answers'})
    sqlite_config(directory / 'd.sqlite', {'name': 'answers', 'nmae': 'typo'})  # type: ignore[typeddict-unknown-key]
    return [plain, tuned, named]
