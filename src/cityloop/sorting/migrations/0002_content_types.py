"""The moved models' content types follow them to the sorting app (docs/decisions/0044), and
with them their permissions, so what groups and users were granted on ``devices.household``
they now hold on ``sorting.household``; the admin's history of their rows stays attached.

Where both content types exist (the target made by ``migrate``'s post-migrate step on a
database that had none of the old ones, then the old ones restored), the target is kept: the
grants of the old permissions and the admin history move to it, and the old content type goes.
Reversible: backwards, the same moves from ``sorting`` to ``devices``."""

from django.db import migrations

MOVED = (
    "alarmcase",
    "bin",
    "collectionpoint",
    "collectiontask",
    "collectiontaskevent",
    "communityday",
    "communitymonth",
    "evidenceitem",
    "evidencepackage",
    "household",
    "householdcard",
    "householdday",
    "householdmonth",
    "plantday",
    "pointday",
    "streetday",
    "truck",
    "venue",
    "venuecategory",
)


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=old):
            twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
            if twin is None:
                permission.content_type = new
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        LogEntry.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def forwards(apps, schema_editor) -> None:
    _move(apps, "devices", "sorting")


def backwards(apps, schema_editor) -> None:
    _move(apps, "sorting", "devices")


class Migration(migrations.Migration):
    dependencies = [
        ("sorting", "0001_initial"),
        ("devices", "0009_sorting_models_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
