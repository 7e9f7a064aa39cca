"""devices_record: records filed in arrears under their household
(docs/decisions/0033-filing-in-arrears.md). The day × household index becomes partial (filed
records only) beside a small index of the unfiled ones; every existing record is filed. The
index on the time alone is dropped: its one reader, the roll-up rebuild, now selects records by
their local day. The record's foreign keys are kept by Django only, not checked by the database
for every row (docs/decisions/0034-record-foreign-keys.md)."""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

earlier = import_module("cityloop.devices.migrations.0004_record_columns")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0004_record_columns"),
    ]

    operations = [
        migrations.RunPython(earlier.drop_time_index, earlier.create_time_index),
        migrations.RemoveIndex(model_name="record", name="devices_rec_day_household"),
        migrations.AlterField(
            model_name="record",
            name="device",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="devices.device",
            ),
        ),
        migrations.AlterField(
            model_name="record",
            name="household",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="records",
                to="devices.household",
            ),
        ),
        migrations.AlterField(
            model_name="record",
            name="point",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="records",
                to="devices.collectionpoint",
            ),
        ),
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
