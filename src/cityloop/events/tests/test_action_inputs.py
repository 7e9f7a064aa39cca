"""Each action's inputs are declared once on its row of the table: the kernel refuses a bad
value whoever calls (a service, the API, a page), the API's body schema and the page's form
are derived from the declaration, and a wrong declaration fails when the table is built."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import translation

from cityloop.core.refusals import BadInput
from cityloop.core.workflow.forms import ActionForm
from cityloop.core.workflow.inputs import Integer, Many, Reference, Text
from cityloop.core.workflow.schemas import action_schemas
from cityloop.core.workflow.table import ClockStates, Table, row
from cityloop.events import api_schemas
from cityloop.events.api import ACTION_SCHEMAS
from cityloop.events.choices import ClockState
from cityloop.events.models import Case
from cityloop.events.tests.test_bad_input import _closed, _filed
from cityloop.events.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db


def _refused(loop, user, case, action, **params) -> BadInput:
    version = case.version
    with pytest.raises(BadInput) as caught:
        loop.act(user, case, action, **params)
    case.refresh_from_db()
    assert case.version == version, "a refused input changed the case"
    return caught.value


# --- the kernel's own check, whoever calls ---------------------------------------------------
@pytest.mark.parametrize(
    ("value", "code"),
    [(7, "range"), (0, "range"), ("five", "range"), (None, "missing"), (True, "range")],
)
def test_a_service_call_with_a_bad_satisfaction_is_refused_on_its_field(
    loop, monday_morning, value, code
):
    case = _closed(loop)
    refusal = _refused(loop, loop.acceptor, case, "evaluate", satisfaction=value)
    assert (refusal.field, refusal.code) == ("satisfaction", code)
    assert Case.objects.get(pk=case.pk).satisfaction is None


def test_a_satisfaction_given_as_text_digits_is_taken_as_a_number(loop, monday_morning):
    case = _closed(loop)
    loop.act(loop.acceptor, case, "evaluate", satisfaction="4")
    assert Case.objects.get(pk=case.pk).satisfaction == 4


def test_an_assisting_deadline_without_its_time_zone_is_refused_on_the_item(loop, monday_morning):
    case = _filed(loop)
    refusal = _refused(
        loop,
        loop.dispatcher,
        case,
        "dispatch",
        assisting=[{"unit": loop.water.pk, "deadline": "2025-11-25T17:00"}],
    )
    assert (refusal.field, refusal.code) == ("assisting.0.deadline", "datetime_parsing")
    assert not case.assignments.exists()


def test_an_input_the_action_does_not_take_is_refused_not_ignored(loop, monday_morning):
    case = _filed(loop)
    refusal = _refused(loop, loop.dispatcher, case, "dispatch", unti=loop.water.pk)
    assert (refusal.field, refusal.code) == ("unti", "extra_forbidden")


def test_an_impossible_date_is_refused_not_a_server_error(loop, monday_morning):
    case = _filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    case.refresh_from_db()
    refusal = _refused(
        loop,
        loop.shop_handler,
        case,
        "request_extension",
        requested_deadline="2026-02-30T10:00:00+08:00",
        comment="材料未到",
    )
    assert (refusal.field, refusal.code) == ("requested_deadline", "datetime_parsing")


def test_a_too_long_ticket_to_merge_into_is_refused_on_its_field(loop, monday_morning):
    case = loop.report()
    refusal = _refused(loop, loop.acceptor, case, "merge", into="x" * 25)
    assert (refusal.field, refusal.code) == ("into", "too_long")


# --- the API's body, derived ------------------------------------------------------------------
def test_the_api_body_of_each_action_is_its_declared_inputs_on_what_every_action_carries():
    for action, t in TRANSITIONS.items():
        fields = set(ACTION_SCHEMAS[action].model_fields)
        assert fields == {"version", "comment", *(i.name for i in t.inputs)}, action
    assert ACTION_SCHEMAS["sign"] is api_schemas.ActionIn
    dispatch = ACTION_SCHEMAS["dispatch"].model_json_schema()
    assert dispatch["title"] == "DispatchIn"
    assert dispatch["properties"]["assisting"]["maxItems"] == 20
    assert dispatch["$defs"]["AssistIn"]["required"] == ["unit"]


def test_the_api_and_the_service_refuse_the_same_out_of_range_value(client, loop, monday_morning):
    case = _closed(loop)
    client.force_login(loop.acceptor)
    response = client.post(
        f"/api/cases/{case.ticket}/evaluate",
        json.dumps({"version": case.version, "satisfaction": 6}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "satisfaction"
    assert _refused(loop, loop.acceptor, case, "evaluate", satisfaction=6).field == "satisfaction"


def _api_act(client, case, action, body):
    return client.post(
        f"/api/cases/{case.ticket}/{action}",
        json.dumps({"version": case.version, **body}),
        content_type="application/json",
    )


def test_the_api_refuses_a_field_the_action_does_not_take(client, loop, monday_morning):
    case = _filed(loop)
    client.force_login(loop.dispatcher)
    response = _api_act(client, case, "dispatch", {"unti": loop.water.pk})
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert (item["field"], item["code"]) == ("unti", "extra_forbidden")
    assert item["zh"] and item["en"] == "This action takes no such input."
    assert Case.objects.get(pk=case.pk).state == "filed"


def test_the_kernel_refuses_for_the_api_what_its_schema_lets_through(client, loop, monday_morning):
    """A deadline without its time zone parses in the API's schema; the row's input refuses it."""
    case = _filed(loop)
    loop.act(loop.dispatcher, case, "dispatch")
    loop.act(loop.shop_handler, case, "sign")
    case.refresh_from_db()
    client.force_login(loop.shop_handler)
    body = {"requested_deadline": "2025-12-01T17:00:00", "comment": "材料未到"}
    response = _api_act(client, case, "request_extension", body)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert (item["field"], item["code"]) == ("requested_deadline", "datetime_parsing")
    assert not case.requests.exists()


# --- the page's form, derived -----------------------------------------------------------------
def test_the_dispatch_form_offers_the_declared_inputs(loop, monday_morning):
    case = _filed(loop)
    form = ActionForm(record=case, transition=TRANSITIONS["dispatch"])
    assert {"unit", "task", "assisting", "assisting_task", "assisting_deadline"} <= set(form.fields)
    assert not form.fields["unit"].queryset.filter(kind="district").exists()


def test_the_filing_form_lists_only_the_conditions_of_the_case_category(loop, monday_morning):
    case = loop.report()
    loop.act(loop.acceptor, case, "accept")
    case.refresh_from_db()
    form = ActionForm(record=case, transition=TRANSITIONS["file"])
    offered = set(form.fields["filing_condition"].queryset)
    assert offered == set(case.category.filing_conditions.all())
    assert "category" not in form.fields  # API only: the list follows the case's category


def test_a_refused_assisting_deadline_shows_under_the_deadline_field(client, loop, monday_morning):
    case = _filed(loop)
    client.force_login(loop.dispatcher)
    response = client.post(
        f"/cases/{case.ticket}/act/dispatch/",
        {
            "version": case.version,
            "assisting": [loop.water.pk],
            "assisting_deadline": "2025-11-20T17:00",  # before Monday the 24th
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert list(form.errors) == ["assisting_deadline"]
    assert Case.objects.get(pk=case.pk).state == "filed"


def test_a_chosen_reject_reason_is_the_reason_and_the_comment_may_stay_empty(loop, monday_morning):
    case = loop.report()
    data = {"version": case.version, "reason": "duplicate", "comment": ""}
    form = ActionForm(data, record=case, transition=TRANSITIONS["reject"])
    assert form.is_valid(), form.errors
    assert not form.fields["comment"].required
    with translation.override("en"):
        assert str(form.fields["comment"].label) == "Comment"  # the choice is the reason
    assert form.params() == {"reason": "duplicate"}
    feed_back = ActionForm({"version": 1}, record=case, transition=TRANSITIONS["feed_back"])
    assert not feed_back.is_valid() and "comment" in feed_back.errors


def test_the_form_sends_the_service_what_the_api_would(loop, monday_morning):
    case = _filed(loop)
    data = {
        "version": case.version,
        "unit": loop.tiny.streets["001"].pk,
        "task": "牵头",
        "assisting": [loop.water.pk],
        "assisting_task": "排查",
        "assisting_deadline": "2025-11-25T17:00",
    }
    form = ActionForm(data, record=case, transition=TRANSITIONS["dispatch"])
    assert form.is_valid(), form.errors
    params = form.params()
    body = ACTION_SCHEMAS["dispatch"](version=case.version, **params).dict(
        exclude={"version", "comment"}
    )
    assert body == params
    assert params["assisting"][0]["deadline"].isoformat() == "2025-11-25T17:00:00+08:00"


# --- a wrong declaration fails when the table is built --------------------------------------
class _State(models.TextChoices):
    OPEN = "open", "Open"


class _Act(models.TextChoices):
    GO = "go", "Go"


class _Who(models.TextChoices):
    ANYONE = "anyone", "Anyone"


def _table(*inputs):
    rows = [row(_Act.GO, {_State.OPEN}, _State.OPEN, {"clerk"}, _Who.ANYONE, inputs=inputs)]
    return Table(rows, states=_State, actions=_Act, actors=_Who, reserved={"case"})


def _no(record):
    return models.QuerySet().none()


@pytest.mark.parametrize(
    ("inputs", "says"),
    [
        ((Text("note", "Note"), Text("note", "Note")), "declared twice"),
        ((Text("version", "Version"),), "reserved"),
        ((Reference("unit", "Unit"),), "needs its options"),
        ((Text("case", "Case"),), "reserved"),  # the module's service takes case=
        ((Text("code", "Code", on_page=False),), "no page can send it"),
        (
            (
                Many("items", "Items", item="ItemIn", of=(Reference("unit", "U", options=_no),)),
                Text("items_unit", "Clash", required=False),
            ),
            "clash",
        ),
        (
            (
                Many(
                    "items",
                    "Items",
                    item="ItemIn",
                    required=True,
                    of=(Reference("unit", "U", options=_no),),
                ),
            ),
            "cannot be required",
        ),
    ],
)
def test_a_wrong_declaration_fails_at_import(inputs, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        _table(*inputs)


def test_a_new_module_gets_its_api_body_from_its_own_table():
    table = _table(Integer("count", "Count", low=1, high=9), Text("note", "Note", required=False))
    schema = action_schemas(table, api_schemas.ActionIn)["go"]
    assert schema.__name__ == "GoIn"
    props = schema.model_json_schema()["properties"]
    assert (props["count"]["minimum"], props["count"]["maximum"]) == (1, 9)
    assert props["note"]["default"] == ""


def test_clock_states_without_stages_fail_at_import():
    rows = [row(_Act.GO, {_State.OPEN}, _State.OPEN, {"clerk"}, _Who.ANYONE)]
    states = ClockStates(running="on", warning="warn", overdue="late", stopped="off")
    with pytest.raises(ImproperlyConfigured, match="stages"):
        Table(rows, states=_State, actions=_Act, actors=_Who, clock_states=states)


def test_the_case_table_declares_its_clock_states_beside_its_stages():
    assert TRANSITIONS.stages is not None and TRANSITIONS.clock_states is not None
    assert set(TRANSITIONS.clock_states.values()) == set(ClockState.values)
