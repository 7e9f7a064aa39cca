"""Reading and checking the catalogue's CSV files, row by row, before anything is written.

Three formats (docs/decisions/0006-category-catalogue.md): the GB/T 30428.2-coded catalogue
(``gbt30428-categories.csv``, and ``local-extensions.csv`` in the same columns), the
GB/T 47678.5-2026 directory, and the bureau's handler defaults. Every problem becomes a
``RowError`` with the CSV line number; no row is dropped silently.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from cityloop.categories.choices import (
    MAPPED_COMPARISONS,
    CategoryKind,
    NameComparison,
    TimeLimitUnit,
)
from cityloop.categories.time_limits import ParsedTimeLimit, TimeLimitError, time_limit_parse
from cityloop.org.choices import DepartmentFunction, UnitKind

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_DIRECTORY = DATA_DIR / "gbt47678.5-2026-directory.csv"
BUNDLED_CATALOGUE = DATA_DIR / "gbt30428-categories.csv"
BUNDLED_LOCAL_EXTENSIONS = DATA_DIR / "local-extensions.csv"
BUNDLED_HANDLER_DEFAULTS = DATA_DIR / "handler-defaults.csv"

CATALOGUE_COLUMNS = (
    "kind",
    "major_code",
    "major_name",
    "minor_code",
    "minor_name",
    "filing_condition",
    "closing_condition",
    "time_limit",
)
DIRECTORY_COLUMNS = ("kind", "major_code", "major_name", "minor_code", "code5", "name")
HANDLER_COLUMNS = ("kind", "major_code", "minor_code", "unit_kind", "department_function")
GBT47678_CODE = "gbt47678_5_2026_code_at_mapped_position"
GBT47678_NAME = "gbt47678_5_2026_name_at_mapped_position"

KIND_WORDS = {
    "component": CategoryKind.COMPONENT,
    "部件": CategoryKind.COMPONENT,
    "管理部件": CategoryKind.COMPONENT,
    "event": CategoryKind.EVENT,
    "事件": CategoryKind.EVENT,
    "管理事项": CategoryKind.EVENT,
}
TRUE_WORDS = {"true", "1", "yes", "是"}
FALSE_WORDS = {"false", "0", "no", "否", ""}

NumberedRow = tuple[int, Mapping[str, str]]
_NO_LIMIT = ParsedTimeLimit(amount=0, unit=TimeLimitUnit.WORKING_HOUR)  # on a row with errors


@dataclass(frozen=True)
class RowError:
    """A problem with one CSV line; ``str()`` renders the reason in the active language."""

    line: int
    message: Any
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        text = str(self.message)
        return text % {k: str(v) for k, v in self.params.items()} if self.params else text


@dataclass(frozen=True)
class DirectoryRecord:
    """One checked row of the GB/T 47678.5-2026 directory."""

    line: int
    standard: str
    kind: str
    major_code: str
    major_name: str
    minor_code: str
    code: str
    name: str
    source: str


@dataclass(frozen=True)
class ConditionRecord:
    """One checked row of the catalogue: a filing condition with its minor and major."""

    line: int
    kind: str
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    filing_condition: str
    closing_condition: str
    time_limit: str
    parsed: ParsedTimeLimit
    gbt47678_code: str
    gbt47678_name: str
    name_comparison: str
    note: str
    source: str
    is_local_extension: bool

    @property
    def major_key(self) -> tuple[str, str]:
        return (self.kind, self.major_code)

    @property
    def minor_key(self) -> tuple[str, str, str]:
        return (self.kind, self.major_code, self.minor_code)


@dataclass(frozen=True)
class HandlerRule:
    """A default handling unit type for a kind / major / minor ("" matches anything)."""

    line: int
    kind: str
    major_code: str
    minor_code: str
    unit_kind: str
    department_function: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.major_code, self.minor_code)


class _RowChecker:
    """Collects the errors of one row while reading its cells."""

    def __init__(self, line: int, row: Mapping[str, str]) -> None:
        self.line = line
        self.row = row
        self.errors: list[RowError] = []
        if None in row:  # csv.DictReader's key for cells beyond the header
            self.fail(_("the row has more cells than the header has columns"))

    def fail(self, message: Any, **params: Any) -> None:
        self.errors.append(RowError(self.line, message, params))

    def text(self, column: str, *, required: bool = True) -> str:
        value = (self.row.get(column) or "").strip()
        if required and not value:
            self.fail(_("%(column)s is empty"), column=column)
        return value

    def digits(self, column: str, width: int, *, required: bool = True) -> str:
        value = self.text(column, required=required)
        if value and not (len(value) == width and value.isascii() and value.isdigit()):
            self.fail(
                _("%(column)s must be exactly %(width)s digits, not %(value)s"),
                column=column,
                width=width,
                value=repr(value),
            )
        return value

    def kind(self, column: str = "kind", *, required: bool = True) -> str:
        value = self.text(column, required=required)
        if value and value not in KIND_WORDS:
            self.fail(
                _("%(column)s must be component or event, not %(value)s"),
                column=column,
                value=repr(value),
            )
        return KIND_WORDS.get(value, "")

    def flag(self, column: str) -> bool:
        value = self.text(column, required=False).lower()
        if value not in TRUE_WORDS | FALSE_WORDS:
            self.fail(
                _("%(column)s must be true or false, not %(value)s"),
                column=column,
                value=repr(value),
            )
        return value in TRUE_WORDS

    def choice(self, column: str, values: Iterable[str], *, required: bool = True) -> str:
        value = self.text(column, required=required).replace(" ", "_")
        if value and value not in values:
            self.fail(
                _("%(column)s has an unknown value %(value)s"),
                column=column,
                value=repr(self.row.get(column)),
            )
        return value


def csv_rows_read(path: Path) -> tuple[list[str], list[NumberedRow]]:
    """The header and the rows of a UTF-8 CSV file, each row with the line it starts on."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows: list[NumberedRow] = []
        start = reader.line_num + 1
        for row in reader:
            rows.append((start, row))
            start = reader.line_num + 1
    return header, rows


def rows_number(rows: Iterable[Mapping[str, str]]) -> list[NumberedRow]:
    """Number in-memory rows as if read from a file with its header on line 1."""
    return [(index, row) for index, row in enumerate(rows, start=2)]


def header_check(header: Iterable[str], required: Iterable[str]) -> list[RowError]:
    """An error on line 1 naming the required columns the header lacks."""
    missing = [column for column in required if column not in set(header)]
    if not missing:
        return []
    return [RowError(1, _("missing columns: %(columns)s"), {"columns": ", ".join(missing)})]


def directory_rows_parse(
    rows: Iterable[NumberedRow],
) -> tuple[list[DirectoryRecord], list[RowError]]:
    """Check GB/T 47678.5-2026 directory rows: codes, names, and code5 = major + minor."""
    records: list[DirectoryRecord] = []
    errors: list[RowError] = []
    for line, row in rows:
        check = _RowChecker(line, row)
        record = DirectoryRecord(
            line=line,
            standard=check.text("standard", required=False) or "GB/T 47678.5-2026",
            kind=check.kind(),
            major_code=check.digits("major_code", 2),
            major_name=check.text("major_name"),
            minor_code=check.digits("minor_code", 3),
            code=check.digits("code5", 5),
            name=check.text("name"),
            source=check.text("source", required=False),
        )
        if not check.errors and record.code != record.major_code + record.minor_code:
            check.fail(_("code5 %(code)s is not major_code + minor_code"), code=record.code)
        _keep(record, check, records, errors)
    errors.extend(_duplicates(records, lambda r: (r.standard, r.kind, r.code), "code5"))
    return records, errors


def catalogue_rows_parse(
    rows: Iterable[NumberedRow],
) -> tuple[list[ConditionRecord], list[RowError]]:
    """Check catalogue rows cell by cell, then that each major and minor reads alike."""
    records: list[ConditionRecord] = []
    errors: list[RowError] = []
    for line, row in rows:
        check = _RowChecker(line, row)
        _keep(_condition_record(check), check, records, errors)
    errors.extend(_inconsistencies(records))
    return records, sorted(errors, key=lambda e: e.line)


def handler_rules_parse(rows: Iterable[NumberedRow]) -> tuple[list[HandlerRule], list[RowError]]:
    """Check handler defaults: a valid unit type, and a function exactly for departments."""
    rules: list[HandlerRule] = []
    errors: list[RowError] = []
    for line, row in rows:
        check = _RowChecker(line, row)
        rule = HandlerRule(
            line=line,
            kind=check.kind(required=False),
            major_code=check.digits("major_code", 2, required=False),
            minor_code=check.digits("minor_code", 2, required=False),
            unit_kind=check.choice("unit_kind", UnitKind.values),
            department_function=check.choice(
                "department_function", DepartmentFunction.values, required=False
            ),
        )
        if (rule.unit_kind == UnitKind.DEPARTMENT) != bool(rule.department_function):
            check.fail(_("department_function is given exactly when unit_kind is department"))
        _keep(rule, check, rules, errors)
    errors.extend(_duplicates(rules, lambda r: r.key, "kind + major_code + minor_code"))
    return rules, errors


def handler_rule_match(
    rules: Iterable[HandlerRule], kind: str, major_code: str, minor_code: str
) -> HandlerRule | None:
    """The most specific rule: minor, then major, then kind, then the catch-all."""
    by_key = {rule.key: rule for rule in rules}
    for key in (
        (kind, major_code, minor_code),
        (kind, major_code, ""),
        (kind, "", ""),
        ("", "", ""),
    ):
        if key in by_key:
            return by_key[key]
    return None


def _condition_record(check: _RowChecker) -> ConditionRecord:
    time_limit = check.text("time_limit")
    return ConditionRecord(
        line=check.line,
        kind=check.kind(),
        major_code=check.digits("major_code", 2),
        major_name=check.text("major_name"),
        minor_code=check.digits("minor_code", 2),
        minor_name=check.text("minor_name"),
        filing_condition=check.text("filing_condition"),
        closing_condition=check.text("closing_condition"),
        time_limit=time_limit,
        parsed=_time_limit(check, time_limit),
        **_mapping(check),
        note=check.text("note", required=False),
        source=check.text("source", required=False),
        is_local_extension=check.flag("is_local_extension"),
    )


def _time_limit(check: _RowChecker, text: str) -> ParsedTimeLimit:
    if not text:
        return _NO_LIMIT
    try:
        return time_limit_parse(text)
    except TimeLimitError as exc:
        check.fail(_("time_limit %(text)s: %(reason)s"), text=repr(text), reason=exc.reason)
        return _NO_LIMIT


def _mapping(check: _RowChecker) -> dict[str, str]:
    """The GB/T 47678.5-2026 code and name: present exactly for a mapped comparison."""
    code = check.digits(GBT47678_CODE, 5, required=False)
    name = check.text(GBT47678_NAME, required=False)
    comparison = check.choice("name_comparison", NameComparison.values, required=False)
    comparison = comparison or NameComparison.NO_POSITIONAL_MAPPING
    if comparison in MAPPED_COMPARISONS and not (code and name):
        check.fail(
            _("name_comparison %(value)s needs a GB/T 47678.5 code and name"), value=comparison
        )
    if comparison not in MAPPED_COMPARISONS and (code or name):
        check.fail(
            _("name_comparison %(value)s takes no GB/T 47678.5 code or name"), value=comparison
        )
    return {"gbt47678_code": code, "gbt47678_name": name, "name_comparison": comparison}


def _keep(record: Any, check: _RowChecker, records: list, errors: list[RowError]) -> None:
    if check.errors:
        errors.extend(check.errors)
    else:
        records.append(record)


def _duplicates(records: Iterable[Any], key, label: str) -> list[RowError]:
    seen: dict[Any, int] = {}
    errors = []
    for record in records:
        first = seen.setdefault(key(record), record.line)
        if first != record.line:
            errors.append(
                RowError(
                    record.line,
                    _("%(label)s repeats line %(first)s"),
                    {"label": label, "first": first},
                )
            )
    return errors


MINOR_FIELDS = (
    "minor_name",
    "gbt47678_code",
    "gbt47678_name",
    "name_comparison",
    "note",
    "source",
    "is_local_extension",
)


def _inconsistencies(records: Iterable[ConditionRecord]) -> list[RowError]:
    """Rows of one major must agree on its name, rows of one minor on the minor's columns."""
    first_major: dict[tuple, ConditionRecord] = {}
    first_minor: dict[tuple, ConditionRecord] = {}
    errors = []
    for record in records:
        major = first_major.setdefault(record.major_key, record)
        if major.major_name != record.major_name:
            errors.append(_differs(record, "major_name", major.line))
        minor = first_minor.setdefault(record.minor_key, record)
        for name in MINOR_FIELDS:
            if getattr(minor, name) != getattr(record, name):
                errors.append(_differs(record, name, minor.line))
    return errors


def _differs(record: ConditionRecord, column: str, first: int) -> RowError:
    return RowError(
        record.line,
        _("%(column)s differs from line %(first)s of the same category"),
        {"column": column, "first": first},
    )
