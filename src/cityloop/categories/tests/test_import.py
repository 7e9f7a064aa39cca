"""Importing catalogue and directory CSV files: bundled data, idempotence, all-or-nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cityloop.categories.catalogue_rows import (
    BUNDLED_CATALOGUE,
    BUNDLED_DIRECTORY,
    BUNDLED_LOCAL_EXTENSIONS,
    CATALOGUE_COLUMNS,
)
from cityloop.categories.models import FilingCondition, MajorCategory, MinorCategory
from cityloop.categories.selectors import minor_category_by_code
from cityloop.categories.services import (
    bundled_catalogue_load,
    bundled_handler_rules,
    catalogue_import,
    directory_import,
)
from cityloop.categories.tests.conftest import catalogue_row
from cityloop.core.i18n import in_language

pytestmark = pytest.mark.django_db

NOT_IN_VOCABULARY = "expected a whole number followed by 小时, 天, 紧急工作时 or 紧急工作日"


def table_state() -> list[tuple]:
    """Everything the import writes, as comparable tuples."""
    return [
        *MajorCategory.objects.values_list("kind", "code", "name", "note"),
        *MinorCategory.objects.values_list(
            "major_id", "code", "name", "gbt47678_code", "directory_item_id", "is_active"
        ),
        *FilingCondition.objects.values_list(
            "minor_id", "sequence", "filing_condition", "time_limit", "time_limit_unit"
        ),
    ]


def directory_row(**overrides) -> dict:
    """A good GB/T 47678.5 directory row (a new item 06099) with some cells replaced."""
    row = {"kind": "管理事项", "major_code": "06", "major_name": "市容环境类"}
    return {**row, "minor_code": "099", "code5": "06099", "name": "新事项", **overrides}


def reasons(report) -> list[tuple[int, str]]:
    """The report's errors as (line, reason in English)."""
    return [(error.line, in_language(error, "en")) for error in report.errors]


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_categories", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("importer", "path", "rows"),
    [
        (directory_import, BUNDLED_DIRECTORY, 403),
        (catalogue_import, BUNDLED_CATALOGUE, 522),
        (catalogue_import, BUNDLED_LOCAL_EXTENSIONS, 14),
    ],
)
def test_each_bundled_file_reimports_with_no_error_and_no_change(importer, path, rows):
    # given the catalogue the migration loaded
    before = table_state()
    # when a bundled file is imported again
    report = importer(path=path)
    # then every row is clean, nothing is created or updated, nothing changed
    assert report.errors == []
    assert report.rows == rows
    assert all(c["created"] == c["updated"] == 0 for c in report.counts.values())
    assert table_state() == before


def test_bundled_load_reports_the_last_file_unchanged():
    report = bundled_catalogue_load()
    assert report.ok
    assert report.summary_lines() == [
        "major category: 0 created, 0 updated, 2 unchanged",
        "minor category: 0 created, 0 updated, 6 unchanged",
        "filing condition: 0 created, 0 updated, 14 unchanged",
    ]


def test_the_bundled_handler_defaults_read_cleanly_with_a_catch_all():
    rules = bundled_handler_rules()
    assert len(rules) == 91
    assert next(r for r in rules if r.key == ("", "", "")).unit_kind == "street"


def test_a_new_category_is_created_with_the_bureau_default_handler(write_csv):
    path = write_csv([catalogue_row(), catalogue_row(time_limit="1紧急工作时制止")])
    report = catalogue_import(path=path)
    minor = minor_category_by_code(kind="event", major_code="01", minor_code="75")
    assert report.summary_lines() == [
        "major category: 0 created, 0 updated, 1 unchanged",
        "minor category: 1 created, 0 updated, 0 unchanged",
        "filing condition: 2 created, 0 updated, 0 unchanged",
    ]
    assert (minor.name, minor.handler_unit_kind, minor.is_active) == ("测试类别", "community", True)
    assert [
        (c.sequence, c.time_limit_unit, c.required_action) for c in minor.filing_conditions.all()
    ] == [
        (1, "working_day", ""),
        (2, "urgent_hour", "制止"),
    ]


def test_reimport_updates_in_place_by_code_and_keeps_the_bureau_columns(write_csv):
    # given a minor the bureau has reassigned and deactivated
    catalogue_import(path=write_csv([catalogue_row()]))
    minor = MinorCategory.objects.get(major__code="01", code="75")
    MinorCategory.objects.filter(pk=minor.pk).update(handler_unit_kind="district", is_active=False)
    # when the file comes again with a new name and a new limit
    report = catalogue_import(path=write_csv([catalogue_row(minor_name="改名", time_limit="3天")]))
    # then the row is updated in place; the bureau's columns stay
    minor.refresh_from_db()
    condition = minor.filing_conditions.get()
    assert report.count("minor category", "updated") == 1
    assert report.count("filing condition", "updated") == 1
    assert (minor.pk, minor.name, minor.handler_unit_kind, minor.is_active) == (
        minor.pk,
        "改名",
        "district",
        False,
    )
    assert (condition.time_limit, condition.time_limit_amount) == ("3天", 3)


def test_conditions_beyond_the_file_are_kept_and_counted(write_csv):
    catalogue_import(path=write_csv([catalogue_row(), catalogue_row(filing_condition="第二条")]))
    report = catalogue_import(path=write_csv([catalogue_row()]))
    assert report.count("filing condition", "kept") == 1
    assert FilingCondition.objects.filter(minor__major__code="01", minor__code="75").count() == 2


def test_the_command_refuses_a_file_with_bad_rows_and_names_every_line(write_csv):
    # given a file with one good row and three bad ones
    path = write_csv(
        [
            catalogue_row(),
            catalogue_row(minor_code="76", time_limit="两天"),
            catalogue_row(minor_code="77", minor_name=""),
            catalogue_row(major_code="1", minor_code="78"),
        ]
    )
    before = table_state()
    # when the command imports it
    with pytest.raises(CommandError, match="3 bad row"):
        run(str(path))
    # then nothing at all was imported, not even the good row
    assert table_state() == before
    assert minor_category_by_code(kind="event", major_code="01", minor_code="75") is None


def test_the_command_lists_each_bad_line(write_csv):
    path = write_csv([catalogue_row(), catalogue_row(minor_code="76", time_limit="两天")])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_categories", str(path), stdout=out, stderr=err)
    assert "line 3:" in err.getvalue()
    assert "'两天'" in err.getvalue()


def test_the_report_gives_line_numbers_and_reasons(write_csv):
    path = write_csv(
        [
            catalogue_row(),
            catalogue_row(minor_code="76", time_limit="两天"),
            catalogue_row(minor_code="77", minor_name=""),
            catalogue_row(major_code="1", minor_code="78"),
        ]
    )
    report = catalogue_import(path=path)
    assert reasons(report) == [
        (
            3,
            f"time_limit '两天': {NOT_IN_VOCABULARY}",
        ),
        (4, "minor_name is empty"),
        (5, "major_code must be exactly 2 digits, not '1'"),
    ]


def test_a_multi_line_cell_keeps_the_line_the_row_starts_on(write_csv):
    path = write_csv(
        [catalogue_row(filing_condition="第一行\n第二行"), catalogue_row(time_limit="")]
    )
    report = catalogue_import(path=path)
    assert reasons(report) == [(4, "time_limit is empty")]


def test_a_dry_run_counts_and_writes_nothing(write_csv):
    out, _err = run(str(write_csv([catalogue_row()])), "--dry-run")
    assert "minor category: 1 created, 0 updated, 0 unchanged" in out
    assert "dry run" in out
    assert minor_category_by_code(kind="event", major_code="01", minor_code="75") is None


def test_the_command_imports_a_good_file(write_csv):
    out, _err = run(str(write_csv([catalogue_row()])))
    assert "filing condition: 1 created, 0 updated, 0 unchanged" in out
    assert minor_category_by_code(kind="event", major_code="01", minor_code="75") is not None


def test_the_command_reimports_the_bundled_directory_unchanged():
    out, _err = run(str(BUNDLED_DIRECTORY))
    assert "directory item: 0 created, 0 updated, 403 unchanged" in out


def test_the_command_refuses_a_file_it_cannot_recognise(write_csv):
    with pytest.raises(CommandError, match="neither filing_condition"):
        run(str(write_csv([{"a": "1"}], columns=["a"])))


def test_missing_columns_are_reported_on_line_1(write_csv):
    columns = [c for c in CATALOGUE_COLUMNS if c != "time_limit"]
    row = {k: v for k, v in catalogue_row().items() if k != "time_limit"}
    report = catalogue_import(path=write_csv([row], columns=columns))
    assert reasons(report) == [(1, "missing columns: time_limit")]


def test_a_local_extension_cannot_take_a_standard_code(write_csv):
    row = catalogue_row(minor_code="10", minor_name="暴露生活垃圾", is_local_extension="true")
    columns = [*CATALOGUE_COLUMNS, "is_local_extension"]
    report = catalogue_import(path=write_csv([row], columns=columns))
    assert reasons(report) == [
        (2, "event 01-10 is a standard category: a local extension needs a free code")
    ]
    assert MinorCategory.objects.get(major__kind="event", major__code="01", code="10").name == (
        "暴露生活垃圾"
    )
    assert not MinorCategory.objects.filter(major__code="01", code="10", is_local_extension=True)


def test_a_standard_row_cannot_take_a_local_extension_code(write_csv):
    report = catalogue_import(path=write_csv([catalogue_row(minor_code="70")]))
    assert [text for _line, text in reasons(report)] == [
        "event 01-70 is a local extension: the standard row cannot take its code"
    ]


def test_a_mapped_code_missing_from_the_directory_is_refused(write_csv):
    row = catalogue_row(
        gbt47678_5_2026_code_at_mapped_position="06099",
        gbt47678_5_2026_name_at_mapped_position="不存在",
        name_comparison="same name",
    )
    columns = [
        *CATALOGUE_COLUMNS,
        "gbt47678_5_2026_code_at_mapped_position",
        "gbt47678_5_2026_name_at_mapped_position",
        "name_comparison",
    ]
    report = catalogue_import(path=write_csv([row], columns=columns))
    assert [text for _line, text in reasons(report)] == [
        "GB/T 47678.5 code 06099 is not in the directory"
    ]


def test_a_comparison_without_its_code_is_refused():
    report = catalogue_import(rows=[catalogue_row(name_comparison="same name")])
    assert [text for _line, text in reasons(report)] == [
        "name_comparison same_name needs a GB/T 47678.5 code and name"
    ]


def test_rows_of_one_minor_must_agree():
    report = catalogue_import(rows=[catalogue_row(), catalogue_row(minor_name="别名")])
    assert reasons(report) == [(3, "minor_name differs from line 2 of the same category")]


def test_rows_of_one_major_must_agree_on_its_name():
    report = catalogue_import(
        rows=[catalogue_row(), catalogue_row(minor_code="76", major_name="别名")]
    )
    assert reasons(report) == [(3, "major_name differs from line 2 of the same category")]


def test_an_unknown_kind_is_refused():
    report = catalogue_import(rows=[catalogue_row(kind="thing")])
    assert [text for _line, text in reasons(report)] == [
        "kind must be component or event, not 'thing'"
    ]


def test_a_bad_directory_row_is_refused_and_nothing_written():
    rows = [directory_row(), directory_row(minor_code="098", code5="06097", name="错码")]
    report = directory_import(rows=rows)
    assert reasons(report) == [(3, "code5 06097 is not major_code + minor_code")]
    assert not MinorCategory.objects.filter(gbt47678_code="06099").exists()


def test_a_new_directory_item_is_added():
    report = directory_import(rows=[directory_row()])
    assert report.summary_lines() == ["directory item: 1 created, 0 updated, 0 unchanged"]


def test_a_reason_reads_in_chinese_too():
    report = catalogue_import(rows=[catalogue_row(time_limit="两天")])
    assert [in_language(error, "zh-hans") for error in report.errors] == [
        "处置时限 '两天'：应为整数后接 小时、天、紧急工作时 或 紧急工作日"
    ]


def test_the_command_prints_each_reason_in_both_languages(write_csv):
    path = write_csv([catalogue_row(minor_name="")])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("import_categories", str(path), stdout=out, stderr=err)
    assert err.getvalue() == "  line 2: minor_name 为空 / minor_name is empty\n"


def test_a_row_with_more_cells_than_columns_is_refused(tmp_path):
    path = tmp_path / "extra.csv"
    header = ",".join(CATALOGUE_COLUMNS)
    path.write_text(f"{header}\nevent,01,市容环境,75,测试类别,发现问题,处理完毕,2天,多余\n")
    report = catalogue_import(path=path)
    assert reasons(report) == [(2, "the row has more cells than the header has columns")]


def test_the_command_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(",".join(CATALOGUE_COLUMNS).encode() + "\n事件".encode("gbk"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(str(path))
