"""Writes of the category catalogue: importing the catalogue's CSV files, and the admin's edits.

The import functions take an ``apps`` registry so that the data migration can run them against
its historical models (docs/decisions/0006-category-catalogue.md); they use plain ORM calls
only, no model methods. Everything else takes the real models.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cityloop.categories.catalogue_rows import (
    BUNDLED_CATALOGUE,
    BUNDLED_DIRECTORY,
    BUNDLED_HANDLER_DEFAULTS,
    BUNDLED_LOCAL_EXTENSIONS,
    CATALOGUE_COLUMNS,
    DIRECTORY_COLUMNS,
    HANDLER_COLUMNS,
    ConditionRecord,
    DirectoryRecord,
    HandlerRule,
    NumberedRow,
    RowError,
    catalogue_rows_parse,
    csv_rows_read,
    directory_rows_parse,
    handler_rule_match,
    handler_rules_parse,
    header_check,
    rows_number,
)
from cityloop.categories.models import DirectoryItem, FilingCondition, MajorCategory, MinorCategory
from cityloop.categories.time_limits import time_limit_parse

CREATED, UPDATED, UNCHANGED, KEPT = "created", "updated", "unchanged", "kept"
DIRECTORY_STANDARD = "GB/T 47678.5-2026"
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class ImportReport:
    """What an import did (for a dry run: would do), and every row it refused, by line."""

    source: str = ""
    dry_run: bool = False
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, what: str, outcome: str) -> None:
        self.counts[what][outcome] += 1

    def count(self, what: str, outcome: str) -> int:
        return self.counts.get(what, Counter())[outcome]

    def summary_lines(self) -> list[str]:
        """``minor category: 190 created, 0 updated, 0 unchanged`` per table touched."""
        outcomes = (CREATED, UPDATED, UNCHANGED, KEPT)
        return [
            f"{what}: " + ", ".join(f"{c[o]} {o}" for o in outcomes if o != KEPT or c[o])
            for what, c in self.counts.items()
        ]


@dataclass(frozen=True)
class _Models:
    directory_item: Any
    major: Any
    minor: Any
    condition: Any


def directory_import(
    *,
    path: Path | None = None,
    rows: Iterable[Mapping[str, str]] | None = None,
    dry_run: bool = False,
    registry: Apps | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Load GB/T 47678.5-2026 directory rows (Tables A.1 and C.1), in place by kind and code.

    All or nothing: with any bad row nothing is written and the report lists every bad row.
    """
    numbered, report = _rows_in(path, rows, DIRECTORY_COLUMNS, dry_run)
    records, errors = directory_rows_parse(numbered)
    report.errors.extend(errors)
    if report.ok:
        with transaction.atomic():
            _directory_write(_models(registry), records, report, on_progress)
            if dry_run:
                transaction.set_rollback(True)
    return report


def catalogue_import(
    *,
    path: Path | None = None,
    rows: Iterable[Mapping[str, str]] | None = None,
    handler_rules: Sequence[HandlerRule] | None = None,
    dry_run: bool = False,
    registry: Apps | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Load GB/T 30428.2-coded rows: majors, minors and their filing conditions.

    Used for the bundled table, the bureau's local extensions and any bureau file in the same
    columns. All or nothing: with any bad row nothing is written. Rows update in place by code
    (a condition by its minor and its order in the file). The file owns its columns; the
    bureau owns the default handling unit (set from ``handler_rules`` when a minor is created)
    and ``is_active``. A local extension may not take a standard category's code.
    """
    numbered, report = _rows_in(path, rows, CATALOGUE_COLUMNS, dry_run)
    records, errors = catalogue_rows_parse(numbered)
    report.errors.extend(errors)
    if not report.ok:
        return report
    models_ = _models(registry)
    rules = bundled_handler_rules() if handler_rules is None else handler_rules
    with transaction.atomic():
        existing = _Existing.load(models_)
        report.errors.extend(existing.conflicts(records, rules))
        if report.ok:
            _CatalogueWrite(models_, existing, rules, report, on_progress).run(records)
        if dry_run or not report.ok:
            transaction.set_rollback(True)
    return report


def bundled_catalogue_load(*, registry: Apps | None = None) -> ImportReport:
    """Load the bundled directory, catalogue and local extensions; the first failure stops."""
    report = directory_import(path=BUNDLED_DIRECTORY, registry=registry)
    for path in (BUNDLED_CATALOGUE, BUNDLED_LOCAL_EXTENSIONS):
        if not report.ok:
            break
        report = catalogue_import(path=path, registry=registry)
    return report


def bundled_handler_rules() -> list[HandlerRule]:
    """The bureau's default handling units (data/handler-defaults.csv); must read cleanly."""
    header, numbered = csv_rows_read(BUNDLED_HANDLER_DEFAULTS)
    rules, errors = handler_rules_parse(numbered)
    errors = header_check(header, HANDLER_COLUMNS) + errors
    if errors:
        lines = "; ".join(f"line {e.line}: {e}" for e in errors)
        raise ValueError(f"{BUNDLED_HANDLER_DEFAULTS.name}: {lines}")
    return rules


def _rows_in(
    path: Path | None,
    rows: Iterable[Mapping[str, str]] | None,
    required: Sequence[str],
    dry_run: bool,
) -> tuple[list[NumberedRow], ImportReport]:
    if (path is None) == (rows is None):
        raise TypeError("give exactly one of path and rows")
    if path is not None:
        header, numbered = csv_rows_read(path)
    else:
        numbered = rows_number(rows or ())
        header = list(numbered[0][1]) if numbered else list(required)
    report = ImportReport(source=str(path or "rows"), dry_run=dry_run, rows=len(numbered))
    report.errors.extend(header_check(header, required))
    return ([] if report.errors else numbered), report


def _models(registry: Apps | None) -> _Models:
    get = (registry or django_apps).get_model
    return _Models(
        directory_item=get("categories", "DirectoryItem"),
        major=get("categories", "MajorCategory"),
        minor=get("categories", "MinorCategory"),
        condition=get("categories", "FilingCondition"),
    )


def _upsert(
    model: Any,
    obj: Any,
    lookup: Mapping[str, Any],
    fields: Mapping[str, Any],
    on_create: Mapping[str, Any] | None = None,
) -> tuple[Any, str]:
    """Create, or update in place only the fields that differ; says which it did."""
    if obj is None:
        return model.objects.create(**lookup, **fields, **(on_create or {})), CREATED
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, UPDATED if changed else UNCHANGED


def _directory_write(
    models_: _Models,
    records: list[DirectoryRecord],
    report: ImportReport,
    on_progress: ProgressCallback | None,
) -> None:
    existing = {(i.standard, i.kind, i.code): i for i in models_.directory_item.objects.all()}
    for done, record in enumerate(records, start=1):
        lookup = {"standard": record.standard, "kind": record.kind, "code": record.code}
        fields = {
            "major_code": record.major_code,
            "major_name": record.major_name,
            "minor_code": record.minor_code,
            "name": record.name,
            "source": record.source,
        }
        key = (record.standard, record.kind, record.code)
        _, outcome = _upsert(models_.directory_item, existing.get(key), lookup, fields)
        report.add("directory item", outcome)
        if on_progress:
            on_progress("directory", done, len(records))


@dataclass
class _Existing:
    """The catalogue as it stands, keyed by code, read in four queries."""

    majors: dict[tuple[str, str], Any]
    minors: dict[tuple[str, str, str], Any]
    conditions: dict[tuple[int, int], Any]
    directory: dict[tuple[str, str], int]

    @classmethod
    def load(cls, models_: _Models) -> _Existing:
        minors = models_.minor.objects.select_related("major")
        items = models_.directory_item.objects.filter(standard=DIRECTORY_STANDARD)
        return cls(
            majors={(m.kind, m.code): m for m in models_.major.objects.all()},
            minors={(m.major.kind, m.major.code, m.code): m for m in minors},
            conditions={(c.minor_id, c.sequence): c for c in models_.condition.objects.all()},
            directory={(i.kind, i.code): i.pk for i in items},
        )

    def conflicts(
        self, records: Iterable[ConditionRecord], rules: Sequence[HandlerRule]
    ) -> list[RowError]:
        """Rows the database refuses: unknown 2026 codes, local/standard code clashes,
        new minors without a default handling unit."""
        errors: list[RowError] = []
        seen: set[tuple[str, str, str]] = set()
        for record in records:
            if record.minor_key not in seen:
                seen.add(record.minor_key)
                errors.extend(self._minor_conflicts(record, rules))
        return errors

    def _minor_conflicts(
        self, record: ConditionRecord, rules: Sequence[HandlerRule]
    ) -> list[RowError]:
        errors = []
        code = f"{record.kind} {record.major_code}-{record.minor_code}"
        if record.gbt47678_code and (record.kind, record.gbt47678_code) not in self.directory:
            errors.append(
                RowError(
                    record.line,
                    _("GB/T 47678.5 code %(code)s is not in the directory"),
                    {"code": record.gbt47678_code},
                )
            )
        minor = self.minors.get(record.minor_key)
        if minor is not None and minor.is_local_extension != record.is_local_extension:
            message = (
                _("%(code)s is a standard category: a local extension needs a free code")
                if record.is_local_extension
                else _("%(code)s is a local extension: the standard row cannot take its code")
            )
            errors.append(RowError(record.line, message, {"code": code}))
        if minor is None and handler_rule_match(rules, *record.minor_key) is None:
            errors.append(
                RowError(record.line, _("%(code)s has no default handling unit"), {"code": code})
            )
        return errors


class _CatalogueWrite:
    """Writes checked catalogue rows: each minor's major, the minor, then its conditions."""

    def __init__(
        self,
        models_: _Models,
        existing: _Existing,
        rules: Sequence[HandlerRule],
        report: ImportReport,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.models = models_
        self.existing = existing
        self.rules = rules
        self.report = report
        self.on_progress = on_progress
        self.majors_written: dict[tuple[str, str], Any] = {}

    def run(self, records: Sequence[ConditionRecord]) -> None:
        by_minor: dict[tuple[str, str, str], list[ConditionRecord]] = defaultdict(list)
        for record in records:
            by_minor[record.minor_key].append(record)
        done = 0
        for rows in by_minor.values():
            minor = self._minor(self._major(rows[0]), rows[0])
            self._conditions(minor, rows)
            done += len(rows)
            if self.on_progress:
                self.on_progress("catalogue", done, len(records))

    def _major(self, record: ConditionRecord) -> Any:
        if record.major_key in self.majors_written:
            return self.majors_written[record.major_key]
        lookup = {"kind": record.kind, "code": record.major_code}
        obj, outcome = _upsert(
            self.models.major,
            self.existing.majors.get(record.major_key),
            lookup,
            fields={"name": record.major_name},
            on_create={"note": record.note},
        )
        self.majors_written[record.major_key] = obj
        self.report.add("major category", outcome)
        return obj

    def _minor(self, major: Any, record: ConditionRecord) -> Any:
        fields = {
            "name": record.minor_name,
            "gbt47678_code": record.gbt47678_code,
            "gbt47678_name": record.gbt47678_name,
            "name_comparison": record.name_comparison,
            "directory_item_id": self.existing.directory.get((record.kind, record.gbt47678_code)),
            "is_local_extension": record.is_local_extension,
            "note": record.note,
            "source": record.source,
        }
        obj, outcome = _upsert(
            self.models.minor,
            self.existing.minors.get(record.minor_key),
            {"major": major, "code": record.minor_code},
            fields,
            on_create=self._bureau_defaults(record),
        )
        self.report.add("minor category", outcome)
        return obj

    def _bureau_defaults(self, record: ConditionRecord) -> dict[str, Any]:
        """The columns the bureau owns, set only when a minor is created."""
        rule = handler_rule_match(self.rules, *record.minor_key)
        if rule is None:  # _Existing.conflicts refuses such rows before anything is written
            raise LookupError(f"no default handling unit for {record.minor_key}")
        return {
            "is_active": True,
            "handler_unit_kind": rule.unit_kind,
            "handler_department_function": rule.department_function,
        }

    def _conditions(self, minor: Any, rows: Sequence[ConditionRecord]) -> None:
        for sequence, record in enumerate(rows, start=1):
            fields = {
                "filing_condition": record.filing_condition,
                "closing_condition": record.closing_condition,
                "time_limit": record.time_limit,
                "time_limit_amount": record.parsed.amount,
                "time_limit_unit": str(record.parsed.unit),
                "required_action": record.parsed.action,
            }
            _, outcome = _upsert(
                self.models.condition,
                self.existing.conditions.get((minor.pk, sequence)),
                {"minor": minor, "sequence": sequence},
                fields,
            )
            self.report.add("filing condition", outcome)
        kept = sum(1 for pk, seq in self.existing.conditions if pk == minor.pk and seq > len(rows))
        if kept:
            self.report.counts["filing condition"][KEPT] += kept


# --- The admin's edits ---------------------------------------------------------------------

PARSED_FIELDS = ("time_limit_amount", "time_limit_unit", "required_action")


@transaction.atomic
def directory_item_save(*, item: DirectoryItem) -> DirectoryItem:
    """Save a GB/T 47678.5-2026 directory item after validating its codes."""
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def major_category_save(*, major: MajorCategory) -> MajorCategory:
    """Save a GB/T 30428.2 major category (2-digit code, unique per kind)."""
    major.full_clean()
    major.save()
    return major


@transaction.atomic
def minor_category_save(*, minor: MinorCategory) -> MinorCategory:
    """Save a minor category; a department default names its function (and only then)."""
    minor.full_clean()
    minor.save()
    return minor


@transaction.atomic
def minor_categories_set_active(*, minors: QuerySet[MinorCategory], is_active: bool) -> int:
    """(De)activate minor categories; an inactive one is no longer offered for new cases."""
    return minors.exclude(is_active=is_active).update(is_active=is_active)


@transaction.atomic
def filing_condition_save(*, condition: FilingCondition) -> FilingCondition:
    """Save a filing condition, parsing its time limit as written into amount, unit and action.

    ``ValidationError`` on ``time_limit`` when the text is not in the vocabulary (0007).
    """
    condition.full_clean(exclude=list(PARSED_FIELDS))
    parsed = time_limit_parse(condition.time_limit)
    condition.time_limit_amount = parsed.amount
    condition.time_limit_unit = parsed.unit
    condition.required_action = parsed.action
    condition.save()
    return condition


@transaction.atomic
def filing_condition_delete(*, condition: FilingCondition) -> None:
    """Remove a filing condition from its minor category."""
    condition.delete()
