"""The catalogue's write services used by the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from cityloop.categories.models import FilingCondition, MinorCategory
from cityloop.categories.services import (
    filing_condition_save,
    minor_categories_set_active,
    minor_category_save,
)
from cityloop.categories.tests.factories import FilingConditionFactory, MinorCategoryFactory

pytestmark = pytest.mark.django_db


def test_saving_a_condition_parses_its_limit():
    condition = FilingConditionFactory.build(minor=MinorCategoryFactory(), sequence=1)
    condition.time_limit = "1紧急工作时制止"
    filing_condition_save(condition=condition)
    condition.refresh_from_db()
    assert (condition.time_limit_amount, condition.time_limit_unit) == (1, "urgent_hour")
    assert condition.required_action == "制止"


def test_a_condition_with_a_bad_limit_is_not_saved():
    condition = FilingConditionFactory(time_limit="2天")
    condition.time_limit = "2周"
    with pytest.raises(ValidationError) as caught:
        filing_condition_save(condition=condition)
    assert list(caught.value.message_dict) == ["time_limit"]
    condition.refresh_from_db()
    assert condition.time_limit == "2天"


def test_a_department_default_needs_its_function():
    minor = MinorCategoryFactory.build(
        major=MinorCategoryFactory().major, code="62", handler_unit_kind="department"
    )
    with pytest.raises(ValidationError) as caught:
        minor_category_save(minor=minor)
    assert list(caught.value.message_dict) == ["handler_department_function"]
    assert not MinorCategory.objects.filter(code="62", major=minor.major).exists()


def test_a_street_default_takes_no_function():
    minor = MinorCategoryFactory.build(
        major=MinorCategoryFactory().major, handler_department_function="water"
    )
    with pytest.raises(ValidationError):
        minor_category_save(minor=minor)


def test_the_database_refuses_a_function_without_a_department():
    with pytest.raises(IntegrityError):
        MinorCategoryFactory(handler_unit_kind="street", handler_department_function="water")


def test_the_database_refuses_a_repeated_sequence():
    first = FilingConditionFactory(sequence=1)
    with pytest.raises(IntegrityError):
        FilingConditionFactory(minor=first.minor, sequence=1)


def test_setting_active_counts_only_changed_rows():
    kept, dropped = MinorCategoryFactory(), MinorCategoryFactory(inactive=True)
    changed = minor_categories_set_active(
        minors=MinorCategory.objects.filter(pk__in=[kept.pk, dropped.pk]), is_active=True
    )
    assert changed == 1
    assert MinorCategory.objects.filter(pk__in=[kept.pk, dropped.pk], is_active=True).count() == 2


def test_a_condition_resolves_under_current_settings(settings):
    condition = FilingConditionFactory(urgent=True)
    settings.CITYLOOP_URGENT_HOUR_CLOCK = "working"
    assert (condition.clock, condition.duration_minutes) == ("working", 120)
    assert isinstance(condition, FilingCondition)
