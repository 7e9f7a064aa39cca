"""Seed the legal-basis catalogue, the document numbering and the procedure rules from
enforcement/data/catalogue.json (decision 0051); backwards leaves the bureau's data alone."""

from django.db import migrations


def seed(apps, schema_editor):
    from cityloop.enforcement.catalogue import seed as seed_catalogue

    seed_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
