"""Load the bundled catalogue: the GB/T 47678.5-2026 directory, the GB/T 30428.2-coded table
and the bureau's local extensions (data/, see data/README.md).

The import service takes the migration's apps registry, so it writes through the historical
models. It is idempotent; a bad row stops the migration with the line and the reason.
"""

from django.db import migrations


def load_catalogue(apps, schema_editor):
    from cityloop.categories.services import bundled_catalogue_load

    report = bundled_catalogue_load(registry=apps)
    if not report.ok:
        lines = "\n".join(f"  line {error.line}: {error}" for error in report.errors)
        raise RuntimeError(f"the bundled catalogue {report.source} has bad rows:\n{lines}")


class Migration(migrations.Migration):
    dependencies = [("categories", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
