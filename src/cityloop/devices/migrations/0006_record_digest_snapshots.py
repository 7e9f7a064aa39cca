"""devices_record.digest: the SHA-256 (32 bytes) of each record's row text as it arrived
(``cityloop.devices.digests``), computed here for the records stored before it; and the
snapshot images that evidence seals by their bytes (docs/decisions/0036-evidence-by-content.md).
The column is nullable so that adding it rewrites no table (SQLite, PostgreSQL)."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import TextField
from django.db.models.functions import Cast

import cityloop.devices.models
from cityloop.devices import digests

BATCH = 5_000


def compute_digests(apps, schema_editor):
    """Give every record without a digest the digest of its row as it is now (the payload as
    its stored text), in batches by id."""
    record = apps.get_model("devices", "Record")
    connection = schema_editor.connection
    table = connection.ops.quote_name(record._meta.db_table)
    rows = record.objects.using(connection.alias).filter(digest__isnull=True).order_by("pk")
    last = 0
    while True:
        batch = list(
            rows.filter(pk__gt=last)
            .annotate(text=Cast("payload", TextField()))
            .values_list("pk", *[c for c in digests.COLUMNS if c != "payload"], "text")[:BATCH]
        )
        if not batch:
            return
        updates = []
        for pk, *values, text in batch:
            fields = dict(zip([c for c in digests.COLUMNS if c != "payload"], values, strict=True))
            text = digests.row_text(**fields, payload=text)
            updates.append((hashlib.sha256(text).digest(), pk))
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET digest = %s WHERE id = %s", updates)  # noqa: S608
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0005_record_filing"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="digest",
            field=models.BinaryField(
                max_length=32, null=True, verbose_name="digest (SHA-256) as received"
            ),
        ),
        migrations.RunPython(compute_digests, migrations.RunPython.noop, elidable=False),
        migrations.CreateModel(
            name="Snapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="The snapshot or photo reference exactly as the device's records give it.",
                        max_length=500,
                        verbose_name="name in the records",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=120,
                        upload_to=cityloop.devices.models.snapshot_file_name,
                        verbose_name="image",
                    ),
                ),
                (
                    "sha256",
                    models.CharField(
                        editable=False, max_length=64, verbose_name="SHA-256 of the image"
                    ),
                ),
                ("size", models.PositiveIntegerField(editable=False, verbose_name="size (bytes)")),
                ("stored_at", models.DateTimeField(editable=False, verbose_name="stored")),
                (
                    "sealed_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        help_text="Sealed in an evidence package: the image can no longer be replaced.",
                        null=True,
                        verbose_name="sealed",
                    ),
                ),
                (
                    "device",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="snapshots",
                        to="devices.device",
                        verbose_name="device",
                    ),
                ),
            ],
            options={
                "verbose_name": "snapshot image",
                "verbose_name_plural": "snapshot images",
                "ordering": ["-stored_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("device", "name"), name="devices_snapshot_once")
                ],
            },
        ),
    ]
