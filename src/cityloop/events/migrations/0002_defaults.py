"""The bureau's default stage limits and the categories each kind of social entity handles.

Both are configuration (editable in the admin), not standards: see docs/decisions/0013 and
0014. 门前三包 (reference §7): 市容整洁 (无乱堆放、乱吊挂、乱张贴), 环境卫生 (无暴露垃圾),
设施整洁; a property manager as 生活垃圾分类投放管理人 answers for sorting points in its estate.
"""

from django.db import migrations

STAGE_MINUTES = {
    "accept": 30,
    "confirm": 120,
    "file": 30,
    "dispatch": 30,
    "verify": 240,
    "close": 60,
}

# entity kind → (major code, minor code) of event categories it handles in its own zone.
DUTIES = {
    "shop": ["01-10", "01-12", "01-36", "01-07", "01-19", "01-04", "02-01", "04-05", "06-04"],
    "property_manager": [
        "01-10", "01-12", "01-36", "01-35", "01-92", "01-93", "01-70", "01-17", "01-96",
        "01-05", "04-96",
    ],
    "sanitation_contractor": ["01-10", "01-12", "01-14", "01-11", "01-92", "01-37"],
    "market": ["01-10", "01-12", "01-36", "04-05", "04-98"],
    "school": ["01-10", "01-12", "01-36"],
}  # fmt: skip


def load(apps, schema_editor):
    StageTimeLimit = apps.get_model("events", "StageTimeLimit")
    EntityDuty = apps.get_model("events", "EntityDuty")
    MinorCategory = apps.get_model("categories", "MinorCategory")
    for stage, minutes in STAGE_MINUTES.items():
        StageTimeLimit.objects.get_or_create(stage=stage, defaults={"minutes": minutes})
    for kind, codes in DUTIES.items():
        for code in codes:
            major, minor = code.split("-")
            category = MinorCategory.objects.filter(
                major__kind="event", major__code=major, code=minor
            ).first()
            if category is None:
                raise RuntimeError(f"entity duty names a category the catalogue lacks: {code}")
            EntityDuty.objects.get_or_create(entity_kind=kind, category=category)


def unload(apps, schema_editor):
    apps.get_model("events", "StageTimeLimit").objects.all().delete()
    apps.get_model("events", "EntityDuty").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("categories", "0002_load_catalogue"),
    ]

    operations = [migrations.RunPython(load, unload)]
