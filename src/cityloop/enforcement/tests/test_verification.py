"""The case file is checked as it is now against what was sealed: the chained history finds an
edited, a removed and an inserted row; the documents' and evidence's bytes their digests."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from cityloop.core.chain import GENESIS
from cityloop.enforcement.models import Document, EnforcementCase, EnforcementEvent
from cityloop.enforcement.tests.test_documents import _decided
from cityloop.enforcement.verification import verify_cases


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _whats(report):
    return [(p.case, p.what) for p in report.problems]


def test_an_intact_case_file_verifies(team):
    case = _decided(team)
    report = verify_cases()
    assert report.ok, report.problems
    rows = list(case.events.order_by("id"))
    assert report.rows == len(rows) and report.documents == case.documents.count() > 0
    # Each row chains to the one before; the case keeps the head.
    assert rows[0].previous_digest == GENESIS
    assert all(b.previous_digest == a.digest for a, b in itertools.pairwise(rows))
    assert EnforcementCase.objects.get(pk=case.pk).history_head == rows[-1].digest


def test_an_edited_history_row_is_found(team):
    case = _decided(team)
    row = case.events.get(action="decide")
    # An edit in the database, behind the application's back: the fine in the decision's row.
    sql(
        "UPDATE enforcement_enforcementevent SET comment = %s WHERE id = %s",
        ["罚款减为500元", row.pk],
    )
    report = verify_cases()
    assert _whats(report) == [(case.number, "row_digest")]
    assert report.problems[0].data["action"] == "decide"


def test_a_removed_row_is_found(team):
    case = _decided(team)
    rows = list(case.events.order_by("id"))
    EnforcementEvent.objects.filter(pk=rows[3].pk).delete()
    assert _whats(verify_cases()) == [(case.number, "row_chain")]


def test_removed_last_rows_are_found_by_the_head(team):
    case = _decided(team)
    last = case.events.order_by("id").last()
    last.documents.update(event=None)
    EnforcementEvent.objects.filter(pk=last.pk).delete()  # the tail: only the head tells
    assert _whats(verify_cases()) == [(case.number, "head")]


def test_a_changed_document_is_found_and_the_command_exits_1(team):
    case = _decided(team)
    document = Document.objects.get(case=case, kind="penalty_decision")
    with default_storage.open(document.docx.name, "wb") as handle:
        handle.write(b"not what was issued")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify", "--only", "enforcement", "--quiet", stdout=out)
    assert exit_.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{case.number}: document_changed")
    assert lines[-1].startswith("enforcement: BROKEN: 1 problems in 1 enforcement cases")


def test_the_command_checks_one_case_and_refuses_an_unknown_one(team):
    from django.core.management.base import CommandError

    case = _decided(team)
    out = StringIO()
    call_command("verify", "--case", case.number, stdout=out)
    assert out.getvalue().strip().startswith("enforcement: OK: 1 enforcement cases")
    with pytest.raises(CommandError, match="no such enforcement case: ZF1999"):
        call_command("verify", "--case", "ZF1999", stdout=StringIO())
