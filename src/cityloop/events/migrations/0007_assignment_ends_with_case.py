"""An assignment's state ends with its case: the new state ``closed``, and every task still
active on a case that has left the open states (closed, evaluated, rejected, cancelled,
merged) is ended.

Before this, a unit's feedback stayed ``fed_back`` after the case closed, so the handling
unit's desk listed closed cases. Backwards, an ended task gets back the state a closed case's
units held when it closed: the lead (or sole) unit ``fed_back``, an assisting unit
``reported``; a ``done_at`` filled forwards stays.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

# Frozen here: the values as shipped with this migration.
OPEN_STATES = [
    "reported", "accepted", "confirming", "filed", "dispatched",
    "handling", "fed_back", "verified", "suspended",
]  # fmt: skip
ACTIVE_ASSIGNMENT_STATES = ["dispatched", "fed_back", "reported", "signed"]


def end_tasks_of_ended_cases(apps, schema_editor):
    Case = apps.get_model("events", "Case")
    CaseAssignment = apps.get_model("events", "CaseAssignment")
    ended_cases = Case.objects.exclude(state__in=OPEN_STATES).values("pk")
    tasks = CaseAssignment.objects.filter(
        state__in=ACTIVE_ASSIGNMENT_STATES, case_id__in=ended_cases
    )
    ended_at = Case.objects.filter(pk=OuterRef("case_id")).values(
        at=Coalesce("closed_at", "updated_at")
    )
    tasks.filter(done_at__isnull=True).update(done_at=Subquery(ended_at[:1]))
    tasks.update(state="closed")


def restore_tasks(apps, schema_editor):
    CaseAssignment = apps.get_model("events", "CaseAssignment")
    ended = CaseAssignment.objects.filter(state="closed")
    ended.filter(role="assist").update(state="reported")
    ended.update(state="fed_back")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_case_period_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseassignment",
            name="state",
            field=models.CharField(
                choices=[
                    ("dispatched", "Dispatched"),
                    ("signed", "Signed for"),
                    ("fed_back", "Fed back"),
                    ("reported", "Reported (assisting)"),
                    ("returned", "Returned"),
                    ("escalated", "Escalated"),
                    ("withdrawn", "Withdrawn"),
                    ("closed", "Ended with the case"),
                ],
                default="dispatched",
                max_length=12,
                verbose_name="state",
            ),
        ),
        migrations.RunPython(end_tasks_of_ended_cases, restore_tasks),
    ]
