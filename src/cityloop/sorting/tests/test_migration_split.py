"""Moving the sorting models out of the devices app moves no data (docs/decisions/0044): a
database migrated before the split, with rows in it, reads the same rows through the sorting
app's models after it (same primary keys), and a group's permission on households still
applies; migrated back, the devices app's historical models read them again.

Runs on SQLite and on PostgreSQL (the PostgreSQL pass: ``CITYLOOP_DATABASE_URL``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cityloop.devices.models import Device, Record
from cityloop.org.models import User
from cityloop.org.services import user_create
from cityloop.sorting.models import CollectionPoint, Household, HouseholdCard

BEFORE = [("devices", "0007_task_history"), ("sorting", None)]
PRE_SPLIT = ("devices", "0007_task_history")


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no cached permissions


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_split_keeps_the_rows_and_the_permissions_both_ways(tiny):
    community = tiny.communities["440303001001"]
    clerk = user_create(username="clerk", password=None, unit=community)
    try:
        executor = migrate(BEFORE)
        old = executor.loader.project_state(PRE_SPLIT).apps
        # Rows written through the models as they were before the split (devices.*).
        point = old.get_model("devices", "CollectionPoint").objects.create(
            code="P-M1", name="迁移测试点", kind="multi_sort_room", community_id=community.pk,
            lon=114.105, lat=22.555,
        )  # fmt: skip
        household = old.get_model("devices", "Household").objects.create(
            code="H-M1", community_id=community.pk, point=point, building="3栋", room="502"
        )
        card = old.get_model("devices", "HouseholdCard").objects.create(
            household=household, card_id="C-M1"
        )
        device = old.get_model("devices", "Device").objects.create(
            code="SC-M1", kind="smart_scale", point=point, token_prefix="abcd1234",
            token_hash="0" * 64,
        )  # fmt: skip
        moment = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
        record = old.get_model("devices", "Record").objects.create(
            device=device, message_id="m1", seq=0, kind="disposal", occurred_at=moment,
            day=date(2026, 11, 25), point=point, waste_type="kitchen", weight_kg=1.5,
            is_correct=True, card_id="C-M1", household=household, payload={"time": "x"},
            received_at=moment,
        )  # fmt: skip
        old_types = old.get_model("contenttypes", "ContentType")
        household_type = old_types.objects.get(app_label="devices", model="household")
        permission = old.get_model("auth", "Permission").objects.get(
            content_type=household_type, codename="view_household"
        )
        group = old.get_model("auth", "Group").objects.create(name="household readers")
        group.permissions.add(permission)
        group.user_set.add(clerk.pk)
        assert fresh(clerk).has_perm("devices.view_household")

        migrate(latest())
        assert Household.objects.get(pk=household.pk).code == "H-M1"
        assert Household.objects.get(pk=household.pk).room == "502"
        assert HouseholdCard.objects.get(pk=card.pk).household_id == household.pk
        assert CollectionPoint.objects.get(pk=point.pk).households.get().pk == household.pk
        assert Device.objects.get(pk=device.pk).point_id == point.pk
        stored = Record.objects.select_related("household", "point").get(pk=record.pk)
        assert (stored.household.code, stored.point.code) == ("H-M1", "P-M1")
        moved = ContentType.objects.get_for_model(Household)
        assert (moved.pk, moved.app_label) == (household_type.pk, "sorting")
        assert fresh(clerk).has_perm("sorting.view_household")
        assert not fresh(clerk).has_perm("devices.view_household")

        executor = migrate(BEFORE)
        old = executor.loader.project_state(PRE_SPLIT).apps
        assert old.get_model("devices", "Household").objects.get(pk=household.pk).code == "H-M1"
        again = old.get_model("devices", "Record").objects.get(pk=record.pk)
        assert (again.household_id, again.point_id) == (household.pk, point.pk)
        back = old.get_model("contenttypes", "ContentType").objects.get(pk=household_type.pk)
        assert (back.app_label, back.model) == ("devices", "household")
        assert fresh(clerk).has_perm("devices.view_household")
    finally:
        migrate(latest())
