"""`sqlite_config`: DBOS's system database in one SQLite file, in WAL mode, on any SQLite 3."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from dbos import DBOSConfig

from ...exceptions import UserError

__all__ = ('needs_unixepoch_subsec', 'sqlite_config')

Synchronous = Literal['OFF', 'NORMAL', 'FULL', 'EXTRA']


def needs_unixepoch_subsec() -> bool:
    """Whether DBOS's SQLite schema would fail here without `sqlite_config`'s stand-in for `unixepoch('subsec')`.

    On Python 3.12 and later, DBOS's SQLite tables default their timestamps to `unixepoch('subsec') * 1000`; SQLite
    understands `'subsec'` from version 3.42 on, and an older one (Debian 12's 3.40, say) returns NULL there, so
    `DBOS.launch()` fails with "NOT NULL constraint failed: application_versions.version_timestamp".
    """
    return sys.version_info >= (3, 12) and sqlite3.sqlite_version_info < (3, 42, 0)


def sqlite_config(
    path: str | os.PathLike[str], config: DBOSConfig, *, synchronous: Synchronous = 'NORMAL'
) -> DBOSConfig:
    """`config` with DBOS's system database in the SQLite file `path`: WAL mode, `synchronous`, any SQLite 3.

    ```python
    DBOS(config=sqlite_config('answers.sqlite', {'name': 'answers'}))
    ```

    The file (created if missing) is switched to WAL mode now, once: WAL is a property of the file. Each connection
    DBOS opens then sets `PRAGMA synchronous` (`NORMAL` by default: a killed process loses nothing it committed; a
    power loss may lose the last few commits, whose steps then run again on recovery, as an interrupted step does).
    Where SQLite is older than DBOS's schema expects (`needs_unixepoch_subsec()`), each connection also gets a
    `unixepoch()` that understands `'subsec'`, and gives SQLite's own answer for any other argument.

    Args:
        path: The database file.
        config: The rest of DBOS's config (`name`, `log_level`, ...); it is copied, not changed. Its
            `db_engine_kwargs` are kept, with a `creator` added.
        synchronous: SQLite's `synchronous` setting for DBOS's connections.

    Returns:
        A copy of `config` with `system_database_url` and `db_engine_kwargs` set.

    Raises:
        UserError: `config` names a database or a connection `creator` already, `synchronous` is not one of
            SQLite's levels, or the file cannot be opened as a database.
    """
    engine_kwargs = dict(config.get('db_engine_kwargs') or {})
    if config.get('system_database_url') or config.get('system_database_engine') or 'creator' in engine_kwargs:
        raise UserError(
            'sqlite_config: the config given names its system database already (system_database_url, '
            'system_database_engine or a db_engine_kwargs creator); give one or the other.'
        )
    level = str(synchronous).upper()
    if level not in ('OFF', 'NORMAL', 'FULL', 'EXTRA'):
        raise UserError(f"sqlite_config(synchronous={synchronous!r}): use 'OFF', 'NORMAL', 'FULL' or 'EXTRA'.")
    database = Path(path)
    try:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute('PRAGMA journal_mode=WAL')
    except sqlite3.Error as exc:
        raise UserError(f'sqlite_config: cannot use {str(database)!r} as an SQLite database: {exc}') from exc
    engine_kwargs['creator'] = _connector(str(database), level, needs_unixepoch_subsec())
    return {**config, 'system_database_url': f'sqlite:///{database}', 'db_engine_kwargs': engine_kwargs}


def _connector(database: str, synchronous: str, unixepoch_subsec: bool) -> Callable[[], sqlite3.Connection]:
    def connect() -> sqlite3.Connection:
        # SQLAlchemy's pool hands a connection from thread to thread (DBOS runs steps in its own threads).
        connection = sqlite3.connect(database, check_same_thread=False)
        connection.execute(f'PRAGMA synchronous={synchronous}')
        if unixepoch_subsec:
            connection.create_function('unixepoch', 1, _unixepoch)
        return connection

    return connect


_builtin_lock = threading.Lock()
_builtin: sqlite3.Connection | None = None


def _unixepoch(value: Any) -> Any:
    """`unixepoch(value)` as SQLite 3.42 answers it: seconds with a fraction for `'subsec'`, else SQLite's own."""
    if isinstance(value, str) and value.lower() in ('subsec', 'subsecond'):
        return time.time()
    global _builtin
    with _builtin_lock:
        if _builtin is None:
            _builtin = sqlite3.connect(':memory:', check_same_thread=False)
        return _builtin.execute('SELECT unixepoch(?)', (value,)).fetchone()[0]
