"""Units of the four tiers: validation on creation, the materialised path, moving a subtree."""

import pytest
from django.core.exceptions import ValidationError

from cityloop.org.choices import EntityKind, Role, UnitKind
from cityloop.org.models import RoleGrant, Unit
from cityloop.org.services import role_grant, unit_create, unit_save, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return unit_create(kind=UnitKind.DISTRICT, name="罗湖区", code="440303")


def test_units_form_a_tree_with_paths(district):
    street = unit_create(kind=UnitKind.STREET, name="桂园街道", code="440303001", parent=district)
    community = unit_create(
        kind=UnitKind.COMMUNITY, name="大塘龙社区", code="440303001001", parent=street
    )
    assert community.path == f"/{district.pk}/{street.pk}/{community.pk}/"
    assert community.depth == 2
    assert [u.name for u in community.ancestors()] == ["罗湖区", "桂园街道"]
    assert set(Unit.objects.below(street)) == {street, community}


def test_a_street_code_from_another_district_is_refused_and_nothing_is_saved(district):
    with pytest.raises(ValidationError) as exc:
        unit_create(kind=UnitKind.STREET, name="错街道", code="440304001", parent=district)
    assert "code" in exc.value.message_dict
    assert "440303" in exc.value.message_dict["code"][0]
    assert Unit.objects.count() == 1


def test_a_community_cannot_sit_directly_under_the_district(district):
    with pytest.raises(ValidationError) as exc:
        unit_create(kind=UnitKind.COMMUNITY, name="社区", code="440303001001", parent=district)
    assert "parent" in exc.value.message_dict


def test_a_social_entity_needs_its_kind_and_a_valid_credit_code(district):
    street = unit_create(kind=UnitKind.STREET, name="桂园街道", code="440303001", parent=district)
    with pytest.raises(ValidationError) as exc:
        unit_create(
            kind=UnitKind.SOCIAL_ENTITY,
            name="某商户",
            parent=street,
            credit_code="91440300708461136X",
        )
    assert set(exc.value.message_dict) == {"credit_code", "entity_kind"}
    shop = unit_create(
        kind=UnitKind.SOCIAL_ENTITY,
        name="某商户",
        parent=street,
        entity_kind=EntityKind.SHOP,
        credit_code="91440300708461136T",
    )
    assert shop.depth == 2


def test_social_entities_and_departments_carry_no_division_code(district):
    with pytest.raises(ValidationError) as exc:
        unit_create(
            kind=UnitKind.DEPARTMENT, name="区水务局", function="water", parent=district, code="1"
        )
    assert "code" in exc.value.message_dict


def test_moving_a_street_moves_its_subtree():
    a = unit_create(kind=UnitKind.DISTRICT, name="罗湖区", code="440303")
    b = unit_create(kind=UnitKind.DISTRICT, name="福田区", code="440304")
    street = unit_create(kind=UnitKind.STREET, name="某街道", code="440303001", parent=a)
    community = unit_create(
        kind=UnitKind.COMMUNITY, name="某社区", code="440303001001", parent=street
    )
    street.parent = b
    street.code = "440304001"
    unit_save(unit=street)
    community.refresh_from_db()
    assert community.path == f"/{b.pk}/{street.pk}/{community.pk}/"
    assert community.depth == 2


def test_roles_must_fit_the_kind_of_unit(district):
    street = unit_create(kind=UnitKind.STREET, name="桂园街道", code="440303001", parent=district)
    user = user_create(username="u1", password="x-long-pass-1", unit=street, roles=[Role.HANDLER])
    assert user.has_role(Role.HANDLER)
    with pytest.raises(ValidationError) as exc:
        role_grant(user=user, role=Role.ACCEPTOR)
    assert "role" in exc.value.message_dict
    assert list(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == ["handler"]
