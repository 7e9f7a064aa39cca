"""The catalogue the data migration loads: counts, known rows, the 00 rows, local extensions,
and the bureau's default handling units."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import timedelta

import pytest

from cityloop.categories.catalogue_rows import BUNDLED_CATALOGUE, BUNDLED_DIRECTORY
from cityloop.categories.choices import CategoryKind, NameComparison
from cityloop.categories.models import DirectoryItem, FilingCondition, MajorCategory, MinorCategory
from cityloop.categories.selectors import minor_category_by_code
from cityloop.worktime.choices import ClockKind

pytestmark = pytest.mark.django_db

LOCAL_CODES = [
    ("event", "01", "70", "垃圾分类违规投放"),
    ("event", "01", "71", "犬只扰民"),
    ("event", "01", "72", "流浪犬只"),
    ("event", "01", "73", "树木违规迁移"),
    ("event", "01", "74", "红火蚁、薇甘菊等有害生物"),
    ("event", "02", "70", "户外招牌未备案"),
]


def test_the_migration_loads_the_table_the_directory_and_the_local_extensions():
    assert DirectoryItem.objects.count() == 403
    assert MajorCategory.objects.count() == 12
    assert MinorCategory.objects.filter(is_local_extension=False).count() == 190
    assert MinorCategory.objects.filter(is_local_extension=True).count() == 6
    assert FilingCondition.objects.filter(minor__is_local_extension=False).count() == 522
    assert FilingCondition.objects.filter(minor__is_local_extension=True).count() == 14


def test_the_directory_keeps_both_kinds_and_its_source():
    kinds = Counter(DirectoryItem.objects.values_list("kind", flat=True))
    assert kinds == {CategoryKind.COMPONENT: 153, CategoryKind.EVENT: 250}
    item = DirectoryItem.objects.get(kind="event", code="09005")
    assert (item.name, item.major_code, item.minor_code) == ("店外经营", "09", "005")
    assert item.standard == "GB/T 47678.5-2026"
    assert item.source.startswith("github:Jackyhellolove/city-inspection-ai")


def test_the_table_units_are_counted_as_in_the_source():
    units = Counter(
        FilingCondition.objects.filter(minor__is_local_extension=False).values_list(
            "time_limit_unit", flat=True
        )
    )
    assert units == {"working_day": 414, "working_hour": 61, "urgent_hour": 42, "urgent_day": 5}


def test_exposed_household_garbage_is_four_working_hours():
    minor = minor_category_by_code(kind="event", major_code="01", minor_code="10")
    [condition] = minor.filing_conditions.all()
    assert minor.name == "暴露生活垃圾"
    assert (minor.gbt47678_code, minor.gbt47678_name) == ("06010", "暴露垃圾")
    assert minor.name_comparison == NameComparison.DIFFERENT_NAME
    assert condition.filing_condition == "公共场所未倒入垃圾容器的生活垃圾"
    assert condition.closing_condition == "清理"
    assert condition.time_limit == "4小时"
    assert condition.clock == ClockKind.WORKING
    assert condition.duration == timedelta(hours=4)


def test_water_supply_cover_keeps_its_2026_item_and_urgent_first_condition():
    minor = minor_category_by_code(kind="component", major_code="01", minor_code="01")
    conditions = list(minor.filing_conditions.all())
    assert minor.name == "上水井盖"
    assert (minor.gbt47678_code, minor.gbt47678_name) == ("01001", "供水井盖")
    assert minor.name_comparison == NameComparison.DIFFERENT_NAME
    assert (minor.directory_item.kind, minor.directory_item.code) == ("component", "01001")
    assert [c.time_limit for c in conditions] == ["2紧急工作时", "4小时", "2天", "5天"]
    assert conditions[0].filing_condition == "缺失、移位、开裂，存在安全隐患的"
    assert conditions[0].clock == ClockKind.CONTINUOUS
    assert conditions[0].duration == timedelta(hours=2)
    assert conditions[0].duration_minutes == 120


def test_the_stop_order_keeps_its_action():
    minor = minor_category_by_code(kind="event", major_code="01", minor_code="22")
    first = minor.filing_conditions.all()[0]
    assert (first.time_limit, first.time_limit_amount, first.time_limit_unit) == (
        "1紧急工作时制止",
        1,
        "urgent_hour",
    )
    assert first.required_action == "制止"


def test_changing_the_setting_changes_a_loaded_condition(settings):
    condition = FilingCondition.objects.get(
        minor__major__kind="component", minor__major__code="01", minor__code="01", sequence=1
    )
    settings.CITYLOOP_URGENT_HOUR_CLOCK = "working"
    assert condition.clock == ClockKind.WORKING
    assert condition.duration_minutes == 120


def test_every_mapped_minor_points_at_the_directory_item_of_its_code():
    mapped = MinorCategory.objects.exclude(gbt47678_code="").select_related("directory_item")
    assert mapped.count() == 116
    assert all(
        (m.directory_item.code, m.directory_item.name) == (m.gbt47678_code, m.gbt47678_name)
        for m in mapped
    )
    assert not MinorCategory.objects.filter(gbt47678_code="", directory_item__isnull=False)


def test_unmapped_minors_keep_the_reasons_of_the_reference():
    comparisons = Counter(
        MinorCategory.objects.filter(is_local_extension=False).values_list(
            "name_comparison", flat=True
        )
    )
    assert comparisons == {
        "same_name": 97,
        "similar_name": 4,
        "different_name": 15,
        "no_item_at_mapped_code": 58,
        "no_positional_mapping": 16,
    }


def test_the_two_rows_coded_00_stay_as_the_source_has_them_with_the_note():
    major = MajorCategory.objects.get(kind="event", code="00")
    minors = major.minors.order_by("code")
    assert major.name == "市容环境"
    assert [(m.code, m.name) for m in minors] == [("79", "园路破损"), ("80", "线体垂落")]
    assert {m.note for m in minors} == {
        "major_code 00 as in source (listed under 市容环境; probably a typo for 01)"
    }
    assert (
        major.note == "major_code 00 as in source (listed under 市容环境; probably a typo for 01)"
    )


@pytest.mark.parametrize(("kind", "major", "minor", "name"), LOCAL_CODES)
def test_each_local_extension_has_conditions_and_parsed_limits(kind, major, minor, name):
    found = minor_category_by_code(kind=kind, major_code=major, minor_code=minor)
    conditions = list(found.filing_conditions.all())
    assert (found.name, found.is_local_extension) == (name, True)
    assert found.name_comparison == NameComparison.NO_ITEM_AT_MAPPED_CODE
    assert conditions
    assert all(
        c.filing_condition and c.closing_condition and c.time_limit_amount for c in conditions
    )


def test_local_codes_are_free_in_the_table_and_in_the_2026_directory():
    with BUNDLED_CATALOGUE.open(encoding="utf-8", newline="") as handle:
        table = {(r["kind"], r["major_code"], r["minor_code"]) for r in csv.DictReader(handle)}
    with BUNDLED_DIRECTORY.open(encoding="utf-8", newline="") as handle:
        directory = {r["code5"] for r in csv.DictReader(handle) if r["kind"] == "管理事项"}
    event_major_2026 = {"01": "06", "02": "07", "03": "08", "04": "09"}
    for kind, major, minor, _name in LOCAL_CODES:
        assert (kind, major, minor) not in table
        assert f"{event_major_2026[major]}0{minor}" not in directory


@pytest.mark.parametrize(
    ("kind", "major", "minor", "unit_kind", "function"),
    [
        ("component", "01", "01", "department", "water"),
        ("component", "01", "28", "department", "power"),
        ("component", "01", "27", "department", "telecom"),
        ("component", "01", "31", "department", "telecom"),
        ("component", "01", "11", "department", "gas"),
        ("component", "01", "37", "department", "urban_management"),
        ("component", "04", "02", "department", "greening"),
        ("event", "03", "04", "department", "housing"),
        ("event", "04", "05", "street", ""),
        ("event", "01", "10", "community", ""),
        ("event", "01", "70", "street", ""),
        ("event", "06", "04", "social_entity", ""),
    ],
)
def test_default_handling_units_come_from_the_bureau_file(kind, major, minor, unit_kind, function):
    found = minor_category_by_code(kind=kind, major_code=major, minor_code=minor)
    assert (found.handler_unit_kind, found.handler_department_function) == (unit_kind, function)


def test_every_loaded_minor_is_active():
    assert not MinorCategory.objects.filter(is_active=False).exists()
