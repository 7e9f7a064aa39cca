"""Fixtures of the catalogue tests: a reader and a staff member, and CSV files to import."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cityloop.categories.catalogue_rows import CATALOGUE_COLUMNS
from cityloop.org.services import user_create


@pytest.fixture
def reader(db):
    return user_create(username="reader", password=None, unit=None)


@pytest.fixture
def admin_user(db):
    return user_create(username="root", password=None, unit=None, is_staff=True, is_superuser=True)


@pytest.fixture
def write_csv(tmp_path):
    """Write rows (dicts) to a UTF-8 CSV file under the test's tmp dir; returns its path."""

    def _write(rows: list[dict], columns=CATALOGUE_COLUMNS, name: str = "rows.csv") -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(rows)
        return path

    return _write


def catalogue_row(**overrides) -> dict:
    """A good catalogue row (a new local category, event 01-75) with some cells replaced."""
    row = {
        "kind": "event",
        "major_code": "01",
        "major_name": "市容环境",
        "minor_code": "75",
        "minor_name": "测试类别",
        "filing_condition": "发现问题",
        "closing_condition": "处理完毕",
        "time_limit": "2天",
    }
    return {**row, **overrides}
