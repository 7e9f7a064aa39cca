"""``media_url``: the absolute URL of a photo's EXIF-free copy, and it opens for anyone.

GeoReport v2 clients (FixMyStreet, Open311 Mobile, the Chicago and Boston readers) fetch
``media_url`` as given, without a key, so every URL a published request names must answer with
the public copy: whatever source the case came from, and for a merged case its own photo.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cityloop.events.choices import CaseState, Source
from cityloop.events.services.attachments import attachments_record
from cityloop.open311.tests.conftest import BASE, given_state, jpeg_with_gps, json_of

pytestmark = pytest.mark.django_db


def _fetch(client, url: str):
    assert url.startswith("http://testserver/"), url
    return client.get(url.removeprefix("http://testserver"))


def _photo_of(response) -> Image.Image:
    assert response.status_code == 200
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("source", sorted(set(Source.values) - {Source.HOTLINE, Source.LEADER}))
def test_the_media_url_of_every_published_source_opens_without_exif(client, report, frozen, source):
    case = report(source=source)
    attachments_record(case=case, files=[jpeg_with_gps()], actor=None)

    [request] = json_of(client.get(f"{BASE}/requests/{case.ticket}.json"))
    [listed] = json_of(client.get(f"{BASE}/requests.json"))

    assert request["media_url"] == listed["media_url"]
    photo = _photo_of(_fetch(client, request["media_url"]))
    assert photo.size == (64, 48) and not photo.getexif()


def test_the_media_url_of_a_merged_request_opens_its_own_photo(client, report, frozen):
    survivor = given_state(report(), CaseState.HANDLING)
    merged = report()
    attachments_record(case=merged, files=[jpeg_with_gps()], actor=None)
    given_state(merged, CaseState.MERGED, merged_into=survivor)

    [request] = json_of(client.get(f"{BASE}/requests/{merged.ticket}.json?extensions=true"))

    assert request["extended_attributes"]["merged_into"] == survivor.ticket
    photo = _photo_of(_fetch(client, request["media_url"]))
    assert not photo.getexif()
    assert request["extended_attributes"]["media_urls"] == [request["media_url"]]


def test_a_photo_of_an_unpublished_case_is_not_served(client, report, frozen):
    case = report(source=Source.HOTLINE, external_id="SZ-9")
    [photo] = attachments_record(case=case, files=[jpeg_with_gps()], actor=None)

    response = client.get(f"/api/public/reports/{case.ticket}/photos/{photo.pk}")

    assert response.status_code == 404
