"""devices_record: records filed in arrears under their household
(docs/decisions/0033-filing-in-arrears.md). The day × household index becomes partial (filed
records only) beside a small index of the unfiled ones; every existing record is filed. The
index on the time alone is dropped: its one reader, the roll-up rebuild, now selects records by
their local day. The record's foreign keys are kept by Django only, not checked by the database
for every row (docs/decisions/0034-record-foreign-keys.md)."""

from importlib import import_module

from django.db import migrations, models
from django.db.models.deletion import PROTECT, SET_NULL

earlier = import_module("cityloop.devices.migrations.0004_record_columns")


def _unchecked(name: str, to: str, on_delete, *, null: bool) -> migrations.AlterField:
    """A foreign key of the record that the database no longer checks."""
    field = models.ForeignKey(
        db_constraint=False,
        db_index=False,
        null=null,
        on_delete=on_delete,
        related_name="records",
        to=to,
    )
    return migrations.AlterField(model_name="record", name=name, field=field)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0004_record_columns"),
    ]

    operations = [
        migrations.RunPython(earlier.drop_time_index, earlier.create_time_index),
        migrations.RemoveIndex(model_name="record", name="devices_rec_day_household"),
        _unchecked("device", "devices.device", PROTECT, null=False),
        _unchecked("household", "devices.household", SET_NULL, null=True),
        _unchecked("point", "devices.collectionpoint", PROTECT, null=True),
        migrations.AddField(
            model_name="record",
            name="filed",
            field=models.BooleanField(
                default=True,
                help_text="In the household index by day; records still waiting are found all the same.",
                verbose_name="filed under its household",
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(
                condition=models.Q(("filed", True)),
                fields=["day", "household"],
                name="devices_rec_day_household",
            ),
        ),
        migrations.AddIndex(
            model_name="record",
            index=models.Index(
                condition=models.Q(("filed", False)), fields=["id"], name="devices_rec_unfiled"
            ),
        ),
    ]
