"""``cityloop serve`` starts the deadline sweeper beside gunicorn and stops it on exit."""

import io
import os
import sys

import pytest
from django.core.management import call_command
from gunicorn.app.base import BaseApplication

from cityloop.core.management.commands import serve


class FakeProcess:
    """Stands in for the sweeper's Popen: records how it was started and stopped."""

    started: list = []

    def __init__(self, argv):
        self.argv, self.pid, self.stopped = argv, 4242, False
        FakeProcess.started.append(self)

    def poll(self):
        return 0 if self.stopped else None

    def terminate(self):
        self.stopped = True

    def wait(self, timeout=None):
        return 0


@pytest.fixture
def no_gunicorn(monkeypatch):
    """gunicorn's run() returns at once; the sweeper is a FakeProcess."""
    FakeProcess.started = []
    monkeypatch.setattr(BaseApplication, "run", lambda self: None)
    monkeypatch.setattr(serve.subprocess, "Popen", FakeProcess)


def test_serve_starts_the_sweeper_and_stops_it_on_exit(no_gunicorn):
    out = io.StringIO()

    call_command("serve", stdout=out)

    [process] = FakeProcess.started
    assert process.argv == [
        sys.executable, "-m", "cityloop.cli", "sweep", "--every", "60", "--exit-with-parent",
    ]  # fmt: skip
    assert process.stopped
    assert out.getvalue().splitlines()[0] == "deadline sweeper started (pid 4242)"


def test_serve_passes_its_sweep_period_on(no_gunicorn):
    call_command("serve", "--sweep-every", "15", stdout=io.StringIO())

    assert FakeProcess.started[0].argv[4:6] == ["--every", "15"]


def test_serve_without_the_sweeper_starts_none(no_gunicorn):
    out = io.StringIO()

    call_command("serve", "--no-sweeper", stdout=out)

    assert FakeProcess.started == []
    assert out.getvalue().splitlines()[0].startswith("CityLoop serving on http://127.0.0.1:8000/")


def test_a_forked_worker_leaving_does_not_stop_the_masters_sweeper():
    process = FakeProcess(["sweep"])

    serve.sweeper_stop(process=process, owner=os.getpid() + 1)

    assert not process.stopped
