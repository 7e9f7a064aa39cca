"""Lists and exports must not grow their query count with their rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityloop.geo.models import Grid
from cityloop.org.choices import EntityKind, UnitKind
from cityloop.org.services import unit_create

pytestmark = pytest.mark.django_db


def _double_grids(tiny):
    for grid in list(Grid.objects.all()):
        grid.pk = None
        grid.code = grid.code[:12] + str(int(grid.code[12:]) + 100).zfill(3)
        grid.save()


def _more_units(tiny):
    for i in range(10):
        unit_create(
            kind=UnitKind.SOCIAL_ENTITY,
            name=f"商户{i}",
            entity_kind=EntityKind.SHOP,
            parent=tiny.communities["440303002001"],
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "grow"),
    [
        ("/api/geo/grids", _double_grids),
        ("/api/geo/grids.geojson", _double_grids),
        ("/api/org/units", _more_units),
    ],
)
def test_query_count_does_not_grow_with_rows(tiny, login, url, grow):
    client = login(tiny.users["district"])
    before = client.get(url).content
    few = _queries(client, url)
    grow(tiny)
    assert client.get(url).content != before  # the rows did grow
    assert _queries(client, url) == few
