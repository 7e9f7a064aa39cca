"""Schemathesis over the whole JSON API, in-process: no operation answers a 5xx or outside its
own OpenAPI schema (status, content type, body), for valid and for invalid input.

Every operation of ``/api/openapi.json`` is called with generated data, authenticated by a token
of a district user who holds the roles that reach every endpoint, on the tiny district with a
case in it (real tickets, grid codes and unit ids are mixed into the generated ones). The run is
bounded (a few examples an operation, derandomised so that CI sees the same cases every time).
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cityloop.enforcement.services import register_clue
from cityloop.events.tests.conftest import Loop
from cityloop.org.choices import Role
from cityloop.org.services import user_create
from cityloop.org.tokens import api_token_create

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# About 650 calls, 20-40 s on the 2-core machine; the bound is the number of examples, not the
# clock, so that a loaded CI machine runs the same cases more slowly instead of failing.
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 3}
FUZZER_ROLES = [
    Role.ADMINISTRATOR,
    Role.ACCEPTOR,
    Role.DISPATCHER,
    Role.SHIFT_LEADER,
    Role.INSPECTOR,
    Role.LEADER,
    Role.ENFORCEMENT_OFFICER,
]


@pytest.fixture
def app():
    """Django's WSGI handler on the test's database connection.

    Django closes a connection that is inside a transaction at the end of a request (the
    test's transaction would be lost); its test client detaches that handler too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()  # the citizens' rate limits
    try:
        yield WSGIHandler()
    finally:
        cache.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(tiny):
    loop = Loop(tiny)
    case = loop.report()
    fuzzer = user_create(
        username="schemathesis",
        password="s3cret-pass-42",
        unit=tiny.district,
        roles=FUZZER_ROLES,
    )
    _, key = api_token_create(user=fuzzer, name="schemathesis")
    clue = register_clue(
        actor=fuzzer, unit=tiny.streets["001"], source="patrol", title="东门路乱摆卖"
    )
    known = {
        "ticket": case.ticket,
        "code": "440303001001001",
        "unit_id": tiny.district.pk,
        "kind": "event",
        "major": "01",
        "minor": "10",
        "year": 2025,
        "number": clue.number,  # an enforcement case
    }
    return key, known


def _strategy(operation, mode: GenerationMode, known: dict):
    """Generated data, and the same with the path's known values (objects that exist)."""
    names = {p.name for p in operation.path_parameters}
    fixed = {name: value for name, value in known.items() if name in names}
    generated = operation.as_strategy(generation_mode=mode)
    if not fixed or mode is GenerationMode.NEGATIVE:
        return generated
    return st.one_of(generated, operation.as_strategy(generation_mode=mode, path_parameters=fixed))


def _exercise(operation, mode, known: dict, headers: dict, statuses: list) -> None:
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, mode, known))
    def run(case):
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def _describe(exc: BaseException) -> str:
    """The check failures' own titles and messages (a failure group hides them in its parts)."""
    parts = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(str(part).strip() for part in parts)


def test_every_operation_answers_within_its_schema(app, world):
    key, known = world
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    started, failures, answered = time.monotonic(), [], {}  # label: the statuses it answered
    for operation in operations:
        for mode in EXAMPLES:
            statuses = answered.setdefault(operation.label, [])
            try:
                _exercise(operation, mode, known, headers, statuses)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing in it can be made invalid
            except (Exception, schemathesis.errors.FailureGroup) as exc:  # report all, not one
                failures.append(f"{mode} {operation.label}: {_describe(exc)}")
    elapsed = time.monotonic() - started
    exercised = sum(len(v) for v in answered.values())
    succeeded = sorted(label for label, codes in answered.items() if any(c < 300 for c in codes))
    print(f"{exercised} calls, {len(succeeded)} operations answered 2xx, {elapsed:.0f} s")
    assert failures == [], "\n\n".join(failures)
    # the token opened the API: nothing was refused for want of a login, and the reads answered
    assert all(401 not in codes for codes in answered.values())
    assert {
        "GET /api/cases/",
        "GET /api/cases/{ticket}",
        "GET /api/evidence/",
        "GET /api/enforcement/cases",
        "GET /api/enforcement/cases/{number}",
    } <= set(succeeded)
    assert len(operations) == len(answered) >= 72
