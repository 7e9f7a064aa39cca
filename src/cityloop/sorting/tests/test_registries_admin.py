"""Admin of the venue and truck registries (filters and search), and the
read-only pages of alarm cases, collection tasks and evidence packages."""

from __future__ import annotations

import pytest

from cityloop.devices.tests.conftest import NOW
from cityloop.org.choices import EntityKind, UnitKind
from cityloop.org.services import unit_create
from cityloop.sorting.models import CollectionTask, Truck, Venue, VenueCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registries(tiny, station):
    school = VenueCategory.objects.create(code="school", name="学校", name_en="Schools", order=1)
    hospital = VenueCategory.objects.create(code="hospital", name="医院", order=2)
    community = tiny.communities["440303001001"]
    contractor = unit_create(
        kind=UnitKind.SOCIAL_ENTITY,
        name="城环环卫公司",
        entity_kind=EntityKind.SANITATION_CONTRACTOR,
        parent=community,
    )
    Venue.objects.create(
        code="V-001", name="翠竹小学", category=school, community=community, sorting_in_place=True
    )
    Venue.objects.create(code="V-002", name="罗湖医院", category=hospital, community=community)
    Truck.objects.create(plate="粤B12345", contractor=contractor, waste_type="kitchen")
    Truck.objects.create(plate="粤B67890", contractor=contractor, waste_type="other")
    return school, hospital, contractor


def test_no_venue_category_is_seeded():
    assert not VenueCategory.objects.exists()  # bureau data: loaded, never migrated in


def test_venues_are_listed_filtered_by_category_and_searched(admin_client, registries):
    school, _hospital, _contractor = registries
    page = admin_client.get("/admin/sorting/venue/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "翠竹小学" in html and "罗湖医院" in html

    filtered = admin_client.get(f"/admin/sorting/venue/?category__id__exact={school.pk}")
    assert "翠竹小学" in filtered.content.decode()
    assert "罗湖医院" not in filtered.content.decode()

    searched = admin_client.get("/admin/sorting/venue/?q=医院").content.decode()
    assert "罗湖医院" in searched and "翠竹小学" not in searched


def test_a_venue_is_added_in_the_admin(admin_client, registries, tiny):
    school, _hospital, _contractor = registries
    data = {
        "code": "V-003",
        "name": "东门中学",
        "category": school.pk,
        "community": tiny.communities["440303001001"].pk,
        "entity": "",
        "lon": "114.105",
        "lat": "22.555",
        "sorting_in_place": "on",
        "inspected_on": "2026-11-20",
        "is_active": "on",
    }

    response = admin_client.post("/admin/sorting/venue/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    venue = Venue.objects.get(code="V-003")
    assert venue.category == school and venue.sorting_in_place


def test_trucks_are_filtered_by_waste_type_and_searched_by_plate(admin_client, registries):
    page = admin_client.get("/admin/sorting/truck/?waste_type__exact=kitchen").content.decode()
    assert "粤B12345" in page and "粤B67890" not in page

    searched = admin_client.get("/admin/sorting/truck/?q=67890").content.decode()
    assert "粤B67890" in searched and "粤B12345" not in searched


def test_categories_are_ordered_and_searched(admin_client, registries):
    page = admin_client.get("/admin/sorting/venuecategory/?q=Schools").content.decode()
    assert "学校" in page and "医院" not in page


def test_tasks_alarm_cases_and_evidence_are_read_only(admin_client, station):
    task = CollectionTask.objects.create(
        point=station.point,
        waste_type="kitchen",
        reason="fill_level",
        level=0.9,
        opened_at=NOW,
        due_at=NOW,
        last_alarm_at=NOW,
    )
    for model in ["collectiontask", "alarmcase", "evidencepackage"]:
        assert admin_client.get(f"/admin/sorting/{model}/").status_code == 200
        assert admin_client.get(f"/admin/sorting/{model}/add/").status_code == 403
    change = admin_client.get(f"/admin/sorting/collectiontask/{task.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content  # shown, not editable
    response = admin_client.post(
        f"/admin/sorting/collectiontask/{task.pk}/change/", {"status": "done"}
    )
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == "open"
