"""Fixtures of the Open311 tests: a frozen clock, an API key, cases, and readers of the
two formats (XML parsed with ``xml.etree``, as a client would)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from cityloop.categories.models import MinorCategory
from cityloop.events.models import Case
from cityloop.events.services.intake import case_report
from cityloop.open311.services import api_key_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
BASE = "/open311/v2"
# Inside grid 440303001001001 of the tiny district.
POINT = (114.1005, 22.5595)
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def xml_of(response) -> ET.Element:
    """The parsed XML body, after checking the declaration and the content type."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(response.content)  # noqa: S314 -- our own test response


def json_of(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def errors_of(response, fmt: str) -> list[tuple[str | None, str | None]]:
    """``[(code, description)]`` of an error list, read the same way from either format."""
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "errors"
        return [(e.findtext("code"), e.findtext("description")) for e in root]
    return [(str(e["code"]), e["description"]) for e in json_of(response)]


def category(code_path: str, kind: str = "event") -> MinorCategory:
    major, minor = code_path.split("-")
    return MinorCategory.objects.get(major__kind=kind, major__code=major, code=minor)


def jpeg_with_gps(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A small JPEG carrying a camera make and a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = "CityCam"  # Make
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (22.0, 33.0, 34.2), 3: "E", 4: (114.0, 6.0, 1.8)}
    content = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(content, "JPEG", exif=exif)
    return SimpleUploadedFile(name, content.getvalue(), content_type="image/jpeg")


@pytest.fixture
def frozen():
    """Monday 2025-11-24 09:00 in Shanghai; the clock stands still unless a test moves it."""
    with time_machine.travel(datetime(2025, 11, 24, 9, 0, tzinfo=SHANGHAI), tick=False) as t:
        yield t


@pytest.fixture
def api_key(db):
    """(the ApiKey row, its plain text)."""
    return api_key_create(name="FixMyStreet 试点")


@pytest.fixture
def report(tiny):
    """Make a case through the intake, as any source would; returns the case."""

    def _report(description: str = "路边有暴露垃圾", source: str = "citizen", **kw) -> Case:
        kw.setdefault("category", category("01-10"))
        kw.setdefault("lon", POINT[0])
        kw.setdefault("lat", POINT[1])
        return case_report(source=source, description=description, **kw).case

    return _report


def given_state(case: Case, state: str, **fields) -> Case:
    """Put a case in a state directly (the workflow itself is tested in cityloop.events)."""
    Case.objects.filter(pk=case.pk).update(state=state, **fields)
    case.refresh_from_db()
    return case
