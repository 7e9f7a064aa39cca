"""Factories of the catalogue's models, for tests that need categories of their own."""

from __future__ import annotations

import factory

from cityloop.categories.choices import CategoryKind, NameComparison, TimeLimitUnit
from cityloop.categories.models import FilingCondition, MajorCategory, MinorCategory
from cityloop.org.choices import UnitKind


class MajorCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MajorCategory
        django_get_or_create = ("kind", "code")

    kind = CategoryKind.EVENT
    code = "60"
    name = "测试大类"


class MinorCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MinorCategory

    major = factory.SubFactory(MajorCategoryFactory)
    code = factory.Sequence(lambda n: f"{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试小类{n}")
    name_comparison = NameComparison.NO_POSITIONAL_MAPPING
    handler_unit_kind = UnitKind.STREET

    class Params:
        inactive = factory.Trait(is_active=False)
        local = factory.Trait(is_local_extension=True)


class FilingConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FilingCondition

    minor = factory.SubFactory(MinorCategoryFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    filing_condition = "立案条件"
    closing_condition = "结案条件"
    time_limit = "2天"
    time_limit_amount = 2
    time_limit_unit = TimeLimitUnit.WORKING_DAY

    class Params:
        urgent = factory.Trait(
            time_limit="2紧急工作时", time_limit_amount=2, time_limit_unit=TimeLimitUnit.URGENT_HOUR
        )
