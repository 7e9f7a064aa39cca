"""``{% calendar_notice as text %}``: the administrators' reminder to enter next year's calendar."""

from __future__ import annotations

from django import template
from django.utils import timezone

from cityloop.worktime.notices import calendar_notice as notice_for

register = template.Library()


@register.simple_tag
def calendar_notice() -> str | None:
    return notice_for(timezone.localdate())
