"""/healthz, /version, the settings a fresh machine relies on, and the cityloop command."""

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import OperationalError

import cityloop


@pytest.mark.django_db
def test_healthz_is_green_when_the_database_answers_and_is_migrated(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_with_pending_migrations(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    class _Migration:
        app_label, name = "geo", "0099_future"

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, t: [(_Migration, False)])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["pending"] == ["geo.0099_future"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    def _refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", _refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_version_names_the_release(client):
    body = client.get("/version").json()
    assert body["name"] == "cityloop" and body["version"] == cityloop.__version__
    assert body["django"].startswith("5.2")


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )


def test_a_fresh_var_dir_gets_a_private_secret_key_and_a_wal_sqlite_database(tmp_path):
    env = {
        **os.environ,
        "CITYLOOP_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cityloop.settings",
    }
    env.pop("CITYLOOP_DATABASE_URL", None)
    env.pop("CITYLOOP_SECRET_KEY", None)
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(settings.DEBUG, settings.TIME_ZONE, settings.LANGUAGE_CODE, settings.USE_TZ)"
    )
    out = _python(code, env).stdout.split()
    assert out == ["wal", "False", "Asia/Shanghai", "zh-hans", "True"]
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text()) > 40
    second = _python("import cityloop.settings as s; print(s.SECRET_KEY)", env).stdout.strip()
    assert second == key.read_text().strip()  # the same key on every start
    assert (
        sqlite3.connect(tmp_path / "cityloop.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
        == "wal"
    )


def test_the_cityloop_command_wraps_django_management_commands():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cityloop"), "help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("migrate", "demo", "serve", "import_grids", "export_grids"):
        assert command in result.stdout
