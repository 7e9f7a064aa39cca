"""The admin pages: in Chinese, validated field by field, and saving through the services."""

from __future__ import annotations

from datetime import date, time

import pytest

from cityloop.org.services import user_create
from cityloop.worktime.choices import DayKind
from cityloop.worktime.models import CalendarOverride, CalendarVersion, CalendarYear, OfficeHours
from cityloop.worktime.officehours import Period
from cityloop.worktime.selectors import office_periods
from cityloop.worktime.services import calendar_override_set, office_hours_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return user_create(username="root", password=None, unit=None, is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def periods_post(*periods: tuple[str, str], **fields) -> dict:
    data = {
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "1000",
        "note": "",
        **fields,
    }
    for i, (start, end) in enumerate(periods):
        data[f"periods-{i}-start"] = start
        data[f"periods-{i}-end"] = end
    return data


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/admin/worktime/officehours/", "办公时间"),
        ("/admin/worktime/calendaroverride/", "节假日调整"),
        ("/admin/worktime/calendaryear/", "有数据的年份：2004–2026"),
    ],
)
def test_the_admin_lists_are_in_chinese(admin_client, url, title):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert title in response.content.decode()


def test_adding_office_hours_in_the_admin_goes_through_the_service(admin_client, street):
    response = admin_client.post(
        "/admin/worktime/officehours/add/",
        periods_post(("09:00", "12:00"), ("13:30", "17:30"), unit=street.pk),
    )
    assert response.status_code == 302
    hours = OfficeHours.objects.get()
    assert hours.unit == street
    assert office_periods(street) == ((time(9), time(12)), (time(13, 30), time(17, 30)))
    assert CalendarVersion.objects.filter(pk=1).exists()


def test_overlapping_periods_in_the_admin_are_shown_on_the_period(admin_client, street):
    response = admin_client.post(
        "/admin/worktime/officehours/add/",
        periods_post(("08:30", "12:00"), ("11:00", "18:00"), unit=street.pk),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[1].errors == {"start": ["该时段与时段 08:30–12:00 重叠。"]}
    assert OfficeHours.objects.count() == 0


def test_a_period_ending_before_it_starts_in_the_admin_is_shown_on_its_end(admin_client, street):
    response = admin_client.post(
        "/admin/worktime/officehours/add/", periods_post(("12:00", "08:30"), unit=street.pk)
    )
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors == {"end": ["时段的结束时间必须晚于开始时间。"]}
    assert OfficeHours.objects.count() == 0


def test_office_hours_without_periods_are_refused_in_the_admin(admin_client, street):
    response = admin_client.post("/admin/worktime/officehours/add/", periods_post(unit=street.pk))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == ["请至少填写一个办公时段。"]
    assert OfficeHours.objects.count() == 0


def test_a_second_default_row_is_refused_in_the_admin(admin_client):
    admin_client.post("/admin/worktime/officehours/add/", periods_post(("08:00", "17:00")))
    response = admin_client.post(
        "/admin/worktime/officehours/add/", periods_post(("09:00", "17:00"))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"__all__": ["默认办公时间已存在。"]}
    assert OfficeHours.objects.count() == 1


def test_adding_an_override_in_the_admin_records_who(admin_client, admin_user):
    response = admin_client.post(
        "/admin/worktime/calendaroverride/add/",
        {"day": "2025-03-05", "kind": "day_off", "note": "区政府通知放假"},
    )
    assert response.status_code == 302
    override = CalendarOverride.objects.get()
    assert (override.day, override.kind, override.updated_by) == (
        date(2025, 3, 5),
        DayKind.DAY_OFF,
        admin_user,
    )


def test_declaring_a_year_with_nothing_entered_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/worktime/calendaryear/add/", {"year": "2027", "source": "国办发明电〔2026〕X号"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "year": ["尚未录入 2027 年的任何节假日调整，请先录入再声明该年完整。"]
    }
    assert CalendarYear.objects.count() == 0


def test_declaring_2027_in_the_admin(admin_client, admin_user):
    calendar_override_set(day=date(2027, 1, 1), kind=DayKind.DAY_OFF, note="元旦")
    response = admin_client.post(
        "/admin/worktime/calendaryear/add/", {"year": "2027", "source": "国办发明电〔2026〕X号"}
    )
    assert response.status_code == 302
    declaration = CalendarYear.objects.get()
    assert (declaration.year, declaration.declared_by) == (2027, admin_user)
    listing = admin_client.get("/admin/worktime/calendaryear/").content.decode()
    assert "有数据的年份：2004–2027" in listing


def test_deleting_an_override_in_the_admin_goes_through_the_service(admin_client):
    override = calendar_override_set(day=date(2025, 3, 5), kind=DayKind.DAY_OFF, note="放假")
    token = CalendarVersion.objects.get(pk=1).token
    response = admin_client.post(
        f"/admin/worktime/calendaroverride/{override.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.count() == 0
    assert CalendarVersion.objects.get(pk=1).token != token


def test_changing_office_hours_in_the_admin_replaces_the_periods(admin_client, street):
    # given the street on 09:00–12:00 and 13:30–17:30
    hours = office_hours_set(
        unit=street, periods=[Period(time(9), time(12)), Period(time(13, 30), time(17, 30))]
    )
    morning, afternoon = hours.periods.order_by("start")
    # when the admin deletes the afternoon and stretches the morning to 17:00
    data = periods_post(("09:00", "17:00"), ("13:30", "17:30"), note="改为连续办公")
    data.update(
        {
            "periods-INITIAL_FORMS": "2",
            "periods-0-id": str(morning.pk),
            "periods-0-office_hours": str(hours.pk),
            "periods-1-id": str(afternoon.pk),
            "periods-1-office_hours": str(hours.pk),
            "periods-1-DELETE": "on",
        }
    )
    response = admin_client.post(f"/admin/worktime/officehours/{hours.pk}/change/", data)
    # then the street works 09:00–17:00 straight
    assert response.status_code == 302
    assert office_periods(street) == (Period(time(9), time(17)),)
    assert OfficeHours.objects.get().note == "改为连续办公"
