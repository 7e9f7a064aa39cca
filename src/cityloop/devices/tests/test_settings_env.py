"""Settings of the devices app read from the environment, refused at start-up when wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def load_settings(**env: str | None) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter, as a start-up does (None: unset)."""
    code = "import cityloop.settings as s; print(s.CITYLOOP_SORTING_RATE_BASIS)"
    environment = {**os.environ, "CITYLOOP_SECRET_KEY": "test-only-key", **env}
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("value", ["collected", "disposed"])
def test_the_sorting_rate_basis_comes_from_the_environment(value):
    loaded = load_settings(CITYLOOP_SORTING_RATE_BASIS=value)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == value


def test_the_sorting_rate_basis_defaults_to_collected():
    loaded = load_settings(CITYLOOP_SORTING_RATE_BASIS=None)
    assert loaded.stdout.strip() == "collected", loaded.stderr


def test_an_unknown_sorting_rate_basis_stops_the_start_up_with_a_clear_message():
    loaded = load_settings(CITYLOOP_SORTING_RATE_BASIS="weighed")
    assert loaded.returncode != 0
    assert "ImproperlyConfigured" in loaded.stderr
    assert "CITYLOOP_SORTING_RATE_BASIS must be 'collected'" in loaded.stderr
    assert "'weighed'" in loaded.stderr
