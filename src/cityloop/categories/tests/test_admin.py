"""The catalogue admin: Chinese pages, filters, inline filing conditions saved through services."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.categories.selectors import minor_category_by_code

pytestmark = pytest.mark.django_db


def inline_data(minor: MinorCategory, rows: list[dict], **changes) -> dict:
    """The POST of the minor category's change form, with its filing conditions inline."""
    data = {
        "major": minor.major_id,
        "code": minor.code,
        "name": minor.name,
        "is_local_extension": "on" if minor.is_local_extension else "",
        "is_active": "on" if minor.is_active else "",
        "gbt47678_code": minor.gbt47678_code,
        "gbt47678_name": minor.gbt47678_name,
        "name_comparison": minor.name_comparison,
        "directory_item": minor.directory_item_id or "",
        "handler_unit_kind": minor.handler_unit_kind,
        "handler_department_function": minor.handler_department_function,
        "note": minor.note,
        "source": minor.source,
        "filing_conditions-TOTAL_FORMS": len(rows),
        "filing_conditions-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        "filing_conditions-MIN_NUM_FORMS": 0,
        "filing_conditions-MAX_NUM_FORMS": 1000,
        **changes,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"filing_conditions-{index}-{key}"] = value
        data[f"filing_conditions-{index}-minor"] = minor.pk
    return data


def condition_rows(minor: MinorCategory) -> list[dict]:
    return [
        {
            "id": c.pk,
            "sequence": c.sequence,
            "filing_condition": c.filing_condition,
            "closing_condition": c.closing_condition,
            "time_limit": c.time_limit,
        }
        for c in minor.filing_conditions.order_by("sequence")
    ]


@pytest.mark.parametrize(
    ("model", "title"),
    [
        ("directoryitem", "GB/T 47678.5 目录条目"),
        ("majorcategory", "大类"),
        ("minorcategory", "小类"),
        ("filingcondition", "立案条件"),
    ],
)
def test_each_changelist_is_in_chinese(admin_user, login, model, title):
    response = login(admin_user).get(reverse(f"admin:categories_{model}_changelist"))
    assert response.status_code == 200
    assert title in response.content.decode()


def test_the_minor_list_filters_by_kind_major_local_and_clock(admin_user, login):
    major = minor_category_by_code(kind="event", major_code="01", minor_code="10").major
    url = reverse("admin:categories_minorcategory_changelist")
    params = {"kind": "event", "major__id__exact": major.pk, "is_local_extension__exact": "1"}
    response = login(admin_user).get(url, {**params, "clock": "continuous"})
    names = [m.name for m in response.context["cl"].result_list]
    assert names == ["犬只扰民", "流浪犬只", "树木违规迁移"]


def test_the_condition_list_filters_by_clock_under_the_settings(admin_user, login, settings):
    url = reverse("admin:categories_filingcondition_changelist")
    client = login(admin_user)
    continuous = client.get(url, {"clock": "continuous"}).context["cl"].result_count
    settings.CITYLOOP_URGENT_DAY_CLOCK = "working"
    after = client.get(url, {"clock": "continuous"}).context["cl"].result_count
    assert (continuous, after) == (42 + 5 + 3, 42 + 3)


def test_the_change_form_shows_the_conditions_inline(admin_user, login):
    minor = minor_category_by_code(kind="component", major_code="01", minor_code="01")
    url = reverse("admin:categories_minorcategory_change", args=[minor.pk])
    page = login(admin_user).get(url).content.decode()
    assert "缺失、移位、开裂，存在安全隐患的" in page
    assert "连续计时（24×7）" in page


def test_editing_a_time_limit_inline_reparses_it(admin_user, login):
    # given 上水井盖 and its four conditions
    minor = minor_category_by_code(kind="component", major_code="01", minor_code="01")
    rows = condition_rows(minor)
    rows[1]["time_limit"] = "1紧急工作日"
    url = reverse("admin:categories_minorcategory_change", args=[minor.pk])
    # when the second limit is changed in the admin
    response = login(admin_user).post(url, inline_data(minor, rows))
    # then the condition is saved with its new amount, unit and clock
    condition = FilingCondition.objects.get(minor=minor, sequence=2)
    assert response.status_code == 302
    assert (condition.time_limit, condition.time_limit_amount, condition.time_limit_unit) == (
        "1紧急工作日",
        1,
        "urgent_day",
    )


def test_a_bad_time_limit_is_refused_in_chinese_and_nothing_changes(admin_user, login):
    minor = minor_category_by_code(kind="component", major_code="01", minor_code="01")
    rows = condition_rows(minor)
    rows[1]["time_limit"] = "两天"
    url = reverse("admin:categories_minorcategory_change", args=[minor.pk])
    response = login(admin_user).post(url, inline_data(minor, rows, name="新名字"))
    assert response.status_code == 200
    assert "两天 不是时限词表中的时限" in response.content.decode()
    minor.refresh_from_db()
    assert minor.name == "上水井盖"
    assert FilingCondition.objects.get(minor=minor, sequence=2).time_limit == "4小时"


def test_a_new_condition_can_be_added_inline(admin_user, login):
    minor = minor_category_by_code(kind="event", major_code="01", minor_code="10")
    added_row = {"sequence": 2, "filing_condition": "夜间暴露", "closing_condition": "清理"}
    rows = [*condition_rows(minor), {**added_row, "time_limit": "2小时"}]
    url = reverse("admin:categories_minorcategory_change", args=[minor.pk])
    login(admin_user).post(url, inline_data(minor, rows))
    added = FilingCondition.objects.get(minor=minor, sequence=2)
    assert (added.time_limit_amount, added.time_limit_unit) == (2, "working_hour")


def test_a_department_default_without_its_function_is_refused(admin_user, login):
    minor = minor_category_by_code(kind="event", major_code="01", minor_code="10")
    url = reverse("admin:categories_minorcategory_change", args=[minor.pk])
    data = inline_data(minor, condition_rows(minor), handler_unit_kind="department")
    response = login(admin_user).post(url, data)
    assert response.status_code == 200
    assert "默认处置单位为职能部门时需写明其职能" in response.content.decode()
    minor.refresh_from_db()
    assert minor.handler_unit_kind == "community"


def test_deactivating_categories_is_an_admin_action(admin_user, login):
    minor = minor_category_by_code(kind="event", major_code="04", minor_code="93")
    url = reverse("admin:categories_minorcategory_changelist")
    login(admin_user).post(url, {"action": "deactivate", "_selected_action": [minor.pk]})
    minor.refresh_from_db()
    assert minor.is_active is False


def test_catalogue_rows_cannot_be_deleted_in_the_admin(admin_user, login):
    minor = minor_category_by_code(kind="event", major_code="01", minor_code="10")
    url = reverse("admin:categories_minorcategory_delete", args=[minor.pk])
    assert login(admin_user).get(url).status_code == 403


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        ("directoryitem", {"kind": "component", "code": "01001"}),
        ("majorcategory", {"kind": "event", "code": "00"}),
        ("filingcondition", {"minor__major__code": "01", "minor__code": "70", "sequence": 1}),
    ],
)
def test_each_change_form_opens(admin_user, login, model, lookup):
    obj = apps.get_model("categories", model).objects.get(**lookup)
    response = login(admin_user).get(reverse(f"admin:categories_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_a_condition_edited_on_its_own_page_is_reparsed(admin_user, login):
    condition = FilingCondition.objects.get(
        minor__major__kind="event", minor__major__code="01", minor__code="70", sequence=1
    )
    url = reverse("admin:categories_filingcondition_change", args=[condition.pk])
    data = {
        "minor": condition.minor_id,
        "sequence": 1,
        "filing_condition": condition.filing_condition,
        "closing_condition": condition.closing_condition,
        "time_limit": "2紧急工作日",
    }
    response = login(admin_user).post(url, data)
    condition.refresh_from_db()
    assert response.status_code == 302
    assert (condition.time_limit_amount, condition.time_limit_unit) == (2, "urgent_day")
