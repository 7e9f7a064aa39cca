"""SQLite writers take turns through a file lock beside the database (``ingest.writer_turn``,
docs/decisions/0032-sqlite-writer-turn.md)."""

from __future__ import annotations

import fcntl
import os
import stat

import pytest
from django.db import connection, connections

from cityloop.devices import ingest

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL writers need no turn: nothing to test"
)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A database file (through a symbolic link, as a deployment may name it)."""
    real = tmp_path / "real.sqlite3"
    real.write_bytes(b"")
    real.chmod(0o640)
    link = tmp_path / "db.sqlite3"
    link.symlink_to(real)
    monkeypatch.setitem(connection.settings_dict, "NAME", str(link))
    return real


def held(path) -> bool:
    """Whether another open file (as another process would have) finds the lock taken."""
    handle = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def test_the_turn_is_held_while_writing_and_given_back(database):
    lock = f"{database}-writer"  # beside the real file, not the link
    with ingest.writer_turn():
        assert held(lock)
        assert stat.S_IMODE(os.stat(lock).st_mode) == 0o640  # the database's permissions
        with ingest.writer_turn():  # the same thread again: no deadlock
            assert held(lock)
        assert held(lock)
    assert not held(lock)


def test_no_turn_inside_a_transaction_or_without_a_database_file(database, monkeypatch):
    lock = f"{database}-writer"
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "in_atomic_block", True)
    with ingest.writer_turn():
        assert not os.path.exists(lock)  # the transaction may already hold SQLite's lock
    monkeypatch.setattr(wrapper, "in_atomic_block", False)
    monkeypatch.setitem(connection.settings_dict, "NAME", "file:memorydb?mode=memory")
    with ingest.writer_turn():
        assert not os.path.exists(lock)
