"""devices_record made cheaper to insert into (docs/decisions/0030-record-columns.md): the
payload as JSON text, no SQLite AUTOINCREMENT, the local day as a column with a (day, household)
index in place of (household, time), and the (kind, time) index replaced by an index on the
time alone: a B-tree on SQLite, a BRIN on PostgreSQL (records arrive in time order, so a BRIN's
block ranges stay narrow, and it costs next to nothing per insert). Django's model state does
not know the time index, as it differs per database. HouseholdDay and HouseholdMonth become
unique by day (month) first, without an index by household."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations, models

import cityloop.devices.fields

TIME_INDEX = "devices_rec_time"


def create_time_index(apps, schema_editor):
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {TIME_INDEX} ON devices_record {method}(occurred_at)")


def drop_time_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {TIME_INDEX}")


def fill_days(apps, schema_editor):
    """The local day of the records stored before the column existed."""
    record = apps.get_model("devices", "Record")
    zone = ZoneInfo(settings.TIME_ZONE)
    if schema_editor.connection.vendor == "postgresql":
        # Check the rows' foreign keys now rather than at commit: PostgreSQL refuses the
        # ALTER TABLE that follows while deferred checks of the updated rows are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    batch = []
    for row in record.objects.only("id", "occurred_at").order_by("id").iterator(chunk_size=5000):
        row.day = row.occurred_at.astimezone(zone).date()
        batch.append(row)
        if len(batch) == 5000:
            record.objects.bulk_update(batch, ["day"])
            batch = []
    record.objects.bulk_update(batch, ["day"])


def _first_by(model_name: str, column: str) -> list:
    """A participation table made unique by ``column`` first, without an index by household."""
    name = f"devices_{model_name}_once"
    return [
        migrations.RemoveConstraint(model_name=model_name, name=name),
        migrations.AlterField(
            model_name=model_name,
            name="household",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="devices.household",
            ),
        ),
        migrations.AddConstraint(
            model_name=model_name,
            constraint=models.UniqueConstraint(fields=(column, "household"), name=name),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0003_sorting_supervision"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="record", name="devices_rec_kind_time"),
        migrations.RemoveIndex(model_name="record", name="devices_rec_household_time"),
        migrations.AlterField(
            model_name="record",
            name="id",
            field=cityloop.devices.fields.RowIdField(
                primary_key=True, serialize=False, verbose_name="ID"
            ),
        ),
        migrations.AlterField(
            model_name="record",
            name="payload",
            field=cityloop.devices.fields.JSONTextField(verbose_name="payload"),
        ),
        migrations.AddField(
            model_name="record",
            name="day",
            field=models.DateField(null=True, verbose_name="local day"),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="record",
            name="day",
            field=models.DateField(
                help_text="The day of the time in the district.", verbose_name="local day"
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(fields=["day", "household"], name="devices_rec_day_household"),
        ),
        migrations.RunPython(create_time_index, drop_time_index),
        *_first_by(model_name="householdday", column="day"),
        *_first_by(model_name="householdmonth", column="month"),
    ]
