"""`sqlite_config`: DBOS's system database in one SQLite file, in WAL mode, on any SQLite 3.

The DBOS tests of this folder all run on it (`test_dbos_agent.py` in process, `dbos_app.py` in subprocesses); on
Python 3.12+ with an SQLite older than 3.42 they are also the end-to-end test of the `unixepoch('subsec')` stand-in.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOSConfig

from pydantic_ai.durable_exec.dbos import _sqlite, needs_unixepoch_subsec, sqlite_config
from pydantic_ai.exceptions import UserError


def _connect(config: DBOSConfig) -> sqlite3.Connection:
    engine_kwargs = config.get('db_engine_kwargs') or {}
    connection: sqlite3.Connection = engine_kwargs['creator']()
    return connection


def test_the_file_is_in_wal_mode_and_each_connection_sets_synchronous(tmp_path: Path) -> None:
    path = tmp_path / 'dbos.sqlite'
    given: DBOSConfig = {'name': 'tests', 'log_level': 'WARNING', 'db_engine_kwargs': {'pool_size': 3}}
    config = sqlite_config(path, given)
    assert config['system_database_url'] == f'sqlite:///{path}'
    assert (config['name'], config['log_level']) == ('tests', 'WARNING')
    assert (config.get('db_engine_kwargs') or {})['pool_size'] == 3
    assert given == {'name': 'tests', 'log_level': 'WARNING', 'db_engine_kwargs': {'pool_size': 3}}  # not changed
    with sqlite3.connect(path) as other:
        assert other.execute('PRAGMA journal_mode').fetchone() == ('wal',)
    other.close()

    connection = _connect(config)
    assert connection.execute('PRAGMA synchronous').fetchone() == (1,)  # NORMAL
    # SQLAlchemy's pool hands connections between DBOS's threads.
    seen: list[Any] = []
    thread = threading.Thread(target=lambda: seen.append(connection.execute('SELECT 1').fetchone()))
    thread.start()
    thread.join()
    assert seen == [(1,)]
    connection.close()

    full = _connect(sqlite_config(path, {'name': 'tests'}, synchronous='FULL'))
    assert full.execute('PRAGMA synchronous').fetchone() == (2,)
    full.close()


@pytest.mark.parametrize(
    'config',
    [
        {'name': 'tests', 'system_database_url': 'postgresql://localhost/dbos'},
        {'name': 'tests', 'db_engine_kwargs': {'creator': sqlite3.connect}},
    ],
    ids=['url', 'creator'],
)
def test_a_config_naming_its_database_already_is_a_user_error(tmp_path: Path, config: DBOSConfig) -> None:
    with pytest.raises(UserError, match='names its system database already .*; give one or the other'):
        sqlite_config(tmp_path / 'x.sqlite', config)
    assert not (tmp_path / 'x.sqlite').exists()  # nothing was created


def test_a_wrong_level_or_a_path_that_is_no_database_is_a_user_error(tmp_path: Path) -> None:
    config: DBOSConfig = {'name': 'tests'}
    with pytest.raises(UserError, match=r"synchronous='SOMETIMES'\): use 'OFF', 'NORMAL', 'FULL' or 'EXTRA'"):
        sqlite_config(tmp_path / 'x.sqlite', config, synchronous='SOMETIMES')  # type: ignore[arg-type]
    with pytest.raises(UserError, match='cannot use .* as an SQLite database'):
        sqlite_config(tmp_path, config)  # a directory
    not_sqlite = tmp_path / 'notes.txt'
    not_sqlite.write_text('not a database, but long enough to have a header of its own ' * 4)
    with pytest.raises(UserError, match='notes.txt'):
        sqlite_config(not_sqlite, config)


def test_the_check_agrees_with_this_sqlite() -> None:
    builtin = sqlite3.connect(':memory:')
    try:
        (subsec,) = builtin.execute("SELECT unixepoch('subsec')").fetchone()
    except sqlite3.OperationalError:  # SQLite before 3.38 has no unixepoch() at all
        subsec = None
    builtin.close()
    if sys.version_info >= (3, 12):
        # DBOS's schema uses `unixepoch('subsec')` here: needed exactly where SQLite answers it with NULL.
        assert needs_unixepoch_subsec() is (subsec is None)
    else:
        assert needs_unixepoch_subsec() is False


def test_where_needed_connections_understand_unixepoch_subsec_and_answer_the_rest_as_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_sqlite, 'needs_unixepoch_subsec', lambda: True)
    connection = _connect(sqlite_config(tmp_path / 'dbos.sqlite', {'name': 'tests'}))
    before = time.time()
    (subsec,) = connection.execute("SELECT unixepoch('subsec')").fetchone()
    assert before <= subsec <= time.time() and isinstance(subsec, float)
    # A table defaulting as DBOS's (Python 3.12+) do: the insert gets a time in milliseconds, not NULL.
    connection.execute("CREATE TABLE versions (id TEXT, stamp INTEGER NOT NULL DEFAULT (unixepoch('subsec') * 1000))")
    connection.execute("INSERT INTO versions (id) VALUES ('v1')")
    (stamp,) = connection.execute('SELECT stamp FROM versions').fetchone()
    assert before * 1000 <= stamp <= time.time() * 1000
    # Any other argument: SQLite's own answer.
    assert connection.execute("SELECT unixepoch('2020-01-01')").fetchone() == (1577836800,)
    assert connection.execute("SELECT unixepoch('not a date')").fetchone() == (None,)
    connection.close()


def test_where_not_needed_unixepoch_is_sqlites_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sqlite, 'needs_unixepoch_subsec', lambda: False)
    connection = _connect(sqlite_config(tmp_path / 'dbos.sqlite', {'name': 'tests'}))
    builtin = sqlite3.connect(':memory:')
    query = "SELECT unixepoch('subsec') IS NULL"
    assert connection.execute(query).fetchone() == builtin.execute(query).fetchone()
    builtin.close()
    connection.close()


def test_the_typechecked_call_shapes_run(tmp_path: Path) -> None:
    from typechecked import dbos_config

    configs = dbos_config.configs(tmp_path)
    assert [config['system_database_url'] for config in configs] == [
        f'sqlite:///{tmp_path / name}' for name in ('a.sqlite', 'b.sqlite', 'c.sqlite')
    ]
