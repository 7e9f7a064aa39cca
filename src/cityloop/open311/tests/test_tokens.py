"""GET service_request_id from a token: every submission's token resolves to its case."""

from __future__ import annotations

import pytest

from cityloop.open311.models import Submission
from cityloop.open311.tests.conftest import BASE, POINT, children, errors_of, json_of, xml_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(client, tiny, api_key) -> Submission:
    data = {
        "api_key": api_key[1],
        "service_code": "event-01-10",
        "lat": POINT[1],
        "long": POINT[0],
        "description": "垃圾",
    }
    client.post(f"{BASE}/requests.json", data)
    return Submission.objects.select_related("case").get()


def test_a_token_resolves_in_xml(client, submission):
    root = xml_of(client.get(f"{BASE}/tokens/{submission.token}.xml"))

    assert (root.tag, children(root)) == ("service_requests", ["request"])
    assert children(root.find("request")) == ["service_request_id", "token"]
    assert root.findtext("request/service_request_id") == submission.case.ticket
    assert root.findtext("request/token") == submission.token


def test_a_token_resolves_in_json(client, submission):
    response = client.get(f"{BASE}/tokens/{submission.token}.json")

    assert json_of(response) == [
        {"service_request_id": submission.case.ticket, "token": submission.token}
    ]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_token_is_a_404_error_list(client, db, fmt):
    response = client.get(f"{BASE}/tokens/abc123.{fmt}")

    assert response.status_code == 404
    assert errors_of(response, fmt) == [
        ("404", "本接口未签发过令牌 abc123 / No token abc123 was issued here")
    ]


def test_the_post_answer_gives_the_id_and_not_the_token(client, tiny, api_key):
    data = {"api_key": api_key[1], "service_code": "event-01-10", "address_string": "东门"}

    [answer] = json_of(client.post(f"{BASE}/requests.json", data))

    assert "token" not in answer  # GeoReport v2: a token only when there is no id
