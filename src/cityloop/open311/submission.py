"""Reading a POST Service Request into the intake's terms, or saying what is wrong.

Accepted as real clients send it (``docs/open311.md``): urlencoded or multipart; ``lat`` and
``long`` in WGS-84 (or, CityLoop's extension, in the system ``crs`` names) or
``address_string``; ``media`` / ``media[]`` files (the v2.1 draft's upload) become the case's
photos; ``first_name`` + ``last_name`` become the reporter's name and ``phone`` their phone,
both kept from the public; ``email`` is read and not kept; ``attribute[…]`` is ignored (our
services define no attributes); ``media_url`` is kept on the submission, never fetched.
"""

from __future__ import annotations

import math
import re

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cityloop.categories.models import MinorCategory
from cityloop.core.i18n import lazy_format
from cityloop.core.refusals import BadInput
from cityloop.events.services.intake import MAX_DESCRIPTION
from cityloop.geo import coordinates
from cityloop.open311.errors import BadRequest, NotFound
from cityloop.open311.params import param
from cityloop.open311.selectors import service_by_code
from cityloop.open311.services import Report

# The intake's field names, as the Open311 parameters that carry them.
PARAMETER_OF_FIELD = {
    "lon": "long",
    "lat": "lat",
    "crs": "crs",
    "category": "service_code",
    "attachments": "media",
}
RANGES = {"lat": {"low": -90, "high": 90}, "long": {"low": -180, "high": 180}}
OUT_OF_RANGE = _("%(name)s must be a number from %(low)s to %(high)s")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·]+$")


def report_from(request: HttpRequest) -> Report:
    """The checked report; 400 (every problem at once) or 404 for an unknown service."""
    category = service_of(param(request, "service_code"))
    description, problems = _description(param(request, "description"))
    (lat, lon), place_problems = _point(request)
    crs, crs_problems = _crs(param(request, "crs"))
    address = param(request, "address_string") or ""
    if lat is None and not address and not place_problems:
        place_problems = [_place_missing(request)]
    if problems + place_problems + crs_problems:
        raise BadRequest(*problems, *place_problems, *crs_problems)
    return Report(
        category=category,
        description=description,
        lat=lat,
        lon=lon,
        crs=crs,
        address=address,
        reporter_name=reporter_name(param(request, "first_name"), param(request, "last_name")),
        reporter_phone=param(request, "phone") or "",
        account_id=param(request, "account_id") or "",
        device_id=param(request, "device_id") or "",
        media_url=_media_url(param(request, "media_url")),
        files=request.FILES.getlist("media") + request.FILES.getlist("media[]"),
    )


def service_of(code: str | None) -> MinorCategory:
    """The active service ``code`` names: 400 if none is given, 404 if none has it."""
    if code is None:
        raise BadRequest(_("service_code is required"))
    category = service_by_code(code)
    if category is None:
        message = _("service_code %(code)s is not a service of this endpoint")
        raise NotFound(lazy_format(message, {"code": code}))
    return category


def _description(text: str | None) -> tuple[str, list]:
    if text is None:
        return "", [_("description is required")]
    if len(text) > MAX_DESCRIPTION:
        message = _("description is too long: %(limit)s characters at most")
        return text, [lazy_format(message, {"limit": f"{MAX_DESCRIPTION:,}"})]
    return text, []


def _point(request: HttpRequest) -> tuple[tuple[float | None, float | None], list]:
    lat, lon = param(request, "lat"), param(request, "long")
    if lat is None or lon is None:
        together = lat is None and lon is None
        return (None, None), [] if together else [_("lat and long must be sent together")]
    numbers = {name: _number(name, value) for name, value in (("lat", lat), ("long", lon))}
    wrong = [name for name, number in numbers.items() if number is None]
    problems = [lazy_format(OUT_OF_RANGE, {"name": n, **RANGES[n]}) for n in wrong]
    return ((numbers["lat"], numbers["long"]) if not wrong else (None, None)), problems


def _number(name: str, value: str) -> float | None:
    """The coordinate, if it is a finite number within the range of its kind."""
    try:
        number = float(value)
    except ValueError:
        return None
    low, high = RANGES[name]["low"], RANGES[name]["high"]
    return number if math.isfinite(number) and low <= number <= high else None


def _crs(value: str | None) -> tuple[str, list]:
    """CityLoop's extension for apps on Chinese maps: ``crs=gcj02`` (AMap, Tencent) or
    ``bd09`` (Baidu); WGS-84, the specification's system, when absent."""
    crs = (value or coordinates.WGS84).lower()
    if crs not in coordinates.CRS_CHOICES:
        return crs, [_("crs must be wgs84, gcj02 or bd09")]
    return crs, []


def _place_missing(request: HttpRequest):
    if param(request, "address_id"):
        return _("address_id is not supported here: send lat and long, or address_string")
    return _("The place is required: lat and long, or address_string")


def _media_url(value: str | None) -> str:
    return value if value and value.startswith(("http://", "https://")) else ""


def reporter_name(first: str | None, last: str | None) -> str:
    """``张三`` from last 张 and first 三 (Chinese order, no space); ``John Smith`` otherwise."""
    first, last = first or "", last or ""
    if first and last and _CJK.match(first) and _CJK.match(last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def refusal(exc: BadInput) -> BadRequest:
    """The intake's refusal (outside the district, a bad photo …) as a 400 naming the parameter."""
    name = PARAMETER_OF_FIELD.get(exc.field, exc.field)
    return BadRequest(
        lazy_format(_("%(name)s: %(problem)s"), {"name": name, "problem": exc.message})
    )
